"""Campaign pages: the voice channel (我在链条/商区/网格有话说).

Public, phone-first pages need no login: an index of the carriers, and one page per carrier
with the message form and the answered messages (content and answer only, never a name). The
town's pages list the messages, answer them and turn them into ledger problems.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.forms_carriers import VoiceAnswerForm, VoiceForm, VoiceProblemForm
from qiangji.campaign.models import CarrierKind, VoiceMessage
from qiangji.campaign.selectors import parse_carrier
from qiangji.campaign.services.carriers import get_carrier
from qiangji.campaign.services.voice import (
    client_key_for,
    get_message_for_user,
    public_text,
    voice_answer,
    voice_answered_counts,
    voice_counts,
    voice_for_list,
    voice_post,
    voice_published,
    voice_title,
    voice_to_problem,
)
from qiangji.core.clientip import client_ip
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.core.public import public_submit
from qiangji.orgs.models import Chain, Grid, Street

# The thank-you page shows only after this browser has posted on that carrier.
SESSION_KEY = "campaign_voice_sent"
SECTIONS = ((CarrierKind.CHAIN, "产业链", Chain), (CarrierKind.STREET, "商业街区", Street), (CarrierKind.GRID, "网格", Grid))


def voice_index(request: HttpRequest) -> HttpResponse:
    """Every carrier's channel, for the public: pick where you work."""
    answered = voice_answered_counts()
    sections = [
        (label, [(kind, carrier, answered.get(f"{kind}:{carrier.pk}", 0)) for carrier in model.objects.order_by("id")])
        for kind, label, model in SECTIONS
    ]
    return render(request, "campaign/voice_index.html", {"sections": sections})


def _published_page(request: HttpRequest, kind: str, pk: int) -> Any:
    page = paginate(request, voice_published(kind, pk))
    page.object_list = list(page.object_list)
    for item in page.object_list:
        item.public_content = public_text(item.content)
        item.public_answer = public_text(item.answer)
    return page


def voice_carrier(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One carrier's channel: the form, then the town's answers to earlier messages."""
    carrier = get_carrier(kind, pk)
    form = VoiceForm(request.POST or None, user=request.user, kind=kind, carrier_id=carrier.pk)
    # Counted by account when signed in (an office shares one address), else by address.
    outcome = public_submit(
        request,
        form,
        lambda key: voice_post(kind=kind, carrier_id=carrier.pk, data=form.cleaned_data, client_key=key, by=request.user),
        client_key=client_key_for(user=request.user, ip=client_ip(request)),
    )
    if outcome.sent:
        request.session[SESSION_KEY] = f"{kind}:{carrier.pk}"
        return redirect("campaign:voice_thanks", kind, carrier.pk)
    context = {
        "carrier": carrier,
        "kind": kind,
        "title": voice_title(carrier),
        "form": form,
        "page": _published_page(request, kind, carrier.pk),
    }
    return render(request, "campaign/voice_carrier.html", context, status=outcome.status)


def voice_thanks(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    carrier = get_carrier(kind, pk)
    if request.session.get(SESSION_KEY) != f"{kind}:{carrier.pk}":
        return redirect("campaign:voice_carrier", kind, carrier.pk)
    return render(request, "campaign/voice_thanks.html", {"carrier": carrier, "kind": kind, "title": voice_title(carrier)})


# The town's side ------------------------------------------------------------------------------


def _require_town(request: HttpRequest) -> None:
    # Messages are the town's to answer; for everyone else these pages do not exist.
    if not runs_campaign(request.user):
        raise Http404


def _carrier_choices() -> list[tuple[str, str]]:
    return [(f"{kind}:{c.pk}", c.name) for kind, _, model in SECTIONS for c in model.objects.order_by("id")]


@login_required
def voice_list(request: HttpRequest) -> HttpResponse:
    """Every message, newest first, filtered by state and carrier."""
    _require_town(request)
    state = request.GET.get("state", "")
    state = state if state in VoiceMessage.State.values else ""
    carrier = request.GET.get("carrier", "")
    try:
        kind, pk = parse_carrier(carrier) if carrier else ("", None)
    except ValueError:
        carrier, kind, pk = "", "", None
    page = paginate(request, voice_for_list(state=state, kind=kind, pk=pk))
    context = {
        "page": page,
        "filters": {"state": state, "carrier": carrier},
        "states": VoiceMessage.State.choices,
        "carriers": _carrier_choices(),
        "counts": voice_counts(),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return render(request, "campaign/_voice_table.html", context)
    return render(request, "campaign/voice_list.html", context)


def _detail(
    request: HttpRequest, message: VoiceMessage, *, answer_form: Any = None, problem_form: Any = None, status: int = 200
) -> HttpResponse:
    context = {
        "message": message,
        "title": voice_title(message.carrier),
        "answer_form": answer_form or VoiceAnswerForm(),
        "problem_form": problem_form or VoiceProblemForm(user=request.user),
    }
    return render(request, "campaign/voice_detail.html", context, status=status)


@login_required
def voice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_town(request)
    return _detail(request, get_message_for_user(request.user, pk))


@login_required
@require_POST
def voice_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_town(request)
    message = get_message_for_user(request.user, pk)
    form = VoiceAnswerForm(request.POST)
    if form.is_valid():
        try:
            voice_answer(message=message, by=request.user, answer=form.cleaned_data["answer"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已回复，回复已在“{voice_title(message.carrier)}”页面公开。")
            return redirect("campaign:voice_detail", message.pk)
    return _detail(request, message, answer_form=form, status=400)


@login_required
@require_POST
def voice_problem_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_town(request)
    message = get_message_for_user(request.user, pk)
    form = VoiceProblemForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            problem = voice_to_problem(message=message, by=request.user, **form.cleaned_data)
        except (DomainError, PermissionDenied) as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, getattr(error, "message", None) or str(error))
        else:
            messages.success(request, f"已转为问题{problem.number}（来源：群众反映），进入问题清单。")
            return redirect("campaign:voice_detail", message.pk)
    return _detail(request, message, problem_form=form, status=400)


urlpatterns: list = [
    path("voice/", voice_index, name="voice_index"),
    path("voice/messages/", voice_list, name="voice_list"),
    path("voice/messages/<id:pk>/", voice_detail, name="voice_detail"),
    path("voice/messages/<id:pk>/answer/", voice_answer_view, name="voice_answer"),
    path("voice/messages/<id:pk>/problem/", voice_problem_view, name="voice_problem"),
    path("voice/<str:kind>/<id:pk>/", voice_carrier, name="voice_carrier"),
    path("voice/<str:kind>/<id:pk>/thanks/", voice_thanks, name="voice_thanks"),
]
