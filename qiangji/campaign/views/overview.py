"""The campaign's front page (/campaign/): a dashboard for the town, the coverage of their own
entities for secretaries and liaison groups, and a visiting-team member's own task list."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from qiangji.campaign.access import runs_campaign, team_grid_ids
from qiangji.campaign.models import CarrierKind, Entity, EntityBatch, Summary, Visit, VisitTask, VoiceMessage
from qiangji.campaign.selectors import CoverageRow, coverage_by_carrier, coverage_town
from qiangji.campaign.selectors_register import coverage_of, reads_coverage
from qiangji.core.access import VISITOR, get_scope


def _town_context() -> dict:
    today = timezone.localdate()
    tasks = VisitTask.objects.open()
    summary = Summary.objects.filter(kind=Summary.Kind.DAILY).order_by("-start").first()
    batch = EntityBatch.objects.order_by("-created_at", "-id").first()
    return {
        "town": coverage_town(),
        "closed": Entity.objects.filter(status=Entity.Status.CLOSED).count(),
        "blocks": [(kind.label, coverage_by_carrier(kind)) for kind in (CarrierKind.CHAIN, CarrierKind.STREET, CarrierKind.GRID)],
        "tasks_open": tasks.filter(status=VisitTask.Status.OPEN).count(),
        "tasks_overdue": tasks.filter(status=VisitTask.Status.OPEN, due_on__lt=today).count(),
        "visits_waiting": Visit.objects.filter(state=Visit.State.SUBMITTED).count(),
        "voice_waiting": VoiceMessage.objects.filter(state=VoiceMessage.State.NEW).count(),
        "summary": summary,
        "batch": batch,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Town: the campaign dashboard. Team members: their tasks. Secretaries and liaison groups:
    how the entities they see are covered. Anyone else: 404."""
    user = request.user
    if runs_campaign(user):
        return render(request, "campaign/overview.html", _town_context())
    # A secretary who is also on a team keeps the overview (the nav leads there); the tasks are a link away.
    if not reads_coverage(user) and (team_grid_ids(user) or get_scope(user).has_role(VISITOR)):
        return redirect("campaign:my_tasks")
    if not reads_coverage(user):
        raise Http404
    mine = Entity.objects.for_user(user)
    figures = coverage_of(mine)
    row = CoverageRow("mine", 0, "我可查看的主体", **figures)
    uncovered = mine.active().uncovered().select_related("village").order_by("village__name", "name")[:20]
    context = {"mine": row, "uncovered": uncovered, "on_team": bool(team_grid_ids(user))}
    return render(request, "campaign/overview_scoped.html", context)


urlpatterns = [path("", index, name="index")]
