"""Shared fixtures: a small town and one user per role (STYLE.md).

town (committee)
├── village_a (committee, 东村党总支 style)   ← secretary_a; liaison group 1
│   ├── branch_a1 ← member_user's record
│   │   └── group_a1 (党小组)
│   └── branch_a2
└── branch_b (enterprise branch)             ← secretary_b
"""

import datetime as dt
import json
import os

import pytest
import time_machine
from django.test import Client

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant
from qiangji.accounts.services import api_token_issue
from qiangji.orgs.models import Organization

DEMO_TOWN = "qiangji/demo/tests/town/"


def _transactional(item) -> bool:
    """Whether the test runs on a committed database, which is flushed when it ends (as pytest-django decides)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(items):
    """Demo-build tests carry the `demo` marker and run first, the demo town's package before the
    rest of them: they are the longest pieces of work, so none may be the last one a worker starts.
    Modules with transactional tests run last: such a test flushes the database when it ends, the
    rows data migrations wrote included, so nothing may run after it on the same worker."""
    flushing = {item.nodeid.split("::", 1)[0] for item in items if _transactional(item)}
    for item in items:
        if "qiangji/demo/tests/" in item.nodeid:
            item.add_marker(pytest.mark.demo)
    items.sort(
        key=lambda item: (
            DEMO_TOWN not in item.nodeid,
            item.get_closest_marker("demo") is None,
            item.nodeid.split("::", 1)[0] in flushing,
        )
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under xdist a test module is one unit of work (its module-scoped fixtures are built once),
    and the demo town's package is one unit: one worker builds the town once for all its modules
    (qiangji/demo/tests/town/conftest.py).

    xdist's own `--dist loadgroup` cannot group a package with pytest 9 (it renames node ids
    through an attribute pytest 9 no longer reads), so the grouping is said here.
    """
    from xdist.scheduler import LoadScopeScheduling

    # Units in collection order, not largest first: the modules with transactional tests come
    # last in it (pytest_collection_modifyitems), and each worker must run them last too.
    config.option.loadscopereorder = False

    class ModulesAndTheDemoTown(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return DEMO_TOWN if DEMO_TOWN in nodeid else nodeid.split("::", 1)[0]

    return ModulesAndTheDemoTown(config, log)


@pytest.fixture(autouse=True)
def _travel_for_date_check(request):
    """QIANGJI_TEST_TODAY=YYYY-MM-DD runs the suite as if on that day (the clock still ticks).

    The suite must pass on any date; this is how a developer proves it. Browser tests keep the real
    clock: Chromium's own clock decides whether a session cookie has expired.
    """
    day = os.environ.get("QIANGJI_TEST_TODAY")
    if not day or request.node.get_closest_marker("browser"):
        yield
        return
    with time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00+08:00"), tick=True):
        yield


@pytest.fixture
def freeze_day():
    """freeze_day("2026-11-25"): until the test ends, it is 10:00 that day in Shanghai (the clock ticks).

    A test whose outcome depends on "today" (overdue, this year, not in the future) calls it, so that
    it passes whatever the calendar says.
    """
    travellers = []

    def freeze(day: str) -> None:
        traveller = time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00+08:00"), tick=True)
        traveller.start()
        travellers.append(traveller)

    yield freeze
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run inline in tests; the worker's own behaviour is the library's to test."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for attackers, not for a suite that logs in 6 users per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_admin_second_factor(settings):
    """Most tests log in with force_login; the 2FA tests switch the second factor back on."""
    settings.QIANGJI_ADMIN_2FA = False


@pytest.fixture
def town(db):
    t = f.organization(name="竖新镇党委", kind=Organization.Kind.COMMITTEE)
    village = f.VillageFactory(name="东村")
    a = f.organization(
        name="东村党总支",
        kind=Organization.Kind.GENERAL_BRANCH,
        parent=t,
        village=village,
        term_start=dt.date(2021, 11, 1),
        term_end=dt.date(2026, 11, 1),
    )
    a1 = f.organization(name="东村第一党支部", parent=a, village=village)
    g1 = f.organization(name="东村第一党支部第一党小组", kind=Organization.Kind.GROUP, parent=a1)
    a2 = f.organization(name="东村第二党支部", parent=a, village=village)
    b = f.organization(name="竖新镇某某公司党支部", parent=t)
    return {"town": t, "village_a": a, "branch_a1": a1, "group_a1": g1, "branch_a2": a2, "branch_b": b}


@pytest.fixture
def users(town):
    """One user per role; the member user is linked to a member of branch_a1."""
    admin = f.UserFactory(username="admin", display_name="镇管理员")
    f.grant(admin, RoleGrant.Role.TOWN_ADMIN, town["town"])
    liaison = f.UserFactory(username="liaison", display_name="联络员")
    f.liaison_group(name="第一指导联络组", users=[liaison], organizations=[town["village_a"]])
    sec_a = f.UserFactory(username="sec_a", display_name="东村书记")
    f.grant(sec_a, RoleGrant.Role.SECRETARY, town["village_a"], title="书记")
    sec_b = f.UserFactory(username="sec_b", display_name="公司书记")
    f.grant(sec_b, RoleGrant.Role.SECRETARY, town["branch_b"], title="书记")
    member_user = f.UserFactory(username="member", display_name="李党员")
    f.member(organization=town["branch_a1"], name="李党员", user=member_user)
    visitor = f.UserFactory(username="visitor", display_name="走访队员")
    f.grant(visitor, RoleGrant.Role.VISITOR, town["town"])
    return {
        "town_admin": admin,
        "liaison": liaison,
        "secretary_a": sec_a,
        "secretary_b": sec_b,
        "member": member_user,
        "visitor": visitor,
        "anonymous": None,
    }


@pytest.fixture
def client_as(db):
    """client_as(user) → a logged-in test client (anonymous for None)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


class ApiClient:
    """A test client for /api/v1: paths are relative to it, bodies are sent as JSON."""

    def __init__(self, authorization: str | None = None):
        self.client = Client()
        self.headers = {"Authorization": authorization} if authorization else {}

    def request(self, method, path, body=None, *, params=None):
        url = "/api/v1" + path
        if method == "get":
            return self.client.get(url, params or {}, headers=self.headers)
        send = getattr(self.client, method)
        return send(url, data=json.dumps(body), content_type="application/json", headers=self.headers)

    def get(self, path, params=None):
        return self.request("get", path, params=params)

    def post(self, path, body=None):
        return self.request("post", path, body)

    def put(self, path, body=None):
        return self.request("put", path, body)

    def patch(self, path, body=None):
        return self.request("patch", path, body)

    def delete(self, path, body=None):
        return self.request("delete", path, body)


@pytest.fixture
def api_as(db):
    """api_as(user) → an ApiClient sending that user's bearer token (None: no credentials).

    Each user gets one token per test, issued on first use. `header` replaces the Authorization
    header (bad, revoked or foreign credentials; "" sends none).
    """
    keys = {}

    def make(user, *, header=None):
        if header is None and user is not None:
            if user.pk not in keys:
                keys[user.pk] = api_token_issue(user=user, name="测试脚本")[1]
            header = f"Bearer {keys[user.pk]}"
        return ApiClient(header)

    return make


@pytest.fixture
def form_post():
    """form_post(form, **changes) → what a browser posts back for a rendered form (hidden version
    included), with the person's changes: for tests of two people editing one record."""

    def post(form, **changes):
        data = {}
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, (list, tuple)):
                data[name] = [str(v) for v in value]
                continue
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    return post
