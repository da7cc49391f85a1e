"""City-scale benchmark data: the rows of one town at a time, with no database access.

A city is a root, 16 district committees and a number of towns. Each town is generated on its
own: its random stream, its ranges of organization and member ids, and its slice of ID order
numbers within the district's region code are all fixed in advance, so towns can be built in
parallel processes and the result does not depend on how the work is split. Ids are assigned
here so that materialised paths are known before anything is written (qiangji.demo.bulk writes).
Ciphertext, keyed hashes and pinyin initials are computed exactly as member_build does.
"""

import datetime as dt
import json
import random
import time
from dataclasses import dataclass, field
from functools import lru_cache

from qiangji.core.crypto import encrypt, keyed_hash, mask_address, mask_id_number, mask_phone
from qiangji.demo.people import PersonMaker
from qiangji.members.services import name_initials
from qiangji.orgs.models import add_months

DISTRICTS = (
    ("黄浦区", "310101"), ("徐汇区", "310104"), ("长宁区", "310105"), ("静安区", "310106"),
    ("普陀区", "310107"), ("虹口区", "310109"), ("杨浦区", "310110"), ("闵行区", "310112"),
    ("宝山区", "310113"), ("嘉定区", "310114"), ("浦东新区", "310115"), ("金山区", "310116"),
    ("松江区", "310117"), ("青浦区", "310118"), ("奉贤区", "310120"), ("崇明区", "310151"),
)  # fmt: skip
ROOT_NAME = "中共上海市委员会"
SYLLABLES = "新东西南北港桥河浦泾塘庙堡庄林安丰华兴海江金马陈徐朱高长罗龙泗亭枫漕练朝阳明光永红星春秋富民利和平胜建跃进"
INDUSTRIES = ("科技", "实业", "物流", "建设", "食品", "贸易", "农业", "服饰", "电子", "机械", "物业", "环保")
CN = "一二三四五六七八九十"
BRANCHES_PER_VILLAGE = 5
REASON = "基准测试数据"

ORG_COLUMNS = ("id", "name", "kind", "parent_id", "path", "depth", "founded_on", "term_start", "term_end",
               "has_committee", "created_at", "updated_at")  # fmt: skip
MEMBER_COLUMNS = ("id", "name", "name_initials", "gender", "id_number", "id_number_hash", "birth_date", "ethnicity",
                  "education", "joined_on", "full_member_on", "status", "organization_id", "party_post", "phone",
                  "address", "is_frail", "is_mobile", "created_at", "updated_at")  # fmt: skip
HISTORY_COLUMNS = ("at", "content_type_id", "object_id", "object_repr", "action", "source", "changes", "reason")


@lru_cache(maxsize=200_000)
def _initials(name: str) -> str:
    return name_initials(name)


def share(total: int, parts: int, i: int) -> int:
    """Part i of `total` split as evenly as possible into `parts`."""
    return total // parts + (1 if i < total % parts else 0)


def unique_names(rng: random.Random, count: int, suffix: str, taken: set[str]) -> list[str]:
    out = []
    while len(out) < count:
        name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + suffix
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def town_shape(budget: int) -> tuple[int, int, int]:
    """(villages, unit branches, Party groups) for a town of about `budget` organizations."""
    villages = max(1, round(budget * 0.08))
    units = round(budget * 0.2)
    groups = max(0, budget - 1 - villages * (1 + BRANCHES_PER_VILLAGE) - units)
    return villages, units, groups


def town_org_count(budget: int) -> int:
    villages, units, groups = town_shape(budget)
    return 1 + villages * (1 + BRANCHES_PER_VILLAGE) + units + groups


@dataclass
class Context:
    """What every town shares: the clock, content types, the columns Member gained since."""

    today: dt.date
    stamp: object  # created_at/updated_at as the database driver wants it
    ct_member: int
    ct_org: int
    member_defaults: tuple = ()
    history: bool = True


@dataclass
class TownSpec:
    """Everything needed to build one town, fixed before any town is built."""

    index: int
    seed: int
    district: tuple[int, str]  # (id, path) of the district committee
    district_name: str
    region: str
    name: str
    budget: int
    members: int
    org_start: int
    member_start: int
    orders: range


@dataclass
class TownRows:
    """The rows of one town and what the benchmark logins need from it."""

    orgs: list[tuple] = field(default_factory=list)
    members: list[tuple] = field(default_factory=list)
    history: list[tuple] = field(default_factory=list)
    town_id: int = 0
    general_branch_id: int = 0
    seconds: float = 0.0


class _Town:
    def __init__(self, spec: TownSpec, ctx: Context) -> None:
        self.spec, self.ctx = spec, ctx
        self.rng = random.Random(f"{spec.seed}-town-{spec.index}")
        self.rows = TownRows()
        self.next_org, self.next_member = spec.org_start, spec.member_start

    def org(self, name: str, kind: str, parent: tuple[int, str], years: int | None) -> tuple[int, str]:
        pk = self.next_org
        self.next_org += 1
        self.rows.orgs.append(org_row(pk, name, kind, parent, years, self.rng, self.ctx))
        if self.ctx.history:
            changes = json.dumps({"name": [None, name], "kind": [None, kind]}, ensure_ascii=False)
            self.rows.history.append((self.ctx.stamp, self.ctx.ct_org, pk, name, "create", "command", changes, REASON))
        return pk, f"{parent[1]}{pk}/"

    def build(self) -> TownRows:
        spec, rng = self.spec, self.rng
        prefix = f"{spec.district_name}{spec.name}"
        town = self.org(f"{prefix}党委", "committee", spec.district, 5)
        self.rows.town_id = town[0]
        villages, units, groups = town_shape(spec.budget)
        holders: list[tuple[tuple[int, str], str, str, str]] = []  # (org, name, profile, where)
        for vname in unique_names(rng, villages, "村", set()):
            gb = self.org(f"{prefix}{vname}党总支", "general_branch", town, 5)
            self.rows.general_branch_id = self.rows.general_branch_id or gb[0]
            for i in range(BRANCHES_PER_VILLAGE):
                name = f"{prefix}{vname}第{CN[i]}党支部"
                holders.append((self.org(name, "branch", gb, 5), name, "village", f"{spec.name}{vname}"))
        taken: set[str] = set()
        for _ in range(units):
            firm = unique_names(rng, 1, rng.choice(INDUSTRIES) + "有限公司", taken)[0]
            name = f"{prefix}{firm}党支部"
            holders.append((self.org(name, "branch", town, 3), name, rng.choice(("enterprise", "staff")), ""))
        weights = [rng.uniform(0.6, 1.4) for _ in holders]
        counts = [int(w * spec.members / sum(weights)) for w in weights]
        for i in range(spec.members - sum(counts)):
            counts[i % len(counts)] += 1
        ranked = sorted(range(len(holders)), key=lambda i: -counts[i])
        for n in range(groups):  # the largest branches get their Party groups first
            org, name, _, _ = holders[ranked[n % len(ranked)]]
            number = n // len(ranked)
            self.org(f"{name}第{CN[number] if number < 10 else number + 1}党小组", "group", org, None)
        maker = PersonMaker(rng, region=spec.region, orders=spec.orders)
        for holder, count in zip(holders, counts, strict=True):
            self.members(holder, count, maker)
        return self.rows

    def members(self, holder: tuple, count: int, maker: PersonMaker) -> None:
        (org_id, _), org_name, profile, where = holder
        ctx, rng = self.ctx, self.rng
        for k in range(count):
            place = where or rng.choice(("城区", "新城", "老街")) + "路"
            p = maker.make(
                profile=profile, address=f"上海市{self.spec.district_name}{place}{rng.randint(1, 1500)}号", secretary=k == 0
            )
            mid = self.next_member
            self.next_member += 1
            self.rows.members.append((
                mid, p.name, _initials(p.name), p.gender, encrypt(p.id_number), keyed_hash(p.id_number), p.birth_date,
                p.ethnicity, p.education, p.joined_on, p.full_member_on, p.status, org_id, "secretary" if k == 0 else "",
                encrypt(p.phone), encrypt(p.address), p.is_frail, p.is_mobile, ctx.stamp, ctx.stamp, *ctx.member_defaults,
            ))  # fmt: skip
            if ctx.history:
                changes = {
                    "name": [None, p.name], "gender": [None, p.gender], "id_number": [None, mask_id_number(p.id_number)],
                    "birth_date": [None, p.birth_date.isoformat()], "organization": [None, org_name],
                    "status": [None, p.status], "phone": [None, mask_phone(p.phone)], "address": [None, mask_address(p.address)],
                }  # fmt: skip
                self.rows.history.append(
                    (ctx.stamp, ctx.ct_member, mid, p.name, "create", "command", json.dumps(changes, ensure_ascii=False), REASON)
                )


def org_row(pk: int, name: str, kind: str, parent: tuple[int, str] | None, years: int | None, rng: random.Random, ctx: Context):
    """One Organization row; terms spread so that some are over and some end soon."""
    path = f"{parent[1] if parent else '/'}{pk}/"
    founded = dt.date(rng.randint(1950, 2020), rng.randint(1, 12), rng.randint(1, 28))
    start = end = None
    if years:
        end = ctx.today + dt.timedelta(days=rng.randint(-60, years * 365 - 30))
        start = add_months(end, -12 * years)
        founded = min(founded, start)
    has_committee = kind in ("committee", "general_branch")
    return (pk, name, kind, parent[0] if parent else None, path, path.count("/") - 2, founded, start, end, has_committee,
            ctx.stamp, ctx.stamp)  # fmt: skip


def build_town(job: tuple[TownSpec, Context]) -> TownRows:
    """One town's rows (a worker process runs this)."""
    started = time.perf_counter()
    rows = _Town(*job).build()
    rows.seconds = time.perf_counter() - started
    return rows


def city_plan(*, members: int, organizations: int, towns: int, seed: int, ctx: Context) -> tuple[list[tuple], list[TownSpec]]:
    """The root and district rows, and one spec per town with its id ranges already fixed."""
    rng = random.Random(seed)
    top = [org_row(1, ROOT_NAME, "committee", None, 5, rng, ctx)]
    districts = []
    for i, (dname, code) in enumerate(DISTRICTS, start=2):
        top.append(org_row(i, f"中共上海市{dname}委员会", "committee", (1, "/1/"), 5, rng, ctx))
        districts.append(((i, f"/1/{i}/"), dname, code))
    per_district = -(-towns // len(DISTRICTS))
    slice_size = 500 // per_district
    taken: dict[str, set[str]] = {d: set() for d, _ in DISTRICTS}
    specs = []
    org_start, member_start = len(top) + 1, 1
    for t in range(towns):
        district, dname, code = districts[t % len(DISTRICTS)]
        k = t // len(DISTRICTS)
        budget = share(organizations - len(top), towns, t)
        count = share(members, towns, t)
        tname = unique_names(rng, 1, "镇", taken[dname])[0]
        orders = range(k * slice_size, (k + 1) * slice_size)
        specs.append(TownSpec(t, seed, district, dname, code, tname, budget, count, org_start, member_start, orders))
        org_start += town_org_count(budget)
        member_start += count
    return top, specs
