"""The plan of the demo town, built in memory before anything touches the database.

`town_plan(seed=…, members=…, today=…)` returns plain data. Everything but the term dates and the
join dates of probationary members depends on the seed alone. Those two are counted from `today`
on purpose: the home page's reminders (terms over or ending within one or six months, probation
over but not yet full) should show the same handful on whatever day someone opens the demo.
"""

import datetime as dt
import random
from dataclasses import dataclass, field, replace

from qiangji.demo import names
from qiangji.demo.people import REFERENCE_DATE, Person, PersonMaker, home_address
from qiangji.orgs.models import add_months

# Organizations whose term is made to end around today, so every reminder kind shows up.
# A village's branches share its term (a village elects all its organizations together).
TERM_REMINDERS = {
    "expired": ("新光村党总支", "上海竖新服饰有限公司党支部"),
    "ends_1m": ("永兴村党支部", "竖新小学党支部", "上海堡北水产养殖有限公司党支部"),
    "ends_6m": ("大椿村党总支", "竖新镇机关第二党支部", "上海竖新电子科技有限公司党支部", "竖新镇老年协会党支部"),
}
CN_NUMBERS = "一二三四五六七八九十"
# Liaison groups look after whole areas: villages by grid, and the units by kind.
LIAISON_BY_GRID = {1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2, 7: 2}


@dataclass
class MemberPlan:
    """A person placed in an organization, with the Party post they hold there."""

    person: Person
    post: str = ""


@dataclass
class OrgPlan:
    """One organization to create, with its members; `parent` names an earlier plan."""

    name: str
    kind: str
    parent: str | None
    unit: str | None = None
    village: str | None = None
    founded_on: dt.date | None = None
    term_years: int | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    has_committee: bool = False
    liaison: int | None = None
    profile: str = "village"
    weight: float = 0.0
    members: list[MemberPlan] = field(default_factory=list)


@dataclass
class UnitPlan:
    """A unit (单位) to create."""

    name: str
    kind: str
    village: str | None
    address: str


@dataclass
class PositionPlan:
    """A service position (阵地) to create; `parent` names an earlier position."""

    name: str
    kind: str
    parent: str | None
    village: str | None = None
    chain: str | None = None
    organization: str | None = None
    address: str = ""


@dataclass
class TownPlan:
    """Everything seed_demo writes, in the order it must be written."""

    seed: int
    today: dt.date
    units: list[UnitPlan]
    orgs: list[OrgPlan]
    positions: list[PositionPlan]

    def org(self, name: str) -> OrgPlan:
        return next(o for o in self.orgs if o.name == name)


def _date_between(rng: random.Random, first: int, last: int) -> dt.date:
    """A day between 1 January of `first` and 31 December of `last`."""
    start = dt.date(first, 1, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(last, 12, 31) - start).days + 1))


def _top_org_name(spec: names.VillageSpec) -> str:
    suffix = {"committee": "党委", "general_branch": "党总支", "branch": "党支部"}[spec.form]
    return spec.name + suffix


def _organizations(rng: random.Random) -> tuple[list[UnitPlan], list[OrgPlan]]:
    """The tree without members: root, villages with their branches, then the units."""
    units: list[UnitPlan] = []
    orgs = [OrgPlan(names.ROOT_NAME, "committee", None, unit=names.GOVERNMENT, founded_on=dt.date(1958, 9, 28), term_years=5)]
    for spec in names.VILLAGES:
        kind = "community" if spec.community else "village"
        unit = spec.name + ("居民委员会" if spec.community else "村民委员会")
        units.append(UnitPlan(unit, kind, spec.name, f"{names.ADDRESS_PREFIX}{spec.name}{rng.randint(1, 300)}号"))
        profile = "community" if spec.community else "village"
        founded = _date_between(rng, 1952, 1984)
        top = OrgPlan(
            _top_org_name(spec),
            spec.form,
            names.ROOT_NAME,
            unit=unit,
            village=spec.name,
            founded_on=founded,
            term_years=5,
            has_committee=spec.form != "branch",
            liaison=LIAISON_BY_GRID[spec.grid],
            profile=profile,
            weight=spec.weight if spec.form == "branch" else 4,
        )
        orgs.append(top)
        shares = [rng.uniform(0.85, 1.15) for _ in range(spec.branches)]
        for i, share in enumerate(shares):
            orgs.append(
                OrgPlan(
                    f"{spec.name}第{CN_NUMBERS[i]}党支部",
                    "branch",
                    top.name,
                    unit=unit,
                    village=spec.name,
                    founded_on=_date_between(rng, max(founded.year, 1985), 2005),
                    term_years=5,
                    liaison=top.liaison,
                    profile=profile,
                    weight=spec.weight * share / sum(shares),
                )
            )

    government = UnitPlan(names.GOVERNMENT, "government", None, f"{names.ADDRESS_PREFIX}新建路88号")
    units.insert(0, government)
    orgs.append(
        OrgPlan(
            names.JIGUAN_COMMITTEE,
            "committee",
            names.ROOT_NAME,
            unit=names.GOVERNMENT,
            founded_on=dt.date(2004, 6, 18),
            term_years=5,
            has_committee=True,
            liaison=1,
            profile="staff",
            weight=3,
        )
    )
    for branch in names.JIGUAN_BRANCHES:
        orgs.append(
            OrgPlan(
                branch,
                "branch",
                names.JIGUAN_COMMITTEE,
                unit=names.GOVERNMENT,
                founded_on=_date_between(rng, 2004, 2010),
                term_years=3,
                liaison=1,
                profile="staff",
                weight=26,
            )
        )
    orgs.append(
        OrgPlan(
            names.LIANGXIN_COMMITTEE,
            "committee",
            names.ROOT_NAME,
            founded_on=dt.date(2017, 7, 1),
            term_years=5,
            has_committee=True,
            liaison=3,
            profile="social",
            weight=3,
        )
    )
    parents = {"root": names.ROOT_NAME, "jiguan": names.JIGUAN_COMMITTEE, "liangxin": names.LIANGXIN_COMMITTEE}
    for spec in names.UNITS:
        where = spec.village or None
        address = (
            f"{names.ADDRESS_PREFIX}{spec.village}{rng.randint(1, 1500)}号"
            if where
            else (f"{names.ADDRESS_PREFIX}新建路{rng.randint(1, 200)}号")
        )
        units.append(UnitPlan(spec.name, spec.kind, where, address))
        if spec.kind == "social_org":
            founded = _date_between(rng, 2018, 2024)
        elif spec.kind == "enterprise":
            founded = _date_between(rng, 1998, 2022)
        else:
            founded = _date_between(rng, 1956, 1995)
        profile = {"institution": "staff", "school": "staff", "social_org": "social"}.get(spec.kind, "enterprise")
        if "合作社" in spec.name:
            profile = "cooperative"
        liaison = {"root": 0, "jiguan": 1, "liangxin": 3}[spec.parent]
        if spec.kind == "institution" and spec.parent == "root":
            liaison = 2  # the health centre
        orgs.append(
            OrgPlan(
                spec.org_name or spec.name + "党支部",
                "branch",
                parents[spec.parent],
                unit=spec.name,
                village=where,
                founded_on=founded,
                term_years=3,
                liaison=liaison,
                profile=profile,
                weight=spec.weight,
            )
        )
    return units, orgs


def _set_terms(rng: random.Random, orgs: list[OrgPlan], today: dt.date) -> None:
    """Terms around `today`: most well inside their term, the TERM_REMINDERS ones near or past its end."""
    windows = {"expired": (-120, -15), "ends_1m": (3, 25), "ends_6m": (40, 170)}
    picked = {name: kind for kind, group in TERM_REMINDERS.items() for name in group}
    by_name = {o.name: o for o in orgs}
    for org in orgs:
        if org.term_years is None:
            continue
        parent = by_name.get(org.parent or "")
        if parent is not None and parent.village and parent.village == org.village and parent.term_end:
            org.term_start, org.term_end = parent.term_start, parent.term_end
            continue
        if org.name in picked:
            low, high = windows[picked[org.name]]
        else:
            low, high = 200, org.term_years * 365 - 30
        org.term_end = today + dt.timedelta(days=rng.randint(low, high))
        org.term_start = add_months(org.term_end, -12 * org.term_years)
    for org in orgs:
        if org.term_start and org.founded_on and org.founded_on > org.term_start:
            org.founded_on = org.term_start


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` by weight (largest remainder), giving each holder one first when there are enough."""
    base = [1] * len(weights) if total >= len(weights) else [0] * len(weights)
    rest = total - sum(base)
    scale = rest / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [b + c for b, c in zip(base, counts, strict=True)]


def _assign_posts(rng: random.Random, org: OrgPlan) -> None:
    """One secretary (the first member, drawn as such); deputies and committee members by RULES.md."""
    if not org.members:
        return
    org.members[0].post = "secretary"
    others = [m for m in org.members[1:] if m.person.status == "full"]
    rng.shuffle(others)
    full = 1 + len(others)
    if org.kind in ("committee", "general_branch"):
        posts = ["deputy_secretary"] + ["committee_member"] * 3
    elif full >= 7:
        org.has_committee = True
        posts = ["deputy_secretary"] + ["committee_member"] * rng.randint(1, 3)
    elif full >= 5 and rng.random() < 0.5:
        posts = ["deputy_secretary"]
    else:
        posts = []
    for member, post in zip(others, posts, strict=False):
        member.post = post


def _groups(org: OrgPlan) -> list[OrgPlan]:
    """Party groups under a large branch; their leaders are members of the branch."""
    count = len(org.members)
    if org.kind != "branch" or count < 30:
        return []
    groups = []
    leaders = [m for m in org.members if not m.post and m.person.status == "full"]
    for i in range(min(3, count // 15)):
        groups.append(
            OrgPlan(
                f"{org.name}第{CN_NUMBERS[i]}党小组",
                "group",
                org.name,
                unit=org.unit,
                village=org.village,
                founded_on=org.founded_on,
                profile=org.profile,
            )
        )
        if i < len(leaders):
            leaders[i].post = "group_leader"
    return groups


def _people(rng: random.Random, orgs: list[OrgPlan], total: int) -> None:
    maker = PersonMaker(rng)
    holders = [o for o in orgs if o.weight > 0]
    for org, count in zip(holders, _allocate(total, [o.weight for o in holders]), strict=True):
        for i in range(count):
            # Staff of town units often live in the county seat; villagers live in their village.
            lives = org.village if org.profile in ("village", "community") or rng.random() < 0.55 else None
            if lives is None and org.profile != "staff" and rng.random() < 0.5:
                lives = rng.choice(names.VILLAGES).name
            address = home_address(rng, lives)
            org.members.append(MemberPlan(maker.make(profile=org.profile, address=address, secretary=i == 0)))
        _assign_posts(rng, org)


def _positions(orgs: list[OrgPlan]) -> list[PositionPlan]:
    """一核十村百点 and the five chain stations."""
    top = {o.village: o.name for o in orgs if o.parent == names.ROOT_NAME and o.village}
    centre = PositionPlan(
        "竖新镇党群服务中心", "centre", None, organization=names.ROOT_NAME, address=f"{names.ADDRESS_PREFIX}新建路88号"
    )
    sites = {
        spec.name: PositionPlan(
            f"{spec.name}党群服务站", "village_site", centre.name, village=spec.name, organization=top[spec.name]
        )
        for spec in names.VILLAGES
        if spec.name in names.SITE_VILLAGES
    }
    site_of_grid = {}
    for spec in names.VILLAGES:
        if spec.name in sites:
            site_of_grid.setdefault(spec.grid, sites[spec.name].name)
    grid_of = {spec.name: spec.grid for spec in names.VILLAGES}

    def parent_for(village: str | None) -> str:
        return site_of_grid.get(grid_of.get(village or "", 0), centre.name)

    points = [
        PositionPlan(f"{spec.name}党群服务点", "point", parent_for(spec.name), village=spec.name, organization=top[spec.name])
        for spec in names.VILLAGES
        if spec.name not in sites
    ]
    for street, villages in names.STREETS.items():
        points.append(PositionPlan(f"{street}党群服务点", "point", parent_for(villages[0]), village=villages[0]))
    for unit in names.UNITS:
        if unit.point:
            org = unit.org_name or unit.name + "党支部"
            points.append(
                PositionPlan(
                    f"{unit.name}党群服务点", "point", parent_for(unit.village), village=unit.village or None, organization=org
                )
            )
    for name, village in names.EXTRA_POINTS:
        points.append(PositionPlan(name, "point", parent_for(village) if village else centre.name, village=village or None))
    stations = []
    for chain in names.CHAINS:
        village = next(u.village for u in names.UNITS if u.chain == chain)
        stations.append(
            PositionPlan(
                f"{chain}党群服务站",
                "chain_station",
                centre.name,
                village=village,
                chain=chain,
                organization=names.LIANGXIN_COMMITTEE,
            )
        )
    return [centre, *sites.values(), *stations, *points]


def _anchor_probation(orgs: list[OrgPlan], today: dt.date) -> None:
    """Probationary members joined so many days before today, not before the reference date:
    otherwise, a year on, every one of them would show as overdue for full membership."""
    for org in orgs:
        for mp in org.members:
            if mp.person.status == "probationary":
                mp.person = replace(mp.person, joined_on=today - (REFERENCE_DATE - mp.person.joined_on))


def town_plan(*, seed: int, members: int, today: dt.date) -> TownPlan:
    rng = random.Random(seed)
    units, orgs = _organizations(rng)
    _people(rng, orgs, members)
    _anchor_probation(orgs, max(today, REFERENCE_DATE))
    with_groups: list[OrgPlan] = []
    for org in orgs:
        with_groups.append(org)
        with_groups.extend(_groups(org))
    # Terms draw from their own stream so that the people stay the same whatever `today` is.
    _set_terms(random.Random(f"{seed}-terms"), with_groups, today)
    return TownPlan(seed=seed, today=today, units=units, orgs=with_groups, positions=_positions(with_groups))


__all__ = ["REFERENCE_DATE", "TownPlan", "town_plan"]
