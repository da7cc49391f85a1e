"""Accessibility (GB/T 37668, WCAG 2 A/AA): axe-core, from the npm registry, runs in Chromium on
every main page of every role, at desktop and phone width; no serious or critical violation."""

from pathlib import Path

import pytest
from django.urls import reverse

from qiangji.core.access import get_scope
from qiangji.core.navigation import entries_for
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ROLES = {"admin": "town_admin", "sec_a": "secretary_a", "liaison": "liaison", "member": "member", "visitor": "visitor"}
# Pages reached without logging in: the login page and the public's phone pages.
PUBLIC = ("accounts:login", "ledger:public_report")


def violations(page) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.html.slice(0, 160)).join(' | '))""",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
    )
    return list(result)


def main_pages(user) -> list[str]:
    return (
        [reverse("home:index")] + [reverse(e.url_name) for e in entries_for(get_scope(user))] + [reverse("notifications:inbox")]
    )


@pytest.mark.parametrize("username", list(ROLES))
@pytest.mark.parametrize("width", [1280, 375])
def test_every_main_page_of_every_role_passes_axe(browser, live_server, town, users, username, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.base_url = live_server.url
    found = {}
    try:
        login(page, username)
        for url in dict.fromkeys(main_pages(users[ROLES[username]])):
            page.goto(live_server.url + url)
            if problems := violations(page):
                found[url] = problems
    finally:
        context.close()
    assert found == {}


@pytest.mark.parametrize("width", [1280, 375])
def test_the_public_pages_pass_axe(browser, live_server, town, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    found = {}
    try:
        for name in PUBLIC:
            url = reverse(name)
            page.goto(live_server.url + url)
            if problems := violations(page):
                found[url] = problems
    finally:
        context.close()
    assert found == {}
