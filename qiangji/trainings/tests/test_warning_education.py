"""警示教育 batches: the town sends members in batches to a site; attendance credits the batch's
hours once, and a member is sent in one batch of the year's programme only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.members.models import Member
from qiangji.trainings.models import Attendance, Session, Training, WarningBatch
from qiangji.trainings.selectors import hours_report, member_hours
from qiangji.trainings.services import warning_batch_attendance, warning_batch_create

DAY = dt.date(2026, 6, 12)


@pytest.fixture(autouse=True)
def _today(freeze_day):
    freeze_day("2026-11-25")


def state():
    return (
        list(WarningBatch.objects.order_by("id").values_list("number", "site")),
        list(Attendance.objects.order_by("id").values_list("member_id", "present")),
        Training.objects.count(),
        Session.objects.count(),
    )


@pytest.fixture
def people(town, users):
    return {
        "li": Member.objects.get(name="李党员"),
        "zhao": f.member(organization=town["branch_a1"], name="赵一"),
        "qian": f.member(organization=town["branch_a2"], name="钱二"),
        "sun": f.member(organization=town["branch_b"], name="孙三"),
    }


def batch(users, town, people, *, by="town_admin", orgs=("village_a",), names=("li", "zhao", "qian"), day=DAY, **kw):
    return warning_batch_create(
        by=users[by],
        root=town["town"],
        site="区廉政教育基地",
        date=day,
        hours=Decimal("3"),
        organizations=[town[o] for o in orgs],
        members=[people[n] for n in names],
        **kw,
    )


def test_attendance_counts_the_hours_once(users, town, people):
    first = batch(users, town, people)
    second = batch(users, town, people, orgs=("branch_b",), names=("sun",), day=DAY + dt.timedelta(days=7))
    assert (first.number, second.number, first.training_id == second.training_id) == (1, 2, True)
    assert first.training.name == "2026年警示教育现场教学"
    assert first.training.kind == "warning_education"
    warning_batch_attendance(batch=first, by=users["town_admin"], present_ids={people["li"].pk, people["zhao"].pk}, today=DAY)
    # Recording the same batch again is a correction, not a second credit.
    warning_batch_attendance(batch=first, by=users["town_admin"], present_ids={people["li"].pk, people["zhao"].pk}, today=DAY)
    assert member_hours(member=people["li"], year=2026)["total"] == Decimal("3.0")
    assert member_hours(member=people["qian"], year=2026)["total"] == Decimal("0")
    report = hours_report(user=users["town_admin"], organization=town["village_a"], year=2026)
    assert sorted((m.name, m.hours) for m in report["members"]) == [
        ("李党员", Decimal("3.0")),
        ("赵一", Decimal("3.0")),
        ("钱二", Decimal("0.0")),
    ]


def test_a_member_goes_in_one_batch_of_the_year(users, town, people):
    batch(users, town, people)
    before = state()
    with pytest.raises(DomainError) as error:
        batch(users, town, people, names=("zhao", "sun"), orgs=("village_a", "branch_b"))
    assert error.value.message == "赵一（第1批次）已安排参加本年度警示教育，每名党员只参加一次"
    assert state() == before
    skipped = batch(users, town, people, names=("zhao", "sun"), orgs=("village_a", "branch_b"), skip_sent=True)
    assert (skipped.number, skipped.skipped, list(skipped.members.values_list("name", flat=True))) == (2, 1, ["孙三"])


@pytest.mark.parametrize("role", ["secretary_a", "liaison", "member", "visitor"])
def test_only_the_town_admin_organizes_batches(users, town, people, role):
    before = state()
    with pytest.raises(PermissionDenied):
        batch(users, town, people, by=role)
    assert state() == before
    made = batch(users, town, people)
    before = state()
    with pytest.raises(PermissionDenied):
        warning_batch_attendance(batch=made, by=users[role], present_ids={people["li"].pk}, today=DAY)
    assert state() == before


def test_bad_batches_change_nothing(users, town, people):
    made = batch(users, town, people)
    before = state()
    for kwargs, message in [
        ({"names": ("sun",)}, "参加党员应属于所选党组织"),
        ({"orgs": ()}, "请选择参加的党组织"),
    ]:
        with pytest.raises(DomainError) as error:
            batch(users, town, people, **kwargs)
        assert error.value.message == message
    with pytest.raises(DomainError) as error:
        warning_batch_attendance(batch=made, by=users["town_admin"], present_ids={people["sun"].pk}, today=DAY)
    assert error.value.message == "出席名单中有未安排在本批次的党员"
    assert state() == before


@pytest.mark.parametrize(
    ("role", "list_status", "create_status"),
    [
        ("town_admin", 200, 200),
        ("secretary_a", 200, 404),
        ("liaison", 200, 404),
        ("member", 404, 404),
        ("visitor", 404, 404),
        ("anonymous", 302, 302),
    ],
)
def test_pages_per_role(client_as, users, town, people, role, list_status, create_status):
    made = batch(users, town, people)
    client = client_as(users[role])
    assert client.get(reverse("trainings:warning_list"), {"year": 2026}).status_code == list_status
    assert client.get(reverse("trainings:warning_detail", args=[made.pk])).status_code == list_status
    assert client.get(reverse("trainings:warning_create")).status_code == create_status
    if role != "town_admin":
        before = state()
        client.post(reverse("trainings:warning_detail", args=[made.pk]), {"present": [people["li"].pk]})
        assert state() == before


def test_town_admin_arranges_a_batch_and_records_who_went(client_as, users, town, people, django_assert_num_queries):
    client = client_as(users["town_admin"])
    data = {
        "site": "区廉政教育基地",
        "date": DAY.isoformat(),
        "hours": "2.5",
        "topic": "",
        "organizations": [town["branch_a1"].pk],
    }
    response = client.post(reverse("trainings:warning_create"), data)
    made = WarningBatch.objects.get()
    assert response.status_code == 302
    assert sorted(made.members.values_list("name", flat=True)) == ["李党员", "赵一"]
    assert (made.session.topic, made.session.place, made.session.hours) == (
        "警示教育现场教学（第1批次）",
        "区廉政教育基地",
        Decimal("2.5"),
    )
    response = client.post(reverse("trainings:warning_detail", args=[made.pk]), {"present": [people["zhao"].pk]})
    assert response.status_code == 302
    assert member_hours(member=people["zhao"], year=2026)["total"] == Decimal("2.5")
    assert member_hours(member=people["li"], year=2026)["total"] == Decimal("0")
    # The same organizations again: everyone went already, nothing is arranged.
    before = state()
    response = client.post(reverse("trainings:warning_create"), data)
    assert response.context["form"].errors == {"organizations": ["所选党组织没有可安排的党员（已参加前面批次的不再安排）"]}
    assert state() == before
    response = client.post(reverse("trainings:warning_create"), {**data, "site": " ", "hours": "30"})
    assert response.context["form"].errors == {"site": ["请填写教育基地。"], "hours": ["学时应在0.5至24之间。"]}
    assert state() == before
    with django_assert_num_queries(8) as ctx:
        page = client.get(reverse("trainings:warning_list"), {"year": 2026})
    assert "2026年共1批次，安排党员2人次，实到1人次。" in page.content.decode()
    batch(users, town, people, orgs=("branch_b",), names=("sun",))
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(reverse("trainings:warning_list"), {"year": 2026})


@pytest.fixture
def api(api_as, users):
    def make(role, method, path, body=None, params=None):
        return api_as(users[role]).request(method, f"/trainings/warning-batches{path}", body, params=params)

    return make


def test_api_batches(api, users, town, people):
    body = {"site": "区廉政教育基地", "date": DAY.isoformat(), "hours": "3", "organizations": [town["village_a"].pk]}
    before = state()
    assert api("secretary_a", "post", "", body).status_code == 403
    response = api("town_admin", "post", "", {**body, "members": [people["sun"].pk]})
    assert response.status_code == 422 and response.json()["errors"] == {"members": ["参加党员应属于所选党组织。"]}
    response = api("town_admin", "post", "", {**body, "site": ""})
    assert response.status_code == 422 and response.json()["errors"] == {"site": ["请填写教育基地。"]}
    assert state() == before
    response = api("town_admin", "post", "", {**body, "members": [people["li"].pk, people["qian"].pk]})
    assert response.status_code == 201
    made = response.json()
    assert (made["number"], made["member_count"], made["present_count"], made["hours"], made["organizations"]) == (
        1,
        2,
        0,
        "3.0",
        ["东村党总支"],
    )
    assert sorted((m["member_name"], m["present"]) for m in made["members"]) == [("李党员", None), ("钱二", None)]
    response = api("town_admin", "post", "", {**body, "members": [people["li"].pk]})
    assert response.status_code == 409
    assert response.json()["detail"] == "李党员（第1批次）已安排参加本年度警示教育，每名党员只参加一次"
    before = state()
    assert api("liaison", "post", f"/{made['id']}/attendance", {"present": [people["li"].pk]}).status_code == 403
    assert state() == before
    response = api("town_admin", "post", f"/{made['id']}/attendance", {"present": [people["li"].pk]})
    assert response.status_code == 200 and response.json()["present_count"] == 1
    assert member_hours(member=people["li"], year=2026)["total"] == Decimal("3.0")
    listed = api("secretary_b", "get", "", params={"year": 2026}).json()["items"]
    assert [(b["number"], b["member_count"], b["present_count"]) for b in listed] == [(1, 2, 1)]
    assert api("member", "get", "").status_code == 403
    assert api("town_admin", "get", "/999999").status_code == 404
