"""Reads of meetings, always starting from `for_user`."""

import datetime as dt
from typing import Any

from django.db.models import Exists, Q
from django.shortcuts import get_object_or_404

from qiangji.core.access import Action
from qiangji.members.models import Member
from qiangji.orglife.models import HomeStudyVisit, Meeting, Requirement
from qiangji.orgs.models import Organization

# Organizations that hold organizational life themselves (and so appear in compliance views).
MEETING_ORG_KINDS = (Organization.Kind.BRANCH, Organization.Kind.GROUP)
# A general branch records the meetings of its own committee and assembly too (总支委员会,
# 党总支党员大会); it joins the compliance views only when the town requires something of it.
RECORDING_ORG_KINDS = (Organization.Kind.GENERAL_BRANCH, *MEETING_ORG_KINDS)


def compliance_org_q() -> Q:
    """Branches and groups, and general branches while an active requirement applies to them
    (read in the same query as the organizations, as a subquery)."""
    required = Requirement.objects.filter(active=True, applies_to=Requirement.AppliesTo.GENERAL_BRANCH)
    return Q(kind__in=MEETING_ORG_KINDS) | Q(Exists(required), kind=Organization.Kind.GENERAL_BRANCH)


def get_meeting_for_user(user: Any, pk: int, action: Action = "view") -> Meeting:
    """404 alike for a missing meeting and one outside the user's scope."""
    return get_object_or_404(
        Meeting.objects.for_user(user, action).select_related("organization", "presenter", "created_by"), pk=pk
    )


def meetings_list(
    *,
    user: Any,
    organization: Organization | None = None,
    kind: str = "",
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    action: Action = "view",
) -> Any:
    """The meeting list as the list page, the export and the API show it; `organization` includes its subtree."""
    qs = Meeting.objects.for_user(user, action).select_related("organization", "presenter").annotate_attendance()
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-id")


def meeting_attendances(meeting: Meeting) -> Any:
    return meeting.attendances.select_related("member").order_by("-present", "member__name_initials", "member_id")


def eligible_members(organization: Organization) -> Any:
    """Who may attend: the organization's members (a Party group's are those of its branch)."""
    if organization.kind == Organization.Kind.GROUP and organization.parent_id:
        return Member.objects.filter(organization_id=organization.parent_id).order_by("name_initials", "id")
    return Member.objects.filter(organization__path__startswith=organization.path).order_by("name_initials", "id")


def organizations_for_compliance(*, user: Any, within: Organization | None = None) -> list[Organization]:
    """Active branches and Party groups (and general branches, when required of) the user may view, in tree order."""
    qs = Organization.objects.for_user(user).active().filter(compliance_org_q())
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return list(qs.order_by("path"))


def requirements_all() -> Any:
    return Requirement.objects.order_by("id")


# What the work brief counts as "三会一课和主题党日" held.
REGULAR_KINDS = (
    Meeting.Kind.ASSEMBLY,
    Meeting.Kind.COMMITTEE_MEETING,
    Meeting.Kind.GROUP_MEETING,
    Meeting.Kind.LECTURE,
    Meeting.Kind.THEME_DAY,
)


def meetings_held(*, user: Any, start: dt.date, end: dt.date, kinds: tuple[str, ...]) -> Any:
    """Meetings of `kinds` held in [start, end] that the user sees (the brief's counts)."""
    qs = Meeting.objects.for_user(user).held().filter(kind__in=kinds, date__gte=start, date__lte=end)
    return qs.select_related("organization").order_by("-date", "-id")


def home_study_visits(*, user: Any, start: dt.date, end: dt.date) -> Any:
    """Home-study visits (送学上门) dated in [start, end] that the user sees."""
    qs = HomeStudyVisit.objects.for_user(user).filter(date__gte=start, date__lte=end)
    return qs.select_related("organization", "member").order_by("-date", "-id")
