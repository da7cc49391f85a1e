"""Training pages: who may open what, and writes that change exactly what they say."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qiangji import factories as f
from qiangji.core.models import AuditEvent
from qiangji.trainings.models import Attendance, Enrolment, HoursRequirement, Session, Training
from qiangji.trainings.tests.conftest import attend


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("town_admin", 200),
        ("liaison", 200),
        ("secretary_a", 200),
        ("secretary_b", 200),
        ("member", 200),
        ("visitor", 404),
        ("anonymous", 302),
    ],
)
def test_list_per_role(client_as, users, training, role, status):
    response = client_as(users[role]).get(reverse("trainings:list"))
    assert response.status_code == status


def test_member_sees_only_trainings_they_are_enrolled_in(client_as, users, people, training):
    assert list(client_as(users["member"]).get(reverse("trainings:list")).context["page"]) == []
    attend(training.sessions.first(), people["li"])
    assert [t.name for t in client_as(users["member"]).get(reverse("trainings:list")).context["page"]] == ["2025年党员集中轮训"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 200), ("member", 404), ("visitor", 404)],
)
def test_detail_per_role(client_as, users, training, role, status):
    assert client_as(users[role]).get(reverse("trainings:detail", args=[training.pk])).status_code == status


def test_list_query_count_does_not_grow(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])

    def make(n):
        for i in range(n):
            t = Training.objects.create(name=f"专题班{i}", kind=Training.Kind.THEMED_CLASS, organization=town["town"])
            Session.objects.create(training=t, date=dt.date(2025, 1, 1), hours=2, topic="课")

    make(3)
    client.get(reverse("trainings:list"))
    with django_assert_num_queries(8):
        client.get(reverse("trainings:list"))
    make(17)
    with django_assert_num_queries(8):
        assert len(client.get(reverse("trainings:list")).context["page"]) == 20


@pytest.mark.parametrize(("role", "status"), [("town_admin", 302), ("secretary_a", 404), ("liaison", 404), ("member", 404)])
def test_create_only_town_admin(client_as, users, town, role, status):
    data = {"name": "村居书记主体班", "kind": "themed_class", "organization": town["town"].pk}
    response = client_as(users[role]).post(reverse("trainings:create"), data)
    assert response.status_code == status
    assert Training.objects.filter(name="村居书记主体班").count() == (1 if status == 302 else 0)


def test_create_invalid_changes_nothing(client_as, users, town):
    response = client_as(users["town_admin"]).post(reverse("trainings:create"), {"name": "", "kind": "bogus"})
    assert response.status_code == 200 and response.context["form"].errors
    assert Training.objects.count() == 0


def test_session_add_by_manager_only(client_as, users, training):
    data = {"date": "2025-09-01", "hours": "4", "topic": "“头雁提质”", "place": "镇党校", "teacher": "王老师"}
    assert client_as(users["secretary_a"]).post(reverse("trainings:session_add", args=[training.pk]), data).status_code == 404
    assert training.sessions.count() == 2
    assert client_as(users["town_admin"]).post(reverse("trainings:session_add", args=[training.pk]), data).status_code == 302
    assert training.sessions.filter(topic="“头雁提质”", hours=Decimal("4"), teacher="王老师").count() == 1
    bad = client_as(users["town_admin"]).post(reverse("trainings:session_add", args=[training.pk]), {**data, "hours": "0"})
    assert bad.status_code == 422 and training.sessions.count() == 3


def test_secretary_enrols_own_subtree_only(client_as, users, town, people, training):
    url = reverse("trainings:enrol", args=[training.pk])
    assert client_as(users["secretary_a"]).post(url, {"organization": town["village_a"].pk}).status_code == 302
    assert sorted(training.enrolments.values_list("member__name", flat=True)) == ["李党员", "赵书记"]
    denied = client_as(users["secretary_a"]).post(url, {"member": people["wang"].pk})
    assert denied.status_code == 422 and training.enrolments.count() == 2
    # Enrolling again adds nobody twice.
    assert client_as(users["town_admin"]).post(url, {"organization": town["town"].pk}).status_code == 302
    assert training.enrolments.count() == 3
    assert client_as(users["liaison"]).post(url, {"member": people["li"].pk}).status_code == 404


def test_attendance_sheet_and_record(client_as, users, people, training):
    session = training.sessions.first()
    for m in people.values():
        Enrolment.objects.create(training=training, member=m)
    url = reverse("trainings:attendance", args=[session.pk])
    sheet = client_as(users["secretary_a"]).get(url).context["sheet"]
    assert [(m.name, p) for m, p in sheet] == [("李党员", None), ("赵书记", None)]
    response = client_as(users["secretary_a"]).post(url, {"present": [people["li"].pk]})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("member__name", "present")) == {"李党员": True, "赵书记": False}
    # Another secretary's member cannot be marked through this sheet.
    bad = client_as(users["secretary_a"]).post(url, {"present": [people["wang"].pk]})
    assert bad.status_code == 422
    assert dict(Attendance.objects.values_list("member__name", "present")) == {"李党员": True, "赵书记": False}


def test_future_session_cannot_be_marked_present(client_as, users, people, training):
    future = Session.objects.create(training=training, date=timezone.localdate() + dt.timedelta(days=3), hours=2, topic="将来")
    Enrolment.objects.create(training=training, member=people["li"])
    response = client_as(users["town_admin"]).post(
        reverse("trainings:attendance", args=[future.pk]), {"present": [people["li"].pk]}
    )
    assert response.status_code == 422 and "尚未举行" in response.content.decode()
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [("member", 404), ("liaison", 404), ("visitor", 404)])
def test_attendance_denied(client_as, users, training, role, status):
    assert client_as(users[role]).get(reverse("trainings:attendance", args=[training.sessions.first().pk])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("member", 404), ("visitor", 404), ("anonymous", 302)],
)
def test_hours_page_per_role(client_as, users, training, role, status):
    assert client_as(users[role]).get(reverse("trainings:hours")).status_code == status


def test_hours_page_outside_scope_is_404(client_as, users, town):
    url = reverse("trainings:hours") + f"?org={town['branch_b'].pk}&year=2025"
    assert client_as(users["secretary_a"]).get(url).status_code == 404


def test_hours_page_query_count(client_as, users, town, training, django_assert_num_queries):
    client = client_as(users["town_admin"])
    url = reverse("trainings:hours") + f"?org={town['town'].pk}&year=2025"
    session = training.sessions.first()
    attend(session, *[f.member(organization=town["branch_a1"], name=f"甲{i}") for i in range(2)])
    client.get(url)
    with django_assert_num_queries(10):
        assert len(client.get(url).context["members"]) == 3
    attend(session, *[f.member(organization=town["branch_b"], name=f"乙{i}") for i in range(27)])
    with django_assert_num_queries(10):
        assert len(client.get(url).context["members"]) == 30


def test_hours_export_is_audited(client_as, users, town, people, training):
    attend(training.sessions.first(), people["li"])
    response = client_as(users["town_admin"]).get(reverse("trainings:hours_export") + f"?org={town['town'].pk}&year=2025")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("姓名", "所在党组织", "党内职务", "已完成学时", "应达学时", "是否达标")
    assert rows[1] == ("李党员", "东村第一党支部", None, 20, 32, "否")
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).row_count == 3


def test_my_hours(client_as, users, people, training):
    attend(training.sessions.first(), people["li"])
    response = client_as(users["member"]).get(reverse("trainings:mine") + "?year=2025")
    assert (response.context["total"], response.context["required"]) == (Decimal("20.0"), 32)
    assert client_as(users["town_admin"]).get(reverse("trainings:mine")).status_code == 404


def test_requirements_editable_by_town_admin_only(client_as, users):
    url = reverse("trainings:requirements")
    assert client_as(users["secretary_a"]).post(url, {"member": 1, "leader": 1}).status_code == 404
    assert client_as(users["town_admin"]).post(url, {"member": 0, "leader": 56}).status_code == 200
    assert dict(HoursRequirement.objects.values_list("category", "hours")) == {"member": 32, "leader": 56}
    assert client_as(users["town_admin"]).post(url, {"member": 40, "leader": 60}).status_code == 302
    assert dict(HoursRequirement.objects.values_list("category", "hours")) == {"member": 40, "leader": 60}


def test_detail_query_count_does_not_grow(client_as, users, town, training, django_assert_num_queries):
    client = client_as(users["town_admin"])
    url = reverse("trainings:detail", args=[training.pk])
    for i in range(3):
        Enrolment.objects.create(training=training, member=f.member(organization=town["branch_a2"], name=f"丙{i}"))
    client.get(url)
    with django_assert_num_queries(13):
        assert len(client.get(url).context["page"]) == 3
    for i in range(27):
        Enrolment.objects.create(training=training, member=f.member(organization=town["branch_b"], name=f"丁{i}"))
    with django_assert_num_queries(13):
        assert len(client.get(url).context["page"]) == 30


def test_enrol_empty_organization_changes_nothing(client_as, users, town, training):
    empty = f.organization(name="空支部", parent=town["village_a"])
    response = client_as(users["secretary_a"]).post(reverse("trainings:enrol", args=[training.pk]), {"organization": empty.pk})
    assert response.status_code == 422 and "没有可报名的党员" in response.content.decode()
    assert Enrolment.objects.count() == 0


def test_enrolled_member_sees_the_training_and_only_themself(client_as, users, people, training):
    Enrolment.objects.create(training=training, member=people["li"])
    Enrolment.objects.create(training=training, member=people["wang"])
    response = client_as(users["member"]).get(reverse("trainings:detail", args=[training.pk]))
    assert [e.member.name for e in response.context["page"]] == ["李党员"]
    assert response.context["session_form"] is None and response.context["enrol_form"] is None


def test_create_page_renders_for_town_admin(client_as, users, town):
    response = client_as(users["town_admin"]).get(reverse("trainings:create"))
    assert response.status_code == 200 and response.context["form"].initial["organization"] == town["town"]


def test_the_example_name_is_of_this_year(client_as, users, town, freeze_day):
    freeze_day("2031-03-02")
    page = client_as(users["town_admin"]).get(reverse("trainings:create")).content.decode()
    assert "如：2031年和美乡村建设专题班、村居书记主体班、“头雁提质”培训" in page
