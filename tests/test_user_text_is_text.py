"""User text is text: markup planted in any free-text field never comes out as markup.

A payload that breaks out of an attribute, opens an element with an inline handler and carries
htmx attributes (`hx-post` on `load`: enough, with the page's CSRF header, to change a role) is
written into every free-text column of the demo town, found from the models (every CharField and
TextField of the project's apps), and every page the URL conf declares is reached by following the
pages' own links as each kind of user, in full and as the htmx fragment. No response may carry the
payload raw; the pages that show a record's text carry it escaped; Excel and Word downloads carry
it as plain text.

The entry paths (page forms, API, spreadsheet import, a visit's facts, the public no-login forms)
are driven with the same payload in the second half: what they store is shown as text.
"""

import datetime as dt
import html
import io
import re
import zipfile
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, get_resolver, resolve, reverse
from django.urls.resolvers import URLPattern, URLResolver
from openpyxl import load_workbook

from qiangji.accounts.models import User
from qiangji.core.crypto import EncryptedTextField
from qiangji.core.models import append_only_maintenance
from qiangji.redculture.models import RedSite
from qiangji.testing import DEMO_BUILD_SETTINGS, built_once

# It builds a demo town of its own (the payload goes into every row): a demo-build test, run once.
pytestmark = [pytest.mark.django_db, pytest.mark.demo]

TODAY = dt.date(2026, 11, 25)

PAYLOAD = '"><img src=x onerror=alert(1)> <div hx-post="/accounts/" hx-trigger="load">{{7*7}}</div>'
# Columns too short for the payload get one that still breaks out and opens an htmx element.
SHORT = "'\"><i hx-get=/x>"
# Markup that only unescaped output can contain: escaping turns each "<" into "&lt;".
RAW = ("<img src=x onerror", '<div hx-post="/accounts/"', "<i hx-get=/x>")
ESCAPED = ("&lt;img src=x onerror", "&lt;i hx-get=/x&gt;")
SUFFIX_ROOM = 8  # "#" and the row's primary key keep unique columns unique

# Columns whose text the code reads as data, not as words for people: planting markup there tests
# a parser, not the output. Each is named with why.
MACHINE_COLUMNS = {
    ("orgs", "organization", "path"),  # materialised path, a prefix index of the tree
    ("core", "importbatch", "headers"),  # JSON text of the file's header row
    ("core", "importrow", "raw"),  # JSON text of the row as read
}
# Values the code matches on (kinds, keys, tokens, hashes) are excluded by their shape: choices,
# and the names below wherever they occur.
MACHINE_NAMES = {
    "password",
    "id_number_hash",
    "key",
    "key_hash",
    "token",
    "token_hash",
    "secret",
    "carrier_kind",
    "kind",
    "object_type",
    "app_label",
    "model",
    "session_key",
    "ip",
    "user_agent",
}


def _is_free_text(field: models.Field) -> bool:
    if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
        return False
    if isinstance(field, (models.EmailField, models.SlugField, models.URLField, EncryptedTextField)):
        return False
    if field.primary_key or field.name in MACHINE_NAMES or field.name.endswith(("_hash", "_key", "_token")):
        return False
    meta = field.model._meta
    if (meta.app_label, meta.model_name, field.name) in MACHINE_COLUMNS:
        return False
    max_length = field.max_length or 10_000
    return max_length >= len(SHORT) + SUFFIX_ROOM


def free_text_columns() -> list[models.Field]:
    """Every free-text column of the project's own models."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("qiangji.") or model._meta.proxy or not model._meta.managed:
            continue
        found.extend(f for f in model._meta.concrete_fields if _is_free_text(f))
    return found


def plant_everywhere() -> Counter:
    """Write the payload (plus the row's key) into every free-text column of every row."""
    planted = Counter()
    # The payload stands for text that any path could have stored, audit rows' text included;
    # on PostgreSQL their trigger lets this one transaction through (the test's own town).
    with append_only_maintenance():
        _plant(planted)
    return planted


def _plant(planted: Counter) -> None:
    for field in free_text_columns():
        text = PAYLOAD if (field.max_length or 10_000) >= len(PAYLOAD) + SUFFIX_ROOM else SHORT
        value = Concat(models.Value(text + "#"), Cast("pk", models.CharField()), output_field=field)
        # The plain QuerySet: append-only models refuse updates through their own manager.
        count = models.QuerySet(model=field.model).update(**{field.name: value})
        planted[f"{field.model._meta.label}.{field.name}"] = count


CRAWLERS = ("zhen_admin", "shuji_shuhe", "lianluo1_1", "dangyuan", "zoufang1")


def seed() -> tuple[Counter, dict[str, User]]:
    """The planted columns and the crawling users (found before their usernames are planted)."""
    call_command("seed_demo", "--members", "200", "--seed", "7", "--today", TODAY.isoformat(), stdout=io.StringIO())
    logins = {u.username: u for u in User.objects.filter(username__in=CRAWLERS)}
    return plant_everywhere(), logins


CRAWL_SETTINGS = {**DEMO_BUILD_SETTINGS, "QIANGJI_ADMIN_2FA": False}


@pytest.fixture(scope="module")
def planted_town(django_db_setup, django_db_blocker):
    """The demo town with the payload in every free-text column, rolled back when the module ends."""
    yield from built_once(django_db_blocker, seed, settings=CRAWL_SETTINGS)


# --- the crawler ---------------------------------------------------------------------------------

# Forms and htmx posts are followed too: a GET of a write shows its form or answers 405.
_LINK = re.compile(r'(?:href|src|action|hx-get|hx-post|data-href)="(/[^"#]*)"')
# Links that leave the pages for machines or end the session.
NOT_PAGES = ("api:", "admin:", "accounts:logout", "healthz")


def _routes() -> list[tuple[str, object, str]]:
    """Every named route of the URL conf: (name, view, pattern), the API and Django's admin apart."""
    found = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(p for p in (namespace, entry.namespace) if p)
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                if not name.startswith(NOT_PAGES):
                    found.append((name, entry.callback, prefix + str(entry.pattern)))

    walk(get_resolver(), "", "")
    return found


def _page_names() -> dict[str, str]:
    return {name: pattern for name, _, pattern in _routes()}


def resolve_name(name: str):
    """The view function a route name leads to."""
    for entry in _routes():
        if entry[0] == name:
            return entry[1]
    raise KeyError(name)


class Crawl:
    """Follow the pages' own links breadth-first, a few addresses per route, in full and as htmx."""

    def __init__(self, client: Client, *, per_route: int = 2) -> None:
        self.client = client
        self.per_route = per_route
        self.visits: Counter = Counter()
        self.seen: set[str] = set()
        self.raw: list[str] = []  # "url: marker" where markup came out unescaped
        self.escaped: set[str] = set()  # route names whose response carried the escaped payload
        self.as_text: set[str] = set()  # downloads carrying the payload as a cell's or a run's text
        self.errors: list[str] = []

    def route(self, url: str) -> str | None:
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            return None
        return match.view_name

    def run(self, starts: list[str]) -> "Crawl":
        queue = deque(starts)
        while queue:
            url = html.unescape(queue.popleft())
            name = self.route(url)
            if name is None or name.startswith(NOT_PAGES) or url in self.seen or self.visits[name] >= self.per_route:
                continue
            self.seen.add(url)
            self.visits[name] += 1
            # The htmx fragment of a route is asked for once: its address only picks the rows.
            variants = ({}, {"HX-Request": "true"}) if self.visits[name] == 1 else ({},)
            for headers in variants:
                try:
                    response = self.client.get(url, headers=headers)
                except Exception as error:  # a 500 is a finding, listed with its address
                    self.errors.append(f"{url} {headers}: {error!r}")
                    continue
                queue.extend(self.check(name, url, response))
        return self

    def check(self, name: str, url: str, response) -> list[str]:
        kind = response.get("Content-Type", "")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code >= 500:
            self.errors.append(f"{url}: {response.status_code}")
        if "spreadsheetml" in kind:
            book = load_workbook(io.BytesIO(content))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and cell.value.startswith((PAYLOAD, SHORT)):
                            assert cell.data_type == "s", (url, cell.coordinate)
                            self.as_text.add(name)
            return []
        if "wordprocessingml" in kind:
            xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
            if html.escape(PAYLOAD, quote=False) in xml or html.escape(SHORT, quote=False) in xml:
                self.as_text.add(name)
            self.raw.extend(f"{url}: {m}" for m in RAW if m in xml)
            return []
        if "html" not in kind or not content:
            return []
        body = content.decode(response.charset or "utf-8", "replace")
        self.raw.extend(f"{url}: {m}" for m in RAW if m in body)
        if any(m in body for m in ESCAPED):
            self.escaped.add(name)
        if response.status_code in (301, 302):
            return [response["Location"]]
        return _LINK.findall(body)


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Pages no link of the demo town leads to; every other page of the URL conf must be reached.
UNREACHED = {
    "campaign:voice_thanks",  # shown only after the public posts a message
    "campaign:committee_create",  # offered for a carrier without a committee; the demo's have one
    "campaign:visit_edit",  # offered to the visitor whose visit was sent back
    "imports:progress",  # polled only while an import runs
    "imports:errors",  # the demo's imports have no invalid rows
    "ledger:problem_attachment",  # the demo stores no files
    "orglife:attachment",
    "plans:download",
    "redculture:photo",
    # The demo configures no group robot: one would post the demo's notices to the internet.
    "notifications:channel_detail",
    "notifications:channel_edit",
    "orglife:home_study_plan_complete",  # offered to the visitor of an open plan; the demo plans none
}


def _post_only(view) -> bool:
    """The view refuses GET (require_POST): what it answers is the fragment its page includes."""
    while view is not None:
        cells = dict(zip(view.__code__.co_freevars, (c.cell_contents for c in view.__closure__ or ()), strict=True))
        if "request_method_list" in cells:
            return "GET" not in cells["request_method_list"]
        view = getattr(view, "__wrapped__", None)
    return False


@pytest.fixture(scope="module")
def crawled(planted_town, django_db_blocker):
    with override_settings(**CRAWL_SETTINGS), django_db_blocker.unblock():
        starts = [u for u in _page_names().values() if "<" not in u and "(" not in u]
        starts = ["/" + u for u in starts]
        # The red sites' check-in pages are reached by their QR codes, not by links.
        starts += [reverse("redculture:checkin", args=[t]) for t in RedSite.objects.values_list("token", flat=True)[:1]]
        # The town admin sees every record; the others reach the pages of their own roles.
        crawls = {
            username: Crawl(_login(user), per_route=2 if username == "zhen_admin" else 1).run(starts)
            for username, user in planted_town[1].items()
        }
        crawls["anonymous"] = Crawl(Client(), per_route=1).run(starts)
    return crawls


def test_every_free_text_column_is_planted(planted_town):
    planted, logins = planted_town
    assert sorted(logins) == sorted(CRAWLERS)
    assert len(planted) > 50
    assert planted["campaign.Entity.name"] > 0
    assert planted["members.Member.name"] == 200


def test_no_page_fragment_or_download_carries_the_payload_raw(crawled):
    for who, crawl in crawled.items():
        assert not crawl.errors, "\n".join([who, *crawl.errors])
        assert not crawl.raw, "\n".join([who, *crawl.raw])


def test_the_crawl_reaches_every_page_of_the_url_conf(crawled):
    reached = set().union(*(c.visits for c in crawled.values()))
    post_only = {name for name in _page_names() if _post_only(resolve_name(name))}
    assert {"members:reveal", "campaign:visit_review", "ledger:problem_act"} <= post_only
    missing = set(_page_names()) - reached - UNREACHED - post_only
    assert not missing, "\n".join(sorted(missing))


def test_pages_that_show_records_show_the_payload_escaped(crawled):
    escaped = set().union(*(c.escaped for c in crawled.values()))
    assert {
        "campaign:task_visit",  # the correctable facts' help texts quote the task's values
        "campaign:entity_detail",
        "campaign:entity_edit",
        "campaign:visit_detail",
        "campaign:review_queue",
        "campaign:batch_detail",
        "campaign:voice_detail",
        "members:detail",
        "orgs:detail",
        "ledger:problem_detail",
        "ledger:public_report_handle",
        "council:project_detail",
    } <= escaped


def test_downloads_carry_the_payload_as_text(crawled):
    as_text = set().union(*(c.as_text for c in crawled.values()))
    assert {"members:export", "campaign:entity_export", "campaign:batch_export"} <= as_text
