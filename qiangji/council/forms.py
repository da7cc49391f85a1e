"""Forms of the project pages and of the public consultation hall."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from qiangji.core.concurrency import VersionedForm
from qiangji.core.public import PublicForm, optional_phone_field
from qiangji.council.models import Opinion, Project, ProjectRole
from qiangji.members.models import Member
from qiangji.orgs.models import Organization, Village

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(VersionedForm):
    name = forms.CharField(label="项目名称", max_length=200)
    category = forms.CharField(label="项目类别", max_length=50, initial="和美乡村（五好两宜）")
    organization = forms.ModelChoiceField(label="牵头党组织", queryset=Organization.objects.none(), empty_label="请选择")
    village = forms.ModelChoiceField(
        label="所在村居", queryset=Village.objects.order_by("name"), required=False, empty_label="请选择（可不选）"
    )
    description = forms.CharField(label="项目内容", widget=forms.Textarea(attrs={"rows": 4}))
    state = forms.ChoiceField(label="状态", choices=Project.State.choices, initial=Project.State.PLANNING)
    started_on = forms.DateField(label="开始日期", required=False, widget=DATE)
    target_on = forms.DateField(label="计划完成", required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.for_user(user, "manage").active().exclude(kind=Organization.Kind.GROUP).order_by("path")
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点名称", max_length=200)
    due_on = forms.DateField(label="计划日期", widget=DATE)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DATE)


class RoleForm(forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none(), empty_label="请选择党员")
    role = forms.ChoiceField(label="角色", choices=ProjectRole.Role.choices)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Members of the leading organization's subtree only (the service checks it again).
        self.fields["member"].queryset = (
            Member.objects.filter(organization__path__startswith=project.organization.path)
            .select_related("organization")
            .order_by("organization__path", "name")
        )
        self.fields["member"].label_from_instance = lambda m: f"{m.name}（{m.organization.name}）"


class BulletinForm(forms.Form):
    title = forms.CharField(label="通报标题", max_length=200)
    body = forms.CharField(label="通报正文", widget=forms.Textarea(attrs={"rows": 5}))


class OpinionMoveForm(forms.Form):
    action = forms.ChoiceField(label="办理操作", choices=[(a, a) for a in Opinion.TRANSITIONS])
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ModerateForm(forms.Form):
    show = forms.TypedChoiceField(label="是否公开", choices=[("1", "公开"), ("0", "不公开")], coerce=lambda v: v == "1")


class DeliberationForm(forms.Form):
    topic = forms.CharField(label="议题（难点）", max_length=200)
    held_on = forms.DateField(label="议事日期", widget=DATE)
    place = forms.CharField(label="地点", max_length=100, required=False)
    attendees = forms.CharField(label="参加人员", widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 3}))


class ToProblemForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="整改责任人",
        queryset=get_user_model().objects.none(),
        empty_label="请选择责任人",
        error_messages={"required": "请选择整改责任人", "invalid_choice": "请从列表中选择整改责任人"},
    )
    deadline = forms.DateField(
        label="整改期限", widget=DATE, error_messages={"required": "请填写整改期限", "invalid": "整改期限不是有效日期"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from qiangji.ledger.forms.public import owner_queryset

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_queryset()


class ToMeasureForm(forms.Form):
    """A session's outcome as a measure of an open problem of the project's organization tree.

    `problem` accepts any problem the user sees, so that a closed one or one of another unit
    reaches the service and gets its reason rather than a bare "invalid choice"; the page lists
    only the problems that can take the measure (`measure_problems`)."""

    problem = forms.ModelChoiceField(
        label="问题", queryset=None, empty_label="请选择问题", error_messages={"required": "请选择要添加措施的问题"}
    )
    owner = forms.ModelChoiceField(
        label="责任人",
        queryset=get_user_model().objects.none(),
        empty_label="请选择责任人",
        error_messages={"required": "请选择措施责任人"},
    )
    deadline = forms.DateField(
        label="完成时限", widget=DATE, error_messages={"required": "请填写完成时限", "invalid": "完成时限不是有效日期"}
    )

    def __init__(self, *args: Any, user: Any, project: Project, **kwargs: Any) -> None:
        from qiangji.ledger.forms.problems import owner_candidates
        from qiangji.ledger.models import Problem

        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = Problem.objects.for_user(user).select_related("organization")
        self.fields["problem"].error_messages["invalid_choice"] = "请从列表中选择问题"
        # The ledger's measure form offers the problem organization's owners; here the problem
        # is not chosen yet, so those of any organization of the project's tree (checked in clean).
        tree = Organization.objects.filter(path__startswith=project.organization.path)
        self.fields["owner"].queryset = owner_candidates(list(tree))
        self.fields["owner"].error_messages["invalid_choice"] = "请从列表中选择责任人"

    def clean(self) -> dict[str, Any]:
        from qiangji.ledger.forms.problems import can_own

        data = super().clean()
        problem, owner = data.get("problem"), data.get("owner")
        if problem is not None and owner is not None and not can_own(owner, problem.organization):
            self.add_error("owner", f"{owner}不是{problem.organization.name}或其上级党组织的书记、联络组成员或镇管理员。")
        return data


class PublicOpinionForm(PublicForm):
    """What a resident types on a phone (the honeypot comes with PublicForm)."""

    content = forms.CharField(
        label="您的意见建议",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "对项目推进有什么意见、建议，请写在这里"}),
    )
    author_name = forms.CharField(label="您的称呼（可不填）", max_length=50, required=False)
    phone = optional_phone_field("留下电话便于我们回复您，不会在页面上公开。")
