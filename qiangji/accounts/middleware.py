from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordExpiryMiddleware:
    """Sends a user whose password has expired to the change-password page (level-3 rule)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.password_expired
            and not request.path.startswith(("/accounts/", "/static/", "/api/", "/healthz"))
        ):
            return redirect(reverse("accounts:password_change") + "?expired=1")
        return self.get_response(request)
