"""Course catalogue, quarterly batches, the delivery matrix and recording a course held with its
attendance; the hours then show on the trainings hours pages, once."""

import re
from decimal import Decimal

import pytest

from qiangji.positions.models import Course, CourseBatch, CourseDelivery
from qiangji.trainings.models import Attendance


@pytest.mark.parametrize(
    "role,status,form",
    [
        ("town_admin", 200, True),
        ("liaison", 200, False),
        ("secretary_a", 200, False),
        ("member", 404, None),
        ("visitor", 404, None),
    ],
)
def test_catalogue_per_role(courses, users, client_as, role, status, form):
    r = client_as(users[role]).get("/positions/courses/")
    assert r.status_code == status
    if status == 200:
        assert [c.title for c in r.context["courses"]] == ["党章学习", "新时代基层治理"]
        assert (r.context["form"] is not None) is form


def test_catalogue_query_count(courses, users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get("/positions/courses/")
    # session, user, scope (3), courses, inbox bell
    with django_assert_num_queries(7):
        client.get("/positions/courses/")


def test_add_edit_deactivate_course(courses, users, client_as):
    client = client_as(users["town_admin"])
    assert (
        client.post("/positions/courses/", {"title": "乡村振兴政策解读", "teacher": "区委党校", "hours": "3"}).status_code == 302
    )
    course = Course.objects.get(title="乡村振兴政策解读")
    assert course.hours == Decimal("3.0") and course.active
    assert (
        client.post(
            f"/positions/courses/{course.pk}/", {"title": "乡村振兴政策解读（2026版）", "teacher": "区委党校", "hours": "2.5"}
        ).status_code
        == 302
    )
    assert client.post(f"/positions/courses/{course.pk}/toggle/").status_code == 302
    course.refresh_from_db()
    assert (course.title, course.hours, course.active) == ("乡村振兴政策解读（2026版）", Decimal("2.5"), False)


def test_course_bad_or_denied_nothing_changed(courses, users, client_as):
    r = client_as(users["town_admin"]).post("/positions/courses/", {"title": "党章学习", "hours": "2"})
    assert r.status_code == 400 and "课程目录中已有“党章学习”" in r.content.decode()
    assert client_as(users["town_admin"]).post("/positions/courses/", {"title": "新课", "hours": "30"}).status_code == 400
    assert client_as(users["secretary_a"]).post("/positions/courses/", {"title": "新课", "hours": "2"}).status_code == 403
    assert client_as(users["secretary_a"]).post(f"/positions/courses/{courses[0].pk}/toggle/").status_code == 403
    assert client_as(users["secretary_a"]).get(f"/positions/courses/{courses[0].pk}/").status_code == 403
    assert client_as(users["member"]).post(f"/positions/courses/{courses[0].pk}/toggle/").status_code == 404
    assert Course.objects.count() == 2 and Course.objects.filter(active=True).count() == 2


@pytest.mark.parametrize(
    "role,status", [("town_admin", 200), ("liaison", 200), ("secretary_b", 200), ("member", 404), ("visitor", 404)]
)
def test_batches_per_role(batch, users, client_as, role, status):
    r = client_as(users[role]).get("/positions/batches/")
    assert r.status_code == status
    if status == 200:
        b = r.context["batches"][0]
        assert (str(b), b.course_count, b.position_count, b.delivery_count) == ("2026年第二季度下沉课程", 2, 2, 0)


def test_batches_query_count(batch, users, client_as, django_assert_num_queries):
    client = client_as(users["liaison"])
    client.get("/positions/batches/")
    # session, user, scope (3), batches with counts, inbox bell
    with django_assert_num_queries(7):
        client.get("/positions/batches/")


def test_send_batch(places, courses, users, client_as):
    r = client_as(users["town_admin"]).post(
        "/positions/batches/",
        {"year": "2026", "quarter": "3", "courses": [courses[0].pk], "positions": [places["site"].pk, places["point"].pk]},
    )
    assert r.status_code == 302
    b = CourseBatch.objects.get()
    assert (b.year, b.quarter, list(b.courses.all()), b.positions.count()) == (2026, 3, [courses[0]], 2)


def test_send_batch_bad_or_denied_nothing_changed(batch, places, courses, users, client_as):
    data = {"year": "2026", "quarter": "2", "courses": [courses[0].pk], "positions": [places["site"].pk]}
    r = client_as(users["town_admin"]).post("/positions/batches/", data)
    assert r.status_code == 400 and "2026年第2季度的下沉课程已安排" in r.content.decode()
    assert client_as(users["town_admin"]).post("/positions/batches/", {**data, "quarter": "3", "courses": []}).status_code == 400
    assert client_as(users["secretary_a"]).post("/positions/batches/", {**data, "quarter": "3"}).status_code == 403
    assert CourseBatch.objects.count() == 1


def test_matrix_and_recording(batch, places, courses, villagers, users, client_as, town):
    a, b = villagers
    site, c1 = places["site"], courses[0]
    url = f"/positions/batches/{batch.pk}/record/{c1.pk}/{site.pk}/"
    client = client_as(users["secretary_a"])
    sheet = client.get(url).context["sheet"]
    assert [m.name for m, _ in sheet] == ["乙党员", "李党员", "甲党员"]
    assert client.post(url, {"held_on": "2026-05-20", "present": [a.pk]}).status_code == 302
    # Corrected sheet: b was there too; recorded once, not added up.
    assert client.post(url, {"held_on": "2026-05-20", "present": [a.pk, b.pk]}).status_code == 302
    assert CourseDelivery.objects.count() == 1 and Attendance.objects.filter(present=True).count() == 2
    r = client.get(f"/positions/batches/{batch.pk}/")
    assert (r.context["held"], r.context["total"]) == (1, 4)
    cells = {(row["position"].name, c.title): d for row in r.context["rows"] for c, d in row["cells"]}
    assert cells[("东村党群服务站", "新时代基层治理")].present == 2
    assert cells[("东村党群服务站", "党章学习")] is None
    # The hours reach the trainings hours page of the town admin.
    hours = client_as(users["town_admin"]).get("/trainings/hours/", {"org": town["village_a"].pk, "year": 2026})
    by_name = {m.name: m.hours for m in hours.context["members"]}
    assert by_name["甲党员"] == Decimal("2.0") and by_name["乙党员"] == Decimal("2.0")


def test_batch_matrix_query_count(batch, users, client_as, django_assert_num_queries):
    client = client_as(users["town_admin"])
    client.get(f"/positions/batches/{batch.pk}/")
    # session, user, scope (3), batch, courses, positions, deliveries, inbox bell
    with django_assert_num_queries(10):
        client.get(f"/positions/batches/{batch.pk}/")


@pytest.mark.parametrize("role,status", [("secretary_b", 404), ("liaison", 404), ("member", 404), ("visitor", 404)])
def test_recording_denied_nothing_changed(batch, places, courses, villagers, users, client_as, role, status):
    url = f"/positions/batches/{batch.pk}/record/{courses[0].pk}/{places['site'].pk}/"
    assert client_as(users[role]).get(url).status_code == status
    assert client_as(users[role]).post(url, {"held_on": "2026-05-20", "present": [villagers[0].pk]}).status_code == status
    assert CourseDelivery.objects.count() == 0 and Attendance.objects.count() == 0


def test_recording_bad_input_nothing_changed(batch, places, courses, villagers, users, client_as, town):
    url = f"/positions/batches/{batch.pk}/record/{courses[0].pk}/{places['site'].pk}/"
    client = client_as(users["town_admin"])
    r = client.post(url, {"held_on": "2026-02-01", "present": [villagers[0].pk]})
    assert r.status_code == 400 and "开课日期应在本批次所在季度之后" in r.content.decode()
    from qiangji import factories as f

    stranger = f.member(organization=town["branch_b"], name="丙党员")
    assert client.post(url, {"held_on": "2026-05-20", "present": [stranger.pk]}).status_code == 400
    # A position outside the batch is not a cell of it.
    assert client.get(f"/positions/batches/{batch.pk}/record/{courses[0].pk}/{places['point'].pk}/").status_code == 404
    assert CourseDelivery.objects.count() == 0 and Attendance.objects.count() == 0


def test_another_organizations_delivery_is_answered_like_a_missing_one(batch, places, courses, users, client_as):
    """404 alike (docs/security.md): secretary_b learns nothing from the id of secretary_a's position."""
    client = client_as(users["secretary_b"])
    theirs = f"/positions/batches/{batch.pk}/record/{courses[0].pk}/{places['site'].pk}/"
    missing = f"/positions/batches/{batch.pk}/record/{courses[0].pk}/999999/"
    answers = [client.get(theirs), client.get(missing), client.post(theirs, {"held_on": "2026-05-20"})]
    assert [r.status_code for r in answers] == [404, 404, 404]

    # Byte for byte, but for the per-response CSRF token and CSP nonce.
    def plain(response):
        return re.sub(r'(X-CSRFToken": "|value="|nonce=")[A-Za-z0-9+/=_-]{16,}', r"\1…", response.content.decode())

    assert plain(answers[0]) == plain(answers[1])
    assert CourseDelivery.objects.count() == 0
