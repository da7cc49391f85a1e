"""The member list and a member's page in Chromium: the htmx search and filters, sorting and
paging, masked personal data and its audited reveal, registering and transferring a member,
and both pages at phone width."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.members.models import Member, Transfer
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WANG_ID = f.fake_id_number(birth=dt.date(1978, 4, 9), female=True, seq=41)
# 20 members of 东村第二党支部: with 李党员 and 王芳 of 东村第一党支部, 东村书记 sees 22 (two pages).
BRANCH_A2 = [
    *("张伟", "李娜", "刘洋", "陈静", "杨帆", "黄磊", "赵敏", "周杰", "吴刚", "徐丽"),
    *("孙强", "胡军", "朱红", "高峰", "林涛", "何平", "郭燕", "马超", "罗斌", "安娜"),
]


@pytest.fixture
def roster(town, users):
    wang = f.member(organization=town["branch_a1"], name="王芳", female=True, id_number=WANG_ID, phone="13912345678")
    for name in BRANCH_A2:
        f.member(organization=town["branch_a2"], name=name)
    f.member(organization=town["branch_b"], name="梁晨")  # another secretary's branch
    return {"wang": wang}


def data_rows(scope):
    """The body rows of the tables in a page or a part of it (header rows hold no cells)."""
    page = getattr(scope, "page", scope)
    return scope.get_by_role("row").filter(has=page.get_by_role("cell"))


def names(page) -> list[str]:
    return [row.get_by_role("cell").first.inner_text().strip() for row in data_rows(page).all()]


def open_member_list(page, username: str) -> None:
    login(page, username)
    page.get_by_role("link", name="党员管理", exact=True).click()
    expect(page.get_by_role("heading", name="党员管理")).to_be_visible()


def test_search_by_name_and_by_pinyin_initials_swaps_the_table(page, roster):
    open_member_list(page, "sec_a")
    expect(page.get_by_text("共 22 条，第 1/2 页")).to_be_visible()
    page.evaluate("window.qjNoReload = true")  # gone if the whole page were loaded again

    page.get_by_label("查询").fill("王芳")
    expect(page).to_have_url(re.compile(r"/members/\?q=%E7%8E%8B%E8%8A%B3(&|$)"))
    expect(data_rows(page)).to_have_count(1)
    expect(page.get_by_text("共 1 条")).to_be_visible()
    row = data_rows(page).first
    expect(row.get_by_role("link", name="王芳")).to_be_visible()
    expect(row).to_contain_text("东村第一党支部")

    page.get_by_label("查询").fill("zw")
    expect(page).to_have_url(re.compile(r"/members/\?q=zw(&|$)"))
    expect(data_rows(page).first.get_by_role("link")).to_have_text("张伟")
    expect(data_rows(page)).to_have_count(1)
    assert page.evaluate("window.qjNoReload") is True

    # The pushed address is a page of its own: loaded afresh it shows the same result.
    page.reload()
    expect(page.get_by_label("查询")).to_have_value("zw")
    expect(data_rows(page)).to_have_count(1)
    expect(data_rows(page).first.get_by_role("link")).to_have_text("张伟")

    page.get_by_label("查询").fill("不存在的人")
    expect(page.get_by_text("没有符合条件的党员，请调整查询条件。")).to_be_visible()


def test_filter_by_organization_sort_by_header_and_page_two(page, roster, town):
    open_member_list(page, "sec_a")

    page.get_by_label("所在党组织（含下级）").select_option(label="\u3000东村第一党支部")
    expect(page).to_have_url(re.compile(rf"[?&]org={town['branch_a1'].pk}(&|$)"))
    expect(page.get_by_text("共 2 条")).to_be_visible()
    assert sorted(names(page)) == ["李党员", "王芳"]

    page.get_by_label("所在党组织（含下级）").select_option(label="全部")
    expect(page.get_by_text("共 22 条，第 1/2 页")).to_be_visible()

    page.get_by_role("link", name="姓名").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=name(&|$)"))
    expect(data_rows(page).first.get_by_role("link")).to_have_text("安娜")
    expect(data_rows(page)).to_have_count(20)

    page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
    expect(page.get_by_text("共 22 条，第 2/2 页")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    assert names(page) == ["赵敏", "张伟"]

    page.get_by_role("link", name="姓名").click()  # a second click turns the order round
    expect(page).to_have_url(re.compile(r"[?&]sort=-name(&|$)"))
    expect(page.get_by_text("共 22 条，第 1/2 页")).to_be_visible()
    expect(data_rows(page).first.get_by_role("link")).to_have_text("张伟")
    expect(page.get_by_role("link", name="梁晨")).to_have_count(0)  # 公司支部 is not hers


def test_id_numbers_and_phones_are_masked_in_the_list(page, roster):
    open_member_list(page, "sec_a")
    page.get_by_label("查询").fill("王芳")
    row = data_rows(page).filter(has_text="王芳")
    expect(row).to_have_count(1)

    expect(row.get_by_role("cell", name=WANG_ID[:3] + "*" * 11 + WANG_ID[-4:])).to_be_visible()
    expect(row.get_by_role("cell", name="139****5678")).to_be_visible()
    content = page.content()
    assert WANG_ID not in content and "13912345678" not in content


def test_secretary_reveals_the_full_id_number_and_the_read_is_audited(page, roster, users):
    wang = roster["wang"]
    open_member_list(page, "sec_a")
    page.get_by_role("link", name="王芳").click()
    expect(page.get_by_role("heading", name="王芳", level=1)).to_be_visible()
    personal = page.get_by_role("region", name="个人敏感信息")
    expect(personal).to_contain_text("公民身份号码" + WANG_ID[:3] + "*" * 11 + WANG_ID[-4:])
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()

    personal.get_by_role("button", name="查看完整信息").click()

    expect(personal).to_contain_text("公民身份号码" + WANG_ID)
    expect(personal).to_contain_text("联系电话13912345678")
    expect(personal).to_contain_text("本次查看已记入审计日志，请勿截屏外传。")
    expect(personal.get_by_role("button", name="查看完整信息")).to_have_count(0)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert (event.user, event.object_type, event.object_id) == (users["secretary_a"], "members.Member", str(wang.pk))
    assert sorted(event.fields) == ["address", "id_number", "phone"]


def test_liaison_member_sees_no_reveal_button(page, roster):
    login(page, "liaison")
    page.goto(f"{page.base_url}/members/{roster['wang'].pk}/")

    expect(page.get_by_role("heading", name="王芳", level=1)).to_be_visible()
    personal = page.get_by_role("region", name="个人敏感信息")
    expect(personal).to_contain_text("公民身份号码" + WANG_ID[:3] + "*" * 11 + WANG_ID[-4:])
    expect(page.get_by_role("button", name="查看完整信息")).to_have_count(0)
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    assert WANG_ID not in page.content()


def fill_member_form(page, *, name: str, id_number: str) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("所在党组织").select_option(label="东村第二党支部")
    page.get_by_label("入党日期").fill("2010-07-01")
    page.get_by_label("转正日期").fill("2011-07-01")
    page.get_by_label("联系电话").fill("13700001111")


def test_a_bad_id_number_is_refused_inline_and_nothing_is_created(page, roster):
    good = f.fake_id_number(birth=dt.date(1985, 6, 1), seq=77)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = (Member.objects.count(), ChangeRecord.objects.count())
    open_member_list(page, "sec_a")
    page.get_by_role("link", name="登记党员").click()
    expect(page.get_by_role("heading", name="登记党员")).to_be_visible()

    fill_member_form(page, name="新党员", id_number=bad)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("alert")).to_have_text("填写的内容有误，请按各栏提示修改后再提交。")
    field = page.get_by_label("公民身份号码")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#" + field.get_attribute("aria-describedby"))).to_have_text("身份证号校验位不正确")
    expect(field).to_have_value(bad)  # what was typed is kept for correcting
    assert (Member.objects.count(), ChangeRecord.objects.count()) == before


def test_a_valid_new_member_lands_on_their_page(page, roster):
    number = f.fake_id_number(birth=dt.date(1985, 6, 1), female=True, seq=78)
    open_member_list(page, "sec_a")
    page.get_by_role("link", name="登记党员").click()

    fill_member_form(page, name="新党员", id_number=number)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name="新党员", level=1)).to_be_visible()
    created = Member.objects.get(name="新党员")
    expect(page).to_have_url(f"{page.base_url}/members/{created.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("已登记党员“新党员”。")
    basic = page.get_by_role("region", name="基本信息")
    expect(basic).to_contain_text("性别女")  # from the ID number
    expect(basic).to_contain_text("出生日期1985年6月1日")
    expect(basic).to_contain_text("所在党组织东村第二党支部")
    assert (created.id_number, created.organization.name) == (number, "东村第二党支部")


def test_transfer_to_another_organization_is_kept_in_the_history(page, roster):
    wang = roster["wang"]
    login(page, "sec_a")
    page.goto(f"{page.base_url}/members/{wang.pk}/")
    page.get_by_role("link", name="组织关系转接").click()
    expect(page.get_by_role("heading", name="组织关系转接：王芳")).to_be_visible()

    page.get_by_label("转入组织").select_option(label="东村第二党支部")
    page.get_by_label("转接日期").fill("2026-03-02")
    page.get_by_label("转接原因").fill("工作调动")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认转接").click()

    expect(page.get_by_role("heading", name="王芳", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("已将“王芳”的组织关系转入东村第二党支部。")
    expect(page.get_by_role("region", name="基本信息")).to_contain_text("所在党组织东村第二党支部")
    transfers = page.get_by_role("region", name="组织关系转接记录")
    rows = data_rows(transfers)
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("cell")).to_have_text(
        ["2026-03-02", "东村第一党支部", "东村第二党支部", "工作调动", "东村书记"]
    )
    history = page.get_by_role("region", name="变更记录")
    expect(history).to_contain_text("组织关系转接")
    expect(history).to_contain_text("原因：工作调动")
    expect(history).to_contain_text("所在党组织东村第一党支部")
    wang.refresh_from_db()
    assert wang.organization.name == "东村第二党支部"
    assert Transfer.objects.filter(member=wang).count() == 1


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_member_list_and_detail_fit_a_phone(phone_page, roster):
    page = phone_page
    login(page, "sec_a")
    page.goto(page.base_url + "/members/")

    expect(page.get_by_role("heading", name="党员管理")).to_be_visible()
    expect(data_rows(page)).to_have_count(20)
    expect(page.get_by_text("共 22 条，第 1/2 页")).to_be_visible()
    assert overflow(page) <= 375 + 1

    page.get_by_label("查询").fill("王芳")
    expect(data_rows(page)).to_have_count(1)
    assert overflow(page) <= 375 + 1
    page.get_by_role("link", name="王芳").click()

    expect(page.get_by_role("heading", name="王芳", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="查看完整信息")).to_be_visible()
    assert overflow(page) <= 375 + 1
