"""Register pages: the entity list (filters, htmx, export), one entity with its carriers,
coverage and the history of every field, the audited phone reveal.

The coverage actions (组织覆盖/工作覆盖) are in views/coverage.py. Every write, the manual
add/edit here included, goes through services.register and leaves its history.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.forms import EntityForm
from qiangji.campaign.forms_register import CoverForm, InstructorForm
from qiangji.campaign.models import Entity
from qiangji.campaign.selectors_batches import place_names, record_changes
from qiangji.campaign.selectors_register import (
    COVERAGE_CHOICES,
    FIELD_LABELS,
    STATUS_CHOICES,
    RegisterFilters,
    can_reveal_phone,
    entities_for_list,
    entity_cards,
    entity_history,
    entity_visits,
    sees_register,
)
from qiangji.campaign.services.register import entity_apply
from qiangji.core.audit import audit
from qiangji.core.concurrency import StaleEdit
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.core.models import AuditEvent
from qiangji.core.pagination import paginate
from qiangji.core.text import clean_text
from qiangji.orgs.models import Chain, Grid, Street, Village


def is_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def require_register(request: HttpRequest) -> None:
    """Roles with no part in the campaign get a 404, like a missing page."""
    if not sees_register(request.user):
        raise Http404


def _pk(value: str | None) -> int | None:
    return parse_id((value or "").strip())


def parse_filters(params: QueryDict) -> RegisterFilters:
    """Filters from a query string; values that mean nothing are dropped, not errors."""
    kind, coverage, status = params.get("kind", ""), params.get("coverage", ""), params.get("status", "")
    return RegisterFilters(
        grid=_pk(params.get("grid")),
        village=_pk(params.get("village")),
        chain=_pk(params.get("chain")),
        street=_pk(params.get("street")),
        kind=kind if kind in Entity.Kind.values else "",
        coverage=coverage if coverage in dict(COVERAGE_CHOICES) else "",
        q=clean_text(params.get("q", ""))[:50],
        status=status if status in dict(STATUS_CHOICES) else Entity.Status.ACTIVE,
    )


@login_required
@vary_on_headers("HX-Request")
def entity_list(request: HttpRequest) -> HttpResponse:
    """The register (主体底数) as the user may see it, filtered by carrier, kind and coverage."""
    require_register(request)
    filters = parse_filters(request.GET)
    page = paginate(request, entities_for_list(user=request.user, filters=filters))
    context = {"page": page, "filters": filters, "runs_campaign": runs_campaign(request.user)}
    if is_fragment(request):
        return render(request, "campaign/_entity_table.html", context)
    context.update(
        {
            "grids": list(Grid.objects.values_list("pk", "name")),
            "villages": list(Village.objects.values_list("pk", "name")),
            "chains": list(Chain.objects.values_list("pk", "name")),
            "streets": list(Street.objects.values_list("pk", "name")),
            "kinds": Entity.Kind.choices,
            "coverages": COVERAGE_CHOICES,
            "statuses": [c for c in STATUS_CHOICES if c[0] != Entity.Status.ACTIVE],
            "export_query": request.GET.urlencode(),
        }
    )
    return render(request, "campaign/entity_list.html", context)


EXPORT_HEADERS = [
    "主体名称",
    "统一社会信用代码",
    "主体类型",
    "所在村居",
    "所属网格",
    "经营地址",
    "负责人",
    "联系电话",
    "从业人员数",
    "党员人数",
    "是否建立党组织",
    "所属产业链",
    "所属商区",
    "覆盖党组织",
    "组织覆盖方式",
    "党建指导员",
    "状态",
]


@login_required
def entity_export(request: HttpRequest) -> HttpResponse:
    """The filtered register as Excel; the phone in full only for the town, and every export
    (it carries the phone, masked or not) is written to the audit log."""
    require_register(request)
    filters = parse_filters(request.GET)
    unmasked = runs_campaign(request.user)
    qs = entities_for_list(user=request.user, filters=filters)
    today = timezone.localdate()

    def rows():
        for e in qs.iterator(chunk_size=2000):
            yield [
                e.name,
                e.credit_code,
                e.get_kind_display(),
                e.village.name,
                e.village.grid.name if e.village.grid_id else "",
                e.address,
                e.person_in_charge,
                e.phone if unmasked else e.phone_masked,
                e.employees,
                e.party_members,
                e.has_party_org,
                "、".join(c.name for c in e.chains.all()),
                e.street.name if e.street_id else "",
                e.covering_organization.name if e.covering_organization_id else "",
                e.get_org_coverage_display() if e.org_coverage else "",
                str(e.instructor) if e.instructor_id else "",
                e.get_status_display(),
            ]

    return xlsx_response(
        request=request,
        filename=f"新兴领域主体底数_{today:%Y%m%d}.xlsx",
        title="新兴领域主体底数",
        headers=EXPORT_HEADERS,
        rows=rows(),
        object_type="campaign.Entity",
        personal_fields=["phone"],
        unmasked=unmasked,
        filters=filters.as_log(),
    )


def _history_rows(entity: Entity, *, revealed: bool) -> list[dict[str, Any]]:
    """Each written value with its field label, a phone masked unless the page is the audited
    reveal; the template links its batch and visit."""
    return [
        {"change": c, "label": FIELD_LABELS.get(c.field, c.field), "pair": c.shown_pair(revealed=revealed)}
        for c in entity_history(entity)
    ]


def coverage_context(request: HttpRequest, entity: Entity, **bound: Any) -> dict[str, Any]:
    """The coverage card: the entity's two coverages and, for the town, the two forms."""
    town = runs_campaign(request.user)
    return {
        "entity": entity,
        "runs_campaign": town,
        "cover_form": bound.get("cover_form") or (CoverForm(entity=entity) if town else None),
        "instructor_form": bound.get("instructor_form") or (InstructorForm(entity=entity) if town else None),
        "open_form": bound.get("open_form", ""),
        "done": bound.get("done", ""),
    }


def detail_context(request: HttpRequest, entity: Entity, *, revealed: bool = False, **bound: Any) -> dict[str, Any]:
    records = entity.records.select_related("batch").order_by("-batch__created_at", "-id")
    names = place_names()
    context = coverage_context(request, entity, **bound)
    context.update(
        {
            "revealed": revealed,
            "can_reveal": can_reveal_phone(request.user, entity),
            "grid": entity.village.grid,
            "chains": list(entity.chains.all()),
            "history": _history_rows(entity, revealed=revealed),
            "records": [{"record": r, "changes": record_changes(r, names)} for r in records],
            "visits": entity_visits(entity, request.user),
            "cards": entity_cards(entity),
            "register_url": reverse("campaign:entity_list"),
        }
    )
    return context


def get_entity(request: HttpRequest, pk: int) -> Entity:
    """The entity if the user may see it (404 alike for missing and forbidden), with its links."""
    require_register(request)
    related = Entity.objects.for_user(request.user).select_related(
        "village__grid", "street", "covering_organization", "instructor"
    )
    return get_object_or_404(related, pk=pk)


@login_required
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One entity: facts, carriers, coverage, the history of every field with its source, the
    batch records about it, its visits and service cards."""
    entity = get_entity(request, pk)
    return render(request, "campaign/entity_detail.html", detail_context(request, entity))


@login_required
@require_POST
def entity_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone in full, each read written to the audit log; others answer 404 like a missing page."""
    entity = get_entity(request, pk)
    if not can_reveal_phone(request.user, entity):
        raise Http404
    audit(user=request.user, action=AuditEvent.Action.REVEAL, obj=entity, fields=["phone"], request=request)
    if is_fragment(request):
        return render(request, "campaign/_entity_phone.html", {"entity": entity, "revealed": True})
    return render(request, "campaign/entity_detail.html", detail_context(request, entity, revealed=True))


def _require_town_write(request: HttpRequest) -> None:
    """Manual register writes are the town's: 403 for roles that see the register, 404 for others."""
    require_register(request)
    if not runs_campaign(request.user):
        raise PermissionDenied("只有镇党委管理员可以手工登记或修改主体信息")


def _initial(entity: Entity) -> dict[str, Any]:
    # The phone is not put back in the form: showing it in full would be an unlogged read, so a
    # blank phone on edit keeps the one on record.
    return {
        "name": entity.name,
        "credit_code": entity.credit_code,
        "kind": entity.kind,
        "village": entity.village_id,
        "address": entity.address,
        "person_in_charge": entity.person_in_charge,
        "employees": entity.employees,
        "party_members": entity.party_members,
        "has_party_org": entity.has_party_org,
        "chains": [c.pk for c in entity.chains.all()],
        "street": entity.street_id,
    }


def _entity_form_page(request: HttpRequest, entity: Entity | None) -> HttpResponse:
    """Add (entity=None) or edit an entity by hand through the same form as the sheet import."""
    form = EntityForm(request.POST or None, user=request.user, instance=entity, initial=_initial(entity) if entity else None)
    if request.method == "POST" and form.is_valid():
        values = form.register_values()
        if entity is not None and not values["phone"]:
            values.pop("phone")
        try:
            with transaction.atomic():
                saved, changed = entity_apply(
                    values=values,
                    by=request.user,
                    entity=entity,
                    note="镇党委手工修改" if entity else "镇党委手工登记",
                    expected_version=form.cleaned_data["version"],
                )
        except StaleEdit as stale:
            form.show_stale(stale)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if entity is None:
                messages.success(request, f"已登记主体“{saved.name}”。")
            elif changed:
                messages.success(request, f"已修改{len(changed)}项信息，变更记录已保存。")
            else:
                messages.info(request, "信息没有变化，未作修改。")
            return redirect("campaign:entity_detail", saved.pk)
    chosen = {str(c) for c in (form["chains"].value() or [])}
    context = {
        "form": form,
        "entity": entity,
        "chain_options": [(c.pk, c.name, str(c.pk) in chosen) for c in Chain.objects.all()],
    }
    return render(request, "campaign/entity_form.html", context)


@login_required
def entity_add(request: HttpRequest) -> HttpResponse:
    _require_town_write(request)
    return _entity_form_page(request, None)


@login_required
def entity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_entity(request, pk)
    _require_town_write(request)
    return _entity_form_page(request, entity)


urlpatterns = [
    path("entities/", entity_list, name="entity_list"),
    path("entities/new/", entity_add, name="entity_add"),
    path("entities/<id:pk>/edit/", entity_edit, name="entity_edit"),
    path("entities/export/", entity_export, name="entity_export"),
    path("entities/<id:pk>/", entity_detail, name="entity_detail"),
    path("entities/<id:pk>/reveal/", entity_reveal, name="entity_reveal"),
]
