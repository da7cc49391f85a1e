from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from qiangji.accounts.services import login_locked_until
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
        return super().clean()


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=60, help_text="例如：数据同步脚本")

    def clean_name(self) -> str:
        # CharField already strips and requires; this folds full-width characters and inner runs of spaces.
        return clean_text(self.cleaned_data["name"])
