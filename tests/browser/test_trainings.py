"""Trainings in Chromium: the town admin sets up a training, a secretary ticks attendance on a
phone, and the member reads the hours on 我的学时."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.trainings.models import Attendance, Enrolment, Session, Training
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_training_from_creation_to_my_hours(page, phone_page, town, users):
    # Today, not yesterday: on 1 January yesterday is last year, and "my hours" opens on this year.
    day = timezone.localdate()
    login(page, "admin")
    page.goto(page.base_url + "/trainings/")
    page.get_by_role("link", name="新建培训").click()
    page.get_by_label("培训名称").fill("和美乡村建设专题班")
    page.get_by_label("培训类别").select_option(label="专题班")
    page.get_by_label("主办党组织").select_option(label="竖新镇党委")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已创建培训“和美乡村建设专题班”，请添加课次。")).to_be_visible()
    expect(page.get_by_role("heading", name="和美乡村建设专题班")).to_be_visible()

    page.get_by_label("日期").fill(day.isoformat())
    page.get_by_label("学时").fill("4")
    page.get_by_label("主题").fill("学习贯彻乡村振兴战略")
    page.get_by_role("button", name="添加课次").click()
    expect(page.get_by_text("已添加课次“学习贯彻乡村振兴战略”。")).to_be_visible()

    page.get_by_label("整个党组织（含下级）").select_option(label="东村第一党支部")
    page.get_by_role("button", name="报名").click()
    expect(page.get_by_text("已报名1名党员（已报名的不重复计入）。")).to_be_visible()
    training = Training.objects.get()
    assert training.kind == "themed_class"
    assert list(Enrolment.objects.values_list("member__name", flat=True)) == ["李党员"]
    session = Session.objects.get(training=training)

    login(phone_page, "sec_a")
    phone_page.goto(phone_page.base_url + f"/trainings/{training.pk}/")
    phone_page.get_by_role("link", name="登记出勤").click()
    expect(phone_page.get_by_role("heading", name="登记出勤")).to_be_visible()
    phone_page.get_by_role("checkbox", name="李党员").check()
    phone_page.get_by_role("button", name="保存出勤（勾选为出勤，未勾选为缺勤）").click()
    expect(phone_page.get_by_text("已保存出勤：出勤1人，缺勤0人。")).to_be_visible()
    assert list(Attendance.objects.values_list("session", "member__name", "present")) == [(session.pk, "李党员", True)]

    page.context.clear_cookies()
    login(page, "member")
    page.goto(page.base_url + "/trainings/")
    page.get_by_role("link", name="我的学时").click()
    expect(page.get_by_role("heading", name=f"{day.year}年我的培训学时")).to_be_visible()
    expect(page.get_by_text("已完成 4.0 学时")).to_be_visible()
    expect(page.get_by_text(f"{day.isoformat()} · 学习贯彻乡村振兴战略 · 4.0学时")).to_be_visible()
