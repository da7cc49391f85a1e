"""No lost update: every editable record carries a version, and a write based on an old one is refused.

Two people open the same member; B saves; A saves what A read before B's change. Without a
check A's save silently undoes B's. So:

- `Versioned` (model mixin) adds `version`, raised by one on every save of an existing row;
- a service that writes what a person read calls `lock_current(obj, expected_version)` first:
  it locks the row for the transaction (`SELECT ... FOR UPDATE`), reloads it, and raises
  `StaleEdit` (a `DomainError`) when the version the person read is no longer the stored one.
  State moves lock the row the same way, so two moves at once see each other's result;
- `VersionedForm` (form mixin) carries the version the page read in a hidden field, and after
  a refusal shows who changed the record, when, and what it holds now;
- the API answers `StaleEdit` with 409 and the current values (core.api).

Imports, commands and the system pass `expected_version=None`: they lock and bump the version,
so a page opened before them is refused, but they do not compare (they did not read a page).
"""

import datetime as dt
from typing import Any, TypeVar

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils import timezone

from qiangji.core.errors import DomainError

STALE_PAGE_MESSAGE = "页面已过期，请刷新后重新编辑。"

V = TypeVar("V", bound="Versioned")


class Versioned(models.Model):
    """Abstract: a record people edit concurrently. `version` goes up by one on every save.

    `EDIT_FIELDS` names the fields shown to someone whose edit came too late (default: the
    model's `HISTORY_FIELDS`); `SENSITIVE_MASKS` applies there as in the history.
    """

    # The database default too: bulk loaders (COPY, raw INSERT) name their columns and leave it out.
    version = models.PositiveIntegerField("版本", default=1, db_default=1, editable=False)

    EDIT_FIELDS: tuple[str, ...] = ()
    # A save naming only other fields (a login's `last_login`) leaves the version alone, so that
    # what the system records on its own does not refuse an edit page. Empty: every save counts.
    VERSION_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            if self.VERSION_FIELDS and not set(update_fields) & set(self.VERSION_FIELDS):
                super().save(*args, **kwargs)
                return
            kwargs["update_fields"] = {*update_fields, "version"}
        if getattr(self, "_version_locked", False):
            # The row is ours until commit (lock_current): counting in Python is exact.
            self.version += 1
            super().save(*args, **kwargs)
            return
        # Not locked: let the database count, so two unlocked saves still make two versions.
        self.version = F("version") + 1
        super().save(*args, **kwargs)
        self.refresh_from_db(fields=["version"])

    def last_edit(self) -> tuple[str, dt.datetime] | None:
        """(who, when) of the latest change, from the change history; models with their own
        event log override this."""
        from qiangji.core.models import ChangeRecord

        record = (
            ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(type(self)), object_id=self.pk)
            .select_related("user")
            .order_by("-at", "-id")
            .first()
        )
        if record is None:
            return None
        return (str(record.user) if record.user else "系统"), record.at


def edit_fields(obj: models.Model) -> tuple[str, ...]:
    return getattr(obj, "EDIT_FIELDS", ()) or getattr(obj, "HISTORY_FIELDS", ())


def _shown(obj: models.Model, name: str) -> str:
    """A value as a person reads it: labels for choices, names for links, masked personal data."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return "、".join(str(x) for x in getattr(obj, name).all()) or "—"
    value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    masks = getattr(obj, "SENSITIVE_MASKS", {})
    if name in masks:
        return masks[name](value)
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(field, models.FileField):
        return value.name.rsplit("/", 1)[-1]
    return str(value)


def _plain(obj: models.Model, name: str) -> Any:
    """A value as the API reads it: codes, pks, ISO dates, masked personal data."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return sorted(getattr(obj, name).values_list("pk", flat=True))
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    value = getattr(obj, name)
    masks = getattr(obj, "SENSITIVE_MASKS", {})
    if name in masks and value:
        return masks[name](value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(field, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else ""
    return value


class StaleEdit(DomainError):
    """The record changed since the person (or client) read it; nothing was saved.

    Carries what it holds now: `shown` for a page (label, value), `current` for the API.
    """

    def __init__(self, obj: "Versioned") -> None:
        edit = obj.last_edit()
        if edit is None:
            by = "已被他人修改"
        else:
            who, when = edit
            by = f"已被 {who} 于 {timezone.localtime(when):%Y-%m-%d %H:%M} 修改"
        super().__init__(f"保存失败：这条记录在您打开后{by}，以下是现在的内容，请核对后再保存。")
        names = edit_fields(obj)
        self.version = obj.version
        self.shown = [(str(obj._meta.get_field(n).verbose_name), _shown(obj, n)) for n in names]
        self.current = {**{n: _plain(obj, n) for n in names}, "version": obj.version}


def refuse_stale(obj: V, expected_version: int | None) -> V:
    """`obj` is freshly read under a row lock: refuse if it moved past `expected_version`."""
    obj._version_locked = True  # type: ignore[attr-defined]
    if expected_version is not None and obj.version != expected_version:
        raise StaleEdit(obj)
    return obj


def lock_current(obj: V, expected_version: int | None) -> V:
    """Lock `obj`'s row until commit, reload it in place, and refuse a stale edit.

    Must run inside the service's transaction; afterwards the service's reads (history
    'before', state checks) see the stored row, and its save counts the version exactly.
    """
    obj.refresh_from_db(from_queryset=type(obj)._base_manager.select_for_update())
    return refuse_stale(obj, expected_version)


class VersionedForm(forms.Form):
    """Form mixin: the version the page read travels in a hidden field and back to the service.

    Editing forms of a `Versioned` record inherit it (ModelForms too). It needs `self.instance`
    (set by ModelForm, or by the form itself) to know the record; a form for a new record
    drops the field. `check_version=False` (imports) lets it be absent.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        error_messages={"invalid": STALE_PAGE_MESSAGE, "min_value": STALE_PAGE_MESSAGE},
    )
    stale: StaleEdit | None = None

    def __init__(self, *args: Any, check_version: bool = True, **kwargs: Any) -> None:
        if not isinstance(self, forms.BaseModelForm) and "instance" in kwargs:
            # A plain Form edits a record too: it names it here, as a ModelForm would.
            self.instance = kwargs.pop("instance")
        super().__init__(*args, **kwargs)
        self.check_version = check_version

    def _versioned(self) -> Any:
        instance = getattr(self, "instance", None)
        return instance if instance is not None and instance.pk is not None else None

    def get_initial_for_field(self, field: forms.Field, field_name: str) -> Any:
        if field_name == "version" and self._versioned() is not None:
            return self._versioned().version
        return super().get_initial_for_field(field, field_name)

    def clean_version(self) -> int | None:
        value = self.cleaned_data.get("version")
        if value is None and self.check_version and self._versioned() is not None:
            # A page always sends it; without it we cannot tell a stale edit from a fresh one.
            self.add_error(None, STALE_PAGE_MESSAGE)
        return value

    def show_stale(self, stale: StaleEdit) -> None:
        """Re-render after a refusal: the person's input stays, the current values are listed,
        and the hidden version becomes the current one, so saving again is a decision made
        after seeing them."""
        self.stale = stale
        self.add_error(None, stale.message)
        data = self.data.copy()
        data[self.add_prefix("version")] = str(stale.version)
        self.data = data


# The API's word for it, in every update schema (docs/api.md "并发修改").
VERSION_IN_HELP = "读取该记录时得到的 version；记录在此之后已被修改时返回 409，并附现在的内容"
VERSION_OUT_HELP = "记录的版本号，每次保存加一；修改时原样提交"
