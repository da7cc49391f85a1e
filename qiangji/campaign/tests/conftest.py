"""Campaign fixtures: two grids, villages in them, chains and a street, a team per grid.

grid 1 (第一网格): 东村 (the town fixture's village), 西村   ← team 1: the `visitor` user + 2
grid 2 (第二网格): 南村                                        ← team 2: visitor2 + 1
"""

import datetime as dt

import pytest

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant
from qiangji.campaign.models import BaseRecord, Entity, EntityBatch, VisitTask, VisitTeam
from qiangji.campaign.services.visits import task_for_record
from qiangji.core.validators import credit_check_char
from qiangji.orgs.models import Chain, Grid, Street, Village


def credit_code(seq: int, region: str = "310151") -> str:
    """A valid unified social credit code (GB 32100) numbered `seq`."""
    first17 = f"92{region}MA{seq:07d}"
    return first17 + credit_check_char(first17)


@pytest.fixture
def places(town):
    east = Village.objects.get(name="东村")
    grid1 = east.grid
    grid1.name, grid1.number = "第一网格", 1
    grid1.save()
    west = f.VillageFactory(name="西村", grid=grid1)
    grid2 = f.GridFactory(name="第二网格", number=2)
    south = f.VillageFactory(name="南村", grid=grid2)
    veg = Chain.objects.create(name="蔬菜链")
    homestay = Chain.objects.create(name="民宿链")
    street = Street.objects.create(name="竖河商业街区")
    street.villages.add(east)
    return {
        "grid1": grid1,
        "grid2": grid2,
        "east": east,
        "west": west,
        "south": south,
        "veg": veg,
        "homestay": homestay,
        "street": street,
    }


@pytest.fixture
def teams(places, users, town):
    visitor2 = f.UserFactory(username="visitor2", display_name="二队队员")
    f.grant(visitor2, RoleGrant.Role.VISITOR, town["town"])
    mates = [f.UserFactory(display_name=n) for n in ("一队甲", "一队乙", "二队甲")]
    team1 = VisitTeam.objects.create(name="第一网格三人行一队", grid=places["grid1"], leader=users["visitor"])
    team1.members.set([users["visitor"], mates[0], mates[1]])
    team2 = VisitTeam.objects.create(name="第二网格三人行一队", grid=places["grid2"], leader=visitor2)
    team2.members.set([visitor2, mates[2]])
    return {"team1": team1, "team2": team2, "visitor2": visitor2, "mate1": mates[0]}


@pytest.fixture
def entity(places):
    """entity(**fields) → an active entity in 东村 (grid 1) unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(**fields) -> Entity:
        n = next(counter)
        chains = fields.pop("chains", [])
        e = Entity.objects.create(
            **{
                "name": f"崇明测试{n}号农业有限公司",
                "credit_code": credit_code(n),
                "village": places["east"],
                "address": f"东村{n}号",
                "person_in_charge": "王负责",
                "phone": "13800138000",
                "employees": 5,
                **fields,
            }
        )
        e.chains.set(chains)
        return e

    return make


@pytest.fixture
def record_task(places, users):
    """record_task(klass, data=…, entity=…) → a batch record and its verify task, as an import leaves them."""

    def make(
        klass=BaseRecord.Klass.NEW,
        *,
        data=None,
        entity=None,
        changes=None,
        duplicate_of=None,
        phone="",
        today=dt.date(2026, 11, 20),
    ):
        batch = EntityBatch.objects.create(file_name="区级底数.xlsx", file_sha256="0" * 64, by=users["town_admin"])
        values = data or {
            "name": "崇明新发现民宿",
            "credit_code": credit_code(900),
            "kind": Entity.Kind.HOMESTAY,
            "village": places["east"].pk,
            "address": "东村88号",
            "person_in_charge": "赵老板",
            "employees": 3,
            "party_members": 0,
            "has_party_org": False,
            "chains": [places["homestay"].pk],
            "street": None,
        }
        record = BaseRecord.objects.create(
            batch=batch,
            row_number=4,
            klass=klass,
            data=values,
            phone=phone,
            entity=entity,
            changes=changes or {},
            duplicate_of=duplicate_of,
        )
        grid = (
            (entity or duplicate_of).village.grid_id
            if (entity or duplicate_of)
            else Village.objects.get(pk=values["village"]).grid_id
        )
        task = task_for_record(record=record, grid_id=grid, today=today)
        return record, task

    return make


__all__ = ["Grid", "VisitTask", "credit_code"]
