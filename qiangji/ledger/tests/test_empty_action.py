"""A problem step whose name is empty or unknown is not found; an empty form is refused; nothing moves."""

import pytest

from qiangji.ledger.forms.problems import ACTION_FORMS
from qiangji.ledger.models import Problem


@pytest.mark.parametrize("action", sorted(ACTION_FORMS))
def test_each_step_with_an_empty_form_answers_below_500(register, users, client_as, action):
    problem = register()
    state = problem.state
    response = client_as(users["town_admin"]).post(f"/ledger/problems/{problem.pk}/act/{action}/", {"action": ""})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert Problem.objects.get(pk=problem.pk).state == state


def test_an_unknown_step_is_not_found(register, users, client_as):
    problem = register()
    for path in ("act/-/", "act/x/", "act/fly/"):
        assert client_as(users["town_admin"]).post(f"/ledger/problems/{problem.pk}/{path}", {}).status_code == 404
    assert client_as(users["town_admin"]).post(f"/ledger/problems/{problem.pk}/act//", {}).status_code == 404
