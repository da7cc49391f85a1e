"""Forms of the public report page (群众反映) and of the town's acceptance of a report."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from qiangji.core.public import PublicForm, optional_phone_field
from qiangji.orgs.models import Organization, Village


class PublicReportForm(PublicForm):
    """What a resident types on a phone: the problem, where, and (if they wish) who they are
    (the honeypot comes with PublicForm)."""

    description = forms.CharField(
        label="反映的问题",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "请写明什么地方、什么事情、持续多久了"}),
    )
    village = forms.ModelChoiceField(
        label="所在村居", queryset=Village.objects.order_by("name"), required=False, empty_label="请选择（可不选）"
    )
    name = forms.CharField(label="您的姓名（可不填）", max_length=30, required=False)
    phone = optional_phone_field("留下电话便于我们回复您，只有镇党委受理人员能看到。")


def owner_queryset() -> Any:
    """Those who can be made responsible for a public report: active users holding a role."""
    return get_user_model().objects.filter(is_active=True, grants__isnull=False).distinct().order_by("display_name", "username")


class ProblemAssignForm(forms.Form):
    """Registering something as a problem: which organization, who fixes it, by when. The town's
    acceptance of a report and its turning of a voice message into a problem both ask this."""

    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none(), empty_label="请选择党组织")
    owner = forms.ModelChoiceField(label="整改责任人", queryset=get_user_model().objects.none(), empty_label="请选择责任人")
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.CharField(label="问题类别", max_length=30, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.for_user(user, "manage").active().exclude(kind=Organization.Kind.GROUP).order_by("path")
        )
        self.fields["owner"].queryset = owner_queryset()


class ReportAcceptForm(ProblemAssignForm):
    """The town turns a report into a registered problem: what, where, and the assignment."""

    # Inherited fields would come first; the report's own text leads, as on the page.
    field_order = ["description", "village"]

    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    village = forms.ModelChoiceField(label="所在村居", queryset=Village.objects.order_by("name"), required=False)


class ReportRejectForm(forms.Form):
    reply = forms.CharField(label="不予受理的理由", widget=forms.Textarea(attrs={"rows": 3}))
