"""No member left behind: the counts card, an organization's uncovered members, recording a visit."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from qiangji.core.access import get_scope
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.members.models import Member
from qiangji.members.selectors import get_member_for_user
from qiangji.orglife.forms_homestudy import HomeStudyForm, HomeStudyPlanCompleteForm, HomeStudyPlanForm
from qiangji.orglife.homestudy import (
    COVERAGE_LABELS,
    coverage,
    coverage_counts,
    get_home_study_plan_for_user,
    home_study_counts,
    home_study_plan,
    home_study_plan_complete,
    home_study_plan_counts,
    home_study_plans_of,
    home_study_recent,
    home_study_record,
    home_study_visitors,
    left_behind_unplanned,
    month_bounds,
)
from qiangji.orglife.models import Meeting
from qiangji.orglife.permissions import may_complete_home_study_plan
from qiangji.orglife.selectors import MEETING_ORG_KINDS, organizations_for_compliance
from qiangji.orglife.views import STAFF, _date, require_role
from qiangji.orgs.selectors import get_organization_for_user


def _month(request: HttpRequest) -> dt.date:
    """?month=YYYY-MM, this month by default."""
    value = request.GET.get("month", "")
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise Http404 from None


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """ "交流研讨N次，送学上门M次" over a date range (this year by default), and the organizations."""
    require_role(request, *STAFF)
    today = timezone.localdate()
    start = _date(request.GET.get("from", "")) or today.replace(month=1, day=1)
    end = _date(request.GET.get("to", "")) or today
    if end < start:
        start, end = end, start
    return render(
        request,
        "orglife/home_study_summary.html",
        {
            "start": start,
            "end": end,
            "counts": home_study_counts(request.user, start, end),
            "plan_counts": home_study_plan_counts(request.user, start, end, today=today),
            "organizations": organizations_for_compliance(user=request.user),
        },
    )


@login_required
def gaps(request: HttpRequest, org_pk: int) -> HttpResponse:
    """One organization and month: members neither present at a meeting nor visited."""
    require_role(request, *STAFF)
    organization = get_organization_for_user(request.user, org_pk)
    if organization.kind not in MEETING_ORG_KINDS:
        raise Http404
    month = _month(request)
    start, end = month_bounds(month)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Meeting.Kind.values else ""
    rows = coverage(organization, start=start, end=end, kind=kind)
    scope = get_scope(request.user)
    return render(
        request,
        "orglife/home_study_gaps.html",
        {
            "organization": organization,
            "month": month,
            "start": start,
            "end": end,
            "kind": kind,
            "kinds": Meeting.Kind.choices,
            "missing": [r for r in rows if r.left_behind],
            "counts": coverage_counts(rows),
            "labels": COVERAGE_LABELS,
            "can_record": scope.covers(organization.path, "manage"),
            "visits": list(home_study_recent(user=request.user, organization=organization, start=start, end=end)),
            "plans": list(home_study_plans_of(user=request.user, organization=organization)),
            "today": timezone.localdate(),
        },
    )


@login_required
def record(request: HttpRequest, member_pk: int) -> HttpResponse:
    """Record a home-study visit to one member (those who manage the member's organization)."""
    member = get_member_for_user(request.user, member_pk, "manage")
    back = request.GET.get("next", "")
    # "/\evil.example" passes a leading-slash test, yet browsers read it as another host.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = reverse("orglife:home_study_gaps", args=[member.organization_id])
    initial: dict[str, Any] = {"date": timezone.localdate()}
    # The home page links an absence straight to its make-up visit, the missed meeting chosen.
    if (meeting_pk := parse_id(request.GET.get("meeting"))) is not None:
        initial["meeting"] = meeting_pk
    form = HomeStudyForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            home_study_record(
                by=request.user,
                member=member,
                date=data["date"],
                topic=data["topic"],
                visitors=data["visitors"],
                visitor_users=[request.user] if data["include_me"] else [],
                meeting=data["meeting"],
                notes=data["notes"],
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"已登记对{member.name}的送学上门。")
            return redirect(back)
    return render(request, "orglife/home_study_form.html", {"form": form, "member": member, "back": back})


@login_required
def plan(request: HttpRequest, org_pk: int) -> HttpResponse:
    """Plan home-study visits for members on the month's left-behind list."""
    organization = get_organization_for_user(request.user, org_pk, "manage")
    if organization.kind not in MEETING_ORG_KINDS:
        raise Http404
    month = _month(request)
    rows, meetings = left_behind_unplanned(organization, month)
    members = Member.objects.filter(pk__in=[r.member.pk for r in rows])
    initial: dict[str, Any] = {"due": timezone.localdate() + dt.timedelta(days=7)}
    if (member_pk := parse_id(request.GET.get("member"))) is not None:
        initial["members"] = [member_pk]
    form = HomeStudyPlanForm(request.POST or None, members=members, visitors=home_study_visitors(organization), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plans = home_study_plan(
                by=request.user,
                organization=organization,
                members=data["members"],
                visitor=data["visitor"],
                due=data["due"],
                note=data["note"],
                meetings=meetings,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已安排{data['visitor']}在{data['due']:%Y年%-m月%-d日}前为{len(plans)}名党员送学上门。")
            return redirect(f"{reverse('orglife:home_study_gaps', args=[organization.pk])}?month={month:%Y-%m}")
    return render(
        request,
        "orglife/home_study_plan.html",
        {
            "form": form,
            "organization": organization,
            "month": month,
            "rows": rows,
            "chosen": set(request.POST.getlist("members")) if form.is_bound else {str(pk) for pk in initial.get("members", [])},
        },
    )


@login_required
def plan_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The visitor reports a planned visit done, with what was studied."""
    item = get_home_study_plan_for_user(request.user, pk)
    if not may_complete_home_study_plan(request.user, item):
        raise Http404
    form = HomeStudyPlanCompleteForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            home_study_plan_complete(plan=item, by=request.user, date=data["date"], topic=data["topic"], notes=data["notes"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已登记对{item.member.name}的送学上门。")
            return redirect("home:index")
    return render(
        request,
        "orglife/home_study_plan_complete.html",
        {"form": form, "plan": item, "overdue": item.is_overdue(timezone.localdate())},
    )
