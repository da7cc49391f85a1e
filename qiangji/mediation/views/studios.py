"""Mediation studio pages: the studios with their mediators and open cases, one studio."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from qiangji.mediation.selectors import cases_for_list, get_studio_for_user, sees_mediation, studios_for_list
from qiangji.mediation.services import runs_studio


def require_mediation(request: HttpRequest) -> None:
    if not sees_mediation(request.user):
        raise Http404


@login_required
def studio_list(request: HttpRequest) -> HttpResponse:
    require_mediation(request)
    studios = list(studios_for_list(request.user))
    return render(request, "mediation/studios.html", {"studios": studios})


@login_required
def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_mediation(request)
    studio = get_studio_for_user(request.user, pk)
    context = {
        "studio": studio,
        "mediators": studio.mediators.select_related("member").order_by("-active", "name"),
        "cases": cases_for_list(user=request.user, studio=studio)[:50],
        "runs": runs_studio(request.user, studio),
    }
    return render(request, "mediation/studio.html", context)
