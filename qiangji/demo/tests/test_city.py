"""The city-scale generator writes rows the application reads back as if its services wrote them."""

import pytest

from qiangji.core.access import get_scope
from qiangji.core.crypto import keyed_hash
from qiangji.core.models import ChangeRecord
from qiangji.core.validators import id_gender, normalize_id_number
from qiangji.demo.bulk import generate_city
from qiangji.members.models import Member
from qiangji.members.services import name_initials
from qiangji.orgs.models import Organization
from qiangji.orgs.services import organization_create


@pytest.fixture
def city(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return generate_city(members=400, organizations=97, towns=2, seed=5, log=lambda _: None)


def test_counts_tree_and_paths(city):
    assert Organization.objects.count() == 97
    assert Member.objects.count() == 400
    assert list(Organization.objects.filter(parent__isnull=True).values_list("name", flat=True)) == ["中共上海市委员会"]
    assert Organization.objects.filter(kind="committee", depth=1).count() == 16
    for org in Organization.objects.select_related("parent"):
        expected = f"{org.parent.path if org.parent else '/'}{org.pk}/"
        assert (org.path, org.depth) == (expected, expected.count("/") - 2)
    assert not Member.objects.exclude(organization__kind="branch").exists()


def test_members_read_back_like_service_written_ones(city):
    members = list(Member.objects.all())
    assert len({m.id_number for m in members}) == 400
    for m in members:
        assert normalize_id_number(m.id_number) == m.id_number
        assert id_gender(m.id_number) == m.gender
        assert m.id_number_hash == keyed_hash(m.id_number)
        assert m.name_initials == name_initials(m.name)
    assert ChangeRecord.objects.filter(content_type__model="member").count() == 400
    assert ChangeRecord.objects.filter(content_type__model="organization").count() == 97


def test_sequences_continue_after_the_explicit_ids(city):
    root = Organization.objects.get(parent__isnull=True)
    org = organization_create(by=None, data={"name": "新建支部", "kind": "branch", "parent": root})
    assert org.pk == 98


def test_bench_logins_see_city_town_and_general_branch(city):
    from qiangji.accounts.models import User

    seen = {u.username: Member.objects.for_user(u).count() for u in User.objects.all()}
    assert seen["bench_city"] == 400
    assert seen["bench_town"] == 200
    secretary = User.objects.get(username="bench_secretary")
    assert get_scope(secretary).roles == {"secretary"}
    assert seen["bench_secretary"] == 56  # one village: 5 branches
