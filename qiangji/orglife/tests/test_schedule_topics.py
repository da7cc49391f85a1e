"""Each planned month's topic (各月主题) is edited on the schedule form and saved by schedule_save."""

import pytest
from django.urls import reverse

from qiangji.core.errors import DomainError
from qiangji.core.models import ChangeRecord
from qiangji.orglife.models import MeetingKind, ScheduleItem, YearSchedule
from qiangji.orglife.services import schedule_save
from qiangji.orglife.tests.conftest import TODAY

K = MeetingKind
YEAR = TODAY.year


def state():
    return (
        list(YearSchedule.objects.values_list("year", "theme_day", "note", "published_at")),
        list(ScheduleItem.objects.order_by("id").values_list("kind", "months", "topics")),
        ChangeRecord.objects.count(),
    )


def topics():
    return dict(ScheduleItem.objects.values_list("kind", "topics"))


def base(**extra):
    return {"theme_day": "15", "note": "", "months_assembly": "3、6、9、12", "months_theme_day": "1-12", **extra}


def post(client, data):
    return client.post(reverse("orglife:schedule_edit", args=[YEAR]), data)


def test_admin_saves_topics_and_the_table_shows_them(client_as, users):
    client = client_as(users["town_admin"])
    response = post(
        client,
        base(
            topic_assembly_3=" 学习贯彻党的二十届三中全会精神 ",
            topic_assembly_9="发展党员票决",
            topic_theme_day_7="庆祝建党纪念日",
        ),
    )
    assert response.status_code == 302
    assert topics() == {
        "assembly": {"3": "学习贯彻党的二十届三中全会精神", "9": "发展党员票决"},
        "theme_day": {"7": "庆祝建党纪念日"},
    }
    page = client.get(reverse("orglife:schedule") + f"?year={YEAR}").content.decode()
    assert "学习贯彻党的二十届三中全会精神" in page and f"{YEAR}-07-15 庆祝建党纪念日" in page
    record = ChangeRecord.objects.get(content_type__model="yearschedule")
    assert record.changes["安排"][1] == (
        "支部党员大会：3、6、9、12月（主题：3月“学习贯彻党的二十届三中全会精神”，9月“发展党员票决”）；"
        "主题党日：1、2、3、4、5、6、7、8、9、10、11、12月（主题：7月“庆祝建党纪念日”）"
    )


def test_admin_edits_and_clears_topics(client_as, users):
    client = client_as(users["town_admin"])
    post(client, base(topic_assembly_3="旧主题", topic_assembly_6="六月主题"))
    form_page = client.get(reverse("orglife:schedule_edit", args=[YEAR])).content.decode()
    assert 'name="topic_assembly_3"' in form_page and 'value="旧主题"' in form_page
    response = post(client, base(topic_assembly_3="新主题"))
    assert response.status_code == 302
    assert topics() == {"assembly": {"3": "新主题"}, "theme_day": {}}
    records = ChangeRecord.objects.filter(content_type__model="yearschedule").order_by("id")
    assert records[1].changes["安排"] == [
        "支部党员大会：3、6、9、12月（主题：3月“旧主题”，6月“六月主题”）；主题党日：1、2、3、4、5、6、7、8、9、10、11、12月",
        "支部党员大会：3、6、9、12月（主题：3月“新主题”）；主题党日：1、2、3、4、5、6、7、8、9、10、11、12月",
    ]


def test_saving_unchanged_topics_writes_no_history(client_as, users):
    client = client_as(users["town_admin"])
    post(client, base(topic_assembly_3="主题"))
    before = state()
    assert post(client, base(topic_assembly_3="主题")).status_code == 302
    assert state() == before


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (base(topic_assembly_3="党" * 201), "topic_assembly_3", "主题不能超过200字"),
        (base(topic_assembly_4="四月主题"), "topic_assembly_4", "4月未安排支部党员大会，请先在月份中加上4月，或删去该主题"),
        (base(topic_lecture_5="党课主题"), "topic_lecture_5", "5月未安排党课，请先在月份中加上5月，或删去该主题"),
    ],
)
def test_bad_topics_change_nothing(client_as, users, data, field, error):
    client = client_as(users["town_admin"])
    post(client, base(topic_assembly_3="原主题"))
    before = state()
    response = post(client, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert state() == before
    assert "open" in response.content.decode().split(f'name="{field}"')[0].rsplit("<details", 1)[1]


def test_a_topic_of_exactly_200_characters_is_kept(client_as, users):
    assert post(client_as(users["town_admin"]), base(topic_assembly_3="党" * 200)).status_code == 302
    assert topics()["assembly"] == {"3": "党" * 200}


@pytest.mark.parametrize("role", ["liaison", "secretary_a", "secretary_b", "member", "visitor"])
def test_only_the_town_admin_sets_topics(client_as, users, role):
    post(client_as(users["town_admin"]), base(topic_assembly_3="原主题"))
    before = state()
    assert post(client_as(users[role]), base(topic_assembly_3="改了")).status_code == 404
    assert state() == before


def test_anonymous_cannot_set_topics(client_as, users):
    response = post(client_as(None), base(topic_assembly_3="改了"))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert YearSchedule.objects.count() == 0


def test_service_keeps_topics_of_months_still_planned_when_not_given(users):
    admin = users["town_admin"]
    schedule_save(
        year=YEAR, by=admin, theme_day=15, note="", months={K.ASSEMBLY: [3, 6]}, topics={K.ASSEMBLY: {3: "三月", 6: "六月"}}
    )
    schedule_save(year=YEAR, by=admin, theme_day=15, note="", months={K.ASSEMBLY: [3, 9]})
    assert topics() == {"assembly": {"3": "三月"}}


@pytest.mark.parametrize(
    ("given", "message", "field"),
    [
        ({K.ASSEMBLY: {3: "党" * 201}}, "主题不能超过200字", "topic_assembly_3"),
        ({K.ASSEMBLY: {4: "四月"}}, "4月未安排支部党员大会，不能填写该月主题", "topic_assembly_4"),
    ],
)
def test_service_refuses_bad_topics_and_changes_nothing(users, given, message, field):
    admin = users["town_admin"]
    schedule_save(year=YEAR, by=admin, theme_day=15, note="", months={K.ASSEMBLY: [3]}, topics={K.ASSEMBLY: {3: "原"}})
    before = state()
    with pytest.raises(DomainError) as caught:
        schedule_save(year=YEAR, by=admin, theme_day=10, note="改", months={K.ASSEMBLY: [3]}, topics=given)
    assert (caught.value.message, caught.value.field) == (message, field)
    assert state() == before
