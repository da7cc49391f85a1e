"""Organizations over the API: the same form, services and scoping as the pages.

Writes look the organization up in the caller's *manage* scope, so an organization the caller
may only view answers 404 exactly like a missing one.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from qiangji.core.access import get_scope
from qiangji.core.api import ErrorOut, StaleOut, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.core.models import ChangeRecord
from qiangji.orgs.forms import OrganizationForm
from qiangji.orgs.models import Organization
from qiangji.orgs.schemas import OrganizationIn, OrganizationOut, OrganizationPageOut, OrganizationPatchIn
from qiangji.orgs.selectors import get_organization_for_user, organizations_visible
from qiangji.orgs.services import organization_create, organization_update

router = Router(tags=["党组织"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}
UPDATE_ERRORS = {**WRITE_ERRORS, 409: StaleOut}


def _form_values(org: Organization) -> dict[str, Any]:
    """The organization as OrganizationForm data, so a PATCH can change only what it sends."""
    return {
        "name": org.name,
        "kind": org.kind,
        "parent": org.parent_id,
        "unit": org.unit_id,
        "village": org.village_id,
        "founded_on": org.founded_on,
        "term_start": org.term_start,
        "term_end": org.term_end,
        "has_committee": org.has_committee,
    }


@router.get("", response={200: OrganizationPageOut, **READ_ERRORS}, operation_id="organization_list", summary="党组织列表")
def organization_list(
    request: HttpRequest,
    kind: str = "",
    parent: int | None = None,
    q: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """The organizations the caller may see, in tree order. `parent` lists direct children."""
    qs = organizations_visible(user=request.auth)
    if choice_or_422("kind", kind, Organization.Kind.choices):
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if q.strip():
        qs = qs.filter(name__contains=q.strip())
    return paginate(qs.order_by("path"), page=page, page_size=page_size)


@router.get("/{id:org_id}", response={200: OrganizationOut, **READ_ERRORS}, operation_id="organization_get", summary="党组织详情")
def organization_get(request: HttpRequest, org_id: int) -> Any:
    return get_organization_for_user(request.auth, org_id)


@router.post("", response={201: OrganizationOut, **WRITE_ERRORS}, operation_id="organization_create", summary="新增党组织")
def organization_create_view(request: HttpRequest, payload: OrganizationIn) -> Any:
    user = request.auth
    scope = get_scope(user)
    if not (scope.superuser or scope.manage_paths):
        raise HttpError(403, "您没有新增党组织的权限。")
    # A new root is a new town: only an operator (superuser) sets one up over the API.
    form = OrganizationForm(payload.model_dump(), user=user, allow_root=scope.superuser)
    org = organization_create(by=user, data=form_data(form), source=ChangeRecord.Source.API)
    return Status(201, get_organization_for_user(user, org.pk))


@router.patch(
    "/{id:org_id}",
    response={200: OrganizationOut, **UPDATE_ERRORS},
    operation_id="organization_update",
    summary="修改党组织",
)
def organization_update_view(request: HttpRequest, org_id: int, payload: OrganizationPatchIn) -> Any:
    user = request.auth
    org = get_organization_for_user(user, org_id, "manage")
    data = {**_form_values(org), **payload.model_dump(exclude_unset=True)}
    form = OrganizationForm(data, user=user, instance=org, allow_root=get_scope(user).superuser)
    cleaned = form_data(form)
    organization_update(
        organization=org, by=user, data=cleaned, expected_version=cleaned["version"], source=ChangeRecord.Source.API
    )
    return get_organization_for_user(user, org.pk)
