"""Ledger fixtures: the owner of branch A1's problems and a helper that registers one."""

import datetime as dt

import pytest

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant
from qiangji.ledger.models import Problem
from qiangji.ledger.services import problem_register

TODAY = dt.date(2026, 5, 20)


@pytest.fixture
def owner(town, users):
    """Secretary of branch A1: the usual responsible person; sec_a (general branch) is above."""
    user = f.UserFactory(username="sec_a1", display_name="一支部书记")
    f.grant(user, RoleGrant.Role.SECRETARY, town["branch_a1"], title="书记")
    return user


@pytest.fixture
def register(town, users, owner):
    """register(**overrides) → a problem registered by the town admin on TODAY."""

    def make(*, by=None, today=TODAY, **data) -> Problem:
        fields = {
            "source": Problem.Source.VISIT_TALK,
            "organization": town["branch_a1"],
            "description": "党员活动室长期闲置，群众反映开放时间不固定",
            "owner": owner,
            "deadline": today + dt.timedelta(days=30),
            **data,
        }
        return problem_register(by=by or users["town_admin"], data=fields, today=today)

    return make
