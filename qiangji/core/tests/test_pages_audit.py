"""The audit log page: town admins only, filters, paging at a fixed query count."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent
from qiangji.members.models import Member


@pytest.fixture
def events(users):
    member = Member.objects.get(user=users["member"])
    reveal = audit(user=users["secretary_a"], action="reveal", obj=member, fields=["id_number", "phone", "address"])
    export = audit(
        user=users["town_admin"],
        action="export",
        object_type="members.Member",
        fields=["id_number"],
        row_count=42,
        detail={"unmasked": True, "file": "党员名册（完整信息）_20260601.xlsx"},
    )
    return {"reveal": reveal, "export": export}


def rows(response):
    return [(e.username, e.action) for e in response.context["page"]]


def test_lists_events_newest_first_with_readable_fields(client_as, users, events):
    response = client_as(users["town_admin"]).get(reverse("core:audit"))
    assert rows(response) == [("admin", "export"), ("sec_a", "reveal")]
    body = response.content.decode()
    assert "身份证号、联系电话、家庭住址" in body
    assert "导出（完整信息）" in body and "党员名册（完整信息）_20260601.xlsx" in body and "42" in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "reveal"}, [("sec_a", "reveal")]),
        ({"action": "nonsense"}, [("admin", "export"), ("sec_a", "reveal")]),
        ({"who": "东村书记"}, [("sec_a", "reveal")]),
        ({"who": "ADMIN"}, [("admin", "export")]),
        ({"what": "李党员"}, [("sec_a", "reveal")]),
        ({"start": "2000-01-01", "end": "2000-12-31"}, []),
    ],
)
def test_filters(client_as, users, events, params, expected):
    assert rows(client_as(users["town_admin"]).get(reverse("core:audit"), params)) == expected


def test_date_range_uses_the_local_day(client_as, users, events):
    today = timezone.localdate().isoformat()
    response = client_as(users["town_admin"]).get(reverse("core:audit"), {"start": today, "end": today})
    assert len(rows(response)) == 2


def test_a_bad_date_is_reported_in_chinese_and_ignored(client_as, users, events):
    response = client_as(users["town_admin"]).get(reverse("core:audit"), {"start": "2026-13-45"})
    assert response.context["filter_errors"] == ["开始日期格式不正确，请按“2025-01-31”填写"]
    assert "开始日期格式不正确" in response.content.decode()
    assert len(rows(response)) == 2


def test_query_count_is_fixed(client_as, users, events, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # The page's own queries plus the inbox's unread count in the top bar.
    with django_assert_num_queries(8):
        client.get(reverse("core:audit"))
    member = Member.objects.get(user=users["member"])
    for _ in range(30):
        audit(user=users["secretary_a"], action="reveal", obj=member, fields=["phone"])
    with django_assert_num_queries(8):
        response = client.get(reverse("core:audit"))
    assert response.context["page"].paginator.count == 32


def test_events_cannot_be_changed_from_the_application(events):
    with pytest.raises(PermissionError, match="审计记录不可修改"):
        AuditEvent.objects.filter(pk=events["reveal"].pk).update(at=timezone.now() - dt.timedelta(days=1))
    assert AuditEvent.objects.count() == 2
