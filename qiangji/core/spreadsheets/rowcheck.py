"""Checking many rows through one form's own fields and `clean_<field>` methods, without binding
the form per row.

`RowChecker(form).check(data)` runs exactly what `form.full_clean()` runs for a plain
`forms.Form` that keeps Django's `clean()` and `_post_clean()`: each field's widget value, the
field's `clean`, then the form's `clean_<name>` with the fields cleaned so far in
`form.cleaned_data` — and returns the cleaned data and the errors as `form.errors.as_data()`
holds them. A bound form spends most of a row's time on bookkeeping (bound fields, error lists,
the cache of `changed_data`); a district sheet of 100,000 rows pays it 100,000 times.

Fields named in `pure` are those whose outcome depends on the cell alone (no other field, no
state of the form): their result is kept per distinct value, as a sheet repeats its villages,
kinds and numbers thousands of times. The equivalence with `full_clean` is a test
(core/tests/test_rowcheck.py and each importer's own).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from qiangji.core.forms import name_required

NO_FILES: MultiValueDict = MultiValueDict()
_MISS = object()


class RowChecker:
    """One form, checked against row after row (see the module's docstring)."""

    def __init__(self, form: forms.Form, *, pure: Iterable[str] = ()) -> None:
        cls = type(form)
        if cls.clean is not forms.Form.clean or cls._post_clean is not forms.BaseForm._post_clean:
            # A form-wide clean() may read several fields at once; it needs the bound form.
            raise TypeError(f"{cls.__name__} overrides clean() or _post_clean(): check its rows with the form itself")
        pure = set(pure)
        self.form = form
        self.steps: list[tuple[str, forms.Field, Any, Any, dict | None]] = []
        for name, field in form.fields.items():
            if field.disabled or isinstance(field, forms.FileField):
                raise TypeError(f"{cls.__name__}.{name}: disabled and file fields need the bound form")
            value_of = field.widget.value_from_datadict
            clean_field = getattr(form, f"clean_{name}", None)
            self.steps.append((name, field, value_of, clean_field, {} if name in pure else None))

    def check(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[ValidationError]]]:
        """(cleaned data, {field: [ValidationError, …]}) for one row; state the form's clean
        methods read (e.g. the instance being edited) is set on `self.form` before the call."""
        form = self.form
        cleaned: dict[str, Any] = {}
        errors: dict[str, list[ValidationError]] = {}
        form.cleaned_data = cleaned
        for name, field, value_of, clean_field, memo in self.steps:
            raw = value_of(data, NO_FILES, name)
            if memo is not None:
                # The type is part of the key: 1, 1.0 and True are equal as dict keys.
                key = (type(raw), tuple(raw) if isinstance(raw, list) else raw)
                try:
                    found = memo.get(key, _MISS)
                except TypeError:  # an unhashable value: checked, not kept
                    found = self._clean(name, field, clean_field, raw, cleaned)
                if found is _MISS:
                    found = memo[key] = self._clean(name, field, clean_field, raw, cleaned)
                ok, value = found
            else:
                ok, value = self._clean(name, field, clean_field, raw, cleaned)
            if ok:
                cleaned[name] = value
            else:
                errors[name] = value
        return cleaned, errors

    @staticmethod
    def _clean(name: str, field: forms.Field, clean_field: Any, raw: Any, cleaned: dict[str, Any]) -> tuple[bool, Any]:
        try:
            cleaned[name] = field.clean(raw)
            if clean_field is not None:
                cleaned[name] = clean_field()
            return True, cleaned[name]
        except ValidationError as exc:
            cleaned.pop(name, None)
            return False, name_required(exc.error_list, field.label)
