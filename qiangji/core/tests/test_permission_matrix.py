"""Every role × every page of the foundation: exact status codes, and nothing written on deny.

200 where the role may see the page, 404 for a page or object the role may not see (the same
answer as for a missing one), 302 to the login page for anonymous visitors.
"""

import re

import pytest
from django.urls import reverse

from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.members.models import Member, Transfer
from qiangji.orgs.models import LiaisonGroup, Organization

ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor", "anonymous")


def _allowed(*roles):
    return {role: (200 if role in roles else 404) for role in ROLES} | {"anonymous": 302}


STAFF = ("town_admin", "liaison", "secretary_a", "secretary_b")
MANAGERS = ("town_admin", "secretary_a", "secretary_b")

# (name, url builder, expected status per role)
GET_PAGES = [
    ("home", lambda o: reverse("home:index"), _allowed(*ROLES)),
    ("org tree", lambda o: reverse("orgs:tree"), _allowed(*STAFF)),
    ("org export", lambda o: reverse("orgs:export"), _allowed(*STAFF)),
    (
        "org detail village_a",
        lambda o: reverse("orgs:detail", args=[o["village_a"].pk]),
        _allowed("town_admin", "liaison", "secretary_a"),
    ),
    (
        "org detail branch_a1",
        lambda o: reverse("orgs:detail", args=[o["branch_a1"].pk]),
        _allowed("town_admin", "liaison", "secretary_a", "member"),
    ),
    ("org detail branch_b", lambda o: reverse("orgs:detail", args=[o["branch_b"].pk]), _allowed("town_admin", "secretary_b")),
    ("org create", lambda o: reverse("orgs:create"), _allowed(*MANAGERS)),
    (
        "org create under a1",
        lambda o: reverse("orgs:create") + f"?parent={o['branch_a1'].pk}",
        _allowed("town_admin", "secretary_a"),
    ),
    ("org edit village_a", lambda o: reverse("orgs:edit", args=[o["village_a"].pk]), _allowed("town_admin", "secretary_a")),
    ("org edit town", lambda o: reverse("orgs:edit", args=[o["town"].pk]), _allowed("town_admin")),
    ("member list", lambda o: reverse("members:list"), _allowed(*STAFF)),
    ("member export", lambda o: reverse("members:export"), _allowed(*STAFF)),
    (
        "member detail",
        lambda o: reverse("members:detail", args=[o["member"].pk]),
        _allowed("town_admin", "liaison", "secretary_a", "member"),
    ),
    ("member create", lambda o: reverse("members:create"), _allowed(*MANAGERS)),
    (
        "member create in a1",
        lambda o: reverse("members:create") + f"?org={o['branch_a1'].pk}",
        _allowed("town_admin", "secretary_a"),
    ),
    ("member edit", lambda o: reverse("members:edit", args=[o["member"].pk]), _allowed("town_admin", "secretary_a")),
    ("member transfer", lambda o: reverse("members:transfer", args=[o["member"].pk]), _allowed("town_admin", "secretary_a")),
    ("liaison groups", lambda o: reverse("liaison:groups"), _allowed("town_admin", "liaison")),
    ("liaison create", lambda o: reverse("liaison:create"), _allowed("town_admin")),
    ("liaison edit", lambda o: reverse("liaison:edit", args=[o["group"].pk]), _allowed("town_admin")),
    ("audit log", lambda o: reverse("core:audit"), _allowed("town_admin")),
]


@pytest.fixture
def objects(town, users):
    member = Member.objects.get(user=users["member"])
    return {**town, "member": member, "group": LiaisonGroup.objects.get()}


def _snapshot():
    return (
        Organization.objects.count(),
        Member.objects.count(),
        Transfer.objects.count(),
        ChangeRecord.objects.count(),
        AuditEvent.objects.count(),
        list(LiaisonGroup.objects.values_list("name", "organizations")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "build", "expected"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_get_pages(client_as, users, objects, role, page, build, expected):
    response = client_as(users[role]).get(build(objects))
    assert response.status_code == expected[role], page
    if expected[role] == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


def _posts(o, users):
    branch_b = o["branch_b"]
    return [
        # secretary_a may open the page, but branch_b is not among the parents offered: a form error.
        (
            "org create",
            reverse("orgs:create"),
            {"name": "新支部", "kind": "branch", "parent": branch_b.pk},
            ("town_admin", "secretary_b"),
        ),
        (
            "org edit village_a",
            reverse("orgs:edit", args=[o["village_a"].pk]),
            {"name": "东村党总支（改）", "kind": "general_branch", "parent": o["town"].pk},
            ("town_admin", "secretary_a"),
        ),
        ("member reveal", reverse("members:reveal", args=[o["member"].pk]), {}, ("town_admin", "secretary_a", "member")),
        (
            "member transfer",
            reverse("members:transfer", args=[o["member"].pk]),
            {"to_organization": o["branch_a2"].pk, "transferred_on": "2025-03-01", "reason": "工作调动"},
            ("town_admin", "secretary_a"),
        ),
        (
            "member edit",
            reverse("members:edit", args=[o["member"].pk]),
            {
                "name": "李党员改",
                "id_number": o["member"].id_number,
                "joined_on": "1995-07-01",
                "full_member_on": "1996-07-01",
                "status": "full",
            },
            ("town_admin", "secretary_a"),
        ),
        (
            "liaison edit",
            reverse("liaison:edit", args=[o["group"].pk]),
            {"name": "第一指导联络组", "members": [users["liaison"].pk], "organizations": [branch_b.pk]},
            ("town_admin",),
        ),
        ("unmasked export", reverse("members:export"), {"full": "1"}, ("town_admin", "secretary_a", "secretary_b")),
    ]


@pytest.mark.parametrize("role", ("liaison", "secretary_a", "secretary_b", "member", "visitor", "anonymous"))
def test_denied_posts_change_nothing(client_as, users, objects, role):
    client = client_as(users[role])
    for name, url, data, allowed in _posts(objects, users):
        if role in allowed:
            continue
        before = _snapshot()
        response = client.post(url, data)
        expected = 302 if role == "anonymous" else 404
        if (name, role) == ("org create", "secretary_a"):
            expected = 200
            assert "选择一个有效的选项" in response.context["form"].errors["parent"][0]
        assert response.status_code == expected, (name, role)
        assert _snapshot() == before, (name, role)


def _without_csrf(content: bytes) -> bytes:
    """The page minus its per-response CSRF tokens, the one part that differs between requests."""
    content = re.sub(rb'"X-CSRFToken": "[^"]*"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def test_missing_and_forbidden_ids_answer_alike(client_as, users, objects):
    """secretary_b asking for a member, an organization of village A and one that does not exist."""
    client = client_as(users["secretary_b"])
    missing = Member.objects.order_by("-pk").first().pk + 1000
    missing_org = Organization.objects.order_by("-pk").first().pk + 1000
    pairs = [
        (reverse("members:detail", args=[objects["member"].pk]), reverse("members:detail", args=[missing])),
        (reverse("members:edit", args=[objects["member"].pk]), reverse("members:edit", args=[missing])),
        (reverse("orgs:detail", args=[objects["village_a"].pk]), reverse("orgs:detail", args=[missing_org])),
        (reverse("orgs:edit", args=[objects["village_a"].pk]), reverse("orgs:edit", args=[missing_org])),
        (reverse("members:list") + f"?org={objects['village_a'].pk}", reverse("members:list") + f"?org={missing_org}"),
    ]
    for forbidden, absent in pairs:
        a, b = client.get(forbidden), client.get(absent)
        assert (a.status_code, b.status_code) == (404, 404)
        assert _without_csrf(a.content) == _without_csrf(b.content)
    a = client.post(reverse("members:reveal", args=[objects["member"].pk]))
    b = client.post(reverse("members:reveal", args=[missing]))
    assert (a.status_code, b.status_code) == (404, 404)
    assert AuditEvent.objects.count() == 0
