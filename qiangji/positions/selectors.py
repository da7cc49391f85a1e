"""Reads of positions and course batches.

Positions are public service facilities: every staff role sees the whole tree and profiles.
Editing and recording deliveries are checked by the services (`may_edit_position`). The delivery
matrix is built from two queries whatever the size of the batch.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.members.models import Member
from qiangji.orgs.models import Position
from qiangji.positions.models import Course, CourseBatch, CourseDelivery, PositionResource
from qiangji.trainings.models import Attendance

STAFF = (TOWN_ADMIN, SECRETARY, LIAISON)
KIND_ORDER = {Position.Kind.CENTRE: 0, Position.Kind.VILLAGE_SITE: 1, Position.Kind.POINT: 2, Position.Kind.CHAIN_STATION: 3}


def sees_positions(user: Any) -> bool:
    return get_scope(user).has_role(*STAFF)


def require_positions(user: Any) -> None:
    if not sees_positions(user):
        raise Http404


def positions_with_resources() -> QuerySet[Position]:
    return Position.objects.select_related("organization", "village", "chain").prefetch_related(
        Prefetch("resources", queryset=PositionResource.objects.order_by("category", "id"))
    )


def grouped_resources(position: Position) -> list[tuple[str, list[PositionResource]]]:
    """The "1+4" headings in their order, each with its items (empty headings left out)."""
    by_cat: dict[str, list[PositionResource]] = defaultdict(list)
    for r in position.resources.all():
        by_cat[r.category].append(r)
    return [(label, by_cat[value]) for value, label in PositionResource.Category.choices if by_cat[value]]


def position_tree() -> dict[str, Any]:
    """Centres with their village sites and points nested; chain stations apart."""
    positions = list(positions_with_resources().order_by("name"))
    children: dict[int | None, list[Position]] = defaultdict(list)
    for p in positions:
        p.grouped = grouped_resources(p)
        children[p.parent_id].append(p)
    for p in positions:
        p.kids = sorted(children[p.pk], key=lambda c: (KIND_ORDER.get(c.kind, 9), c.name))
    roots = [p for p in positions if p.parent_id is None and p.kind != Position.Kind.CHAIN_STATION]
    stations = [p for p in positions if p.kind == Position.Kind.CHAIN_STATION and p.parent_id is None]
    return {
        "roots": sorted(roots, key=lambda p: (KIND_ORDER.get(p.kind, 9), p.name)),
        "stations": stations,
        "count": len(positions),
    }


def get_position(user: Any, pk: int) -> Position:
    require_positions(user)
    return get_object_or_404(positions_with_resources(), pk=pk)


def courses_for_list() -> QuerySet[Course]:
    return Course.objects.annotate(batch_count=Count("batches", distinct=True)).order_by("-active", "title")


def batches_for_list() -> QuerySet[CourseBatch]:
    return CourseBatch.objects.annotate(
        course_count=Count("courses", distinct=True),
        position_count=Count("positions", distinct=True),
        delivery_count=Count("deliveries", distinct=True),
    ).order_by("-year", "-quarter")


def get_batch(user: Any, pk: int) -> CourseBatch:
    require_positions(user)
    return get_object_or_404(CourseBatch.objects.select_related("training"), pk=pk)


def delivery_matrix(batch: CourseBatch) -> dict[str, Any]:
    """Positions × courses: the delivery (held, with its date and how many attended) or None."""
    courses = list(batch.courses.order_by("title"))
    positions = sorted(batch.positions.select_related("organization"), key=lambda p: (KIND_ORDER.get(p.kind, 9), p.name))
    deliveries = {
        (d.position_id, d.course_id): d
        for d in CourseDelivery.objects.filter(batch=batch).annotate(
            present=Count("session__attendances", filter=Q(session__attendances__present=True))
        )
    }
    rows = [{"position": p, "cells": [(c, deliveries.get((p.pk, c.pk))) for c in courses]} for p in positions]
    held = len(deliveries)
    total = len(courses) * len(positions)
    return {"courses": courses, "rows": rows, "held": held, "total": total}


def attendance_sheet(*, user: Any, position: Position, delivery: CourseDelivery | None) -> list[tuple[Member, bool]]:
    """Members of the position's organization subtree the user manages, with their presence."""
    if position.organization is None:
        return []
    members = (
        Member.objects.for_user(user, "manage")
        .filter(organization__path__startswith=position.organization.path)
        .select_related("organization")
        .order_by("organization__path", "name", "id")
    )
    present: set[int] = set()
    if delivery is not None:
        present = set(Attendance.objects.filter(session_id=delivery.session_id, present=True).values_list("member_id", flat=True))
    return [(m, m.pk in present) for m in members]


def positions_counted(user: Any) -> QuerySet[Position]:
    """The positions staff see (all of the town's), in the order of the position tree."""
    if not sees_positions(user):
        return Position.objects.none()
    return Position.objects.select_related("organization", "village").order_by("kind", "name")
