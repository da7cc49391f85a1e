"""Project pages for staff: the list, a project's facts, milestones, roles, bulletins, opinions
and council sessions. Reading follows the organization scope; writing is for those who run the
project (`runs_project`): the town and the leading organization's secretaries."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.concurrency import StaleEdit, VersionedForm
from qiangji.core.crypto import mask_phone
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.council import services as s
from qiangji.council.forms import (
    BulletinForm,
    DeliberationForm,
    MilestoneDoneForm,
    MilestoneForm,
    ModerateForm,
    OpinionMoveForm,
    ProjectForm,
    RoleForm,
    ToMeasureForm,
    ToProblemForm,
)
from qiangji.council.models import Deliberation, Milestone, Opinion, Project, ProjectRole
from qiangji.council.selectors import (
    get_project_for_user,
    measure_problems,
    opinions_waiting,
    project_bulletins,
    projects_for_list,
    staff_opinions,
)

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)
NAV_SECTION = "council"
EVENT_LABELS = {**s.ACTION_LABELS, "submit": "收到意见", "show": "公开", "hide": "不公开"}


def require_staff(request: HttpRequest) -> None:
    """Members and visitors have no project pages: they answer 404 like a missing page."""
    if not get_scope(request.user).has_role(*STAFF):
        raise Http404


def refused(form: Any, error: Exception) -> None:
    """A service's refusal as a form error: on its field when the form has it."""
    if isinstance(error, StaleEdit) and isinstance(form, VersionedForm):
        form.show_stale(error)
    elif isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    else:
        form.add_error(None, str(error) or "您无权进行此项操作")


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """The projects in the user's scope with progress, bulletins and opinions waiting for review."""
    require_staff(request)
    scope = get_scope(request.user)
    context = {
        "projects": list(projects_for_list(user=request.user)),
        "can_create": scope.superuser or bool(scope.manage_paths),
        "nav_section": NAV_SECTION,
    }
    return render(request, "council/project_list.html", context)


@login_required
def opinion_queue(request: HttpRequest) -> HttpResponse:
    """Opinions on the projects the user runs that wait for moderation or an answer, oldest first:
    what the public sent, in one list, each leading to where it is handled."""
    require_staff(request)
    page = paginate(request, opinions_waiting(user=request.user))
    return render(request, "council/opinions_waiting.html", {"page": page, "nav_section": NAV_SECTION})


def _project_initial(project: Project) -> dict[str, Any]:
    return {k: getattr(project, k) for k in s.PROJECT_FIELDS}


@login_required
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Set up a project, or change one the user runs."""
    require_staff(request)
    project = None
    if pk is not None:
        project = get_project_for_user(request.user, pk)
        if not s.runs_project(request.user, project):
            raise PermissionDenied("您无权修改该项目")
    elif not (get_scope(request.user).superuser or get_scope(request.user).manage_paths):
        raise PermissionDenied("您无权设立项目")
    initial = _project_initial(project) if project else None
    form = ProjectForm(request.POST or None, user=request.user, initial=initial, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            if project:
                saved = s.project_update(
                    project=project, by=request.user, data=form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            else:
                saved = s.project_create(by=request.user, data=form.cleaned_data)
        except (DomainError, PermissionDenied) as error:
            refused(form, error)
        else:
            messages.success(request, "已保存项目。" if project else "已设立项目，请添加项目节点。")
            return redirect("council:project_detail", saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "project": project, "nav_section": NAV_SECTION}
    return render(request, "council/project_form.html", context, status=status)


def _opinion_rows(project: Project) -> list[Opinion]:
    rows = list(staff_opinions(project))
    for row in rows:
        row.phone_shown = mask_phone(row.phone) if row.phone else ""
        row.actions = row.allowed_actions()
        for event in row.events.all():
            event.label = EVENT_LABELS.get(event.action, event.action)
    return rows


def detail_page(
    request: HttpRequest, project: Project, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    runs = s.runs_project(request.user, project)
    deliberations = list(project.deliberations.select_related("problem", "measure__problem"))
    # Only a session not yet in the ledger offers the two conversions; skip the lookups otherwise.
    converting = runs and any(not (d.problem_id or d.measure_id) for d in deliberations)
    context = {
        "project": project,
        "runs": runs,
        "milestones": list(project.milestones.all()),
        "roles": list(project.roles.select_related("member__organization").order_by("role", "member__name")),
        "bulletins": list(project_bulletins(project)),
        "opinions": _opinion_rows(project),
        "deliberations": deliberations,
        "milestone_form": forms.get("milestone") or MilestoneForm(),
        "done_form": forms.get("done") or MilestoneDoneForm(initial={"done_on": timezone.localdate()}),
        "role_form": forms.get("role") or (RoleForm(project=project) if runs else None),
        "bulletin_form": forms.get("bulletin") or BulletinForm(),
        "move_form": forms.get("move") or OpinionMoveForm(),
        "deliberation_form": forms.get("deliberation") or DeliberationForm(),
        "problem_form": forms.get("problem") or (ToProblemForm() if converting else None),
        "measure_form": forms.get("measure") or (ToMeasureForm(user=request.user, project=project) if converting else None),
        "measure_problems": measure_problems(user=request.user, project=project) if converting else [],
        "failed": forms.get("failed"),
        "today": timezone.localdate(),
        "nav_section": NAV_SECTION,
    }
    return render(request, "council/project_detail.html", context, status=status)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request)
    return detail_page(request, get_project_for_user(request.user, pk))


def _post(request: HttpRequest, pk: int) -> Project:
    require_staff(request)
    return get_project_for_user(request.user, pk)


def _done(request: HttpRequest, project: Project, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("council:project_detail", args=[project.pk]) + f"#{anchor}")


def _run(
    request: HttpRequest, project: Project, key: str, form: Any, call: Any, message: str, anchor: str, failed: Any = None
) -> HttpResponse:
    """Validate, call the service, report; a refusal re-renders the page with the form's errors."""
    status = 400
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (DomainError, PermissionDenied) as error:
            refused(form, error)
            status = 403 if isinstance(error, PermissionDenied) else 400
        else:
            return _done(request, project, message, anchor)
    return detail_page(request, project, forms={key: form, "failed": failed}, status=status)


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _post(request, pk)
    form = MilestoneForm(request.POST)
    call = lambda d: s.milestone_add(project=project, by=request.user, title=d["title"], due_on=d["due_on"])  # noqa: E731
    return _run(request, project, "milestone", form, call, "已添加项目节点。", "milestones")


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = _post(request, pk)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    form = MilestoneDoneForm(request.POST)
    call = lambda d: s.milestone_done(milestone=milestone, by=request.user, on=d["done_on"])  # noqa: E731
    return _run(request, project, "done", form, call, f"节点“{milestone.title}”已完成。", "milestones", milestone.pk)


@login_required
@require_POST
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _post(request, pk)
    form = RoleForm(request.POST, project=project)
    call = lambda d: s.project_role_assign(project=project, by=request.user, member=d["member"], role=d["role"])  # noqa: E731
    return _run(request, project, "role", form, call, "已明确党员角色。", "roles")


@login_required
@require_POST
def role_remove(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    project = _post(request, pk)
    role = get_object_or_404(ProjectRole, pk=role_pk, project=project)
    if not s.runs_project(request.user, project):
        raise PermissionDenied("您无权管理该项目")
    s.project_role_remove(role=role, by=request.user)
    return _done(request, project, "已取消该角色。", "roles")


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    project = _post(request, pk)
    form = BulletinForm(request.POST)
    call = lambda d: s.bulletin_publish(project=project, by=request.user, title=d["title"], body=d["body"])  # noqa: E731
    return _run(request, project, "bulletin", form, call, "已发布进度通报，议事厅公开页面即可看到。", "bulletins")


@login_required
@require_POST
def opinion_moderate(request: HttpRequest, pk: int, opinion_pk: int) -> HttpResponse:
    project = _post(request, pk)
    opinion = get_object_or_404(Opinion, pk=opinion_pk, bulletin__project=project)
    form = ModerateForm(request.POST)
    call = lambda d: s.opinion_moderate(opinion=opinion, by=request.user, show=d["show"])  # noqa: E731
    label = "已在议事厅公开该意见。" if request.POST.get("show") == "1" else "该意见不在议事厅公开。"
    return _run(request, project, "move", form, call, label, f"opinion-{opinion.pk}", opinion.pk)


@login_required
@require_POST
def opinion_move(request: HttpRequest, pk: int, opinion_pk: int) -> HttpResponse:
    project = _post(request, pk)
    opinion = get_object_or_404(Opinion, pk=opinion_pk, bulletin__project=project)
    form = OpinionMoveForm(request.POST)
    action = request.POST.get("action", "")
    call = lambda d: s.opinion_move(opinion=opinion, by=request.user, action=d["action"], note=d["note"])  # noqa: E731
    message = f"已{s.ACTION_LABELS.get(action, '办理')}。"
    return _run(request, project, "move", form, call, message, f"opinion-{opinion.pk}", opinion.pk)


@login_required
@require_POST
def deliberation_record(request: HttpRequest, pk: int) -> HttpResponse:
    project = _post(request, pk)
    form = DeliberationForm(request.POST)
    call = lambda d: s.deliberation_record(project=project, by=request.user, data=d)  # noqa: E731
    return _run(request, project, "deliberation", form, call, "已记录议事会。", "deliberations")


@login_required
@require_POST
def deliberation_to_problem(request: HttpRequest, pk: int, deliberation_pk: int) -> HttpResponse:
    project = _post(request, pk)
    session = get_object_or_404(Deliberation, pk=deliberation_pk, project=project)
    form = ToProblemForm(request.POST)
    if form.is_valid():
        try:
            problem = s.deliberation_to_problem(
                deliberation=session, by=request.user, owner=form.cleaned_data["owner"], deadline=form.cleaned_data["deadline"]
            )
        except (DomainError, PermissionDenied) as error:
            refused(form, error)
            status = 403 if isinstance(error, PermissionDenied) else 400
            return detail_page(request, project, forms={"problem": form, "failed": session.pk}, status=status)
        messages.success(request, f"已登记为问题{problem.number}。")
        return redirect("ledger:problem_detail", problem.pk)
    return detail_page(request, project, forms={"problem": form, "failed": session.pk}, status=400)


@login_required
@require_POST
def deliberation_to_measure(request: HttpRequest, pk: int, deliberation_pk: int) -> HttpResponse:
    project = _post(request, pk)
    session = get_object_or_404(Deliberation, pk=deliberation_pk, project=project)
    if not s.runs_project(request.user, project):
        raise PermissionDenied("您无权管理该项目")
    form = ToMeasureForm(request.POST, user=request.user, project=project)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            measure = s.deliberation_to_measure(
                deliberation=session, problem=data["problem"], by=request.user, owner=data["owner"], deadline=data["deadline"]
            )
        except (DomainError, PermissionDenied) as error:
            refused(form, error)
            status = 403 if isinstance(error, PermissionDenied) else 400
        else:
            message = f"已转为问题{measure.problem.number}的整改措施。"
            return _done(request, project, message, f"deliberation-{session.pk}")
    return detail_page(request, project, forms={"measure": form, "failed": session.pk}, status=status)
