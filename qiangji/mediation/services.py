"""Writes of mediation: take in a case, record sittings, move it to an agreement (or none) and
close it after the follow-up visit. Those who manage the studio's organization (and the town
admin) run its cases. Each function is one atomic service."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text
from qiangji.mediation.models import CaseEvent, MediationCase, MediationSession, MediationStudio, Mediator

ACTION_LABELS = {"start": "开始调解", "agree": "登记协议", "fail": "登记未达成", "resume": "重新调解", "close": "回访结案"}
# What each step must be told, and where it is kept.
NEEDS = {
    "agree": ("agreement", "请填写协议内容"),
    "fail": ("failure_reason", "请填写未达成协议的原因"),
    "close": ("follow_up", "请填写回访情况"),
}


def runs_studio(user: Any, studio: MediationStudio) -> bool:
    scope = get_scope(user)
    return scope.superuser or scope.has_role(TOWN_ADMIN) or scope.covers(studio.organization.path, "manage")


def _check_date(on: dt.date, after: dt.date, label: str) -> None:
    if on > timezone.localdate():
        raise DomainError(f"{label}不能晚于今天", field="on")
    if on < after:
        raise DomainError(f"{label}不能早于受理日期", field="on")


@transaction.atomic
def case_open(*, studio: MediationStudio, by: Any, data: Mapping[str, Any], mediators: Iterable[Mediator] = ()) -> MediationCase:
    """Take in a dispute (受理); its number is the year and a running count: 2026-007."""
    if not runs_studio(by, studio):
        raise PermissionDenied("您无权为该工作室受理案件")
    parties, dispute = clean_text(data.get("parties")), (data.get("dispute") or "").strip()
    if not parties:
        raise DomainError("请填写当事人", field="parties")
    if len(dispute) < 5:
        raise DomainError("请把纠纷事由写清楚（至少5个字）", field="dispute")
    opened_on = data.get("opened_on") or timezone.localdate()
    if opened_on > timezone.localdate():
        raise DomainError("受理日期不能晚于今天", field="opened_on")
    mediators = list(mediators)
    if any(m.studio_id != studio.pk or not m.active for m in mediators):
        raise DomainError("承办调解员应为本工作室在册调解员", field="mediators")
    year = opened_on.year
    last = (
        MediationCase.objects.select_for_update()
        .filter(number__startswith=f"{year}-")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    case = MediationCase.objects.create(
        studio=studio,
        number=f"{year}-{int(last.split('-')[1]) + 1 if last else 1:03d}",
        project=data.get("project"),
        parties=parties,
        dispute=dispute,
        category=clean_text(data.get("category")),
        opened_on=opened_on,
        created_by=by,
    )
    case.mediators.set(mediators)
    CaseEvent.objects.create(case=case, action="open", to_state=case.state, on=opened_on, by=by)
    return case


@transaction.atomic
def case_session_record(
    *, case: MediationCase, by: Any, held_on: dt.date, notes: str, mediators: Iterable[Mediator] = ()
) -> MediationSession:
    """A sitting of an open case; the first sitting of an accepted case starts the mediation."""
    case = MediationCase.objects.select_for_update().select_related("studio__organization").get(pk=case.pk)
    if not runs_studio(by, case.studio):
        raise PermissionDenied("您无权办理该案件")
    if case.state not in (MediationCase.State.ACCEPTED, MediationCase.State.MEDIATING):
        raise DomainError(f"案件{case.get_state_display()}，不能再登记调解")
    _check_date(held_on, case.opened_on, "调解日期")
    notes = (notes or "").strip()
    if not notes:
        raise DomainError("请填写调解情况", field="notes")
    session = MediationSession.objects.create(case=case, held_on=held_on, notes=notes)
    session.mediators.set(list(mediators))
    if case.state == MediationCase.State.ACCEPTED:
        _move(case, "start", by, held_on, "")
    return session


def _move(case: MediationCase, action: str, by: Any, on: dt.date, note: str) -> None:
    before = case.state
    case.state = MediationCase.TRANSITIONS[action][1]
    case.save()
    CaseEvent.objects.create(case=case, action=action, from_state=before, to_state=case.state, on=on, by=by, note=note)


@transaction.atomic
def case_move(*, case: MediationCase, by: Any, action: str, note: str = "", on: dt.date | None = None) -> MediationCase:
    """start, agree (the agreement), fail (why), resume, close (the follow-up visit)."""
    if action not in MediationCase.TRANSITIONS:
        raise DomainError("未知的操作")
    case = MediationCase.objects.select_for_update().select_related("studio__organization").get(pk=case.pk)
    if not runs_studio(by, case.studio):
        raise PermissionDenied("您无权办理该案件")
    sources, _ = MediationCase.TRANSITIONS[action]
    if case.state not in sources:
        raise DomainError(f"案件{case.get_state_display()}，不能{ACTION_LABELS[action]}")
    on = on or timezone.localdate()
    _check_date(on, case.opened_on, "日期")
    note = (note or "").strip()
    if action in NEEDS:
        field, message = NEEDS[action]
        if not note:
            raise DomainError(message, field="note")
        setattr(case, field, note)
    if action in ("agree", "fail") and not case.sessions.exists():
        raise DomainError("请先登记至少一次调解记录")
    if action == "close":
        case.closed_on = on
    _move(case, action, by, on, note)
    return case
