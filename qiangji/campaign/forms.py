"""The entity form: the one validation path for adding an entity by hand and for each row of a
district sheet (新兴领域主体底数导入). Its fields are exactly `Entity.REGISTER_FIELDS`."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from qiangji.campaign.models import Entity
from qiangji.core.concurrency import VersionedForm
from qiangji.core.text import clean_text
from qiangji.core.validators import normalize_credit_code, normalize_phone
from qiangji.orgs.models import Chain, Street, Village


class ChainsField(forms.ModelMultipleChoiceField):
    """Chains by pk. With a queryset from `lookups.preloaded`, the pks are checked against the
    rows loaded once (a list comes back instead of a queryset): a row of a sheet costs no query."""

    def clean(self, value: Any) -> Any:
        # Django answers "none chosen" with `queryset.none()`, which costs a compiled query
        # whenever it is looked at; a plain empty list says the same.
        if not value and not self.required:
            return []
        return super().clean(value)

    def _check_values(self, value: Any) -> Any:
        loaded = getattr(self.queryset, "_preloaded", None)
        if loaded is None:
            return super()._check_values(value)
        rows = loaded[1]
        chosen = []
        for item in value:
            try:
                pk = int(item)
            except (TypeError, ValueError):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                ) from None
            if pk not in rows:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item})
            chosen.append(rows[pk])
        return chosen


class EntityForm(VersionedForm):
    """An entity of the emerging sector as the register takes it (名称、信用代码、类型、村居…)."""

    name = forms.CharField(label="主体名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=40, required=False)
    kind = forms.ChoiceField(label="主体类型", choices=[("", "—"), *Entity.Kind.choices], required=False)
    village = forms.ModelChoiceField(label="所在村居", queryset=Village.objects.all())
    address = forms.CharField(label="经营地址", max_length=200, required=False)
    person_in_charge = forms.CharField(label="负责人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    employees = forms.IntegerField(label="从业人员数", min_value=0, required=False)
    party_members = forms.IntegerField(label="党员人数", min_value=0, required=False)
    has_party_org = forms.BooleanField(label="是否建立党组织", required=False)
    chains = ChainsField(label="所属产业链", queryset=Chain.objects.all(), required=False)
    street = forms.ModelChoiceField(label="所属商区", queryset=Street.objects.all(), required=False)

    # Fields whose check depends on the value alone (RowChecker keeps one result per value);
    # the name and the credit code (checked against the register) are not among them.
    PURE_FIELDS = ("kind", "village", "employees", "party_members", "has_party_org", "chains", "street")

    def __init__(
        self,
        *args: Any,
        user: Any = None,
        instance: Entity | None = None,
        villages: Any = None,
        chains: Any = None,
        streets: Any = None,
        codes: Mapping[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        """Manual entry passes `user` (and `instance` to edit). A caller checking many rows at
        once (the sheet import) also passes what it loaded once for all of them: `villages`,
        `chains`, `streets` (querysets from `lookups.preloaded`) and `codes` ({credit code:
        entity pk} of the register, instead of asking the database per row)."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.instance_pk = instance.pk if instance is not None else None
        self.codes = codes
        if villages is not None:
            self.fields["village"].queryset = villages
        if chains is not None:
            self.fields["chains"].queryset = chains
        if streets is not None:
            self.fields["street"].queryset = streets

    def clean_name(self) -> str:
        value = clean_text(self.cleaned_data["name"])
        if not value:
            raise ValidationError("请填写主体名称")
        return value

    def clean_credit_code(self) -> str:
        raw = self.cleaned_data.get("credit_code") or ""
        if not clean_text(raw):
            return ""
        value = normalize_credit_code(raw)
        if self.codes is not None:
            owner = self.codes.get(value)
            taken = owner is not None and owner != self.instance_pk
        else:
            taken = Entity.objects.filter(credit_code=value).exclude(pk=self.instance_pk).exists()
        if taken:
            raise ValidationError("该统一社会信用代码已在底数中登记为其他主体")
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone") or ""
        return normalize_phone(value) if clean_text(value) else ""

    def clean_address(self) -> str:
        return clean_text(self.cleaned_data.get("address"))

    def clean_person_in_charge(self) -> str:
        return clean_text(self.cleaned_data.get("person_in_charge"))

    def register_values(self) -> dict[str, Any]:
        """The cleaned values as the register services take them (pks for places, a list of
        chain pks), for `register.entity_apply`."""
        return self.values_for_register(self.cleaned_data)

    @staticmethod
    def values_for_register(data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": data["name"],
            "credit_code": data.get("credit_code") or "",
            "kind": data.get("kind") or Entity.Kind.COMPANY,
            "village": data["village"].pk,
            "address": data.get("address") or "",
            "person_in_charge": data.get("person_in_charge") or "",
            "phone": data.get("phone") or "",
            "employees": data.get("employees") or 0,
            "party_members": data.get("party_members") or 0,
            "has_party_org": bool(data.get("has_party_org")),
            "chains": sorted(c.pk for c in data.get("chains") or []),
            "street": data["street"].pk if data.get("street") else None,
        }
