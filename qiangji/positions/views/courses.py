"""Course pages: the catalogue (add, edit, deactivate), the quarterly batches (send one), a batch's
positions × courses matrix, and recording a course held at a position with its attendance sheet.
Attendance goes through the trainings services, so the hours show on the trainings pages once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qiangji.accounts.models import RoleGrant
from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.orgs.models import Organization
from qiangji.positions.forms import BatchForm, CourseForm, DeliveryForm
from qiangji.positions.models import Course, CourseDelivery
from qiangji.positions.selectors import (
    attendance_sheet,
    batches_for_list,
    courses_for_list,
    delivery_matrix,
    get_batch,
    require_positions,
)
from qiangji.positions.services import (
    course_batch_send,
    course_delivery_record,
    course_save,
    course_set_active,
    may_edit_position,
)


def _town(request: HttpRequest) -> bool:
    return get_scope(request.user).has_role(TOWN_ADMIN)


def _town_root(request: HttpRequest) -> Organization | None:
    """The organization the town admin runs: the batch's training is hosted there."""
    grant = RoleGrant.objects.filter(user=request.user, role=RoleGrant.Role.TOWN_ADMIN).select_related("organization").first()
    if grant is not None:
        return grant.organization
    return Organization.objects.filter(parent__isnull=True).order_by("pk").first()


def _form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    require_positions(request.user)
    town = _town(request)
    form = None
    if request.method == "POST":
        if not town:
            raise PermissionDenied("下沉课程由镇党委安排")
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                course = course_save(by=request.user, data=form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, f"已将“{course.title}”加入课程目录。")
                return redirect("positions:courses")
    elif town:
        form = CourseForm()
    context = {"courses": courses_for_list(), "form": form, "town": town}
    return render(request, "positions/courses.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_positions(request.user)
    course = get_object_or_404(Course, pk=pk)
    if not _town(request):
        raise PermissionDenied("下沉课程由镇党委安排")
    initial = {"title": course.title, "teacher": course.teacher, "hours": course.hours, "summary": course.summary}
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            course_save(by=request.user, data=form.cleaned_data, course=course)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, "已保存课程。")
            return redirect("positions:courses")
    return render(request, "positions/course_form.html", {"form": form, "course": course}, status=400 if form.errors else 200)


@login_required
@require_POST
def course_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    require_positions(request.user)
    course = get_object_or_404(Course, pk=pk)
    course_set_active(course=course, by=request.user, active=not course.active)
    messages.success(request, f"已{'启用' if course.active else '停用'}课程“{course.title}”。")
    return redirect("positions:courses")


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    require_positions(request.user)
    town = _town(request)
    form = None
    if request.method == "POST":
        if not town:
            raise PermissionDenied("下沉课程由镇党委安排")
        form = BatchForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            root = _town_root(request)
            try:
                batch = course_batch_send(by=request.user, root=root, **data)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, f"已下发{batch}。")
                return redirect("positions:batch", batch.pk)
    elif town:
        form = BatchForm()
    context = {"batches": batches_for_list(), "form": form}
    return render(request, "positions/batches.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch(request.user, pk)
    matrix = delivery_matrix(batch)
    for row in matrix["rows"]:
        row["may_record"] = may_edit_position(request.user, row["position"])
    return render(request, "positions/batch.html", {"batch": batch, **matrix})


@login_required
def delivery_record(request: HttpRequest, pk: int, course_pk: int, position_pk: int) -> HttpResponse:
    """登记开课: the date and the attendance sheet of the position's organization's members."""
    batch = get_batch(request.user, pk)
    course = batch.courses.filter(pk=course_pk).first()
    position = batch.positions.select_related("organization").filter(pk=position_pk).first()
    # Another organization's position answers like a missing one: the recording page (with its
    # attendance sheet of that organization's members) must not tell which ids exist.
    if course is None or position is None or not may_edit_position(request.user, position):
        raise Http404
    delivery = CourseDelivery.objects.filter(batch=batch, course=course, position=position).first()
    sheet = attendance_sheet(user=request.user, position=position, delivery=delivery)
    members = [m for m, _ in sheet]
    initial = {"held_on": delivery.held_on if delivery else None, "present": [m.pk for m, p in sheet if p]}
    form = DeliveryForm(request.POST or None, member_ids=[m.pk for m in members], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            course_delivery_record(
                batch=batch,
                course=course,
                position=position,
                by=request.user,
                held_on=form.cleaned_data["held_on"],
                members=members,
                present_ids=set(form.cleaned_data["present"]),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已登记{position.name}“{course.title}”开课情况。")
            return redirect("positions:batch", batch.pk)
    chosen = {pk for v in (form["present"].value() or []) if (pk := parse_id(v)) is not None}
    context = {
        "batch": batch,
        "course": course,
        "position": position,
        "form": form,
        "sheet": [(m, m.pk in chosen) for m in members],
        "delivery": delivery,
    }
    return render(request, "positions/delivery.html", context, status=400 if form.errors else 200)
