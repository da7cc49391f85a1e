"""年度安排: the town admin drafts and publishes; staff read the published table; bad input changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qiangji.core.models import ChangeRecord
from qiangji.orglife.forms_schedule import parse_months
from qiangji.orglife.models import MeetingKind, ScheduleItem, YearSchedule
from qiangji.orglife.schedule import schedule_table, theme_day_for
from qiangji.orglife.services import schedule_publish, schedule_save
from qiangji.orglife.tests.conftest import TODAY

K = MeetingKind
YEAR = TODAY.year


def state():
    return (
        list(YearSchedule.objects.values_list("year", "theme_day", "note", "published_at")),
        list(ScheduleItem.objects.order_by("id").values_list("kind", "months")),
        ChangeRecord.objects.count(),
    )


def draft(user, year=YEAR):
    return schedule_save(
        year=year, by=user, theme_day=15, note="", months={K.ASSEMBLY: [12, 3, 9, 6], K.THEME_DAY: list(range(1, 13))}
    )


def test_parse_months():
    assert parse_months("3、6，9,12") == [3, 6, 9, 12]
    assert parse_months(" 1-3 12 ") == [1, 2, 3, 12]
    assert parse_months("") == []
    for bad in ("0", "13", "5-2", "三月"):
        with pytest.raises(ValueError):
            parse_months(bad)


def test_table_has_theme_day_dates_as_is(users):
    schedule = draft(users["town_admin"], year=2026)
    kinds, rows = schedule_table(schedule)
    assert kinds == ["支部党员大会", "主题党日"]
    assert [r.cells for r in rows[:3]] == [["", "2026-01-15"], ["", "2026-02-15"], ["✓", "2026-03-15"]]
    assert rows[11].cells == ["✓", "2026-12-15"]  # 2026-03-15 is a Sunday: shown as is


def test_publish_and_edit_keep_history(users):
    admin = users["town_admin"]
    schedule = draft(admin)
    assert schedule.published_at is None
    assert theme_day_for(year=YEAR, month=3) is None  # a draft is not in force
    moment = timezone.now()
    schedule_publish(schedule=schedule, by=admin, now=moment)
    schedule.refresh_from_db()
    assert schedule.published_at == moment
    assert theme_day_for(year=YEAR, month=3) == dt.date(YEAR, 3, 15)
    schedule_save(year=YEAR, by=admin, theme_day=10, note="", months={K.THEME_DAY: [3]})
    schedule.refresh_from_db()
    assert schedule.published_at == moment
    assert list(schedule.items.values_list("kind", "months")) == [("theme_day", [3])]
    assert theme_day_for(year=YEAR, month=3) == dt.date(YEAR, 3, 10)
    assert theme_day_for(year=YEAR, month=4) is None
    records = ChangeRecord.objects.filter(object_id=schedule.pk, content_type__model="yearschedule").order_by("id")
    assert [r.action for r in records] == ["create", "update", "update"]
    assert records[2].changes["安排"] == [
        "支部党员大会：3、6、9、12月；主题党日：1、2、3、4、5、6、7、8、9、10、11、12月",
        "主题党日：3月",
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("town_admin", 200),
        ("liaison", 200),
        ("secretary_a", 200),
        ("secretary_b", 200),
        ("member", 404),
        ("visitor", 404),
        ("anonymous", 302),
    ],
)
def test_schedule_page_per_role(client_as, users, role, status):
    assert client_as(users[role]).get(reverse("orglife:schedule")).status_code == status


def test_staff_see_only_the_published_schedule(client_as, users):
    schedule = draft(users["town_admin"])
    url = reverse("orglife:schedule") + f"?year={YEAR}"
    secretary = client_as(users["secretary_a"])
    assert "尚未发布" in secretary.get(url).content.decode()
    assert f"{YEAR}-03-15" in client_as(users["town_admin"]).get(url).content.decode()
    schedule_publish(schedule=schedule, by=users["town_admin"])
    page = secretary.get(url).content.decode()
    assert f"{YEAR}-03-15" in page and "年度安排" in page and "修改安排" not in page


@pytest.mark.parametrize("role", ["liaison", "secretary_a", "member", "visitor"])
def test_only_the_town_admin_edits_and_publishes(client_as, users, role):
    draft(users["town_admin"])
    before = state()
    client = client_as(users[role])
    assert client.get(reverse("orglife:schedule_edit", args=[YEAR])).status_code == 404
    data = {"theme_day": 10, "months_assembly": "1"}
    assert client.post(reverse("orglife:schedule_edit", args=[YEAR]), data).status_code == 404
    assert client.post(reverse("orglife:schedule_publish", args=[YEAR])).status_code == 404
    assert state() == before


def test_admin_drafts_then_publishes_through_pages(client_as, users):
    client = client_as(users["town_admin"])
    data = {"theme_day": "15", "note": "按镇党委要求", "months_assembly": "3、6、9、12", "months_theme_day": "1-12"}
    response = client.post(reverse("orglife:schedule_edit", args=[YEAR]), data)
    assert response.status_code == 302
    schedule = YearSchedule.objects.get(year=YEAR)
    assert (schedule.theme_day, schedule.note, schedule.published_at) == (15, "按镇党委要求", None)
    assert dict(schedule.items.values_list("kind", "months")) == {"assembly": [3, 6, 9, 12], "theme_day": list(range(1, 13))}
    assert client.post(reverse("orglife:schedule_publish", args=[YEAR])).status_code == 302
    schedule.refresh_from_db()
    assert schedule.published


@pytest.mark.parametrize(
    "data",
    [
        {"theme_day": "29", "months_assembly": "3"},
        {"theme_day": "0", "months_assembly": "3"},
        {"theme_day": "15", "months_assembly": "13"},
        {"theme_day": "15", "months_assembly": "三月"},
        {"theme_day": "15"},
    ],
)
def test_invalid_input_changes_nothing(client_as, users, data):
    draft(users["town_admin"])
    before = state()
    response = client_as(users["town_admin"]).post(reverse("orglife:schedule_edit", args=[YEAR]), data)
    assert response.status_code == 200
    assert state() == before


def test_publishing_an_empty_or_missing_schedule(client_as, users):
    client = client_as(users["town_admin"])
    assert client.post(reverse("orglife:schedule_publish", args=[YEAR])).status_code == 404
    assert client.get(reverse("orglife:schedule") + "?year=1999").status_code == 404
    assert YearSchedule.objects.count() == 0


def test_meeting_form_prefills_the_theme_day(client_as, users):
    schedule = schedule_save(year=YEAR, by=users["town_admin"], theme_day=8, note="", months={K.THEME_DAY: [5]})
    schedule_publish(schedule=schedule, by=users["town_admin"])
    client = client_as(users["secretary_a"])
    page = client.get(reverse("orglife:create") + "?kind=theme_day&month=5").content.decode()
    assert f'value="{YEAR}-05-08"' in page
    page = client.get(reverse("orglife:create") + "?kind=theme_day&month=6").content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
