"""Writes on problems: register, analyse, every state transition, overdue escalation.

Each public function is one atomic service; the pages, the API, the import and the escalation
command call them. A refused step raises DomainError (a rule: 409 in the API) or
PermissionDenied (not this user's to do: 403), and changes nothing.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qiangji.core.concurrency import refuse_stale
from qiangji.core.errors import DomainError
from qiangji.core.history import snapshot
from qiangji.ledger.models import Problem, ProblemAttachment, ProblemEvent
from qiangji.ledger.permissions import CHECK_ACTIONS, can_register, role_actions
from qiangji.notifications.services import notification_send

State = Problem.State
REGISTER_FIELDS = ("source", "organization", "village", "category", "description", "external_ref", "owner", "deadline")
UPDATE_FIELDS = ("source", "village", "category", "description", "external_ref")


def _link(problem: Problem) -> str:
    return reverse("ledger:problem_detail", args=[problem.pk])


def _notify(problem: Problem, recipients: Iterable[Any], title: str, key: str = "") -> None:
    notification_send(
        recipients=recipients,
        title=title,
        body=problem.headline,
        link=_link(problem),
        kind="problem",
        key=key,
        organization=problem.organization,
    )


def _event(problem: Problem, *, action: str, by: Any, before: str = "", reason: str = "", **data: Any) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        action=action,
        from_state=before,
        to_state=problem.state,
        by=by if getattr(by, "is_authenticated", False) else None,
        reason=reason,
        data=data,
    )


def _next_number(year: int) -> str:
    last = Problem.objects.filter(number__startswith=f"{year}-").order_by("-number").values_list("number", flat=True).first()
    return f"{year}-{int(last.split('-')[1]) + 1 if last else 1:04d}"


def _need(text: str, message: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message, field=field)
    return text


def _check_owner(owner: Any) -> None:
    if owner is None or not owner.is_active:
        raise DomainError("请选择在职的整改责任人", field="owner")


@transaction.atomic
def problem_register(
    *,
    by: Any,
    data: Mapping[str, Any],
    today: dt.date | None = None,
    files: Iterable[Any] = (),
    check_access: bool = True,
) -> Problem:
    """Register (挂号) a problem; its owner is told at once."""
    today = today or timezone.localdate()
    problem = Problem(**{k: v for k, v in data.items() if k in REGISTER_FIELDS}, registered_by=by, registered_on=today)
    organization = problem.organization
    if check_access and not can_register(by, organization):
        raise PermissionDenied("您无权为该党组织登记问题")
    if organization.dissolved_on and organization.dissolved_on < today:
        raise DomainError("该党组织已撤销，不能登记问题", field="organization")
    _check_owner(problem.owner)
    if problem.deadline < today:
        raise DomainError("整改期限不能早于挂号日期", field="deadline")
    _need(problem.description, "请填写问题描述", "description")
    if problem.external_ref and Problem.objects.filter(source=problem.source, external_ref=problem.external_ref).exists():
        raise DomainError(f"该来源下编号“{problem.external_ref}”的问题已挂号", field="external_ref")
    for attempt in range(5):
        problem.number = _next_number(today.year)
        try:
            with transaction.atomic():
                problem.save()
            break
        except IntegrityError:
            # Two registrations raced for the same number; take the next one.
            if attempt == 4:
                raise
    _event(problem, action="register", by=by, reason="", fields=snapshot(problem))
    for file in files:
        ProblemAttachment.objects.create(problem=problem, file=file, name=file.name[:255], uploaded_by=by)
    if problem.owner_id != getattr(by, "pk", None):
        _notify(
            problem,
            [problem.owner],
            f"新的问题整改任务：{problem.number}",
            key=f"problem:{problem.pk}:assigned:{problem.owner_id}",
        )
    return problem


def _allow(problem: Problem, by: Any, action: str, check_access: bool = True) -> None:
    if action in CHECK_ACTIONS and problem.owner_id == getattr(by, "pk", None):
        raise DomainError("验收人不能是整改责任人")
    if check_access and action not in role_actions(by, problem):
        raise PermissionDenied("您无权进行此项操作")
    if action in Problem.TRANSITIONS and problem.state not in Problem.TRANSITIONS[action][0]:
        raise DomainError(f"问题当前状态为“{problem.get_state_display()}”，不能{Problem.ACTION_LABELS[action]}")
    if action not in Problem.TRANSITIONS and not problem.is_open:
        raise DomainError(f"问题已{problem.get_state_display()[1:]}，不能{Problem.ACTION_LABELS[action]}")


def _move(problem: Problem, by: Any, action: str, *, reason: str = "", fields: Iterable[str] = (), **data: Any) -> Problem:
    before = problem.state
    problem.state = Problem.TRANSITIONS[action][1] or problem.state
    problem.save(update_fields=["state", "updated_at", *fields])
    _event(problem, action=action, by=by, before=before, reason=reason, **data)
    return problem


def _attach_evidence(problem: Problem, by: Any, files: Iterable[Any]) -> None:
    for file in files:
        ProblemAttachment.objects.create(problem=problem, file=file, name=file.name[:255], is_evidence=True, uploaded_by=by)


def _locked(problem: Problem) -> Problem:
    # Two people acting at once: the second sees the first one's state, never a stale copy.
    # Marked as locked, so its save counts the version without another query.
    return refuse_stale(Problem.objects.select_for_update().select_related("organization", "owner").get(pk=problem.pk), None)


@transaction.atomic
def problem_update(
    *,
    problem: Problem,
    by: Any,
    data: Mapping[str, Any],
    reason: str = "",
    check_access: bool = True,
    expected_version: int | None = None,
) -> Problem:
    """Correct what was registered (source, village, category, description, reference).

    `check_access=False`: the system itself (import_problems run from the command line).
    `expected_version`: the version the editor read; a later one raises StaleEdit."""
    problem = _locked(problem)
    _allow(problem, by, "update", check_access)
    refuse_stale(problem, expected_version)
    before = {k: getattr(problem, k) for k in UPDATE_FIELDS}
    for key in UPDATE_FIELDS:
        if key in data:
            setattr(problem, key, data[key])
    _need(problem.description, "请填写问题描述", "description")
    changed = {
        k: [str(before[k] or ""), str(getattr(problem, k) or "")] for k in UPDATE_FIELDS if before[k] != getattr(problem, k)
    }
    if not changed:
        return problem
    if (
        "external_ref" in changed
        and problem.external_ref
        and Problem.objects.filter(source=problem.source, external_ref=problem.external_ref).exclude(pk=problem.pk).exists()
    ):
        raise DomainError(f"该来源下编号“{problem.external_ref}”的问题已挂号", field="external_ref")
    problem.save()
    _event(problem, action="update", by=by, before=problem.state, reason=reason, changes=changed)
    return problem


@transaction.atomic
def problem_analyse(*, problem: Problem, by: Any, root_cause: str, fix_kind: str, expected_version: int | None = None) -> Problem:
    """Record the root cause and how it is fixed (即知即改 or 长效机制); `expected_version` as
    for problem_update."""
    problem = _locked(problem)
    _allow(problem, by, "analyse")
    refuse_stale(problem, expected_version)
    if fix_kind not in Problem.FixKind.values:
        raise DomainError("请选择整改类型：即知即改或长效机制", field="fix_kind")
    root_cause = _need(root_cause, "请填写原因分析", "root_cause")
    changes = {}
    if root_cause != problem.root_cause:
        changes["root_cause"] = [problem.root_cause, root_cause]
    if fix_kind != problem.fix_kind:
        changes["fix_kind"] = [problem.fix_kind, fix_kind]
    if not changes:
        return problem
    problem.root_cause, problem.fix_kind = root_cause, fix_kind
    problem.save(update_fields=["root_cause", "fix_kind", "updated_at"])
    _event(problem, action="analyse", by=by, before=problem.state, changes=changes)
    return problem


@transaction.atomic
def problem_start(*, problem: Problem, by: Any) -> Problem:
    """The owner takes the problem on (整改中)."""
    problem = _locked(problem)
    _allow(problem, by, "start")
    return _move(problem, by, "start")


@transaction.atomic
def problem_reassign(*, problem: Problem, by: Any, owner: Any, reason: str) -> Problem:
    """Give the problem to another responsible person (wrong owner, or a dispute upheld)."""
    problem = _locked(problem)
    _allow(problem, by, "reassign")
    reason = _need(reason, "请说明改派原因")
    _check_owner(owner)
    if owner.pk == problem.owner_id:
        raise DomainError("新责任人与原责任人相同", field="owner")
    old = problem.owner
    problem.owner = owner
    _move(problem, by, "reassign", reason=reason, fields=["owner"], owner=[str(old), str(owner)])
    _notify(problem, [owner], f"新的问题整改任务：{problem.number}", key=f"problem:{problem.pk}:assigned:{owner.pk}")
    return problem


@transaction.atomic
def problem_dispute(*, problem: Problem, by: Any, reason: str) -> Problem:
    """The owner contests the problem (not theirs, not a problem): it waits for those above."""
    problem = _locked(problem)
    _allow(problem, by, "dispute")
    reason = _need(reason, "请说明异议理由")
    _move(problem, by, "dispute", reason=reason)
    if problem.registered_by_id and problem.registered_by_id != by.pk:
        _notify(problem, [problem.registered_by], f"问题{problem.number}的责任人提出异议")
    return problem


@transaction.atomic
def problem_uphold(*, problem: Problem, by: Any, reason: str) -> Problem:
    """Those above answer a dispute: the problem stays with its owner."""
    problem = _locked(problem)
    _allow(problem, by, "uphold")
    reason = _need(reason, "请说明维持交办的理由")
    _move(problem, by, "uphold", reason=reason)
    _notify(problem, [problem.owner], f"问题{problem.number}的异议未被采纳，请继续整改")
    return problem


@transaction.atomic
def problem_submit(*, problem: Problem, by: Any, evidence: str, files: Iterable[Any] = ()) -> Problem:
    """The owner reports the fix done, with its evidence (text and files), for checking (待验收)."""
    problem = _locked(problem)
    _allow(problem, by, "submit")
    evidence = _need(evidence, "请填写整改情况及佐证", "evidence")
    if not problem.fix_kind:
        raise DomainError("请先完成原因分析并选择整改类型", field="fix_kind")
    pending = problem.measures.filter(state="open").count()
    if pending:
        raise DomainError(f"还有{pending}项整改措施未完成")
    problem.evidence = evidence
    _move(problem, by, "submit", reason=evidence, fields=["evidence"])
    _attach_evidence(problem, by, files)
    if problem.registered_by_id and problem.registered_by_id != by.pk:
        _notify(
            problem,
            [problem.registered_by],
            f"问题{problem.number}已提交验收",
            # Each submission is news, even two in one second: keyed by its own event.
            key=f"problem:{problem.pk}:submitted:{problem.events.latest('id').pk}",
        )
    return problem


@transaction.atomic
def problem_send_back(*, problem: Problem, by: Any, reason: str) -> Problem:
    """The checker finds the fix not done: back to the owner with the reason."""
    problem = _locked(problem)
    _allow(problem, by, "send_back")
    reason = _need(reason, "请说明退回原因")
    _move(problem, by, "send_back", reason=reason)
    _notify(problem, [problem.owner], f"问题{problem.number}验收未通过，已退回")
    return problem


def close_blocker(problem: Problem) -> str:
    """Why a problem whose analysis calls for a long-term mechanism may not be closed yet, or "".

    A long-term fix is only done when the mechanism exists and every measure has been checked by
    someone (RULES.md: nobody checks their own work), not merely reported done by its owner."""
    if problem.fix_kind != Problem.FixKind.LONG_TERM:
        return ""
    if not problem.mechanisms.exists():
        return "该问题需建立长效机制，请先关联长效机制再验收销号"
    unchecked = problem.measures.open().count()
    if unchecked:
        return f"还有{unchecked}项整改措施未验收，请先验收整改措施再销号"
    return ""


def _close(problem: Problem, by: Any, action: str, evidence: str, today: dt.date | None) -> Problem:
    problem.evidence = evidence
    problem.checked_by = by
    problem.closed_on = today or timezone.localdate()
    _move(problem, by, action, reason=evidence, fields=["evidence", "checked_by", "closed_on", "fix_kind"])
    _notify(problem, [problem.owner], f"问题{problem.number}已销号")
    return problem


@transaction.atomic
def problem_close(
    *, problem: Problem, by: Any, evidence: str = "", today: dt.date | None = None, files: Iterable[Any] = ()
) -> Problem:
    """Close (销号) a problem once its fix is checked by someone other than its owner."""
    problem = _locked(problem)
    _allow(problem, by, "close")
    blocker = close_blocker(problem)
    if blocker:
        raise DomainError(blocker)
    evidence = _need(evidence or problem.evidence, "销号须有整改成效及佐证", "evidence")
    _attach_evidence(problem, by, files)
    return _close(problem, by, "close", evidence, today)


@transaction.atomic
def problem_close_immediate(
    *, problem: Problem, by: Any, evidence: str, today: dt.date | None = None, files: Iterable[Any] = ()
) -> Problem:
    """An immediate fix (即知即改) closed with its evidence in the same step as it is checked."""
    problem = _locked(problem)
    _allow(problem, by, "close_immediate")
    evidence = _need(evidence, "销号须有整改成效及佐证", "evidence")
    if problem.fix_kind == Problem.FixKind.LONG_TERM:
        raise DomainError("需建立长效机制的问题不能即知即改销号，请按整改、验收流程办理")
    problem.fix_kind = Problem.FixKind.IMMEDIATE
    _attach_evidence(problem, by, files)
    return _close(problem, by, "close_immediate", evidence, today)


@transaction.atomic
def problem_merge(*, problem: Problem, by: Any, into: Problem, reason: str) -> Problem:
    """A duplicate (the same problem through another channel) becomes part of `into`."""
    problem = _locked(problem)
    _allow(problem, by, "merge")
    reason = _need(reason, "请说明合并原因")
    if into.pk == problem.pk:
        raise DomainError("不能合并到问题本身", field="into")
    if into.state in (State.MERGED, State.WITHDRAWN):
        raise DomainError(f"问题{into.number}已{into.get_state_display()[1:]}，不能作为合并目标", field="into")
    problem.merged_into = into
    _move(problem, by, "merge", reason=reason, fields=["merged_into"], into=into.number)
    _event(into, action="merge", by=by, before=into.state, reason=reason, merged=problem.number)
    return problem


@transaction.atomic
def problem_withdraw(*, problem: Problem, by: Any, reason: str) -> Problem:
    """Not a problem after all: withdrawn with the reason, kept in the ledger."""
    problem = _locked(problem)
    _allow(problem, by, "withdraw")
    reason = _need(reason, "请说明撤销原因")
    return _move(problem, by, "withdraw", reason=reason)


@transaction.atomic
def problem_reopen(*, problem: Problem, by: Any, reason: str) -> Problem:
    """A closed problem came back: it returns to its owner, its earlier closing stays in history."""
    problem = _locked(problem)
    _allow(problem, by, "reopen")
    reason = _need(reason, "请说明重新打开的原因")
    problem.closed_on = None
    problem.checked_by = None
    _move(problem, by, "reopen", reason=reason, fields=["closed_on", "checked_by"])
    _notify(problem, [problem.owner], f"问题{problem.number}已重新打开，请继续整改")
    return problem


@transaction.atomic
def problem_postpone(
    *,
    problem: Problem,
    by: Any,
    deadline: dt.date,
    reason: str,
    today: dt.date | None = None,
    check_access: bool = True,
) -> Problem:
    """Move the deadline, with the reason; overdue reminders then count from the new date.

    `check_access=False`: the system itself (import_problems run from the command line)."""
    problem = _locked(problem)
    _allow(problem, by, "postpone", check_access)
    reason = _need(reason, "请说明调整期限的原因")
    if deadline < (today or timezone.localdate()):
        raise DomainError("新的整改期限不能早于今天", field="deadline")
    if deadline == problem.deadline:
        raise DomainError("新的整改期限与原期限相同", field="deadline")
    old = problem.deadline
    problem.deadline = deadline
    problem.save(update_fields=["deadline", "updated_at"])
    _event(
        problem, action="postpone", by=by, before=problem.state, reason=reason, deadline=[old.isoformat(), deadline.isoformat()]
    )
    return problem


ACTIONS = {
    "start": problem_start,
    "reassign": problem_reassign,
    "dispute": problem_dispute,
    "uphold": problem_uphold,
    "submit": problem_submit,
    "send_back": problem_send_back,
    "close": problem_close,
    "close_immediate": problem_close_immediate,
    "merge": problem_merge,
    "withdraw": problem_withdraw,
    "reopen": problem_reopen,
    "postpone": problem_postpone,
}


def _liaison_people(problem: Problem) -> list[Any]:
    from qiangji.orgs.models import LiaisonGroup

    ids = [*problem.organization.ancestor_ids, problem.organization_id]
    people: dict[int, Any] = {}
    for group in LiaisonGroup.objects.filter(organizations__in=ids).select_related("leader").prefetch_related("members"):
        for user in [group.leader, *group.members.all()]:
            if user is not None:
                people[user.pk] = user
    return list(people.values())


def _town_admins() -> list[Any]:
    return list(get_user_model().objects.filter(grants__role="town_admin", is_active=True).distinct())


def problems_escalate(*, today: dt.date | None = None) -> dict[str, int]:
    """Tell the owner, then the liaison group, then the town about every overdue problem.

    Stages are read from the days overdue (settings.LEDGER_ESCALATION_DAYS), not from the day the
    job runs: after a gap the job sends every stage now due, and a key per stage and deadline
    means it never sends one twice. A new deadline starts the stages again.
    """
    today = today or timezone.localdate()
    owner_after, liaison_after, town_after = settings.LEDGER_ESCALATION_DAYS
    sent = {"owner": 0, "liaison": 0, "town": 0}
    overdue = Problem.objects.overdue(today).select_related("organization", "owner").order_by("deadline", "pk")
    admins: list[Any] | None = None  # read once, and only if some problem is that late
    for problem in overdue:
        days = (today - problem.deadline).days
        if days >= town_after and admins is None:
            admins = _town_admins()
        stages = (
            ("owner", owner_after, lambda p=problem: [p.owner], problem.headline),
            ("liaison", liaison_after, lambda p=problem: _liaison_people(p), f"{problem.organization}：{problem.headline}"),
            ("town", town_after, lambda a=admins: a or [], f"{problem.organization}：{problem.headline}"),
        )
        for stage, after, recipients, body in stages:
            if days < after:
                continue
            sent[stage] += len(
                notification_send(
                    recipients=recipients(),
                    title=f"问题{problem.number}已超期{days}天（期限{problem.deadline:%Y-%m-%d}）",
                    body=body,
                    link=_link(problem),
                    kind="problem_overdue",
                    key=f"problem:{problem.pk}:overdue:{problem.deadline.isoformat()}:{stage}",
                    organization=problem.organization,
                )
            )
    return sent
