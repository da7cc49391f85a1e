"""Collect + analyse in Chromium: the town admin uploads a district sheet from the batch pages,
sees the analysis by class before anything is written, confirms, and reads the batch."""

import pytest
from playwright.sync_api import expect

from qiangji.campaign.models import BaseRecord, EntityBatch, VisitTask
from qiangji.campaign.tests.conftest import credit_code, entity, places, teams  # noqa: F401
from qiangji.campaign.tests.test_import_entities import workbook
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sheet(entity, places, teams, users):  # noqa: F811
    kept = entity(name="崇明绿源蔬菜专业合作社", address="东村1号", employees=5)
    entity(name="西沙家庭农场", village=places["west"], address="西村9号")  # not in the sheet: gone
    rows = [
        ["崇明绿源蔬菜专业合作社", kept.credit_code.lower(), "农民专业合作社", "东村村委会", "东村1号", None, None, 9, None, None, None, None],  # noqa: E501
        ["崇明新发现民宿", credit_code(300), "民宿", "西村", "西村88号", "赵老板", 13700137000.0, 3, 1, "否", "民宿链", None],
        ["崇明新发现民宿", credit_code(300), "民宿", "西村", "西村88号", None, None, None, None, None, None, None],
        ["北村小卖部", credit_code(301), "个体", "北村", "北村1号", None, None, None, None, None, None, None],
    ]  # fmt: skip
    return workbook(rows)


def test_upload_a_district_sheet_and_read_its_analysis(page, sheet):
    login(page, "admin")
    page.goto(page.base_url + "/campaign/batches/")
    page.get_by_role("link", name="导入新批次").click()
    expect(page.get_by_label("导入内容")).to_have_value("entities")
    page.get_by_label("表格文件").set_input_files(files=[{"name": "区级底数.xlsx", "mimeType": XLSX, "buffer": sheet}])
    page.get_by_role("radio", name="全量名单").check()
    page.get_by_role("button", name="上传并预览").click()

    counts = page.locator("#import-counts")
    for label, count in (("新发现", 1), ("信息变更", 1), ("疑似重复", 1), ("有误", 1), ("疑似注销", 1)):
        expect(counts.locator(".card", has_text=label).locator(".qj-stat")).to_have_text(str(count))
    expect(page.get_by_text("所在村居“北村”不是本镇的村居")).to_be_visible()
    expect(page.get_by_text("与第6行统一社会信用代码重复，随第6行一并核实")).to_be_visible()
    assert not EntityBatch.objects.exists()

    page.get_by_label("我已确认将 1 个主体标记为疑似注销").check()  # 1 of the 2 registered
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("底数批次已生成：新发现 1、信息变更 1、疑似重复 1、疑似注销 1")).to_be_visible()
    batch = EntityBatch.objects.get()
    expect(page.get_by_role("heading", name=f"底数批次第{batch.pk}号：区级底数.xlsx")).to_be_visible()
    assert batch.records.count() == 4 and VisitTask.objects.count() == 3
    assert not BaseRecord.objects.filter(klass="new", entity__isnull=False).exists()

    page.goto(page.base_url + "/campaign/batches/")
    page.get_by_role("link", name="区级底数.xlsx").click()
    expect(page.get_by_role("heading", name=f"底数批次第{batch.pk}号：区级底数.xlsx")).to_be_visible()
    page.get_by_role("navigation", name="按分析结果筛选").get_by_role("link", name="信息变更 1").click()
    records = page.locator("#batch-records")
    expect(records).to_contain_text("崇明绿源蔬菜专业合作社")
    expect(records).to_contain_text("从业人员数：")
    expect(records.get_by_role("link", name="待走访")).to_be_visible()


def test_batch_page_at_phone_width(phone_page, sheet, users, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "区级底数.xlsx"
    path.write_bytes(sheet)
    call_command("import_entities", str(path), "--json", "--full", "--confirm-gone", "1")
    login(phone_page, "admin")
    phone_page.goto(phone_page.base_url + f"/campaign/batches/{EntityBatch.objects.get().pk}/")
    expect(phone_page.locator("#batch-counts")).to_contain_text("疑似注销")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376
