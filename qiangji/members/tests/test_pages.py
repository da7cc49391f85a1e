"""The member list: search, filters, sorting, paging, the htmx fragment and the Excel export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qiangji import factories as f
from qiangji.core.models import AuditEvent
from qiangji.members.models import Member

ID_ZHANG = "11010519491231002X"


@pytest.fixture
def people(town, users):
    """Members across the tree besides 李党员 (branch_a1, the member user's own record)."""
    return {
        "zhang": f.member(organization=town["branch_a1"], name="张三", id_number=ID_ZHANG, phone="13912345678"),
        "zhao": f.member(
            organization=town["branch_a2"],
            name="赵四",
            status=Member.Status.PROBATIONARY,
            joined_on=dt.date(2024, 3, 1),
            full_member_on=None,
            is_frail=True,
        ),
        "wang": f.member(organization=town["branch_b"], name="王五", is_mobile=True),
    }


def listed(response):
    return [m.name for m in response.context["page"]]


def test_list_is_scoped_and_masked(client_as, users, people):
    admin = client_as(users["town_admin"]).get(reverse("members:list"))
    assert sorted(listed(admin)) == ["张三", "李党员", "王五", "赵四"]
    secretary = client_as(users["secretary_a"]).get(reverse("members:list"))
    assert sorted(listed(secretary)) == ["张三", "李党员", "赵四"]
    body = secretary.content.decode()
    assert "110***********002X" in body and ID_ZHANG not in body
    assert "139****5678" in body and "13912345678" not in body
    assert "测试路1号" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "张"}, ["张三"]),
        ({"q": "zs"}, ["张三", "赵四"]),
        ({"q": "ZS"}, ["张三", "赵四"]),
        ({"q": ID_ZHANG}, ["张三"]),
        ({"q": ID_ZHANG.lower()}, ["张三"]),
        ({"q": "110105194912310021"}, []),
        ({"status": "probationary"}, ["赵四"]),
        ({"flag": "frail"}, ["赵四"]),
        ({"flag": "mobile"}, ["王五"]),
        ({"flag": "probation_over"}, ["赵四"]),
        # By organization, then by pinyin within it: the default order.
        ({"status": "bogus", "flag": "bogus", "sort": "bogus"}, ["李党员", "张三", "赵四", "王五"]),
    ],
)
def test_search_and_filters(client_as, users, people, params, expected):
    response = client_as(users["town_admin"]).get(reverse("members:list"), params)
    assert response.status_code == 200
    assert listed(response) == expected


def test_filter_by_organization_covers_its_subtree(client_as, users, town, people):
    client = client_as(users["town_admin"])
    assert listed(client.get(reverse("members:list"), {"org": town["village_a"].pk})) == ["李党员", "张三", "赵四"]
    assert listed(client.get(reverse("members:list"), {"org": town["branch_a2"].pk})) == ["赵四"]
    assert client.get(reverse("members:list"), {"org": "abc"}).status_code == 404


def test_sorting_by_column_headers(client_as, users, people):
    client = client_as(users["town_admin"])
    assert listed(client.get(reverse("members:list"), {"sort": "name"})) == ["李党员", "王五", "张三", "赵四"]
    assert listed(client.get(reverse("members:list"), {"sort": "-name"})) == ["赵四", "张三", "王五", "李党员"]
    by_joined = listed(client.get(reverse("members:list"), {"sort": "-joined"}))
    assert by_joined[0] == "赵四"
    body = client.get(reverse("members:list"), {"sort": "name", "status": "full"}).content.decode()
    # The active header offers the reverse order and keeps the other filters.
    assert 'href="?sort=-name&amp;status=full"' in body or 'href="?status=full&amp;sort=-name"' in body


def test_htmx_request_gets_only_the_table_fragment(client_as, users, people):
    client = client_as(users["town_admin"])
    full = client.get(reverse("members:list"), {"q": "zs"})
    fragment = client.get(reverse("members:list"), {"q": "zs"}, headers={"HX-Request": "true"})
    assert fragment.templates[0].name == "members/_table.html"
    assert "<html" not in fragment.content.decode() and "<html" in full.content.decode()
    assert listed(fragment) == listed(full) == ["张三", "赵四"]
    assert "HX-Request" in fragment["Vary"]
    # Going back in history asks for the whole page again.
    restore = client.get(reverse("members:list"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_paging(client_as, users, town):
    for i in range(45):
        f.member(organization=town["branch_b"], name=f"党员{i:02d}")
    client = client_as(users["secretary_b"])
    pages = [client.get(reverse("members:list"), {"sort": "name", "page": n}) for n in (1, 2, 3, 99)]
    assert [len(p.context["page"]) for p in pages] == [20, 20, 5, 5]
    assert pages[0].context["page"].paginator.count == 45
    assert "共 45 条，第 1/3 页" in pages[0].content.decode()
    assert len(client.get(reverse("members:list"), {"per_page": 50}).context["page"]) == 45


def _members(org, count, start):
    for i in range(start, start + count):
        f.member(organization=org, name=f"成员{i:03d}", phone=f"1391234{i:04d}")


@pytest.mark.parametrize("htmx", [False, True])
def test_list_query_count_does_not_grow_with_rows(client_as, users, town, django_assert_num_queries, htmx):
    client = client_as(users["town_admin"])
    headers = {"HX-Request": "true"} if htmx else {}
    # session, user, scope (3), count, rows; the full page adds the organization select and
    # the inbox's unread count.
    expected = 7 if htmx else 9
    _members(town["branch_b"], 3, 0)
    with django_assert_num_queries(expected):
        assert len(client.get(reverse("members:list"), headers=headers).context["page"]) == 4
    _members(town["branch_a2"], 27, 3)
    with django_assert_num_queries(expected):
        assert len(client.get(reverse("members:list"), {"per_page": 50}, headers=headers).context["page"]) == 31


def _sheet(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_export_is_masked_by_default_and_audited(client_as, users, people):
    f.member(organization=people["wang"].organization, name="=cmd|calc", phone="")
    response = client_as(users["secretary_b"]).get(reverse("members:export"), {"sort": "name"})
    assert response.status_code == 200
    rows = _sheet(response)
    assert rows[0][:3] == ["姓名", "性别", "公民身份号码"]
    assert [r[0] for r in rows[1:]] == ["'=cmd|calc", "王五"]
    wang = rows[2]
    assert wang[2] == people["wang"].id_number_masked and wang[11] == "138****5678" and wang[12] == "上海市崇明区****"
    assert wang[8:10] == ["正式党员", "竖新镇某某公司党支部"] and wang[13:] == ["否", "是"]
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.row_count, event.fields) == (
        "export",
        users["secretary_b"],
        2,
        ["id_number", "phone", "address"],
    )
    assert event.detail["unmasked"] is False


def test_full_export_by_a_secretary_is_unmasked_limited_and_audited(client_as, users, town, people):
    response = client_as(users["secretary_a"]).post(reverse("members:export"), {"full": "1", "q": "张三"})
    rows = _sheet(response)
    assert [r[0] for r in rows[1:]] == ["张三"]
    assert (rows[1][2], rows[1][11], rows[1][12]) == (ID_ZHANG, "13912345678", "上海市崇明区竖新镇测试路1号")
    event = AuditEvent.objects.get()
    assert (event.row_count, event.detail["unmasked"], event.detail["filters"]["q"]) == (1, True, "张三")


def test_searched_id_number_is_masked_in_the_audit_log(client_as, users, people):
    client_as(users["town_admin"]).get(reverse("members:export"), {"q": ID_ZHANG})
    assert AuditEvent.objects.get().detail["filters"]["q"] == "110***********002X"


def test_full_export_is_refused_to_a_liaison_member(client_as, users, people):
    response = client_as(users["liaison"]).post(reverse("members:export"), {"full": "1"})
    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0
    page = client_as(users["liaison"]).get(reverse("members:list")).content.decode()
    assert "含完整个人信息" not in page


def test_full_export_needs_post(client_as, users, people):
    """A link cannot trigger an unmasked download: GET ignores `full`."""
    rows = _sheet(client_as(users["town_admin"]).get(reverse("members:export"), {"full": "1", "q": "张三"}))
    assert rows[1][2] == "110***********002X"
    assert AuditEvent.objects.get().detail["unmasked"] is False
