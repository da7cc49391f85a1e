"""factory_boy factories for tests and the benchmark generator (never imported by app code)."""

import datetime as dt
import random

import factory

from qiangji.accounts.models import RoleGrant, User
from qiangji.core.validators import id_check_char
from qiangji.members.models import Member
from qiangji.members.services import member_build
from qiangji.orgs.models import Grid, LiaisonGroup, Organization, Unit, Village

_serial = iter(range(1, 10**7))


def fake_id_number(*, birth: dt.date, female: bool = False, region: str = "310230", seq: int | None = None) -> str:
    """A synthetic ID number with a valid GB 11643 checksum."""
    seq = next(_serial) % 500 if seq is None else seq % 500
    order = seq * 2 + (0 if female else 1)  # position 17 odd = male
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("Qiangji-Test-2026")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    name = factory.Sequence(lambda n: f"第{n + 1}网格")
    number = factory.Sequence(lambda n: n + 1)


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    name = factory.Sequence(lambda n: f"测试{n}村")
    grid = factory.SubFactory(GridFactory)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")


def organization(*, name: str, kind: str = Organization.Kind.BRANCH, parent: Organization | None = None, **extra) -> Organization:
    """Create an organization with its materialised path, as the service does."""
    org = Organization.objects.create(name=name, kind=kind, parent=parent, **extra)
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    return org


def member(
    *, organization: Organization, name: str = "张三", birth: dt.date | None = None, female: bool = False, **extra
) -> Member:
    birth = birth or dt.date(1970 + random.Random(name).randint(0, 30), 5, 17)
    number = extra.pop("id_number", None) or fake_id_number(birth=birth, female=female)
    data = {
        "name": name,
        "gender": "F" if female else "M",
        "id_number": number,
        "birth_date": birth,
        "ethnicity": "汉族",
        "education": Member.Education.HIGH_SCHOOL,
        "joined_on": dt.date(birth.year + 25, 7, 1),
        "full_member_on": dt.date(birth.year + 26, 7, 1),
        "status": Member.Status.FULL,
        "organization": organization,
        "phone": "13812345678",
        "address": "上海市崇明区竖新镇测试路1号",
    }
    user = extra.pop("user", None)
    data.update(extra)
    built = member_build(data=data)
    built.user = user
    built.save()
    return built


def grant(user: User, role: str, org: Organization, title: str = "") -> RoleGrant:
    return RoleGrant.objects.create(user=user, role=role, organization=org, title=title)


def liaison_group(*, name: str, users: list[User], organizations: list[Organization]) -> LiaisonGroup:
    group = LiaisonGroup.objects.create(name=name)
    group.members.set(users)
    group.organizations.set(organizations)
    return group
