"""/api/v1/positions: the tree with profiles and resources, and batches with the delivery matrix."""

import pytest

from qiangji.positions.services import course_delivery_record


@pytest.mark.parametrize(
    "role,status", [("town_admin", 200), ("liaison", 200), ("secretary_b", 200), ("member", 403), ("visitor", 403)]
)
def test_positions_per_role(places, users, api_as, role, status):
    r = api_as(users[role]).get("/positions")
    assert r.status_code == status
    if status == 200:
        site = next(p for p in r.json() if p["name"] == "东村党群服务站")
        assert site["parent_id"] == places["centre"].pk and site["organization"] == "东村党总支"
        assert [(x["category_label"], x["name"]) for x in site["resources"]] == [
            ("党建引领", "党员活动室"),
            ("便民服务", "便民代办点"),
        ]


def test_anonymous_401(api_as):
    assert api_as(None).get("/positions").status_code == 401
    assert api_as(None).get("/positions/course-batches").status_code == 401


def test_batches_matrix(batch, places, courses, villagers, users, api_as):
    import datetime as dt

    course_delivery_record(
        batch=batch,
        course=courses[0],
        position=places["site"],
        by=users["town_admin"],
        held_on=dt.date(2026, 5, 20),
        members=villagers,
        present_ids={villagers[0].pk},
    )
    r = api_as(users["liaison"]).get("/positions/course-batches", {"year": 2026})
    assert r.status_code == 200
    (b,) = r.json()
    assert (b["label"], b["held"], b["total"]) == ("2026年第二季度下沉课程", 1, 4)
    row = next(x for x in b["matrix"] if x["position"] == "东村党群服务站")
    cell = next(c for c in row["cells"] if c["course_id"] == courses[0].pk)
    assert cell == {"course_id": courses[0].pk, "held": True, "held_on": "2026-05-20", "present": 1}
    assert api_as(users["member"]).get("/positions/course-batches").status_code == 403
    assert api_as(users["town_admin"]).get("/positions/course-batches", {"year": 2025}).json() == []
