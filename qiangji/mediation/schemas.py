"""API shapes of mediation cases. `parties` is empty (and `parties_visible` false) for callers who
see the case but do not run its studio."""

import datetime as dt

from ninja import Schema


class CaseOut(Schema):
    id: int
    number: str
    studio: str
    studio_id: int
    category: str
    dispute: str
    opened_on: dt.date
    state: str
    state_label: str
    closed_on: dt.date | None


class SessionOut(Schema):
    id: int
    held_on: dt.date
    notes: str
    mediators: list[str]


class CaseEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    on: dt.date
    note: str


class CaseDetailOut(CaseOut):
    parties: str
    parties_visible: bool
    mediators: list[str]
    agreement: str
    failure_reason: str
    follow_up: str
    allowed_actions: list[str]
    sessions: list[SessionOut]
    events: list[CaseEventOut]


class CaseIn(Schema):
    studio: int
    parties: str
    dispute: str
    category: str = ""
    opened_on: dt.date | None = None
    project: int | None = None
    mediators: list[int] = []


class SessionIn(Schema):
    held_on: dt.date
    notes: str
    mediators: list[int] = []


class MoveIn(Schema):
    action: str
    note: str = ""
    on: dt.date | None = None
