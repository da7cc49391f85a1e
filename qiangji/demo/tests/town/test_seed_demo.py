"""seed_demo builds the town the seed describes, the same way every time, and only once."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from qiangji.accounts.models import User
from qiangji.core import access
from qiangji.core.crypto import keyed_hash
from qiangji.core.models import ChangeRecord
from qiangji.core.validators import id_birth_date, id_gender, normalize_id_number, normalize_phone
from qiangji.demo import names
from qiangji.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from qiangji.demo.tests.town.seeding import TODAY, seed
from qiangji.demo.town import town_plan
from qiangji.members.models import Member
from qiangji.orgs.models import Chain, Grid, LiaisonGroup, Organization, Position, Street, Unit, Village


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def roster() -> list[tuple]:
    return sorted(
        (m.organization.name, m.name, m.id_number, m.gender, m.birth_date, m.phone, m.party_post, m.status)
        for m in Member.objects.select_related("organization")
    )


def test_the_town_has_the_shape_of_the_seed(demo):
    assert Village.objects.count() == 23
    assert Village.objects.filter(kind="village").count() == 20
    assert Village.objects.filter(kind="community").count() == 3
    assert list(Grid.objects.values_list("name", flat=True)) == list(names.GRIDS)
    assert all(g.villages.exists() for g in Grid.objects.all())
    assert Village.objects.filter(grid__isnull=True).count() == 0
    assert list(Chain.objects.values_list("name", flat=True)) == ["蔬菜链", "水果链", "稻米链", "花卉链", "民宿链"]
    assert list(Street.objects.values_list("name", flat=True)) == ["竖河商业街区", "大新商业街区"]
    assert list(LiaisonGroup.objects.values_list("name", flat=True)) == sorted(names.LIAISON_GROUPS)
    assert Unit.objects.count() == 61
    assert Organization.objects.exclude(kind="group").count() == 115
    assert Member.objects.count() == 200
    assert Position.objects.count() == 46
    assert dict(Position.objects.values_list("kind").annotate(n=Count("id")).order_by()) == {
        "centre": 1,
        "village_site": 10,
        "point": 30,
        "chain_station": 5,
    }
    assert "基层党组织 115 个" in demo and "党员 200 名" in demo


def test_the_town_committee_is_the_single_root(demo):
    assert list(Organization.objects.filter(parent__isnull=True).values_list("name", flat=True)) == ["中共竖新镇委员会"]
    root = Organization.objects.get(parent__isnull=True)
    assert Organization.objects.exclude(path__startswith=root.path).count() == 0
    assert Position.objects.filter(parent__isnull=True).values_list("name", flat=True).get() == "竖新镇党群服务中心"


def test_every_id_number_and_phone_is_valid_and_consistent(demo):
    members = list(Member.objects.all())
    assert len({m.id_number for m in members}) == 200
    for m in members:
        assert normalize_id_number(m.id_number) == m.id_number
        assert m.id_number.startswith("310230")
        assert id_gender(m.id_number) == m.gender
        assert id_birth_date(m.id_number) == m.birth_date
        assert m.id_number_hash == keyed_hash(m.id_number)
        assert normalize_phone(m.phone) == m.phone and re.fullmatch(r"1[3-9]\d{9}", m.phone)
        assert m.address.startswith("上海市崇明区")
        assert m.joined_on < TODAY
        assert (m.full_member_on is None) == (m.status == Member.Status.PROBATIONARY)


def test_each_organization_with_members_has_one_secretary(demo):
    for org in Organization.objects.exclude(kind="group"):
        posts = list(org.members.values_list("party_post", flat=True))
        assert posts.count("secretary") == (1 if posts else 0), org.name


def test_people_do_not_depend_on_the_day_the_demo_is_built():
    earlier = town_plan(seed=7, members=50, today=dt.date(2026, 11, 25))
    later = town_plan(seed=7, members=50, today=dt.date(2030, 3, 1))
    people = lambda plan: [(m.person.name, m.person.id_number, m.person.phone) for o in plan.orgs for m in o.members]  # noqa: E731
    assert people(earlier) == people(later)
    assert earlier.org("大椿村党总支").term_end != later.org("大椿村党总支").term_end
    probation = lambda plan: [m.person.joined_on for o in plan.orgs for m in o.members if m.person.status == "probationary"]  # noqa: E731
    assert [later_day - earlier_day for earlier_day, later_day in zip(probation(earlier), probation(later), strict=True)] == [
        dt.date(2030, 3, 1) - dt.date(2026, 11, 25)
    ] * len(probation(earlier))


def test_running_twice_does_not_duplicate(demo):
    before = (Organization.objects.count(), Member.objects.count(), User.objects.count(), ChangeRecord.objects.count())
    out = seed()
    assert "演示镇已存在" in out and "--reset" in out
    assert (Organization.objects.count(), Member.objects.count(), User.objects.count(), ChangeRecord.objects.count()) == before


def test_history_is_written_for_every_bulk_created_member(demo):
    records = ChangeRecord.objects.filter(content_type__model="member")
    assert records.count() == 200
    assert set(records.values_list("action", "source", "reason")) == {("create", "command", "生成演示数据")}
    record = records.first()
    member = Member.objects.get(pk=record.object_id)
    assert record.changes["id_number"] == [None, member.id_number_masked]


def test_every_role_has_a_user_who_can_log_in(demo, client):
    roles = {}
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        for role in access.get_scope(user).roles:
            roles.setdefault(role, user)
    assert set(roles) == {access.TOWN_ADMIN, access.LIAISON, access.SECRETARY, access.MEMBER, access.VISITOR}
    assert client.login(username="zhen_admin", password=DEMO_PASSWORD)


def test_secretary_logins_are_linked_to_the_secretary_member_record(demo):
    sec = User.objects.get(username="shuji_dachun")
    assert sec.member.organization.name == "大椿村党总支"
    assert sec.member.party_post == "secretary"
    assert sec.display_name == sec.member.name
    assert [g.organization.name for g in sec.grants.all()] == ["大椿村党总支"]
    plain = User.objects.get(username="dangyuan")
    assert plain.member.organization.path.startswith(Organization.objects.get(name="大椿村第一党支部").path)


def test_liaison_groups_split_the_organizations_between_them(demo):
    assigned = Organization.objects.filter(liaison_groups__isnull=False)
    assert assigned.count() == assigned.distinct().count() == 114  # all but the root; Party groups go with their branch
    sizes = {g.name: g.organizations.count() for g in LiaisonGroup.objects.all()}
    assert sizes == {"第一指导联络组": 26, "第二指导联络组": 28, "第三指导联络组": 29, "第四指导联络组": 31}
    assert all(g.members.count() == 3 and g.leader is not None for g in LiaisonGroup.objects.all())


def test_term_reminders_exist_around_today(demo):
    expired = Organization.objects.filter(term_end__lt=TODAY).values_list("name", flat=True)
    assert sorted(expired) == sorted(["新光村党总支", "新光村第一党支部", "新光村第二党支部", "上海竖新服饰有限公司党支部"])
    within_month = Organization.objects.term_ending(today=TODAY, months=1).exclude(term_end__lt=TODAY)
    assert sorted(within_month.values_list("name", flat=True)) == sorted(
        ["永兴村党支部", "竖新小学党支部", "上海堡北水产养殖有限公司党支部"]
    )
    assert Organization.objects.term_ending(today=TODAY, months=6).count() == 4 + 3 + 7


def test_demo_logins_prints_one_account_per_role(demo):
    out = StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8000/", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "强基平台：http://127.0.0.1:8000/"
    for role in ("镇党委管理员", "指导联络组成员", "书记", "党务工作者", "党员", "走访队员"):
        assert f"—— {role}：" in text
    assert text.count(DEMO_PASSWORD) == 6


def test_large_branches_get_party_groups_with_leaders():
    plan = town_plan(seed=2026, members=3000, today=TODAY)
    groups = [o for o in plan.orgs if o.kind == "group"]
    assert len(groups) == 141
    for group in groups:
        branch = plan.org(group.parent)
        assert branch.kind == "branch" and len(branch.members) >= 30
        assert group.name.startswith(branch.name) and group.name.endswith("党小组")
    leaders = sum(m.post == "group_leader" for o in plan.orgs for m in o.members)
    assert leaders == 141
    sizes = sorted(len(o.members) for o in plan.orgs if o.kind == "branch")
    assert (sizes[0], sizes[-1], sum(s > 50 for s in sizes)) == (4, 55, 3)
