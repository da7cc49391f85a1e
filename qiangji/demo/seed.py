"""Writing the demo town plan into the database, finding it again, and removing it.

Organizations go through organization_create (a few hundred, so the service's checks and history
come for free); members, thousands of them, go through member_build and bulk_create in batches,
with their ChangeRecord rows bulk-created beside them.
"""

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from qiangji.accounts.models import LoginAttempt, RoleGrant, User
from qiangji.briefs.models import WorkBrief
from qiangji.core.history import change_record
from qiangji.core.models import ChangeRecord, append_only_maintenance
from qiangji.demo import names
from qiangji.demo.briefs import reset_briefs, seed_brief
from qiangji.demo.campaign import CampaignResult, reset_campaign, seed_campaign
from qiangji.demo.council_red import CouncilRedResult, reset_council_red, seed_council_red
from qiangji.demo.ledger import LedgerResult, reset_ledger, seed_ledger
from qiangji.demo.life import LifeResult, seed_life
from qiangji.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from qiangji.demo.people import REFERENCE_DATE
from qiangji.demo.reserve_mediation import ReserveMediationResult, reset_reserve_mediation, seed_reserve_mediation
from qiangji.demo.town import TownPlan, town_plan
from qiangji.ledger.models import Grade, RectificationPlan
from qiangji.members.models import Member
from qiangji.members.services import member_build
from qiangji.orglife.models import Attendance as MeetingAttendance
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import Chain, Grid, LiaisonGroup, Organization, Position, Street, Unit, Village
from qiangji.orgs.services import organization_create
from qiangji.plans.models import WorkPlan
from qiangji.trainings.models import Attendance as TrainingAttendance
from qiangji.trainings.models import Training

BATCH = 1000
REASON = "生成演示数据"


@dataclass
class SeedResult:
    """What was written, for the summary the command prints."""

    plan: TownPlan
    seconds: float
    users: int
    life: LifeResult
    ledger: LedgerResult | None = None
    campaign: CampaignResult | None = None
    reserve: ReserveMediationResult | None = None
    council: CouncilRedResult | None = None


def demo_root() -> Organization | None:
    return Organization.objects.filter(name=names.ROOT_NAME, parent__isnull=True).first()


def other_data_present() -> bool:
    """True when the database holds organizations that are not the demo town's."""
    root = demo_root()
    others = Organization.objects.all()
    if root is not None:
        others = others.exclude(path__startswith=root.path)
    return others.exists()


def _places(plan: TownPlan) -> tuple[dict[str, Village], dict[str, Unit], dict[str, Chain]]:
    grids = {n: Grid.objects.create(name=n, number=i) for i, n in enumerate(names.GRIDS, start=1)}
    villages = {}
    for spec in names.VILLAGES:
        kind = Village.Kind.COMMUNITY if spec.community else Village.Kind.VILLAGE
        villages[spec.name] = Village.objects.create(name=spec.name, kind=kind, grid=grids[names.GRIDS[spec.grid - 1]])
    chains = {n: Chain.objects.create(name=n) for n in names.CHAINS}
    for street, where in names.STREETS.items():
        Street.objects.create(name=street).villages.set([villages[v] for v in where])
    units = Unit.objects.bulk_create(
        Unit(name=u.name, kind=u.kind, village=villages.get(u.village or ""), address=u.address) for u in plan.units
    )
    return villages, {u.name: u for u in units}, chains


def _organizations(plan: TownPlan, villages: dict, units: dict) -> dict[str, Organization]:
    created: dict[str, Organization] = {}
    for o in plan.orgs:
        data = {
            "name": o.name,
            "kind": o.kind,
            "parent": created[o.parent] if o.parent else None,
            "unit": units.get(o.unit or ""),
            "village": villages.get(o.village or ""),
            "founded_on": o.founded_on,
            "term_start": o.term_start,
            "term_end": o.term_end,
            "has_committee": o.has_committee,
        }
        created[o.name] = organization_create(by=None, data=data, source=ChangeRecord.Source.COMMAND)
    return created


def _members(plan: TownPlan, orgs: dict[str, Organization]) -> dict[str, list[Member]]:
    """Bulk-create the members and one 'create' history row each; returns them by organization."""
    by_org: dict[str, list[Member]] = {}
    batch: list[Member] = []

    def flush() -> None:
        Member.objects.bulk_create(batch)
        ChangeRecord.objects.bulk_create(
            change_record(
                instance=m,
                user=None,
                action=ChangeRecord.Action.CREATE,
                before=None,
                source=ChangeRecord.Source.COMMAND,
                reason=REASON,
            )
            for m in batch
        )
        batch.clear()

    for o in plan.orgs:
        for mp in o.members:
            member = member_build(data={**mp.person.as_data(), "organization": orgs[o.name], "party_post": mp.post})
            by_org.setdefault(o.name, []).append(member)
            batch.append(member)
            if len(batch) >= BATCH:
                flush()
    if batch:
        flush()
    return by_org


def _pick_member(login, by_org: dict[str, list[Member]], taken: set[int], orgs: dict[str, Organization]) -> Member | None:
    """The member behind a login: same organization and post if possible, else the nearest free one."""
    own = [m for m in by_org.get(login.member_of, []) if m.pk not in taken]
    root_path = orgs[login.member_of].path
    below = [m for name, ms in by_org.items() if orgs[name].path.startswith(root_path) for m in ms if m.pk not in taken]
    for candidates in (
        [m for m in own if m.party_post == login.member_post and not m.is_frail and not m.is_mobile],
        [m for m in own if m.party_post == login.member_post],
        own,
        below,
    ):
        if candidates:
            return candidates[0]
    return None


def _accounts(orgs: dict[str, Organization], by_org: dict[str, list[Member]]) -> int:
    validate_password(DEMO_PASSWORD)
    hashed = make_password(DEMO_PASSWORD)  # hashing is slow by design: once, not per account
    groups = [LiaisonGroup.objects.create(name=n) for n in names.LIAISON_GROUPS]
    taken: set[int] = set()
    now = timezone.now()
    for login in DEMO_LOGINS:
        user, _ = User.objects.get_or_create(username=login.username)
        user.password = hashed
        user.password_changed_at = now
        user.is_active = True
        user.display_name = login.display_name
        if login.member_of:
            member = _pick_member(login, by_org, taken, orgs)
            if member is not None:
                taken.add(member.pk)
                user.display_name = member.name
                Member.objects.filter(pk=member.pk).update(user=user)
        user.save()
        RoleGrant.objects.filter(user=user).delete()
        for role, org_name, title in login.grants:
            RoleGrant.objects.create(user=user, role=role, organization=orgs[org_name], title=title)
        if login.liaison_group is not None:
            group = groups[login.liaison_group]
            group.members.add(user)
            if login.leader:
                group.leader = user
                group.save(update_fields=["leader"])
    return len(DEMO_LOGINS)


def _liaison_assignments(plan: TownPlan, orgs: dict[str, Organization]) -> None:
    groups = list(LiaisonGroup.objects.filter(name__in=names.LIAISON_GROUPS).order_by("id"))
    through = LiaisonGroup.organizations.through
    through.objects.bulk_create(
        through(liaisongroup_id=groups[o.liaison].pk, organization_id=orgs[o.name].pk)
        for o in plan.orgs
        if o.liaison is not None and o.kind != "group"
    )


def _positions(plan: TownPlan, villages: dict, chains: dict, orgs: dict) -> None:
    created: dict[str, Position] = {}
    for p in plan.positions:
        village = villages.get(p.village or "")
        created[p.name] = Position.objects.create(
            name=p.name,
            kind=p.kind,
            parent=created.get(p.parent or ""),
            village=village,
            chain=chains.get(p.chain or ""),
            organization=orgs.get(p.organization or ""),
            address=p.address or (f"{names.ADDRESS_PREFIX}{village.name}" if village else names.ADDRESS_PREFIX),
        )


def seed_town(*, seed: int, members: int, today: dt.date) -> SeedResult:
    """Build the demo town in one transaction: all of it or nothing."""
    started = time.perf_counter()
    plan = town_plan(seed=seed, members=members, today=today)
    with transaction.atomic():
        villages, units, chains = _places(plan)
        orgs = _organizations(plan, villages, units)
        by_org = _members(plan, orgs)
        users = _accounts(orgs, by_org)
        _liaison_assignments(plan, orgs)
        _positions(plan, villages, chains, orgs)
        life = seed_life(seed=seed, orgs=orgs, by_org=by_org, today=today)
        ledger = seed_ledger(seed=seed, orgs=orgs, today=today)
        campaign = seed_campaign(seed=seed, orgs=orgs, today=today)
        accounts = User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).order_by("username")
        reserve = seed_reserve_mediation(seed=seed, orgs=orgs, users=accounts, today=today)
        council = seed_council_red(seed=seed, orgs=orgs, users=accounts, members=by_org, today=today)
        seed_brief(root=demo_root(), today=today)
    return SeedResult(
        plan=plan,
        seconds=time.perf_counter() - started,
        users=users,
        life=life,
        ledger=ledger,
        campaign=campaign,
        reserve=reserve,
        council=council,
    )


def _purge_history(model, ids: list[int]) -> None:
    """History is append-only for the application; removing a demo town removes its history too."""
    table = connection.ops.quote_name(ChangeRecord._meta.db_table)
    content_type = ContentType.objects.get_for_model(model)
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {table} WHERE content_type_id = %s AND object_id IN ({marks})",
                [content_type.pk, *chunk],
            )


def demo_unit_names() -> list[str]:
    villages = [v.name + ("居民委员会" if v.community else "村民委员会") for v in names.VILLAGES]
    return [names.GOVERNMENT, *villages, *(u.name for u in names.UNITS)]


def demo_position_names() -> list[str]:
    # Positions do not depend on the seed or the number of members.
    return [p.name for p in town_plan(seed=0, members=0, today=REFERENCE_DATE).positions]


def _reset_life(root: Organization) -> None:
    """Meetings (with their attendance and history), trainings and work plans of the demo town."""
    meetings = Meeting.objects.filter(organization__path__startswith=root.path)
    _purge_history(Meeting, list(meetings.values_list("pk", flat=True)))
    MeetingAttendance.objects.filter(meeting__organization__path__startswith=root.path).delete()
    meetings.delete()
    trainings = Training.objects.filter(organization__path__startswith=root.path)
    TrainingAttendance.objects.filter(session__training__in=trainings).delete()
    trainings.delete()
    WorkPlan.objects.filter(organization__path__startswith=root.path).delete()


@transaction.atomic
def reset_town() -> None:
    """Remove everything seed_town wrote. Demo accounts stay (audit records point at them) but lose their grants."""
    # The town's own history rows go with it: the one sanctioned path through the append-only
    # guard (docs/security.md), which also lets deleted batches and accounts detach from history.
    with append_only_maintenance():
        _reset_town()


def _reset_town() -> None:
    root = demo_root()
    if root is not None:
        # A brief holds the town's organization (or a liaison group): it goes first.
        _purge_history(WorkBrief, reset_briefs(root, list(names.LIAISON_GROUPS)))
    reset_campaign()  # its register and tasks hold villages, grids and organizations
    if root is not None:
        # Course deliveries hold positions and trainings sessions, projects hold organizations.
        reset_reserve_mediation(root)
        reset_council_red(root)
    position_names = demo_position_names()
    for kind in (Position.Kind.POINT, Position.Kind.VILLAGE_SITE, Position.Kind.CHAIN_STATION, Position.Kind.CENTRE):
        Position.objects.filter(name__in=position_names, kind=kind).delete()
    LiaisonGroup.objects.filter(name__in=names.LIAISON_GROUPS).delete()
    usernames = [login.username for login in DEMO_LOGINS]
    RoleGrant.objects.filter(user__username__in=usernames).delete()
    LoginAttempt.objects.filter(username__in=usernames).delete()
    if root is not None:
        subtree = Organization.objects.filter(path__startswith=root.path)
        _reset_life(root)
        for model in (Grade, RectificationPlan):
            ids = model.objects.filter(organization__path__startswith=root.path).values_list("pk", flat=True)
            _purge_history(model, list(ids))
        reset_ledger(root, usernames)
        member_ids = list(Member.objects.filter(organization__path__startswith=root.path).values_list("pk", flat=True))
        _purge_history(Member, member_ids)
        _purge_history(Organization, list(subtree.values_list("pk", flat=True)))
        for i in range(0, len(member_ids), 5000):
            Member.objects.filter(pk__in=member_ids[i : i + 5000]).delete()
        for depth in sorted(set(subtree.values_list("depth", flat=True)), reverse=True):
            subtree.filter(depth=depth).delete()
    Unit.objects.filter(name__in=demo_unit_names()).delete()
    Street.objects.filter(name__in=names.STREETS).delete()
    Chain.objects.filter(name__in=names.CHAINS).delete()
    Village.objects.filter(name__in=[v.name for v in names.VILLAGES]).delete()
    Grid.objects.filter(name__in=names.GRIDS).delete()


def town_counts(today: dt.date) -> dict[str, int]:
    """Figures of the demo town as it stands in the database, for the summary."""
    root = demo_root()
    if root is None:
        return {}
    orgs = Organization.objects.filter(path__startswith=root.path)
    members = Member.objects.filter(organization__path__startswith=root.path)
    kinds = Counter(orgs.values_list("kind", flat=True))
    village_kinds = Counter(Village.objects.filter(name__in=[v.name for v in names.VILLAGES]).values_list("kind", flat=True))
    meetings = Meeting.objects.filter(organization__path__startswith=root.path)
    term = Counter(o.term_status(today) for o in orgs.exclude(term_end__isnull=True))
    return {
        "villages": sum(village_kinds.values()),
        "village_only": village_kinds.get("village", 0),
        "communities": village_kinds.get("community", 0),
        "grids": Grid.objects.filter(name__in=names.GRIDS).count(),
        "chains": Chain.objects.filter(name__in=names.CHAINS).count(),
        "streets": Street.objects.filter(name__in=names.STREETS).count(),
        "units": Unit.objects.filter(name__in=demo_unit_names()).count(),
        "organizations": sum(kinds.values()) - kinds.get("group", 0),
        "groups": kinds.get("group", 0),
        "members": members.count(),
        "probationary": members.filter(status="probationary").count(),
        "mobile": members.filter(is_mobile=True).count(),
        "frail": members.filter(is_frail=True).count(),
        "positions": Position.objects.filter(name__in=demo_position_names()).count(),
        "liaison_groups": LiaisonGroup.objects.filter(name__in=names.LIAISON_GROUPS).count(),
        "accounts": User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).count(),
        "meetings_held": meetings.filter(status=Meeting.Status.HELD).count(),
        "meetings_scheduled": meetings.filter(status=Meeting.Status.SCHEDULED).count(),
        "meeting_attendances": MeetingAttendance.objects.filter(meeting__in=meetings).count(),
        "trainings": Training.objects.filter(organization__path__startswith=root.path).count(),
        "training_attendances": TrainingAttendance.objects.filter(session__training__organization__in=orgs).count(),
        "plans": WorkPlan.objects.filter(organization__path__startswith=root.path, year=today.year).count(),
        "expired": term.get("expired", 0),
        "ends_1m": term.get("ends_1m", 0),
        "ends_6m": term.get("ends_6m", 0),
    }
