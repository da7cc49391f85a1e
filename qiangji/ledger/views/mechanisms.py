"""Long-term mechanism pages: the scoped list with its counts, and recording one."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from qiangji.core.converters import parse_id
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.ledger.forms.mechanisms import MechanismForm
from qiangji.ledger.models import Mechanism
from qiangji.ledger.selectors import get_problem_for_user
from qiangji.ledger.services import mechanism_record
from qiangji.ledger.views.problems import org_choices, require_staff
from qiangji.orgs.selectors import get_organization_for_user


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest, params: QueryDict) -> dict[str, Any]:
    organization = None
    if params.get("org"):
        try:
            organization = get_organization_for_user(request.user, int(params["org"]))
        except ValueError:
            raise Http404
    kind = params.get("kind", "")
    return {
        "organization": organization,
        "kind": kind if kind in Mechanism.Kind.values else "",
        "date_from": _date(params.get("from", "")),
        "date_to": _date(params.get("to", "")),
    }


@login_required
def mechanism_list(request: HttpRequest) -> HttpResponse:
    """Mechanisms established or put into effect: the seed's K is this list's count."""
    require_staff(request)
    filters = _filters(request, request.GET)
    mechanisms = Mechanism.objects.for_user(request.user)
    if filters["organization"] is not None:
        mechanisms = mechanisms.filter(organization__path__startswith=filters["organization"].path)
    if filters["date_from"]:
        mechanisms = mechanisms.filter(effective_on__gte=filters["date_from"])
    if filters["date_to"]:
        mechanisms = mechanisms.filter(effective_on__lte=filters["date_to"])
    counts = mechanisms.aggregate(
        total=Count("id"),
        established=Count("id", filter=Q(kind=Mechanism.Kind.ESTABLISHED)),
        enforced=Count("id", filter=Q(kind=Mechanism.Kind.ENFORCED)),
    )
    if filters["kind"]:
        mechanisms = mechanisms.filter(kind=filters["kind"])
    mechanisms = (
        mechanisms.select_related("organization").annotate(problem_count=Count("problems")).order_by("-effective_on", "-id")
    )
    return render(
        request,
        "ledger/mechanism_list.html",
        {
            "page": paginate(request, mechanisms),
            "filters": filters,
            "counts": counts,
            "org_choices": org_choices(request),
            "kinds": Mechanism.Kind.choices,
        },
    )


@login_required
def mechanism_create(request: HttpRequest) -> HttpResponse:
    """Record a mechanism; from a long-term problem, that problem and its organization come chosen."""
    require_staff(request)
    initial: dict[str, Any] = {"kind": Mechanism.Kind.ESTABLISHED}
    problem = None
    if (problem_pk := parse_id(request.GET.get("problem"))) is not None:
        problem = get_problem_for_user(request.user, problem_pk)
        initial.update(organization=problem.organization_id, problems=[problem.pk])
    elif (org_pk := parse_id(request.GET.get("org"))) is not None:
        initial["organization"] = get_organization_for_user(request.user, org_pk).pk
    form = MechanismForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mechanism = mechanism_record(by=request.user, data=data, problems=data["problems"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except PermissionDenied as error:
            form.add_error("organization", str(error))
        else:
            messages.success(request, f"已登记长效机制“{mechanism.name}”。")
            linked = list(data["problems"])
            if len(linked) == 1:
                return redirect("ledger:problem_detail", linked[0].pk)
            return redirect("ledger:mechanism_list")
    return render(request, "ledger/mechanism_form.html", {"form": form, "problem": problem})
