"""Whoever left an opinion in the hall follows it by its receipt number, without logging in:
handling state and public answer, an unknown number answered alike, nothing personal."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from qiangji.core.models import PublicLookup
from qiangji.council.models import Opinion
from qiangji.council.services import opinion_move

pytestmark = pytest.mark.django_db
STATUS = "/council/hall/status/"
NOT_FOUND = "未查到该编号，请核对后重新输入。"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_the_writer_gets_a_receipt_and_follows_the_opinion(published, users):
    client = Client(REMOTE_ADDR="10.1.1.1")
    data = {"content": "建议在村口增设停车位", "author_name": "张阿姨", "phone": "13912345678", "website": ""}
    response = client.post(f"/council/hall/bulletins/{published.pk}/", data, follow=True)
    opinion = Opinion.objects.get()
    assert re.fullmatch(r"YJ-[2-9A-HJKMNP-Z]{10}", opinion.receipt)
    thanks = response.content.decode()
    assert f'<strong id="opinion-receipt" class="fs-5">{opinion.receipt}</strong>' in thanks
    assert f'href="/council/hall/status/?number={opinion.receipt}"' in thanks

    page = client.get(STATUS, {"number": opinion.receipt}).content.decode()
    assert f'<span class="badge text-bg-primary" id="status-state">{opinion.get_state_display()}</span>' in page
    assert "建议在村口增设停车位" in page and published.title in page
    assert "尚未答复" in page
    opinion_move(opinion=opinion, by=users["secretary_a"], action="answer", note="停车位已列入明年计划。")
    page = client.get(STATUS, {"number": opinion.receipt.lower()}).content.decode()
    state = Opinion.objects.get().get_state_display()
    assert f'<span class="badge text-bg-primary" id="status-state">{state}</span>' in page
    assert "停车位已列入明年计划。" in page
    for personal in ("张阿姨", "13912345678", "139****5678", "5678", "东村书记"):
        assert personal not in page


@pytest.mark.parametrize("number", ["YJ-AAAAAAAAAA", "1", "<b>x</b>"])
def test_an_unknown_number_gets_one_answer(opinions, number):
    response = Client().get(STATUS, {"number": number})
    assert response.status_code == 200
    body = response.content.decode()
    assert NOT_FOUND in body and 'id="status-result"' not in body


def test_an_opinion_without_a_receipt_is_not_found_by_a_blank(opinions):
    response = Client().get(STATUS, {"number": " "})
    assert response.status_code == 200 and 'id="status-result"' not in response.content.decode()
    assert PublicLookup.objects.count() == 0


def test_look_ups_are_rate_limited(opinions, settings):
    settings.PUBLIC_LOOKUPS_PER_HOUR = 1
    client = Client(REMOTE_ADDR="10.2.2.2")
    assert NOT_FOUND in client.get(STATUS, {"number": "YJ-AAAAAAAAAA"}).content.decode()
    refused = client.get(STATUS, {"number": opinions["shown"].receipt})
    assert refused.status_code == 429
    assert "查询过于频繁，请一小时后再试。" in refused.content.decode()
    assert "建议河边增设护栏" not in refused.content.decode()
