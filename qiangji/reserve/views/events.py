"""Reserve events (头雁论坛, 情景党课, activities): the list with the form to record one, and one event
with its attendance. Staff see them; only the town admin records them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.members.models import Member
from qiangji.reserve.forms import EventForm
from qiangji.reserve.selectors import events_for_list, get_event_for_user
from qiangji.reserve.services import event_record, runs_pools
from qiangji.reserve.views.candidates import require_reserve


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require_reserve(request)
    admin = runs_pools(request.user)
    form = None
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("只有镇党委管理员可以登记头雁活动")
        form = EventForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            attendees = list(data.pop("attendees"))
            try:
                event = event_record(by=request.user, data=data, attendees=attendees)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"已登记活动“{event.title}”。")
                return redirect("reserve:event", event.pk)
    elif admin:
        form = EventForm(user=request.user)
    context = {"page": paginate(request, events_for_list(user=request.user)), "form": form}
    return render(request, "reserve/events.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event_for_user(request.user, pk)
    visible = Member.objects.for_user(request.user).values("pk")
    attendees = event.attendees.filter(pk__in=visible).select_related("organization").order_by("organization__path", "name")
    context = {"event": event, "attendees": attendees, "attendee_total": event.attendees.count()}
    return render(request, "reserve/event.html", context)
