"""Two people at the same moment, for real: two threads, each with its own database connection,
both read before either writes (a barrier), then both write through the services.

Only PostgreSQL has the row locks this is about (SQLite locks the whole file, so the race these
tests provoke cannot happen there).
"""

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant
from qiangji.core.concurrency import StaleEdit
from qiangji.core.errors import DomainError
from qiangji.ledger.models import Problem, ProblemEvent
from qiangji.ledger.services import problem_register, problem_start
from qiangji.members.models import Member, Transfer
from qiangji.members.services import member_transfer, member_update

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row locks (SELECT ... FOR UPDATE) are PostgreSQL's; run with DATABASE_URL=postgres://…",
    ),
]


def race(*steps: Callable[[Any], Any], read: Callable[[], Any]) -> list[Any]:
    """Run each step in its own thread on what `read` returns; both read first (barrier), then
    both write. Returns each step's result, or the exception it raised."""
    barrier = threading.Barrier(len(steps))
    results: list[Any] = [None] * len(steps)

    def run(i: int, step: Callable[[Any], Any]) -> None:
        try:
            obj = read()
            barrier.wait(timeout=10)
            results[i] = step(obj)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(steps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def zhang(town, users):
    return f.member(organization=town["branch_a1"], name="张三", phone="13912345678", birth=dt.date(1970, 1, 1))


def _edit(user, **changes):
    def step(member):
        data = {name: getattr(member, name) for name in Member.HISTORY_FIELDS}
        return member_update(member=member, by=user, data={**data, **changes}, expected_version=member.version)

    return step


def test_member_edit_against_edit_one_wins_the_other_is_refused(zhang, users):
    results = race(
        _edit(users["secretary_a"], phone="13900000001"),
        _edit(users["town_admin"], education="bachelor"),
        read=lambda: Member.objects.get(pk=zhang.pk),
    )
    refused = [r for r in results if isinstance(r, StaleEdit)]
    saved = [r for r in results if isinstance(r, Member)]
    assert (len(saved), len(refused)) == (1, 1)
    assert refused[0].current["version"] == 2
    zhang.refresh_from_db()
    winner = (zhang.phone, zhang.education, zhang.version)
    assert winner in [("13900000001", "high_school", 2), ("13912345678", "bachelor", 2)]
    assert saved[0].phone == zhang.phone and saved[0].education == zhang.education


def test_member_edit_against_transfer_never_undoes_the_transfer(zhang, users, town):
    def transfer(member):
        return member_transfer(member=member, to=town["branch_a2"], by=users["town_admin"], on=dt.date(2025, 3, 1))

    results = race(
        _edit(users["secretary_a"], phone="13900000001"),
        transfer,
        read=lambda: Member.objects.get(pk=zhang.pk),
    )
    assert isinstance(results[1], Transfer)
    zhang.refresh_from_db()
    assert (zhang.organization_id, zhang.version) == (town["branch_a2"].pk, 3 if isinstance(results[0], Member) else 2)
    if isinstance(results[0], StaleEdit):  # the transfer came first: the edit is refused
        assert zhang.phone == "13912345678"
    else:  # the edit came first: the transfer then moved the edited member
        assert zhang.phone == "13900000001"


def test_two_state_moves_at_once_one_applies_the_other_is_refused_by_its_result(town, users):
    owner = f.UserFactory(username="sec_a1", display_name="一支部书记")
    f.grant(owner, RoleGrant.Role.SECRETARY, town["branch_a1"], title="书记")
    problem = problem_register(
        by=users["town_admin"],
        data={
            "source": Problem.Source.VISIT_TALK,
            "organization": town["branch_a1"],
            "description": "党员活动室长期闲置",
            "owner": owner,
            "deadline": dt.date(2026, 6, 19),
        },
        today=dt.date(2026, 5, 20),
    )
    results = race(
        lambda p: problem_start(problem=p, by=owner),
        lambda p: problem_start(problem=p, by=users["secretary_a"]),
        read=lambda: Problem.objects.get(pk=problem.pk),
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len([r for r in results if isinstance(r, Problem)]) == 1
    assert [str(r) for r in refused] == ["问题当前状态为“整改中”，不能开始整改"]
    problem.refresh_from_db()
    events = ProblemEvent.objects.filter(problem=problem).exclude(action="register")
    assert (problem.state, list(events.values_list("action", "from_state", "to_state"))) == (
        "in_progress",
        [("start", "registered", "in_progress")],
    )
