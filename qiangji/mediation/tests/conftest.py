"""Two studios for the page and API tests: 东村's (secretary_a runs it, the liaison group sees it)
and the company's (secretary_b's), each with an open case."""

import datetime as dt

import pytest

from qiangji.mediation.models import MediationStudio, Mediator
from qiangji.mediation.services import case_open

OPENED = dt.date(2026, 10, 8)


@pytest.fixture(autouse=True)
def _after_the_cases_were_opened(freeze_day):
    """Cases open on OPENED and sittings follow it; no step may be dated after today."""
    freeze_day("2026-11-25")


@pytest.fixture
def studio_a(town):
    studio = MediationStudio.objects.create(name="东村老娘舅工作室", organization=town["village_a"], address="东村村委会二楼")
    Mediator.objects.create(studio=studio, name="陈老伯", title="老村干部")
    Mediator.objects.create(studio=studio, name="顾阿姨", title="退休教师")
    Mediator.objects.create(studio=studio, name="沈老师", title="退休教师", active=False)
    return studio


@pytest.fixture
def studio_b(town):
    studio = MediationStudio.objects.create(name="公司老舅妈工作室", organization=town["branch_b"])
    Mediator.objects.create(studio=studio, name="施大姐", title="工会主席")
    return studio


@pytest.fixture
def case_a(studio_a, users):
    return case_open(
        studio=studio_a,
        by=users["town_admin"],
        data={"parties": "张某某、李某某", "dispute": "宅基地边界围墙纠纷", "category": "邻里", "opened_on": OPENED},
        mediators=list(studio_a.mediators.filter(active=True)),
    )


@pytest.fixture
def case_b(studio_b, users):
    return case_open(
        studio=studio_b,
        by=users["town_admin"],
        data={"parties": "王某、赵某", "dispute": "加班工资结算争议", "category": "劳动", "opened_on": OPENED},
    )
