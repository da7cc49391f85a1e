"""Reads of the organization tree, always starting from `for_user`."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from qiangji.core.access import Action, get_scope, subtree_q
from qiangji.orgs.models import LiaisonGroup, Organization, add_months


def get_organization_for_user(user: Any, pk: int, action: Action = "view") -> Organization:
    """404 alike for a missing organization and one outside the user's scope."""
    return get_object_or_404(
        Organization.objects.for_user(user, action).select_related("parent", "unit", "village", "village__grid"), pk=pk
    )


def organizations_visible(*, user: Any) -> Any:
    return Organization.objects.for_user(user).select_related("parent", "unit", "village")


def organizations_with_counts(*, user: Any) -> Any:
    """Each visible organization with its direct member counts (full / probationary)."""
    return organizations_visible(user=user).annotate(
        member_count=Count("members", distinct=True),
        full_count=Count("members", filter=Q(members__status="full"), distinct=True),
    )


def organizations_term_ending(*, user: Any, today: dt.date, months: int = 6) -> Any:
    return Organization.objects.for_user(user).term_ending(today=today, months=months).order_by("term_end")


def liaison_groups_visible(*, user: Any) -> Any:
    """All groups for a town admin, a liaison member's own groups, nothing for anyone else."""
    scope = get_scope(user)
    qs = LiaisonGroup.objects.select_related("leader").prefetch_related(
        "members", Prefetch("organizations", queryset=Organization.objects.order_by("path"))
    )
    if scope.has_role("town_admin"):
        return qs
    return qs.filter(pk__in=scope.liaison_group_ids)


def liaison_candidates() -> Any:
    """People who may sit in a liaison group: town staff accounts, not every member's login."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(member__isnull=True) | Q(grants__role="town_admin") | Q(liaison_groups__isnull=False))
        .distinct()
        .order_by("username")
    )


# --- Pages: the tree, one organization, what needs attention -------------------------------

# RULES.md "Organization structure", kept as data a town may override in settings.
STRUCTURE_RULES_DEFAULT = {"branch_min_full": 3, "committee_min_full": 7, "branch_max_members": 50}

ISSUE_LABELS = {
    "term_expired": "已届满",
    "term_1m": "1个月内届满",
    "term_6m": "6个月内届满",
    "no_secretary": "未配备书记",
    "too_few": "正式党员不足3名",
    "too_many": "党员超过50名",
    "needs_committee": "应设未设支部委员会",
}
KIND_RANK = {k: i for i, k in enumerate(Organization.Kind.values)}
_TERM_ISSUE = {"expired": "term_expired", "ends_1m": "term_1m", "ends_6m": "term_6m"}
# Member values are named as strings so that orgs does not import the members app.
_FULL, _PROBATIONARY, _SECRETARY = "full", "probationary", "secretary"


def structure_rules() -> dict[str, int]:
    return {**STRUCTURE_RULES_DEFAULT, **getattr(settings, "QIANGJI_STRUCTURE_RULES", {})}


def organizations_annotated(*, user: Any, action: Action = "view") -> Any:
    """Visible organizations with their direct member counts and secretary count, one query."""
    return (
        Organization.objects.for_user(user, action)
        .select_related("parent", "unit", "village")
        .annotate(
            member_count=Count("members"),
            full_count=Count("members", filter=Q(members__status=_FULL)),
            probationary_count=Count("members", filter=Q(members__status=_PROBATIONARY)),
            secretary_count=Count("members", filter=Q(members__party_post=_SECRETARY)),
        )
    )


def organization_issues(org: Organization, *, today: dt.date, rules: dict[str, int] | None = None) -> list[str]:
    """What RULES.md flags on one annotated organization (keys of ISSUE_LABELS)."""
    if org.dissolved_on:
        return []
    rules = rules or structure_rules()
    issues = []
    term = _TERM_ISSUE.get(org.term_status(today))
    if term:
        issues.append(term)
    if org.kind == Organization.Kind.BRANCH:
        if not org.secretary_count:
            issues.append("no_secretary")
        if org.full_count < rules["branch_min_full"]:
            issues.append("too_few")
        if org.member_count > rules["branch_max_members"]:
            issues.append("too_many")
        if org.full_count >= rules["committee_min_full"] and not org.has_committee:
            issues.append("needs_committee")
    return issues


def organizations_flagged(*, user: Any, today: dt.date) -> list[Organization]:
    """Active visible organizations with at least one issue, each with `.issues` set.

    The filter runs in the database so a healthy town of any size returns few rows.
    """
    rules = structure_rules()
    branch_problem = Q(kind=Organization.Kind.BRANCH) & (
        Q(secretary_count=0)
        | Q(full_count__lt=rules["branch_min_full"])
        | Q(member_count__gt=rules["branch_max_members"])
        | Q(full_count__gte=rules["committee_min_full"], has_committee=False)
    )
    rows = list(
        organizations_annotated(user=user)
        .filter(dissolved_on__isnull=True)
        .filter(Q(term_end__lte=add_months(today, 6)) | branch_problem)
        .order_by("path")
    )
    for org in rows:
        org.issues = organization_issues(org, today=today, rules=rules)
    return [org for org in rows if org.issues]


def organization_tree(
    *,
    user: Any,
    today: dt.date,
    q: str = "",
    kind: str = "",
    issue: str = "",
    include_dissolved: bool = False,
) -> dict[str, Any]:
    """The visible tree from one query, with subtree member totals and issues per node.

    Filters keep the matching nodes and their visible ancestors (shown dimmed) so that a
    match is always seen in its place in the tree.
    """
    rules = structure_rules()
    orgs = list(organizations_annotated(user=user).order_by("path"))
    by_id = {o.pk: o for o in orgs}
    for org in orgs:
        org.issues = organization_issues(org, today=today, rules=rules)
        org.term_state = org.term_status(today)
        org.term_label = Organization.TERM_STATUS_LABELS[org.term_state]
        org.issue_labels = [ISSUE_LABELS[i] for i in org.issues if not i.startswith("term_")]
        org.subtree_members = 0
        org.nodes = []
    for org in orgs:
        if org.dissolved_on:
            continue
        org.subtree_members += org.member_count
        for ancestor_id in org.ancestor_ids:
            ancestor = by_id.get(ancestor_id)
            if ancestor is not None:
                ancestor.subtree_members += org.member_count

    filtering = bool(q or kind or issue)
    shown: list[Organization] = []
    for org in orgs:
        if org.dissolved_on and not include_dissolved:
            continue
        if q and q not in org.name and q not in (org.unit.name if org.unit else "") and q not in str(org.village or ""):
            continue
        if kind and org.kind != kind:
            continue
        if issue and issue not in org.issues:
            continue
        shown.append(org)
    keep = {o.pk for o in shown}
    matched = set(keep)
    if filtering:
        for org in shown:
            keep.update(a for a in org.ancestor_ids if a in by_id)
    roots = []
    for org in orgs:
        if org.pk not in keep:
            continue
        org.matched = org.pk in matched or not filtering
        parent = by_id.get(org.parent_id) if org.parent_id else None
        if parent is not None and parent.pk in keep:
            parent.nodes.append(org)
        else:
            roots.append(org)
    for org in orgs:
        org.nodes.sort(key=lambda o: (KIND_RANK[o.kind], o.pk))
        # Party groups are many and rarely what one looks for: folded unless a filter found them.
        org.folded = not filtering and org.kind == Organization.Kind.BRANCH and bool(org.nodes)
    return {"roots": roots, "matched": [o for o in orgs if o.pk in matched], "total": len(orgs)}


LEADER_POSTS = {"secretary": "书记", "deputy_secretary": "副书记", "committee_member": "委员", "group_leader": "党小组长"}


def organization_leaders(organization: Organization) -> list[dict[str, Any]]:
    """Secretary, deputies and committee members of one organization: names and posts only."""
    order = list(LEADER_POSTS)
    rows = list(
        organization.members.filter(party_post__in=order).values("pk", "name", "party_post").order_by("name_initials", "pk")
    )
    rows.sort(key=lambda r: order.index(r["party_post"]))
    for row in rows:
        row["post_label"] = LEADER_POSTS[row["party_post"]]
    return rows


def organization_children(*, user: Any, organization: Organization, today: dt.date) -> list[Organization]:
    """Direct visible children with member counts and term state: committees first."""
    rows = list(organizations_annotated(user=user).filter(parent=organization))
    rows.sort(key=lambda o: (o.dissolved_on is not None, KIND_RANK[o.kind], o.pk))
    for org in rows:
        org.term_state = org.term_status(today)
        org.term_label = Organization.TERM_STATUS_LABELS[org.term_state]
    return rows


def organization_choices(*, user: Any, action: Action = "view", levels: int | None = None) -> list[tuple[int, str, int]]:
    """(pk, name, depth) of visible active organizations for a filter select, in tree order.

    With `levels`, only that many levels below the user's top organizations are listed: a
    city-sized scope would make the select unusable, and deeper ones are reached from the tree.
    """
    qs = Organization.objects.for_user(user, action).active().exclude(kind=Organization.Kind.GROUP)
    scope = get_scope(user)
    if levels is not None:
        tops = [p.count("/") - 2 for p in scope.paths(action)] or [0]
        qs = qs.filter(depth__lte=min(tops) + levels)
    return list(qs.order_by("path").values_list("pk", "name", "depth"))


def organizations_liaised(*, user: Any) -> Any:
    """Active organizations (party groups aside) in the subtrees a liaison group covers, that the user sees."""
    paths = tuple(sorted(set(Organization.objects.filter(liaison_groups__isnull=False).values_list("path", flat=True))))
    if not paths:
        return Organization.objects.none()
    qs = Organization.objects.for_user(user).active().exclude(kind=Organization.Kind.GROUP)
    return qs.filter(subtree_q("path", paths)).select_related("unit").order_by("path")
