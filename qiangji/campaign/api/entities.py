"""API: the entity register (/api/v1/entities) and its two coverage actions.

Who may: the register is read by those who have register pages (town, secretaries and liaison
groups read-only, team members their grids); plain members get 403. The phone comes in full
only to those who run the campaign, and such a read is audit-logged. Coverage writes are the
town's: 404 for an entity the caller cannot see, 403 for one they can see but not change.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.forms_register import NONE, CoverForm
from qiangji.campaign.models import Entity
from qiangji.campaign.schemas import CoverIn, EntityChangeOut, EntityDetailOut, EntityOut, EntityPageOut, InstructorIn
from qiangji.campaign.selectors_register import (
    COVERAGE_CHOICES,
    FIELD_LABELS,
    STATUS_CHOICES,
    RegisterFilters,
    entities_for_list,
    entity_cards,
    entity_history,
    sees_register,
)
from qiangji.campaign.services.register import entity_assign_instructor, entity_cover
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent
from qiangji.core.text import clean_text

router = Router(tags=["新连心攻坚"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut}
NO_REGISTER = "只有镇党委、党组织书记、指导联络组和走访队员可以查看新兴领域主体。"
RELATED = ("village__grid", "street", "covering_organization", "instructor")


def _require_register(user: Any) -> None:
    if not sees_register(user):
        raise HttpError(403, NO_REGISTER)


def _entity(user: Any, entity_id: int) -> Entity:
    _require_register(user)
    return get_object_or_404(Entity.objects.for_user(user).select_related(*RELATED), pk=entity_id)


def _log_unmasked(request: HttpRequest, entities: list[Entity], obj: Entity | None = None) -> None:
    """RULES.md: every read of an unmasked value is audit-logged (one event per answer)."""
    with_phone = [e for e in entities if e.phone]
    if with_phone:
        audit(
            user=request.auth,
            action=AuditEvent.Action.REVEAL,
            obj=obj,
            object_type="campaign.Entity",
            fields=["phone"],
            row_count=len(with_phone),
            detail={"api": request.path, "ids": [e.pk for e in with_phone][:100]},
            request=request,
        )


def _detail(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    unmasked = runs_campaign(request.auth)
    if unmasked:
        _log_unmasked(request, [entity], entity)
    return {
        **EntityOut.fields_of(entity, unmasked=unmasked),
        "history": [EntityChangeOut.of(c, FIELD_LABELS, unmasked=unmasked) for c in entity_history(entity)],
        "service_cards": [c.number for c in entity_cards(entity)],
    }


@router.get("", response={200: EntityPageOut, **READ_ERRORS}, operation_id="entity_list", summary="新兴领域主体底数")
def entity_list(
    request: HttpRequest,
    grid: int | None = None,
    village: int | None = None,
    chain: int | None = None,
    street: int | None = None,
    kind: str = "",
    coverage: str = "",
    status: str = Entity.Status.ACTIVE,
    q: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """The register the caller may see. `coverage`: org / work / covered / uncovered; `status`:
    active (default) / closed / all; `q`: part of the name or the start of the credit code."""
    user = request.auth
    _require_register(user)
    choice_or_422("kind", kind, Entity.Kind.choices)
    choice_or_422("coverage", coverage, COVERAGE_CHOICES)
    choice_or_422("status", status, STATUS_CHOICES)
    filters = RegisterFilters(
        grid=grid,
        village=village,
        chain=chain,
        street=street,
        kind=kind,
        coverage=coverage,
        q=clean_text(q)[:50],
        status=status or Entity.Status.ACTIVE,
    )
    result = paginate(entities_for_list(user=user, filters=filters), page=page, page_size=page_size)
    unmasked = runs_campaign(user)
    if unmasked:
        _log_unmasked(request, result["items"])
    result["items"] = [EntityOut.fields_of(e, unmasked=unmasked) for e in result["items"]]
    return result


@router.get("/{id:entity_id}", response={200: EntityDetailOut, **READ_ERRORS}, operation_id="entity_get", summary="主体详情")
def entity_get(request: HttpRequest, entity_id: int) -> Any:
    """One entity with its carriers, coverage, the history of every field (with its batch and
    visit) and its service card numbers."""
    return _detail(request, _entity(request.auth, entity_id))


@router.post(
    "/{id:entity_id}/cover", response={200: EntityDetailOut, **WRITE_ERRORS}, operation_id="entity_cover", summary="组织覆盖"
)
def entity_cover_api(request: HttpRequest, entity_id: int, payload: CoverIn) -> Any:
    """Link the entity to the Party organization covering it (`how`: own / joint), or remove the
    link with `organization_id: null`."""
    entity = _entity(request.auth, entity_id)
    if not runs_campaign(request.auth):
        raise HttpError(403, "只有镇党委管理员可以调整覆盖情况")
    choice = NONE if payload.organization_id is None else str(payload.organization_id)
    try:
        data = form_data(CoverForm(data={"organization": choice, "how": payload.how}, entity=entity))
    except FormInvalid as invalid:
        # The API names the field by its JSON key, the form by its page field.
        raise FormInvalid({"organization_id" if k == "organization" else k: v for k, v in invalid.errors.items()})
    entity_cover(entity=entity, by=request.auth, organization=data["organization"], how=data["how"])
    return _detail(request, _entity(request.auth, entity_id))


@router.post(
    "/{id:entity_id}/instructor",
    response={200: EntityDetailOut, **WRITE_ERRORS},
    operation_id="entity_instructor",
    summary="工作覆盖（党建指导员）",
)
def entity_instructor_api(request: HttpRequest, entity_id: int, payload: InstructorIn) -> Any:
    """Name the instructor serving the entity (any active account), or nobody with `user_id: null`."""
    entity = _entity(request.auth, entity_id)
    if not runs_campaign(request.auth):
        raise HttpError(403, "只有镇党委管理员可以调整覆盖情况")
    instructor = None
    if payload.user_id is not None:
        instructor = get_user_model().objects.filter(pk=payload.user_id).first()
        if instructor is None:
            raise FormInvalid({"user_id": [f"编号为{payload.user_id}的用户不存在"]})
    entity_assign_instructor(entity=entity, by=request.auth, instructor=instructor)
    return _detail(request, _entity(request.auth, entity_id))
