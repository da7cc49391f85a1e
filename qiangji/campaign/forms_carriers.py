"""Forms of the carriers' own bodies: committees and their seats, grid roles (十员), and the voice
channel (我在链条/商区/网格有话说) with the town's answer and its turning into a ledger problem.

The forms only parse; the rules (one 主任, one committee per carrier, 10–1000 characters…) live
in the services, so the pages and the API refuse the same things with the same words.
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from qiangji.campaign.models import Entity, GridRole
from qiangji.campaign.selectors import carrier_entities
from qiangji.campaign.services.carriers import DUTIES
from qiangji.campaign.services.voice import CONTENT_MAX, NAME_MAX, WORKPLACE_MAX
from qiangji.core.concurrency import VersionedForm
from qiangji.core.public import PublicForm
from qiangji.ledger.forms.public import ProblemAssignForm
from qiangji.orgs.models import Organization


def _organizations() -> Any:
    return Organization.objects.active().exclude(kind=Organization.Kind.GROUP).order_by("path")


class CommitteeForm(VersionedForm):
    name = forms.CharField(
        label="委员会名称",
        max_length=100,
        required=False,
        help_text="不填则按载体名称命名，如“蔬菜链链委会”。",
    )
    established_on = forms.DateField(label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    organization = forms.ModelChoiceField(
        label="依托党组织", queryset=Organization.objects.none(), required=False, empty_label="请选择（可不选）"
    )
    duties = forms.CharField(
        label="运行机制",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "如：每季度召开一次联席会议，研究解决链上主体的共性问题"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations()


class SeatForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    duty = forms.ChoiceField(label="职务", choices=[(d, d) for d in DUTIES], initial=DUTIES[-1])
    unit = forms.CharField(label="所在单位", max_length=100, required=False)


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.username}）" if obj.display_name else obj.username


class GridRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="十员类别",
        choices=[("", "请选择"), *GridRole.Role.choices],
        error_messages={"required": "请选择十员类别", "invalid_choice": "请从列表中选择十员类别"},
    )
    # Blank with an account: the service names the post after the account.
    name = forms.CharField(label="姓名", max_length=50, required=False)
    unit = forms.CharField(label="所在单位", max_length=100, required=False)
    user = AccountChoiceField(
        label="关联账号（可选）",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="不关联账号",
        error_messages={"invalid_choice": "该账号已不可选（可能已停用），请重新选择"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not (cleaned.get("name") or "").strip() and not cleaned.get("user") and "user" not in self.errors:
            self.add_error("name", "请填写姓名，或选择关联账号")
        return cleaned


class VoiceForm(PublicForm):
    """What someone on a carrier types on a phone (the honeypot comes with PublicForm)."""

    content = forms.CharField(
        label="我想说",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": CONTENT_MAX, "placeholder": "想反映的困难、需求或建议，10至1000字"}),
    )
    author_name = forms.CharField(label="您的称呼（可不填）", max_length=NAME_MAX, required=False)
    workplace = forms.CharField(
        label="您所在的单位（可不填）",
        max_length=WORKPLACE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：某某农业合作社"}),
    )
    entity = forms.ModelChoiceField(
        label="所在主体（可不选）", queryset=Entity.objects.none(), required=False, empty_label="请选择（可不选）"
    )

    def __init__(self, *args: Any, user: Any, kind: str, carrier_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a signed-in user who can see entities on this carrier picks one; for everyone
        # else the select is gone and the free-text workplace is enough.
        choices = Entity.objects.none()
        if getattr(user, "is_authenticated", False):
            visible = Entity.objects.for_user(user).values("pk")
            choices = carrier_entities(kind, carrier_id).filter(pk__in=visible).order_by("name")
        self.fields["entity"].queryset = choices
        self.offers_entities = getattr(user, "is_authenticated", False) and choices.exists()
        if not self.offers_entities:
            del self.fields["entity"]


class VoiceAnswerForm(forms.Form):
    answer = forms.CharField(
        label="回复内容",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "回复将在该载体的“有话说”页面公开（不显示留言人）"}),
    )


class VoiceProblemForm(ProblemAssignForm):
    """Turning a message into a registered problem: which organization, who fixes it, by when."""
