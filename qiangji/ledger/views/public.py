"""The public report page (群众反映, no login) and the town's acceptance of reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.crypto import mask_phone
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.core.public import public_lookup, public_submit
from qiangji.ledger.forms.public import PublicReportForm, ReportAcceptForm, ReportRejectForm
from qiangji.ledger.models import PublicReport
from qiangji.ledger.selectors import public_report_by_reference, public_reports_pending
from qiangji.ledger.services.public import public_report_accept, public_report_reject, public_report_submit

# The confirmation page reads the reference from the session, so it can show nothing but the
# visitor's own number (a reference in the URL could be anyone's).
SESSION_KEY = "ledger_public_report"


def report(request: HttpRequest) -> HttpResponse:
    """The phone page where anyone can report a problem; it lands in the town's acceptance queue."""
    form = PublicReportForm(request.POST or None)
    outcome = public_submit(
        request,
        form,
        lambda key: public_report_submit(data=form.cleaned_data, client_hash=key),
    )
    if outcome.sent:
        request.session[SESSION_KEY] = outcome.result.reference
        return redirect("ledger:public_report_done")
    return render(request, "ledger/public_report.html", {"form": form}, status=outcome.status)


def report_done(request: HttpRequest) -> HttpResponse:
    """The confirmation: the reference number only, never anything from the ledger."""
    reference = request.session.get(SESSION_KEY)
    if not reference:
        return redirect("ledger:public_report")
    return render(request, "ledger/public_report_done.html", {"reference": reference})


def report_status(request: HttpRequest) -> HttpResponse:
    """No login: the reporter enters the 受理编号 (or follows the link given on submission) and
    sees whether it was accepted, how the problem stands and the reply; never a name or a phone."""
    lookup = public_lookup(request, page="ledger_report", find=public_report_by_reference)
    return render(request, "ledger/public_report_status.html", {"lookup": lookup}, status=lookup.status)


def _require_town(request: HttpRequest) -> None:
    # Reports are the town's to accept; for everyone else the pages do not exist.
    if not get_scope(request.user).has_role(TOWN_ADMIN):
        raise Http404


def _pending(pk: int) -> PublicReport:
    return get_object_or_404(PublicReport.objects.select_related("village"), pk=pk)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The town's queue: reports waiting to be accepted or declined, oldest first."""
    _require_town(request)
    page = paginate(request, public_reports_pending())
    for item in page.object_list:
        item.phone_masked = mask_phone(item.phone)
    return render(request, "ledger/public_reports.html", {"page": page})


def _handle_page(
    request: HttpRequest, item: PublicReport, accept_form: ReportAcceptForm, reject_form: ReportRejectForm, status: int = 200
) -> HttpResponse:
    item.phone_masked = mask_phone(item.phone)
    context = {"item": item, "accept_form": accept_form, "reject_form": reject_form}
    return render(request, "ledger/public_report_handle.html", context, status=status)


@login_required
def report_handle(request: HttpRequest, pk: int) -> HttpResponse:
    """One report with the two ways out: register it as a problem, or decline it with a reply."""
    _require_town(request)
    item = _pending(pk)
    initial = {"description": item.description, "village": item.village_id}
    return _handle_page(request, item, ReportAcceptForm(user=request.user, initial=initial), ReportRejectForm())


@login_required
@require_POST
def report_accept(request: HttpRequest, pk: int) -> HttpResponse:
    _require_town(request)
    item = _pending(pk)
    form = ReportAcceptForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            problem = public_report_accept(report=item, by=request.user, data=form.cleaned_data)
        except (DomainError, PermissionDenied) as error:
            message = error.message if isinstance(error, DomainError) else str(error)
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"已受理，登记为问题{problem.number}（来源：群众反映）。")
            return redirect("ledger:problem_detail", problem.pk)
    return _handle_page(request, item, form, ReportRejectForm(), status=400)


@login_required
@require_POST
def report_reject(request: HttpRequest, pk: int) -> HttpResponse:
    _require_town(request)
    item = _pending(pk)
    form = ReportRejectForm(request.POST)
    if form.is_valid():
        try:
            public_report_reject(report=item, by=request.user, reply=form.cleaned_data["reply"])
        except DomainError as error:
            form.add_error("reply" if error.field == "reply" else None, error.message)
        else:
            messages.success(request, f"已作不予受理处理（受理编号{item.reference}）。")
            return redirect("ledger:public_reports")
    initial = {"description": item.description, "village": item.village_id}
    return _handle_page(request, item, ReportAcceptForm(user=request.user, initial=initial), form, status=400)
