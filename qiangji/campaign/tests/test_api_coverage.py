"""/api/v1/coverage: one carrier or all of them with the town, on the hand-counted register
(figures as in test_coverage_rates.py); who may read it; bad and unknown carriers."""

import pytest

GRID1 = {
    "name": "第一网格",
    "total": 4,
    "org_covered": 2,
    "work_covered": 1,
    "covered": 2,
    "uncovered": 2,
    "org_rate": 50.0,
    "work_rate": 25.0,
    "covered_rate": 50.0,
}


def test_one_grid(coverage_register, places, users, api_as):
    response = api_as(users["town_admin"]).get("/coverage", {"carrier": f"grid:{places['grid1'].pk}"})
    assert response.status_code == 200
    assert response.json() == {"carrier": f"grid:{places['grid1'].pk}", **GRID1}


def test_one_chain_and_one_street(coverage_register, places, users, api_as):
    api = api_as(users["secretary_a"])
    veg = api.get("/coverage", {"carrier": f"chain:{places['veg'].pk}"}).json()
    assert (veg["total"], veg["org_covered"], veg["work_covered"], veg["covered_rate"]) == (2, 2, 1, 100.0)
    street = api.get("/coverage", {"carrier": f"street:{places['street'].pk}"}).json()
    assert (street["name"], street["total"], street["uncovered"]) == ("竖河商业街区", 1, 0)


def test_all_carriers_and_the_town(coverage_register, places, users, api_as):
    body = api_as(users["liaison"]).get("/coverage").json()
    assert body["town"] == {
        "carrier": "town",
        "name": "全镇",
        "total": 6,
        "org_covered": 2,
        "work_covered": 2,
        "covered": 3,
        "uncovered": 3,
        "org_rate": 33.3,
        "work_rate": 33.3,
        "covered_rate": 50.0,
    }
    assert [c["name"] for c in body["chains"]] == ["蔬菜链", "民宿链"]
    assert [c["name"] for c in body["streets"]] == ["竖河商业街区"]
    assert body["grids"][0] == {"carrier": f"grid:{places['grid1'].pk}", **GRID1}
    assert body["grids"][1]["covered_rate"] == 50.0


def test_a_carrier_without_entities_has_null_rates(places, users, api_as):
    body = api_as(users["town_admin"]).get("/coverage", {"carrier": f"grid:{places['grid2'].pk}"}).json()
    assert (body["total"], body["org_rate"], body["work_rate"], body["covered_rate"]) == (0, None, None, None)


@pytest.mark.parametrize("carrier", ["grid", "grid:x", "town:1", "village:3", "grid:-1", ":3"])
def test_bad_carrier_is_422(coverage_register, users, api_as, carrier):
    response = api_as(users["town_admin"]).get("/coverage", {"carrier": carrier})
    assert response.status_code == 422
    assert response.json()["errors"] == {"carrier": ["载体格式应为 chain:编号、street:编号 或 grid:编号"]}


def test_unknown_carrier_is_404(coverage_register, users, api_as):
    response = api_as(users["town_admin"]).get("/coverage", {"carrier": "grid:9999"})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["secretary_b", "secretary_a", "liaison", "town_admin"])
def test_readers(coverage_register, users, api_as, role):
    assert api_as(users[role]).get("/coverage").status_code == 200


@pytest.mark.parametrize("role", ["member", "visitor"])
def test_refused(coverage_register, users, api_as, role):
    response = api_as(users[role]).get("/coverage")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有镇党委、党组织书记和指导联络组可以查看覆盖率。"


def test_anonymous_is_401(coverage_register, api_as):
    assert api_as(None).get("/coverage").status_code == 401


def test_one_query_per_kind(coverage_register, users, api_as, django_assert_max_num_queries):
    api = api_as(users["town_admin"])
    api.get("/coverage")  # the token is issued on first use
    # token lookup and its last-used stamp, scope (3), town, 3 carrier kinds
    with django_assert_max_num_queries(10):
        assert api.get("/coverage").status_code == 200
