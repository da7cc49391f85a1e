"""Position pages: the tree ("一核十村百点" and chain stations) with profiles and "1+4" resources,
one position, editing its profile and resource list (town admin or its organization's manager)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.positions.forms import ProfileForm, ResourceForm
from qiangji.positions.models import PositionResource
from qiangji.positions.selectors import get_position, grouped_resources, position_tree, require_positions
from qiangji.positions.services import (
    PROFILE_FIELDS,
    may_edit_position,
    position_profile_update,
    position_resource_add,
    position_resource_remove,
)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    require_positions(request.user)
    return render(request, "positions/tree.html", position_tree())


def _render_position(request: HttpRequest, position, *, form=None, resource_form=None, status=200) -> HttpResponse:
    editable = may_edit_position(request.user, position)
    context = {
        "position": position,
        "grouped": grouped_resources(position),
        "editable": editable,
        "children": position.children.order_by("kind", "name"),
        "form": form
        or (ProfileForm(initial={f: getattr(position, f) for f in PROFILE_FIELDS}, instance=position) if editable else None),
        "resource_form": resource_form or (ResourceForm() if editable else None),
    }
    return render(request, "positions/position.html", context, status=status)


@login_required
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_position(request.user, pk)
    if request.method == "POST":
        if not may_edit_position(request.user, position):
            raise PermissionDenied("您无权修改该阵地的信息")
        form = ProfileForm(request.POST, instance=position)
        if form.is_valid():
            try:
                position_profile_update(
                    position=position, by=request.user, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            except StaleEdit as stale:
                form.show_stale(stale)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, "已保存阵地信息。")
                return redirect("positions:position", position.pk)
        return _render_position(request, position, form=form, status=400)
    return _render_position(request, position)


@login_required
@require_POST
def resource_add(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_position(request.user, pk)
    if not may_edit_position(request.user, position):
        raise PermissionDenied("您无权修改该阵地的资源清单")
    form = ResourceForm(request.POST)
    if form.is_valid():
        try:
            position_resource_add(position=position, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "已添加资源。")
            return redirect("positions:position", position.pk)
    return _render_position(request, position, resource_form=form, status=400)


@login_required
@require_POST
def resource_remove(request: HttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    position = get_position(request.user, pk)
    resource = get_object_or_404(PositionResource, pk=resource_pk, position=position)
    position_resource_remove(resource=resource, by=request.user)
    messages.success(request, f"已删除资源“{resource.name}”。")
    return redirect("positions:position", position.pk)
