"""警示教育 in Chromium: the town admin arranges a batch for two organizations at desktop width,
records who went, and a secretary reads the batch at phone width."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.members.models import Member
from qiangji.trainings.models import Attendance, WarningBatch
from qiangji.trainings.selectors import member_hours
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_admin_arranges_a_batch_and_a_secretary_reads_it(page, phone_page, town, users):
    day = timezone.localdate() - dt.timedelta(days=1)
    zhao = f.member(organization=town["branch_a1"], name="赵一")
    f.member(organization=town["branch_b"], name="孙三")

    login(page, "admin")
    page.goto(page.base_url + "/trainings/warning/")
    page.get_by_role("link", name="安排批次").click()
    page.get_by_label("教育基地").fill("区廉政教育基地")
    page.get_by_label("日期").fill(day.isoformat())
    page.get_by_label("学时").fill("3")
    page.get_by_label("东村第一党支部").check()
    page.get_by_label("竖新镇某某公司党支部").check()
    page.get_by_role("button", name="保存批次").click()
    expect(page.get_by_text("已安排第1批次，3名党员参加。")).to_be_visible()
    page.get_by_label("赵一").check()
    page.get_by_label("孙三").check()
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.get_by_text("已登记出席2人，每人计3.0学时。")).to_be_visible()

    batch = WarningBatch.objects.get()
    assert sorted(Attendance.objects.filter(session=batch.session).values_list("member__name", "present")) == [
        ("孙三", True),
        ("李党员", False),
        ("赵一", True),
    ]
    assert member_hours(member=zhao, year=day.year)["total"] == Decimal("3.0")
    assert member_hours(member=Member.objects.get(name="李党员"), year=day.year)["total"] == Decimal("0")

    login(phone_page, "sec_a")
    phone_page.goto(f"{phone_page.base_url}/trainings/warning/?year={day.year}")
    expect(phone_page.get_by_text(f"{day.year}年共1批次，安排党员3人次，实到2人次。")).to_be_visible()
    phone_page.get_by_role("link", name="第1批次").click()
    expect(phone_page.get_by_role("heading", name="警示教育第1批次")).to_be_visible()
    # A secretary sees their own members, and records nothing.
    expect(phone_page.get_by_text("赵一")).to_be_visible()
    expect(phone_page.get_by_text("孙三")).to_have_count(0)
    expect(phone_page.get_by_role("button", name="保存出席情况")).to_have_count(0)
