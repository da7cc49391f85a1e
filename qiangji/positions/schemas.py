"""API shapes of positions and course batches."""

import datetime as dt
from decimal import Decimal

from ninja import Schema


class ResourceOut(Schema):
    id: int
    category: str
    category_label: str
    name: str
    description: str


class PositionOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    organization: str
    village: str
    chain: str
    address: str
    opening_hours: str
    rooms: str
    capacity: int | None
    contact_name: str
    contact_phone: str
    resources: list[ResourceOut]


class CourseOut(Schema):
    id: int
    title: str
    teacher: str
    hours: Decimal
    active: bool


class CellOut(Schema):
    course_id: int
    held: bool
    held_on: dt.date | None
    present: int


class MatrixRowOut(Schema):
    position_id: int
    position: str
    cells: list[CellOut]


class BatchOut(Schema):
    id: int
    year: int
    quarter: int
    label: str
    courses: list[CourseOut]
    held: int
    total: int
    matrix: list[MatrixRowOut]
