"""API: the voice channel (我在链条/商区/网格有话说).

Any signed-in user (the mobile app of a team member, a member's phone) leaves a message on a
carrier; the town lists, answers and turns messages into ledger problems. The public posts on
the page only: there is no unauthenticated API. Input errors answer 422 field by field, a rule
(answered twice, made a problem twice) 409, too many messages in an hour 429.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import ConfigDict, Field

from qiangji.campaign.access import runs_campaign
from qiangji.campaign.forms_carriers import VoiceProblemForm
from qiangji.campaign.models import VoiceMessage
from qiangji.campaign.selectors import parse_carrier
from qiangji.campaign.services.voice import (
    RateLimited,
    client_key_for,
    get_message_for_user,
    voice_answer,
    voice_for_list,
    voice_post,
    voice_to_problem,
)
from qiangji.core.api import ErrorOut, FormInvalid, ValidationErrorOut, choice_or_422, form_data, paginate
from qiangji.core.errors import DomainError

router = Router(tags=["新连心攻坚"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}


class VoiceOut(Schema):
    id: int
    carrier: str = Field(description="载体：chain:编号 / street:编号 / grid:编号")
    carrier_name: str
    content: str
    author_name: str = Field(description="留言人自填的称呼和单位（可为空）")
    author: int | None = Field(description="留言账号（未登录留言为空）")
    entity: int | None
    entity_name: str
    state: str = Field(description="new 待回复 / answered 已回复 / problem 已转问题清单")
    state_label: str
    answer: str
    answered_by: str
    answered_at: dt.datetime | None
    problem: int | None
    problem_number: str
    created_at: dt.datetime

    @classmethod
    def of(cls, message: VoiceMessage) -> "VoiceOut":
        return cls(
            id=message.pk,
            carrier=message.carrier_ref,
            carrier_name=message.carrier.name,
            content=message.content,
            author_name=message.author_name,
            author=message.author_id,
            entity=message.entity_id,
            entity_name=message.entity.name if message.entity_id else "",
            state=message.state,
            state_label=message.get_state_display(),
            answer=message.answer,
            answered_by=str(message.answered_by) if message.answered_by_id else "",
            answered_at=message.answered_at,
            problem=message.problem_id,
            problem_number=message.problem.number if message.problem_id else "",
            created_at=message.created_at,
        )


class VoicePageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[VoiceOut]


class VoiceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    carrier: str = Field(description="留言的载体，如 chain:1")
    content: str = Field(description="留言内容，10至1000字")
    author_name: str = Field("", description="称呼（可不填）")
    workplace: str = Field("", description="所在单位（可不填）")
    entity: int | None = Field(None, description="所在主体（本人可见的、该载体内的主体编号，可不填）")


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: str


class VoiceProblemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organization: int
    owner: int = Field(description="整改责任人（用户编号）")
    deadline: dt.date
    category: str = ""


def _town_only(user: Any) -> None:
    if not runs_campaign(user):
        raise HttpError(403, "留言由镇党委查看和处理。")


def _fresh(pk: int) -> VoiceMessage:
    return voice_for_list().get(pk=pk)


def _as_form_error(error: DomainError) -> None:
    # Bad input (too short, unknown carrier…) answers 422 like any form; a rule 409.
    if error.field:
        raise FormInvalid({error.field: [error.message]}) from None
    raise error


@router.get("", response={200: VoicePageOut, **READ_ERRORS}, operation_id="voice_list", summary="有话说留言")
def voice_list(
    request: HttpRequest,
    state: str = "",
    carrier: str = "",
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> Any:
    """The town's list, newest first; `state` new/answered/problem, `carrier` e.g. chain:1."""
    _town_only(request.auth)
    choice_or_422("state", state, VoiceMessage.State.choices)
    kind, pk = "", None
    if carrier:
        try:
            kind, pk = parse_carrier(carrier)
        except ValueError as error:
            raise FormInvalid({"carrier": [str(error)]}) from None
    result = paginate(voice_for_list(state=state, kind=kind, pk=pk), page=page, page_size=page_size)
    result["items"] = [VoiceOut.of(m) for m in result["items"]]
    return result


@router.get("/{id:message_id}", response={200: VoiceOut, **READ_ERRORS}, operation_id="voice_get", summary="留言详情")
def voice_get(request: HttpRequest, message_id: int) -> Any:
    return VoiceOut.of(get_message_for_user(request.auth, message_id))


@router.post(
    "", response={201: VoiceOut, **WRITE_ERRORS}, operation_id="voice_post", summary="我在链条（商区、网格）有话说：留言"
)
def voice_create(request: HttpRequest, payload: VoiceIn) -> Any:
    """Any signed-in user leaves a message on a carrier; the author is recorded."""
    user = request.auth
    try:
        kind, pk = parse_carrier(payload.carrier)
    except ValueError as error:
        raise FormInvalid({"carrier": [str(error)]}) from None
    try:
        message = voice_post(
            kind=kind,
            carrier_id=pk,
            data=payload.model_dump(exclude={"carrier"}),
            client_key=client_key_for(user=user, ip=None),
            by=user,
        )
    except RateLimited as error:
        raise HttpError(429, error.message) from None
    except DomainError as error:
        _as_form_error(error)
    return Status(201, VoiceOut.of(_fresh(message.pk)))


@router.post("/{id:message_id}/answer", response={200: VoiceOut, **WRITE_ERRORS}, operation_id="voice_answer", summary="回复留言")
def voice_answer_api(request: HttpRequest, message_id: int, payload: AnswerIn) -> Any:
    """The answer is published on the carrier's page; a message is answered once (409 after)."""
    message = get_message_for_user(request.auth, message_id)
    try:
        voice_answer(message=message, by=request.auth, answer=payload.answer)
    except DomainError as error:
        _as_form_error(error)
    return VoiceOut.of(_fresh(message.pk))


@router.post(
    "/{id:message_id}/problem",
    response={200: VoiceOut, **WRITE_ERRORS},
    operation_id="voice_to_problem",
    summary="留言转为问题（挂号）",
)
def voice_problem_api(request: HttpRequest, message_id: int, payload: VoiceProblemIn) -> Any:
    """Registers a problem (source 群众反映) whose description says which message it came from."""
    message = get_message_for_user(request.auth, message_id)
    data = form_data(VoiceProblemForm(payload.model_dump(), user=request.auth))
    try:
        voice_to_problem(message=message, by=request.auth, **data)
    except DomainError as error:
        _as_form_error(error)
    return VoiceOut.of(_fresh(message.pk))
