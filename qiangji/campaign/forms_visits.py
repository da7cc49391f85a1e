"""Forms of the verify step: the visit form (phone first), the review, teams and the checklist.

The forms shape the input only; the rules (whose grid, which state, the card at a first visit,
a reason for an unfinished checklist) are the services' and come back as DomainError.
"""

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from qiangji.campaign.models import ChecklistItem, Entity, Visit, VisitTeam
from qiangji.campaign.services.care import ANSWER_MAX, NOTE_MAX, care_items
from qiangji.core.concurrency import VersionedForm
from qiangji.core.errors import DomainError
from qiangji.orgs.models import Grid

User = get_user_model()
FACT_PREFIX = "fact_"
YES_NO = [("", "不变"), ("true", "是"), ("false", "否")]


def _text(label: str, *, max_length: int = 200, rows: int = 0, widget: Any = None, **kwargs: Any) -> forms.CharField:
    widget = widget or (forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput())
    return forms.CharField(label=label, max_length=max_length, required=False, widget=widget, **kwargs)


class VisitForm(forms.Form):
    """One visit: the five musts as asked now, what was found, and the corrected facts (only
    the fields that differ from what the task shows)."""

    is_care = False

    client_uuid = forms.CharField(widget=forms.HiddenInput, required=False)
    visited_on = forms.DateField(label="走访日期", widget=forms.DateInput(attrs={"type": "date"}))
    checklist = forms.MultipleChoiceField(label="“五必须”完成情况", required=False, widget=forms.CheckboxSelectMultiple)
    found_exists = forms.TypedChoiceField(
        label="主体情况",
        choices=[("true", "正常经营"), ("false", "已注销、歇业或查无此户")],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        initial="true",
    )
    fact_name = _text("主体名称")
    fact_credit_code = _text("统一社会信用代码", max_length=30)
    fact_kind = forms.ChoiceField(label="主体类型", required=False, choices=[("", "不变"), *Entity.Kind.choices])
    fact_address = _text("经营地址")
    fact_person_in_charge = _text("负责人", max_length=50)
    fact_phone = _text("联系电话", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    fact_employees = forms.IntegerField(label="从业人员数", required=False, min_value=0)
    fact_party_members = forms.IntegerField(label="党员人数", required=False, min_value=0)
    fact_has_party_org = forms.ChoiceField(label="是否建立党组织", required=False, choices=YES_NO)
    party_members_found = forms.IntegerField(label="发现党员数", min_value=0, initial=0, required=False)
    wants_party_org = forms.BooleanField(label="有建立党组织意愿", required=False)
    needs = _text("诉求与需求", max_length=2000, rows=2)
    problems = _text("发现的问题", max_length=2000, rows=2, help_text="审核通过后可登记到问题清单")
    care_package = forms.BooleanField(label="已发放暖心加油包", required=False)
    card_number = _text("新连心服务卡编号", max_length=30)
    notes = _text("备注", max_length=2000, rows=2, help_text="“五必须”未全部完成时，请在此说明原因")

    def __init__(self, *args: Any, card_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = [(str(i.pk), i.label) for i in ChecklistItem.objects.filter(active=True)]
        self.fields["visited_on"].initial = timezone.localdate()
        if not self.is_bound and not self.initial.get("client_uuid"):
            # Made when the form opens: the browser keeps it with the draft, so the same visit
            # sent twice after a dropped connection is stored once.
            self.initial["client_uuid"] = str(uuid.uuid4())
        if card_required:
            self.fields["card_number"].help_text = "首次走访须发放服务卡并填写编号"
        self.card_required = card_required

    @property
    def fact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(FACT_PREFIX)]

    @property
    def facts_open(self) -> bool:
        return any(f.errors or f.value() not in (None, "") for f in self.fact_fields)

    def show_current(self, current: dict[str, str]) -> None:
        """Each correctable fact says what the task shows now, so only differences are typed."""
        for name in self.fields:
            if name.startswith(FACT_PREFIX):
                value = current.get(name[len(FACT_PREFIX) :])
                self.fields[name].help_text = f"现为：{value}" if value else "现为空"

    def clean_visited_on(self) -> dt.date:
        value = self.cleaned_data["visited_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("走访日期不能晚于今天")
        return value

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as visit_submit / visit_resubmit take it."""
        data = self.cleaned_data
        facts = {
            name[len(FACT_PREFIX) :]: data[name]
            for name in self.fields
            if name.startswith(FACT_PREFIX) and data.get(name) not in (None, "")
        }
        return {
            "visited_on": data["visited_on"],
            "checklist": data["checklist"],
            "facts": facts,
            "found_exists": data["found_exists"],
            "party_members_found": data.get("party_members_found") or 0,
            "wants_party_org": data["wants_party_org"],
            "needs": data["needs"],
            "problems": data["problems"],
            "care_package": data["care_package"],
            "card_number": data["card_number"],
            "notes": data["notes"],
        }

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field
        if field in Visit.FACT_FIELDS:
            field = FACT_PREFIX + field
        self.add_error(field if field in self.fields and field != "client_uuid" else None, error.message)

    @classmethod
    def initial_for(cls, visit: Visit) -> dict[str, Any]:
        """A recorded visit as the form's initial values (to correct a sent-back visit)."""
        labels = {item["label"] for item in visit.checklist if item.get("done")}
        initial: dict[str, Any] = {
            "visited_on": visit.visited_on,
            "checklist": [str(i.pk) for i in ChecklistItem.objects.filter(active=True) if i.label in labels],
            "found_exists": "true" if visit.found_exists else "false",
            "party_members_found": visit.party_members_found,
            "wants_party_org": visit.wants_party_org,
            "needs": visit.needs,
            "problems": visit.problems,
            "care_package": visit.care_package,
            "card_number": visit.card_number,
            "notes": visit.notes,
            "client_uuid": str(visit.client_uuid or ""),
        }
        for field, value in visit.facts.items():
            if field == "has_party_org":
                value = "true" if value else "false"
            initial[FACT_PREFIX + field] = value
        return initial


class CareVisitForm(VisitForm):
    """A care visit (三送三问回访): the three sends — each ticked with what was delivered — and
    the three asks — each answered — as the town defines them now, instead of the five musts
    and the corrected facts of a verify visit. The rules are the service's (services/care.py);
    `clean` says them field by field so that a phone shows each error where it belongs."""

    is_care = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n.startswith(FACT_PREFIX)] + ["checklist", "needs"]:
            del self.fields[name]
        self.fields["notes"].help_text = ""
        self.send_items, self.ask_items = care_items()
        for item in self.send_items:
            self.fields[f"send_{item.pk}"] = forms.BooleanField(label=f"已{item.label}", required=False, help_text=item.prompt)
            self.fields[f"send_{item.pk}_note"] = _text(
                f"{item.label}：送达内容", max_length=NOTE_MAX, rows=2, help_text="勾选后必填：送了什么、办了什么"
            )
        for item in self.ask_items:
            self.fields[f"ask_{item.pk}"] = _text(f"{item.label}：{item.prompt}" if item.prompt else item.label,
                                                  max_length=ANSWER_MAX, rows=2)  # fmt: skip

    @property
    def sends(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"send_{i.pk}"], self[f"send_{i.pk}_note"]) for i in self.send_items]

    @property
    def asks(self) -> list[forms.BoundField]:
        return [self[f"ask_{i.pk}"] for i in self.ask_items]

    @property
    def facts_open(self) -> bool:
        return False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("found_exists", True):
            return data
        for item in self.send_items:
            if data.get(f"send_{item.pk}") and not data.get(f"send_{item.pk}_note"):
                self.add_error(f"send_{item.pk}_note", f"已勾选“{item.label}”，请填写送达的内容")
        if self.send_items and not any(data.get(f"send_{i.pk}") for i in self.send_items):
            self.add_error(f"send_{self.send_items[0].pk}", "三送三问回访须至少送达一项，请勾选并填写送达的内容")
        for item in self.ask_items:
            if not data.get(f"ask_{item.pk}"):
                self.add_error(f"ask_{item.pk}", f"“{item.label}”未填写回答")
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {
            "visited_on": data["visited_on"],
            "found_exists": data["found_exists"],
            "party_members_found": data.get("party_members_found") or 0,
            "wants_party_org": data["wants_party_org"],
            "problems": data["problems"],
            "care_package": data["care_package"],
            "card_number": data["card_number"],
            "notes": data["notes"],
        }
        out["sends"] = [
            {"item": i.pk, "done": data.get(f"send_{i.pk}", False), "note": data.get(f"send_{i.pk}_note", "")}
            for i in self.send_items
        ]
        out["asks"] = [{"item": i.pk, "answer": data.get(f"ask_{i.pk}", "")} for i in self.ask_items]
        return out

    def add_domain_error(self, error: DomainError) -> None:
        if error.field in ("sends", "asks"):
            self.add_error(None, error.message)
        else:
            super().add_domain_error(error)

    @classmethod
    def initial_for(cls, visit: Visit) -> dict[str, Any]:
        """A recorded care visit as initial values, item by item by label (the town may have
        renamed an item since: that answer is then not carried over)."""
        initial = super().initial_for(visit)
        sends, asks = care_items()
        kept_sends = {s["label"]: s for s in visit.sends}
        kept_asks = {a["label"]: a for a in visit.asks}
        for item in sends:
            if item.label in kept_sends:
                initial[f"send_{item.pk}"] = kept_sends[item.label].get("done", False)
                initial[f"send_{item.pk}_note"] = kept_sends[item.label].get("note", "")
        for item in asks:
            if item.label in kept_asks:
                initial[f"ask_{item.pk}"] = kept_asks[item.label].get("answer", "")
        return initial


def visit_form_class(task: Any) -> type[VisitForm]:
    """The verify form, or the care form for a 三送三问 task."""
    return CareVisitForm if task.kind == task.Kind.CARE else VisitForm


class ReviewForm(forms.Form):
    """One review step; the service says which need a comment."""

    action = forms.ChoiceField(
        label="审核结果", choices=[("approve", "审核通过"), ("send_back", "退回修改"), ("reject", "不予采纳")]
    )
    comment = forms.CharField(label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProblemFromVisitForm(forms.Form):
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))


def user_choices() -> Any:
    return User.objects.filter(is_active=True).order_by("display_name", "username")


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.username}）"


class UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.username}）"


class TeamForm(VersionedForm):
    """A visiting team: three members chosen from the users, one of them the leader."""

    name = forms.CharField(label="队伍名称", max_length=50)
    grid = forms.ModelChoiceField(label="负责网格", queryset=Grid.objects.order_by("number"), empty_label="请选择网格")
    members = UsersChoice(label="队员", queryset=user_choices(), widget=forms.CheckboxSelectMultiple, required=False)
    leader = UserChoice(label="队长", queryset=user_choices(), required=False, empty_label="默认为第一名队员")
    active = forms.BooleanField(label="在岗", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Querysets are evaluated per form, so a user added a minute ago is offered.
        self.fields["members"].queryset = user_choices()
        self.fields["leader"].queryset = user_choices()

    @staticmethod
    def initial_for(team: VisitTeam) -> dict[str, Any]:
        return {
            "name": team.name,
            "grid": team.grid_id,
            "members": list(team.members.values_list("pk", flat=True)),
            "leader": team.leader_id,
            "active": team.active,
        }


class ChecklistItemForm(forms.Form):
    label = forms.CharField(label="事项内容", max_length=100)
