"""Which values are personal data, declared once, and how every copy of them is kept and shown.

A phone or an ID number does not only live in its own encrypted column: it is copied into the
history of a change, into the facts a visit brings back, into JSON payloads. RULES.md wants each
copy protected like the field itself, so every such copy goes through the functions here:

- `PERSONAL_FIELDS` says, per model, which fields are personal and of which kind (the mask);
  a JSON payload whose keys are a model's field names (a visit's facts are the entity's fields)
  reads the same declaration.
- `seal` / `unseal` encrypt a copy at rest (the field's own AES-GCM scheme, "g1:" prefix);
  `PersonalJSONField` does it for the personal keys of a JSON column transparently.
- `shown` masks a copy on read unless the caller has been through the field's audited reveal.
- `refuse_probing` / `record_probe`: a lookup by keyed hash that hits someone outside the user's
  scope is audited and rate-limited.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from qiangji.core.access import get_scope
from qiangji.core.crypto import decrypt, encrypt, mask_address, mask_id_number, mask_phone
from qiangji.core.errors import RateLimited

PHONE = "phone"
ID_NUMBER = "id_number"
ADDRESS = "address"

MASKS: dict[str, Callable[[str], str]] = {PHONE: mask_phone, ID_NUMBER: mask_id_number, ADDRESS: mask_address}

# model label → {field name: kind}. The one list of personal fields: histories, payloads and
# checks all read it (core imports no app, so models are named by label).
PERSONAL_FIELDS: dict[str, dict[str, str]] = {
    "members.Member": {"id_number": ID_NUMBER, "phone": PHONE, "address": ADDRESS},
    "campaign.Entity": {"phone": PHONE},
    "campaign.BaseRecord": {"phone": PHONE},
    "ledger.PublicReport": {"phone": PHONE},
    "council.Opinion": {"phone": PHONE},
}

SCHEME = "g1:"


def _label(model: Any) -> str:
    return model if isinstance(model, str) else model._meta.label


def personal_fields(model: Any) -> dict[str, str]:
    """{field: kind} of a model (class, instance or "app.Model")."""
    return PERSONAL_FIELDS.get(_label(model), {})


def kind_of(model: Any, field: str) -> str | None:
    return personal_fields(model).get(field)


def masks_for(model: Any) -> dict[str, Callable[[str], str]]:
    """{field: mask function}, for the change history's masked snapshots."""
    return {field: MASKS[kind] for field, kind in personal_fields(model).items()}


def mask(kind: str, value: Any) -> str:
    return MASKS[kind](str(value)) if value not in (None, "") else ""


def seal(value: Any) -> Any:
    """A copy of a personal value as it is stored: encrypted (blank stays blank)."""
    if value in (None, "") or not isinstance(value, str) or value.startswith(SCHEME):
        return value
    return encrypt(value)


def unseal(value: Any) -> Any:
    """The clear value of a stored copy (a value written before sealing reads as it is)."""
    if isinstance(value, str) and value.startswith(SCHEME):
        return decrypt(value)
    return value


def seal_payload(payload: Mapping[str, Any] | None, model: Any) -> Any:
    """A JSON object whose keys are `model`'s fields, its personal values encrypted."""
    if not isinstance(payload, Mapping):
        return payload
    fields = personal_fields(model)
    return {k: seal(str(v)) if k in fields and v not in (None, "") else v for k, v in payload.items()}


def unseal_payload(payload: Mapping[str, Any] | None, model: Any) -> Any:
    if not isinstance(payload, Mapping):
        return payload
    fields = personal_fields(model)
    return {k: unseal(v) if k in fields else v for k, v in payload.items()}


def shown(model: Any, field: str, value: Any, *, revealed: bool) -> Any:
    """A copy of `model.field` as a reader sees it: masked, unless `revealed` (the caller went
    through the field's own audited reveal and may read it in full)."""
    kind = kind_of(model, field)
    value = unseal(value)
    if kind is None or revealed:
        return value
    return mask(kind, value)


def shown_payload(payload: Mapping[str, Any] | None, model: Any, *, revealed: bool) -> dict[str, Any]:
    return {k: shown(model, k, v, revealed=revealed) for k, v in (payload or {}).items()}


class PersonalJSONField(models.JSONField):
    """A JSON object whose keys are the fields of `keys_of` (a model label): the personal ones
    are encrypted before they reach the database and decrypted when read, like
    `EncryptedTextField`, so code in between works with clear values and the table has none."""

    def __init__(self, *args: Any, keys_of: str = "", **kwargs: Any) -> None:
        self.keys_of = keys_of
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["keys_of"] = self.keys_of
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return unseal_payload(super().from_db_value(value, expression, connection), self.keys_of)

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(seal_payload(value, self.keys_of))


# Looking a personal value up by its keyed hash answers "someone has it" even for people the
# user may not see: each such hit is audit-logged, and a user with too many in the last hour
# gets no further answers (over the limit every check is refused, hit or not, so the refusal
# itself says nothing).
PROBE_LIMIT_PER_HOUR = 5
PROBE_REFUSED = "一小时内多次填写了已在其他党组织登记的身份证号，暂停查重一小时；如需转入党员，请联系镇党委核实后办理组织关系转接"


def _probes(user: Any) -> int:
    """The user's hits of the last hour, counted once per request (an import checks many rows):
    kept beside the user's scope, which is resolved once per request too."""
    from qiangji.core.models import AuditEvent

    cache = get_scope(user).extra
    if "personal_probes" not in cache:
        since = timezone.now() - dt.timedelta(hours=1)
        cache["personal_probes"] = AuditEvent.objects.filter(user=user, action=AuditEvent.Action.ID_PROBE, at__gte=since).count()
    return cache["personal_probes"]


def refuse_probing(user: Any) -> None:
    """RateLimited once `user` had PROBE_LIMIT_PER_HOUR hits outside their scope this hour."""
    limit = getattr(settings, "PERSONAL_PROBE_LIMIT_PER_HOUR", PROBE_LIMIT_PER_HOUR)
    if getattr(user, "is_authenticated", False) and _probes(user) >= limit:
        raise RateLimited(PROBE_REFUSED)


def record_probe(user: Any, *, model: Any, pk: int, field: str) -> None:
    """Audit one hit on a record outside the user's scope (which record, for the auditor only)."""
    from qiangji.core.audit import audit
    from qiangji.core.models import AuditEvent

    audit(
        user=user,
        action=AuditEvent.Action.ID_PROBE,
        object_type=_label(model),
        object_id=pk,
        fields=[field],
    )
    if getattr(user, "is_authenticated", False):
        get_scope(user).extra["personal_probes"] = _probes(user) + 1
