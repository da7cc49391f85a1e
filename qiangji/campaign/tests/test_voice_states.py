"""The voice channel's states: new → answered, new or answered → problem, each step once; a refused
step changes nothing. Posting: 10–1000 characters, optional name and workplace, a rate limit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from qiangji.campaign.models import VoiceMessage
from qiangji.campaign.services.voice import (
    RateLimited,
    client_key_for,
    public_text,
    voice_answer,
    voice_post,
    voice_to_problem,
)
from qiangji.core.errors import DomainError
from qiangji.ledger.models import Problem, ProblemEvent

State = VoiceMessage.State
TEXT = "大棚蔬菜销路不畅，希望镇里帮忙对接收购商"


@pytest.fixture
def to_problem(town, users):
    """to_problem(message) → the town turns the message into a problem of 东村第一党支部."""

    def run(message, **overrides):
        args = {
            "organization": town["branch_a1"],
            "owner": users["secretary_a"],
            "deadline": timezone.localdate() + dt.timedelta(days=30),
            "category": "产业发展",
            **overrides,
        }
        return voice_to_problem(message=message, by=users["town_admin"], **args)

    return run


def snapshot(message):
    message.refresh_from_db()
    return (message.state, message.answer, message.answered_by_id, message.answered_at, message.problem_id)


# Posting ---------------------------------------------------------------------------------------


def test_a_message_is_left_with_name_and_workplace_optional(places):
    message = voice_post(
        kind="chain",
        carrier_id=places["veg"].pk,
        data={"content": f"  {TEXT}\r\n\r\n\r\n\r\n请尽快答复  ", "author_name": " 王师傅 ", "workplace": "东村蔬菜合作社"},
        client_key="k1",
    )
    message.refresh_from_db()
    assert (message.carrier_kind, message.chain, message.street, message.grid) == ("chain", places["veg"], None, None)
    assert message.content == f"{TEXT}\n\n请尽快答复"
    assert (message.author_name, message.author, message.entity, message.state) == (
        "王师傅（东村蔬菜合作社）",
        None,
        None,
        State.NEW,
    )
    assert message.client_key == "k1"
    anonymous = voice_post(kind="grid", carrier_id=places["grid2"].pk, data={"content": TEXT}, client_key="k1")
    assert (anonymous.author_name, anonymous.grid) == ("", places["grid2"])
    only_place = voice_post(
        kind="street", carrier_id=places["street"].pk, data={"content": TEXT, "workplace": "某小店"}, client_key="k2"
    )
    assert only_place.author_name == "某小店"


def test_a_signed_in_user_is_recorded_and_may_pick_an_entity_they_see(places, users, entity):
    farm = entity(name="东村蔬菜基地", chains=[places["veg"]])
    message = voice_post(
        kind="chain",
        carrier_id=places["veg"].pk,
        data={"content": TEXT, "entity": farm.pk},
        client_key="u",
        by=users["town_admin"],
    )
    assert (message.author, message.entity) == (users["town_admin"], farm)
    # A member sees no entity: the pick is refused, nothing stored.
    with pytest.raises(DomainError) as error:
        voice_post(
            kind="chain",
            carrier_id=places["veg"].pk,
            data={"content": TEXT, "entity": farm.pk},
            client_key="m",
            by=users["member"],
        )
    assert (error.value.field, error.value.message) == ("entity", "所选主体不在该载体中，或您无权选择")
    # An entity of another carrier is refused too; the public cannot pick one at all.
    homestay = entity(name="西村民宿", chains=[places["homestay"]])
    with pytest.raises(DomainError, match="所选主体不在该载体中"):
        voice_post(
            kind="chain",
            carrier_id=places["veg"].pk,
            data={"content": TEXT, "entity": homestay.pk},
            client_key="u",
            by=users["town_admin"],
        )
    with pytest.raises(DomainError, match="登录后才能选择所在主体"):
        voice_post(kind="chain", carrier_id=places["veg"].pk, data={"content": TEXT, "entity": farm.pk}, client_key="p")
    assert VoiceMessage.objects.count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"content": ""}, "content", "请填写留言内容"),
        ({"content": "   \n  "}, "content", "请填写留言内容"),
        ({"content": "九个字的留言内容啊"}, "content", "留言内容至少10个字，请把情况说清楚"),
        ({"content": "长" * 1001}, "content", "留言内容不能超过1000个字（现有1001个字）"),
        ({"content": TEXT, "author_name": "名" * 21}, "author_name", "称呼不能超过20个字"),
        ({"content": TEXT, "workplace": "单" * 29}, "workplace", "所在单位不能超过28个字"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(places, data, field, message):
    with pytest.raises(DomainError) as error:
        voice_post(kind="chain", carrier_id=places["veg"].pk, data=data, client_key="k")
    assert (error.value.field, error.value.message) == (field, message)
    assert VoiceMessage.objects.count() == 0


def test_ten_and_a_thousand_characters_are_accepted(places):
    for text in ("十个字的留言内容正好", "千" * 1000):
        voice_post(kind="chain", carrier_id=places["veg"].pk, data={"content": text}, client_key="k")
    assert sorted(len(c) for c in VoiceMessage.objects.values_list("content", flat=True)) == [10, 1000]


def test_an_unknown_carrier_is_refused(places):
    for kind, pk in (("chain", 99999), ("village", places["east"].pk)):
        with pytest.raises(DomainError) as error:
            voice_post(kind=kind, carrier_id=pk, data={"content": TEXT}, client_key="k")
        assert (error.value.field, error.value.message) == ("carrier", "留言的载体不存在")
    assert VoiceMessage.objects.count() == 0


def test_the_sixth_message_of_a_client_within_an_hour_is_refused(places):
    now = timezone.now()
    for _ in range(5):
        voice_post(kind="chain", carrier_id=places["veg"].pk, data={"content": TEXT}, client_key="same", now=now)
    with pytest.raises(RateLimited) as error:
        voice_post(kind="grid", carrier_id=places["grid1"].pk, data={"content": TEXT}, client_key="same", now=now)
    assert error.value.message == "留言过于频繁，请一小时后再试"
    assert VoiceMessage.objects.count() == 5
    # Another client is not held back; the same client may write again an hour later.
    voice_post(kind="chain", carrier_id=places["veg"].pk, data={"content": TEXT}, client_key="other", now=now)
    voice_post(
        kind="chain",
        carrier_id=places["veg"].pk,
        data={"content": TEXT},
        client_key="same",
        now=now + dt.timedelta(hours=1, seconds=1),
    )
    assert VoiceMessage.objects.count() == 7


@override_settings(CAMPAIGN_VOICE_PER_HOUR=1)
def test_the_limit_is_a_setting(places):
    voice_post(kind="chain", carrier_id=places["veg"].pk, data={"content": TEXT}, client_key="k")
    with pytest.raises(RateLimited):
        voice_post(kind="chain", carrier_id=places["veg"].pk, data={"content": TEXT}, client_key="k")
    assert VoiceMessage.objects.count() == 1


def test_the_client_key_is_a_keyed_hash_by_account_or_address(users):
    by_ip = client_key_for(user=None, ip="10.0.0.8")
    assert len(by_ip) == 64 and "10.0.0.8" not in by_ip
    assert by_ip != client_key_for(user=None, ip="10.0.0.9")
    assert client_key_for(user=users["member"], ip="10.0.0.8") == client_key_for(user=users["member"], ip="10.0.0.9")
    assert client_key_for(user=users["member"], ip=None) != client_key_for(user=users["visitor"], ip=None)


def test_public_text_masks_phone_numbers_and_long_numbers():
    assert public_text("请打13812345678联系我") == "请打138****5678联系我"
    assert public_text("手机 138 1234 5678，座机021-59331234") == "手机 138****5678，座机021****1234"
    assert public_text("去年种了300亩，2025年想扩到500亩") == "去年种了300亩，2025年想扩到500亩"


# Answering -------------------------------------------------------------------------------------


def test_new_to_answered(voice, users):
    message = voice()
    voice_answer(message=message, by=users["town_admin"], answer="  已联系区农业农村委对接收购渠道。 ")
    state, answer, by, at, problem = snapshot(message)
    assert (state, answer, by, problem) == (State.ANSWERED, "已联系区农业农村委对接收购渠道。", users["town_admin"].pk, None)
    assert at is not None


def test_a_message_is_answered_once(voice, users):
    message = voice()
    voice_answer(message=message, by=users["town_admin"], answer="第一次回复")
    before = snapshot(message)
    with pytest.raises(DomainError) as error:
        voice_answer(message=message, by=users["town_admin"], answer="第二次回复")
    assert error.value.message == "该留言已回复，不能重复回复"
    assert snapshot(message) == before


def test_an_empty_answer_is_refused(voice, users):
    message = voice()
    with pytest.raises(DomainError) as error:
        voice_answer(message=message, by=users["town_admin"], answer="   ")
    assert (error.value.field, error.value.message) == ("answer", "请填写回复内容")
    assert snapshot(message) == (State.NEW, "", None, None, None)


@pytest.mark.parametrize("role", ["liaison", "secretary_a", "secretary_b", "member", "visitor", "anonymous"])
def test_only_the_town_answers_or_registers(voice, users, role, to_problem, town):
    message = voice()
    with pytest.raises(PermissionDenied):
        voice_answer(message=message, by=users[role], answer="回复")
    with pytest.raises(PermissionDenied):
        voice_to_problem(
            message=message,
            by=users[role],
            organization=town["branch_a1"],
            owner=users["secretary_a"],
            deadline=timezone.localdate() + dt.timedelta(days=30),
        )
    assert snapshot(message) == (State.NEW, "", None, None, None)
    assert Problem.objects.count() == 0


# Turning into a problem ------------------------------------------------------------------------


def test_new_to_problem_registers_a_ledger_problem_that_says_where_it_came_from(voice, users, town, to_problem):
    message = voice()
    problem = to_problem(message)
    problem.refresh_from_db()
    assert snapshot(message) == (State.PROBLEM, "", None, None, problem.pk)
    posted = timezone.localtime(message.created_at)
    assert (
        problem.description == f"{message.content}\n\n来自“我在蔬菜链有话说”留言（留言编号{message.pk}，{posted:%Y-%m-%d %H:%M}）"
    )
    assert (problem.source, problem.organization, problem.owner, problem.category, problem.state) == (
        Problem.Source.PUBLIC,
        town["branch_a1"],
        users["secretary_a"],
        "产业发展",
        Problem.State.REGISTERED,
    )
    assert problem.registered_by == users["town_admin"]
    assert list(ProblemEvent.objects.filter(problem=problem).values_list("action", flat=True)) == ["register"]


def test_an_entity_on_the_message_gives_the_problem_its_village(voice, users, entity, places, to_problem):
    farm = entity(name="南村蔬菜基地", village=places["south"], chains=[places["veg"]])
    problem = to_problem(voice(entity=farm))
    assert problem.village == places["south"]
    assert problem.description.endswith("，所在主体：南村蔬菜基地")


def test_answered_to_problem_is_allowed_and_keeps_the_answer(voice, users, to_problem):
    message = voice()
    voice_answer(message=message, by=users["town_admin"], answer="已转交相关部门")
    problem = to_problem(message)
    state, answer, _, at, problem_pk = snapshot(message)
    assert (state, answer, problem_pk) == (State.PROBLEM, "已转交相关部门", problem.pk)
    assert at is not None


def test_a_problem_may_still_get_its_public_answer_once(voice, users, to_problem):
    message = voice()
    problem = to_problem(message)
    voice_answer(message=message, by=users["town_admin"], answer="已列入问题清单，限期整改")
    state, answer, _, _, problem_pk = snapshot(message)
    assert (state, answer, problem_pk) == (State.PROBLEM, "已列入问题清单，限期整改", problem.pk)
    with pytest.raises(DomainError, match="该留言已回复，不能重复回复"):
        voice_answer(message=message, by=users["town_admin"], answer="再次回复")


def test_a_message_becomes_a_problem_once(voice, users, to_problem):
    message = voice()
    problem = to_problem(message)
    before = snapshot(message)
    with pytest.raises(DomainError) as error:
        to_problem(message)
    assert error.value.message == f"该留言已转为问题（问题{problem.number}），不能重复转"
    assert snapshot(message) == before
    assert Problem.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field, text",
    [
        ({"deadline": dt.date(2020, 1, 1)}, "deadline", "整改期限不能早于挂号日期"),
        ({"owner": None}, "owner", "请选择在职的整改责任人"),
        ({"organization": None}, "organization", "请选择党组织"),
    ],
)
def test_a_refused_registration_leaves_the_message_new_and_the_ledger_empty(voice, users, to_problem, overrides, field, text):
    message = voice()
    with pytest.raises(DomainError) as error:
        to_problem(message, **overrides)
    assert (error.value.field, error.value.message) == (field, text)
    assert snapshot(message) == (State.NEW, "", None, None, None)
    assert Problem.objects.count() == 0
