"""What every form of the platform shares: a blank required field is named ("姓名未填写").

Django's own message, "这个字段是必填项。", does not say which field; next to the field it is
redundant, and in an API answer or an import's error file it leaves the reader guessing. The
forms here subclass Django's directly (and Django's auth forms are used as they are), so the
rule is applied once, after every form's cleaning, by `install` (called from the core app's
ready()); a message a form writes itself ("请填写主体名称") is left as it is.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def required_message(label: Any) -> str:
    return f"{str(label or '').strip().rstrip('：:') or '此项'}未填写"


def name_required(errors: list[Any], label: Any) -> list[Any]:
    """`errors` (ValidationErrors) with Django's unnamed required message replaced by "<label>未填写"."""
    default = str(forms.Field.default_error_messages["required"])
    return [
        ValidationError(required_message(label), code="required")
        if isinstance(error, ValidationError) and error.code == "required" and str(error.message) == default
        else error
        for error in errors
    ]


def name_required_errors(form: forms.BaseForm) -> None:
    """Replace Django's unnamed required message with "<label>未填写" in `form`'s errors (the row
    checker of the spreadsheet import applies the same to its rows)."""
    for name, errors in (form._errors or {}).items():
        field = form.fields.get(name)
        if field is not None:
            errors.data[:] = name_required(errors.data, field.label)


def install() -> None:
    if getattr(forms.BaseForm.full_clean, "names_required", False):
        return
    original = forms.BaseForm.full_clean

    def full_clean(self: forms.BaseForm) -> None:
        original(self)
        name_required_errors(self)

    full_clean.names_required = True  # type: ignore[attr-defined]
    forms.BaseForm.full_clean = full_clean  # type: ignore[method-assign]
