"""Signing in and out, changing one's own password, one's own API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qiangji.accounts import second_factor
from qiangji.accounts.forms import ApiTokenForm, LoginForm
from qiangji.accounts.models import ApiToken
from qiangji.accounts.services import api_token_issue, api_token_revoke


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # A second factor given in an earlier session of the same browser must not carry over.
        second_factor.forget(self.request)
        response = super().form_valid(form)
        if second_factor.required(form.get_user()):
            return redirect(reverse("accounts:second_factor") + "?" + urlencode({"next": self.get_success_url()}))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home:index")

    def form_valid(self, form):
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """Create and list the user's own tokens; only a key's hash is stored.

    Post/redirect/get, so that refreshing the page cannot issue a second token: the new key
    waits in the session and is shown once, on the next page view (never_cache keeps it out
    of any cache).
    """
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _, key = api_token_issue(user=request.user, name=form.cleaned_data["name"])
        request.session["qj_new_token"] = key
        return redirect("accounts:tokens")
    new_key = request.session.pop("qj_new_token", None)
    items = ApiToken.objects.filter(user=request.user).select_related("user")
    context = {"form": form, "tokens": items, "new_key": new_key, "token_days": settings.API_TOKEN_DAYS}
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the owner's own tokens: someone else's id answers 404 like a missing one.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, user=request.user)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("accounts:tokens")
