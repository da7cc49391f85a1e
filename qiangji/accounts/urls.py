from django.contrib.auth import views as auth_views
from django.urls import path

from qiangji.accounts.views import auth, second_factor, user_actions, users

app_name = "accounts"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", auth.tokens, name="tokens"),
    path("tokens/<id:pk>/revoke/", auth.token_revoke, name="token_revoke"),
    # Second factor of town admins; the gate middleware lets /accounts/2fa/ through.
    path("2fa/", second_factor.verify, name="second_factor"),
    path("2fa/enrol/", second_factor.enrol, name="second_factor_enrol"),
    path("2fa/qr.svg", second_factor.qr_code, name="second_factor_qr"),
    # Account management (town admins).
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_new, name="user_create"),
    path("users/<id:pk>/", users.user_detail, name="user_detail"),
    path("users/<id:pk>/edit/", users.user_edit, name="user_edit"),
    path("users/<id:pk>/password/", user_actions.password_reset, name="user_password_reset"),
    path("users/<id:pk>/grants/", user_actions.grant_create, name="user_grant"),
    path("users/<id:pk>/grants/<id:grant_pk>/revoke/", user_actions.grant_revoke, name="user_grant_revoke"),
    path("users/<id:pk>/member/", user_actions.member_link, name="user_member"),
    path("users/<id:pk>/member/unlink/", user_actions.member_unlink, name="user_member_unlink"),
    path("users/<id:pk>/2fa/reset/", user_actions.second_factor_reset, name="user_second_factor_reset"),
]
