"""Writes of projects and the consultation hall: bulletins, opinions, deliberations.

Who runs a project: the town admin and those who manage its leading organization (its subtree's
secretaries). The public writes only opinions, rate-limited per client and hidden until a person
has read them (moderation). Each function is one atomic service.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError, RateLimited, refuse_over_hourly_limit  # noqa: F401 (RateLimited: callers catch it here)
from qiangji.core.public import receipt_code
from qiangji.core.text import clean_text
from qiangji.core.validators import normalize_phone
from qiangji.council.models import Bulletin, Deliberation, Milestone, Opinion, OpinionEvent, Project

ACTION_LABELS = {"evaluate": "转入研究", "accept": "采纳", "decline": "不予采纳", "answer": "答复"}


def runs_project(user: Any, project: Project) -> bool:
    scope = get_scope(user)
    return scope.superuser or scope.has_role(TOWN_ADMIN) or scope.covers(project.organization.path, "manage")


def _require(user: Any, project: Project) -> None:
    if not runs_project(user, project):
        raise PermissionDenied("您无权管理该项目")


@transaction.atomic
def milestone_done(*, milestone: Milestone, by: Any, on: dt.date) -> Milestone:
    """Mark a milestone done; the project's progress is the share of milestones done."""
    project = milestone.project
    _require(by, project)
    if on > timezone.localdate():
        raise DomainError("完成日期不能晚于今天", field="done_on")
    milestone.done_on = on
    milestone.save(update_fields=["done_on"])
    total = project.milestones.count()
    done = project.milestones.exclude(done_on=None).count()
    project.progress = round(100 * done / total) if total else 0
    if project.state == Project.State.PLANNING:
        project.state = Project.State.IN_PROGRESS
    if done == total:
        project.state = Project.State.COMPLETED
    project.save(update_fields=["progress", "state"])
    return milestone


@transaction.atomic
def bulletin_publish(*, project: Project, by: Any, title: str, body: str) -> Bulletin:
    """Publish a progress bulletin: it is public at once, with the project's progress of today."""
    _require(by, project)
    title, body = clean_text(title), (body or "").strip()
    if not title:
        raise DomainError("请填写通报标题", field="title")
    if len(body) < 10:
        raise DomainError("通报正文至少10个字", field="body")
    return Bulletin.objects.create(
        project=project, title=title, body=body, progress=project.progress, published_at=timezone.now(), published_by=by
    )


@transaction.atomic
def opinion_submit(
    *, bulletin: Bulletin, data: Mapping[str, Any], client_key: str = "", author: Any = None, now: dt.datetime | None = None
) -> Opinion:
    """An opinion from the public page (or a logged-in member); name and phone are optional."""
    now = now or timezone.now()
    if bulletin.published_at is None:
        raise DomainError("该通报尚未发布")
    if client_key:
        refuse_over_hourly_limit(
            Opinion.objects.filter(client_key=client_key),
            client_key=client_key,
            now=now,
            limit=settings.COUNCIL_OPINIONS_PER_HOUR,
            message="提交过于频繁，请一小时后再试",
        )
    content = (data.get("content") or "").strip()
    if len(content) < 5:
        raise DomainError("请把意见写清楚（至少5个字）", field="content")
    if len(content) > 1000:
        raise DomainError("意见不超过1000字", field="content")
    phone = clean_text(data.get("phone"))
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as error:
            raise DomainError(error.messages[0], field="phone") from None
    opinion = Opinion.objects.create(
        bulletin=bulletin,
        content=content,
        author_name=clean_text(data.get("author_name"))[:50],
        phone=phone,
        author=author if getattr(author, "is_authenticated", False) else None,
        client_key=client_key,
        receipt=receipt_code("YJ"),
    )
    OpinionEvent.objects.create(opinion=opinion, action="submit", to_state=opinion.state, by=opinion.author)
    return opinion


@transaction.atomic
def opinion_moderate(*, opinion: Opinion, by: Any, show: bool) -> Opinion:
    """Show the opinion on the public page, or keep it off it."""
    _require(by, opinion.bulletin.project)
    opinion.moderation = Opinion.Moderation.SHOWN if show else Opinion.Moderation.HIDDEN
    opinion.save(update_fields=["moderation"])
    OpinionEvent.objects.create(
        opinion=opinion, action="show" if show else "hide", from_state=opinion.state, to_state=opinion.state, by=by
    )
    return opinion


@transaction.atomic
def opinion_move(*, opinion: Opinion, by: Any, action: str, note: str = "") -> Opinion:
    """evaluate, accept, decline (with the reason) or answer (with the published answer)."""
    if action not in Opinion.TRANSITIONS:
        raise DomainError("未知的操作")
    opinion = Opinion.objects.select_for_update().select_related("bulletin__project__organization").get(pk=opinion.pk)
    _require(by, opinion.bulletin.project)
    sources, target = Opinion.TRANSITIONS[action]
    if opinion.state not in sources:
        raise DomainError(f"该意见{opinion.get_state_display()}，不能{ACTION_LABELS[action]}")
    note = (note or "").strip()
    if action in ("decline", "answer") and not note:
        raise DomainError("请填写答复内容" if action == "answer" else "请填写不予采纳的理由", field="note")
    before = opinion.state
    opinion.state = target
    if action == "answer":
        opinion.answer, opinion.answered_by, opinion.answered_at = note, by, timezone.now()
    opinion.save()
    OpinionEvent.objects.create(opinion=opinion, action=action, from_state=before, to_state=target, by=by, note=note)
    return opinion


@transaction.atomic
def deliberation_record(*, project: Project, by: Any, data: Mapping[str, Any]) -> Deliberation:
    """A council session on a difficulty: topic, date, who took part, what was agreed."""
    _require(by, project)
    topic, attendees, outcome = (clean_text(data.get(k)) for k in ("topic", "attendees", "outcome"))
    held_on = data.get("held_on")
    for value, field, label in ((topic, "topic", "议题"), (attendees, "attendees", "参加人员"), (outcome, "outcome", "议定事项")):
        if not value:
            raise DomainError(f"请填写{label}", field=field)
    if not held_on:
        raise DomainError("请填写议事日期", field="held_on")
    if held_on > timezone.localdate():
        raise DomainError("议事日期不能晚于今天", field="held_on")
    return Deliberation.objects.create(
        project=project,
        topic=topic,
        held_on=held_on,
        place=clean_text(data.get("place")),
        attendees=attendees,
        outcome=outcome,
        created_by=by,
    )


def _outcome_text(deliberation: Deliberation) -> str:
    """What the ledger keeps of a session: the project, the date, the difficulty and what was agreed."""
    project = deliberation.project
    return f"{project.name}议事会（{deliberation.held_on:%Y年%m月%d日}）：{deliberation.topic}。议定：{deliberation.outcome}"


def _require_unconverted(deliberation: Deliberation) -> None:
    # An outcome goes to the ledger once, as one thing: a second entry would count it twice.
    if deliberation.problem_id:
        raise DomainError("该议事结果已登记为问题")
    if deliberation.measure_id:
        raise DomainError("该议事结果已转为整改措施")


@transaction.atomic
def deliberation_to_problem(*, deliberation: Deliberation, by: Any, owner: Any, deadline: dt.date) -> Any:
    """Register the session's outcome as a problem in the ledger (source: 走访座谈), once."""
    from qiangji.ledger.models import Problem
    from qiangji.ledger.services import problem_register

    deliberation = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
    _require(by, deliberation.project)
    _require_unconverted(deliberation)
    project = deliberation.project
    problem = problem_register(
        by=by,
        data={
            "source": Problem.Source.VISIT_TALK,
            "organization": project.organization,
            "village": project.village,
            "description": _outcome_text(deliberation),
            "owner": owner,
            "deadline": deadline,
        },
    )
    deliberation.problem = problem
    deliberation.save(update_fields=["problem"])
    return problem


@transaction.atomic
def deliberation_to_measure(
    *, deliberation: Deliberation, problem: Any, by: Any, owner: Any, deadline: dt.date | None, today: dt.date | None = None
) -> Any:
    """Add the session's outcome as a rectification measure of an open problem already in the
    ledger (the session agreed how to fix it), once. The ledger's own rules then apply: the
    problem must be open, the user must be allowed to add measures to it, owner and deadline
    must be valid; its refusals propagate unchanged."""
    from qiangji.ledger.services.measures import measure_add

    deliberation = Deliberation.objects.select_for_update().select_related("project__organization").get(pk=deliberation.pk)
    project = deliberation.project
    _require(by, project)
    _require_unconverted(deliberation)
    if problem is None:
        raise DomainError("请选择问题", field="problem")
    # A project speaks for its own organization tree: its session does not fix other units' problems.
    if not problem.organization.path.startswith(project.organization.path):
        raise DomainError("只能添加到本项目所属党组织的问题", field="problem")
    measure = measure_add(
        by=by,
        data={"description": _outcome_text(deliberation), "owner": owner, "deadline": deadline},
        problem=problem,
        today=today,
    )
    deliberation.measure = measure
    deliberation.save(update_fields=["measure"])
    return measure


# Projects, milestones and roles ----------------------------------------------------------------

PROJECT_FIELDS = Project.EDIT_FIELDS


def _project_values(by: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: data.get(k) for k in PROJECT_FIELDS}
    values["name"], values["category"] = clean_text(values["name"]), clean_text(values["category"]) or "和美乡村（五好两宜）"
    values["description"] = (values["description"] or "").strip()
    if not values["name"]:
        raise DomainError("请填写项目名称", field="name")
    if len(values["description"]) < 10:
        raise DomainError("项目内容至少10个字", field="description")
    organization = values["organization"]
    if organization is None:
        raise DomainError("请选择牵头党组织", field="organization")
    scope = get_scope(by)
    if not (scope.superuser or scope.has_role(TOWN_ADMIN) or scope.covers(organization.path, "manage")):
        raise PermissionDenied("只能为本单位及下级党组织设立项目")
    if values["started_on"] and values["target_on"] and values["target_on"] < values["started_on"]:
        raise DomainError("计划完成日期不能早于开始日期", field="target_on")
    values["state"] = values["state"] or Project.State.PLANNING
    return values


@transaction.atomic
def project_create(*, by: Any, data: Mapping[str, Any]) -> Project:
    """Set up a pilot project led by an organization the author manages."""
    return Project.objects.create(**_project_values(by, data))


@transaction.atomic
def project_update(*, project: Project, by: Any, data: Mapping[str, Any], expected_version: int | None = None) -> Project:
    """Change a project's facts; progress stays the milestones' to compute.

    `expected_version`: the version the editor read; a later one (an edit, or a milestone that
    moved the state) raises StaleEdit."""
    _require(by, project)  # before the lock: a refusal must not show the project's current values
    lock_current(project, expected_version)
    values = _project_values(by, data)
    for key, value in values.items():
        setattr(project, key, value)
    project.save()
    return project


def _recompute_progress(project: Project) -> None:
    total = project.milestones.count()
    done = project.milestones.exclude(done_on=None).count()
    project.progress = round(100 * done / total) if total else 0
    if done and done == total:
        project.state = Project.State.COMPLETED
    elif project.state == Project.State.COMPLETED:
        project.state = Project.State.IN_PROGRESS
    project.save(update_fields=["progress", "state"])


@transaction.atomic
def milestone_add(*, project: Project, by: Any, title: str, due_on: dt.date | None) -> Milestone:
    """A new step of the project; a project with one more step to do is no longer complete."""
    _require(by, project)
    title = clean_text(title)
    if not title:
        raise DomainError("请填写节点名称", field="title")
    if due_on is None:
        raise DomainError("请填写计划日期", field="due_on")
    order = (project.milestones.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    milestone = Milestone.objects.create(project=project, title=title[:200], due_on=due_on, order=order)
    _recompute_progress(project)
    return milestone


@transaction.atomic
def project_role_assign(*, project: Project, by: Any, member: Any, role: str) -> Any:
    """Give a member of the leading organization's subtree a vanguard role (宣传员/调解员/监督员)."""
    from qiangji.council.models import ProjectRole

    _require(by, project)
    if role not in ProjectRole.Role.values:
        raise DomainError("请选择角色", field="role")
    if member is None or not member.organization.path.startswith(project.organization.path):
        raise DomainError("只能选择牵头党组织及其下级组织的党员", field="member")
    if ProjectRole.objects.filter(project=project, member=member, role=role).exists():
        raise DomainError(f"{member.name}已是本项目的{ProjectRole.Role(role).label}", field="member")
    return ProjectRole.objects.create(project=project, member=member, role=role)


@transaction.atomic
def project_role_remove(*, role: Any, by: Any) -> None:
    _require(by, role.project)
    role.delete()
