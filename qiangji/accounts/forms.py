from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone
from django.utils.html import format_html

from qiangji.accounts.models import RoleGrant, User
from qiangji.accounts.services import login_locked_until
from qiangji.core.concurrency import VersionedForm
from qiangji.core.text import clean_text


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确。连续输错多次后账号将被临时锁定。",
        "inactive": "该账号已停用，请联系镇党建办。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["password"].label = "密码"

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            until = login_locked_until(username=username)
            if until:
                local = timezone.localtime(until)
                raise forms.ValidationError(f"密码连续错误次数过多，账号已临时锁定，请于 {local:%H:%M} 后再试。", code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            # Locked between the check above and the backend's own (attempts sent at once).
            locked = getattr(self.request, "login_locked", None)
            if locked is not None:
                raise forms.ValidationError(locked.args[0], code="locked") from None
            raise


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=60, help_text="例如：数据同步脚本")

    def clean_name(self) -> str:
        # CharField already strips and requires; this folds full-width characters and inner runs of spaces.
        return clean_text(self.cleaned_data["name"])


class CodeForm(forms.Form):
    """The six digits of an authenticator app; spaces (as some apps show them) are ignored."""

    code = forms.CharField(
        label="验证码",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = clean_text(self.cleaned_data["code"]).replace(" ", "")
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("请输入6位数字验证码")
        return code


_NEW_PASSWORD = forms.PasswordInput(attrs={"autocomplete": "new-password"})


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label="账号",
        max_length=150,
        validators=[UnicodeUsernameValidator(message="账号只能包含字母、数字和 @ . + - _ 符号")],
        help_text="登录时使用，建议用姓名拼音，如 zhangsan。",
    )
    display_name = forms.CharField(label="姓名", max_length=50)
    password1 = forms.CharField(label="初始密码", strip=False, widget=_NEW_PASSWORD)
    password2 = forms.CharField(label="确认初始密码", strip=False, widget=_NEW_PASSWORD)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Markup in a help text is built from escaped parts here; the template prints plain text.
        self.fields["password1"].help_text = format_html(
            "{}<p>首次登录时须由本人修改。</p>", password_validation.password_validators_help_text_html()
        )

    def clean_username(self) -> str:
        return clean_text(self.cleaned_data["username"])

    def clean_display_name(self) -> str:
        value = clean_text(self.cleaned_data["display_name"])
        if not value:
            raise forms.ValidationError("请填写姓名")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致")
        elif first:
            # Every failed rule listed at once, as the change-password page does.
            candidate = User(username=data.get("username", ""), display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class UserUpdateForm(VersionedForm):
    display_name = forms.CharField(label="姓名", max_length=50)
    is_active = forms.BooleanField(label="账号可用（取消勾选即停用，停用后不能登录，接口令牌同时失效）", required=False)

    def clean_display_name(self) -> str:
        value = clean_text(self.cleaned_data["display_name"])
        if not value:
            raise forms.ValidationError("请填写姓名")
        return value


class RoleGrantForm(forms.Form):
    """A role on one of the organizations the admin administers (given as `organizations`)."""

    role = forms.ChoiceField(label="角色", choices=[("", "请选择"), *RoleGrant.Role.choices])
    organization = forms.TypedChoiceField(label="党组织", coerce=int, choices=())
    title = forms.CharField(
        label="职务", max_length=30, required=False, help_text="书记/党务工作者须填写，如：书记、副书记、党务工作者"
    )

    def __init__(self, *args: Any, organizations: list[tuple[int, str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = min((depth for _, _, depth in organizations), default=0)
        self.fields["organization"].choices = [("", "请选择")] + [
            (pk, "\u3000" * (depth - top) + name) for pk, name, depth in organizations
        ]
        self.fields["organization"].error_messages["invalid_choice"] = "所选党组织不存在或不在您的管理范围内"

    def clean_title(self) -> str:
        return clean_text(self.cleaned_data["title"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") == RoleGrant.Role.SECRETARY and not data.get("title"):
            self.add_error("title", "请填写职务，如书记、副书记、党务工作者")
        return data
