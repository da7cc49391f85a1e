"""Study routes: every signed-in user reads them; the town writes them and orders their stops."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from qiangji.core.errors import DomainError
from qiangji.redculture import services as s
from qiangji.redculture.forms import RouteForm, StopsForm
from qiangji.redculture.models import RedSite, Route
from qiangji.redculture.selectors import routes_with_stops
from qiangji.redculture.views.sites import NAV_SECTION, refused, require_town

MAX_PLACES = 12


@login_required
def route_list(request: HttpRequest) -> HttpResponse:
    context = {"routes": list(routes_with_stops()), "runs": s.runs_red_culture(request.user), "nav_section": NAV_SECTION}
    return render(request, "redculture/route_list.html", context)


@login_required
def route_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The route's name and its stops in order (one select per place)."""
    require_town(request)
    route = get_object_or_404(Route, pk=pk) if pk is not None else None
    places = min(MAX_PLACES, max(RedSite.objects.count(), 2))
    if route:
        initial = {"name": route.name, "duration": route.duration, "description": route.description}
        stops = {f"stop_{stop.order}": stop.site_id for stop in route.stops.all()}
    else:
        initial, stops = None, {}
    form = RouteForm(request.POST or None, initial=initial)
    stops_form = StopsForm(request.POST or None, initial=stops, places=places)
    if request.method == "POST" and form.is_valid() and stops_form.is_valid():
        try:
            s.route_save(by=request.user, data=form.cleaned_data, sites=stops_form.sites(), route=route)
        except (DomainError, PermissionDenied) as error:
            if isinstance(error, DomainError) and error.field == "sites":
                stops_form.add_error(None, error.message)
            else:
                refused(form, error)
        else:
            messages.success(request, "已保存研学路线。")
            return redirect("redculture:route_list")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "stops_form": stops_form, "route": route, "nav_section": NAV_SECTION}
    return render(request, "redculture/route_form.html", context, status=status)
