"""年度安排: the town admin edits and publishes the year's schedule; every staff role reads it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.errors import DomainError
from qiangji.orglife.forms_schedule import ScheduleForm
from qiangji.orglife.schedule import schedule_for_year, schedule_table
from qiangji.orglife.services import schedule_publish, schedule_save
from qiangji.orglife.views import STAFF, require_role
from qiangji.orglife.views_compliance import require_admin_ok


def _year(request: HttpRequest, value: str | int | None = None) -> int:
    today = timezone.localdate()
    try:
        year = int(value if value is not None else request.GET.get("year", today.year))
    except ValueError:
        raise Http404
    if not 2000 <= year <= today.year + 1:
        raise Http404
    return year


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    """The published schedule as a month × kind table; the town admin also sees the draft."""
    require_role(request, *STAFF)
    year, today = _year(request), timezone.localdate()
    is_admin = require_admin_ok(request)
    current = schedule_for_year(year=year, published_only=not is_admin)
    kinds, rows = schedule_table(current) if current else ([], [])
    return render(
        request,
        "orglife/schedule.html",
        {
            "year": year,
            "years": range(today.year + 1, today.year - 4, -1),
            "schedule": current,
            "kinds": kinds,
            "rows": rows,
            "can_edit": is_admin,
        },
    )


@login_required
def schedule_edit(request: HttpRequest, year: int) -> HttpResponse:
    if not require_admin_ok(request):
        raise Http404
    year = _year(request, year)
    current = schedule_for_year(year=year, published_only=False)
    form = ScheduleForm(request.POST or None, schedule=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            schedule_save(
                year=year,
                by=request.user,
                theme_day=data["theme_day"],
                note=data["note"],
                months=data["months"],
                topics=data["topics"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            published = current is not None and current.published
            messages.success(request, "已保存，并已更新已发布的安排。" if published else "已保存草稿，确认无误后请发布。")
            return redirect(reverse("orglife:schedule") + f"?year={year}")
    return render(request, "orglife/schedule_form.html", {"form": form, "year": year, "schedule": current})


@login_required
@require_POST
def schedule_publish_view(request: HttpRequest, year: int) -> HttpResponse:
    if not require_admin_ok(request):
        raise Http404
    current = schedule_for_year(year=_year(request, year), published_only=False)
    if current is None:
        raise Http404
    try:
        schedule_publish(schedule=current, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已发布{current.year}年组织生活安排。")
    return redirect(reverse("orglife:schedule") + f"?year={current.year}")
