"""Public reports in Chromium: a resident reports a problem on a phone (375×740) and sees only the
reference number; the town admin accepts it and it is registered with the source 群众反映."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.ledger.models import Grade, GradeLevel, Problem, PublicReport
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "东村党员活动室白天一直锁门，老党员想去学习进不去"


def test_a_resident_reports_on_a_phone_and_the_town_registers_it(phone_page, page, town, users):
    phone_page.set_viewport_size({"width": 375, "height": 740})
    phone_page.goto(phone_page.base_url + "/ledger/report/")
    expect(phone_page.get_by_role("heading", name="向镇党委反映问题")).to_be_visible()
    # Phone-first: the form fits the screen without sideways scrolling.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.get_by_label("反映的问题").fill(TEXT)
    phone_page.get_by_label("所在村居").select_option(label="东村")
    phone_page.get_by_label("联系电话（可不填）").fill("13812345678")
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.screenshot(path=str(ARTIFACTS / "ledger-public-report-form-phone.png"), full_page=True)
    phone_page.get_by_role("button", name="提交").click()
    expect(phone_page.get_by_role("heading", name="您反映的问题已提交")).to_be_visible()
    report = PublicReport.objects.get()
    expect(phone_page.locator("#report-reference")).to_have_text(report.reference)
    expect(phone_page.get_by_text(TEXT)).to_have_count(0)
    expect(phone_page.locator("#qj-nav")).to_have_count(0)

    login(page, "admin")
    page.goto(page.base_url + "/ledger/reports/")
    expect(page.get_by_text("138****5678")).to_be_visible()
    expect(page.get_by_text("13812345678")).to_have_count(0)
    page.get_by_role("link", name="处理").click()
    expect(page.get_by_label("问题描述")).to_have_value(TEXT)
    page.get_by_label("党组织").select_option(label="东村第一党支部")
    page.get_by_label("整改责任人").select_option(label="东村书记")
    deadline = timezone.localdate() + dt.timedelta(days=15)
    page.get_by_label("整改期限").fill(deadline.isoformat())
    page.get_by_role("button", name="受理并挂号").click()
    problem = Problem.objects.get()
    expect(page.get_by_text(f"已受理，登记为问题{problem.number}（来源：群众反映）。")).to_be_visible()
    assert (problem.source, problem.state, problem.organization, problem.owner, problem.deadline) == (
        Problem.Source.PUBLIC,
        Problem.State.REGISTERED,
        town["branch_a1"],
        users["secretary_a"],
        deadline,
    )
    assert problem.description == TEXT and problem.village == town["village_a"].village
    report.refresh_from_db()
    assert (report.state, report.problem) == (PublicReport.State.ACCEPTED, problem)


def test_the_town_grades_a_branch_in_place_and_sees_the_charts(page, town, users):
    # A transactional test starts from an empty table: the migration's default grades are set again.
    for name, rank, needs_plan in (("好", 1, False), ("较好", 2, True), ("一般", 3, True), ("差", 4, True)):
        GradeLevel.objects.get_or_create(name=name, defaults={"rank": rank, "needs_plan": needs_plan})
    year = timezone.localdate().year
    login(page, "admin")
    page.goto(page.base_url + "/ledger/grades/")
    expect(page.get_by_role("heading", name=f"{year}年晋位升级评定")).to_be_visible()
    row = page.locator(f"#grade-row-{town['branch_a2'].pk}")
    row.get_by_label("东村第二党支部的等次").select_option(label="一般")
    row.get_by_role("button", name="保存").click()
    expect(page.locator(f"#grade-row-{town['branch_a2'].pk}").get_by_text("已保存")).to_be_visible()
    expect(page.locator(f"#grade-row-{town['branch_a2'].pk}").get_by_text("未制定方案")).to_be_visible()
    expect(page.locator("#grade-without-plan")).to_have_text("1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ledger-grades.png"), full_page=True)
    grade = Grade.objects.get()
    assert (grade.organization, grade.year, grade.level.name) == (town["branch_a2"], year, "一般")

    page.goto(page.base_url + "/ledger/stats/")
    expect(page.locator("#ledger-sentence")).to_have_text("自查自纠问题0个，其中即知即改0个，建立或落实长效机制0个。")
    expect(page.locator("[data-qj-ledger-chart=month] canvas")).to_have_count(1)
