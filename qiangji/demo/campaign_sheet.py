"""The emerging-sector entities of the demo town, and the district sheet that lists them.

`register_plan` draws the entities the district's first list held (cooperatives, family farms,
agricultural companies and homestays on the five chains; shops and restaurants on the two
commercial streets; a few social organizations), each with a valid credit code of Chongming
(310151). `district_workbook` writes a later list the way districts send it: a title row, a
header with the usual aliases, and the cells districts get wrong (phones turned into numbers,
full-width characters, stray spaces, a repeated entity, two broken rows).
"""

import io
import random
from dataclasses import dataclass, field, replace

from openpyxl import Workbook

from qiangji.core.exports import safe_row, safe_title
from qiangji.core.validators import CREDIT_ALPHABET, credit_check_char
from qiangji.demo import names
from qiangji.demo.people import PersonMaker

REGION = "310151"  # 崇明区
# The first two characters of a credit code: registration authority and kind of body.
CODE_PREFIX = {
    "company": "91",
    "cooperative": "93",
    "self_employed": "92",
    "homestay": "92",
    "farm": "92",
    "social_org": "52",
}
# How many of each kind the district's first list held.
KIND_QUOTAS = (
    ("cooperative", 78),
    ("farm", 92),
    ("company", 70),
    ("homestay", 80),
    ("self_employed", 122),
    ("social_org", 18),
)
BRANDS = [
    "绿源",
    "瀛丰",
    "田园",
    "鑫农",
    "禾丰",
    "金穗",
    "沃野",
    "清风",
    "碧海",
    "东滩",
    "裕丰",
    "新禾",
    "绿野",
    "佳禾",
    "兴农",
    "润土",
    "春晓",
    "晨曦",
    "岛韵",
    "橘香",
    "竹里",
    "稻香",
    "芦苇",
    "海棠",
    "花语",
    "芳华",
    "瀛洲",
    "紫藤",
    "海韵",
    "嘉禾",
    "丰源",
    "绿洲",
    "锦绣",
    "瑞丰",
    "恒丰",
    "益农",
    "禾润",
    "青禾",
    "乡悦",
    "林语",
    "云栖",
    "拾光",
    "半亩",
    "东篱",
    "归园",
    "稻田",
    "蟹乡",
    "渔歌",
    "远山",
    "星河",
    "水乡",
    "柳岸",
    "荷塘",
    "桃源",
    "梨园",
    "丰乐",
    "长兴",
    "新河",
    "惠农",
    "康禾",
]
CROPS = {
    "蔬菜链": ("蔬菜", "果蔬", "绿叶菜", "芦笋", "金瓜"),
    "水果链": ("柑橘", "翠冠梨", "草莓", "葡萄", "水果"),
    "稻米链": ("稻米", "水稻", "大米", "粮食"),
    "花卉链": ("花卉", "苗木", "盆景", "鲜切花"),
}
AGRI_CHAINS = tuple(CROPS)
SHOPS = ("超市", "便利店", "饭店", "面馆", "小吃店", "理发店", "五金店", "水果店", "药房", "农资店", "早餐店", "烟杂店")
SOCIAL = ("志愿服务社", "邻里互助服务社", "文化艺术团", "老年活动服务社", "农技推广协会")
# Villages whose shops line a commercial street, and the road the street runs along.
STREET_OF = {v: street for street, villages in names.STREETS.items() for v in villages}
STREET_ROADS = {"竖河商业街区": "竖河街", "大新商业街区": "大新路"}


@dataclass
class EntityPlan:
    """One entity as the district lists it (register values; village, street and chains by name)."""

    name: str
    credit_code: str
    kind: str
    village: str
    address: str
    person_in_charge: str
    phone: str
    employees: int
    party_members: int
    has_party_org: bool
    chains: list[str] = field(default_factory=list)
    street: str = ""


class CodeMaker:
    """Valid credit codes of the region that never repeat."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.seen = rng, set()

    def make(self, kind: str) -> str:
        while True:
            body = "MA1" + "".join(self.rng.choice(CREDIT_ALPHABET) for _ in range(6))
            first17 = CODE_PREFIX[kind] + REGION + body
            code = first17 + credit_check_char(first17)
            if code not in self.seen:
                self.seen.add(code)
                return code


class EntityMaker:
    """Draws entities one at a time: unique names, codes and addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.codes = CodeMaker(rng)
        self.people = PersonMaker(rng)
        self.names: set[str] = set()
        self.addresses: set[str] = set()

    def _person(self) -> str:
        rng = self.rng
        return self.people.name("M" if rng.random() < 0.68 else "F", rng.randint(1960, 1995))

    def _unique(self, draw) -> str:
        while True:
            value = draw()
            if value not in self.names:
                self.names.add(value)
                return value

    def _name(self, kind: str, chain: str, street: str, boss: str) -> str:
        rng = self.rng
        if kind == "cooperative":
            return self._unique(lambda: f"上海{rng.choice(BRANDS)}{rng.choice(CROPS[chain])}专业合作社")
        if kind == "farm":
            return self._unique(lambda: f"崇明区竖新镇{self._person()}家庭农场")
        if kind == "company":
            business = "花卉园艺" if chain == "花卉链" else rng.choice(("农业科技", "生态农业发展", "农产品销售"))
            return self._unique(lambda: f"上海{rng.choice(BRANDS)}{business}有限公司")
        if kind == "homestay":
            return self._unique(lambda: f"崇明{rng.choice(BRANDS)}{rng.choice(('民宿', '小院民宿', '农家乐'))}")
        if kind == "social_org":
            return self._unique(lambda: f"崇明区竖新镇{rng.choice(BRANDS)}{rng.choice(SOCIAL)}")
        shop = rng.choice(SHOPS)
        if shop in ("饭店", "面馆", "小吃店") and rng.random() < 0.5:
            return self._unique(lambda: f"崇明区竖新镇{self._person()[0]}记{rng.choice(SHOPS[2:5])}")
        return self._unique(lambda: f"崇明区竖新镇{rng.choice(BRANDS)}{rng.choice(SHOPS)}")

    def _address(self, village: str, street: str) -> str:
        rng = self.rng
        while True:
            if street:
                address = f"{STREET_ROADS[street]}{rng.randint(1, 260)}号"
            elif village in names.COMMUNITY_ROADS:
                address = f"{names.COMMUNITY_ROADS[village]}{rng.randint(1, 400)}号"
            else:
                address = f"{village}{rng.randint(1, 18)}队{rng.randint(1, 900)}号"
            if address not in self.addresses:
                self.addresses.add(address)
                return address

    def make(self, kind: str, village: str) -> EntityPlan:
        rng = self.rng
        chains: list[str] = []
        if kind in ("cooperative", "company"):
            chains = [rng.choice(AGRI_CHAINS)]
            if kind == "company" and rng.random() < 0.15:
                chains.append(rng.choice([c for c in AGRI_CHAINS if c != chains[0]]))
        elif kind == "farm":
            chains = [rng.choice(AGRI_CHAINS[:3])]
        elif kind == "homestay":
            chains = ["民宿链"]
        street = STREET_OF.get(village, "") if kind == "self_employed" and rng.random() < 0.9 else ""
        employees = {
            "cooperative": (5, 40),
            "farm": (2, 8),
            "company": (5, 60),
            "homestay": (2, 10),
            "self_employed": (1, 8),
            "social_org": (3, 15),
        }[kind]
        roll = rng.random()
        party = 0 if roll < 0.58 else rng.randint(1, 2) if roll < 0.84 else rng.randint(3, 6)
        boss = self._person()
        return EntityPlan(
            name=self._name(kind, chains[0] if chains else "", street, boss),
            credit_code=self.codes.make(kind),
            kind=kind,
            village=village,
            address=self._address(village, street),
            person_in_charge=boss,
            phone=self.people.phone(),
            employees=rng.randint(*employees),
            party_members=party,
            has_party_org=party >= 3 and rng.random() < 0.6,
            chains=chains,
            street=street,
        )


def register_plan(rng: random.Random, maker: EntityMaker) -> list[EntityPlan]:
    """The district's first list: every village has entities; shops go to the street villages."""
    villages = [v.name for v in names.VILLAGES]
    weights = [v.weight for v in names.VILLAGES]
    street_villages = list(STREET_OF)
    kinds = [kind for kind, n in KIND_QUOTAS for _ in range(n)]
    rng.shuffle(kinds)
    plans: list[EntityPlan] = []
    for i, kind in enumerate(kinds):
        if i < len(villages) * 6:  # six of the first kinds drawn in each village, so none is empty
            village = villages[i % len(villages)]
        elif kind == "self_employed" and rng.random() < 0.75:
            village = rng.choice(street_villages)
        else:
            village = rng.choices(villages, weights)[0]
        if kind == "self_employed" and village not in STREET_OF and rng.random() < 0.5:
            village = rng.choice(street_villages)
        plans.append(maker.make(kind, village))
    return plans


# The sheet as the district sends it: its own column titles (aliases of the register's names).
SHEET_COLUMNS = (
    ("name", "企业名称"),
    ("credit_code", "统一社会信用代码"),
    ("kind", "主体类型"),
    ("village", "村（居）"),
    ("address", "经营地址"),
    ("person_in_charge", "法定代表人"),
    ("phone", "联系电话"),
    ("employees", "从业人数"),
    ("party_members", "党员人数"),
    ("has_party_org", "是否建立党组织"),
    ("chains", "所属产业链"),
    ("street", "所属商区"),
)
KIND_LABELS = {
    "company": "企业",
    "self_employed": "个体工商户",
    "social_org": "社会组织",
    "cooperative": "农民专业合作社",
    "homestay": "民宿",
    "farm": "家庭农场",
}
FULL_WIDTH = str.maketrans("0123456789()-", "０１２３４５６７８９（）－")


def _cell(plan: EntityPlan, key: str, messy: bool):
    value = getattr(plan, key)
    if key == "kind":
        return KIND_LABELS[value]
    if key == "has_party_org":
        return "是" if value else "否"
    if key == "chains":
        return "、".join(value)
    if key == "phone" and messy:
        return float(value)  # the district's Excel turned the number into a number
    if key in ("employees", "party_members") and messy:
        return float(value)
    if key == "address" and messy:
        return f" {value.translate(FULL_WIDTH)} "
    if key == "name" and messy:
        return value.replace("(", "（").replace(")", "）") + " "
    return value


def sheet_bytes(title: str, plans: list[EntityPlan], *, messy: list[bool] | None = None) -> bytes:
    """A workbook as the district sends it: a merged title row, then the header, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = safe_title("新兴领域主体")
    sheet.append(safe_row([title]))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SHEET_COLUMNS) + 1)
    sheet.append(safe_row(["序号", *(label for _, label in SHEET_COLUMNS)]))
    for number, plan in enumerate(plans, start=1):
        untidy = bool(messy and messy[number - 1])
        sheet.append(safe_row([number, *(_cell(plan, key, untidy) for key, _ in SHEET_COLUMNS)]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class DistrictSheet:
    """A district workbook and what the demo put into it (for the tests)."""

    content: bytes
    rows: int
    gone: list[str]
    changed: list[str]
    new: list[str]
    duplicate: str
    invalid: list[str]


def district_workbook(
    rng: random.Random,
    maker: EntityMaker,
    register: list[EntityPlan],
    *,
    title: str,
    gone: int,
    changed: int,
    new: int,
) -> DistrictSheet:
    """The register as the district now lists it: `gone` entities missing, `changed` with new
    facts, `new` entities, one entity under a second credit code (same name and address: a
    possible duplicate), and two broken rows (a wrong check character, a village not in the town)."""
    listed = list(register)
    rng.shuffle(listed)
    missing, listed = listed[:gone], listed[gone:]
    changed_names: list[str] = []
    for i, plan in enumerate(listed[:changed]):
        if i % 3 == 0:
            listed[i] = replace(plan, employees=plan.employees + rng.randint(2, 9))
        elif i % 3 == 1:
            listed[i] = replace(plan, person_in_charge=maker._person(), phone=maker.people.phone())
        else:
            listed[i] = replace(plan, party_members=plan.party_members + 1, employees=plan.employees + 1)
        changed_names.append(plan.name)
    twin_of = listed[changed]
    listed[changed] = replace(twin_of, credit_code=maker.codes.make(twin_of.kind), name=twin_of.name + " ")
    villages = [v.name for v in names.VILLAGES]
    kinds = ("homestay", "farm", "cooperative", "company", "self_employed")
    fresh = [maker.make(kinds[i % len(kinds)], rng.choice(villages)) for i in range(new)]
    bad_code = maker.make("farm", rng.choice(villages))
    wrong = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(bad_code.credit_code[-1]) + 1) % len(CREDIT_ALPHABET)]
    bad_code = replace(bad_code, credit_code=bad_code.credit_code[:-1] + wrong)
    bad_village = replace(maker.make("homestay", rng.choice(villages)), village="竖新镇东风村")
    rows = [*listed, *fresh]
    rng.shuffle(rows)
    rows.insert(len(rows) // 2, bad_code)
    rows.insert(len(rows) * 3 // 4, bad_village)
    messy = [rng.random() < 0.2 for _ in rows]
    return DistrictSheet(
        content=sheet_bytes(title, rows, messy=messy),
        rows=len(rows),
        gone=[p.name for p in missing],
        changed=changed_names,
        new=[p.name for p in fresh],
        duplicate=twin_of.name,
        invalid=[bad_code.name, bad_village.name],
    )
