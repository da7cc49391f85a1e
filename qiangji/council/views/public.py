"""The public consultation hall (议事厅): no login, phone-first. Only published bulletins and
opinions moderated to be shown appear, and never who wrote them (no name, no phone)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qiangji.core.public import public_lookup, public_submit
from qiangji.council.forms import PublicOpinionForm
from qiangji.council.selectors import (
    get_public_bulletin,
    hall_projects,
    opinion_by_receipt,
    public_bulletins,
    public_opinions,
)
from qiangji.council.services import opinion_submit

# The thank-you page reads the bulletin from the session, so it confirms only the visitor's own
# submission (and a reload of it cannot send the opinion twice).
SESSION_KEY = "council_opinion_bulletin"
RECEIPT_KEY = "council_opinion_receipt"


def hall(request: HttpRequest) -> HttpResponse:
    """The projects with published bulletins: name, village, progress, latest bulletin date."""
    projects = list(hall_projects())
    return render(request, "council/hall.html", {"projects": projects})


def _bulletin_page(request: HttpRequest, bulletin, form: PublicOpinionForm, status: int = 200) -> HttpResponse:
    project = bulletin.project
    context = {
        "bulletin": bulletin,
        "project": project,
        "milestones": list(project.milestones.only("title", "due_on", "done_on", "order", "project_id")),
        "opinions": list(public_opinions(bulletin)),
        "others": [b for b in public_bulletins(project).only("id", "title", "published_at") if b.pk != bulletin.pk],
        "form": form,
    }
    return render(request, "council/hall_bulletin.html", context, status=status)


def bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    """A published bulletin, the project's milestones, the shown opinions with their answers, and
    the opinion form (content; name and phone optional; a honeypot for bots)."""
    item = get_public_bulletin(pk)
    form = PublicOpinionForm(request.POST or None)
    outcome = public_submit(
        request,
        form,
        lambda key: opinion_submit(bulletin=item, data=form.cleaned_data, client_key=key, author=request.user),
    )
    if outcome.sent:
        request.session[SESSION_KEY] = item.pk
        request.session[RECEIPT_KEY] = outcome.result.receipt
        return redirect("council:hall_done")
    return _bulletin_page(request, item, form, outcome.status)


def done(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return redirect("council:hall")
    return render(request, "council/hall_done.html", {"bulletin_pk": pk, "receipt": request.session.get(RECEIPT_KEY, "")})


def status(request: HttpRequest) -> HttpResponse:
    """No login: the writer enters the receipt number (or follows the link given on submission)
    and sees the opinion's handling state and the public answer; never a name or a phone."""
    lookup = public_lookup(request, page="council_opinion", find=opinion_by_receipt)
    return render(request, "council/hall_status.html", {"lookup": lookup}, status=lookup.status)
