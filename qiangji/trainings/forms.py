"""Training forms: the one validation path for the pages and the API."""

from typing import Any

from django import forms
from django.utils import timezone

from qiangji.core.text import clean_text
from qiangji.members.models import Member
from qiangji.orgs.models import Organization
from qiangji.trainings.models import HoursRequirement, Training


class TrainingForm(forms.Form):
    name = forms.CharField(label="培训名称", max_length=100)
    kind = forms.ChoiceField(label="培训类别", choices=Training.Kind.choices)
    organization = forms.ModelChoiceField(label="主办党组织", queryset=Organization.objects.none())
    description = forms.CharField(label="培训说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The example names this year, whichever year the form is opened in.
        self.fields["name"].help_text = f"如：{timezone.localdate().year}年和美乡村建设专题班、村居书记主体班、“头雁提质”培训"
        field = self.fields["organization"]
        field.queryset = Organization.objects.for_user(user, "manage").filter(dissolved_on__isnull=True).order_by("path")
        if not self.is_bound and "organization" not in self.initial:
            self.initial["organization"] = field.queryset.order_by("depth", "path").first()

    def clean_name(self) -> str:
        return clean_text(self.cleaned_data["name"])


class SessionForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="学时", max_digits=4, decimal_places=1, min_value=0.5, max_value=24)
    topic = forms.CharField(label="主题", max_length=200)
    teacher = forms.CharField(label="授课人", max_length=50, required=False)
    place = forms.CharField(label="地点", max_length=100, required=False)

    def clean_topic(self) -> str:
        return clean_text(self.cleaned_data["topic"])


class EnrolForm(forms.Form):
    """One member, or every member of an organization and its subtree, among those the user manages."""

    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none(), required=False)
    organization = forms.ModelChoiceField(label="整个党组织（含下级）", queryset=Organization.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["member"].queryset = Member.objects.for_user(user, "manage").select_related("organization")
        self.fields["member"].label_from_instance = lambda m: f"{m.name}（{m.organization.name}）"
        self.fields["organization"].queryset = Organization.objects.for_user(user, "manage").order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("member") and not data.get("organization"):
            raise forms.ValidationError("请选择党员或党组织。")
        return data

    def members(self) -> list[Member]:
        qs = Member.objects.for_user(self.user, "manage")
        member, org = self.cleaned_data.get("member"), self.cleaned_data.get("organization")
        if org is not None:
            return list(qs.filter(organization__path__startswith=org.path))
        return [member]


class RequirementForm(forms.Form):
    member = forms.IntegerField(label="党员每年应达学时", min_value=1, max_value=500)
    leader = forms.IntegerField(label="书记、副书记、委员每年应达学时", min_value=1, max_value=500)

    CATEGORIES = HoursRequirement.Category.values


class WarningBatchForm(forms.Form):
    """A warning-education batch: the site, the day, the hours it counts, who is sent (by organization)."""

    site = forms.CharField(label="教育基地", max_length=100, help_text="如：区廉政教育基地")
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="学时", max_digits=4, decimal_places=1, min_value=0.5, max_value=24, initial=3)
    topic = forms.CharField(label="主题（可选）", max_length=200, required=False)
    organizations = forms.ModelMultipleChoiceField(
        label="参加党组织", queryset=Organization.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = (
            Organization.objects.active().exclude(kind=Organization.Kind.GROUP).filter(parent__isnull=False).order_by("path")
        )
        self.fields["site"].error_messages["required"] = "请填写教育基地。"
        self.fields["date"].error_messages.update(required="请填写日期。", invalid="请输入有效的日期。")
        self.fields["hours"].error_messages.update(
            required="请填写学时。", min_value="学时应在0.5至24之间。", max_value="学时应在0.5至24之间。"
        )
        self.fields["organizations"].error_messages.update(
            required="请选择参加的党组织。", invalid_choice="所选党组织不存在或已撤销。"
        )

    def clean_site(self) -> str:
        return clean_text(self.cleaned_data["site"])

    def clean_topic(self) -> str:
        return clean_text(self.cleaned_data["topic"])
