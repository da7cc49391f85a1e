"""Liaison attendance in Chromium: a liaison member taps 已列席 on a phone for a held assembly of
an organization their group contacts, and the overview counts it attended."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.liaison.models import LiaisonAttendance
from qiangji.orglife.models import Meeting
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liaison_records_attendance_on_a_phone(phone_page, town, users):
    today = timezone.localdate()
    meeting = Meeting.objects.create(
        organization=town["branch_a1"], kind="assembly", status="held", date=today, topic="发展党员表决"
    )
    page = phone_page
    login(page, "liaison")
    page.goto(page.base_url + "/liaison/meetings/")
    expect(page.get_by_role("heading", name="列席会议")).to_be_visible()
    item = page.get_by_role("listitem").filter(has_text="发展党员表决")
    expect(item.get_by_text("东村第一党支部")).to_be_visible()
    item.get_by_role("button", name="已列席").click()
    expect(page.get_by_text("已登记：东村第一党支部支部党员大会已列席")).to_be_visible()
    record = LiaisonAttendance.objects.get()
    assert (record.meeting, record.group.name, record.attended) == (meeting, "第一指导联络组", True)
    assert record.recorded_by == users["liaison"]

    page.get_by_role("link", name="未列席情况").click()
    expect(page.get_by_role("heading", name=f"{today.year}年联络组列席情况")).to_be_visible()
    expect(page.get_by_role("row", name="第一指导联络组 1 1 0")).to_be_visible()
    expect(page.get_by_text("应列席的会议均已列席。")).to_be_visible()
