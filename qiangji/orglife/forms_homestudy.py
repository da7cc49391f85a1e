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
