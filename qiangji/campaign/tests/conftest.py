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


@pytest.fixture(autouse=True)
def _the_week_after_the_fixtures(freeze_day):
    """The fixtures are the campaign's week of 16 to 22 November 2026 (tasks, visits on 2026-11-21,
    backdated summaries); "overdue", "not after today" and "this week" are read on this day."""
    freeze_day("2026-11-25")


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


def summary_local(month: int, day: int, hour: int = 9, minute: int = 0):
    """An aware local (Asia/Shanghai) time in 2026, for backdating what services stamp with now()."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


def care_answers(sends=("送政策",), answered=("问需求", "问困难", "问建议")) -> dict:
    """A care visit's 三送三问 as the service takes them (items by label): `sends` delivered,
    the others not; `answered` asks answered."""
    return {
        "sends": [
            {"item": label, "done": label in sends, "note": f"{label}：已送达" if label in sends else ""}
            for label in ("送政策", "送服务", "送温暖")
        ],
        "asks": [{"item": label, "answer": "暂无" if label in answered else ""} for label in ("问需求", "问困难", "问建议")],
    }


def care_form_data(sends=("送政策",), answered=("问需求", "问困难", "问建议")) -> dict:
    """The care visit form's fields (三送三问) as a phone posts them."""
    from qiangji.campaign.models import CareItem

    data = {}
    for item in CareItem.objects.filter(active=True):
        if item.kind == CareItem.Kind.SEND and item.label in sends:
            data[f"send_{item.pk}"] = "on"
            data[f"send_{item.pk}_note"] = f"{item.label}：已送达"
        elif item.kind == CareItem.Kind.ASK and item.label in answered:
            data[f"ask_{item.pk}"] = "暂无"
    return data


@pytest.fixture
def summary_week(places, teams, users, town, entity, record_task):
    """The week of Monday 16 to Sunday 22 November 2026, built through the services and backdated
    (services stamp now()); figures hand-counted in test_summary_figures.py.

    e1 (东村, org-covered, street) · e2 (东村, changed record, corrected 20th) · e3 (东村, gone
    record, closed Sunday 23:30) · e4 (南村/grid 2, instructor from the 19th) · e5 (西村, changed
    record due the 20th, never visited: overdue); N1 found new on the 18th (team 1); N2 (南村)
    found new on Monday the 23rd; e1's care visit on the 17th rejected (送政策); e4's care visit
    on the 20th awaiting review (送政策 and 送温暖, the three asks answered); e2 gets an instructor on the 24th (after the week).
    """
    from qiangji.campaign.models import EntityChange, Visit, VisitTask
    from qiangji.campaign.services.register import entity_assign_instructor
    from qiangji.campaign.services.visits import care_tasks_schedule, visit_review, visit_submit

    admin, visitor, visitor2 = users["town_admin"], users["visitor"], teams["visitor2"]
    all_done = ["见到主体负责人", "核实基本信息", "摸清党员情况", "宣讲党建政策", "留下服务卡和联系方式"]
    e1 = entity(covering_organization=town["branch_a1"], org_coverage="joint", street=places["street"])
    e2, e3 = entity(), entity()
    e4 = entity(village=places["south"])
    e5 = entity(village=places["west"])
    Entity.objects.update(registered_at=summary_local(11, 1))

    r_new, t_new = record_task(today=dt.date(2026, 11, 16))
    _, t_e2 = record_task(
        BaseRecord.Klass.CHANGED,
        data={"name": e2.name, "village": places["east"].pk},
        entity=e2,
        changes={"address": [e2.address, "东村二号"]},
        today=dt.date(2026, 11, 16),
    )
    _, t_e3 = record_task(
        BaseRecord.Klass.GONE, data={"name": e3.name, "village": places["east"].pk}, entity=e3, today=dt.date(2026, 11, 16)
    )
    _, t_e5 = record_task(
        BaseRecord.Klass.CHANGED,
        data={"name": e5.name, "village": places["west"].pk},
        entity=e5,
        changes={"employees": [5, 8]},
        today=dt.date(2026, 11, 13),
    )
    south_new = {
        "name": "崇明南村家庭农场",
        "credit_code": credit_code(901),
        "kind": Entity.Kind.FARM,
        "village": places["south"].pk,
        "address": "南村6号",
        "person_in_charge": "钱场主",
        "employees": 2,
        "party_members": 0,
        "has_party_org": False,
        "chains": [],
        "street": None,
    }
    _, t_n2 = record_task(data=south_new, today=dt.date(2026, 11, 16))
    care_tasks_schedule(today=dt.date(2026, 11, 16))
    t_e1 = VisitTask.objects.get(kind=VisitTask.Kind.CARE, entity=e1)
    t_e4 = VisitTask.objects.get(kind=VisitTask.Kind.CARE, entity=e4)
    VisitTask.objects.update(created_at=summary_local(11, 16, 8))

    def submit(task, by, day, **data):
        visit = visit_submit(task=task, by=by, data={"checklist": all_done, "visited_on": f"2026-11-{day:02d}", **data})
        Visit.objects.filter(pk=visit.pk).update(submitted_at=summary_local(11, day, 11))
        return visit

    def review(visit, action, when, comment=""):
        visit_review(visit=visit, by=admin, action=action, comment=comment)
        Visit.objects.filter(pk=visit.pk).update(reviewed_at=when)
        VisitTask.objects.filter(pk=visit.task_id).update(closed_at=when)
        EntityChange.objects.filter(visit=visit).update(at=when)
        record = BaseRecord.objects.filter(task__visits=visit, klass=BaseRecord.Klass.NEW).first()
        if record is not None and record.entity_id:
            Entity.objects.filter(pk=record.entity_id).update(registered_at=when)

    v1 = submit(
        t_new, visitor, 18, party_members_found=2, wants_party_org=True, care_package=True,
        card_number="XLX-0001", problems="负责人反映招工难，希望协调用工",
    )  # fmt: skip
    review(v1, "approve", summary_local(11, 18, 16))
    v5 = submit(t_e1, visitor, 17, card_number="XLX-0005", problems="门口消防通道堵塞", **care_answers(sends=("送政策",)))
    review(v5, "reject", summary_local(11, 17, 15), comment="走访对象有误")
    v2 = submit(t_e2, visitor, 19, card_number="XLX-0002", party_members_found=1, facts={"employees": 9})
    review(v2, "approve", summary_local(11, 20, 10))
    entity_assign_instructor(entity=e4, by=admin, instructor=users["liaison"])
    EntityChange.objects.filter(entity=e4, field="instructor").update(at=summary_local(11, 19, 10))
    v6 = submit(
        t_e4, visitor2, 20, card_number="XLX-0006", care_package=True, problems="希望提供党建政策辅导",
        **care_answers(sends=("送政策", "送温暖")),
    )  # fmt: skip
    v3 = submit(t_e3, visitor, 22, found_exists=False)
    review(v3, "approve", summary_local(11, 22, 23, 30))
    v4 = submit(t_n2, visitor2, 23, card_number="XLX-0004", care_package=True)
    review(v4, "approve", summary_local(11, 23, 10))
    entity_assign_instructor(entity=e2, by=admin, instructor=users["liaison"])
    EntityChange.objects.filter(entity=e2, field="instructor").update(at=summary_local(11, 24, 10))
    return {
        "e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "n1": Entity.objects.get(records=r_new),
        "v1": v1, "v2": v2, "v3": v3, "v4": v4, "v5": v5, "v6": v6, "t_e5": t_e5,
    }  # fmt: skip


@pytest.fixture
def coverage_register(places, teams, users, town, entity):
    """Register C (coverage): seven entities, coverage hand-counted in test_coverage_rates.py.

    grid 1: e1 东村 蔬菜链+竖河 own-covered by 东村第一党支部 and served by `instructor` · e2 西村
    蔬菜链+民宿链 joint-covered by 东村党总支 · e3 东村 uncovered · e4 西村 民宿链 uncovered · e5 东村
    蔬菜链 closed (org-covered: counts nowhere); grid 2: e6 南村 served by `instructor` · e7 南村
    uncovered. The instructor is grid 1's 党建指导员 (十员).
    """
    from qiangji.campaign.models import GridRole

    instructor = f.UserFactory(username="instructor", display_name="张指导员")
    GridRole.objects.create(grid=places["grid1"], role=GridRole.Role.INSTRUCTOR, name="张指导员", user=instructor)
    veg, homestay, street = places["veg"], places["homestay"], places["street"]
    e1 = entity(
        name="崇明蔬菜合作社",
        chains=[veg],
        street=street,
        covering_organization=town["branch_a1"],
        org_coverage="own",
        instructor=instructor,
        has_party_org=True,
    )
    e2 = entity(
        name="西村民宿农家乐",
        village=places["west"],
        chains=[veg, homestay],
        covering_organization=town["village_a"],
        org_coverage="joint",
        phone="13912345678",
    )
    e3 = entity(name="东村小超市", kind=Entity.Kind.SELF_EMPLOYED, phone="")
    e4 = entity(name="西村花园民宿", village=places["west"], kind=Entity.Kind.HOMESTAY, chains=[homestay])
    e5 = entity(
        name="已歇业蔬菜店",
        chains=[veg],
        status=Entity.Status.CLOSED,
        covering_organization=town["branch_a1"],
        org_coverage="joint",
    )
    e6 = entity(name="南村家庭农场", village=places["south"], kind=Entity.Kind.FARM, instructor=instructor)
    e7 = entity(name="南村快递驿站", village=places["south"])
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "e6": e6, "e7": e7, "instructor": instructor}  # fmt: skip


# Voice channel and carrier committees (helper D) ---------------------------------------------


@pytest.fixture
def voice(places):
    """voice(content=…, carrier="veg", **fields) → a message left on a carrier of `places`."""
    from qiangji.campaign.models import VoiceMessage

    def make(content="大棚蔬菜销路不畅，希望镇里帮忙对接收购商", carrier="veg", **fields):
        target = places[carrier]
        kind = {"veg": "chain", "homestay": "chain", "street": "street", "grid1": "grid", "grid2": "grid"}[carrier]
        return VoiceMessage.objects.create(carrier_kind=kind, **{kind: target}, content=content, **fields)

    return make


@pytest.fixture
def committee(places, users):
    """The 蔬菜链链委会 with a 主任 and a 委员, as the town admin sets it up."""
    from qiangji.campaign.services.carriers import committee_create, committee_seat_add

    admin = users["town_admin"]
    made = committee_create(by=admin, kind="chain", carrier_id=places["veg"].pk, data={})
    committee_seat_add(by=admin, committee=made, data={"name": "张主任", "duty": "主任", "unit": "竖新镇党委"})
    committee_seat_add(by=admin, committee=made, data={"name": "李委员", "duty": "委员", "unit": "崇明蔬菜合作社"})
    return made


# The verify step's pages and API (tasks, visit form, review, teams) ---------------------------

MUSTS = ["见到主体负责人", "核实基本信息", "摸清党员情况", "宣讲党建政策", "留下服务卡和联系方式"]


@pytest.fixture
def verify_tasks(record_task, entity, places, teams):
    """Three open tasks: a new record in grid 1 (东村, phone on the record), a new record in
    grid 2 (南村), and a changed record of a registered entity in 东村 (secretary_a sees it)."""
    _, new1 = record_task(phone="13912345678")
    south = {
        "name": "崇明南村家庭农场",
        "credit_code": credit_code(902),
        "kind": Entity.Kind.FARM,
        "village": places["south"].pk,
        "address": "南村6号",
        "person_in_charge": "钱场主",
        "employees": 2,
    }
    _, new2 = record_task(data=south)
    known = entity(address="东村1号", employees=5)
    _, changed = record_task(
        BaseRecord.Klass.CHANGED,
        entity=known,
        data={"name": known.name, "address": "东村2号"},
        changes={"address": ["东村1号", "东村2号"]},
    )
    return {"new1": new1, "new2": new2, "changed": changed, "known": known}


@pytest.fixture
def visit_on(users):
    """visit_on(task, user=None, **data) → a submitted visit: five musts done, a fresh card number."""
    from qiangji.campaign.services.visits import visit_submit

    cards = iter(range(1, 10_000))

    def make(task, user=None, **data):
        values = {"checklist": MUSTS, "visited_on": "2026-11-21", "card_number": f"XLX-9{next(cards):03d}", **data}
        return visit_submit(task=task, by=user or users["visitor"], data=values)

    return make
