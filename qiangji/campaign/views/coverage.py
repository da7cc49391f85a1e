"""Coverage pages: the "5+2+7" view (5 chains, 2 streets, 7 grids), a carrier's uncovered
entities, and the two coverage actions (组织覆盖 / 工作覆盖) on an entity.

Rates (also in docs/campaign_coverage.md and the page's footnote), over a carrier's *active*
entities: org coverage = linked to a covering Party organization ÷ active; work coverage = served
by an instructor ÷ active; covered = either ÷ active. Each kind is one grouped query.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.forms_register import CoverForm, InstructorForm
from qiangji.campaign.models import CarrierKind, Entity
from qiangji.campaign.selectors import CARRIER_MODELS, CoverageRow, carrier_entities, coverage_by_carrier, coverage_town
from qiangji.campaign.selectors_register import reads_coverage
from qiangji.campaign.services.register import entity_assign_instructor, entity_cover
from qiangji.campaign.views.entities import coverage_context, detail_context, get_entity, is_fragment
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate

BLOCK_TITLES = {CarrierKind.CHAIN: "条产业链", CarrierKind.STREET: "个商业街区", CarrierKind.GRID: "个网格"}
ONLY_TOWN = "只有镇党委管理员可以调整覆盖情况"


def require_coverage(request: HttpRequest) -> None:
    if not reads_coverage(request.user):
        raise Http404


@login_required
def coverage_index(request: HttpRequest) -> HttpResponse:
    """The "5+2+7" view: per carrier its active entities, org/work coverage and rates, and the town."""
    require_coverage(request)
    blocks = []
    chart: dict[str, list[Any]] = {"names": [], "org": [], "work": [], "covered": []}
    for kind in (CarrierKind.CHAIN, CarrierKind.STREET, CarrierKind.GRID):
        rows = coverage_by_carrier(kind)
        blocks.append({"kind": kind, "label": kind.label, "title": f"{len(rows)}{BLOCK_TITLES[kind]}", "rows": rows})
        for row in rows:
            chart["names"].append(row.name)
            chart["org"].append(row.org_rate)
            chart["work"].append(row.work_rate)
            chart["covered"].append(row.covered_rate)
    town = coverage_town()
    context = {"blocks": blocks, "town": town, "town_rows": [town], "chart": chart, "runs_campaign": runs_campaign(request.user)}
    return render(request, "campaign/coverage_index.html", context)


def carrier_figures(kind: str, pk: int) -> CoverageRow:
    rows = coverage_by_carrier(kind, pk=pk)
    if not rows:
        raise Http404
    return rows[0]


@login_required
def coverage_carrier(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A carrier's uncovered active entities (those the user may see), with the two cover actions
    for the town."""
    require_coverage(request)
    if kind not in CARRIER_MODELS:
        raise Http404
    figures = carrier_figures(kind, pk)
    entities = (
        carrier_entities(kind, pk)
        .uncovered()
        .for_user(request.user)
        .select_related("village__grid", "street")
        .order_by("village__name", "name", "pk")
    )
    context = {
        "kind": kind,
        "kind_label": CarrierKind(kind).label,
        "figures": figures,
        "page": paginate(request, entities),
        "runs_campaign": runs_campaign(request.user),
        "carrier_ref": figures.ref,
    }
    return render(request, "campaign/coverage_carrier.html", context)


def _carrier(request: HttpRequest) -> tuple[str, int] | None:
    """The carrier of the uncovered list a cover action came from (it answers with that list's row)."""
    kind, _, pk = request.POST.get("carrier", request.GET.get("carrier", "")).partition(":")
    if kind in CARRIER_MODELS and parse_id(pk) is not None:
        return kind, int(pk)
    return None


def _respond(request: HttpRequest, entity: Entity, *, ok: bool, message: str, which: str, form: Any) -> HttpResponse:
    """One answer for both actions: the list row or the entity's coverage card (htmx), else a
    redirect after success or the detail page with the refused form."""
    carrier = _carrier(request)
    entity = get_entity(request, entity.pk)
    bound = {} if ok else {f"{which}_form": form, "open_form": which}
    if is_fragment(request):
        if carrier is not None:
            context = coverage_context(request, entity, **bound)
            context.update({"carrier_ref": f"{carrier[0]}:{carrier[1]}", "done": message if ok else "", "oob": ok})
            if ok:
                context["figures"] = carrier_figures(*carrier)
            return render(request, "campaign/_coverage_item.html", context)
        return render(
            request, "campaign/_entity_coverage.html", coverage_context(request, entity, done=message if ok else "", **bound)
        )
    if ok:
        messages.success(request, message)
        if carrier is not None:
            return redirect(reverse("campaign:coverage_carrier", args=carrier))
        return redirect("campaign:entity_detail", entity.pk)
    return render(request, "campaign/entity_detail.html", detail_context(request, entity, **bound))


@login_required
@require_http_methods(["GET", "POST"])
def entity_cover_view(request: HttpRequest, pk: int) -> HttpResponse:
    """组织覆盖: GET gives the two forms for a row of the uncovered list (htmx); POST links the
    entity to its covering organization, or removes the link."""
    entity = get_entity(request, pk)
    if not runs_campaign(request.user):
        raise PermissionDenied(ONLY_TOWN)
    if request.method == "GET":
        carrier = _carrier(request)
        context = coverage_context(request, entity)
        context.update({"carrier_ref": f"{carrier[0]}:{carrier[1]}" if carrier else "", "open_form": "cover"})
        return render(request, "campaign/_coverage_item.html", context)
    form = CoverForm(request.POST, entity=entity)
    if form.is_valid():
        organization, how = form.cleaned_data["organization"], form.cleaned_data["how"]
        try:
            entity_cover(entity=entity, by=request.user, organization=organization, how=how)
        except DomainError as error:
            form.add_error("organization" if error.field != "org_coverage" else "how", error.message)
        else:
            message = f"已登记组织覆盖：{organization}（{Entity.OrgCoverage(how).label}）" if organization else "已取消组织覆盖"
            return _respond(request, entity, ok=True, message=message, which="cover", form=form)
    return _respond(request, entity, ok=False, message="", which="cover", form=form)


@login_required
@require_POST
def entity_instructor_view(request: HttpRequest, pk: int) -> HttpResponse:
    """工作覆盖: name the Party-building instructor serving the entity, or nobody."""
    entity = get_entity(request, pk)
    if not runs_campaign(request.user):
        raise PermissionDenied(ONLY_TOWN)
    form = InstructorForm(request.POST, entity=entity)
    if form.is_valid():
        instructor = form.cleaned_data["instructor"]
        try:
            entity_assign_instructor(entity=entity, by=request.user, instructor=instructor)
        except DomainError as error:
            form.add_error("username" if form.cleaned_data.get("username") else "instructor", error.message)
        else:
            message = f"已指定党建指导员：{instructor}" if instructor else "已取消工作覆盖"
            return _respond(request, entity, ok=True, message=message, which="instructor", form=form)
    return _respond(request, entity, ok=False, message="", which="instructor", form=form)


urlpatterns = [
    path("coverage/", coverage_index, name="coverage"),
    path("coverage/<str:kind>/<id:pk>/", coverage_carrier, name="coverage_carrier"),
    path("entities/<id:pk>/cover/", entity_cover_view, name="entity_cover"),
    path("entities/<id:pk>/instructor/", entity_instructor_view, name="entity_instructor"),
]
