"""Template helpers shared by every page: Bootstrap widgets, sortable headers, history rows.

They live in the home app (the top of the app stack) so that core stays free of presentation
and every app's templates can `{% load qj %}`.
"""

from typing import Any

from django import forms, template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html

register = template.Library()

_DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@register.filter
def qj_widget(field: forms.BoundField) -> str:
    """The field's widget with Bootstrap classes, `is-invalid` on error and a native date picker."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    # A browser date picker needs ISO values, whatever the locale formats dates as.
    use = _DATE_WIDGET if type(widget) is forms.DateInput else None
    return field.as_widget(widget=use, attrs=attrs)


def _sort_href(context: template.Context, key: str) -> tuple[str, str]:
    request = context["request"]
    current = request.GET.get("sort", context.get("default_sort", ""))
    new = f"-{key}" if current == key else key
    params = request.GET.copy()
    params["sort"] = new
    params.pop("page", None)
    if current == key:
        state = "asc"
    elif current == f"-{key}":
        state = "desc"
    else:
        state = ""
    return "?" + params.urlencode(), state


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, key: str, label: str, target: str = "") -> str:
    """A column header that sorts by `key`, toggling the direction on a second click.

    With `target`, htmx fetches only the table fragment into that element.
    """
    href, state = _sort_href(context, key)
    icon = {"asc": "bi-sort-up", "desc": "bi-sort-down"}.get(state, "bi-arrow-down-up")
    title = {"asc": "当前升序，点击改为降序", "desc": "当前降序，点击改为升序"}.get(state, "点击排序")
    hx = format_html(' hx-get="{}" hx-target="{}" hx-push-url="true"', href, target) if target else ""
    return format_html(
        '<a class="qj-sort{}" href="{}"{} title="{}">{} <i class="bi {}" aria-hidden="true"></i></a>',
        " qj-sort-active" if state else "",
        href,
        hx,
        title,
        label,
        icon,
    )


def _display(field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@register.simple_tag
def change_rows(record: Any, instance: models.Model) -> list[tuple[str, str, str]]:
    """A ChangeRecord's changes as (label, before, after) in the words the form uses."""
    rows = []
    for name, pair in (record.changes or {}).items():
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        label = str(getattr(field, "verbose_name", name))
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        rows.append((label, _display(field, before), _display(field, after)))
    return rows


@register.filter
def term_badge(status: str) -> str:
    """Bootstrap badge classes for Organization.term_status values."""
    return {
        "expired": "text-bg-danger",
        "ends_1m": "text-bg-warning",
        "ends_6m": "text-bg-info",
        "ok": "text-bg-light border",
        "unknown": "text-bg-light border text-muted",
    }.get(status, "text-bg-light")


_FIELD_WORDS = {"id_number": "身份证号", "phone": "联系电话", "address": "家庭住址"}


@register.filter
def audit_fields(fields: list[str]) -> str:
    """Field names of an audit event in the words users know."""
    return "、".join(_FIELD_WORDS.get(f, f) for f in fields or [])
