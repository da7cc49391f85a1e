"""The reporter follows their report with its 受理编号, without logging in: state and reply shown,
an unknown number answered alike, nothing personal on the page, look-ups rate limited."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiangji.core.models import PublicLookup
from qiangji.ledger.models import PublicReport
from qiangji.ledger.services import public_report_accept, public_report_reject, public_report_submit

STATUS = reverse("ledger:public_report_status")
TEXT = "村里的党员活动室一直锁着门，想去看书都进不去"
NOT_FOUND = "未查到该编号，请核对后重新输入。"
PERSONAL = ("王阿姨", "13812345678", "138****5678", "5678")


@pytest.fixture
def report(town):
    return public_report_submit(
        data={"description": TEXT, "village": town["village_a"].village, "name": "王阿姨", "phone": "13812345678"},
        client_hash="x",
    )


def look(number, ip="10.0.0.8"):
    return Client().get(STATUS, {"number": number}, REMOTE_ADDR=ip)


def test_the_page_opens_without_logging_in(db):
    response = Client().get(STATUS)
    assert response.status_code == 200
    assert 'name="number"' in response.content.decode()
    assert PublicLookup.objects.count() == 0  # opening the page is not a look-up


def test_a_pending_report_shows_its_state_and_nothing_personal(report):
    response = look(report.reference.lower())  # typed in lower case, read alike
    body = response.content.decode()
    assert response.status_code == 200
    assert f"受理编号 {report.reference}" in body
    assert '<span class="badge text-bg-primary" id="status-state">待受理</span>' in body
    for personal in PERSONAL:
        assert personal not in body


def test_an_accepted_report_shows_the_problem_in_progress(report, users, owner, town):
    deadline = timezone.localdate() + dt.timedelta(days=20)
    data = {"organization": town["branch_a1"], "owner": owner, "deadline": deadline}
    problem = public_report_accept(report=report, by=users["town_admin"], data=data)
    body = look(report.reference).content.decode()
    assert '<span class="badge text-bg-primary" id="status-state">已受理，整改中</span>' in body
    assert problem.number in body and f"{deadline:%Y-%m-%d}" in body
    for personal in (*PERSONAL, str(owner)):
        assert personal not in body


def test_a_declined_report_shows_the_reply(report, users):
    public_report_reject(report=report, by=users["town_admin"], reply="该事项属村务管理，已转村委会办理。")
    body = look(report.reference).content.decode()
    assert '<span class="badge text-bg-primary" id="status-state">不予受理</span>' in body
    assert '<dd class="col-8" id="status-answer">该事项属村务管理，已转村委会办理。</dd>' in body


@pytest.mark.parametrize("number", ["20260101-ABCDEF", "1", "<script>", "x" * 200])
def test_an_unknown_number_gets_one_answer(report, number):
    response = look(number)
    assert response.status_code == 200
    body = response.content.decode()
    assert NOT_FOUND in body
    assert 'id="status-result"' not in body and TEXT not in body


def test_look_ups_are_rate_limited_per_address(report, settings):
    settings.PUBLIC_LOOKUPS_PER_HOUR = 2
    assert [look("20260101-AAAAAA").status_code for _ in range(2)] == [200, 200]
    refused = look(report.reference)
    assert refused.status_code == 429
    assert "查询过于频繁，请一小时后再试。" in refused.content.decode()
    assert TEXT not in refused.content.decode()
    assert look(report.reference, ip="10.0.0.9").status_code == 200  # another address counts apart
    assert PublicLookup.objects.count() == 3
    assert PublicReport.objects.get().state == PublicReport.State.PENDING
