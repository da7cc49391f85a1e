"""Training pages: list, create, detail with sessions and enrolment, attendance, hours."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.access import LIAISON, MEMBER, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.exports import xlsx_response
from qiangji.core.pagination import paginate
from qiangji.members.models import Member
from qiangji.orgs.models import Organization
from qiangji.orgs.selectors import get_organization_for_user
from qiangji.trainings import selectors as s
from qiangji.trainings.forms import EnrolForm, RequirementForm, SessionForm, TrainingForm, WarningBatchForm
from qiangji.trainings.models import Training
from qiangji.trainings.services import (
    attendance_record,
    enrolment_create,
    hours_requirement_update,
    session_create,
    training_create,
    warning_batch_attendance,
    warning_batch_create,
)

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)


def _require_role(request: HttpRequest, *roles: str) -> None:
    """Pages a role has no use for answer 404, like a missing page."""
    if not get_scope(request.user).has_role(*roles):
        raise Http404


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    _require_role(request, *STAFF, MEMBER)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Training.Kind.values else ""
    scope = get_scope(request.user)
    page = paginate(request, s.trainings_list(user=request.user, kind=kind))
    context = {
        "page": page,
        "kind": kind,
        "kinds": Training.Kind.choices,
        "can_create": scope.has_role(TOWN_ADMIN),
        "is_staff": scope.has_role(*STAFF),
        "is_member": bool(scope.member_id),
    }
    return render(request, "trainings/list.html", context)


@login_required
def training_create_view(request: HttpRequest) -> HttpResponse:
    _require_role(request, TOWN_ADMIN)
    form = TrainingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            training = training_create(by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已创建培训“{training.name}”，请添加课次。")
            return redirect("trainings:detail", training.pk)
    return render(request, "trainings/form.html", {"form": form})


def _detail_context(request: HttpRequest, training: Training, **forms: Any) -> dict[str, Any]:
    can_manage = s.can_manage_training(request.user, training)
    can_enrol = s.can_enrol(request.user)
    return {
        "training": training,
        "sessions": s.training_sessions(training),
        "page": paginate(request, s.training_enrolments(training=training, user=request.user), per_page=50),
        "can_manage": can_manage,
        "can_enrol": can_enrol,
        "session_form": forms.get("session_form") or (SessionForm() if can_manage else None),
        "enrol_form": forms.get("enrol_form") or (EnrolForm(user=request.user) if can_enrol else None),
    }


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, *STAFF, MEMBER)
    training = s.get_training_for_user(request.user, pk)
    return render(request, "trainings/detail.html", _detail_context(request, training))


@login_required
@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    training = s.get_training_for_user(request.user, pk, "manage")
    form = SessionForm(request.POST)
    if form.is_valid():
        session = session_create(training=training, data=form.cleaned_data)
        messages.success(request, f"已添加课次“{session.topic}”。")
        return redirect("trainings:detail", training.pk)
    return render(request, "trainings/detail.html", _detail_context(request, training, session_form=form), status=422)


@login_required
@require_POST
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    training = s.get_training_for_user(request.user, pk)
    if not s.can_enrol(request.user):
        raise Http404
    form = EnrolForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            added = enrolment_create(training=training, members=form.members(), by=request.user)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已报名{added}名党员（已报名的不重复计入）。")
            return redirect("trainings:detail", training.pk)
    return render(request, "trainings/detail.html", _detail_context(request, training, enrol_form=form), status=422)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheet of one session: the enrolled members the user manages, one checkbox each."""
    session = s.get_session_for_user(request.user, pk)
    if not s.can_enrol(request.user):
        raise Http404
    sheet = s.attendance_sheet(session=session, user=request.user)
    error = ""
    if request.method == "POST":
        try:
            present = {int(v) for v in request.POST.getlist("present")}
            count = attendance_record(
                session=session,
                members=[m for m, _ in sheet],
                present_ids=present,
                by=request.user,
                today=timezone.localdate(),
            )
        except ValueError:
            error = "出勤名单格式不正确。"
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"已保存出勤：出勤{count}人，缺勤{len(sheet) - count}人。")
            return redirect("trainings:detail", session.training_id)
    context = {"session": session, "training": session.training, "sheet": sheet, "error": error}
    return render(request, "trainings/attendance.html", context, status=422 if error else 200)


def _report_org(request: HttpRequest) -> Organization:
    if request.GET.get("org"):
        try:
            return get_organization_for_user(request.user, int(request.GET["org"]))
        except ValueError:
            raise Http404
    org = Organization.objects.for_user(request.user).order_by("depth", "path").first()
    if org is None:
        raise Http404
    return org


@login_required
def hours(request: HttpRequest) -> HttpResponse:
    _require_role(request, *STAFF)
    org, year = _report_org(request), _year(request)
    report = s.hours_report(user=request.user, organization=org, year=year)
    orgs = Organization.objects.for_user(request.user).filter(depth__lte=org.depth + 2).order_by("path")
    context = {
        **report,
        "organization": org,
        "year": year,
        "org_choices": [(o.pk, "\u3000" * o.depth + o.name) for o in orgs.only("pk", "name", "depth")],
        "can_edit_requirements": get_scope(request.user).has_role(TOWN_ADMIN),
    }
    return render(request, "trainings/hours.html", context)


@login_required
def hours_export(request: HttpRequest) -> HttpResponse:
    _require_role(request, *STAFF)
    org, year = _report_org(request), _year(request)
    report = s.hours_report(user=request.user, organization=org, year=year)
    rows = [
        (
            m.name,
            m.organization.name,
            m.get_party_post_display() if m.party_post else "",
            m.hours,
            m.required,
            "是" if m.hours >= m.required else "否",
        )
        for m in report["members"]
    ]
    return xlsx_response(
        request=request,
        filename=f"{org.name}{year}年培训学时.xlsx",
        title=f"{year}年培训学时",
        headers=("姓名", "所在党组织", "党内职务", "已完成学时", "应达学时", "是否达标"),
        rows=rows,
        object_type="trainings.hours",
        personal_fields=("name",),
        filters={"organization": org.name, "year": year},
    )


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    """A member's own hours and sessions: a record for them, not a ranking."""
    scope = get_scope(request.user)
    if not scope.member_id:
        raise Http404
    member = Member.objects.select_related("organization").get(pk=scope.member_id)
    year = _year(request)
    context = {"member": member, "year": year, **s.member_hours(member=member, year=year)}
    return render(request, "trainings/mine.html", context)


@login_required
def requirements_edit(request: HttpRequest) -> HttpResponse:
    _require_role(request, TOWN_ADMIN)
    form = RequirementForm(request.POST or None, initial=s.requirements())
    if request.method == "POST" and form.is_valid():
        for category in RequirementForm.CATEGORIES:
            hours_requirement_update(category=category, hours=form.cleaned_data[category])
        messages.success(request, "已保存学时要求。")
        return redirect("trainings:hours")
    return render(request, "trainings/requirements.html", {"form": form})


# Warning education (警示教育) ------------------------------------------------------------------


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    """The year's batches: site, day, organizations, sent and present, hours."""
    _require_role(request, *STAFF)
    year = _year(request)
    batches = list(s.warning_batches(user=request.user, year=year))
    return render(
        request,
        "trainings/warning_list.html",
        {
            "batches": batches,
            "year": year,
            "sent": sum(b.member_count for b in batches),
            "present": sum(b.present_count for b in batches),
            "can_manage": get_scope(request.user).has_role(TOWN_ADMIN),
        },
    )


@login_required
def warning_create(request: HttpRequest) -> HttpResponse:
    """The town admin sends the members of some organizations to a site on a day."""
    _require_role(request, TOWN_ADMIN)
    form = WarningBatchForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = warning_batch_create(
                by=request.user,
                root=s.town_root(request.user),
                site=data["site"],
                date=data["date"],
                hours=data["hours"],
                organizations=data["organizations"],
                members=s.members_of(data["organizations"]),
                topic=data["topic"],
                skip_sent=True,
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            note = f"（{batch.skipped}名党员已在前面批次，未重复安排）" if batch.skipped else ""
            messages.success(request, f"已安排第{batch.number}批次，{batch.members.count()}名党员参加{note}。")
            return redirect("trainings:warning_detail", batch.pk)
    return render(request, "trainings/warning_form.html", {"form": form})


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch with its members; the town admin records who went."""
    _require_role(request, *STAFF)
    batch = s.get_warning_batch_for_user(request.user, pk)
    can_manage = get_scope(request.user).has_role(TOWN_ADMIN)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        present = {pid for v in request.POST.getlist("present") if (pid := parse_id(v)) is not None}
        try:
            count = warning_batch_attendance(batch=batch, by=request.user, present_ids=present, today=timezone.localdate())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已登记出席{count}人，每人计{batch.session.hours}学时。")
            return redirect("trainings:warning_detail", batch.pk)
    return render(
        request,
        "trainings/warning_detail.html",
        {"batch": batch, "rows": s.warning_batch_sheet(batch=batch, user=request.user), "can_manage": can_manage},
    )
