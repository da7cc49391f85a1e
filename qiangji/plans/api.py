"""Work plans over the API: the same form, service and scoping as the filing page.

Reading is for the roles the pages show plans to (town admin, liaison, secretary); filing for
those who manage the organization; the not-filed list for the town admin and liaison groups.
"""

from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.api import ErrorOut, FormInvalid, StaleOut, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.orgs.models import Organization
from qiangji.plans.forms import WorkPlanForm
from qiangji.plans.models import WorkPlan
from qiangji.plans.schemas import NotFiledOut, WorkPlanIn, WorkPlanOut, WorkPlanPageOut
from qiangji.plans.selectors import get_workplan_for_user, not_filed_by_group, plan_rows
from qiangji.plans.services import workplan_file

router = Router(tags=["工作计划备案"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleOut, 422: ValidationErrorOut}
STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)


def _year(year: int | None) -> int:
    this_year = timezone.localdate().year
    year = year or this_year
    if not 2000 <= year <= this_year + 1:
        raise FormInvalid({"year": [f"年份应在 2000 至 {this_year + 1} 之间。"]})
    return year


@router.get("", response={200: WorkPlanPageOut, **READ_ERRORS}, operation_id="workplan_list", summary="工作计划列表")
def workplan_list(
    request: HttpRequest,
    year: int | None = None,
    organization: int | None = None,
    status: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """Plans filed (or returned) in the caller's scope, in tree order; `organization` includes its subtree."""
    user = request.auth
    if not get_scope(user).has_role(*STAFF):
        raise HttpError(403, "只有镇党委、指导联络组和党组织书记可以查看工作计划。")
    choice_or_422("status", status, WorkPlan.Status.choices)
    qs = WorkPlan.objects.for_user(user).select_related("organization", "filed_by")
    if year is not None:
        qs = qs.filter(year=year)
    if organization is not None:
        org = Organization.objects.for_user(user).filter(pk=organization).first()
        qs = qs.filter(organization__path__startswith=org.path) if org is not None else qs.none()
    if status:
        qs = qs.filter(status=status)
    result = paginate(qs.order_by("-year", "organization__path", "id"), page=page, page_size=page_size)
    result["items"] = [WorkPlanOut.of(p) for p in result["items"]]
    return result


@router.get("/not-filed", response={200: NotFiledOut, **READ_ERRORS}, operation_id="workplan_not_filed", summary="未备案党组织")
def workplan_not_filed(request: HttpRequest, year: int | None = None) -> Any:
    """By liaison group, as on the plans page: the town sees every group, a liaison member their own."""
    user = request.auth
    if not get_scope(user).has_role(TOWN_ADMIN, LIAISON):
        raise HttpError(403, "只有镇党委和指导联络组可以查看未备案情况。")
    year = _year(year)
    rows = plan_rows(user=user, year=year)
    return {
        "year": year,
        "organization_count": len(rows),
        "filed_count": sum(1 for r in rows if r.filed),
        "groups": [
            {"group": block.name, "organizations": [NotFiledOut.row(r) for r in block.rows]} for block in not_filed_by_group(rows)
        ],
    }


@router.get("/{id:plan_id}", response={200: WorkPlanOut, **READ_ERRORS}, operation_id="workplan_get", summary="工作计划详情")
def workplan_get(request: HttpRequest, plan_id: int) -> Any:
    return WorkPlanOut.of(get_workplan_for_user(request.auth, plan_id))


@router.get(
    "/{id:plan_id}/file", response={404: ErrorOut, 401: ErrorOut}, operation_id="workplan_download", summary="下载计划文件"
)
def workplan_download(request: HttpRequest, plan_id: int) -> Any:
    plan = get_workplan_for_user(request.auth, plan_id)
    if not plan.file:
        raise Http404
    return FileResponse(plan.file.open("rb"), as_attachment=True, filename=plan.file_name or plan.file.name)


def _file(request: HttpRequest, data: dict[str, Any], upload: Any = None) -> Any:
    user = request.auth
    scope = get_scope(user)
    if not (scope.superuser or scope.manage_paths):
        raise HttpError(403, "您没有备案工作计划的权限。")
    form = WorkPlanForm(data, {"file": upload} if upload else {}, user=user)
    cleaned = form_data(form)
    existed = WorkPlan.objects.filter(organization=cleaned["organization"], year=cleaned["year"]).exists()
    plan = workplan_file(
        organization=cleaned["organization"],
        year=cleaned["year"],
        by=user,
        title=cleaned["title"],
        text=cleaned["text"],
        file=cleaned["file"],
        expected_version=cleaned["version"],
    )
    # A first filing creates the plan (201); filing again replaces it (200).
    return Status(200 if existed else 201, WorkPlanOut.of(plan))


@router.post(
    "", response={200: WorkPlanOut, 201: WorkPlanOut, **WRITE_ERRORS}, operation_id="workplan_file", summary="备案工作计划"
)
def workplan_file_view(request: HttpRequest, payload: WorkPlanIn) -> Any:
    return _file(request, payload.model_dump())


@router.post(
    "/upload",
    response={200: WorkPlanOut, 201: WorkPlanOut, **WRITE_ERRORS},
    operation_id="workplan_upload",
    summary="备案工作计划（附文件）",
)
def workplan_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    organization: Form[int],
    year: Form[int],
    title: Form[str],
    version: Form[int],
    text: Form[str] = "",
) -> Any:
    """multipart/form-data: the plan file (PDF, Word or WPS, up to 10 MB) and the same fields as `POST /plans`."""
    data = {"organization": organization, "year": year, "title": title, "text": text, "version": version}
    return _file(request, data, file)
