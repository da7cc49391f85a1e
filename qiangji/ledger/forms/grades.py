"""Forms of the grading (晋位升级) and rectification plan (一支部一方案) pages.

They check the shape of the input; the rules (who may, which states) stay in the services.
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from qiangji.core.concurrency import VersionedForm
from qiangji.core.text import clean_text
from qiangji.ledger.models import GradeLevel


def owner_choices(organization: Any) -> QuerySet:
    """Who can be responsible for an item: active users granted a role in the organization's subtree
    or above it, and the organization's members who have an account."""
    ancestors = _ancestor_paths(organization.path)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(grants__organization__path__startswith=organization.path)
            | Q(grants__organization__path__in=ancestors)
            | Q(member__organization__path__startswith=organization.path)
        )
        .distinct()
        .order_by("display_name", "username")
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


class GradeForm(forms.Form):
    """One organization's grade for the year, as a row of the grading page."""

    level = forms.ModelChoiceField(
        label="等次",
        queryset=GradeLevel.objects.filter(active=True),
        empty_label="请选择等次",
        error_messages={"required": "请选择等次", "invalid_choice": "请选择启用中的等次"},
    )
    note = forms.CharField(label="评定说明", max_length=200, required=False)


class GradeLevelForm(VersionedForm):
    """A grade of the town's list."""

    name = forms.CharField(label="等次名称", max_length=10)
    rank = forms.IntegerField(label="排序（1为最好）", min_value=1, max_value=99)
    needs_plan = forms.BooleanField(label="需制定整改方案（一支部一方案）", required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def clean_name(self) -> str:
        return clean_text(self.cleaned_data["name"])


class PlanForm(VersionedForm):
    """The text of a rectification plan; its items are added one by one on the plan page."""

    title = forms.CharField(
        label="方案名称", max_length=100, required=False, help_text="不填则按“党组织名称+年度+整改提升方案”命名"
    )
    analysis = forms.CharField(label="问题分析", widget=forms.Textarea(attrs={"rows": 5}))
    goals = forms.CharField(label="整改目标", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlanItemForm(forms.Form):
    """One item (整改措施) of a plan: what, who, by when."""

    description = forms.CharField(label="措施内容", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label="责任人", queryset=get_user_model().objects.none(), empty_label="请选择责任人")
    deadline = forms.DateField(label="完成时限", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(organization)


class ProgressForm(forms.Form):
    """The owner's report on an item: how far, and what was done."""

    progress = forms.IntegerField(label="进度（%）", min_value=0, max_value=100)
    progress_note = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 2}))


class CheckForm(forms.Form):
    """The liaison group's check of a done item; a failed check needs its reason."""

    passed = forms.TypedChoiceField(
        label="验收结果",
        choices=[("1", "验收通过"), ("0", "验收不通过，退回整改")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    check_note = forms.CharField(label="验收意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)
