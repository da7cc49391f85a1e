"""The public report page (no login, rate limited, confirmation only) and the town's acceptance."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiangji import factories as f
from qiangji.ledger.models import Problem, PublicReport
from qiangji.ledger.services import public_report_submit

REPORT = reverse("ledger:public_report")
TEXT = "村里的党员活动室一直锁着门，想去看书都进不去"


def post_report(client, **overrides):
    ip = overrides.pop("ip", "10.0.0.8")
    data = {"description": TEXT, "village": "", "name": "", "phone": "", "website": "", **overrides}
    return client.post(REPORT, data, REMOTE_ADDR=ip)


@pytest.fixture
def village(town):
    return town["village_a"].village


@pytest.fixture
def pending(village):
    return public_report_submit(
        data={"description": TEXT, "village": village, "name": "王阿姨", "phone": "13812345678"}, client_hash="x"
    )


def test_anyone_can_open_the_report_page_without_logging_in(db, village):
    response = Client().get(REPORT)
    assert response.status_code == 200
    assert "向镇党委反映问题" in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert [v.name for v in response.context["form"].fields["village"].queryset] == ["东村"]


def test_a_report_is_taken_and_only_its_reference_is_shown(db, village, register):
    existing = register()  # ledger data that must never show on the public side
    client = Client()
    response = post_report(client, village=village.pk, name="王阿姨", phone="138 1234 5678")
    assert response.status_code == 302
    assert response.url == reverse("ledger:public_report_done")
    report = PublicReport.objects.get()
    assert (report.description, report.village, report.name, report.phone) == (TEXT, village, "王阿姨", "13812345678")
    assert report.state == PublicReport.State.PENDING
    assert report.problem is None
    assert Problem.objects.count() == 1  # a report is not a problem until the town accepts it
    done = client.get(response.url)
    body = done.content.decode()
    assert done.status_code == 200
    assert report.reference in body
    for leak in (existing.number, existing.description, TEXT, "王阿姨", "13812345678", "东村第一党支部"):
        assert leak not in body
    assert "inbox_unread" not in done.context or not done.context["inbox_unread"]


def test_the_confirmation_page_without_a_report_goes_back_to_the_form(db):
    response = Client().get(reverse("ledger:public_report_done"))
    assert response.status_code == 302
    assert response.url == REPORT


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"description": "太短了"}, "description", "请把问题描述清楚（至少5个字）"),
        ({"description": ""}, "description", "反映的问题未填写"),
        ({"phone": "12345"}, "phone", "联系电话应为11位手机号，或带区号的固定电话"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(db, overrides, field, message):
    response = post_report(Client(), **overrides)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert PublicReport.objects.count() == 0


def test_a_filled_honeypot_writes_nothing(db):
    response = post_report(Client(), website="http://spam.example")
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["提交未成功，请刷新页面后重新填写。"]
    assert PublicReport.objects.count() == 0


def test_the_sixth_report_within_an_hour_from_one_client_is_refused_with_429(db):
    client = Client()
    for _ in range(5):
        assert post_report(client).status_code == 302
    response = post_report(client)
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == ["提交过于频繁，请一小时后再试"]
    assert PublicReport.objects.count() == 5
    # Another client is not held back by the first one's reports.
    assert post_report(Client(), ip="10.0.0.9").status_code == 302
    assert PublicReport.objects.count() == 6


def test_a_report_without_the_csrf_token_is_refused(db):
    response = Client(enforce_csrf_checks=True).post(REPORT, {"description": TEXT})
    assert response.status_code == 403
    assert PublicReport.objects.count() == 0


# The town's acceptance ---------------------------------------------------------------------------


def handle_urls(pk):
    return [
        ("get", reverse("ledger:public_reports")),
        ("get", reverse("ledger:public_report_handle", args=[pk])),
        ("post", reverse("ledger:public_report_accept", args=[pk])),
        ("post", reverse("ledger:public_report_reject", args=[pk])),
    ]


@pytest.mark.parametrize("role", ["liaison", "secretary_a", "secretary_b", "member", "visitor"])
def test_only_the_town_handles_reports_others_get_404(client_as, users, pending, role):
    client = client_as(users[role])
    for method, url in handle_urls(pending.pk):
        assert getattr(client, method)(url, {"reply": "不属于党建问题"}).status_code == 404
    pending.refresh_from_db()
    assert pending.state == PublicReport.State.PENDING


def test_anonymous_is_sent_to_login_for_the_town_pages(client_as, pending):
    client = client_as(None)
    for method, url in handle_urls(pending.pk):
        response = getattr(client, method)(url, {"reply": "不属于党建问题"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    pending.refresh_from_db()
    assert pending.state == PublicReport.State.PENDING


def test_the_town_sees_pending_reports_with_the_phone_masked(client_as, users, pending, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), count, reports, the bell's unread count.
    with django_assert_num_queries(8):
        response = client.get(reverse("ledger:public_reports"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "138****5678" in body and "13812345678" not in body
    for i in range(6):
        public_report_submit(data={"description": f"第{i}个反映的问题内容"}, client_hash=f"h{i}")
    with django_assert_num_queries(8):
        response = client.get(reverse("ledger:public_reports"))
    assert response.context["page"].paginator.count == 7


def test_the_town_accepts_a_report_as_a_registered_problem_from_the_public(client_as, users, town, pending, owner):
    client = client_as(users["town_admin"])
    page = client.get(reverse("ledger:public_report_handle", args=[pending.pk]))
    assert page.context["accept_form"].initial == {"description": TEXT, "village": pending.village_id}
    deadline = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        reverse("ledger:public_report_accept", args=[pending.pk]),
        {
            "description": TEXT,
            "village": pending.village_id,
            "organization": town["branch_a1"].pk,
            "owner": owner.pk,
            "deadline": deadline.isoformat(),
            "category": "阵地建设",
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ledger:problem_detail", args=[problem.pk])
    assert (problem.source, problem.state, problem.organization, problem.owner) == (
        Problem.Source.PUBLIC,
        Problem.State.REGISTERED,
        town["branch_a1"],
        owner,
    )
    assert (problem.description, problem.village, problem.deadline, problem.category) == (
        TEXT,
        pending.village,
        deadline,
        "阵地建设",
    )
    pending.refresh_from_db()
    assert (pending.state, pending.problem, pending.handled_by) == (PublicReport.State.ACCEPTED, problem, users["town_admin"])
    assert list(problem.events.values_list("action", flat=True)) == ["register"]
    # Accepted once: a second attempt is refused and registers nothing more.
    again = client.post(
        reverse("ledger:public_report_accept", args=[pending.pk]),
        {"description": TEXT, "organization": town["branch_a1"].pk, "owner": owner.pk, "deadline": deadline.isoformat()},
    )
    assert again.status_code == 400
    assert again.context["accept_form"].non_field_errors() == ["该反映已处理（已受理），不能重复处理"]
    assert Problem.objects.count() == 1


def test_an_acceptance_with_a_past_deadline_is_refused_and_changes_nothing(client_as, users, town, pending, owner):
    response = client_as(users["town_admin"]).post(
        reverse("ledger:public_report_accept", args=[pending.pk]),
        {
            "description": TEXT,
            "organization": town["branch_a1"].pk,
            "owner": owner.pk,
            "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["accept_form"].errors["deadline"] == ["整改期限不能早于挂号日期"]
    assert Problem.objects.count() == 0
    pending.refresh_from_db()
    assert pending.state == PublicReport.State.PENDING


def test_the_town_declines_a_report_with_a_reply(client_as, users, pending):
    client = client_as(users["town_admin"])
    url = reverse("ledger:public_report_reject", args=[pending.pk])
    refused = client.post(url, {"reply": "  "})
    assert refused.status_code == 400
    assert refused.context["reject_form"].errors["reply"] == ["不予受理的理由未填写"]
    pending.refresh_from_db()
    assert pending.state == PublicReport.State.PENDING
    response = client.post(url, {"reply": "该事项属物业管理，已转居委会处理"})
    assert response.status_code == 302
    assert response.url == reverse("ledger:public_reports")
    pending.refresh_from_db()
    assert (pending.state, pending.reply, pending.handled_by) == (
        PublicReport.State.REJECTED,
        "该事项属物业管理，已转居委会处理",
        users["town_admin"],
    )
    assert Problem.objects.count() == 0
    assert client.get(reverse("ledger:public_reports")).context["page"].paginator.count == 0


@pytest.mark.parametrize(
    "name, args",
    [
        ("grades", []),
        ("grade_levels", []),
        ("plans", []),
        ("stats", []),
        ("public_reports", []),
        ("problem_list", []),
        ("mechanism_list", []),
    ],
)
def test_anonymous_reaches_no_other_ledger_page(client_as, name, args):
    response = client_as(None).get(reverse(f"ledger:{name}", args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_registered_problem_is_not_reachable_anonymously(client_as, register):
    problem = register()
    response = client_as(None).get(reverse("ledger:problem_detail", args=[problem.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_village_outside_the_list_is_refused(db, town):
    other = f.VillageFactory(name="西村")
    response = post_report(Client(), village=other.pk + 100)
    assert response.status_code == 400
    assert PublicReport.objects.count() == 0


def test_a_session_held_at_the_account_gate_still_opens_the_public_page(client_as, users):
    admin = users["town_admin"]
    admin.must_change_password = True
    admin.save()
    client = client_as(admin)
    assert client.get(REPORT).status_code == 200
    gated = client.get(reverse("ledger:public_reports"))
    assert gated.status_code == 302
    assert gated.url == reverse("accounts:password_change") + "?temporary=1"
