"""The home-study visit form (phone-friendly: a date, what was studied, who went)."""

from typing import Any

from django import forms

from qiangji.core.text import clean_text
from qiangji.members.models import Member
from qiangji.orglife.models import Meeting


class HomeStudyForm(forms.Form):
    date = forms.DateField(label="送学日期", widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label="学习内容", max_length=200)
    meeting = forms.ModelChoiceField(
        label="补学的会议（可选）", queryset=Meeting.objects.none(), required=False, empty_label="不关联会议"
    )
    include_me = forms.BooleanField(label="我本人参加了送学", required=False, initial=True)
    visitors = forms.CharField(label="其他送学人员", max_length=200, required=False, help_text="多人请用顿号分隔")
    notes = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = member.organization
        self.fields["meeting"].queryset = (
            Meeting.objects.held()
            .filter(organization__path__startswith=org.path)
            .select_related("organization")
            .order_by("-date", "-id")
        )
        self.fields["meeting"].label_from_instance = lambda m: f"{m.date:%Y-%m-%d} {m.get_kind_display()}：{m.topic}"

    def clean_topic(self) -> str:
        return clean_text(self.cleaned_data["topic"])

    def clean_visitors(self) -> str:
        return clean_text(self.cleaned_data["visitors"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("include_me") and not data.get("visitors"):
            self.add_error("visitors", "请填写送学人员，或勾选“我本人参加了送学”。")
        return data


class HomeStudyPlanForm(forms.Form):
    """Plan visits: which of the left-behind members, who goes, by when."""

    members = forms.ModelMultipleChoiceField(
        label="送学对象", queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    visitor = forms.ModelChoiceField(label="送学人员", queryset=None, empty_label="请选择送学人员")
    due = forms.DateField(label="完成期限", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="送学要求（可选）", max_length=200, required=False, help_text="如：带学会议精神、党章相关章节")

    def __init__(self, *args: Any, members: Any, visitors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].error_messages.update(
            required="请选择要送学上门的党员。", invalid_choice="所选党员不在本期“一个不掉队”名单中。"
        )
        self.fields["visitor"].queryset = visitors
        self.fields["visitor"].error_messages.update(
            required="请选择送学人员。", invalid_choice="送学人员应是本组织的党员或书记、党务工作者。"
        )
        self.fields["visitor"].label_from_instance = lambda u: str(u)
        self.fields["due"].error_messages.update(required="请填写完成期限。", invalid="请输入有效的日期。")

    def clean_note(self) -> str:
        return clean_text(self.cleaned_data["note"])


class HomeStudyPlanCompleteForm(forms.Form):
    """Report a planned visit done: when and what was studied."""

    date = forms.DateField(label="送学日期", widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label="学习内容", max_length=200)
    notes = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages.update(required="请填写送学日期。", invalid="请输入有效的日期。")
        self.fields["topic"].error_messages.update(required="请填写学习内容。")

    def clean_topic(self) -> str:
        return clean_text(self.cleaned_data["topic"])
