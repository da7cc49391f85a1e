"""The public consultation hall: no login, only published bulletins and shown opinions, no
personal fields; the opinion form with its honeypot and rate limit."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from qiangji.core.crypto import keyed_hash
from qiangji.council.models import Opinion, Project
from qiangji.council.services import milestone_done
from qiangji.council.tests.conftest import PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _form(**extra):
    return {"content": "建议在村口增设停车位", "author_name": "张阿姨", "phone": "13912345678", "website": "", **extra}


def test_hall_lists_projects_with_published_bulletins_only(hall_project, published, draft, town, django_assert_num_queries):
    Project.objects.create(name="西村未通报项目", organization=town["village_a"], description="尚无通报的项目内容")
    client = Client()
    with django_assert_num_queries(1):
        response = client.get("/council/hall/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "东村和美乡村建设" in html and "西村未通报项目" not in html
    assert f"/council/hall/bulletins/{published.pk}/" in html
    assert 'value="50"' in html


def test_bulletin_shows_shown_opinions_with_answer_and_nothing_personal(published, opinions, users):
    response = Client().get(f"/council/hall/bulletins/{published.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "建议河边增设护栏" in html and "护栏已列入二期施工" in html
    assert "建议村道两侧加装路灯" not in html  # pending
    assert "某某干部办事拖拉" not in html  # hidden
    assert "河道整治" in html and "2026-04-28" in html
    for personal in ("王shown", "王pending", "王hidden", PHONE, "138****8000", "8000", "东村书记"):
        assert personal not in html


def test_a_draft_bulletin_is_not_public(draft):
    assert Client().get(f"/council/hall/bulletins/{draft.pk}/").status_code == 404
    response = Client().post(f"/council/hall/bulletins/{draft.pk}/", _form())
    assert response.status_code == 404
    assert Opinion.objects.count() == 0


def test_an_opinion_is_received_pending_and_thanked(published):
    client = Client(REMOTE_ADDR="10.1.2.3")
    response = client.post(f"/council/hall/bulletins/{published.pk}/", _form())
    assert response.status_code == 302 and response["Location"] == "/council/hall/thanks/"
    opinion = Opinion.objects.get()
    assert (opinion.content, opinion.author_name, opinion.phone) == ("建议在村口增设停车位", "张阿姨", "13912345678")
    assert (opinion.state, opinion.moderation, opinion.author) == ("received", "pending", None)
    assert opinion.client_key == keyed_hash("10.1.2.3")
    thanks = client.get("/council/hall/thanks/")
    assert "您的意见已收到，经审核后公开" in thanks.content.decode()
    # Not shown until moderated.
    assert "建议在村口增设停车位" not in client.get(f"/council/hall/bulletins/{published.pk}/").content.decode()


def test_thanks_without_a_submission_goes_to_the_hall():
    response = Client().get("/council/hall/thanks/")
    assert response.status_code == 302 and response["Location"] == "/council/hall/"


def test_honeypot_keeps_bots_out(published):
    response = Client().post(f"/council/hall/bulletins/{published.pk}/", _form(website="http://spam.example"))
    assert response.status_code == 400
    assert "提交未成功" in response.content.decode()
    assert Opinion.objects.count() == 0


def test_rate_limit_per_client(published, settings):
    settings.COUNCIL_OPINIONS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(2):
        assert client.post(f"/council/hall/bulletins/{published.pk}/", _form()).status_code == 302
    response = client.post(f"/council/hall/bulletins/{published.pk}/", _form())
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Opinion.objects.count() == 2
    assert Client(REMOTE_ADDR="10.9.9.10").post(f"/council/hall/bulletins/{published.pk}/", _form()).status_code == 302
    assert Opinion.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"content": "好"}, "至少5个字"),
        ({"phone": "12345"}, "11位手机号"),
        ({"content": ""}, "您的意见建议未填写"),
        ({"content": "长" * 1001}, "1000"),
    ],
)
def test_bad_opinion_changes_nothing(published, data, message):
    response = Client().post(f"/council/hall/bulletins/{published.pk}/", _form(**data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Opinion.objects.count() == 0


def test_a_signed_in_member_is_recorded_as_author_but_not_shown(published, users, client_as):
    response = client_as(users["member"]).post(f"/council/hall/bulletins/{published.pk}/", _form(author_name="", phone=""))
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.author == users["member"]
    Opinion.objects.filter(pk=opinion.pk).update(moderation="shown")
    html = Client().get(f"/council/hall/bulletins/{published.pk}/").content.decode()
    assert "建议在村口增设停车位" in html and "李党员" not in html


def test_a_bulletin_says_its_progress_was_at_publishing_and_gives_the_projects_now(published, hall_project, users):
    """Published at 50%; the road is finished afterwards (100%): the page names both, not a bare "进度 50%"."""
    html = Client().get(f"/council/hall/bulletins/{published.pk}/").content.decode()
    assert '<span class="small text-nowrap" id="bulletin-progress">通报时进度 50%</span>' in html
    assert 'id="project-progress"' not in html
    road = hall_project.milestones.get(title="村道硬化")
    milestone_done(milestone=road, by=users["secretary_a"], on=dt.date(2026, 11, 20))
    html = Client().get(f"/council/hall/bulletins/{published.pk}/").content.decode()
    assert '<span class="small text-nowrap" id="bulletin-progress">通报时进度 50%</span>' in html
    assert '<div class="small mb-2" id="project-progress">项目当前进度 100%（下方项目节点为当前完成情况）</div>' in html
    assert "当前进度 100%" in Client().get("/council/hall/").content.decode()
