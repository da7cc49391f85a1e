"""Writes on work plans. The filing page (and any later API) call these."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qiangji.accounts.models import RoleGrant, User
from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.concurrency import refuse_stale
from qiangji.core.errors import DomainError
from qiangji.notifications.services import notification_send
from qiangji.orgs.models import Organization
from qiangji.plans.models import TermReminder, WorkPlan


@transaction.atomic
def workplan_file(
    *,
    organization: Organization,
    year: int,
    by: Any,
    title: str,
    text: str = "",
    file: Any = None,
    expected_version: int | None = None,
) -> WorkPlan:
    """File (or file again) an organization's plan for a year; a re-filed plan replaces the old one.

    `expected_version`: the version of the plan the filer saw (0: there was none); a plan filed
    or returned since raises StaleEdit instead of being replaced unseen."""
    if not get_scope(by).covers(organization.path, "manage"):
        raise DomainError("只能为本人管理的党组织备案工作计划", field="organization")
    if organization.dissolved_on:
        raise DomainError("该党组织已撤销", field="organization")
    if organization.kind == Organization.Kind.GROUP:
        raise DomainError("党小组不单独备案工作计划", field="organization")
    text = (text or "").strip()
    plan = WorkPlan.objects.select_for_update().filter(organization=organization, year=year).first()
    if plan is not None:
        refuse_stale(plan, expected_version)
    if not text and not file and not (plan and plan.file):
        raise DomainError("请填写计划内容或上传计划文件")
    if plan is None:
        plan = WorkPlan(organization=organization, year=year)
    plan.title = title.strip()
    plan.text = text
    if file:
        old = plan.file.name if plan.file else ""
        plan.file_name = file.name[:255]
        plan.file.save(file.name, file, save=False)
        if old:  # the replaced file goes once the new one is committed
            storage = plan.file.storage
            transaction.on_commit(lambda: storage.delete(old))
    plan.status = WorkPlan.Status.FILED
    plan.comment = ""
    plan.returned_by = None
    plan.returned_at = None
    plan.filed_by = by
    plan.filed_at = timezone.now()
    plan.save()
    return plan


@transaction.atomic
def workplan_return(*, plan: WorkPlan, by: Any, comment: str) -> WorkPlan:
    """The town returns a plan for rework; the filer is told in the inbox.

    A state move: the row is locked and reloaded, so a return and a re-filing at once do not
    cross (the return reads the plan as it is now)."""
    plan = refuse_stale(WorkPlan.objects.select_for_update().select_related("organization").get(pk=plan.pk), None)
    scope = get_scope(by)
    if not (scope.has_role(TOWN_ADMIN) and scope.covers(plan.organization.path, "manage")):
        raise DomainError("只有镇党委管理员可以退回工作计划")
    if plan.status != WorkPlan.Status.FILED:
        raise DomainError("该计划已退回，等待重新备案")
    comment = comment.strip()
    if not comment:
        raise DomainError("请填写退回意见", field="comment")
    plan.status = WorkPlan.Status.RETURNED
    plan.comment = comment
    plan.returned_by = by
    plan.returned_at = timezone.now()
    plan.save(update_fields=["status", "comment", "returned_by", "returned_at"])
    if plan.filed_by is not None:
        notification_send(
            recipients=[plan.filed_by],
            title=f"{plan.organization.name}{plan.year}年工作计划被退回",
            body=f"退回意见：{comment}",
            link=reverse("plans:detail", args=[plan.pk]),
            kind="plan_returned",
            key=f"plan_returned:{plan.pk}:{plan.returned_at.isoformat()}",
            organization=plan.organization,
        )
    return plan


# Term reminders ---------------------------------------------------------------------------

TERM_STAGES = {
    "ends_6m": TermReminder.Stage.SIX_MONTHS,
    "ends_1m": TermReminder.Stage.ONE_MONTH,
    "expired": TermReminder.Stage.EXPIRED,
}


def term_reminder_recipients(organization: Organization) -> list[Any]:
    """Who hears about a term: the secretaries nearest the organization (on it, or else on the
    closest organization above it that has one), the town admins above it, and the members of
    the liaison groups that contact it or an organization above it."""
    chain = [*organization.ancestor_ids, organization.pk]
    grants = list(
        RoleGrant.objects.filter(organization_id__in=chain, role__in=[RoleGrant.Role.SECRETARY, RoleGrant.Role.TOWN_ADMIN])
        .select_related("user")
        .order_by("pk")
    )
    users = [g.user for g in grants if g.role == RoleGrant.Role.TOWN_ADMIN]
    for org_id in reversed(chain):
        secretaries = [g.user for g in grants if g.role == RoleGrant.Role.SECRETARY and g.organization_id == org_id]
        if secretaries:
            users += secretaries
            break
    users += list(User.objects.filter(liaison_groups__organizations__in=chain).distinct())
    return users


def term_reminder_text(organization: Organization, stage: str) -> tuple[str, str]:
    end = f"{organization.term_end:%Y年%-m月%-d日}"
    if stage == TermReminder.Stage.EXPIRED:
        return f"{organization.name}已届满", f"{organization.name}本届任期已于{end}届满，请及时组织换届，换届后更新任期。"
    within = "1个月" if stage == TermReminder.Stage.ONE_MONTH else "6个月"
    return (
        f"{organization.name}将于{within}内届满",
        f"{organization.name}本届任期将于{end}届满，请提前做好换届准备。",
    )


def term_reminders_send(*, today: dt.date) -> list[TermReminder]:
    """Send every term reminder due on `today` that was not sent yet; returns those sent now.

    Catch-up by design: it reads the stage each term is in today, so a run that comes late or
    after a gap still sends it, and the unique (organization, term end, stage) row means a second
    run sends nothing. A stage passed while nothing ran (6 months, now 1) is not sent late: the
    current one says more. A new term (a new end date) starts afresh.
    """
    sent = []
    for organization in Organization.objects.term_ending(today=today, months=6).order_by("term_end", "path"):
        stage = TERM_STAGES.get(organization.term_status(today))
        if stage is None:
            continue
        with transaction.atomic():
            reminder, created = TermReminder.objects.get_or_create(
                organization=organization, term_end=organization.term_end, stage=stage, defaults={"sent_on": today}
            )
            if not created:
                continue
            title, body = term_reminder_text(organization, stage)
            delivered = notification_send(
                recipients=term_reminder_recipients(organization),
                title=title,
                body=body,
                link=reverse("orgs:detail", args=[organization.pk]),
                kind="term_reminder",
                key=f"term:{organization.pk}:{organization.term_end.isoformat()}:{stage}",
                organization=organization,
            )
            reminder.recipient_count = len(delivered)
            reminder.save(update_fields=["recipient_count"])
        sent.append(reminder)
    return sent
