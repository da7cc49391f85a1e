"""The district's lists in the demo campaign: imported through the entities importer (the same
path as `import_entities` and the upload page), then verified by the teams and reviewed by the
town with fixed quotas per class; and the removal of everything the campaign demo wrote.
"""

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Q

from qiangji.accounts.models import RoleGrant, User
from qiangji.campaign.importers import FULL, LIST_CHOICE
from qiangji.campaign.models import (
    BaseRecord,
    CarrierCommittee,
    Entity,
    EntityBatch,
    GridRole,
    ServiceCard,
    Summary,
    Visit,
    VisitTask,
    VisitTeam,
    VoiceMessage,
)
from qiangji.campaign.selectors import coverage_town
from qiangji.core.access import VISITOR
from qiangji.core.models import ImportBatch
from qiangji.core.spreadsheets.services import import_file
from qiangji.demo import names
from qiangji.demo.campaign_sheet import DistrictSheet, EntityPlan, district_workbook
from qiangji.demo.campaign_texts import COMMENTS, REJECTS

Klass = BaseRecord.Klass
GONE, CHANGED, NEW = 6, 14, 30  # the later list: rows it drops, changes and adds
# What became of the later list's verify tasks, in record order: (class, how many, outcome).
# Outcomes: open (not visited yet), sent_back (has issues, waiting for the team), submitted
# (waiting for review), rejected, approved, approved_after (approved after one send-back),
# closed (approved: the entity is gone), still_there (approved: the list just missed it).
DISTRICT_OUTCOMES = {
    Klass.NEW: (("open", 2), ("sent_back", 2), ("submitted", 5), ("rejected", 2), ("approved_after", 1), ("approved", 18)),
    Klass.CHANGED: (("open", 1), ("sent_back", 1), ("submitted", 2), ("approved", 10)),
    Klass.DUPLICATE: (("approved", 1),),
    Klass.GONE: (("closed", 4), ("still_there", 1), ("submitted", 1)),
}


def import_sheet(w: Any, *, day: dt.date, file_name: str, content: bytes) -> EntityBatch:
    """One district workbook through the entities importer, committed by the town admin on `day`."""
    with w.clock.at(day):
        # The district's lists are full lists: the entities they no longer name become 疑似注销.
        import_file(
            kind="entities", file_name=file_name, data=content, commit=True, user=w.admins[0], options={LIST_CHOICE.key: FULL}
        )
    return EntityBatch.objects.get(file_sha256=hashlib.sha256(content).hexdigest())


def register_as_listed(w: Any) -> list[EntityPlan]:
    """The active register as a district list would show it (names, not pks)."""
    plans = []
    entities = Entity.objects.active().select_related("village", "street").prefetch_related("chains").order_by("pk")
    for e in entities:
        plans.append(
            EntityPlan(
                name=e.name,
                credit_code=e.credit_code,
                kind=e.kind,
                village=e.village.name,
                address=e.address,
                person_in_charge=e.person_in_charge,
                phone=e.phone,
                employees=e.employees,
                party_members=e.party_members,
                has_party_org=e.has_party_org,
                chains=[c.name for c in e.chains.all()],
                street=e.street.name if e.street_id else "",
            )
        )
    return plans


def district_import(w: Any, *, days_before: int) -> DistrictSheet:
    day = w.day(days_before)
    sheet = district_workbook(
        w.rng,
        w.maker,
        register_as_listed(w),
        title=f"崇明区竖新镇新兴领域主体基础数据（截至{day:%Y年%m月%d日}）",
        gone=GONE,
        changed=CHANGED,
        new=NEW,
    )
    w.district = import_sheet(w, day=day, file_name=f"竖新镇新兴领域主体底数{day:%Y%m%d}.xlsx", content=sheet.content)
    return sheet


def verify_district(w: Any, *, days_before: int) -> None:
    """The teams visit the later list's tasks over the following days; the town reviews."""
    start = w.day(days_before)
    tasks = (
        VisitTask.objects.filter(record__batch=w.district).select_related("record", "entity").order_by("record__row_number", "pk")
    )
    by_class: dict[str, list[VisitTask]] = {}
    for task in tasks.order_by("record__row_number", "pk"):
        by_class.setdefault(task.record.klass, []).append(task)
    for klass, outcomes in DISTRICT_OUTCOMES.items():
        mine = iter(by_class.get(klass, []))
        for outcome, count in outcomes:
            for _ in range(count):
                task = next(mine)
                day = start + dt.timedelta(days=w.rng.randint(1, days_before - 2))
                _outcome(w, task, outcome, day)


def _outcome(w: Any, task: VisitTask, outcome: str, day: dt.date) -> None:
    record = task.record
    if outcome == "open":
        return
    extra: dict[str, Any] = {"party_members_found": record.data.get("party_members") or 0, "first": record.klass == Klass.NEW}
    if record.klass == Klass.DUPLICATE:
        extra["facts"] = {"credit_code": record.data["credit_code"]}
        extra["notes"] = "核实为同一主体，已重新办理营业执照，按新的统一社会信用代码登记"
    if record.klass == Klass.GONE:
        extra["found_exists"] = outcome == "still_there"
        extra["notes"] = "现场已无人经营，门面已转租" if outcome != "still_there" else "主体仍在正常经营，区级名单漏报"
        extra["party_members_found"] = 0 if outcome != "still_there" else task.entity.party_members
    if outcome == "submitted":
        w.submit(task, day, **extra)
    elif outcome == "sent_back":
        visit = w.submit(task, day, **extra)
        w.review(visit, day + dt.timedelta(days=1), "send_back", w.rng.choice(COMMENTS))
    elif outcome == "rejected":
        visit = w.submit(task, day, **extra)
        w.review(visit, day + dt.timedelta(days=1), "reject", w.rng.choice(REJECTS))
    else:
        w.reviewed(task, day, send_back=outcome == "approved_after", **extra)


def coverage_orgs(orgs: dict[str, Any], chains: dict[str, Any], streets: dict[str, Any]) -> tuple[list, dict, dict]:
    """Who can cover an entity: the two-new organizations of each chain, the streets' joint
    branches, and each village's highest organization."""

    class OnChain:
        def __init__(self, org: Any, chain_ids: list[int]) -> None:
            self.org, self.chain_ids = org, chain_ids

    on_chain = []
    for unit in names.UNITS:
        if unit.chain and unit.parent == "liangxin":
            org = orgs.get(unit.org_name or f"{unit.name}党支部")
            if org is not None:
                on_chain.append(OnChain(org, [chains[unit.chain].pk]))
    street_orgs = {streets[name].pk: orgs[f"{name}联合党支部"] for name in names.STREETS}
    village_orgs: dict[int, Any] = {}
    for org in sorted(orgs.values(), key=lambda o: (o.depth, o.pk)):
        if org.village_id and org.village_id not in village_orgs:
            village_orgs[org.village_id] = org
    return on_chain, street_orgs, village_orgs


def reset_campaign() -> None:
    """Everything the campaign demo wrote: summaries, voice, visits and tasks, batches and their
    imports, the register, carriers' bodies, teams; the demo's team members and instructors keep
    their accounts (audit records may point at them) but lose their grants."""
    villages = [v.name for v in names.VILLAGES]
    grids = list(names.GRIDS)
    in_town = Q(grid__name__in=grids) | Q(chain__name__in=names.CHAINS) | Q(street__name__in=names.STREETS)
    Summary.objects.all().delete()
    VoiceMessage.objects.filter(in_town).delete()
    tasks = VisitTask.objects.filter(grid__name__in=grids)
    ServiceCard.objects.filter(entity__village__name__in=villages).delete()
    tasks.delete()
    batches = EntityBatch.objects.filter(by__username__in=("zhen_admin", "zhen_admin2"))
    ImportBatch.objects.filter(kind="entities", entity_batch__in=batches).delete()
    batches.delete()
    Entity.objects.filter(village__name__in=villages).delete()
    CarrierCommittee.objects.filter(in_town).delete()
    GridRole.objects.filter(grid__name__in=grids).delete()
    VisitTeam.objects.filter(grid__name__in=grids).delete()
    demo_people = User.objects.filter(Q(username__startswith="zoufang") | Q(username__startswith="zhidao"))
    RoleGrant.objects.filter(user__in=demo_people, role=VISITOR).delete()


def campaign_counts() -> dict[str, Any]:
    """The campaign's figures as they stand, for the line seed_demo prints."""
    town = coverage_town()
    return {
        "teams": VisitTeam.objects.count(),
        "members": VisitTeam.members.through.objects.count(),
        "active": Entity.objects.active().count(),
        "closed": Entity.objects.filter(status=Entity.Status.CLOSED).count(),
        "batches": EntityBatch.objects.count(),
        "visits": Visit.objects.count(),
        "submitted": Visit.objects.filter(state=Visit.State.SUBMITTED).count(),
        "cards": ServiceCard.objects.count(),
        "org_rate": town.org_rate,
        "work_rate": town.work_rate,
        "voice": VoiceMessage.objects.count(),
        "daily": Summary.objects.filter(kind=Summary.Kind.DAILY).count(),
        "weekly": Summary.objects.filter(kind=Summary.Kind.WEEKLY).count(),
    }
