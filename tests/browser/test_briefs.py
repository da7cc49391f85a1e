"""The work brief in Chromium at phone width: the town admin drafts a brief of the year, sees the
figure link to its records, edits the text and issues it; the issued brief is frozen."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.briefs.models import WorkBrief
from qiangji.orglife.models import Meeting
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_town_drafts_edits_and_issues_a_brief_on_a_phone(phone_page, town, users):
    page = phone_page
    today = timezone.localdate()
    for kind in ("assembly", "discussion"):
        Meeting.objects.create(organization=town["branch_a1"], kind=kind, date=today, status="held", topic="学习")
    login(page, "admin")
    page.goto(page.base_url + "/briefs/")
    page.get_by_role("link", name="起草简报").click()
    page.get_by_label("党组织（含下级）").select_option(label="竖新镇党委")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.get_by_text("已按当前数据生成简报草稿，可修改正文后签发。")).to_be_visible()
    brief = WorkBrief.objects.get()
    assert brief.figures["meetings_held"]["value"] == 1 and brief.figures["discussions"]["value"] == 1

    # The figure in the generated text leads to the one meeting it counts.
    page.locator('#brief-generated a[data-key="discussions"]').click()
    expect(page.locator("#records-count")).to_contain_text("共1次")
    expect(page.locator("#records tbody tr")).to_have_count(1)
    page.go_back()

    text = page.get_by_role("textbox", name="正文")
    text.fill(text.input_value().replace("理论武装与组织生活。", "理论武装与组织生活。全镇上下扎实推进。"))
    page.get_by_role("button", name="保存正文").click()
    expect(page.get_by_text("已保存正文。")).to_be_visible()
    page.get_by_role("button", name="签发").click()
    expect(page.get_by_text("已签发：正文和数据已定稿。")).to_be_visible()
    expect(page.locator("#brief-status")).to_contain_text("已签发")
    expect(page.get_by_role("button", name="签发")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "brief-issued-phone.png"), full_page=True)
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    brief.refresh_from_db()
    assert brief.status == "issued" and brief.issued_by == users["town_admin"]
    assert "理论武装与组织生活。全镇上下扎实推进。" in brief.text
    Meeting.objects.create(organization=town["branch_a1"], kind="lecture", date=today, status="held", topic="再学")
    page.reload()
    brief.refresh_from_db()
    assert brief.figures["meetings_held"]["value"] == 1
