from qiangji.members.models import Member
from qiangji.orgs.models import Organization


def test_scopes_cover_subtrees(users, town):
    names = lambda qs: sorted(o.name for o in qs)  # noqa: E731
    assert names(Organization.objects.for_user(users["town_admin"])) == sorted(o.name for o in town.values())
    assert names(Organization.objects.for_user(users["secretary_a"])) == [
        "东村党总支",
        "东村第一党支部",
        "东村第一党支部第一党小组",
        "东村第二党支部",
    ]
    assert names(Organization.objects.for_user(users["secretary_b"])) == ["竖新镇某某公司党支部"]
    assert names(Organization.objects.for_user(users["liaison"])) == names(Organization.objects.for_user(users["secretary_a"]))
    assert names(Organization.objects.for_user(users["liaison"], "manage")) == []
    assert names(Organization.objects.for_user(users["member"])) == ["东村第一党支部"]
    assert names(Organization.objects.for_user(users["visitor"])) == []
    assert names(Organization.objects.for_user(None)) == []
    assert [m.name for m in Member.objects.for_user(users["member"])] == ["李党员"]
    assert Member.objects.for_user(users["secretary_b"]).count() == 0
