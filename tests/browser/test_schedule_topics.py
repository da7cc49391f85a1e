"""The year schedule's month topics in Chromium: folded per kind, opened, filled, shown in the table."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.orglife.models import ScheduleItem
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_admin_plans_months_with_topics(page, town, users):
    year = timezone.localdate().year
    login(page, "admin")
    page.goto(page.base_url + f"/orglife/schedule/{year}/edit/")
    page.get_by_label("支部党员大会（月份）").fill("3、6、9、12")
    topic = page.locator("#id_topic_assembly_3")
    expect(topic).to_be_hidden()  # folded until asked for
    page.locator("fieldset", has=page.get_by_label("支部党员大会（月份）")).get_by_text("各月主题").click()
    topic.fill("学习贯彻党的二十届三中全会精神")
    page.locator("#id_topic_assembly_4").fill("不在计划中的月份")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("4月未安排支部党员大会，请先在月份中加上4月，或删去该主题")).to_be_visible()
    assert ScheduleItem.objects.count() == 0
    page.locator("#id_topic_assembly_4").fill("")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已保存草稿，确认无误后请发布。")).to_be_visible()
    expect(page.get_by_role("cell", name="学习贯彻党的二十届三中全会精神")).to_be_visible()
    assert dict(ScheduleItem.objects.values_list("kind", "topics")) == {"assembly": {"3": "学习贯彻党的二十届三中全会精神"}}
