"""Reads of projects and the consultation hall: staff lists through `for_user`, and the public
hall, which shows published bulletins and moderated opinions only."""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from qiangji.core.nextactions import SHOWN_PER_ITEM, TodoItem, TodoLink
from qiangji.council.models import Bulletin, Opinion, Project


def projects_for_list(*, user: Any) -> QuerySet[Project]:
    """The projects the user sees, with what the list shows counted in the same query."""
    return (
        Project.objects.for_user(user)
        .select_related("organization", "village")
        .annotate(
            bulletin_count=Count("bulletins", filter=Q(bulletins__published_at__isnull=False), distinct=True),
            pending_count=Count(
                "bulletins__opinions",
                filter=Q(bulletins__opinions__moderation=Opinion.Moderation.PENDING),
                distinct=True,
            ),
        )
        .order_by("organization__path", "name")
    )


def get_project_for_user(user: Any, pk: int) -> Project:
    """404 alike for a missing project and one the user may not see."""
    return get_object_or_404(Project.objects.for_user(user).select_related("organization", "village"), pk=pk)


def measure_problems(*, user: Any, project: Project) -> list[Any]:
    """The open problems of the project's organization tree to which `user` may add a measure,
    by number: what a session's outcome may become a measure of."""
    from qiangji.ledger.models import Problem
    from qiangji.ledger.permissions import problem_actions_for

    rows = (
        Problem.objects.for_user(user)
        .open()
        .filter(organization__path__startswith=project.organization.path)
        .select_related("organization")
        .order_by("number")
    )
    # The ledger's own rule (state and role), so the list never offers what the service refuses.
    return [p for p in rows if "measure" in problem_actions_for(user, p)]


def project_bulletins(project: Project) -> QuerySet[Bulletin]:
    """Newest published first, drafts last (the same on every database)."""
    return project.bulletins.order_by(F("published_at").desc(nulls_last=True), "-id")


def staff_opinions(project: Project) -> QuerySet[Opinion]:
    return Opinion.objects.filter(bulletin__project=project).select_related("bulletin").prefetch_related("events")


# The public hall ------------------------------------------------------------------------------


def hall_projects() -> QuerySet[Project]:
    """Projects with at least one published bulletin, the latest bulletin's date first; one query."""
    published = Bulletin.objects.filter(project=OuterRef("pk"), published_at__isnull=False).order_by("-published_at", "-id")
    return (
        Project.objects.filter(Exists(published))
        .select_related("village")
        .annotate(latest_pk=Subquery(published.values("pk")[:1]), latest_bulletin=Subquery(published.values("published_at")[:1]))
        .order_by("-latest_bulletin", "id")
    )


def get_public_bulletin(pk: int) -> Bulletin:
    """A published bulletin; a draft answers 404 like a missing one."""
    return get_object_or_404(Bulletin.objects.filter(published_at__isnull=False).select_related("project__village"), pk=pk)


def public_bulletins(project: Project) -> QuerySet[Bulletin]:
    return project.bulletins.filter(published_at__isnull=False).order_by("-published_at", "-id")


def public_opinions(bulletin: Bulletin) -> QuerySet[Opinion]:
    """Opinions moderated to be shown. Only the content, state and answer leave this function:
    the public page never sees who wrote them."""
    return (
        Opinion.objects.filter(bulletin=bulletin, moderation=Opinion.Moderation.SHOWN)
        .only("id", "content", "state", "answer", "answered_at", "created_at", "bulletin_id")
        .order_by("-created_at", "-id")
    )


# Opinions waiting for those who run the hall ---------------------------------------------------

# Opinions still to act on: not yet moderated, or not yet answered (a decline is an answer with its reason).
WAITING_STATES = (Opinion.State.RECEIVED, Opinion.State.UNDER_EVALUATION, Opinion.State.ACCEPTED)


def opinions_waiting(*, user: Any) -> QuerySet[Opinion]:
    """Opinions on the projects the user runs that wait for moderation or an answer, oldest first."""
    projects = Project.objects.for_user(user, "manage")
    return (
        Opinion.objects.filter(bulletin__project__in=projects)
        .filter(Q(moderation=Opinion.Moderation.PENDING) | Q(state__in=WAITING_STATES))
        .select_related("bulletin__project")
        .order_by("created_at", "id")
    )


def opinion_todo(*, user: Any) -> TodoItem | None:
    """The home page's item for opinions waiting: two queries."""
    waiting = opinions_waiting(user=user)
    count = waiting.count()
    if not count:
        return None
    links = []
    for o in waiting[:SHOWN_PER_ITEM]:
        stage = o.get_moderation_display() if o.moderation == Opinion.Moderation.PENDING else o.get_state_display()
        when = timezone.localtime(o.created_at)
        links.append(
            TodoLink(
                o.content[:24] + ("…" if len(o.content) > 24 else ""),
                reverse("council:project_detail", args=[o.bulletin.project_id]) + f"#opinion-{o.pk}",
                f"{o.bulletin.project.name}，{when:%m-%d}提交，{stage}",
            )
        )
    return TodoItem(
        key="opinions_waiting",
        title="议事厅待办理的群众意见",
        hint="审核是否公开，研究后答复",
        level="warning",
        count=count,
        links=links,
        more_url=reverse("council:opinions_waiting"),
    )


def projects_running(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Project]:
    """Pilot projects the user sees that had started by `end` (or have no start date yet)."""
    qs = Project.objects.for_user(user).filter(Q(started_on__lte=end) | Q(started_on=None))
    return qs.select_related("organization").order_by("organization__path", "name")


def opinions_received(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Opinion]:
    """Opinions (意见建议) received on the user's projects' bulletins on a day in [start, end]."""
    qs = Opinion.objects.filter(
        bulletin__project__in=Project.objects.for_user(user), created_at__date__gte=start, created_at__date__lte=end
    )
    return qs.select_related("bulletin__project__organization").order_by("-created_at", "-id")


def opinion_by_receipt(receipt: str) -> Opinion | None:
    """The opinion a receipt number names, with only what its status page shows: the content,
    the state, the public answer and the bulletin's title (never who wrote it)."""
    return (
        Opinion.objects.filter(receipt=receipt)
        .select_related("bulletin")
        .only("id", "receipt", "content", "state", "answer", "answered_at", "created_at", "bulletin__id", "bulletin__title")
        .first()
    )
