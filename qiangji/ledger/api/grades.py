"""Grades (晋位升级) and rectification plans (一支部一方案) over the API."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from qiangji.core.access import LIAISON, TOWN_ADMIN, get_scope
from qiangji.core.api import FormInvalid, form_data
from qiangji.core.models import ChangeRecord
from qiangji.ledger.api.common import READ_ERRORS, WRITE_ERRORS, checked_year, staff_only, today_local, visible_organization
from qiangji.ledger.forms.grades import GradeForm, PlanForm, PlanItemForm
from qiangji.ledger.models import Grade, GradeLevel, Measure, RectificationPlan
from qiangji.ledger.schemas import (
    GradeIn,
    GradeLevelOut,
    GradeOut,
    MeasureIn,
    MeasureOut,
    MissingPlansOut,
    PlanDetailOut,
    PlanIn,
    PlanOut,
    PlanPutIn,
)
from qiangji.ledger.selectors import (
    get_plan_for_user,
    grades_for_year,
    organizations_without_plan,
    plans_for_list,
)
from qiangji.ledger.services import (
    grade_set,
    measure_add,
    plan_save,
)
from qiangji.orgs.models import Organization

grades_router = Router(tags=["晋位升级"])
plans_router = Router(tags=["晋位升级"])


# Grades (晋位升级) ------------------------------------------------------------------------------


@grades_router.get("/levels", response={200: list[GradeLevelOut], **READ_ERRORS}, operation_id="grade_levels", summary="等次列表")
def grade_levels(request: HttpRequest) -> Any:
    return [GradeLevelOut.of(level) for level in GradeLevel.objects.order_by("rank")]


@grades_router.get("", response={200: list[GradeOut], **READ_ERRORS}, operation_id="grade_list", summary="晋位升级评定")
def grade_list(request: HttpRequest, year: int | None = None) -> Any:
    """The grades of `year` (default this year) in the caller's scope, in tree order."""
    user = request.auth
    staff_only(user, "只有镇党委、指导联络组和党组织书记可以查看晋位升级评定。")
    grades = Grade.objects.for_user(user).filter(year=checked_year(year)).select_related("organization", "level")
    return [GradeOut.of(g) for g in grades.order_by("organization__path")]


@grades_router.put(
    "/{id:organization_id}/{id:year}", response={200: GradeOut, **WRITE_ERRORS}, operation_id="grade_set", summary="评定等次"
)
def grade_set_view(request: HttpRequest, organization_id: int, year: int, payload: GradeIn) -> Any:
    """Only the town admin grades; `level` is the grade's name (see GET /grades/levels)."""
    user = request.auth
    organization = visible_organization(user, organization_id)
    year = checked_year(year)
    level = GradeLevel.objects.filter(name=payload.level.strip()).first()
    if level is None:
        names = "、".join(GradeLevel.objects.filter(active=True).values_list("name", flat=True))
        raise FormInvalid({"level": [f"没有名为“{payload.level}”的等次，可选：{names}。"]})
    cleaned = form_data(GradeForm({"level": level.pk, "note": payload.note}))
    grade = grade_set(
        by=user,
        organization=organization,
        year=year,
        level=cleaned["level"],
        note=cleaned["note"],
        source=ChangeRecord.Source.API,
    )
    return GradeOut.of(grade)


# Rectification plans (一支部一方案) -------------------------------------------------------------


@plans_router.get("", response={200: list[PlanOut], **READ_ERRORS}, operation_id="rectification_plan_list", summary="整改方案")
def plan_list(request: HttpRequest, year: int | None = None) -> Any:
    """Plans of `year` with their item counts; `behind_count` counts open items past their deadline."""
    user = request.auth
    staff_only(user, "只有镇党委、指导联络组和党组织书记可以查看整改方案。")
    today = today_local()
    return [PlanOut.of(p, today) for p in plans_for_list(user=user, year=checked_year(year), today=today)]


@plans_router.get(
    "/missing",
    response={200: MissingPlansOut, **READ_ERRORS},
    operation_id="rectification_plan_missing",
    summary="未制定整改方案的党组织",
)
def plan_missing(request: HttpRequest, year: int | None = None) -> Any:
    """Organizations graded 较好 or lower for `year` that have no plan: the town's to-do list."""
    user = request.auth
    if not get_scope(user).has_role(TOWN_ADMIN, LIAISON):
        raise HttpError(403, "只有镇党委和指导联络组可以查看未制定整改方案的党组织。")
    year = checked_year(year)
    grades = grades_for_year(user=user, year=year)
    return {
        "year": year,
        "organizations": [
            {"id": o.pk, "name": o.name, "level": grades[o.pk].level.name if o.pk in grades else ""}
            for o in organizations_without_plan(user=user, year=year)
        ],
    }


@plans_router.get(
    "/{id:plan_id}", response={200: PlanDetailOut, **READ_ERRORS}, operation_id="rectification_plan_get", summary="整改方案详情"
)
def plan_get(request: HttpRequest, plan_id: int) -> Any:
    return _plan_detail(get_plan_for_user(request.auth, plan_id))


def _plan_detail(plan: RectificationPlan) -> PlanDetailOut:
    today = today_local()
    items = list(plan.items.select_related("owner", "checked_by"))
    base = PlanOut.of(plan, today).model_dump()
    base.update(
        item_count=len(items),
        checked_count=sum(1 for i in items if i.state == Measure.State.CHECKED),
        behind_count=sum(1 for i in items if i.is_behind(today)),
    )
    return PlanDetailOut(**base, items=[MeasureOut.of(i, today) for i in items])


def _save_plan(
    request: HttpRequest, organization: Organization, year: int, text: dict[str, Any], expected_version: int
) -> RectificationPlan:
    cleaned = form_data(PlanForm(text))
    return plan_save(
        by=request.auth,
        organization=organization,
        year=year,
        data=cleaned,
        source=ChangeRecord.Source.API,
        expected_version=expected_version,
    )


@plans_router.post(
    "",
    response={200: PlanDetailOut, 201: PlanDetailOut, **WRITE_ERRORS},
    operation_id="rectification_plan_save",
    summary="制定整改方案",
)
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    """One plan per organization and year: a first save creates it (201), saving again edits it (200)."""
    organization = visible_organization(request.auth, payload.organization)
    year = checked_year(payload.year)
    existed = RectificationPlan.objects.filter(organization=organization, year=year).exists()
    # Without a version the client means a new plan: one already there is answered 409, not replaced.
    plan = _save_plan(
        request, organization, year, payload.model_dump(include={"title", "analysis", "goals"}), payload.version or 0
    )
    return Status(200 if existed else 201, _plan_detail(plan))


@plans_router.put(
    "/{id:plan_id}",
    response={200: PlanDetailOut, **WRITE_ERRORS},
    operation_id="rectification_plan_update",
    summary="修改整改方案",
)
def plan_update(request: HttpRequest, plan_id: int, payload: PlanPutIn) -> Any:
    plan = get_plan_for_user(request.auth, plan_id)
    plan = _save_plan(
        request, plan.organization, plan.year, payload.model_dump(include={"title", "analysis", "goals"}), payload.version
    )
    return _plan_detail(plan)


@plans_router.post(
    "/{id:plan_id}/items",
    response={201: MeasureOut, **WRITE_ERRORS},
    operation_id="rectification_plan_item_add",
    summary="新增方案事项",
)
def plan_item_add(request: HttpRequest, plan_id: int, payload: MeasureIn) -> Any:
    """An item with its owner and deadline, tracked like a problem's measure (progress, check)."""
    user = request.auth
    plan = get_plan_for_user(user, plan_id)
    data = form_data(PlanItemForm(payload.model_dump(), organization=plan.organization))
    measure = measure_add(by=user, data=data, plan=plan)
    return Status(201, MeasureOut.of(measure, today_local()))
