"""Long-term mechanism pages: the scoped list with its counts and filters, and recording one
against the problems it answers."""

import datetime as dt

import pytest
from django.utils import timezone

from qiangji.ledger.models import Mechanism, Problem, ProblemEvent
from qiangji.ledger.services import mechanism_record

LIST = "/ledger/mechanisms/"
NEW = "/ledger/mechanisms/new/"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def mechanisms(town, users):
    admin = users["town_admin"]

    def record(name, org, kind, day):
        return mechanism_record(by=admin, data={"name": name, "organization": org, "kind": kind, "effective_on": day})

    return [
        record("活动室开放制度", town["branch_a1"], "established", dt.date(2026, 3, 1)),
        record("村务公开月报制度", town["branch_a2"], "enforced", dt.date(2026, 4, 10)),
        record("企业党员联系群众制度", town["branch_b"], "established", dt.date(2026, 6, 5)),
    ]


@pytest.mark.parametrize(
    "role,status,names",
    [
        ("town_admin", 200, ["企业党员联系群众制度", "村务公开月报制度", "活动室开放制度"]),
        ("liaison", 200, ["村务公开月报制度", "活动室开放制度"]),
        ("secretary_a", 200, ["村务公开月报制度", "活动室开放制度"]),
        ("secretary_b", 200, ["企业党员联系群众制度"]),
        ("member", 404, None),
        ("visitor", 404, None),
    ],
)
def test_list_per_role(role, status, names, mechanisms, users, client_as):
    response = client_as(users[role]).get(LIST)
    assert response.status_code == status
    if names is not None:
        assert [m.name for m in response.context["page"]] == names


def test_list_anonymous_is_sent_to_login(client_as):
    assert client_as(None).get(LIST)["Location"].startswith("/accounts/login/")


def test_list_counts_and_filters(mechanisms, users, client_as, town):
    client = client_as(users["town_admin"])
    response = client.get(LIST)
    assert response.context["counts"] == {"total": 3, "established": 2, "enforced": 1}
    assert "建立或落实长效机制3个，其中建立2个、落实1个。" in response.content.decode()

    response = client.get(LIST, {"org": town["village_a"].pk, "from": "2026-04-01", "to": "2026-12-31"})
    assert [m.name for m in response.context["page"]] == ["村务公开月报制度"]
    assert response.context["counts"] == {"total": 1, "established": 0, "enforced": 1}

    response = client.get(LIST, {"kind": "established"})
    assert [m.name for m in response.context["page"]] == ["企业党员联系群众制度", "活动室开放制度"]
    assert response.context["counts"]["total"] == 3


def test_list_query_count_does_not_grow_with_rows(mechanisms, users, client_as, django_assert_num_queries, town):
    client = client_as(users["town_admin"])
    client.get(LIST)
    # session, user, scope (3), counts, page count, rows, organization choices, inbox bell
    with django_assert_num_queries(10):
        client.get(LIST)
    for i in range(4):
        mechanism_record(
            by=users["town_admin"],
            data={"name": f"制度{i}", "organization": town["branch_a1"], "kind": "enforced", "effective_on": dt.date(2026, 5, 1)},
        )
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert len(response.context["page"]) == 7


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 200), ("member", 404), ("visitor", 404)],
)
def test_create_page_per_role(role, status, users, client_as):
    assert client_as(users[role]).get(NEW).status_code == status


def test_create_from_a_long_term_problem(register, users, client_as, today, town):
    problem = register(today=today)
    Problem.objects.filter(pk=problem.pk).update(fix_kind=Problem.FixKind.LONG_TERM)
    client = client_as(users["secretary_a"])
    detail = client.get(f"/ledger/problems/{problem.pk}/").content.decode()
    assert f'href="/ledger/mechanisms/new/?problem={problem.pk}">关联长效机制</a>' in detail

    form = client.get(NEW, {"problem": problem.pk}).context["form"]
    assert form.initial["organization"] == town["branch_a1"].pk
    assert list(form.fields["problems"].queryset) == [problem]

    response = client.post(
        NEW,
        {
            "name": "活动室定时开放制度",
            "organization": town["branch_a1"].pk,
            "kind": "established",
            "effective_on": "2026-05-01",
            "description": "每周二、四、六开放",
            "problems": [problem.pk],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/problems/{problem.pk}/"
    mechanism = Mechanism.objects.get()
    assert (mechanism.name, mechanism.organization, mechanism.kind, mechanism.effective_on, mechanism.created_by) == (
        "活动室定时开放制度",
        town["branch_a1"],
        "established",
        dt.date(2026, 5, 1),
        users["secretary_a"],
    )
    assert list(mechanism.problems.all()) == [problem]
    assert ProblemEvent.objects.filter(problem=problem).latest("id").action == "mechanism"


def test_link_offered_only_for_long_term_problems(register, users, client_as, today):
    problem = register(today=today)
    html = client_as(users["secretary_a"]).get(f"/ledger/problems/{problem.pk}/").content.decode()
    assert "关联长效机制</a>" not in html


def test_create_from_an_invisible_problem_is_404(register, users, client_as, today):
    problem = register(today=today)
    assert client_as(users["secretary_b"]).get(NEW, {"problem": problem.pk}).status_code == 404


def test_create_refuses_problems_outside_the_organization(register, users, client_as, today, town):
    problem = register(today=today)
    response = client_as(users["town_admin"]).post(
        NEW,
        {
            "name": "企业制度",
            "organization": town["branch_b"].pk,
            "kind": "enforced",
            "effective_on": "2026-05-01",
            "problems": [problem.pk],
        },
    )
    assert response.status_code == 200
    assert "problems" in response.context["form"].errors
    assert Mechanism.objects.count() == 0


def test_create_bad_input_writes_nothing(users, client_as, town):
    response = client_as(users["town_admin"]).post(
        NEW, {"name": " ", "organization": town["branch_a1"].pk, "kind": "", "effective_on": "明天"}
    )
    errors = response.context["form"].errors
    assert (errors["name"], errors["kind"], errors["effective_on"]) == (
        ["机制名称未填写"],
        ["类型未填写"],
        ["输入一个有效的日期。"],
    )
    assert Mechanism.objects.count() == 0


def test_create_refuses_an_organization_outside_the_scope(users, client_as, town):
    response = client_as(users["secretary_b"]).post(
        NEW, {"name": "制度", "organization": town["branch_a1"].pk, "kind": "enforced", "effective_on": "2026-05-01"}
    )
    assert "organization" in response.context["form"].errors
    assert Mechanism.objects.count() == 0
