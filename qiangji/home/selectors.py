"""What each role must do next, read from live records in a fixed, small number of queries."""

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from qiangji.campaign.access import team_grid_ids
from qiangji.campaign.selectors_tasks import review_todo, visit_todos
from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, VISITOR, Scope, get_scope
from qiangji.core.nextactions import SHOWN_PER_ITEM, TodoItem, TodoLink
from qiangji.core.spreadsheets.selectors import imports_failed_todo
from qiangji.council.selectors import opinion_todo
from qiangji.ledger.selectors import (
    ledger_counts,
    plans_missing_todo,
    problems_escalated_todo,
    problems_overdue_todo,
    public_reports_todo,
)
from qiangji.liaison.selectors import liaison_todos
from qiangji.members.models import Member
from qiangji.members.selectors import probation_over_q
from qiangji.orglife.homestudy import home_study_due_for
from qiangji.orglife.selectors import meetings_due_todos, members_missed_todo
from qiangji.orgs.models import LiaisonGroup, Organization
from qiangji.orgs.selectors import ISSUE_LABELS, organizations_flagged
from qiangji.plans.selectors import organizations_not_filed

# (issue key, title, what to do, urgency): the order is the order of urgency on the page.
ORG_ATTENTION_ITEMS = (
    ("term_expired", "届期已满的党组织", "应及时换届，换届后更新任期", "danger"),
    ("term_1m", "1个月内届满的党组织", "抓紧做好换届准备", "warning"),
    ("term_6m", "6个月内届满的党组织", "提前谋划换届工作", "info"),
    ("no_secretary", "未配备书记的党支部", "在党员信息中设置书记", "danger"),
    ("too_few", "正式党员不足3名的党支部", "按规定调整组织设置或联合组建", "warning"),
    ("too_many", "党员超过50名的党支部", "考虑分设党支部或党小组", "info"),
    ("needs_committee", "正式党员7名以上未设支部委员会的党支部", "应设立支部委员会", "warning"),
)


def _org_link(org: Organization, key: str, scope: Scope) -> TodoLink:
    # Term dates and the committee flag are fixed on the edit page; the rest from the detail page.
    editable = key in ("term_expired", "term_1m", "term_6m", "needs_committee") and scope.covers(org.path, "manage")
    url = reverse("orgs:edit" if editable else "orgs:detail", args=[org.pk])
    if key.startswith("term_"):
        note = f"{org.term_end:%Y-%m-%d}届满"
    elif key in ("too_few", "needs_committee"):
        note = f"正式党员{org.full_count}名"
    elif key == "too_many":
        note = f"党员{org.member_count}名"
    else:
        note = ""
    return TodoLink(org.name, url, note)


def org_todos(*, user: Any, today: dt.date) -> list[TodoItem]:
    """Organization issues (RULES.md) in the user's scope: one query."""
    scope = get_scope(user)
    flagged = organizations_flagged(user=user, today=today)
    items = []
    for key, title, hint, level in ORG_ATTENTION_ITEMS:
        orgs = [o for o in flagged if key in o.issues]
        if not orgs:
            continue
        items.append(
            TodoItem(
                key=key,
                title=title,
                hint=hint,
                level=level,
                count=len(orgs),
                links=[_org_link(o, key, scope) for o in orgs[:SHOWN_PER_ITEM]],
                more_url=reverse("orgs:tree") + f"?issue={key}",
            )
        )
    return items


def probation_todo(*, user: Any, today: dt.date) -> TodoItem | None:
    """Probationary members whose year is over and who are not yet full members: two queries."""
    scope = get_scope(user)
    due = Member.objects.for_user(user).filter(probation_over_q(today))
    count = due.count()
    if not count:
        return None
    links = []
    for m in due.select_related("organization").order_by("joined_on", "pk")[:SHOWN_PER_ITEM]:
        can_edit = scope.covers(m.organization.path, "manage")
        url = reverse("members:edit" if can_edit else "members:detail", args=[m.pk])
        links.append(TodoLink(m.name, url, f"{m.organization.name}，{m.joined_on:%Y-%m-%d}入党"))
    return TodoItem(
        key="probation_over",
        title="预备期已满未办理转正的党员",
        hint="按期讨论转正，转正后更新人员类别和转正日期",
        level="warning",
        count=count,
        links=links,
        more_url=reverse("members:list") + "?flag=probation_over",
    )


def plan_todo(*, user: Any, today: dt.date) -> TodoItem | None:
    """Organizations that have not filed this year's work plan: one query."""
    rows = list(organizations_not_filed(user=user, year=today.year).values_list("pk", "name", "path"))
    if not rows:
        return None
    scope = get_scope(user)
    more = reverse("plans:index") + f"?year={today.year}"
    file_url = reverse("plans:create") + f"?year={today.year}&org="
    return TodoItem(
        key="plans_not_filed",
        title=f"{today.year}年工作计划未备案的党组织",
        hint="备案本年度工作计划",
        level="info",
        count=len(rows),
        links=[
            TodoLink(name, f"{file_url}{pk}" if scope.covers(path, "manage") else reverse("orgs:detail", args=[pk]))
            for pk, name, path in rows[:SHOWN_PER_ITEM]
        ],
        more_url=more,
    )


def problem_todos(*, user: Any, today: dt.date) -> list[TodoItem]:
    """Ledger problems waiting on the user: their own overdue ones and those they may close
    (awaiting check, not their own): two queries."""
    from qiangji.ledger.models import Problem
    from qiangji.ledger.permissions import problem_actions_for

    staff = get_scope(user).has_role(TOWN_ADMIN, SECRETARY, LIAISON)
    list_url = reverse("ledger:problem_list")
    items = []
    overdue = list(Problem.objects.filter(owner=user).overdue(today).select_related("organization").order_by("deadline", "pk"))
    if overdue:
        items.append(
            TodoItem(
                key="problems_overdue",
                title="我负责的超期问题",
                hint="抓紧整改到位，确需延期的请说明原因",
                level="danger",
                count=len(overdue),
                links=[
                    TodoLink(
                        p.headline, reverse("ledger:problem_detail", args=[p.pk]), f"{p.number}，已超期{p.days_overdue(today)}天"
                    )
                    for p in overdue[:SHOWN_PER_ITEM]
                ],
                more_url=f"{list_url}?mine=1&status=overdue" if staff else "",
            )
        )
    awaiting = (
        Problem.objects.for_user(user)
        .filter(state=Problem.State.AWAITING_CHECK)
        .exclude(owner=user)
        .select_related("organization")
        .order_by("updated_at", "pk")
    )
    # Who may check is decided by the permission rules, not by a query: read a bounded batch.
    to_check = [p for p in awaiting[:200] if "close" in problem_actions_for(user, p)]
    if to_check:
        items.append(
            TodoItem(
                key="problems_to_check",
                title="待我验收的问题",
                hint="核实整改成效后销号，未达要求的退回",
                level="warning",
                count=len(to_check),
                links=[
                    TodoLink(p.headline, reverse("ledger:problem_detail", args=[p.pk]), f"{p.number}，{p.organization.name}")
                    for p in to_check[:SHOWN_PER_ITEM]
                ],
                more_url=f"{list_url}?status=awaiting_check" if staff else "",
            )
        )
    return items


def key_counts(*, user: Any) -> dict[str, int]:
    """Organizations by kind and members by status in the user's scope: two aggregate queries."""
    kinds = Organization.Kind
    orgs = (
        Organization.objects.for_user(user)
        .active()
        .aggregate(
            organizations=Count("pk", filter=~Q(kind=kinds.GROUP)),
            committees=Count("pk", filter=Q(kind__in=[kinds.COMMITTEE, kinds.GENERAL_BRANCH])),
            branches=Count("pk", filter=Q(kind=kinds.BRANCH)),
            groups=Count("pk", filter=Q(kind=kinds.GROUP)),
        )
    )
    members = Member.objects.for_user(user).aggregate(
        members=Count("pk"),
        full=Count("pk", filter=Q(status=Member.Status.FULL)),
        probationary=Count("pk", filter=Q(status=Member.Status.PROBATIONARY)),
        frail=Count("pk", filter=Q(is_frail=True)),
        mobile=Count("pk", filter=Q(is_mobile=True)),
    )
    return {**orgs, **members}


def scope_organizations(*, user: Any) -> list[Organization]:
    """The organizations the user's staff roles are granted on (the tops of what they see)."""
    scope = get_scope(user)
    return list(Organization.objects.filter(path__in=scope.view_paths).order_by("path"))


def my_liaison_groups(*, user: Any, today: dt.date) -> list[LiaisonGroup]:
    scope = get_scope(user)
    groups = list(
        LiaisonGroup.objects.filter(pk__in=scope.liaison_group_ids).prefetch_related(
            Prefetch("organizations", queryset=Organization.objects.order_by("path"))
        )
    )
    for group in groups:
        for org in group.organizations.all():
            org.term_state = org.term_status(today)
            org.term_label = Organization.TERM_STATUS_LABELS[org.term_state]
    return groups


def my_member_record(*, user: Any) -> Member | None:
    scope = get_scope(user)
    if not scope.member_id:
        return None
    return Member.objects.select_related("organization").filter(pk=scope.member_id).first()


def next_actions_for(*, user: Any, today: dt.date) -> list[TodoItem]:
    """The staff roles' next actions, most pressing kinds first; each role adds its own pieces
    (read by the owning apps' selectors), each piece a bounded number of queries."""
    scope = get_scope(user)
    todos: list[TodoItem] = []
    if scope.has_role(TOWN_ADMIN):
        # What reaches the town from outside (the public, the teams, sheets) and what is late.
        town_items = (
            public_reports_todo(),
            opinion_todo(user=user),
            review_todo(user=user),
            imports_failed_todo(user=user),
            problems_overdue_todo(user=user, today=today),
        )
        todos.extend(item for item in town_items if item is not None)
    if SECRETARY in scope.roles:
        todos.extend(meetings_due_todos(user=user, today=today))
        missed = members_missed_todo(user=user, today=today)
        if missed is not None:
            todos.append(missed)
    if LIAISON in scope.roles:
        todos.extend(liaison_todos(user=user, today=today))
        escalated = problems_escalated_todo(user=user, today=today)
        if escalated is not None:
            todos.append(escalated)
    todos.extend(problem_todos(user=user, today=today))
    plans = plans_missing_todo(user=user, year=today.year)
    if plans is not None:
        todos.append(plans)
    todos.extend(org_todos(user=user, today=today))
    probation = probation_todo(user=user, today=today)
    if probation is not None:
        todos.append(probation)
    return todos


def home_for(*, user: Any, today: dt.date) -> dict[str, Any]:
    """Everything the home page shows, by the roles the user holds (several are possible)."""
    scope = get_scope(user)
    staff = scope.has_role(TOWN_ADMIN, SECRETARY, LIAISON)
    context: dict[str, Any] = {"scope": scope, "today": today, "is_staff": staff, "issue_labels": ISSUE_LABELS}
    if staff:
        todos = next_actions_for(user=user, today=today)
        plans = plan_todo(user=user, today=today)
        if plans is not None:
            todos.append(plans)
        context.update(
            todos=todos,
            counts=key_counts(user=user),
            scope_orgs=scope_organizations(user=user),
            is_town_admin=scope.has_role(TOWN_ADMIN),
            plan_todo=plans,
        )
        if scope.has_role(TOWN_ADMIN):
            # The seed's figures so far this year, counted from the ledger (three queries).
            context["ledger_figures"] = ledger_counts(user=user, start=dt.date(today.year, 1, 1), end=today)
    if scope.has_role(LIAISON) and not scope.superuser:
        context["liaison_groups"] = my_liaison_groups(user=user, today=today)
    if scope.member_id:
        context["my_member"] = my_member_record(user=user)
    if not staff and getattr(user, "is_authenticated", False):
        # A member may be made responsible for a problem too; their to-dos have their own card.
        context["problem_todos"] = problem_todos(user=user, today=today)
    context["is_visitor"] = VISITOR in scope.roles
    if VISITOR in scope.roles and team_grid_ids(user):
        # A visiting-team member's phone home: their visits to make, nearest due first.
        context["in_team"] = True
        context["visit_todos"] = visit_todos(user=user, today=today)
    context["home_study_due"] = home_study_due_for(user)
    return context
