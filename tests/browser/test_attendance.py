"""Recording a meeting's attendance in Chromium, at desktop and phone width: "全部出席", then two
members unchecked with their reasons ("其他" asks for its words); the two then stand on the
no-member-left-behind list with those reasons."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.orglife.models import Attendance, Meeting
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record(page, town):
    today = timezone.localdate()
    for n in range(1, 9):
        f.member(organization=town["branch_a1"], name=f"党员{'一二三四五六七八'[n - 1]}")
    meeting = Meeting.objects.create(
        organization=town["branch_a1"], kind="assembly", status="scheduled", date=today, topic="党员大会：学习党章"
    )
    login(page, "sec_a")
    page.goto(f"{page.base_url}/orglife/{meeting.pk}/complete/")
    expect(page.get_by_role("heading", name="出席情况：支部党员大会")).to_be_visible()
    boxes = page.locator("#attendance-list input[type=checkbox]")
    expect(boxes).to_have_count(9)
    page.get_by_role("button", name="全部出席").click()
    for i in range(9):
        expect(boxes.nth(i)).to_be_checked()
    # The reason appears only for an unchecked member.
    expect(page.get_by_label("党员二缺席原因", exact=True)).to_be_hidden()

    # Saving an absence without its reason is refused, in Chinese, and nothing is written.
    page.get_by_label("党员二", exact=True).uncheck()
    expect(page.get_by_label("党员二缺席原因", exact=True)).to_be_visible()
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.get_by_text("党员二：请选择缺席原因。")).to_be_visible()
    assert Attendance.objects.count() == 0

    page.get_by_label("党员二缺席原因", exact=True).select_option(label="外出务工")
    page.get_by_label("党员五", exact=True).uncheck()
    page.get_by_label("党员五缺席原因", exact=True).select_option(label="其他")
    page.get_by_label("党员五缺席原因说明").fill("陪护住院家属")
    expect(page.get_by_text("已勾选出席 7 人")).to_be_visible()
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.get_by_text("已记录出席7人、缺席2人。")).to_be_visible()
    expect(page.get_by_text("缺席：党员二（外出务工）、党员五（其他：陪护住院家属）")).to_be_visible()

    page.goto(f"{page.base_url}/orglife/home-study/{town['branch_a1'].pk}/")
    missing = page.locator(".qj-missing-member")
    expect(missing).to_have_count(2)
    expect(missing.filter(has_text="党员二")).to_contain_text("支部党员大会缺席：外出务工")
    expect(missing.filter(has_text="党员五")).to_contain_text("支部党员大会缺席：其他：陪护住院家属")

    assert sorted(Attendance.objects.filter(present=False).values_list("member__name", "absence_reason", "note")) == [
        ("党员二", "away", ""),
        ("党员五", "other", "陪护住院家属"),
    ]
    assert Attendance.objects.filter(present=True).count() == 7


def test_all_present_then_two_absent_at_desktop_width(page, town, users):
    record(page, town)


def test_all_present_then_two_absent_at_phone_width(phone_page, town, users):
    record(phone_page, town)
