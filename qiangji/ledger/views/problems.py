"""Ledger pages: problems, their steps and measures, mechanisms, grades and plans."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qiangji.ledger.permissions import problem_actions_for
from qiangji.ledger.selectors import get_problem_for_user


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One problem: what it is, who owns it, its measures and its whole story."""
    problem = get_problem_for_user(request.user, pk)
    context = {
        "problem": problem,
        "today": timezone.localdate(),
        "actions": problem_actions_for(request.user, problem),
        "events": problem.events.select_related("by"),
        "measures": problem.measures.select_related("owner", "checked_by"),
        "attachments": problem.attachments.all(),
        "mechanisms": problem.mechanisms.all(),
    }
    return render(request, "ledger/problem_detail.html", context)
