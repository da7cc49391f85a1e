"""The answers to what went wrong, in plain Chinese and with nothing of the inside.

Pages get templates/4xx.html and 500.html; anything under /api/ gets the API's JSON shape
(`{"detail": "..."}`), whether the error came from an endpoint (core.api) or from outside one (an
unknown address, a middleware). 500 renders without a request context: the database, whose
failure may be the reason for the 500, must not be needed to say so.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"

BAD_REQUEST_MESSAGE = "请求无法处理，请检查后重试。"
FORBIDDEN_MESSAGE = "您没有执行此操作的权限。"
NOT_FOUND_MESSAGE = "对象不存在，或您无权访问。"
SERVER_ERROR_MESSAGE = "系统出现错误，请稍后重试；如果一再出现，请联系镇党委的系统管理员。"
CSRF_MESSAGE = "页面已过期或来源不明，请刷新页面后重新提交。"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def _page(request: HttpRequest, template: str, status: int, context: dict | None = None) -> HttpResponse:
    body = loader.get_template(template).render(context or {}, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json(400, BAD_REQUEST_MESSAGE)
    # Standalone like 500: a bad Host header, for one, comes before anything else is trustworthy.
    return HttpResponse(loader.get_template("400.html").render(), status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json(403, FORBIDDEN_MESSAGE)
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json(404, NOT_FOUND_MESSAGE)
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json(500, SERVER_ERROR_MESSAGE)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own page explains the mechanism in English, to anyone."""
    if _is_api(request):
        return _json(403, CSRF_MESSAGE)
    return _page(request, "403.html", 403, {"csrf_failed": True})
