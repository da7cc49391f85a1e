"""The organization tree in Chromium: the whole town for its admin, a subtree for a secretary,
search, one organization's page, and the tree at phone width."""

import re

import pytest
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.members.models import Member
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staffed(town, users):
    """The conftest town with a secretary and a few members: 东村党总支 3, 公司支部 1."""
    f.member(organization=town["village_a"], name="王建国", party_post=Member.PartyPost.SECRETARY)
    f.member(organization=town["branch_a2"], name="赵敏", female=True)
    f.member(organization=town["branch_b"], name="钱进")
    return town


def node(page, name: str):
    """The row of one organization in the tree: its kind badge, its name, its member count."""
    return page.get_by_role("link", name=name, exact=True).locator("xpath=..")


def member_count(page, name: str):
    return node(page, name).get_by_title("党员数（含下级组织）")


def test_town_admin_sees_the_whole_tree_with_kinds_and_member_counts(page, staffed):
    login(page, "admin")
    page.get_by_role("link", name="组织体系").click()

    expect(page.get_by_role("heading", name="组织体系")).to_be_visible()
    expect(page.get_by_text("共 6 个党组织")).to_be_visible()
    expected = {
        "竖新镇党委": ("党委", "4"),
        "东村党总支": ("党总支", "3"),
        "东村第一党支部": ("党支部", "1"),
        "东村第二党支部": ("党支部", "1"),
        "竖新镇某某公司党支部": ("党支部", "1"),
    }
    for name, (kind, count) in expected.items():
        expect(node(page, name).get_by_text(kind, exact=True)).to_be_visible()
        expect(member_count(page, name)).to_have_text(count)

    # A branch's party groups are folded until the branch is opened.
    group = page.get_by_role("link", name="东村第一党支部第一党小组", exact=True)
    expect(group).to_be_hidden()
    toggle = node(page, "东村第一党支部").get_by_role("button", name="收起/展开下级")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(group).to_be_visible()
    expect(node(page, "东村第一党支部第一党小组").get_by_text("党小组", exact=True)).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_searching_narrows_the_tree_to_the_matches_and_their_ancestors(page, staffed):
    login(page, "admin")
    page.goto(page.base_url + "/orgs/")

    page.get_by_label("搜索").fill("第二")
    page.get_by_role("button", name="查询").click()

    expect(page).to_have_url(re.compile(r"[?&]q=%E7%AC%AC%E4%BA%8C"))
    expect(page.get_by_text("符合条件的党组织 1 个")).to_be_visible()
    expect(page.get_by_role("link", name="东村第二党支部", exact=True)).to_be_visible()
    # The match is shown in its place: its ancestors stay, the rest of the town goes.
    expect(page.get_by_role("link", name="东村党总支", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="竖新镇党委", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="东村第一党支部", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="竖新镇某某公司党支部", exact=True)).to_have_count(0)

    page.get_by_label("搜索").fill("没有这个组织")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("没有符合条件的党组织，请调整查询条件。")).to_be_visible()

    page.get_by_role("link", name="清除条件").click()
    expect(page.get_by_text("共 6 个党组织")).to_be_visible()


def test_secretary_sees_only_their_subtree(page, staffed):
    login(page, "sec_a")
    page.goto(page.base_url + "/orgs/")

    expect(page.get_by_text("共 4 个党组织")).to_be_visible()
    expect(member_count(page, "东村党总支")).to_have_text("3")
    expect(page.get_by_role("link", name="东村第二党支部", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="竖新镇党委", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="竖新镇某某公司党支部", exact=True)).to_have_count(0)
    expect(page.get_by_text("钱进")).to_have_count(0)


def test_opening_an_organization_shows_its_secretary_members_and_term(page, staffed):
    login(page, "admin")
    page.goto(page.base_url + "/orgs/")

    page.get_by_role("link", name="东村党总支", exact=True).click()

    expect(page.get_by_role("heading", name="东村党总支", level=1)).to_be_visible()
    basic = page.get_by_role("region", name="基本信息")
    expect(basic).to_contain_text("上级组织竖新镇党委")
    expect(basic).to_contain_text("所在村居东村")
    expect(basic).to_contain_text("本届任期2021年11月1日 至 2026年11月1日")
    leaders = page.get_by_role("region", name="领导班子")
    expect(leaders).to_contain_text("书记王建国")
    expect(leaders.get_by_role("link", name="王建国")).to_be_visible()
    expect(leaders).to_contain_text("第一指导联络组")

    children = page.get_by_role("region", name="下级组织（2）")
    expect(children.get_by_role("link", name="东村第一党支部")).to_be_visible()
    expect(children.get_by_role("link", name="东村第二党支部")).to_be_visible()

    members = page.get_by_role("region", name="本组织党员（1）")
    rows = members.get_by_role("row").filter(has=page.get_by_role("cell"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王建国")
    expect(rows.first).to_contain_text("138****5678")

    breadcrumbs = page.get_by_role("navigation", name="当前位置")
    expect(breadcrumbs.get_by_role("link", name="组织体系")).to_be_visible()


def test_the_tree_is_usable_at_phone_width(phone_page, staffed):
    page = phone_page
    login(page, "sec_a")

    expect(page.get_by_role("link", name="组织体系")).to_be_hidden()
    page.get_by_role("button", name="打开菜单").click()
    # Opened, the module navigation is a modal panel over the page.
    menu = page.get_by_role("dialog", name="模块导航")
    expect(menu.get_by_role("link", name="党员管理")).to_be_visible()
    menu.get_by_role("link", name="组织体系").click()

    expect(page.get_by_role("heading", name="组织体系")).to_be_visible()
    expect(page.get_by_text("共 4 个党组织")).to_be_visible()
    expect(member_count(page, "东村党总支")).to_have_text("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1

    page.get_by_role("link", name="东村第二党支部", exact=True).click()
    expect(page.get_by_role("heading", name="东村第二党支部", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="本组织党员（1）")).to_contain_text("赵敏")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
