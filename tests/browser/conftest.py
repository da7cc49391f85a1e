"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

In CI a browser test that cannot run is a failure, not a skip: a missing Chromium must not turn
the browser suite silently green.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("QIANGJI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Qiangji-Test-2026"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make for
# set-up are plain synchronous code, so Django's async guard is lifted for this suite only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that a fixture can tell whether its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _screenshot_if_failed(request, page, name: str) -> None:
    """A failed test leaves its page in test-artifacts/ (a passing one costs no screenshot)."""
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev installs it
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _page(browser, live_server, request, *, suffix: str, **context_options):
    """A fresh page of its own context; console errors (e.g. CSP violations) fail the test."""
    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live_server.url
    yield page
    _screenshot_if_failed(request, page, f"{request.node.name}{suffix}.png")
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def phone_context(width: int, height: int) -> dict:
    return {"viewport": {"width": width, "height": height}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def page(browser, live_server, request):
    yield from _page(browser, live_server, request, suffix="", viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser, live_server, request):
    yield from _page(browser, live_server, request, suffix="-phone", **phone_context(375, 812))


@pytest.fixture
def requirements(db):
    """A transactional test starts from a flushed database: the requirement table its migration
    seeds is put back for tests that read what is due."""
    from qiangji.orglife.models import Requirement

    seed = importlib.import_module("qiangji.orglife.migrations.0002_seed_requirements")
    for kind, applies_to, period, minimum in seed.DEFAULTS:
        Requirement.objects.get_or_create(kind=kind, applies_to=applies_to, defaults={"period": period, "minimum_count": minimum})


@pytest.fixture
def care_items(db):
    """The three sends and three asks their migration seeds, put back after a flush."""
    from qiangji.campaign.models import DEFAULT_ASKS, DEFAULT_SENDS, CareItem

    for kind, items in ((CareItem.Kind.SEND, DEFAULT_SENDS), (CareItem.Kind.ASK, DEFAULT_ASKS)):
        for order, (label, prompt) in enumerate(items, start=1):
            CareItem.objects.get_or_create(kind=kind, label=label, defaults={"prompt": prompt, "order": order})


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
