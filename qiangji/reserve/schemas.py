"""API shapes of the reserve pools: XxxIn for what comes in, XxxOut for what goes out."""

import datetime as dt
from typing import Any

from ninja import Schema

from qiangji.reserve.models import Candidate


class CandidateOut(Schema):
    id: int
    pool: str
    member_id: int
    name: str
    organization: str
    state: str
    state_label: str
    route: str
    entered_on: dt.date
    appointed_post: str
    appointed_on: dt.date | None
    left_on: dt.date | None
    left_reason: str
    allowed_actions: list[str]

    @staticmethod
    def of(c: Candidate, *, actions: bool = False) -> dict[str, Any]:
        return {
            "id": c.pk,
            "pool": c.pool.name,
            "member_id": c.member_id,
            "name": c.member.name,
            "organization": c.member.organization.name,
            "state": c.state,
            "state_label": c.get_state_display(),
            "route": c.route,
            "entered_on": c.entered_on,
            "appointed_post": c.appointed_post,
            "appointed_on": c.appointed_on,
            "left_on": c.left_on,
            "left_reason": c.left_reason,
            "allowed_actions": c.allowed_actions() if actions else [],
        }


class TimelineOut(Schema):
    on: dt.date
    kind: str
    title: str
    text: str
    by: str
    conclusion: str


class MentorshipOut(Schema):
    id: int
    mentor: str
    started_on: dt.date
    ended_on: dt.date | None
    goals: str


class CandidateDetailOut(CandidateOut):
    recommendation: str
    age: int
    education: str
    mentorships: list[MentorshipOut]
    timeline: list[TimelineOut]
    training_hours: str


class EnterIn(Schema):
    pool: int
    member: int
    route: str
    entered_on: dt.date | None = None
    recommendation: str = ""


class MoveIn(Schema):
    action: str
    reason: str = ""
    post: str = ""
    on: dt.date | None = None


class AssessmentIn(Schema):
    on: dt.date
    findings: str
    conclusion: str


class AssessmentOut(Schema):
    id: int
    on: dt.date
    findings: str
    conclusion: str


class MentorshipIn(Schema):
    mentor: int
    started_on: dt.date
    goals: str
