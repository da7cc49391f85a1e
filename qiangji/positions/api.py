"""Positions over the API (/api/v1/positions): the tree with profiles and resources, and the
quarterly course batches with their delivery matrix. Staff only, like the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router

from qiangji.core.api import ErrorOut, ValidationErrorOut
from qiangji.positions.models import CourseBatch
from qiangji.positions.schemas import BatchOut, PositionOut
from qiangji.positions.selectors import delivery_matrix, positions_with_resources, sees_positions

router = Router(tags=["阵地与课程"])
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _staff(user: Any) -> None:
    if not sees_positions(user):
        raise PermissionDenied("只有镇党委、指导联络组和党组织书记可以查看阵地与课程。")


def _position(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "parent_id": p.parent_id,
        "organization": p.organization.name if p.organization else "",
        "village": p.village.name if p.village else "",
        "chain": p.chain.name if p.chain else "",
        "address": p.address,
        "opening_hours": p.opening_hours,
        "rooms": p.rooms,
        "capacity": p.capacity,
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
        "resources": [
            {
                "id": r.pk,
                "category": r.category,
                "category_label": r.get_category_display(),
                "name": r.name,
                "description": r.description,
            }
            for r in p.resources.all()
        ],
    }


@router.get("", response={200: list[PositionOut], **READ}, operation_id="position_list", summary="党群服务阵地")
def position_list(request: HttpRequest) -> Any:
    """Every position with its profile and its "1+4" resource list; `parent_id` builds the tree."""
    _staff(request.auth)
    return [_position(p) for p in positions_with_resources().order_by("kind", "name")]


def _batch(batch: CourseBatch) -> dict[str, Any]:
    m = delivery_matrix(batch)
    return {
        "id": batch.pk,
        "year": batch.year,
        "quarter": batch.quarter,
        "label": str(batch),
        "courses": [
            {"id": c.pk, "title": c.title, "teacher": c.teacher, "hours": c.hours, "active": c.active} for c in m["courses"]
        ],
        "held": m["held"],
        "total": m["total"],
        "matrix": [
            {
                "position_id": row["position"].pk,
                "position": row["position"].name,
                "cells": [
                    {
                        "course_id": c.pk,
                        "held": d is not None,
                        "held_on": d.held_on if d else None,
                        "present": d.present if d else 0,
                    }
                    for c, d in row["cells"]
                ],
            }
            for row in m["rows"]
        ],
    }


@router.get("/course-batches", response={200: list[BatchOut], **READ}, operation_id="course_batch_list", summary="季度下沉课程")
def batch_list(request: HttpRequest, year: int | None = None) -> Any:
    """Batches (optionally of one `year`) with the positions × courses matrix: held or not, date, present count."""
    _staff(request.auth)
    batches = CourseBatch.objects.order_by("-year", "-quarter")
    if year is not None:
        batches = batches.filter(year=year)
    return [_batch(b) for b in batches]
