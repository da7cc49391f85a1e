"""The group robot form: which chat, whose notices, which topics."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.conf import settings

from qiangji.notifications.models import TOPICS, GroupChannel
from qiangji.orgs.models import LiaisonGroup, Organization

# What each platform's robot address looks like, to catch a pasted address of the wrong kind.
_WEBHOOK_PARAM = {GroupChannel.Platform.WECOM: "key", GroupChannel.Platform.DINGTALK: "access_token"}


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}未填写"}


class GroupChannelForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60, error_messages=_required("名称"), help_text="例如：大村村党总支工作群")
    platform = forms.ChoiceField(label="平台", choices=GroupChannel.Platform.choices, error_messages=_required("平台"))
    organization = forms.ModelChoiceField(
        label="党组织", queryset=Organization.objects.none(), required=False, help_text="与指导联络组二选一"
    )
    liaison_group = forms.ModelChoiceField(label="指导联络组", queryset=LiaisonGroup.objects.all(), required=False)
    webhook = forms.CharField(
        label="Webhook 地址",
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="在群设置中添加群机器人后复制的地址。保存后不再显示；修改时留空表示不变。",
    )
    secret = forms.CharField(
        label="加签密钥（钉钉）",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="钉钉机器人选择“加签”时显示的以 SEC 开头的密钥；修改时留空表示不变。",
    )
    topics = forms.MultipleChoiceField(
        label="推送内容",
        choices=[(key, label) for key, (label, _) in TOPICS.items()],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages=_required("推送内容"),
    )
    enabled = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args: Any, user: Any, instance: GroupChannel | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "platform": instance.platform,
                "organization": instance.organization_id,
                "liaison_group": instance.liaison_group_id,
                "topics": instance.topics,
                "enabled": instance.enabled,
            }
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user, "manage").order_by("path")

    def clean_webhook(self) -> str:
        value = self.cleaned_data["webhook"].strip()
        if not value:
            if self.instance is None:
                raise forms.ValidationError("Webhook 地址未填写")
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise forms.ValidationError("Webhook 地址应以 https:// 开头")
        if parts.hostname not in settings.QIANGJI_ROBOT_HOSTS:
            raise forms.ValidationError(
                "Webhook 地址不是企业微信或钉钉的机器人地址（允许的地址：" + "、".join(settings.QIANGJI_ROBOT_HOSTS) + "）"
            )
        return value

    def clean_secret(self) -> str:
        value = self.cleaned_data["secret"].strip()
        if value and not value.startswith("SEC"):
            raise forms.ValidationError("加签密钥应以 SEC 开头")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organization, group = data.get("organization"), data.get("liaison_group")
        if bool(organization) == bool(group):
            self.add_error("organization", "请选择一个党组织或一个指导联络组（二选一）")
        platform, webhook = data.get("platform"), data.get("webhook")
        if platform and webhook:
            param = _WEBHOOK_PARAM[GroupChannel.Platform(platform)]
            if param not in parse_qs(urlsplit(webhook).query):
                label = GroupChannel.Platform(platform).label
                self.add_error("webhook", f"这不像{label}的地址：地址中应有 {param}= 参数")
        if data.get("secret") and platform == GroupChannel.Platform.WECOM:
            self.add_error("secret", "企业微信群机器人没有加签密钥，请留空")
        return data

    def apply(self) -> GroupChannel:
        """The channel with the form's values (unsaved): credentials left blank stay as they were."""
        channel = self.instance or GroupChannel()
        data = self.cleaned_data
        channel.name = data["name"]
        channel.platform = data["platform"]
        channel.organization = data.get("organization")
        channel.liaison_group = data.get("liaison_group")
        channel.topics = list(data["topics"])
        channel.enabled = data["enabled"]
        if data["webhook"]:
            channel.webhook = data["webhook"]
        if data["secret"] or channel.platform == GroupChannel.Platform.WECOM:
            channel.secret = data["secret"]
        return channel
