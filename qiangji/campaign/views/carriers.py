"""Campaign pages: the "5+2+7" carriers with their committees (链委会/街委会/片委会) and the ten
roles (十员) of each grid.

Secretaries, liaison groups and visiting teams read them; the town admin edits them. Members and
the public get 404 (the public has the voice channel instead). Seat and role edits answer htmx
with the fragment they change, carrying its own error (htmx swaps only 2xx answers); without
scripts they come back to the page.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.forms_carriers import CommitteeForm, GridRoleForm, SeatForm
from qiangji.campaign.models import CarrierCommittee, CommitteeMember, GridRole
from qiangji.campaign.services.carriers import (
    COMMITTEE_SUFFIX,
    CarrierCard,
    carriers_board,
    committee_create,
    committee_default_name,
    committee_seat_add,
    committee_seat_move,
    committee_seat_remove,
    committee_update,
    get_carrier,
    get_committee,
    grid_role_add,
    grid_role_remove,
    may_read_carriers,
)
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.orgs.models import Grid, Village


def _require_reader(request: HttpRequest) -> None:
    # The carriers are the town's structure for its cadres; for members it is not a page.
    if not may_read_carriers(request.user):
        raise Http404


def _require_editor(request: HttpRequest) -> None:
    _require_reader(request)
    if not runs_campaign(request.user):
        raise PermissionDenied("载体委员会和网格十员由镇党委维护")


def _is_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def _apply_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def carriers(request: HttpRequest) -> HttpResponse:
    """The 5 chains, 2 streets and 7 grids, each with its committee and seats; grids with their
    villages and ten roles."""
    _require_reader(request)
    sections = carriers_board()
    cards = [card for _, group in sections for card in group]
    context = {
        "sections": sections,
        "can_edit": runs_campaign(request.user),
        "committees_set": sum(1 for card in cards if card.committee),
        "carrier_count": len(cards),
    }
    return render(request, "campaign/carrier_list.html", context)


@login_required
def committee_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Set up the committee of one carrier."""
    _require_editor(request)
    carrier = get_carrier(kind, pk)
    existing = CarrierCommittee.objects.filter(carrier_kind=kind, **{kind: carrier}).first()
    if existing is not None and request.method == "GET":
        messages.info(request, f"{carrier.name}已成立{existing.name}。")
        return redirect("campaign:committee_detail", existing.pk)
    form = CommitteeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                committee = committee_create(by=request.user, kind=kind, carrier_id=carrier.pk, data=form.cleaned_data)
            except DomainError as error:
                _apply_error(form, error)
            else:
                messages.success(request, f"已成立{committee.name}，请添加委员会成员。")
                return redirect("campaign:committee_detail", committee.pk)
    context = {
        "form": form,
        "carrier": carrier,
        "word": COMMITTEE_SUFFIX[kind],
        "default_name": committee_default_name(kind, carrier),
    }
    return render(request, "campaign/committee_form.html", context, status=status)


def _detail_context(request: HttpRequest, committee: CarrierCommittee, **extra: Any) -> dict[str, Any]:
    return {
        "committee": committee,
        "carrier": committee.carrier,
        "seats": list(committee.seats.all()),
        "can_edit": runs_campaign(request.user),
        "seat_form": SeatForm(),
        **extra,
    }


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    committee = get_committee(pk)
    return render(request, "campaign/committee_detail.html", _detail_context(request, committee))


@login_required
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    committee = get_committee(pk)
    initial = {
        "name": committee.name,
        "established_on": committee.established_on,
        "organization": committee.organization_id,
        "duties": committee.duties,
    }
    form = CommitteeForm(request.POST or None, initial=initial, instance=committee)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                committee_update(
                    by=request.user, committee=committee, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            except StaleEdit as stale:
                form.show_stale(stale)
            except DomainError as error:
                _apply_error(form, error)
            else:
                messages.success(request, "已保存委员会信息。")
                return redirect("campaign:committee_detail", committee.pk)
    kind = committee.carrier_kind
    context = {
        "form": form,
        "committee": committee,
        "carrier": committee.carrier,
        "word": COMMITTEE_SUFFIX[kind],
        "default_name": committee_default_name(kind, committee.carrier),
    }
    return render(request, "campaign/committee_form.html", context, status=status)


def _seats_answer(request: HttpRequest, committee_pk: int, *, form: Any = None, error: str = "", done: str = "") -> HttpResponse:
    """After a seat edit: the seats fragment for htmx, the page otherwise (400 on a refusal)."""
    committee = get_committee(committee_pk)
    failed = bool(error or (form is not None and form.errors))
    if not _is_fragment(request) and not failed:
        messages.success(request, done)
        return redirect("campaign:committee_detail", committee.pk)
    context = _detail_context(request, committee, seat_error=error, seat_done="" if failed else done)
    if form is not None and failed:
        context["seat_form"] = form
    if _is_fragment(request):
        return render(request, "campaign/_committee_seats.html", context)
    return render(request, "campaign/committee_detail.html", context, status=400)


@login_required
@require_POST
def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    committee = get_object_or_404(CarrierCommittee, pk=pk)
    form = SeatForm(request.POST)
    if form.is_valid():
        try:
            seat = committee_seat_add(by=request.user, committee=committee, data=form.cleaned_data)
        except DomainError as error:
            _apply_error(form, error)
        else:
            return _seats_answer(request, committee.pk, done=f"已添加{seat.duty}{seat.name}。")
    return _seats_answer(request, committee.pk, form=form)


def _seat(committee_pk: int, seat_pk: int) -> CommitteeMember:
    return get_object_or_404(CommitteeMember.objects.select_related("committee"), pk=seat_pk, committee_id=committee_pk)


@login_required
@require_POST
def seat_remove(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    _require_editor(request)
    seat = _seat(pk, seat_pk)
    try:
        committee_seat_remove(by=request.user, seat=seat)
    except DomainError as error:
        return _seats_answer(request, pk, error=error.message)
    return _seats_answer(request, pk, done=f"已移除{seat.name}。")


@login_required
@require_POST
def seat_move(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    _require_editor(request)
    seat = _seat(pk, seat_pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _seats_answer(request, pk, error="请选择上移或下移")
    try:
        committee_seat_move(by=request.user, seat=seat, offset=-1 if direction == "up" else 1)
    except DomainError as error:
        return _seats_answer(request, pk, error=error.message)
    return _seats_answer(request, pk, done=f"已{'上' if direction == 'up' else '下'}移{seat.name}。")


# Grid roles (十员) ----------------------------------------------------------------------------


def _grid_context(request: HttpRequest, grid: Grid, **extra: Any) -> dict[str, Any]:
    people = list(GridRole.objects.filter(grid=grid).select_related("user").order_by("id"))
    card = CarrierCard(
        "grid",
        grid,
        villages=list(Village.objects.filter(grid=grid).order_by("name")),
        roles=[(label, [r for r in people if r.role == value]) for value, label in GridRole.Role.choices],
    )
    return {"grid": grid, "card": card, "can_edit": runs_campaign(request.user), "role_form": GridRoleForm(), **extra}


def _roles_answer(request: HttpRequest, grid: Grid, *, form: Any = None, error: str = "", done: str = "") -> HttpResponse:
    failed = bool(error or (form is not None and form.errors))
    if not _is_fragment(request) and not failed:
        messages.success(request, done)
        return redirect("campaign:grid_roles", grid.pk)
    # An add's refusal shows by the add form (on a phone the table above is long); a removal's on top.
    where = "role_add_error" if form is not None else "role_error"
    context = _grid_context(request, grid, **{where: error}, role_done="" if failed else done)
    if form is not None and failed:
        context["role_form"] = form
    if _is_fragment(request):
        return render(request, "campaign/_gridrole_table.html", context)
    return render(request, "campaign/gridrole_list.html", context, status=400)


@login_required
def grid_roles(request: HttpRequest, pk: int) -> HttpResponse:
    """One grid's villages and ten roles; the town adds and removes people here."""
    _require_reader(request)
    grid = get_object_or_404(Grid, pk=pk)
    if request.method == "POST":
        _require_editor(request)
        form = GridRoleForm(request.POST)
        if form.is_valid():
            try:
                person = grid_role_add(by=request.user, grid=grid, data=form.cleaned_data)
            except DomainError as error:
                _apply_error(form, error)
            else:
                return _roles_answer(request, grid, done=f"已添加{person.get_role_display()}{person.name}。")
        return _roles_answer(request, grid, form=form)
    return render(request, "campaign/gridrole_list.html", _grid_context(request, grid))


@login_required
@require_POST
def grid_role_delete(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    _require_editor(request)
    grid = get_object_or_404(Grid, pk=pk)
    person = get_object_or_404(GridRole, pk=role_pk, grid=grid)
    try:
        grid_role_remove(by=request.user, role=person)
    except DomainError as error:
        return _roles_answer(request, grid, error=error.message)
    return _roles_answer(request, grid, done=f"已移除{person.get_role_display()}{person.name}。")


urlpatterns: list = [
    path("carriers/", carriers, name="carriers"),
    path("carriers/<str:kind>/<id:pk>/committee/", committee_new, name="committee_create"),
    path("committees/<id:pk>/", committee_detail, name="committee_detail"),
    path("committees/<id:pk>/edit/", committee_edit, name="committee_edit"),
    path("committees/<id:pk>/seats/", seat_add, name="seat_add"),
    path("committees/<id:pk>/seats/<id:seat_pk>/remove/", seat_remove, name="seat_remove"),
    path("committees/<id:pk>/seats/<id:seat_pk>/move/", seat_move, name="seat_move"),
    path("grids/<id:pk>/roles/", grid_roles, name="grid_roles"),
    path("grids/<id:pk>/roles/<id:role_pk>/remove/", grid_role_delete, name="grid_role_remove"),
]
