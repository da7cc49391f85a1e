"""The brief's figures over the API: the same counts and sentences as the page."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError

from qiangji.briefs.forms import RangeForm
from qiangji.briefs.models import WorkBrief
from qiangji.briefs.schemas import FiguresOut
from qiangji.briefs.selectors import brief_part, figures_payload, sees_briefs
from qiangji.briefs.writing import paragraphs
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut
from qiangji.orgs.models import LiaisonGroup, Organization

router = Router(tags=["工作简报"])
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# The form's field names → the query parameters a caller sends.
PARAMS = {"start": "from", "end": "to", "organization": "organization", "group": "group"}


@router.get("/figures", response={200: FiguresOut, **READ_ERRORS}, operation_id="brief_figures", summary="工作简报数据")
def brief_figures_view(
    request: HttpRequest,
    date_from: str = Query("", alias="from", description="开始日期 YYYY-MM-DD，默认今年1月1日"),
    date_to: str = Query("", alias="to", description="结束日期 YYYY-MM-DD，默认今天"),
    organization: str = Query("", description="党组织编号（含下级）；默认本人负责的全部"),
    group: str = Query("", description="指导联络组编号：该组联系的党组织"),
    style: str = Query("exact", description="exact 准确数字；publicity 宣传稿（约数）"),
) -> Any:
    """Each figure counted by its module for the range and part (one the caller cannot see: 404),
    and the paragraphs written from them in the article's order."""
    user = request.auth
    if not sees_briefs(user):
        raise HttpError(403, "只有镇党委、指导联络组和党组织书记可以查看工作简报。")
    form = RangeForm.of(
        {"from": date_from, "to": date_to, "organization": organization, "group": group}, today=timezone.localdate()
    )
    errors = {} if form.is_valid() else {PARAMS.get(k, k): list(v) for k, v in form.errors.items()}
    if style not in WorkBrief.Style.values:
        errors["style"] = ["口径应为 exact（准确数字）或 publicity（宣传稿）。"]
    if errors:
        raise FormInvalid(errors)
    data = form.cleaned_data
    org = get_object_or_404(Organization.objects.for_user(user), pk=data["organization"]) if data["organization"] else None
    chosen = get_object_or_404(LiaisonGroup, pk=data["group"]) if data["group"] else None
    part = brief_part(user=user, organization=org, group=chosen)
    figures = figures_payload(start=data["start"], end=data["end"], part=part, user=user)
    return {
        "start": data["start"],
        "end": data["end"],
        "part": part.label,
        "style": style,
        "figures": figures,
        "paragraphs": [f"{p.heading}。{p.text}" for p in paragraphs(figures, style=style)],
    }
