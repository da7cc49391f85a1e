"""Each role's home page at a phone's width (390 px) in Chromium: it leads with the role's next
actions, fits the screen without sideways scrolling, and each item opens the form that does it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji import factories as f
from qiangji.campaign.models import VisitTask, VisitTeam
from qiangji.ledger.models import PublicReport
from qiangji.orglife.models import Attendance, Meeting
from qiangji.orgs.models import Village
from tests.browser.conftest import _page, login, phone_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def phone(browser, live_server, request):
    """A 390 px wide phone (the common Android and iPhone width)."""
    yield from _page(browser, live_server, request, suffix="-390", **phone_context(WIDTH, 844))


def fits(page) -> None:
    """Nothing sticks out sideways: the page is as wide as the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_secretary_goes_from_home_to_the_home_study_form(phone, town, users, requirements):
    today = timezone.localdate()
    absent = f.member(organization=town["branch_b"], name="孙大伯", is_frail=True)
    meeting = Meeting.objects.create(organization=town["branch_b"], kind="theme_day", status="held", date=today, topic="清洁家园")
    Attendance.objects.create(meeting=meeting, member=absent, present=False, absence_reason="frail")

    login(phone, "sec_b")
    todo = phone.locator("[data-todo=home_study_needed]")
    expect(todo).to_contain_text("缺席组织生活、尚未送学上门的党员")
    expect(todo).to_contain_text(f"缺席{today.month}月{today.day}日主题党日（年老体弱）")
    expect(phone.locator("[data-todo=meetings_due_lecture_branch]")).to_be_visible()
    fits(phone)
    todo.get_by_role("link", name="孙大伯").click()
    expect(phone.get_by_role("heading", name="送学上门：孙大伯")).to_be_visible()
    expect(phone.get_by_label("补学的会议（可选）")).to_have_value(str(meeting.pk))


def test_visiting_team_member_sees_todays_tasks_first(phone, town, users):
    today = timezone.localdate()
    grid = Village.objects.get(name="东村").grid
    team = VisitTeam.objects.create(name="第一网格三人行一队", grid=grid)
    team.members.set([users["visitor"]])
    VisitTask.objects.create(grid=grid, team=team, title="崇明今日民宿", due_on=today)
    VisitTask.objects.create(grid=grid, team=team, title="崇明超期农场", due_on=today - dt.timedelta(days=2))
    VisitTask.objects.create(grid=grid, team=team, title="崇明下周合作社", due_on=today + dt.timedelta(days=5))

    login(phone, "visitor")
    visits = phone.locator("[data-home=visits]")
    expect(visits.locator("[data-todo]")).to_have_count(3)
    expect(visits.locator("[data-todo]").nth(0)).to_contain_text("已超期的走访任务")
    expect(visits.locator("[data-todo]").nth(1)).to_contain_text("今天到期的走访任务")
    fits(phone)
    visits.get_by_role("link", name="崇明今日民宿").click()
    expect(phone.get_by_role("heading", name="走访记录：崇明今日民宿")).to_be_visible()


def test_town_admin_opens_a_public_report_from_home(phone, town, users):
    PublicReport.objects.create(reference="GZ-TEST-001", description="村口路灯坏了两个月没人修")
    login(phone, "admin")
    todo = phone.locator("[data-todo=public_reports]")
    expect(todo).to_contain_text("待受理的群众反映")
    fits(phone)
    todo.get_by_role("link", name="村口路灯坏了两个月没人修").click()
    expect(phone.get_by_role("heading", name="群众反映 GZ-TEST-001")).to_be_visible()


def test_liaison_member_sees_the_assembly_to_attend(phone, town, users):
    day = timezone.localdate() + dt.timedelta(days=3)
    Meeting.objects.create(organization=town["branch_a1"], kind="assembly", status="scheduled", date=day, topic="选举")
    login(phone, "liaison")
    todo = phone.locator("[data-todo=liaison_meetings_ahead]")
    expect(todo).to_contain_text(f"{day.month}月{day.day}日支部党员大会")
    fits(phone)
    todo.get_by_role("link", name="东村第一党支部").click()
    expect(phone.get_by_role("heading", name="列席会议")).to_be_visible()
