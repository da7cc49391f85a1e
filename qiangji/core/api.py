"""What every app's API router shares: one error format, form errors as 422, paging.

Error bodies are always `{"detail": "<中文说明>"}`, plus `"errors": {field: [messages]}` on 422
and `"current": {field: value, "version": n}` on a 409 for a stale update (core.concurrency).
The routers validate with the same Django forms as the pages; `form_data` turns an invalid form
into `FormInvalid`, which `install_error_handlers` answers with 422.
"""

import logging
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from qiangji.core.concurrency import StaleEdit
from qiangji.core.error_views import FORBIDDEN_MESSAGE, NOT_FOUND_MESSAGE, SERVER_ERROR_MESSAGE
from qiangji.core.errors import DomainError

logger = logging.getLogger("django.request")

NON_FIELD = "__all__"
INVALID_MESSAGE = "提交的数据有误，请按提示修改。"
UNAUTHENTICATED_MESSAGE = "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"
BAD_BODY_MESSAGE = "请求体无法解析，应为 JSON 格式。"
# What an HttpError without a Chinese message of ours says (ninja's own are English).
STATUS_MESSAGES = {
    400: BAD_BODY_MESSAGE,
    403: FORBIDDEN_MESSAGE,
    404: NOT_FOUND_MESSAGE,
    405: "不支持该请求方法。",
    429: "请求过于频繁，请稍后再试。",
}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class ErrorOut(Schema):
    detail: str


class StaleOut(Schema):
    """409: a refusal; for an update based on an old `version`, also what the record holds now."""

    detail: str
    current: dict[str, Any] | None = Field(None, description="记录已被他人修改时：现在的内容（含 version）")


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class FormInvalid(Exception):
    """Field errors to answer with 422; raised by `form_data` or by a router's own checks."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def form_data(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or FormInvalid carrying its Chinese messages field by field."""
    if not form.is_valid():
        raise FormInvalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form.cleaned_data


# The answer is keyed by the field; the forms' own messages name it ("标题未填写"), and a field
# missing from the body before any form sees it is named from this list (the API's common fields).
REQUIRED_MESSAGE = "此项未填写"
API_FIELD_LABELS = {
    "version": "版本号",
    "action": "操作",
    "name": "名称",
    "title": "标题",
    "content": "内容",
    "date": "日期",
    "file": "文件",
    "kind": "类别",
    "topic": "主题",
    "description": "描述",
    "organization": "党组织",
    "organization_id": "党组织",
    "reason": "理由",
    "evidence": "整改情况及佐证",
    "deadline": "期限",
    "owner": "责任人",
}


def required_for(field: str) -> str:
    label = API_FIELD_LABELS.get(field.rsplit(".", 1)[-1])
    return f"{label}未填写" if label else REQUIRED_MESSAGE


def choice_or_422(field: str, value: str, choices: Iterable[tuple[str, str]], *, required: bool = False) -> str:
    """A value that must be one of `choices`. Blank means no filter, unless `required` (an action
    to take): then blank or spaces are 422 too, never a step named ""."""
    allowed = [c for c, _ in choices]
    if required and not (value or "").strip():
        raise FormInvalid({field: [required_for(field)]})
    if value and value not in allowed:
        raise FormInvalid({field: [f"“{value}”不是有效的选项，可选：{'、'.join(allowed)}。"]})
    return value


def paginate(queryset: Any, *, page: int, page_size: int) -> dict[str, Any]:
    """One page of `queryset`; a page past the end is empty rather than an error, like a list."""
    count = queryset.count()
    start = (page - 1) * page_size
    # A page far past the end would be an OFFSET no database accepts (past 64 bits): never ask.
    items = list(queryset[start : start + page_size]) if start < count else []
    return {"count": count, "page": page, "page_size": page_size, "items": items}


# Pydantic checks types before a form sees the data; its English messages become these.
_PYDANTIC_MESSAGES = {
    "int_parsing": "请输入整数。",
    "int_type": "请输入整数。",
    "int_from_float": "请输入整数。",
    "date_parsing": "请输入有效的日期（格式：YYYY-MM-DD）。",
    "date_from_datetime_parsing": "请输入有效的日期（格式：YYYY-MM-DD）。",
    "date_from_datetime_inexact": "请输入有效的日期（格式：YYYY-MM-DD）。",
    "date_type": "请输入有效的日期（格式：YYYY-MM-DD）。",
    "bool_parsing": "请输入 true 或 false。",
    "bool_type": "请输入 true 或 false。",
    "string_type": "请输入文本。",
    "extra_forbidden": "不支持该字段。",
    "json_invalid": "请求体不是有效的 JSON。",
    "model_attributes_type": "请求体应为 JSON 对象。",
    "dict_type": "请求体应为 JSON 对象。",
}


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return required_for(_pydantic_field(error.get("loc", ())))
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}。"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}。"
    if kind == "string_too_long":
        return f"最多 {ctx.get('max_length')} 个字符。"
    return _PYDANTIC_MESSAGES.get(kind, "格式不正确。")


def _pydantic_field(loc: Iterable[Any]) -> str:
    # ("body", "payload", "name") → "name"; ("query", "page") → "page"; the body itself → "__all__".
    parts = [str(p) for p in loc]
    rest = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(rest) or NON_FIELD


def pydantic_errors(errors: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        result.setdefault(_pydantic_field(error.get("loc", ())), []).append(_pydantic_message(error))
    return result


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure the API can answer, in Chinese and in one shape."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, {"detail": UNAUTHENTICATED_MESSAGE})
        response["WWW-Authenticate"] = 'Bearer realm="qiangji"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's only own 400 is a body it cannot parse; its messages are English, ours Chinese.
        message = exc.message
        if exc.status_code == 400 or not _CHINESE.search(str(message)):
            message = STATUS_MESSAGES.get(exc.status_code, INVALID_MESSAGE if exc.status_code < 500 else SERVER_ERROR_MESSAGE)
        return respond(request, exc.status_code, {"detail": message})

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        # The services' refusals are written for the user; anything else (English) is not shown.
        message = str(exc)
        return respond(request, 403, {"detail": message if _CHINESE.search(message) else FORBIDDEN_MESSAGE})

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # ninja's default answers a traceback under DEBUG and HTML otherwise. The log and the
        # signal keep what Django does for a page (the traceback in the log; the test client
        # re-raises it unless told not to); the caller learns only that it failed.
        logger.error("Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request})
        got_request_exception.send(sender=None, request=request)
        return respond(request, 500, {"detail": SERVER_ERROR_MESSAGE})

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # One message for missing and forbidden alike: the answer must not reveal which.
        return respond(request, 404, {"detail": NOT_FOUND_MESSAGE})

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, 409, {"detail": exc.message})

    @api.exception_handler(StaleEdit)
    def stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
        # The client sent the version it read; the record has moved on. It gets what is
        # stored now, so it can merge and send again with the new version.
        return respond(request, 409, {"detail": exc.message, "current": exc.current})

    @api.exception_handler(FormInvalid)
    def form_invalid(request: HttpRequest, exc: FormInvalid) -> HttpResponse:
        return respond(request, 422, {"detail": INVALID_MESSAGE, "errors": exc.errors})

    @api.exception_handler(NinjaValidationError)
    def request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, 422, {"detail": INVALID_MESSAGE, "errors": pydantic_errors(exc.errors)})
