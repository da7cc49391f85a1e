"""A 7-row sheet uploaded as the town admin did (issue: it marked the register gone): the upload
asks 全量名单 or 部分名单, the preview counts the sheet's 7 rows and says apart what a full list
does to the register, and the commit waits for the number to be confirmed. Desktop and phone."""

import os

import pytest
from playwright.sync_api import expect

from qiangji.campaign.models import EntityBatch
from qiangji.campaign.tests.conftest import credit_code, entity, places, teams  # noqa: F401
from qiangji.campaign.tests.test_import_entities import workbook
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sheet(entity, teams, users):  # noqa: F811
    """A register of 10; the sheet names 2 of them and the third's name under a new code."""
    registered = [entity() for _ in range(10)]
    rows = [[e.name, e.credit_code, "企业", "东村", e.address, None, None, None, None, None, None, None] for e in registered[:2]]
    rows.append([registered[2].name, credit_code(700), "企业", "东村", "东村新址99号", *[None] * 7])
    for n in range(4):
        rows.append([f"崇明新办{n}号商贸有限公司", credit_code(710 + n), "企业", "东村", f"东村{200 + n}号", *[None] * 7])
    return workbook(rows)


def shot(page, name):
    """Screenshots for a person to look at, when asked for (QIANGJI_SCREENSHOTS=dir)."""
    folder = os.environ.get("QIANGJI_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def upload_seven_rows(page, sheet, width):
    login(page, "admin")
    page.goto(page.base_url + "/imports/?kind=entities")
    page.get_by_label("表格文件").set_input_files(files=[{"name": "街道补报.xlsx", "mimeType": XLSX, "buffer": sheet}])
    page.get_by_role("button", name="上传并预览").click()
    # No default: the page asks which list it is, and keeps nothing.
    expect(page.get_by_text("请选择名单范围：本表是全量名单还是部分名单")).to_be_visible()
    shot(page, f"full-list-choice-{width}.png")
    page.get_by_label("表格文件").set_input_files(files=[{"name": "街道补报.xlsx", "mimeType": XLSX, "buffer": sheet}])
    page.get_by_role("radio", name="全量名单").check()
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_text("表头在第 4 行，数据 7 行")).to_be_visible()
    expect(page.locator("#import-notice")).to_have_text(
        "全量名单：名单共 7 行；登记册中另有 7 个主体未出现在名单中，将标记为疑似注销（由走访队逐一核实，审核通过后才注销）。"
    )
    counts = page.locator("#import-counts")
    for label, count in (("新发现", 4), ("与底数一致", 2), ("疑似重复", 1), ("疑似注销", 7)):
        expect(counts.locator(".card", has_text=label).locator(".qj-stat")).to_have_text(str(count))
    expect(page.get_by_text("与同村在册主体").first).to_be_visible()
    shot(page, f"full-list-preview-{width}.png")

    # Confirming the import without the box: refused, nothing written.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("须确认这一数字后才能导入")).to_be_visible()
    assert not EntityBatch.objects.exists()
    shot(page, f"full-list-refused-{width}.png")

    page.get_by_label("我已确认将 7 个主体标记为疑似注销").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("底数批次已生成：新发现 4、信息变更 0、疑似重复 1、疑似注销 7")).to_be_visible()
    assert EntityBatch.objects.get().counts["gone"] == 7
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_seven_row_sheet_on_the_desktop(page, sheet):
    upload_seven_rows(page, sheet, 1280)


def test_a_seven_row_sheet_on_a_phone(phone_page, sheet):
    phone_page.set_viewport_size({"width": 390, "height": 844})
    upload_seven_rows(phone_page, sheet, 390)
