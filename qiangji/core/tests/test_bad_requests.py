"""Requests no form could ever read answer 400 with a Chinese reason, and change nothing:
a multipart body without a boundary, NUL characters in a path, a query or a JSON body, page
numbers and ids past what a column holds."""

import pytest

from qiangji.core.middleware import MULTIPART_MESSAGE, NUL_MESSAGE
from qiangji.core.models import AuditEvent
from qiangji.members.models import Member

HUGE = "99999999999999999999"


def written():
    return Member.objects.count(), AuditEvent.objects.count()


def raw_post(client, path, body, content_type, headers=None):
    return client.generic("POST", path, body, content_type=content_type, headers=headers or {})


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\x7f"]
)
def test_a_page_refuses_a_multipart_body_it_cannot_split(users, client_as, content_type):
    client = client_as(users["town_admin"])
    before = written()
    response = raw_post(client, "/members/new/", b"name=x", content_type)
    assert response.status_code == 400
    assert MULTIPART_MESSAGE in response.content.decode()
    assert written() == before


def test_the_api_refuses_a_multipart_body_it_cannot_split(users, api_as):
    api = api_as(users["town_admin"])
    before = written()
    response = raw_post(api.client, "/api/v1/members", b"name=x", "multipart/form-data", api.headers)
    assert response.status_code == 400
    assert response.json() == {"detail": MULTIPART_MESSAGE}
    assert written() == before


def test_a_page_still_reads_a_good_multipart_body(users, client_as):
    # The check parses the body early; the view must still see the same form.
    response = client_as(users["town_admin"]).post("/members/new/", {"name": ""})
    assert response.status_code == 200
    assert "姓名未填写" in response.content.decode()


@pytest.mark.parametrize("url", ["/audit/?who=%00", "/campaign/entities/?q=a%00b", "/red/checkin/ab%00/", "/members/?q%00=1"])
def test_a_nul_character_in_the_url_is_refused(users, client_as, url):
    response = client_as(users["town_admin"]).get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_character_in_a_json_body_is_refused(users, api_as, town):
    api = api_as(users["town_admin"])
    before = written()
    response = api.post("/members", {"name": "张\u0000三", "organization": town["branch_a1"].pk})
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE}
    assert written() == before


@pytest.mark.parametrize("page", [HUGE, str(2**63), "-1", "0", "abc", ""])
def test_a_list_page_answers_any_page_number(users, client_as, page):
    for url in ("/members/", "/campaign/entities/", "/audit/"):
        response = client_as(users["town_admin"]).get(url, {"page": page, "per_page": page})
        assert response.status_code == 200, url


def test_an_api_page_past_the_end_is_empty(users, api_as):
    response = api_as(users["town_admin"]).get("/members", {"page": HUGE})
    assert response.status_code == 200
    assert response.json() == {"count": 1, "page": int(HUGE), "page_size": 20, "items": []}


@pytest.mark.parametrize("page", ["-1", "0", "abc"])
def test_an_api_page_below_one_or_not_a_number_is_422(users, api_as, page):
    response = api_as(users["town_admin"]).get("/members", {"page": page})
    assert response.status_code == 422
    assert response.json()["detail"] == "提交的数据有误，请按提示修改。"


@pytest.mark.parametrize("pk", [HUGE, str(2**63), "0"])
def test_an_id_no_column_holds_is_not_found(users, client_as, api_as, pk):
    page = client_as(users["town_admin"]).get(f"/members/{pk}/")
    assert page.status_code == 404 and "页面不存在，或您无权查看" in page.content.decode()
    assert client_as(users["town_admin"]).get(f"/campaign/tasks/{pk}/").status_code == 404
    for path in (f"/members/{pk}", f"/visit-tasks/{pk}", f"/organizations/{pk}"):
        response = api_as(users["town_admin"]).get(path)
        assert (response.status_code, response.json()) == (404, {"detail": "对象不存在，或您无权访问。"})


def test_an_id_query_parameter_past_64_bits_is_ignored(users, client_as):
    # These filters fed an `IN` lookup, which does not guard its values: OverflowError on SQLite.
    client = client_as(users["town_admin"])
    for url in ("/campaign/entities/", "/campaign/tasks/", "/campaign/review/"):
        assert client.get(url, {"grid": HUGE, "team": HUGE, "village": HUGE}).status_code == 200, url
    # "²" passes str.isdigit() but not int().
    assert client.get("/ledger/problems/new/", {"org": "²"}).status_code == 200


def test_the_second_factor_ignores_a_next_that_is_not_a_path(users, client_as):
    response = client_as(users["town_admin"]).get("/accounts/2fa/", {"next": "abc"})
    assert response.status_code == 302
    assert response["Location"] == "/"
