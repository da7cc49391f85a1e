"""Every URL of the site, fed hostile values, answers without a server error (status < 500).

The patterns are walked from the URL conf, so a new page is covered the day it is added: each
path converter gets values that match its pattern but are nonsense to the view (ids past 64 bits,
past 2^63 - 1, zero; long or odd text), and each query parameter any view reads (harvested from
the source) gets numbers out of range, negatives, text, bad dates and NUL bytes.
"""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter

from qiangji.core.converters import IdConverter, YearConverter

ROOT = Path(__file__).resolve().parent.parent

HUGE = "99999999999999999999"
OVER_BIGINT = str(2**63)
MAX_BIGINT = str(2**63 - 1)

# Past-range ids stop at the converter (see the unit test below), so one is enough here; the
# largest id a column holds goes all the way to the view and the database.
CONVERTER_VALUES = {
    IdConverter: [MAX_BIGINT, HUGE],
    IntConverter: [MAX_BIGINT, HUGE],
    StringConverter: ["x" * 300, "%E4%B8%AD%00"],
    SlugConverter: ["x" * 300, "-1"],
    PathConverter: ["x" * 300 + "/y", "%00"],
    UUIDConverter: ["00000000-0000-0000-0000-000000000000"],
    YearConverter: ["2999", "0000"],
}

# "²" passes str.isdigit() and fails int(); NUL is what PostgreSQL text refuses.
QUERY_VALUES = [HUGE, "-1", "²", "2026-13-45", "\x00", "x" * 300]


def _query_names() -> list[str]:
    """Every GET parameter name the code reads, found where it reads them."""
    names = {"page", "per_page", "sort", "next"}
    reads = re.compile(r"""(?:GET|params|data|query)(?:\.get|\.getlist)?\(?\[?["']([a-z_]+)["']""")
    for path in (ROOT / "qiangji").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        names.update(reads.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


def _patterns(resolvers, prefix=""):
    """(route with <name> placeholders, {name: converter class}) for every leaf pattern."""
    for entry in resolvers:
        route = str(entry.pattern)
        converters = dict(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            for sub_route, sub_conv in _patterns(entry.url_patterns, prefix + route):
                yield sub_route, {**{k: type(v) for k, v in converters.items()}, **sub_conv}
        elif isinstance(entry, URLPattern):
            yield prefix + route, {k: type(v) for k, v in converters.items()}


def _urls():
    for route, converters in _patterns(get_resolver().url_patterns):
        if route.startswith("ops/") or "^" in route:
            continue  # Django's own admin: tested by Django, and staff-only.
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        if not converters:
            yield "/" + template, True
            continue
        names = list(converters)
        rounds = max(len(CONVERTER_VALUES[converters[n]]) for n in names)
        for i in range(rounds):
            values = {n: CONVERTER_VALUES[converters[n]][i % len(CONVERTER_VALUES[converters[n]])] for n in names}
            yield "/" + template.format(**values), False


def test_every_url_answers_hostile_values_without_a_server_error(users, client_as):
    client = client_as(users["town_admin"])
    names = _query_names()
    failures = []
    urls = list(_urls())
    assert len(urls) > 250  # the walk found the site, not an empty conf
    for url, list_like in urls:
        values = [None] + (QUERY_VALUES if list_like else [])
        for value in values:
            query = {} if value is None else dict.fromkeys(names, value)
            shown = url if value is None else f"{url}?…={value[:30]}"
            try:
                status = client.get(url, query).status_code
            except Exception as exc:  # the test client re-raises what would be a 500
                failures.append(f"{shown} → {type(exc).__name__}: {str(exc)[:150]}")
                continue
            if status >= 500:
                failures.append(f"{shown} → {status}")
    assert failures == [], "\n".join(failures)


def test_no_pattern_takes_an_unbounded_int():
    """`<int:…>` hands any size of integer to the ORM; ids go through the bounded `<id:…>`."""
    unbounded = [route for route, conv in _patterns(get_resolver().url_patterns) if IntConverter in conv.values()]
    assert unbounded == []


@pytest.mark.parametrize("value", [HUGE, OVER_BIGINT])
def test_id_converter_refuses_what_no_id_column_holds(value):
    with pytest.raises(ValueError):
        IdConverter().to_python(value)
    assert IdConverter().to_python(MAX_BIGINT) == 2**63 - 1
