"""/api/v1/voice: signed-in users post, the town lists, answers and registers; every role, every
endpoint; refusals change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji.campaign.models import VoiceMessage
from qiangji.campaign.services.voice import voice_answer
from qiangji.ledger.models import Problem

State = VoiceMessage.State
TEXT = "大棚蔬菜销路不畅，希望镇里帮忙对接收购商"
NOT_TOWN = ["liaison", "secretary_a", "secretary_b", "member", "visitor"]


@pytest.fixture
def problem_body(town, users):
    return {
        "organization": town["branch_a1"].pk,
        "owner": users["secretary_a"].pk,
        "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "category": "产业发展",
    }


def state_of(message):
    message.refresh_from_db()
    return (message.state, message.answer, message.problem_id)


# Posting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["town_admin", *NOT_TOWN])
def test_every_signed_in_user_posts_and_is_recorded(api_as, users, places, role):
    body = {"carrier": f"chain:{places['veg'].pk}", "content": TEXT, "author_name": "王师傅", "workplace": "东村蔬菜合作社"}
    response = api_as(users[role]).post("/voice", body)
    assert response.status_code == 201
    message = VoiceMessage.objects.get()
    data = response.json()
    assert (data["id"], data["carrier"], data["carrier_name"], data["state"], data["author"]) == (
        message.pk,
        f"chain:{places['veg'].pk}",
        "蔬菜链",
        "new",
        users[role].pk,
    )
    assert (message.author, message.author_name, message.content) == (users[role], "王师傅（东村蔬菜合作社）", TEXT)


def test_anonymous_cannot_post_through_the_api(api_as, places):
    response = api_as(None).post("/voice", {"carrier": f"chain:{places['veg'].pk}", "content": TEXT})
    assert response.status_code == 401
    assert VoiceMessage.objects.count() == 0


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"carrier": "village:1"}, "carrier", "载体格式应为 chain:编号、street:编号 或 grid:编号"),
        ({"carrier": "chain:99999"}, "carrier", "留言的载体不存在"),
        ({"content": "太短的留言"}, "content", "留言内容至少10个字，请把情况说清楚"),
        ({"author_name": "名" * 21}, "author_name", "称呼不能超过20个字"),
    ],
)
def test_bad_posts_answer_422_and_store_nothing(api_as, users, places, body, field, message):
    payload = {"carrier": f"chain:{places['veg'].pk}", "content": TEXT, **body}
    response = api_as(users["member"]).post("/voice", payload)
    assert response.status_code == 422
    assert response.json()["errors"] == {field: [message]}
    assert VoiceMessage.objects.count() == 0


def test_unknown_fields_and_missing_content_are_422(api_as, users, places):
    response = api_as(users["member"]).post("/voice", {"carrier": f"chain:{places['veg'].pk}", "phone": "13812345678"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"content": ["内容未填写"], "phone": ["不支持该字段。"]}
    assert VoiceMessage.objects.count() == 0


def test_the_sixth_post_within_an_hour_is_429(api_as, users, places):
    client = api_as(users["member"])
    for _ in range(5):
        assert client.post("/voice", {"carrier": f"grid:{places['grid1'].pk}", "content": TEXT}).status_code == 201
    response = client.post("/voice", {"carrier": f"grid:{places['grid1'].pk}", "content": TEXT})
    assert response.status_code == 429
    assert response.json() == {"detail": "留言过于频繁，请一小时后再试"}
    assert VoiceMessage.objects.count() == 5
    assert api_as(users["visitor"]).post("/voice", {"carrier": f"grid:{places['grid1'].pk}", "content": TEXT}).status_code == 201


# The town's side -------------------------------------------------------------------------------


def test_the_town_lists_with_filters(api_as, users, voice, places):
    new = voice()
    answered = voice(content="网格里的路灯坏了很久，晚上经营不便", carrier="grid1", author_name="赵先生")
    voice_answer(message=answered, by=users["town_admin"], answer="已报修")
    client = api_as(users["town_admin"])
    data = client.get("/voice").json()
    assert data["count"] == 2
    assert [(m["id"], m["state"], m["author_name"]) for m in data["items"]] == [
        (answered.pk, "answered", "赵先生"),
        (new.pk, "new", ""),
    ]
    assert data["items"][0]["answer"] == "已报修" and data["items"][0]["answered_by"] == "镇管理员"
    assert [m["id"] for m in client.get("/voice", {"state": "new"}).json()["items"]] == [new.pk]
    assert [m["id"] for m in client.get("/voice", {"carrier": f"grid:{places['grid1'].pk}"}).json()["items"]] == [answered.pk]
    assert client.get("/voice", {"state": "bogus"}).status_code == 422
    assert client.get("/voice", {"carrier": "grid"}).json()["errors"] == {
        "carrier": ["载体格式应为 chain:编号、street:编号 或 grid:编号"]
    }
    assert client.get(f"/voice/{new.pk}").json()["content"] == TEXT


def test_the_list_query_count_does_not_grow(api_as, users, voice, entity, places, django_assert_num_queries):
    farm = entity(name="东村蔬菜基地", chains=[places["veg"]])
    voice(author=users["member"], entity=farm)
    client = api_as(users["town_admin"])
    client.get("/voice")
    with django_assert_num_queries(6):
        client.get("/voice")
    for carrier in ("homestay", "street", "grid1", "grid2"):
        voice_answer(message=voice(carrier=carrier, author=users["visitor"], entity=farm), by=users["town_admin"], answer="好")
    with django_assert_num_queries(6):
        assert client.get("/voice").json()["count"] == 5


@pytest.mark.parametrize("role", NOT_TOWN)
def test_others_cannot_list_read_answer_or_register(api_as, users, voice, problem_body, role):
    message = voice()
    client = api_as(users[role])
    assert client.get("/voice").status_code == 403
    assert client.get(f"/voice/{message.pk}").status_code == 404
    assert client.post(f"/voice/{message.pk}/answer", {"answer": "回复"}).status_code == 404
    assert client.post(f"/voice/{message.pk}/problem", problem_body).status_code == 404
    assert state_of(message) == (State.NEW, "", None)
    assert Problem.objects.count() == 0


def test_anonymous_gets_401_everywhere(api_as, voice, problem_body):
    message = voice()
    client = api_as(None)
    assert client.get("/voice").status_code == 401
    assert client.get(f"/voice/{message.pk}").status_code == 401
    assert client.post(f"/voice/{message.pk}/answer", {"answer": "回复"}).status_code == 401
    assert client.post(f"/voice/{message.pk}/problem", problem_body).status_code == 401
    assert state_of(message) == (State.NEW, "", None)


def test_the_town_answers_once(api_as, users, voice):
    message = voice()
    client = api_as(users["town_admin"])
    empty = client.post(f"/voice/{message.pk}/answer", {"answer": " "})
    assert empty.status_code == 422 and empty.json()["errors"] == {"answer": ["请填写回复内容"]}
    assert state_of(message) == (State.NEW, "", None)
    done = client.post(f"/voice/{message.pk}/answer", {"answer": "已对接收购商"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["answer"]) == ("answered", "已对接收购商")
    again = client.post(f"/voice/{message.pk}/answer", {"answer": "再回复"})
    assert again.status_code == 409 and again.json() == {"detail": "该留言已回复，不能重复回复"}
    assert state_of(message) == (State.ANSWERED, "已对接收购商", None)
    assert client.post("/voice/99999/answer", {"answer": "回复"}).status_code == 404


def test_the_town_registers_a_problem_once(api_as, users, voice, problem_body, town):
    message = voice()
    client = api_as(users["town_admin"])
    bad = client.post(f"/voice/{message.pk}/problem", {**problem_body, "organization": 99999})
    assert bad.status_code == 422 and list(bad.json()["errors"]) == ["organization"]
    late = client.post(f"/voice/{message.pk}/problem", {**problem_body, "deadline": "2020-01-01"})
    assert late.status_code == 422 and late.json()["errors"] == {"deadline": ["整改期限不能早于挂号日期"]}
    assert state_of(message) == (State.NEW, "", None) and Problem.objects.count() == 0
    done = client.post(f"/voice/{message.pk}/problem", problem_body)
    assert done.status_code == 200
    problem = Problem.objects.get()
    assert (done.json()["state"], done.json()["problem"], done.json()["problem_number"]) == (
        "problem",
        problem.pk,
        problem.number,
    )
    assert (problem.source, problem.organization, problem.category) == (Problem.Source.PUBLIC, town["branch_a1"], "产业发展")
    assert "来自“我在蔬菜链有话说”留言" in problem.description
    again = client.post(f"/voice/{message.pk}/problem", problem_body)
    assert again.status_code == 409
    assert again.json() == {"detail": f"该留言已转为问题（问题{problem.number}），不能重复转"}
    assert Problem.objects.count() == 1
