"""A signed-in session ends after QIANGJI_SESSION_IDLE_MINUTES without a request, and at the
latest SESSION_COOKIE_AGE after it began (等保三级: 登录超时). Django's own expiry slides with every
write to the session, so both limits are kept here, in the session itself.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
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
