"""The voice channel (我在链条/商区/网格有话说): anyone leaves a message on a carrier, the town
answers it in public, or turns it into a problem of the self-reform ledger.

States: new (待回复) → answered (已回复); new or answered → problem (已转问题清单). A message is
answered once and made a problem once; a problem may still get its public answer (the message
stays "problem"). Only answered messages are ever shown to the public, without any name.
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.models import Entity, VoiceMessage
from qiangji.campaign.selectors import carrier_entities
from qiangji.campaign.services.carriers import CARRIER_MODELS
from qiangji.core.crypto import keyed_hash
from qiangji.core.errors import DomainError, RateLimited, refuse_over_hourly_limit  # noqa: F401 (RateLimited: callers catch it here)
from qiangji.core.text import clean_text
from qiangji.ledger.models import Problem
from qiangji.ledger.services.problems import problem_register

State = VoiceMessage.State
CONTENT_MIN, CONTENT_MAX = 10, 1000
NAME_MAX, WORKPLACE_MAX = 20, 28  # "姓名（单位）" fits the 50 characters of author_name
ANSWER_MAX = 2000


def voice_title(carrier: Any) -> str:
    """ "我在蔬菜链有话说": the channel's name for one carrier."""
    return f"我在{carrier.name}有话说"


def client_key_for(*, user: Any, ip: str | None) -> str:
    """Whom the rate limit counts: a signed-in user by account (an office shares one address),
    anyone else by address; only the keyed hash is kept."""
    if getattr(user, "is_authenticated", False):
        return keyed_hash(f"user:{user.pk}")
    return keyed_hash(f"ip:{ip or ''}")


# Reads ----------------------------------------------------------------------------------------

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
_DIGITS = re.compile(r"\d[\d\s-]{5,}\d")


def public_text(text: str) -> str:
    """A message as the public page shows it: phone numbers and other long numbers masked."""

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) < 7:
            return match.group(0)
        return digits[:3] + "****" + digits[-4:]

    return _DIGITS.sub(mask, _MOBILE.sub(r"\1****\2", text))


def voice_published(kind: str, pk: int) -> QuerySet[VoiceMessage]:
    """The answered messages of one carrier, latest answer first: what the public page lists."""
    return (
        VoiceMessage.objects.filter(carrier_kind=kind, **{f"{kind}_id": pk}, answered_at__isnull=False)
        .only("pk", "content", "answer", "created_at", "answered_at", "carrier_kind")
        .order_by("-answered_at", "-id")
    )


def voice_answered_counts() -> dict[str, int]:
    """Answered messages per carrier ("chain:1" → 3), in one grouped query."""
    rows = (
        VoiceMessage.objects.filter(answered_at__isnull=False)
        .values("carrier_kind", "chain_id", "street_id", "grid_id")
        .annotate(n=Count("pk"))
    )
    return {f"{r['carrier_kind']}:{r[r['carrier_kind'] + '_id']}": r["n"] for r in rows}


def voice_for_list(*, state: str = "", kind: str = "", pk: int | None = None) -> QuerySet[VoiceMessage]:
    """The town's list of messages, newest first, filtered by state and carrier."""
    qs = VoiceMessage.objects.select_related("chain", "street", "grid", "author", "entity", "problem", "answered_by")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(carrier_kind=kind)
        if pk is not None:
            qs = qs.filter(**{f"{kind}_id": pk})
    return qs


def voice_counts() -> dict[str, int]:
    """How many messages wait for an answer, are answered, became problems: one query."""
    return VoiceMessage.objects.aggregate(
        **{value: Count("pk", filter=Q(state=value)) for value in State.values}, total=Count("pk")
    )


def get_message_for_user(user: Any, pk: int) -> VoiceMessage:
    """Messages are the town's to handle; for anyone else they do not exist (404)."""
    if not runs_campaign(user):
        raise Http404
    message = voice_for_list().filter(pk=pk).first()
    if message is None:
        raise Http404
    return message


# Writes ---------------------------------------------------------------------------------------


def _content(raw: Any) -> str:
    lines = [line.rstrip() for line in str(raw or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        raise DomainError("请填写留言内容", field="content")
    if len(text) < CONTENT_MIN:
        raise DomainError(f"留言内容至少{CONTENT_MIN}个字，请把情况说清楚", field="content")
    if len(text) > CONTENT_MAX:
        raise DomainError(f"留言内容不能超过{CONTENT_MAX}个字（现有{len(text)}个字）", field="content")
    return text


def _author_name(data: Mapping[str, Any]) -> str:
    name = clean_text(data.get("author_name"))
    workplace = clean_text(data.get("workplace"))
    if len(name) > NAME_MAX:
        raise DomainError(f"称呼不能超过{NAME_MAX}个字", field="author_name")
    if len(workplace) > WORKPLACE_MAX:
        raise DomainError(f"所在单位不能超过{WORKPLACE_MAX}个字", field="workplace")
    if name and workplace:
        return f"{name}（{workplace}）"
    return name or workplace


def _entity(value: Any, *, by: Any, kind: str, pk: int) -> Entity | None:
    """An entity is linked only when a signed-in user picks one they may see on this carrier."""
    if value in (None, ""):
        return None
    if not getattr(by, "is_authenticated", False):
        raise DomainError("登录后才能选择所在主体，也可以直接填写所在单位", field="entity")
    entity_pk = value.pk if isinstance(value, Entity) else value
    try:
        entity_pk = int(entity_pk)
    except (TypeError, ValueError):
        raise DomainError("请选择有效的主体", field="entity") from None
    entity = carrier_entities(kind, pk).filter(pk__in=Entity.objects.for_user(by).values("pk")).filter(pk=entity_pk).first()
    if entity is None:
        raise DomainError("所选主体不在该载体中，或您无权选择", field="entity")
    return entity


@transaction.atomic
def voice_post(
    *, kind: str, carrier_id: int, data: Mapping[str, Any], client_key: str, by: Any = None, now: dt.datetime | None = None
) -> VoiceMessage:
    """Leave a message on a carrier: the message is required, name and workplace are not."""
    now = now or timezone.now()
    model = CARRIER_MODELS.get(kind)
    carrier = model.objects.filter(pk=carrier_id).first() if model else None
    if carrier is None:
        raise DomainError("留言的载体不存在", field="carrier")
    refuse_over_hourly_limit(
        VoiceMessage.objects.filter(client_key=client_key),
        client_key=client_key,
        now=now,
        limit=settings.CAMPAIGN_VOICE_PER_HOUR,
        message="留言过于频繁，请一小时后再试",
    )
    message = VoiceMessage(
        carrier_kind=kind,
        content=_content(data.get("content")),
        author_name=_author_name(data),
        author=by if getattr(by, "is_authenticated", False) else None,
        entity=_entity(data.get("entity"), by=by, kind=kind, pk=carrier.pk),
        client_key=client_key,
    )
    setattr(message, kind, carrier)
    message.save()
    return message


def _may_handle(by: Any) -> None:
    if not runs_campaign(by):
        raise PermissionDenied("留言由镇党委回复和处理")


def _locked(message: VoiceMessage) -> VoiceMessage:
    return (
        VoiceMessage.objects.select_for_update(of=("self",))
        .select_related("chain", "street", "grid", "entity")
        .get(pk=message.pk)
    )


@transaction.atomic
def voice_answer(*, message: VoiceMessage, by: Any, answer: str) -> VoiceMessage:
    """Answer a message in public, once; the answer then shows on the carrier's page."""
    _may_handle(by)
    message = _locked(message)
    if message.answered_at is not None:
        raise DomainError("该留言已回复，不能重复回复")
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("请填写回复内容", field="answer")
    if len(answer) > ANSWER_MAX:
        raise DomainError(f"回复内容不能超过{ANSWER_MAX}个字", field="answer")
    message.answer, message.answered_by, message.answered_at = answer, by, timezone.now()
    if message.state == State.NEW:
        message.state = State.ANSWERED
    message.save(update_fields=["answer", "answered_by", "answered_at", "state"])
    return message


@transaction.atomic
def voice_to_problem(
    *,
    message: VoiceMessage,
    by: Any,
    organization: Any,
    owner: Any,
    deadline: dt.date,
    category: str = "",
    today: dt.date | None = None,
) -> Problem:
    """Register (挂号) a message as a ledger problem, once; the problem says where it came from."""
    _may_handle(by)
    message = _locked(message)
    if message.state == State.PROBLEM or message.problem_id:
        number = f"（问题{message.problem.number}）" if message.problem_id else ""
        raise DomainError(f"该留言已转为问题{number}，不能重复转")
    if organization is None:
        raise DomainError("请选择党组织", field="organization")
    if owner is None:
        raise DomainError("请选择在职的整改责任人", field="owner")
    if deadline is None:
        raise DomainError("请填写整改期限", field="deadline")
    posted = timezone.localtime(message.created_at)
    origin = f"来自“{voice_title(message.carrier)}”留言（留言编号{message.pk}，{posted:%Y-%m-%d %H:%M}）"
    if message.entity_id:
        origin += f"，所在主体：{message.entity.name}"
    data = {
        # The voice channel is what people on a carrier say to the town: 群众反映 is its source.
        "source": Problem.Source.PUBLIC,
        "organization": organization,
        "village": message.entity.village if message.entity_id else None,
        "category": clean_text(category)[:30],
        "description": f"{message.content}\n\n{origin}",
        "owner": owner,
        "deadline": deadline,
    }
    problem = problem_register(by=by, data=data, today=today)
    message.problem, message.state = problem, State.PROBLEM
    message.save(update_fields=["problem", "state"])
    return problem
