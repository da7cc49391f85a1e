"""What every app's API router shares: one error format, form errors as 422, paging.

Error bodies are always `{"detail": "<中文说明>"}`, plus `"errors": {field: [messages]}` on 422
and `"current": {field: value, "version": n}` on a 409 for a stale update (core.concurrency).
The routers validate with the same Django forms as the pages; `form_data` turns an invalid form
into `FormInvalid`, which `install_error_handlers` answers with 422.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError

NON_FIELD = "__all__"
INVALID_MESSAGE = "提交的数据有误，请按提示修改。"
UNAUTHENTICATED_MESSAGE = "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"
NOT_FOUND_MESSAGE = "对象不存在，或您无权访问。"
BAD_BODY_MESSAGE = "请求体无法解析，应为 JSON 格式。"


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


def choice_or_422(field: str, value: str, choices: Iterable[tuple[str, str]]) -> str:
    """A filter value that must be one of `choices` (blank means no filter)."""
    allowed = [c for c, _ in choices]
    if value and value not in allowed:
        raise FormInvalid({field: [f"“{value}”不是有效的选项，可选：{'、'.join(allowed)}。"]})
    return value


def paginate(queryset: Any, *, page: int, page_size: int) -> dict[str, Any]:
    """One page of `queryset`; a page past the end is empty rather than an error, like a list."""
    start = (page - 1) * page_size
    return {
        "count": queryset.count(),
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }


# Pydantic checks types before a form sees the data; its English messages become these.
_PYDANTIC_MESSAGES = {
    "missing": "这个字段是必填项。",
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
        # ninja's only own 400 is a body it cannot parse; its message is English.
        message = BAD_BODY_MESSAGE if exc.status_code == 400 else exc.message
        return respond(request, exc.status_code, {"detail": message})

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, {"detail": str(exc) or "您没有执行此操作的权限。"})

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
