"""What an importer declares, and the base that validates a row through a Django form.

An importer names its columns and the form that checks a row by hand entry; `FormImporter`
does the rest: it finds the existing object by its natural key, fills the form with the
object's current values overlaid by the cells the file gives, runs the very form the page uses,
and compares the cleaned values with the object to tell new, changed and unchanged apart.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.models import ChangeRecord, ImportRow
from qiangji.core.spreadsheets.columns import Column

NEW, CHANGED, UNCHANGED, INVALID = (
    ImportRow.Outcome.NEW.value,
    ImportRow.Outcome.CHANGED.value,
    ImportRow.Outcome.UNCHANGED.value,
    ImportRow.Outcome.INVALID.value,
)


class RowInvalid(Exception):
    """A row that cannot be imported; `errors` are (column key or None, Chinese message)."""

    def __init__(self, *messages: str, field: str | None = None, errors: Iterable[tuple[str | None, str]] = ()) -> None:
        self.errors = [(field, m) for m in messages] + list(errors)
        super().__init__("；".join(m for _, m in self.errors))


@dataclass
class ImportContext:
    """Who imports (None = the system, from a management command), how, and into which batch.

    `cache` is the importer's own scratch space for one run (lookups loaded once, buffers).
    """

    user: Any = None
    source: str = ChangeRecord.Source.IMPORT
    batch: Any = None
    cache: dict[str, Any] = field(default_factory=dict)
    # What the caller asked besides the file (e.g. `is_full` for a district list, a ticked
    # `upload_options` box from the upload page: ImportBatch.options), and the
    # file's SHA-256 when known (an importer may recognise a file it already took).
    options: dict[str, Any] = field(default_factory=dict)
    file_sha256: str = ""
    # A commit after a preview: {str(pk): version} of the records the preview read (None: no
    # preview, e.g. an import command; the commit's own check is then what it compares with).
    read_versions: dict[str, int] | None = None

    @property
    def system(self) -> bool:
        return self.user is None

    @property
    def unrestricted(self) -> bool:
        """The system and superusers act on the whole tree, roots included."""
        return self.user is None or bool(getattr(self.user, "is_superuser", False))


@dataclass(frozen=True)
class UploadChoice:
    """A choice the uploader must make for one kind, with no default (e.g. whether a district
    sheet is the full list or a partial one): the upload page shows it with its kind as radio
    buttons, and every door — page, API, command — refuses a run without it (`required`, the
    Chinese refusal). The chosen value reaches the importer as `ImportContext.options[key]`."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...]
    help: str
    required: str

    def label_of(self, value: Any) -> str:
        return dict(self.choices).get(value, "")


@dataclass(frozen=True)
class Confirmation:
    """What a commit must be confirmed with before it may write (e.g. marking a large share of a
    register gone): the number the uploader confirms, the box's label and the refusal."""

    number: int
    label: str
    refusal: str


# The key under which a confirmed number travels in ImportContext.options / ImportBatch.options.
CONFIRMED = "confirmed"


@dataclass
class SourceRow:
    """One data row of the file: where it is, its cells, and its values once normalised.

    `key`: the row's natural key, when `prepare` already worked it out (else `Importer.key`).
    """

    number: int
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    key: str | None = field(default=None, compare=False)
    has_key: bool = field(default=False, compare=False)

    def set_key(self, key: str | None) -> None:
        self.key, self.has_key = key, True


@dataclass
class Checked:
    """A valid row: what it would do, with the form's cleaned data and the object it touches."""

    outcome: str
    data: dict[str, Any]
    instance: models.Model | None = None
    changed: list[str] = field(default_factory=list)
    # What the preview says about a valid row besides its outcome ("与第3行重复", …).
    notes: list[str] = field(default_factory=list)
    # Where the row is (None: not a row of the file, e.g. an object the file no longer lists).
    number: int | None = None
    # Set by `lock` at commit: why the row must not be written after all (its record moved on).
    stale: str = ""


class Importer(ABC):
    """The declaration every import makes; the engine does everything else.

    simulate: rows depend on rows above them (a child organization on its parent in the same
    file), so even the preview writes each row, inside a transaction that is rolled back.
    """

    kind: str = ""
    label: str = ""
    model: type[models.Model]
    columns: Sequence[Column] = ()
    summary_columns: Sequence[str] = ()
    duplicate_label: str = ""
    personal_fields: Sequence[str] = ()
    roles: Sequence[str] = (TOWN_ADMIN,)
    simulate: bool = False
    # The outcomes this importer reports, in the order pages show them, with their labels: an
    # importer may add its own (e.g. "duplicate", "gone") besides the engine's four.
    outcomes: Sequence[tuple[str, str]] = tuple(ImportRow.Outcome.choices)
    # The outcomes whose rows `save` writes (the others keep what is stored).
    writes: Sequence[str] = (NEW, CHANGED)
    # False: once committed, the engine keeps a record (ImportRow) of the invalid rows only (the
    # error file); the importer keeps its own record of every other row, which `committed_page`
    # shows. A 100,000-row district list then costs one record per row, not two.
    row_records: bool = True
    # Yes/no choices the upload page offers for this kind only, as (key, label, help): a ticked
    # one reaches the importer as `ImportContext.options[key] = True` in the analysis and the
    # commit alike (stored on the batch), e.g. ("partial", "部分名单", "…") for a district list.
    upload_options: Sequence[tuple[str, str, str]] = ()
    # Choices the uploader must make for this kind (UploadChoice): no default, refused without.
    upload_choices: Sequence[UploadChoice] = ()

    def may_import(self, user: Any) -> bool:
        scope = get_scope(user)
        return scope.has_role(*self.roles)

    def column(self, key: str) -> Column | None:
        by_key = self.__dict__.get("_columns_by_key")
        if by_key is None or by_key[0] is not self.columns:
            by_key = self.__dict__["_columns_by_key"] = (self.columns, {c.key: c for c in reversed(self.columns)})
        return by_key[1].get(key)

    def prepare(self, rows: list[SourceRow], ctx: ImportContext) -> list[SourceRow]:
        """Load lookups once and return the rows in the order they must be processed."""
        return rows

    def key(self, values: dict[str, Any]) -> str | None:
        """The natural key that makes two rows of one file the same entity."""
        return None

    @abstractmethod
    def check(self, values: dict[str, Any], ctx: ImportContext) -> Checked:
        """Validate one row: its outcome (new / changed / unchanged / invalid) and reasons."""

    @abstractmethod
    def save(self, checked: Checked, ctx: ImportContext) -> models.Model | None:
        """Write one checked row (or buffer it for `flush`)."""

    def lock(self, rows: list[Checked], ctx: ImportContext) -> None:  # noqa: B027 - optional hook
        """At the start of the commit's writes, in its transaction: lock what the rows will
        change, and mark (`Checked.stale`) the rows that must be skipped after all."""

    def flush(self, ctx: ImportContext) -> None:  # noqa: B027 - optional hook, a no-op unless buffering
        """Write whatever `save` buffered (bulk paths)."""

    def written(self, result: Any, ctx: ImportContext) -> None:  # noqa: B027 - optional hook
        """After `flush`, in the commit's transaction, with every row's result (engine.RunResult):
        for an importer whose writes need the whole outcome (a batch record with its counts)."""

    def extra(self, ctx: ImportContext) -> list[Checked]:
        """Results that are no row of the file, known once every row is checked (e.g. objects a
        full list no longer names); shown and counted like rows, saved like rows on commit."""
        return []

    def confirmation(self, counts: Mapping[str, int], ctx: ImportContext) -> Confirmation | None:
        """What the commit of a run with these counts must be confirmed with, or None. The
        engine refuses a commit whose `ctx.options[CONFIRMED]` is not the number asked."""
        return None

    def option_labels(self, options: Mapping[str, Any]) -> list[str]:
        """The uploader's choices and ticked options as the batch page names them."""
        labels = [c.label_of(options.get(c.key)) for c in self.upload_choices if options.get(c.key)]
        return labels + [label for key, label, _ in self.upload_options if options.get(key)]

    def done_message(self, counts: dict[str, int]) -> str:
        """What the page says once a batch is committed."""
        return (
            f"导入完成：新增 {counts['new']} 条，变更 {counts['changed']} 条，无变化 {counts['unchanged']} 条，"
            f"跳过有误的 {counts['invalid']} 条"
        )

    def committed_page(self, batch: Any) -> str | None:
        """Where a committed batch's rows are shown, when the importer keeps them itself."""
        return None

    def notice(self, batch: Any) -> str:
        """A line the batch page shows above the preview (e.g. "this file was imported before")."""
        return ""

    def outcome_label(self, outcome: str) -> str:
        return dict(self.outcomes).get(outcome, outcome)


class FormImporter(Importer):
    """An importer whose rows go through the same form as manual entry.

    `guards_versions` (for a `Versioned` model): the preview notes the version of every record a
    row matched (ImportBatch.read_versions); the commit locks the records it will change
    (SELECT … FOR UPDATE, until it commits) and skips, with a reason on the row, any whose
    version is no longer the one the uploader saw — an edit made on a page between the preview
    and the commit is kept, not overwritten by the file.
    """

    form_class: type[forms.Form]
    guards_versions: bool = False

    def find(self, values: dict[str, Any], ctx: ImportContext) -> models.Model | None:
        """The existing object this row describes, or None for a new one."""
        return None

    def resolve(self, values: dict[str, Any], instance: models.Model | None, ctx: ImportContext) -> dict[str, Any]:
        """Turn names into what the form takes (an organization's name into its pk)."""
        return values

    def form_kwargs(self, instance: models.Model | None, ctx: ImportContext) -> dict[str, Any]:
        return {}

    @abstractmethod
    def create(self, data: dict[str, Any], ctx: ImportContext) -> models.Model:
        """Create the object through the app's service (with ctx.user, ctx.source, ctx.batch)."""

    @abstractmethod
    def update(self, instance: models.Model, data: dict[str, Any], ctx: ImportContext) -> models.Model:
        """Update the object through the app's service."""

    def form(self, data: dict[str, Any], instance: models.Model | None, ctx: ImportContext) -> forms.Form:
        """The row's form, bound to its data. Building a Django form deep-copies every field,
        which costs more than validating the row; a form class offering
        `rebound(data, instance=…)` (see MemberForm) is therefore built once for new objects and
        once for existing ones per run, then rebound in place for every further row of its kind
        (its `form_kwargs` must then be the same for every row of a kind)."""
        built: dict[bool, forms.Form] = ctx.cache.setdefault("_forms", {})
        first = built.get(instance is None)
        if first is not None:
            return first.rebound(data, instance=instance)  # type: ignore[attr-defined]
        form = self.form_class(data=data, user=ctx.user, instance=instance, **self.form_kwargs(instance, ctx))
        if hasattr(form, "rebound"):
            built[instance is None] = form
        return form

    def check(self, values: dict[str, Any], ctx: ImportContext) -> Checked:
        instance = self.find(values, ctx)
        data = self.initial(instance) if instance is not None else {}
        # A blank cell keeps the stored value: a district sheet leaving a column empty does not
        # mean "erase it", and nothing may be lost by importing.
        data.update({k: _form_value(v) for k, v in self.resolve(values, instance, ctx).items() if v is not None})
        form = self.form(data, instance, ctx)
        if not form.is_valid():
            raise RowInvalid(errors=self.form_errors(form))
        cleaned = form.cleaned_data
        if instance is not None and self.guards_versions:
            ctx.cache.setdefault("read_versions", {})[str(instance.pk)] = instance.version
        if instance is None:
            return Checked(NEW, cleaned)
        changed = [self.field_label(form, name) for name in form.fields if _differs(instance, name, cleaned.get(name))]
        return Checked(CHANGED if changed else UNCHANGED, cleaned, instance, changed)

    def lock(self, rows: list[Checked], ctx: ImportContext) -> None:
        if not self.guards_versions:
            return
        targets = [c for c in rows if c.instance is not None and c.outcome in self.writes]
        pks = [c.instance.pk for c in targets]
        stored: dict[int, int] = {}
        manager = self.model._base_manager
        for start in range(0, len(pks), _LOCK_CHUNK):
            chunk = pks[start : start + _LOCK_CHUNK]
            stored.update(manager.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", "version"))
        read = ctx.read_versions
        for checked in targets:
            pk = checked.instance.pk
            # After a preview: what the uploader saw (a record the preview did not match is one
            # that appeared since). Without one: what this commit's own check read.
            expected = read.get(str(pk)) if read is not None else checked.instance.version
            if stored.get(pk) != expected:
                name = self.model._meta.verbose_name
                checked.stale = f"该{name}在预览之后已被他人修改，本行未导入，以免覆盖该修改；请核对后重新导入"

    def save(self, checked: Checked, ctx: ImportContext) -> models.Model | None:
        if checked.outcome == NEW:
            return self.create(checked.data, ctx)
        return self.update(checked.instance, checked.data, ctx)

    def initial(self, instance: models.Model) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, attname in _attnames(self.form_class, type(instance)):
            value = getattr(instance, attname)
            if value is not None:
                data[name] = _form_value(value)
        return data

    def field_label(self, form: forms.Form, name: str) -> str:
        column = self.column(name)
        if column is not None:
            return column.label
        return str(form.fields[name].label) if name in form.fields else ""

    def form_errors(self, form: forms.Form) -> list[tuple[str | None, str]]:
        return self.describe_errors(form, form.errors.as_data())

    def describe_errors(self, form: forms.Form, found: Mapping[str, list[ValidationError]]) -> list[tuple[str | None, str]]:
        """(field or None, Chinese message) for a form's errors (`form.errors.as_data()`, or a
        RowChecker's), each message led by its column's name."""
        errors: list[tuple[str | None, str]] = []
        for name, field_errors in found.items():
            label = "" if name == NON_FIELD_ERRORS else self.field_label(form, name)
            for error in field_errors:
                for message in error.messages:
                    if error.code == "required" and label:
                        text = f"{label}未填写"
                    elif label and not message.startswith(label):
                        text = f"{label}：{message}"
                    else:
                        text = message
                    errors.append((None if name == NON_FIELD_ERRORS else name, text))
        return errors


_LOCK_CHUNK = 1000


def _form_value(value: Any) -> Any:
    """A value as form data. Dates stay dates: a DateField takes them as they are, where the
    same date as text would be parsed again against every input format of the locale."""
    if isinstance(value, models.Model):
        return value.pk
    return value


@cache
def _attnames(form_class: type[forms.Form], model: type[models.Model]) -> tuple[tuple[str, str], ...]:
    """(form field, model attribute) for every form field that is a model field."""
    pairs = []
    for name in form_class.base_fields:
        try:
            pairs.append((name, model._meta.get_field(name).attname))
        except FieldDoesNotExist:
            continue
    return tuple(pairs)


def _differs(instance: models.Model, name: str, new: Any) -> bool:
    try:
        model_field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    old = getattr(instance, model_field.attname)
    if isinstance(new, models.Model):
        new = new.pk
    if old in (None, "") and new in (None, ""):
        return False
    return old != new
