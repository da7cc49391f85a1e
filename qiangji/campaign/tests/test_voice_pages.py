"""The voice pages: the public posts without logging in (honeypot, rate limit, thank-you page), the
public page shows answered messages only and nothing personal; the town lists, answers and turns
messages into problems. Every page, every role."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiangji.campaign.models import VoiceMessage
from qiangji.campaign.services.voice import voice_answer
from qiangji.ledger.models import Problem

State = VoiceMessage.State
TEXT = "大棚蔬菜销路不畅，希望镇里帮忙对接收购商"
ROLES_NOT_TOWN = ["liaison", "secretary_a", "secretary_b", "member", "visitor"]


def carrier_url(places, name="veg", kind="chain"):
    return reverse("campaign:voice_carrier", args=[kind, places[name].pk])


def post(client, url, ip="10.0.0.8", **overrides):
    data = {"content": TEXT, "author_name": "", "workplace": "", "website": "", **overrides}
    return client.post(url, data, REMOTE_ADDR=ip)


# The public side -------------------------------------------------------------------------------


def test_the_index_lists_every_carrier_without_login(db, places, voice, users):
    voice_answer(message=voice(), by=users["town_admin"], answer="已对接")
    response = Client().get(reverse("campaign:voice_index"))
    body = response.content.decode()
    assert response.status_code == 200
    for title in ("我在蔬菜链有话说", "我在民宿链有话说", "我在竖河商业街区有话说", "我在第一网格有话说", "我在第二网格有话说"):
        assert title in body
    assert "已回复1条" in body
    assert carrier_url(places) in body


def test_the_index_reads_with_a_fixed_number_of_queries(db, places, voice, users, django_assert_num_queries):
    voice_answer(message=voice(), by=users["town_admin"], answer="已对接")
    client = Client()
    with django_assert_num_queries(4):
        client.get(reverse("campaign:voice_index"))
    for carrier in ("homestay", "street", "grid1", "grid2"):
        voice_answer(message=voice(carrier=carrier), by=users["town_admin"], answer="已回复")
    with django_assert_num_queries(4):
        response = client.get(reverse("campaign:voice_index"))
    assert response.content.decode().count("已回复1条") == 5


def test_anyone_posts_on_a_carrier_and_sees_the_thank_you_page(db, places):
    client = Client()
    url = carrier_url(places)
    page = client.get(url)
    assert page.status_code == 200
    assert "我在蔬菜链有话说" in page.content.decode()
    assert "entity" not in page.context["form"].fields
    response = post(client, url, author_name="王师傅", workplace="东村蔬菜合作社")
    assert response.status_code == 302
    assert response.url == reverse("campaign:voice_thanks", args=["chain", places["veg"].pk])
    message = VoiceMessage.objects.get()
    assert (message.chain, message.content, message.author_name, message.author, message.state) == (
        places["veg"],
        TEXT,
        "王师傅（东村蔬菜合作社）",
        None,
        State.NEW,
    )
    assert len(message.client_key) == 64
    thanks = client.get(response.url)
    assert thanks.status_code == 200
    assert "谢谢您的留言" in thanks.content.decode()
    # The message is not published before it is answered.
    assert TEXT not in client.get(url).content.decode()


def test_the_thank_you_page_without_a_message_goes_back_to_the_form(db, places):
    response = Client().get(reverse("campaign:voice_thanks", args=["chain", places["veg"].pk]))
    assert response.status_code == 302
    assert response.url == carrier_url(places)


@pytest.mark.parametrize("kind, pk", [("village", 1), ("chain", 99999), ("grid", 99999)])
def test_an_unknown_carrier_is_404(db, places, kind, pk):
    assert Client().get(reverse("campaign:voice_carrier", args=[kind, pk])).status_code == 404
    assert Client().post(reverse("campaign:voice_carrier", args=[kind, pk]), {"content": TEXT}).status_code == 404
    assert VoiceMessage.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"content": ""}, "content", "我想说未填写"),
        ({"content": "太短了的留言"}, "content", "留言内容至少10个字，请把情况说清楚"),
        ({"content": "长" * 1001}, "content", "留言内容不能超过1000个字（现有1001个字）"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(db, places, overrides, field, message):
    response = post(Client(), carrier_url(places), **overrides)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert VoiceMessage.objects.count() == 0


def test_a_filled_honeypot_stores_nothing(db, places):
    response = post(Client(), carrier_url(places), website="http://spam.example")
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["提交未成功，请刷新页面后重新填写。"]
    assert VoiceMessage.objects.count() == 0


def test_the_sixth_message_within_an_hour_is_refused_with_429_and_not_stored(db, places):
    client = Client()
    for _ in range(5):
        assert post(client, carrier_url(places)).status_code == 302
    response = post(client, carrier_url(places, "grid1", "grid"))
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == ["留言过于频繁，请一小时后再试"]
    assert VoiceMessage.objects.count() == 5
    assert post(Client(), carrier_url(places), ip="10.0.0.9").status_code == 302
    assert VoiceMessage.objects.count() == 6


def test_a_message_without_the_csrf_token_is_refused(db, places):
    response = Client(enforce_csrf_checks=True).post(carrier_url(places), {"content": TEXT})
    assert response.status_code == 403
    assert VoiceMessage.objects.count() == 0


@pytest.mark.parametrize("role", ["member", "visitor", "secretary_a", "town_admin"])
def test_signed_in_users_post_too_and_are_recorded(client_as, users, places, role):
    response = post(client_as(users[role]), carrier_url(places))
    assert response.status_code == 302
    message = VoiceMessage.objects.get()
    assert (message.author, message.chain) == (users[role], places["veg"])


def test_a_signed_in_user_who_sees_entities_may_pick_one(client_as, users, places, entity):
    farm = entity(name="东村蔬菜基地", chains=[places["veg"]])
    entity(name="西村民宿", chains=[places["homestay"]])
    client = client_as(users["town_admin"])
    page = client.get(carrier_url(places))
    assert [e.name for e in page.context["form"].fields["entity"].queryset] == ["东村蔬菜基地"]
    assert post(client, carrier_url(places), entity=farm.pk).status_code == 302
    assert VoiceMessage.objects.get().entity == farm
    # A member sees no entity: no select on the page.
    assert "entity" not in client_as(users["member"]).get(carrier_url(places)).context["form"].fields


def test_the_public_page_shows_only_answered_messages_and_nothing_personal(db, places, voice, users, entity):
    farm = entity(name="东村蔬菜基地", chains=[places["veg"]])
    answered = voice(
        content="想了解冷库补贴政策，联系电话13812345678",
        author_name="王阿姨（东村蔬菜合作社）",
        author=users["member"],
        entity=farm,
    )
    voice_answer(message=answered, by=users["town_admin"], answer="请到镇农业服务中心咨询，电话021-59331234")
    voice(content="这条留言还没有回复，不应公开", author_name="赵先生")
    voice(content="民宿链上的留言不在蔬菜链页面显示", carrier="homestay", answer="已回复", answered_at=timezone.now())
    response = Client().get(carrier_url(places))
    body = response.content.decode()
    assert [m.pk for m in response.context["page"]] == [answered.pk]
    assert "想了解冷库补贴政策，联系电话138****5678" in body
    assert "请到镇农业服务中心咨询，电话021****1234" in body
    for leak in (
        "13812345678",
        "59331234",
        "王阿姨",
        "东村蔬菜合作社",
        "东村蔬菜基地",
        "李党员",
        "镇管理员",
        "这条留言还没有回复",
        "赵先生",
        "民宿链上的留言",
    ):
        assert leak not in body, leak


def test_the_public_page_reads_with_a_fixed_number_of_queries(db, places, voice, users, django_assert_num_queries):
    for n in range(3):
        voice_answer(message=voice(content=f"第{n}条留言，关于蔬菜收购价格"), by=users["town_admin"], answer="已回复")
    client = Client()
    with django_assert_num_queries(3):
        client.get(carrier_url(places))
    for n in range(5):
        voice_answer(message=voice(content=f"又一条留言{n}，关于农资价格"), by=users["town_admin"], answer="已回复")
    with django_assert_num_queries(3):
        response = client.get(carrier_url(places))
    assert len(response.context["page"]) == 8


# The town's side -------------------------------------------------------------------------------


@pytest.fixture
def deadline():
    return (timezone.localdate() + dt.timedelta(days=20)).isoformat()


def town_urls(pk):
    return [
        ("get", reverse("campaign:voice_list")),
        ("get", reverse("campaign:voice_detail", args=[pk])),
        ("post", reverse("campaign:voice_answer", args=[pk])),
        ("post", reverse("campaign:voice_problem", args=[pk])),
    ]


@pytest.mark.parametrize("role", ROLES_NOT_TOWN)
def test_only_the_town_handles_messages_others_get_404(client_as, users, voice, town, deadline, role):
    message = voice()
    client = client_as(users[role])
    data = {"answer": "回复", "organization": town["branch_a1"].pk, "owner": users["secretary_a"].pk, "deadline": deadline}
    for method, url in town_urls(message.pk):
        assert getattr(client, method)(url, data).status_code == 404, url
    message.refresh_from_db()
    assert (message.state, message.answer, message.problem) == (State.NEW, "", None)
    assert Problem.objects.count() == 0


def test_anonymous_is_sent_to_login_for_the_town_pages(client_as, voice):
    message = voice()
    for method, url in town_urls(message.pk):
        response = getattr(client_as(None), method)(url, {"answer": "回复"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    message.refresh_from_db()
    assert message.state == State.NEW


def test_the_town_lists_messages_by_state_and_carrier(client_as, users, voice, places):
    new = voice()
    answered = voice(content="网格里的路灯坏了很久，晚上经营不便", carrier="grid1")
    voice_answer(message=answered, by=users["town_admin"], answer="已报修")
    other = voice(content="民宿链希望组织一次消防培训", carrier="homestay", author_name="民宿老板")
    client = client_as(users["town_admin"])
    url = reverse("campaign:voice_list")
    response = client.get(url)
    assert response.status_code == 200
    assert [m.pk for m in response.context["page"]] == [other.pk, answered.pk, new.pk]
    assert response.context["counts"] == {"new": 2, "answered": 1, "problem": 0, "total": 3}
    assert "民宿老板" in response.content.decode()
    assert [m.pk for m in client.get(url, {"state": "answered"}).context["page"]] == [answered.pk]
    assert [m.pk for m in client.get(url, {"carrier": f"chain:{places['veg'].pk}"}).context["page"]] == [new.pk]
    assert [m.pk for m in client.get(url, {"state": "new", "carrier": f"grid:{places['grid1'].pk}"}).context["page"]] == []
    # A filter that makes no sense is ignored rather than an error.
    assert len(client.get(url, {"state": "bogus", "carrier": "village:1"}).context["page"]) == 3
    fragment = client.get(url, {"state": "new"}, HTTP_HX_REQUEST="true")
    assert fragment.templates[0].name == "campaign/_voice_table.html"


def test_the_town_list_query_count_does_not_grow(client_as, users, voice, entity, places, django_assert_num_queries):
    farm = entity(name="东村蔬菜基地", chains=[places["veg"]])
    voice(author=users["member"], entity=farm)
    client = client_as(users["town_admin"])
    client.get(reverse("campaign:voice_list"))
    with django_assert_num_queries(12):
        client.get(reverse("campaign:voice_list"))
    for carrier in ("homestay", "street", "grid1", "grid2"):
        message = voice(carrier=carrier, author=users["visitor"], entity=farm)
        voice_answer(message=message, by=users["town_admin"], answer="已回复")
    with django_assert_num_queries(12):
        response = client.get(reverse("campaign:voice_list"))
    assert len(response.context["page"]) == 5


def test_the_town_answers_on_the_page_and_the_answer_goes_public(client_as, users, voice, places):
    message = voice()
    client = client_as(users["town_admin"])
    detail = client.get(reverse("campaign:voice_detail", args=[message.pk]))
    assert detail.status_code == 200 and TEXT in detail.content.decode()
    refused = client.post(reverse("campaign:voice_answer", args=[message.pk]), {"answer": ""})
    assert refused.status_code == 400
    assert refused.context["answer_form"].errors["answer"] == ["回复内容未填写"]
    message.refresh_from_db()
    assert message.state == State.NEW
    response = client.post(reverse("campaign:voice_answer", args=[message.pk]), {"answer": "已联系区农业农村委对接收购渠道"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.state, message.answer, message.answered_by) == (
        State.ANSWERED,
        "已联系区农业农村委对接收购渠道",
        users["town_admin"],
    )
    again = client.post(reverse("campaign:voice_answer", args=[message.pk]), {"answer": "再回复一次"})
    assert again.status_code == 400
    assert again.context["answer_form"].non_field_errors() == ["该留言已回复，不能重复回复"]
    message.refresh_from_db()
    assert message.answer == "已联系区农业农村委对接收购渠道"
    public = Client().get(carrier_url(places)).content.decode()
    assert TEXT in public and "已联系区农业农村委对接收购渠道" in public


def test_the_town_turns_a_message_into_a_problem_once(client_as, users, voice, town, deadline):
    message = voice()
    client = client_as(users["town_admin"])
    url = reverse("campaign:voice_problem", args=[message.pk])
    data = {"organization": town["branch_a1"].pk, "owner": users["secretary_a"].pk, "deadline": deadline, "category": ""}
    bad = client.post(url, {**data, "deadline": "2020-01-01"})
    assert bad.status_code == 400
    assert bad.context["problem_form"].errors["deadline"] == ["整改期限不能早于挂号日期"]
    assert Problem.objects.count() == 0
    response = client.post(url, data)
    assert response.status_code == 302
    problem = Problem.objects.get()
    message.refresh_from_db()
    assert (message.state, message.problem) == (State.PROBLEM, problem)
    assert (problem.source, problem.organization, problem.owner) == (
        Problem.Source.PUBLIC,
        town["branch_a1"],
        users["secretary_a"],
    )
    assert "来自“我在蔬菜链有话说”留言" in problem.description
    page = client.get(reverse("campaign:voice_detail", args=[message.pk])).content.decode()
    assert problem.number in page and "voice-problem-form" not in page
    again = client.post(url, data)
    assert again.status_code == 400
    assert again.context["problem_form"].non_field_errors() == [f"该留言已转为问题（问题{problem.number}），不能重复转"]
    assert Problem.objects.count() == 1
