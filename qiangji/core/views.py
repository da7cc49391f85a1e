import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.defaults import page_not_found

from qiangji.core import services, status
from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.api import NOT_FOUND_MESSAGE
from qiangji.core.models import AuditEvent
from qiangji.core.pagination import paginate
from qiangji.core.permissions import can_manage_system
from qiangji.core.text import clean_text, parse_date

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer and monitoring: 200 "ok", 200 "degraded" when the scheduler's or
    the worker's heartbeat is stale or missing (the site serves, background work does not run),
    503 "down" when the database does not answer. Only these words: no versions, hosts, paths
    or errors (the body is public; the cause goes to the log)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        beats = status.heartbeats()
    except Exception:
        logger.exception("healthz: the database does not answer")
        checks = {"database": "down", "worker": "unknown", "scheduler": "unknown"}
        return JsonResponse({"status": "down", "checks": checks}, status=503)
    checks = {"database": "ok", "worker": beats["worker"].state, "scheduler": beats["scheduler"].state}
    degraded = any(not beat.ok for beat in beats.values())
    return JsonResponse({"status": "degraded" if degraded else "ok", "checks": checks})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The append-only audit log, for town admins: filter by action, account, object and dates."""
    if not get_scope(request.user).has_role(TOWN_ADMIN):
        raise Http404
    events = AuditEvent.objects.select_related("user")
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    else:
        action = ""
    who = clean_text(request.GET.get("who", ""))[:50]
    if who:
        events = events.filter(Q(username__icontains=who) | Q(user__display_name__icontains=who))
    what = clean_text(request.GET.get("what", ""))[:50]
    if what:
        events = events.filter(object_repr__icontains=what)
    errors = []
    dates = {}
    for key, label in (("start", "开始日期"), ("end", "结束日期")):
        raw = request.GET.get(key, "")
        try:
            dates[key] = parse_date(raw) if raw else None
        except ValueError:
            dates[key] = None
            errors.append(f"{label}格式不正确，请按“2025-01-31”填写")
    if dates["start"]:
        events = events.filter(at__date__gte=dates["start"])
    if dates["end"]:
        events = events.filter(at__date__lte=dates["end"])
    page = paginate(request, events, per_page=50)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "actions": AuditEvent.Action.choices,
            "filters": {"action": action, "who": who, "what": what, **dates},
            "filter_errors": errors,
        },
    )


@login_required
def system_status(request: HttpRequest) -> HttpResponse:
    """系统状态, for town admins: what the IT person must watch, problems first."""
    if not can_manage_system(request.user):
        raise Http404
    return render(request, "core/system_status.html", status.system_status())


@login_required
@require_POST
def task_retry(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    """The 重试 button of a failed background task."""
    if not can_manage_system(request.user):
        raise Http404
    try:
        name = services.task_retry(by=request.user, task_id=task_id, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"后台任务“{name}”已重新排队，稍后由后台任务进程执行。")
    return redirect("core:status")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no pattern matches (an id past 64 bits among them): the API keeps its one
    error shape, pages get the 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NOT_FOUND_MESSAGE}, status=404)
    return page_not_found(request, exception)
