from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.models import AuditEvent
from qiangji.core.pagination import paginate


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers; 503 otherwise (for the load balancer and monitoring)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not get_scope(request.user).has_role(TOWN_ADMIN):
        raise Http404
    events = AuditEvent.objects.select_related("user")
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    page = paginate(request, events, per_page=50)
    return render(request, "core/audit_log.html", {"page": page, "actions": AuditEvent.Action.choices, "action": action})
