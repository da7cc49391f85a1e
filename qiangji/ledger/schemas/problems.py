"""API shapes of problems, their steps and measures, counts and mechanisms."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.core.concurrency import VERSION_IN_HELP, VERSION_OUT_HELP
from qiangji.ledger.models import Measure, Mechanism, Problem, ProblemEvent
from qiangji.ledger.permissions import problem_actions_for


def _name(user: Any) -> str:
    return str(user) if user is not None else ""


class MeasureOut(Schema):
    id: int
    problem: int | None
    plan: int | None
    description: str
    owner: int
    owner_name: str
    deadline: dt.date
    state: str = Field(description="open 推进中 / done 已完成 / checked 已验收")
    state_label: str
    progress: int
    progress_note: str
    done_on: dt.date | None
    checked_by: str
    checked_on: dt.date | None
    check_note: str
    behind: bool = Field(description="未完成且已过完成时限")

    @classmethod
    def of(cls, measure: Measure, today: dt.date) -> "MeasureOut":
        return cls(
            id=measure.pk,
            problem=measure.problem_id,
            plan=measure.plan_id,
            description=measure.description,
            owner=measure.owner_id,
            owner_name=_name(measure.owner),
            deadline=measure.deadline,
            state=measure.state,
            state_label=measure.get_state_display(),
            progress=measure.progress,
            progress_note=measure.progress_note,
            done_on=measure.done_on,
            checked_by=_name(measure.checked_by),
            checked_on=measure.checked_on,
            check_note=measure.check_note,
            behind=measure.is_behind(today),
        )


class EventOut(Schema):
    action: str
    action_label: str
    from_state: str
    to_state: str
    by: str
    at: dt.datetime
    reason: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: ProblemEvent) -> "EventOut":
        return cls(
            action=event.action,
            action_label=event.action_label,
            from_state=event.from_state,
            to_state=event.to_state,
            by=_name(event.by),
            at=event.at,
            reason=event.reason,
            data=event.data,
        )


class ProblemOut(Schema):
    id: int
    number: str = Field(description="挂号编号")
    source: str
    source_label: str
    organization: int
    organization_name: str
    village: int | None
    village_name: str
    category: str
    description: str
    external_ref: str = Field(description="外部编号，如12345工单号、信访件编号")
    owner: int
    owner_name: str
    deadline: dt.date
    state: str = Field(description="registered / in_progress / disputed / awaiting_check / closed / merged / withdrawn")
    state_label: str
    overdue: bool
    days_overdue: int
    root_cause: str
    fix_kind: str = Field(description="immediate 即知即改 / long_term 长效机制 / 空：未分析")
    fix_kind_label: str
    evidence: str
    merged_into: str | None = Field(description="合并到的问题编号")
    registered_on: dt.date
    closed_on: dt.date | None
    checked_by: str
    actions: list[str] = Field(description="调用者现在可以进行的操作")
    version: int = Field(description=VERSION_OUT_HELP)

    @classmethod
    def fields_of(cls, problem: Problem, user: Any, today: dt.date) -> dict[str, Any]:
        return {
            "id": problem.pk,
            "number": problem.number,
            "source": problem.source,
            "source_label": problem.get_source_display(),
            "organization": problem.organization_id,
            "organization_name": problem.organization.name,
            "village": problem.village_id,
            "village_name": problem.village.name if problem.village_id else "",
            "category": problem.category,
            "description": problem.description,
            "external_ref": problem.external_ref,
            "owner": problem.owner_id,
            "owner_name": _name(problem.owner),
            "deadline": problem.deadline,
            "state": problem.state,
            "state_label": problem.get_state_display(),
            "overdue": problem.is_overdue(today),
            "days_overdue": problem.days_overdue(today),
            "root_cause": problem.root_cause,
            "fix_kind": problem.fix_kind,
            "fix_kind_label": problem.get_fix_kind_display() if problem.fix_kind else "",
            "evidence": problem.evidence,
            "merged_into": problem.merged_into.number if problem.merged_into_id else None,
            "registered_on": problem.registered_on,
            "closed_on": problem.closed_on,
            "checked_by": _name(problem.checked_by) if problem.checked_by_id else "",
            "actions": sorted(problem_actions_for(user, problem)),
            "version": problem.version,
        }

    @classmethod
    def of(cls, problem: Problem, user: Any, today: dt.date) -> "ProblemOut":
        return cls(**cls.fields_of(problem, user, today))


class ProblemDetailOut(ProblemOut):
    events: list[EventOut]
    measures: list[MeasureOut]
    mechanisms: list[int]

    @classmethod
    def of(cls, problem: Problem, user: Any, today: dt.date) -> "ProblemDetailOut":
        return cls(
            **cls.fields_of(problem, user, today),
            events=[EventOut.of(e) for e in problem.events.select_related("by")],
            measures=[MeasureOut.of(m, today) for m in problem.measures.select_related("owner", "checked_by")],
            mechanisms=list(problem.mechanisms.order_by("id").values_list("id", flat=True)),
        )


class ProblemPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProblemOut]


class SimilarOut(Schema):
    id: int
    number: str
    description: str
    organization_name: str
    registered_on: dt.date
    similarity: float


class ProblemCreatedOut(ProblemDetailOut):
    similar: list[SimilarOut] = Field(description="登记时发现的可能重复的问题（同一党组织或村居、内容相近、近期登记）")


class ProblemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        description="visit_talk 走访座谈 / petition 信访 / wechat 微信平台 / org_life 组织生活会 / "
        "inspection 巡视巡察 / hotline 12345热线 / self_check 自查 / public 群众反映"
    )
    organization: int
    village: int | None = None
    category: str = ""
    description: str
    external_ref: str = ""
    owner: int = Field(description="整改责任人（用户编号）：该党组织或其上级的书记、联络组成员或镇管理员")
    deadline: dt.date


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(
        description="start / reassign / dispute / uphold / submit / send_back / close / "
        "close_immediate / merge / withdraw / reopen / postpone"
    )
    reason: str = ""
    evidence: str = ""
    owner: int | None = Field(None, description="改派（reassign）的新责任人")
    into: str | int | None = Field(None, description="合并（merge）到的问题：编号或问题id")
    deadline: dt.date | None = Field(None, description="调整期限（postpone）的新期限")


class AnalysisIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description=VERSION_IN_HELP)
    root_cause: str
    fix_kind: str = Field(description="immediate 即知即改 / long_term 长效机制")


class MeasureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str
    owner: int
    deadline: dt.date


class ProgressIn(Schema):
    model_config = ConfigDict(extra="forbid")

    progress: int = Field(description="0到100；100即完成，等待验收")
    progress_note: str


class CheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    check_note: str = Field("", description="不通过时必填")


class CountsOut(Schema):
    start: dt.date
    end: dt.date
    total: int = Field(description="自查自纠问题数（不含已合并、已撤销）")
    immediate: int = Field(description="其中即知即改")
    long_term: int
    closed: int
    open: int
    mechanisms: int = Field(description="建立或落实长效机制数")
    mechanisms_established: int
    mechanisms_enforced: int
    days_to_close_median: float | None
    days_to_close_mean: float | None
    sentence: str = Field(description="“自查自纠问题N个，其中即知即改M个，建立或落实长效机制K个”")


class MechanismOut(Schema):
    id: int
    name: str
    organization: int
    organization_name: str
    kind: str = Field(description="established 建立 / enforced 落实")
    kind_label: str
    effective_on: dt.date
    description: str
    problems: list[str] = Field(description="针对问题的编号")

    @classmethod
    def of(cls, mechanism: Mechanism) -> "MechanismOut":
        return cls(
            id=mechanism.pk,
            name=mechanism.name,
            organization=mechanism.organization_id,
            organization_name=mechanism.organization.name,
            kind=mechanism.kind,
            kind_label=mechanism.get_kind_display(),
            effective_on=mechanism.effective_on,
            description=mechanism.description,
            problems=sorted(p.number for p in mechanism.problems.all()),
        )


class MechanismPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[MechanismOut]


class MechanismIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    organization: int
    kind: str = Field(description="established 建立 / enforced 落实")
    effective_on: dt.date
    description: str = ""
    problems: list[int] = Field(default_factory=list, description="针对问题的id")
