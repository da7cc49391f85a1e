"""Forms of the reserve pages and API: they check shape; the services check the rules."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from qiangji.accounts.models import RoleGrant
from qiangji.members.models import Member
from qiangji.reserve.models import Assessment, Candidate, Event, ReservePool

DATE = {"type": "date"}


def date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


def mentor_queryset() -> Any:
    """Town leaders: the town's administrators and the cadres of the liaison groups."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(grants__role=RoleGrant.Role.TOWN_ADMIN) | Q(liaison_groups__isnull=False))
        .distinct()
        .order_by("display_name", "username")
    )


class MentorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name or obj.username


class EnterForm(forms.Form):
    pool = forms.ModelChoiceField(label="人才库", queryset=ReservePool.objects.all(), empty_label="请选择")
    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none(), empty_label="请选择")
    route = forms.ChoiceField(label="入库方式", choices=[("", "请选择"), *Candidate.Route.choices])
    entered_on = date_field("入库日期")
    recommendation = forms.CharField(label="推荐理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only members the user manages can be chosen: another branch's member is "not a choice".
        self.fields["member"].queryset = Member.objects.for_user(user, "manage").select_related("organization")
        self.fields["member"].label_from_instance = lambda m: f"{m.name}（{m.organization.name}）"
        self.fields["entered_on"].initial = timezone.localdate()


class MoveForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[(a, a) for a in Candidate.TRANSITIONS])
    on = date_field("日期", required=False)
    reason = forms.CharField(label="原因/说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    post = forms.CharField(label="任用职务", required=False, max_length=100)


class AssessmentForm(forms.Form):
    on = date_field("考察日期")
    findings = forms.CharField(label="考察情况", widget=forms.Textarea(attrs={"rows": 3}))
    conclusion = forms.ChoiceField(label="考察结论", choices=[("", "请选择"), *Assessment.Conclusion.choices])


class MentorshipForm(forms.Form):
    mentor = MentorChoiceField(label="带教领导", queryset=get_user_model().objects.none(), empty_label="请选择")
    started_on = date_field("开始日期")
    goals = forms.CharField(label="带教目标", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentor_queryset()


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="活动类别", choices=[("", "请选择"), *Event.Kind.choices])
    title = forms.CharField(label="活动名称", max_length=200)
    held_on = date_field("活动日期")
    place = forms.CharField(label="地点", max_length=200, required=False)
    speakers = forms.CharField(label="主讲/发言人", max_length=300, required=False)
    summary = forms.CharField(label="内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendees = forms.ModelMultipleChoiceField(
        label="参加人员", queryset=Member.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 10})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = Member.objects.for_user(user).select_related("organization")
        self.fields["attendees"].label_from_instance = lambda m: f"{m.name}（{m.organization.name}）"
