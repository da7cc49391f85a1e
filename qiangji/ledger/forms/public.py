"""Forms of the public report page (群众反映) and of the town's acceptance of a report."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from qiangji.orgs.models import Organization, Village


class PublicReportForm(forms.Form):
    """What a resident types on a phone: the problem, where, and (if they wish) who they are.

    `website` is a honeypot: hidden from people, filled in by bots that fill in every field.
    """

    description = forms.CharField(
        label="反映的问题",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "请写明什么地方、什么事情、持续多久了"}),
    )
    village = forms.ModelChoiceField(
        label="所在村居", queryset=Village.objects.order_by("name"), required=False, empty_label="请选择（可不选）"
    )
    name = forms.CharField(label="您的姓名（可不填）", max_length=30, required=False)
    phone = forms.CharField(
        label="联系电话（可不填）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text="留下电话便于我们回复您，只有镇党委受理人员能看到。",
    )
    website = forms.CharField(
        label="请勿填写此栏",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def owner_queryset() -> Any:
    """Those who can be made responsible for a public report: active users holding a role."""
    return get_user_model().objects.filter(is_active=True, grants__isnull=False).distinct().order_by("display_name", "username")


class ReportAcceptForm(forms.Form):
    """The town turns a report into a registered problem: where it belongs, who fixes it, by when."""

    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    village = forms.ModelChoiceField(label="所在村居", queryset=Village.objects.order_by("name"), required=False)
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


class ReportRejectForm(forms.Form):
    reply = forms.CharField(label="不予受理的理由", widget=forms.Textarea(attrs={"rows": 3}))
