"""Synthetic Party members: names, ID numbers, ages, posts and contacts that look like a real roster.

Every draw comes from the `random.Random` passed in, and every date is counted back from
REFERENCE_DATE rather than from today, so one seed gives the same people on any day.
"""

import datetime as dt
import random
from dataclasses import dataclass

from qiangji.core.validators import id_check_char
from qiangji.demo import names

# Ages and join dates are counted back from here. It lies in the past, so no one is born,
# joins or becomes a full member in the future, whatever day the demo is built.
REFERENCE_DATE = dt.date(2026, 11, 1)

# (youngest, oldest, weight) age bands per kind of unit. Villages are old: many members joined
# in the commune years and now cannot leave home, which is why 送学上门 exists.
AGE_PROFILES = {
    "village": ((22, 35, 9), (35, 50, 13), (50, 60, 16), (60, 70, 23), (70, 80, 24), (80, 88, 12), (88, 97, 3)),
    "community": ((22, 35, 12), (35, 50, 17), (50, 60, 18), (60, 70, 23), (70, 80, 19), (80, 88, 9), (88, 95, 2)),
    "staff": ((24, 35, 34), (35, 45, 30), (45, 55, 26), (55, 60, 10)),
    "enterprise": ((23, 35, 33), (35, 45, 31), (45, 55, 25), (55, 62, 11)),
    "cooperative": ((28, 45, 30), (45, 60, 45), (60, 72, 25)),
    "social": ((30, 50, 30), (50, 65, 40), (65, 78, 30)),
}
# The secretary is a working-age full member.
SECRETARY_AGES = ((32, 45, 40), (45, 58, 60))

EDUCATION_BY_ERA = (
    # (born before, ((education, weight), ...))
    (1950, (("primary", 55), ("junior", 35), ("high_school", 10))),
    (1965, (("primary", 18), ("junior", 45), ("high_school", 25), ("secondary_vocational", 12))),
    (1980, (("junior", 22), ("high_school", 30), ("secondary_vocational", 15), ("college", 22), ("bachelor", 11))),
    (1990, (("high_school", 10), ("secondary_vocational", 10), ("college", 35), ("bachelor", 40), ("postgraduate", 5))),
    (9999, (("college", 30), ("bachelor", 60), ("postgraduate", 10))),
)
STAFF_EDUCATION = (("college", 25), ("bachelor", 60), ("postgraduate", 15))


def _era(year: int) -> int:
    """The key of GIVEN_NAMES for someone born in `year`."""
    for start, key in ((1990, 1995), (1980, 1985), (1965, 1970), (1950, 1955)):
        if year >= start:
            return key
    return 1930


@dataclass(frozen=True)
class Person:
    """One synthetic member's own data, ready for member_build (organization and post added later)."""

    name: str
    gender: str
    id_number: str
    birth_date: dt.date
    ethnicity: str
    education: str
    joined_on: dt.date
    full_member_on: dt.date | None
    status: str
    phone: str
    address: str
    is_frail: bool
    is_mobile: bool

    def as_data(self) -> dict:
        return {
            "name": self.name,
            "gender": self.gender,
            "id_number": self.id_number,
            "birth_date": self.birth_date,
            "ethnicity": self.ethnicity,
            "education": self.education,
            "joined_on": self.joined_on,
            "full_member_on": self.full_member_on,
            "status": self.status,
            "phone": self.phone,
            "address": self.address,
            "is_frail": self.is_frail,
            "is_mobile": self.is_mobile,
        }


def _weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class PersonMaker:
    """Draws people one by one; ID numbers and phone numbers never repeat within one maker."""

    def __init__(
        self,
        rng: random.Random,
        *,
        region: str = names.ID_REGION,
        orders: range = range(500),
        reference: dt.date = REFERENCE_DATE,
    ) -> None:
        self.rng = rng
        self.region = region
        # Makers that share a region (the towns of one district at city scale) take disjoint
        # slices of the order numbers, so their ID numbers cannot collide.
        self.orders = orders
        self.reference = reference
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()
        self._given = {key: tuple(value.split()) for key, value in names.GIVEN_NAMES.items()}

    def id_number(self, birth: dt.date, gender: str) -> str:
        """GB 11643: region, birth date, a 3-digit order whose parity gives the gender, check char."""
        parity = 1 if gender == "M" else 0
        while True:
            order = self.orders[self.rng.randrange(len(self.orders))] * 2 + parity
            first17 = f"{self.region}{birth:%Y%m%d}{order:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def name(self, gender: str, birth_year: int) -> str:
        surname = self.rng.choices(names.SURNAMES, names.SURNAME_WEIGHTS)[0]
        return surname + self.rng.choice(self._given[(gender, _era(birth_year))])

    def make(self, *, profile: str, address: str, secretary: bool = False, local: bool = True) -> Person:
        rng = self.rng
        bands = SECRETARY_AGES if secretary else AGE_PROFILES[profile]
        low, high, _ = rng.choices(bands, [band[2] for band in bands])[0]
        age = rng.randint(low, high - 1)
        birth = dt.date(self.reference.year - age - 1, 1, 1) + dt.timedelta(days=rng.randrange(365))
        female_share = 0.22 if birth.year < 1950 else 0.3 if birth.year < 1965 else 0.4 if birth.year < 1980 else 0.48
        if profile == "staff":
            female_share += 0.12
        gender = "F" if rng.random() < female_share else "M"

        probationary = not secretary and age <= 45 and rng.random() < 0.1
        if probationary:
            joined = self.reference - dt.timedelta(days=rng.randint(30, 400))
            full_on = None
        else:
            join_age = int(rng.triangular(18, max(19, min(age - 2, 50)), 24))
            joined = birth + dt.timedelta(days=int(join_age * 365.25) + rng.randrange(300))
            joined = min(joined, self.reference - dt.timedelta(days=400 + rng.randrange(200)))
            full_on = joined + dt.timedelta(days=365 + rng.randrange(21))

        if profile == "staff" or (secretary and birth.year >= 1975):
            education = _weighted(rng, STAFF_EDUCATION)
        else:
            education = _weighted(rng, next(pairs for start, pairs in EDUCATION_BY_ERA if birth.year < start))

        frail_chance = 0.6 if age >= 85 else 0.4 if age >= 80 else 0.08 if age >= 75 else 0.0
        mobile = local and profile in ("village", "community") and age < 50 and rng.random() < 0.22
        return Person(
            name=self.name(gender, birth.year),
            gender=gender,
            id_number=self.id_number(birth, gender),
            birth_date=birth,
            ethnicity="汉族" if rng.random() < 0.99 else rng.choice(names.ETHNICITIES),
            education=education,
            joined_on=joined,
            full_member_on=full_on,
            status="probationary" if probationary else "full",
            phone=self.phone(),
            address=address,
            is_frail=rng.random() < frail_chance,
            is_mobile=mobile,
        )


def home_address(rng: random.Random, village: str | None) -> str:
    """A plausible home address: a house number in a village, a flat in a community or the county seat."""
    if village in names.COMMUNITY_ROADS:
        road = names.COMMUNITY_ROADS[village]
        return (
            f"{names.ADDRESS_PREFIX}{road}{rng.randint(1, 320)}弄{rng.randint(1, 40)}号{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        )
    if village:
        return f"{names.ADDRESS_PREFIX}{village}{rng.randint(1, 1500)}号"
    road = rng.choice(names.CITY_ROADS)
    return f"上海市崇明区城桥镇{road}{rng.randint(1, 800)}弄{rng.randint(1, 60)}号{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
