"""The member form: the one validation path for manual entry, the API and spreadsheet rows."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from qiangji.core.concurrency import VersionedForm
from qiangji.core.crypto import keyed_hashes
from qiangji.core.errors import RateLimited
from qiangji.core.personal import record_probe, refuse_probing
from qiangji.core.text import clean_text
from qiangji.core.validators import id_birth_date, id_gender, normalize_id_number, normalize_phone
from qiangji.members.models import Member
from qiangji.orgs.models import Organization


class MemberForm(VersionedForm):
    """Fields as the national roster names them; `organization` limited to what `user` manages."""

    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=[("", "—"), *Member.Gender.choices], required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    birth_date = forms.DateField(label="出生日期", required=False, help_text="可不填，按身份证号自动计算")
    ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    education = forms.ChoiceField(label="学历", choices=[("", "—"), *Member.Education.choices], required=False)
    joined_on = forms.DateField(label="入党日期")
    full_member_on = forms.DateField(label="转正日期", required=False)
    status = forms.ChoiceField(label="人员类别", choices=Member.Status.choices, initial=Member.Status.FULL)
    organization = forms.ModelChoiceField(label="所在党组织", queryset=Organization.objects.none())
    party_post = forms.ChoiceField(label="党内职务", choices=Member.PartyPost.choices, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="家庭住址", max_length=200, required=False)
    is_frail = forms.BooleanField(label="年老体弱", required=False)
    is_mobile = forms.BooleanField(label="流动党员", required=False)

    def __init__(
        self,
        *args: Any,
        user: Any,
        instance: Member | None = None,
        organizations: Any = None,
        current_organizations: Any = None,
        id_hashes: Mapping[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        """Manual entry passes `user` (and `instance` to edit). A caller checking many rows at
        once (the spreadsheet import) may also pass what it loaded once for all of them, so that
        a row costs no query; the checks themselves stay the same:

        - `organizations`: the choices for a new member (default: the active ones `user` manages);
        - `current_organizations`: a queryset whose `get(pk=…)` finds an existing member's own
          organization (default: that one organization, read per form);
        - `id_hashes`: {keyed hash of an ID number: member pk} for every ID number the rows give
          (default: the uniqueness check asks the database).
        """
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.id_hashes = id_hashes
        self.current_organizations = current_organizations
        self.fields["organization"].queryset = (
            organizations if organizations is not None else Organization.objects.for_user(user, "manage").active()
        )
        if instance is not None:
            # Moving a member is a transfer, with its own form and history entry.
            self.fields["organization"].disabled = True
            self.fields["organization"].queryset = (
                current_organizations
                if current_organizations is not None
                else Organization.objects.filter(pk=instance.organization_id)
            )

    @staticmethod
    def initial_for(instance: Member) -> dict[str, Any]:
        """The member's stored values as the form's initial data (the organization by its pk)."""
        initial = {name: getattr(instance, name) for name in Member.HISTORY_FIELDS if name != "organization"}
        initial["organization"] = instance.organization_id
        return initial

    def rebound(self, data: Mapping[str, Any], *, instance: Member | None = None) -> "MemberForm":
        """This form bound to another row instead (in place: the previous row's binding is
        gone), validated exactly like a form built for it with the same arguments. Its fields
        are not deep-copied again nor its bound fields rebuilt, which is most of what a form
        costs. A form for a new member rebinds only to new members; one for an existing member
        only to existing members, and only when built with `current_organizations` (its
        organization field then fits any member)."""
        if (instance is None) != (self.instance is None):
            raise ValueError("rebound: a form for a new member and one for an existing member differ")
        if instance is not None and self.current_organizations is None:
            raise ValueError("rebound: an existing member's form needs current_organizations")
        for cached in ("cleaned_data", "changed_data"):
            self.__dict__.pop(cached, None)
        for bound in self._bound_fields_cache.values():
            for cached in ("initial", "subwidgets"):
                bound.__dict__.pop(cached, None)
        if instance is not None:
            self.initial = self.initial_for(instance)
        self.data, self.is_bound, self.instance = data, True, instance
        self._errors = None
        return self

    def clean_name(self) -> str:
        value = clean_text(self.cleaned_data["name"]).replace(" ", "")
        if not value:
            raise ValidationError("请填写姓名")
        return value

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        digests = keyed_hashes(value)  # the current key's first; old ones during a key rotation
        digest = digests[0]
        if self.instance is not None and self.instance.id_number_hash in digests:
            return value
        try:
            refuse_probing(self.user)
        except RateLimited as error:
            raise ValidationError(error.message) from None
        if self.id_hashes is not None:
            owner = self.id_hashes.get(digest)
        else:
            owner = Member.objects.filter(id_number_hash__in=digests).values_list("pk", flat=True).first()
        if owner is None or (self.instance is not None and owner == self.instance.pk):
            return value
        # The answer never says where the number is registered; a hit outside what the user may
        # see is audited and counts towards the hourly limit (no probing for people elsewhere).
        # (A command's import, with no user, sees everyone.)
        user_bound = getattr(self.user, "is_authenticated", False)
        if user_bound and not Member.objects.for_user(self.user).filter(pk=owner).exists():
            record_probe(self.user, model=Member, pk=owner, field="id_number")
        raise ValidationError("该身份证号已登记为其他党员")

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone") or ""
        return normalize_phone(value) if clean_text(value) else ""

    def clean_ethnicity(self) -> str:
        value = clean_text(self.cleaned_data.get("ethnicity")) or "汉族"
        return value if value.endswith("族") else value + "族"

    def clean_address(self) -> str:
        return clean_text(self.cleaned_data.get("address"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        number = data.get("id_number")
        if number:
            birth = id_birth_date(number)
            if data.get("birth_date") and data["birth_date"] != birth:
                self.add_error("birth_date", "出生日期与身份证号不一致")
            data["birth_date"] = birth
            if data.get("gender") and data["gender"] != id_gender(number):
                self.add_error("gender", "性别与身份证号不一致")
            data["gender"] = id_gender(number)
        joined, full_on, birth = data.get("joined_on"), data.get("full_member_on"), data.get("birth_date")
        today = timezone.localdate()
        if joined and joined > today:
            self.add_error("joined_on", "入党日期不能晚于今天")
        if joined and birth and (joined.year - birth.year - ((joined.month, joined.day) < (birth.month, birth.day))) < 18:
            self.add_error("joined_on", "入党时应年满18周岁")
        if full_on and joined and full_on < joined:
            self.add_error("full_member_on", "转正日期不能早于入党日期")
        if data.get("status") == Member.Status.FULL and joined and not full_on:
            self.add_error("full_member_on", "正式党员请填写转正日期")
        if data.get("status") == Member.Status.PROBATIONARY and full_on:
            self.add_error("full_member_on", "预备党员不应有转正日期")
        return data


class TransferForm(forms.Form):
    to_organization = forms.ModelChoiceField(label="转入组织", queryset=Organization.objects.none())
    transferred_on = forms.DateField(label="转接日期", initial=timezone.localdate)
    reason = forms.CharField(label="转接原因", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["to_organization"].queryset = (
            Organization.objects.for_user(user, "manage")
            .active()
            .exclude(pk=member.organization_id)
            .exclude(kind=Organization.Kind.GROUP)
        )

    def clean_transferred_on(self) -> dt.date:
        value = self.cleaned_data["transferred_on"]
        if value > timezone.localdate():
            raise ValidationError("转接日期不能晚于今天")
        return value
