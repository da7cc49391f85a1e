"""The organization form: one validation path for the page, the API and the spreadsheet import."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from qiangji.core.concurrency import VersionedForm
from qiangji.core.text import clean_text
from qiangji.orgs.models import Organization, Unit, Village


class OrganizationForm(VersionedForm):
    """`parent` is limited to organizations the user manages; a root (no parent) only when
    `allow_root` (a town admin setting up a new town, or a management command)."""

    name = forms.CharField(label="组织名称", max_length=100)
    kind = forms.ChoiceField(label="组织类别", choices=Organization.Kind.choices)
    parent = forms.ModelChoiceField(label="上级组织", queryset=Organization.objects.none(), required=False)
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.all(), required=False)
    village = forms.ModelChoiceField(label="所在村居", queryset=Village.objects.all(), required=False)
    founded_on = forms.DateField(label="成立日期", required=False)
    term_start = forms.DateField(label="本届任期开始", required=False)
    term_end = forms.DateField(label="届满日期", required=False)
    has_committee = forms.BooleanField(label="设支部委员会", required=False)
    # Only read when has_committee changes: compliance asks for committee meetings from that date.
    committee_changed_on = forms.DateField(
        label="委员会设立/撤销日期",
        required=False,
        help_text="勾选或取消“设支部委员会”时填写实际设立或撤销的日期；不填按今天计。",
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        instance: Organization | None = None,
        allow_root: bool = False,
        parents: Any = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "kind": instance.kind,
                "parent": instance.parent_id,
                "unit": instance.unit_id,
                "village": instance.village_id,
                "founded_on": instance.founded_on,
                "term_start": instance.term_start,
                "term_end": instance.term_end,
                "has_committee": instance.has_committee,
            }
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.allow_root = allow_root
        qs = parents if parents is not None else Organization.objects.for_user(user, "manage").active()
        if instance is not None:
            # Keeping the current parent is always allowed: a secretary edits the top of their
            # own subtree, whose parent they do not manage; moving needs a parent they manage.
            if instance.parent_id:
                qs = qs | Organization.objects.filter(pk=instance.parent_id)
            qs = qs.exclude(path__startswith=instance.path)
        self.fields["parent"].queryset = qs.exclude(kind=Organization.Kind.GROUP)

    def clean_name(self) -> str:
        value = clean_text(self.cleaned_data["name"]).replace(" ", "")
        if not value:
            raise ValidationError("请填写组织名称")
        others = Organization.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("已有同名党组织")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parent, kind = data.get("parent"), data.get("kind")
        keeps_root = self.instance is not None and self.instance.parent_id is None
        if parent is None and "parent" not in self.errors and not (self.allow_root or keeps_root):
            self.add_error("parent", "请选择上级组织")
        if kind and (parent is not None or self.allow_root or keeps_root):
            allowed = Organization.ALLOWED_PARENTS[Organization.Kind(kind)]
            parent_kind = Organization.Kind(parent.kind) if parent else None
            if parent_kind not in allowed:
                label = dict(Organization.Kind.choices)[kind]
                if parent is None:
                    self.add_error("parent", f"{label}必须有上级组织")
                else:
                    self.add_error("parent", f"{label}不能设在{parent.get_kind_display()}之下")
        start, end, founded = data.get("term_start"), data.get("term_end"), data.get("founded_on")
        if start and end and end <= start:
            self.add_error("term_end", "届满日期应晚于本届任期开始日期")
        if founded and start and start < founded:
            self.add_error("term_start", "任期开始不能早于成立日期")
        if kind == Organization.Kind.GROUP and data.get("has_committee"):
            self.add_error("has_committee", "党小组不设委员会")
        return data


class LiaisonGroupForm(VersionedForm):
    """A liaison group's name, leader, members and assigned organizations (town admin only)."""

    name = forms.CharField(label="联络组名称", max_length=50)
    leader = forms.ModelChoiceField(label="组长", queryset=None, required=False)
    members = forms.ModelMultipleChoiceField(
        label="成员", queryset=None, required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )
    organizations = forms.ModelMultipleChoiceField(
        label="联系党组织", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, users: Any, organizations: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "leader": instance.leader_id,
                "members": [u.pk for u in instance.members.all()],
                "organizations": [o.pk for o in instance.organizations.all()],
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["leader"].queryset = users
        self.fields["members"].queryset = users
        self.fields["organizations"].queryset = organizations
        self.fields["members"].error_messages["invalid_choice"] = "所选人员不存在或已停用"
        self.fields["organizations"].error_messages["invalid_choice"] = "所选党组织不存在或已撤销"

    def clean_name(self) -> str:
        value = clean_text(self.cleaned_data["name"])
        if not value:
            raise ValidationError("请填写联络组名称")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        leader, members = data.get("leader"), data.get("members")
        if leader is not None and members is not None and leader not in members:
            self.add_error("leader", "组长应为本组成员，请同时勾选为成员")
        return data
