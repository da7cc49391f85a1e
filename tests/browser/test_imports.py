"""Importing spreadsheets in Chromium: upload, the preview with its counts and Chinese reasons,
the confirmation, the result and the error file; for members and for organizations."""

import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.core.models import ImportBatch
from qiangji.members.models import Member
from qiangji.orgs.models import Organization
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_ID = f.fake_id_number(birth=dt.date(1986, 2, 3), seq=51)
OLD_ID = f.fake_id_number(birth=dt.date(1975, 8, 9), seq=52)
_OK = f.fake_id_number(birth=dt.date(1990, 1, 2), seq=53)
BAD_ID = _OK[:17] + ("0" if _OK[17] != "0" else "1")  # wrong check character
OTHER_ID = f.fake_id_number(birth=dt.date(1991, 1, 2), seq=54)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files are kept (encrypted) under MEDIA_ROOT until the import ends."""
    settings.MEDIA_ROOT = tmp_path


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(page, *, kind: str, name: str, content: bytes) -> None:
    page.get_by_role("link", name="数据导入", exact=True).click()
    expect(page.get_by_role("heading", name="数据导入")).to_be_visible()
    page.get_by_label("导入内容").select_option(label=kind)
    page.get_by_label("表格文件").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.get_by_role("button", name="上传并预览").click()


def tab(page, label: str):
    """A filter tab above the preview rows, named with its count, e.g. “新增 1”."""
    return page.get_by_role("navigation", name="按结果筛选").get_by_role("link", name=label, exact=True)


def row_of(page, excel_row: int):
    """The preview row for one row of the sheet, as Excel numbers it."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=str(excel_row), exact=True))


@pytest.fixture
def existing(town, users):
    return f.member(organization=town["branch_a1"], name="周老党员", birth=dt.date(1975, 8, 9), id_number=OLD_ID)


def test_member_import_previews_then_imports_only_the_valid_new_row(page, existing):
    members = Member.objects.count()
    content = xlsx(
        [
            ["竖新镇党员名册（2026年）"],
            ["姓名", "公民身份号码", "入党日期", "转正日期", "人员类别", "所在党组织", "联系电话"],
            ["孙新", NEW_ID, "2012-07-01", "2013-07-01", "正式党员", "东村第二党支部", "13600001234"],
            ["周老党员", OLD_ID, "2000-07-01", "2001-07-01", "正式党员", "东村第一党支部", "13812345678"],
            ["钱错号", BAD_ID, "2015-07-01", "", "预备党员", "东村第二党支部", ""],
            ["李无组", OTHER_ID, "2016-07-01", "2017-07-01", "正式党员", "西村党支部", ""],
        ]
    )
    login(page, "admin")

    upload(page, kind="党员", name="党员名册.xlsx", content=content)

    expect(page.get_by_role("heading", name="党员导入：党员名册.xlsx")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="以下为预览")).to_have_text(
        "以下为预览，尚未写入任何数据。请核对后点击“确认导入”；有误的行不会导入。"
    )
    expect(page.get_by_text("工作表“Sheet”，表头在第 2 行，数据 4 行")).to_be_visible()
    for label in ("全部 4", "新增 1", "变更 0", "无变化 1", "有误 2"):
        expect(tab(page, label)).to_be_visible()
    expect(row_of(page, 3)).to_contain_text("新增")
    expect(row_of(page, 4)).to_contain_text("无变化")
    expect(row_of(page, 5)).to_contain_text("公民身份号码：身份证号校验位不正确")
    expect(row_of(page, 6)).to_contain_text("所在党组织“西村党支部”不存在")
    assert NEW_ID not in page.content()  # the preview masks ID numbers too
    assert Member.objects.count() == members  # a preview writes nothing

    tab(page, "有误 2").click()
    expect(page.get_by_role("row").filter(has=page.get_by_role("cell"))).to_have_count(2)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_role("alert").filter(has_text="导入完成")).to_contain_text(
        "导入完成：新增 1 条，变更 0 条，无变化 1 条，跳过有误的 2 条"
    )
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert Member.objects.count() == members + 1
    new = Member.objects.get(name="孙新")
    assert (new.id_number, new.organization.name, new.phone) == (NEW_ID, "东村第二党支部", "13600001234")
    assert not Member.objects.filter(name__in=["钱错号", "李无组"]).exists()

    link = page.get_by_role("link", name="下载有误的行（2）")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "党员名册-有误的行.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["姓名", "公民身份号码", "入党日期", "转正日期", "人员类别", "所在党组织", "联系电话", "错误原因"],
        ["钱错号", BAD_ID, "2015-07-01", None, "预备党员", "东村第二党支部", None, "公民身份号码：身份证号校验位不正确"],
        ["李无组", OTHER_ID, "2016-07-01", "2017-07-01", "正式党员", "西村党支部", None, "所在党组织“西村党支部”不存在"],
    ]


def test_organization_import_adds_a_branch_to_the_tree(page, town, users):
    content = xlsx(
        [
            ["组织名称", "组织类别", "上级组织", "所在村居", "成立日期", "届满日期"],
            ["东村第三党支部", "党支部", "东村党总支", "东村", "2024-05-04", "2029-05-03"],
            ["北村党支部", "党支部", "北村党总支", "", "", ""],
        ]
    )
    organizations = Organization.objects.count()
    login(page, "admin")

    upload(page, kind="党组织", name="组织.xlsx", content=content)

    expect(page.get_by_role("heading", name="党组织导入：组织.xlsx")).to_be_visible()
    for label in ("全部 2", "新增 1", "有误 1"):
        expect(tab(page, label)).to_be_visible()
    expect(row_of(page, 3)).to_contain_text("上级组织“北村党总支”不存在")
    assert Organization.objects.count() == organizations

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_role("alert").filter(has_text="导入完成")).to_contain_text(
        "导入完成：新增 1 条，变更 0 条，无变化 0 条，跳过有误的 1 条"
    )
    assert Organization.objects.count() == organizations + 1
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.counts["new"]) == ("done", 1)

    page.get_by_role("link", name="组织体系", exact=True).click()
    added = page.get_by_role("link", name="东村第三党支部", exact=True)
    expect(added).to_be_visible()
    added.click()
    basic = page.get_by_role("region", name="基本信息")
    expect(basic).to_contain_text("上级组织东村党总支")
    expect(basic).to_contain_text("成立日期2024年5月4日")


def test_an_imports_own_choice_shows_with_its_kind_only(page, town, users):
    login(page, "admin")
    page.get_by_role("link", name="数据导入", exact=True).click()
    choice = page.get_by_role("group", name="名单范围")
    page.get_by_label("导入内容").select_option(label="党员")
    expect(choice).to_be_hidden()
    page.get_by_label("导入内容").select_option(label="新兴领域主体底数")
    expect(choice).to_be_visible()
    expect(choice.get_by_role("radio", name="全量名单")).not_to_be_checked()
    expect(choice.get_by_role("radio", name="部分名单")).not_to_be_checked()
    expect(page.get_by_text("部分名单（如补报名单）：只比对名单中的主体，不标记疑似注销。")).to_be_visible()
    page.get_by_label("导入内容").select_option(label="党组织")
    expect(choice).to_be_hidden()
