"""Problem forms: register, one small form per step on the detail page, measures.

The forms only shape the input; the rules (who, which state, evidence, checker) are the
services' and come back as DomainError or PermissionDenied.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse

from qiangji.core.access import SECRETARY, TOWN_ADMIN
from qiangji.core.concurrency import VersionedForm
from qiangji.core.text import clean_text
from qiangji.ledger.models import Problem
from qiangji.orglife.models import validate_attachment
from qiangji.orgs.models import Organization, Village

User = get_user_model()
MAX_FILES = 10


def _lineage_ids(organizations: QuerySet[Organization] | list[Organization]) -> set[int]:
    ids: set[int] = set()
    for org in organizations:
        ids.add(org.pk)
        ids.update(org.ancestor_ids)
    return ids


def owner_candidates(organizations: QuerySet[Organization] | list[Organization]) -> QuerySet:
    """Who may be made responsible for a problem of these organizations: the secretaries of the
    organization and of those above it, the liaison groups that supervise them, town admins."""
    ids = _lineage_ids(organizations)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(grants__role__in=(SECRETARY, TOWN_ADMIN), grants__organization__in=ids)
            | Q(liaison_groups__organizations__in=ids)
            | Q(led_liaison_groups__organizations__in=ids)
        )
        .distinct()
        .order_by("display_name", "username")
    )


def can_own(user: Any, organization: Organization) -> bool:
    return owner_candidates([organization]).filter(pk=user.pk).exists()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents at once, each checked like a meeting attachment."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多上传{MAX_FILES}个文件。")
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for file in cleaned:
            validate_attachment(file)
        return cleaned


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProblemRegisterForm(forms.Form):
    """Register (挂号): the organization limited to those the user supervises, the owner to those
    who can act for it."""

    source = forms.ChoiceField(label="问题来源", choices=[("", "请选择"), *Problem.Source.choices])
    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none(), empty_label="请选择")
    village = forms.ModelChoiceField(label="所在村居", queryset=Village.objects.all(), required=False, empty_label="不涉及")
    category = forms.CharField(label="问题类别", max_length=30, required=False, help_text="如：阵地建设、党员管理、村务公开")
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    external_ref = forms.CharField(label="外部编号", max_length=50, required=False, help_text="如12345工单号、信访件编号")
    owner = forms.ModelChoiceField(label="整改责任人", queryset=User.objects.none(), empty_label="请选择")
    deadline = forms.DateField(label="整改期限", widget=_date_input())
    files = MultipleFileField(label="附件", help_text="可多选照片或文件")
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        organizations = Organization.objects.for_user(user).active().order_by("path")
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: "\u3000" * max(o.depth - 1, 0) + o.name
        self.fields["owner"].queryset = owner_candidates(list(organizations))
        # Possible duplicates are looked up while the description is typed (htmx, debounced).
        self.fields["description"].widget.attrs.update(
            {
                "maxlength": 2000,
                "hx-get": reverse("ledger:problem_similar"),
                # Typing through an input method may end without a keyup: listen for input too.
                "hx-trigger": "keyup changed delay:500ms, input changed delay:500ms, "
                "change from:#id_organization, change from:#id_village",
                "hx-include": "#id_organization, #id_village",
                "hx-target": "#problem-similar",
            }
        )

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_category(self) -> str:
        return clean_text(self.cleaned_data["category"])

    def clean_external_ref(self) -> str:
        return clean_text(self.cleaned_data["external_ref"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org, owner = data.get("organization"), data.get("owner")
        if org is not None and owner is not None and not can_own(owner, org):
            self.add_error("owner", f"{owner}不是{org.name}或其上级党组织的书记、联络组成员或镇管理员。")
        return data


class AnalyseForm(VersionedForm):
    root_cause = forms.CharField(label="原因分析", widget=forms.Textarea(attrs={"rows": 3}))
    fix_kind = forms.ChoiceField(label="整改类型", choices=Problem.FixKind.choices, widget=forms.RadioSelect)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, label: str = "理由", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(label="新责任人", queryset=User.objects.none(), empty_label="请选择")
    reason = forms.CharField(label="改派原因", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_candidates([problem.organization]).exclude(pk=problem.owner_id)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(label="整改情况及佐证", widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="佐证材料", help_text="可多选照片或文件")

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].required = required


class MergeForm(forms.Form):
    into = forms.CharField(label="合并到问题（编号）", max_length=20)
    reason = forms.CharField(label="合并原因", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["into"].widget.attrs.update({"list": "merge-candidates", "autocomplete": "off"})

    def clean_into(self) -> Problem:
        number = clean_text(self.cleaned_data["into"])
        target = Problem.objects.for_user(self.user).filter(number=number).first()
        if target is None:
            raise forms.ValidationError(f"没有找到编号为“{number}”的问题。")
        return target


class PostponeForm(forms.Form):
    deadline = forms.DateField(label="新的整改期限", widget=_date_input())
    reason = forms.CharField(label="调整原因", widget=forms.Textarea(attrs={"rows": 2}))


class UpdateForm(VersionedForm):
    """Correct what was registered; organization, owner and deadline have their own steps."""

    source = forms.ChoiceField(label="问题来源", choices=Problem.Source.choices)
    village = forms.ModelChoiceField(label="所在村居", queryset=Village.objects.all(), required=False, empty_label="不涉及")
    category = forms.CharField(label="问题类别", max_length=30, required=False)
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}))
    external_ref = forms.CharField(label="外部编号", max_length=50, required=False)
    reason = forms.CharField(label="修改说明", required=False)

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "source": problem.source,
                "village": problem.village_id,
                "category": problem.category,
                "description": problem.description,
                "external_ref": problem.external_ref,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_category(self) -> str:
        return clean_text(self.cleaned_data["category"])

    def clean_external_ref(self) -> str:
        return clean_text(self.cleaned_data["external_ref"])


class MeasureForm(forms.Form):
    description = forms.CharField(label="措施内容", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label="责任人", queryset=User.objects.none(), empty_label="请选择")
    deadline = forms.DateField(label="完成时限", widget=_date_input())

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_candidates([problem.organization])
        self.fields["owner"].initial = problem.owner_id
        self.fields["deadline"].initial = problem.deadline


class MeasureProgressForm(forms.Form):
    progress = forms.IntegerField(label="进度（%）", min_value=0, max_value=100)
    progress_note = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 2}))


class MeasureCheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="验收结论",
        choices=[("1", "通过"), ("0", "不通过")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    check_note = forms.CharField(label="验收意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS: dict[str, tuple[type[forms.Form], dict[str, Any]]] = {
    "start": (forms.Form, {}),
    "analyse": (AnalyseForm, {}),
    "reassign": (ReassignForm, {}),
    "dispute": (ReasonForm, {"label": "异议理由"}),
    "uphold": (ReasonForm, {"label": "维持交办的理由"}),
    "submit": (EvidenceForm, {}),
    "send_back": (ReasonForm, {"label": "退回原因"}),
    "close": (EvidenceForm, {"required": False}),
    "close_immediate": (EvidenceForm, {}),
    "merge": (MergeForm, {}),
    "withdraw": (ReasonForm, {"label": "撤销原因"}),
    "reopen": (ReasonForm, {"label": "重新打开的原因"}),
    "postpone": (PostponeForm, {}),
    "update": (UpdateForm, {}),
}


def action_form(action: str, problem: Problem, user: Any, data: Any = None, files: Any = None) -> forms.Form:
    """The small form of one step on `problem`, bound when `data` is given."""
    form_class, extra = ACTION_FORMS[action]
    kwargs = dict(extra)
    if form_class in (ReassignForm, UpdateForm):
        kwargs["problem"] = problem
    if form_class is MergeForm:
        kwargs["user"] = user
    if form_class is PostponeForm and data is None:
        kwargs["initial"] = {"deadline": problem.deadline + dt.timedelta(days=30)}
    if form_class is AnalyseForm and data is None:
        kwargs["initial"] = {"root_cause": problem.root_cause, "fix_kind": problem.fix_kind}
    if form_class is EvidenceForm and data is None and action == "close":
        kwargs["initial"] = {"evidence": problem.evidence}
    form = form_class(data, files, prefix=action, **kwargs)
    if isinstance(form, VersionedForm):
        form.instance = problem  # the version it carries is the problem's
    return form
