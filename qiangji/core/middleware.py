"""The platform's own middleware.

SessionTimeoutMiddleware: a signed-in session ends after QIANGJI_SESSION_IDLE_MINUTES without a
request, and at the latest SESSION_COOKIE_AGE after it began (等保三级: 登录超时). Django's own
expiry slides with every write to the session, so both limits are kept in the session itself.

BadRequestMiddleware: requests no view can make sense of are refused up front with a 400 in
Chinese. Two kinds reach the database or the parser before any form could refuse them, and each
used to be a 500: NUL characters (PostgreSQL text cannot hold them; a query string or a path is
read without a form) and a multipart body Django cannot split (no boundary, a broken one).
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import timezone

STARTED = "qj_session_started"
LAST_SEEN = "qj_session_last_seen"
# Writing the session on every request would be a database write per page; a minute is precise
# enough for a limit counted in tens of minutes.
WRITE_EVERY_SECONDS = 60
IDLE_MESSAGE = "您已较长时间未操作，为保护数据已自动退出，请重新登录。"
EXPIRED_MESSAGE = "本次登录已超过最长时限，为保护数据已自动退出，请重新登录。"


class SessionTimeoutMiddleware:
    """Logs a session out once it is idle too long or too old; the request goes on anonymous."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = timezone.now().timestamp()
        session = request.session
        started, last_seen = session.get(STARTED), session.get(LAST_SEEN)
        if started is None or last_seen is None:
            self._stamp(request, now, start=started is None)
            return
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            self._end(request, IDLE_MESSAGE)
        elif now - started > settings.SESSION_COOKIE_AGE:
            self._end(request, EXPIRED_MESSAGE)
        elif now - last_seen >= WRITE_EVERY_SECONDS:
            session[LAST_SEEN] = now

    @staticmethod
    def _stamp(request: HttpRequest, now: float, *, start: bool) -> None:
        if start:
            request.session[STARTED] = now
        request.session[LAST_SEEN] = now

    @staticmethod
    def _end(request: HttpRequest, message: str) -> None:
        logout(request)
        messages.info(request, message)


def session_started(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """user_logged_in: a new session starts both clocks."""
    if request is not None and hasattr(request, "session"):
        SessionTimeoutMiddleware._stamp(request, timezone.now().timestamp(), start=True)


NUL_MESSAGE = "请求中含有无效字符（空字符），请检查后重新提交。"
MULTIPART_MESSAGE = "上传的表单数据格式不正确，无法读取，请重新选择文件后提交。"

# A JSON string may spell NUL as an escape; a literal NUL byte is refused as well.
_JSON_NUL = re.compile(rb"\\u0000|\x00", re.IGNORECASE)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 with the reason: JSON for the API (its one error shape), the error page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    html = render_to_string("400.html", {"message": message}, request=request)
    return HttpResponse(html, status=400)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", ""):
        return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class BadRequestMiddleware:
    """Refuses NUL characters and unreadable multipart bodies with a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return bad_request(request, NUL_MESSAGE)
        if request.content_type == "multipart/form-data" and request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, so a broken body is refused here
            except MultiPartParserError:
                return bad_request(request, MULTIPART_MESSAGE)
        elif request.content_type == "application/json" and _JSON_NUL.search(request.body):
            return bad_request(request, NUL_MESSAGE)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A PUT or PATCH body is parsed by the view itself, past the check above.
        if isinstance(exception, MultiPartParserError):
            return bad_request(request, MULTIPART_MESSAGE)
        return None
