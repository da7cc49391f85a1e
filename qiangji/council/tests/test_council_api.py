"""/api/v1/projects per role: the same scoping and services as the pages."""

import pytest

from qiangji.council.models import Bulletin, Opinion, OpinionEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "count"), [("town_admin", 1), ("secretary_a", 1), ("liaison", 1), ("secretary_b", 0), ("member", 0), ("visitor", 0)]
)
def test_list_per_role(hall_project, users, api_as, who, count):
    response = api_as(users[who]).get("/projects")
    assert response.status_code == 200
    assert response.json()["count"] == count
    if count:
        item = response.json()["items"][0]
        assert (item["name"], item["progress"], item["village_name"], item["state"]) == (
            "东村和美乡村建设",
            50,
            "东村",
            "in_progress",
        )


def test_anonymous_gets_401(hall_project, api_as):
    assert api_as(None).get("/projects").status_code == 401


@pytest.mark.parametrize(("who", "status"), [("secretary_a", 200), ("liaison", 200), ("secretary_b", 404), ("member", 404)])
def test_detail_with_milestones_and_bulletins(hall_project, published, draft, users, api_as, who, status):
    response = api_as(users[who]).get(f"/projects/{hall_project.pk}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert [m["title"] for m in body["milestones"]] == ["河道整治", "村道硬化"]
        assert [b["title"] for b in body["bulletins"]] == [published.title, "内部草稿通报"]
        assert body["can_manage"] is (who == "secretary_a")


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("secretary_a", {"title": "第二期", "body": "村道硬化完成过半，预计九月底完工。"}, 201),
        ("secretary_a", {"title": "第二期", "body": "太短"}, 409),
        ("secretary_a", {"title": "", "body": "村道硬化完成过半，预计九月底完工。"}, 422),
        ("liaison", {"title": "第二期", "body": "村道硬化完成过半，预计九月底完工。"}, 403),
        ("secretary_b", {"title": "第二期", "body": "村道硬化完成过半，预计九月底完工。"}, 404),
        ("member", {"title": "第二期", "body": "村道硬化完成过半，预计九月底完工。"}, 404),
    ],
)
def test_post_bulletin(hall_project, users, api_as, who, body, status):
    response = api_as(users[who]).post(f"/projects/{hall_project.pk}/bulletins", body)
    assert response.status_code == status, response.json()
    assert Bulletin.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        assert (response.json()["title"], response.json()["progress"]) == ("第二期", 50)


@pytest.mark.parametrize(
    ("who", "status"), [("secretary_a", 200), ("liaison", 200), ("secretary_b", 404), ("member", 404), ("visitor", 404)]
)
def test_opinions_for_staff_only_with_masked_phone(hall_project, opinions, users, api_as, who, status):
    response = api_as(users[who]).get(f"/projects/{hall_project.pk}/opinions")
    assert response.status_code == status
    if status == 200:
        rows = response.json()
        assert len(rows) == 3
        assert {r["phone_masked"] for r in rows} == {"138****8000"}
        assert "13800138000" not in response.content.decode()


def test_opinion_moves(hall_project, opinions, users, api_as):
    api = api_as(users["secretary_a"])
    pk = opinions["pending"].pk
    response = api.post(f"/projects/{hall_project.pk}/opinions/{pk}/moves", {"action": "evaluate"})
    assert response.status_code == 200 and response.json()["state"] == "under_evaluation"
    response = api.post(f"/projects/{hall_project.pk}/opinions/{pk}/moves", {"action": "decline", "note": "不在本项目范围"})
    assert response.status_code == 200 and response.json()["state"] == "not_accepted"
    response = api.post(f"/projects/{hall_project.pk}/opinions/{pk}/moderation", {"show": True})
    assert response.status_code == 200 and response.json()["moderation"] == "shown"


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("secretary_a", {"action": "accept"}, 409),
        ("secretary_a", {"action": "answer"}, 409),
        ("secretary_a", {"action": "fly"}, 422),
        ("secretary_a", {"action": ""}, 422),
        ("liaison", {"action": "evaluate"}, 403),
        ("secretary_b", {"action": "evaluate"}, 404),
        ("member", {"action": "evaluate"}, 404),
    ],
)
def test_refused_moves_change_nothing(hall_project, opinions, users, api_as, who, body, status):
    pk = opinions["pending"].pk
    events = OpinionEvent.objects.count()
    assert api_as(users[who]).post(f"/projects/{hall_project.pk}/opinions/{pk}/moves", body).status_code == status
    if who != "secretary_a":
        assert (
            api_as(users[who]).post(f"/projects/{hall_project.pk}/opinions/{pk}/moderation", {"show": True}).status_code == status
        )
    opinion = Opinion.objects.get(pk=pk)
    assert (opinion.state, opinion.moderation, OpinionEvent.objects.count()) == ("received", "pending", events)
