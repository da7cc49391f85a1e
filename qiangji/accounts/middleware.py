from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from qiangji.accounts import second_factor

# Reachable before the second factor: the login itself, its second step, the way out, and what
# never uses the page session (static files, the health check, the token-authenticated API,
# whose session callers are held back in api_auth instead).
# The public report page (群众反映) is for anyone and shows no ledger data: a gated session opens it too.
PUBLIC_PAGES = ("/ledger/report/",)
SECOND_FACTOR_OPEN = ("/accounts/login/", "/accounts/logout/", "/accounts/2fa/", "/static/", "/healthz", "/api/", *PUBLIC_PAGES)
# Reachable with a password that must be changed: the same, plus the change-password page.
PASSWORD_OPEN = (*SECOND_FACTOR_OPEN, "/accounts/password/")


def _go(request: HttpRequest, url: str) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    if htmx:
        # A fragment request would otherwise swap the whole target page into a table cell.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class AccountGateMiddleware:
    """What a logged-in session must do before it reaches the pages, in this order:

    1. a town admin gives the second factor (enrols an authenticator the first time);
    2. a password that expired (level-3 rule) or that an administrator set is changed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        path = request.path
        if not path.startswith(SECOND_FACTOR_OPEN) and second_factor.required(user) and not second_factor.passed(request):
            back = request.get_full_path() if request.method == "GET" else "/"
            return _go(request, reverse("accounts:second_factor") + "?" + urlencode({"next": back}))
        if not path.startswith(PASSWORD_OPEN):
            if user.password_expired:
                return _go(request, reverse("accounts:password_change") + "?expired=1")
            if user.must_change_password:
                return _go(request, reverse("accounts:password_change") + "?temporary=1")
        return self.get_response(request)
