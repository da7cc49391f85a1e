"""Members over the API: the same forms, services and scoping as the pages.

Personal data goes out masked. `GET /members/{id}?reveal=true` unmasks it for those allowed to
(`Member.objects.for_user(user, "reveal")`: managers of the member's organization and the member
themself) and writes an audit event; anyone else gets 403 rather than a masked answer, so a
script can never mistake masked values for the real ones. Writes look the member up in the
caller's manage scope: a member the caller may only view answers 404 like a missing one.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from qiangji.core.access import get_scope
from qiangji.core.api import ErrorOut, StaleOut, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.members.forms import MemberForm, TransferForm
from qiangji.members.models import Member
from qiangji.members.schemas import MemberIn, MemberOut, MemberPageOut, MemberPatchIn, TransferIn, TransferOut
from qiangji.members.selectors import FLAGS, can_reveal, get_member_for_user, members_list
from qiangji.members.services import member_create, member_transfer, member_update
from qiangji.orgs.models import Organization

router = Router(tags=["党员"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}
UPDATE_ERRORS = {**WRITE_ERRORS, 409: StaleOut}
# Derived from the ID number by the form; a PATCH that changes the number must not carry the old ones.
DERIVED_FIELDS = ("birth_date", "gender")


def _form_values(member: Member) -> dict[str, Any]:
    names = [n for n in MemberForm.base_fields if n not in ("organization", *DERIVED_FIELDS)]
    return {name: getattr(member, name) for name in names}


@router.get("", response={200: MemberPageOut, **READ_ERRORS}, operation_id="member_list", summary="党员列表")
def member_list(
    request: HttpRequest,
    q: str = "",
    organization: int | None = None,
    status: str = "",
    flag: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """Search by name, pinyin initials or a full ID number; `organization` includes its subtree.

    An organization the caller cannot see filters to nothing, as a missing one does.
    """
    user = request.auth
    choice_or_422("status", status, Member.Status.choices)
    choice_or_422("flag", flag, FLAGS.items())
    org = None
    if organization is not None:
        org = Organization.objects.for_user(user).filter(pk=organization).first()
        if org is None:
            return paginate(Member.objects.none(), page=page, page_size=page_size)
    result = paginate(members_list(user=user, q=q, organization=org, status=status, flag=flag), page=page, page_size=page_size)
    result["items"] = [MemberOut.of(m) for m in result["items"]]
    return result


@router.get("/{id:member_id}", response={200: MemberOut, **READ_ERRORS}, operation_id="member_get", summary="党员详情")
def member_get(request: HttpRequest, member_id: int, reveal: bool = False) -> Any:
    user = request.auth
    member = get_member_for_user(user, member_id)
    if reveal:
        if not can_reveal(user, member):
            raise HttpError(403, "您无权查看该党员的完整身份证号、联系电话和家庭住址。")
        audit(
            user=user,
            action=AuditEvent.Action.REVEAL,
            obj=member,
            fields=Member.SENSITIVE_FIELDS,
            row_count=1,
            detail={"via": "api"},
            request=request,
        )
    return MemberOut.of(member, reveal=reveal)


@router.post("", response={201: MemberOut, **WRITE_ERRORS}, operation_id="member_create", summary="登记党员")
def member_create_view(request: HttpRequest, payload: MemberIn) -> Any:
    user = request.auth
    scope = get_scope(user)
    if not (scope.superuser or scope.manage_paths):
        raise HttpError(403, "您没有登记党员的权限。")
    form = MemberForm(payload.model_dump(), user=user)
    member = member_create(by=user, data=form_data(form), source=ChangeRecord.Source.API)
    return Status(201, MemberOut.of(member))


@router.patch("/{id:member_id}", response={200: MemberOut, **UPDATE_ERRORS}, operation_id="member_update", summary="修改党员信息")
def member_update_view(request: HttpRequest, member_id: int, payload: MemberPatchIn) -> Any:
    user = request.auth
    member = get_member_for_user(user, member_id, "manage")
    form = MemberForm({**_form_values(member), **payload.model_dump(exclude_unset=True)}, user=user, instance=member)
    data = form_data(form)
    member = member_update(member=member, by=user, data=data, expected_version=data["version"], source=ChangeRecord.Source.API)
    return MemberOut.of(member)


@router.post(
    "/{id:member_id}/transfer",
    response={201: TransferOut, **WRITE_ERRORS},
    operation_id="member_transfer",
    summary="组织关系转接",
)
def member_transfer_view(request: HttpRequest, member_id: int, payload: TransferIn) -> Any:
    user = request.auth
    member = get_member_for_user(user, member_id, "manage")
    data = payload.model_dump()
    data["transferred_on"] = data["transferred_on"] or timezone.localdate()
    form = TransferForm(data, user=user, member=member)
    # The page's list leaves out the member's own organization; a client that names it anyway
    # gets the service's own 409 message rather than "not a valid choice".
    field = form.fields["to_organization"]
    field.queryset = field.queryset | Organization.objects.filter(pk=member.organization_id)
    cleaned = form_data(form)
    transfer = member_transfer(
        member=member,
        to=cleaned["to_organization"],
        by=user,
        on=cleaned["transferred_on"],
        reason=cleaned["reason"],
        source=ChangeRecord.Source.API,
    )
    return Status(201, TransferOut.of(transfer))
