"""Reads of mediation, always starting from the user's scope.

Studios are seen by those who see their organization (town admin: all; secretaries: their
subtree; liaison groups: their organizations). Cases through `MediationCase.objects.for_user`.
Parties' names are shown only to those who run the studio (`runs_studio`): a liaison group
supervises the work and sees the case, its dispute and sittings, but not who the parties are.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope, subtree_q
from qiangji.mediation.models import MediationCase, MediationStudio, Mediator
from qiangji.mediation.services import runs_studio

STAFF = (TOWN_ADMIN, SECRETARY, LIAISON)
STATE_FILTERS = ("open", *MediationCase.State.values)
HIDDEN_PARTIES = "（当事人信息仅工作室所属党组织可见）"


def sees_mediation(user: Any) -> bool:
    return get_scope(user).has_role(*STAFF)


def studios_for_user(user: Any) -> QuerySet[MediationStudio]:
    scope = get_scope(user)
    if not sees_mediation(user):
        return MediationStudio.objects.none()
    qs = MediationStudio.objects.all()
    if not scope.superuser:
        q = subtree_q("organization__path", scope.view_paths)
        qs = qs.filter(q) if q is not None else qs.none()
    return qs


def studios_for_list(user: Any) -> QuerySet[MediationStudio]:
    open_cases = Q(cases__state__in=MediationCase.OPEN_STATES)
    return (
        studios_for_user(user)
        .select_related("organization", "village")
        .annotate(open_count=Count("cases", filter=open_cases, distinct=True), case_count=Count("cases", distinct=True))
        .prefetch_related(Prefetch("mediators", queryset=Mediator.objects.filter(active=True)))
        .order_by("name")
    )


def get_studio_for_user(user: Any, pk: int) -> MediationStudio:
    return get_object_or_404(studios_for_user(user).select_related("organization", "village"), pk=pk)


def studios_run_by(user: Any) -> list[MediationStudio]:
    """Studios where the user may take in cases."""
    return [s for s in studios_for_user(user).select_related("organization") if runs_studio(user, s)]


def cases_for_list(*, user: Any, state: str = "", studio: MediationStudio | None = None) -> QuerySet[MediationCase]:
    if not sees_mediation(user):
        return MediationCase.objects.none()
    qs = MediationCase.objects.for_user(user).select_related("studio__organization")
    if state == "open":
        qs = qs.open()
    elif state:
        qs = qs.filter(state=state)
    if studio is not None:
        qs = qs.filter(studio=studio)
    return qs.order_by("-opened_on", "-id")


def get_case_for_user(user: Any, pk: int) -> MediationCase:
    if not sees_mediation(user):
        raise Http404
    qs = MediationCase.objects.for_user(user).select_related("studio__organization", "studio__village", "project")
    return get_object_or_404(qs, pk=pk)


def parties_for(user: Any, case: MediationCase) -> str:
    """The parties' names for those who run the studio; a notice for everyone else."""
    return case.parties if runs_studio(user, case.studio) else HIDDEN_PARTIES


def cases_opened(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[MediationCase]:
    """Cases taken in (受理) in [start, end] that the user sees."""
    return cases_for_list(user=user).filter(opened_on__gte=start, opened_on__lte=end)
