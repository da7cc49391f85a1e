"""The work brief's figures, each counted by its module's own selector.

A figure is the number of rows of one queryset: the module's selector for the range (scoped by
`for_user`), narrowed to the part of the tree the brief covers. The drill-down page lists the
rows of that same queryset, so a figure and its list can never disagree. One COUNT per figure:
the number of queries does not grow with the rows.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from qiangji.briefs.models import WorkBrief
from qiangji.campaign import selectors as campaign
from qiangji.core.access import LIAISON, SECRETARY, TOWN_ADMIN, Scope, get_scope, subtree_q
from qiangji.council import selectors as council
from qiangji.ledger import selectors as ledger
from qiangji.liaison import selectors as liaison
from qiangji.mediation import selectors as mediation
from qiangji.orglife import selectors as orglife
from qiangji.orgs import selectors as orgs
from qiangji.orgs.models import LiaisonGroup, Organization, Unit, Village
from qiangji.plans import selectors as plans
from qiangji.positions import selectors as positions
from qiangji.redculture import selectors as redculture
from qiangji.reserve import selectors as reserve
from qiangji.trainings import selectors as trainings
from qiangji.trainings.models import ancestor_paths

STAFF = (TOWN_ADMIN, LIAISON, SECRETARY)


def sees_briefs(user: Any) -> bool:
    return get_scope(user).has_role(*STAFF)


@dataclass(frozen=True)
class Part:
    """The part of the tree a brief covers: organization subtrees, or the whole town (`paths` None)."""

    label: str
    paths: tuple[str, ...] | None
    organization: Organization | None = None
    group: LiaisonGroup | None = None

    def orgs_q(self, lookup: str) -> Q:
        """Rows whose organization (at `lookup`, a path) lies in the part."""
        if self.paths is None:
            return Q()
        return subtree_q(lookup, self.paths) or Q(pk__in=[])

    def villages(self) -> Any:
        return Organization.objects.filter(self.orgs_q("path")).exclude(village=None).values("village_id")

    def villages_q(self, lookup: str) -> Q:
        """Rows sitting in a village of an organization of the part (sites, entities, positions)."""
        if self.paths is None:
            return Q()
        return Q(**{f"{lookup}__in": self.villages()})

    def grids_q(self, lookup: str) -> Q:
        if self.paths is None:
            return Q()
        return Q(**{f"{lookup}__in": Village.objects.filter(pk__in=self.villages()).exclude(grid=None).values("grid_id")})

    def entities_q(self, prefix: str = "") -> Q:
        """Entities in the part's villages or covered by its organizations (as campaign access reads them)."""
        if self.paths is None:
            return Q()
        return self.villages_q(f"{prefix}village_id") | self.orgs_q(f"{prefix}covering_organization__path")

    def groups_q(self, lookup: str = "organizations__path") -> Q:
        """Liaison groups covering an organization of the part, above it or below it."""
        if self.paths is None:
            return Q()
        above = sorted({a for p in self.paths for a in ancestor_paths(p)})
        return Q(**{f"{lookup}__in": above}) | self.orgs_q(lookup)

    def query(self) -> dict[str, str]:
        """The part as query-string parameters (for links to drill-downs and module lists)."""
        if self.group is not None:
            return {"group": str(self.group.pk)}
        if self.organization is not None:
            return {"organization": str(self.organization.pk)}
        return {}


def brief_part(*, user: Any, organization: Organization | None = None, group: LiaisonGroup | None = None) -> Part:
    """The part a user asked for; PermissionDenied for someone who writes no briefs, Http404 for an
    organization or group outside their scope (alike for missing)."""
    scope = get_scope(user)
    if not sees_briefs(user):
        raise PermissionDenied("只有镇党委、指导联络组和党组织书记可以查看工作简报。")
    town = scope.superuser or scope.has_role(TOWN_ADMIN)
    if group is not None:
        if not (town or group.pk in scope.liaison_group_ids):
            raise Http404
        return Part(label=f"{group.name}联系的党组织", paths=tuple(liaison.group_paths(group)), group=group)
    if organization is not None:
        if not Organization.objects.for_user(user).filter(pk=organization.pk).exists():
            raise Http404
        if organization.parent_id is None and town:
            return Part(label=organization.name, paths=None, organization=organization)
        return Part(label=organization.name, paths=(organization.path,), organization=organization)
    if town:
        root = Organization.objects.filter(parent=None).order_by("pk").first()
        return Part(label=root.name if root else "全镇", paths=None, organization=root)
    return Part(label="本人负责的党组织", paths=scope.view_paths)


Records = Callable[[Any, dt.date, dt.date, Part], QuerySet]


@dataclass(frozen=True)
class Figure:
    """One figure: its key (API), label, unit, the rows it counts and, for a rate, the base."""

    key: str
    label: str
    unit: str
    section: str
    records: Records
    # A rate: records / base × 100, one decimal.
    base: Records | None = None

    @property
    def is_rate(self) -> bool:
        return self.base is not None


def _f(key: str, label: str, unit: str, section: str, records: Records, base: Records | None = None) -> Figure:
    return Figure(key=key, label=label, unit=unit, section=section, records=records, base=base)


FIGURES: tuple[Figure, ...] = (
    _f("trainings", "举办培训", "期", "theory",
       lambda u, s, e, p: trainings.trainings_held(user=u, start=s, end=e).filter(
           p.orgs_q("organization__path") | p.orgs_q("enrolments__member__organization__path")).distinct()),
    _f("training_attendances", "参训人次", "人次", "theory",
       lambda u, s, e, p: trainings.attendances_present(user=u, start=s, end=e).filter(p.orgs_q("member__organization__path"))),
    _f("meetings_held", "召开“三会一课”和主题党日", "次", "theory",
       lambda u, s, e, p: orglife.meetings_held(user=u, start=s, end=e, kinds=orglife.REGULAR_KINDS).filter(
           p.orgs_q("organization__path"))),
    _f("discussions", "交流研讨", "次", "theory",
       lambda u, s, e, p: orglife.meetings_held(user=u, start=s, end=e, kinds=("discussion",)).filter(
           p.orgs_q("organization__path"))),
    _f("warning_education", "警示教育", "批次", "theory",
       lambda u, s, e, p: orglife.meetings_held(user=u, start=s, end=e, kinds=("warning_education",)).filter(
           p.orgs_q("organization__path"))),
    _f("home_study_visits", "送学上门", "次", "theory",
       lambda u, s, e, p: orglife.home_study_visits(user=u, start=s, end=e).filter(p.orgs_q("organization__path"))),
    _f("positions", "党群服务阵地", "个", "positions",
       lambda u, s, e, p: positions.positions_counted(u).filter(
           p.orgs_q("organization__path") | p.villages_q("village_id"))),
    _f("chain_stations", "产业链党群服务站", "个", "positions",
       lambda u, s, e, p: positions.positions_counted(u).filter(kind="chain_station").filter(
           p.orgs_q("organization__path") | p.villages_q("village_id"))),
    _f("red_sites", "红色点位", "处", "positions",
       lambda u, s, e, p: redculture.sites_for_list().filter(p.villages_q("village_id"))
       if positions.sees_positions(u) else redculture.sites_for_list().none()),
    _f("red_activities", "红色阵地活动", "场", "positions",
       lambda u, s, e, p: redculture.activities_held(start=s, end=e).filter(
           p.orgs_q("organization__path") | p.villages_q("site__village_id"))
       if positions.sees_positions(u) else redculture.activities_held(start=s, end=e).none()),
    _f("plans_filed", "工作计划备案", "份", "linkage",
       lambda u, s, e, p: plans.plans_filed(user=u, start=s, end=e).filter(p.orgs_q("organization__path"))),
    _f("liaison_groups", "指导联络组", "个", "linkage",
       lambda u, s, e, p: orgs.liaison_groups_visible(user=u).filter(
           pk__in=LiaisonGroup.objects.filter(p.groups_q()).values("pk"))),
    _f("liaison_units", "联系单位", "家", "linkage",
       lambda u, s, e, p: Unit.objects.filter(
           pk__in=orgs.organizations_liaised(user=u).filter(p.orgs_q("path")).values("unit_id")).order_by("name")),
    _f("liaison_organizations", "联系基层党组织", "个", "linkage",
       lambda u, s, e, p: orgs.organizations_liaised(user=u).filter(p.orgs_q("path"))),
    _f("assemblies_held", "党员大会和主题党日", "次", "linkage",
       lambda u, s, e, p: liaison.liaison_meetings_held(user=u, start=s, end=e).filter(p.orgs_q("organization__path"))),
    _f("assemblies_attended", "联络组列席", "次", "linkage",
       lambda u, s, e, p: liaison.liaison_meetings_attended(user=u, start=s, end=e).filter(
           p.orgs_q("organization__path"))),
    _f("grades_weak", "晋位升级等次为“较好”及以下", "个", "linkage",
       lambda u, s, e, p: ledger.grades_needing_plan(user=u, start=s, end=e).filter(p.orgs_q("organization__path"))),
    _f("rectification_plans", "“一支部一方案”", "份", "linkage",
       lambda u, s, e, p: ledger.rectification_plans_of(user=u, start=s, end=e).filter(
           p.orgs_q("organization__path"))),
    _f("reserve_candidates", "后备人员库在库人员", "人", "pioneers",
       lambda u, s, e, p: reserve.candidates_in_pool(user=u, start=s, end=e).filter(
           p.orgs_q("member__organization__path"))),
    _f("mentoring_agreements", "带教协议", "份", "pioneers",
       lambda u, s, e, p: reserve.mentorships_signed(user=u, start=s, end=e).filter(
           p.orgs_q("candidate__member__organization__path"))),
    _f("projects", "试点项目", "个", "pioneers",
       lambda u, s, e, p: council.projects_running(user=u, start=s, end=e).filter(p.orgs_q("organization__path"))),
    _f("opinions", "议事厅意见建议", "条", "pioneers",
       lambda u, s, e, p: council.opinions_received(user=u, start=s, end=e).filter(
           p.orgs_q("bulletin__project__organization__path"))),
    _f("mediation_cases", "调解案件", "件", "pioneers",
       lambda u, s, e, p: mediation.cases_opened(user=u, start=s, end=e).filter(
           p.orgs_q("studio__organization__path"))),
    _f("problems", "自查自纠问题", "个", "reform",
       lambda u, s, e, p: ledger.problems_registered(user=u, start=s, end=e).filter(p.orgs_q("organization__path"))),
    _f("problems_immediate", "即知即改", "个", "reform",
       lambda u, s, e, p: ledger.problems_registered(user=u, start=s, end=e).filter(
           p.orgs_q("organization__path"), fix_kind="immediate")),
    _f("problems_closed", "已销号", "个", "reform",
       lambda u, s, e, p: ledger.problems_registered(user=u, start=s, end=e).filter(
           p.orgs_q("organization__path"), state="closed")),
    _f("mechanisms", "建立或落实长效机制", "个", "reform",
       lambda u, s, e, p: ledger.mechanisms_effective(user=u, start=s, end=e).filter(p.orgs_q("organization__path"))),
    _f("campaign_teams", "“三人行”攻坚走访队伍", "支", "emerging",
       lambda u, s, e, p: campaign.teams_active(u).filter(p.grids_q("grid_id"))),
    _f("campaign_visits", "走访", "次", "emerging",
       lambda u, s, e, p: campaign.visits_made(user=u, start=s, end=e).filter(p.grids_q("task__grid_id"))),
    _f("entities_verified", "校核主体", "家", "emerging",
       lambda u, s, e, p: campaign.tasks_verified(user=u, start=s, end=e).filter(p.grids_q("grid_id"))),
    _f("entities_new", "新发现主体", "家", "emerging",
       lambda u, s, e, p: campaign.tasks_verified_new(user=u, start=s, end=e).filter(p.grids_q("grid_id"))),
    _f("service_cards", "发放“新连心”服务卡", "张", "emerging",
       lambda u, s, e, p: campaign.cards_issued(user=u, start=s, end=e).filter(p.entities_q("entity__"))),
    _f("org_coverage_rate", "组织覆盖率", "%", "emerging",
       lambda u, s, e, p: campaign.entities_covered(u, kind="org").filter(p.entities_q()),
       base=lambda u, s, e, p: campaign.entities_covered(u, kind="").filter(p.entities_q())),
    _f("work_coverage_rate", "工作覆盖率", "%", "emerging",
       lambda u, s, e, p: campaign.entities_covered(u, kind="work").filter(p.entities_q()),
       base=lambda u, s, e, p: campaign.entities_covered(u, kind="").filter(p.entities_q())),
)  # fmt: skip
FIGURE_BY_KEY = {f.key: f for f in FIGURES}


def rate(part: int, total: int) -> float:
    return round(100 * part / total, 1) if total else 0.0


def figure_value(figure: Figure, *, user: Any, start: dt.date, end: dt.date, part: Part) -> int | float:
    count = figure.records(user, start, end, part).count()
    if figure.base is None:
        return count
    return rate(count, figure.base(user, start, end, part).count())


def brief_figures(
    *, start: dt.date, end: dt.date, organization: Organization | None = None, user: Any, group: LiaisonGroup | None = None
) -> dict[str, tuple[str, int | float]]:
    """KEY → (label, value) in the brief's order, for [start, end] and a part of the tree."""
    part = brief_part(user=user, organization=organization, group=group)
    return figures_for_part(start=start, end=end, part=part, user=user)


def figures_for_part(*, start: dt.date, end: dt.date, part: Part, user: Any) -> dict[str, tuple[str, int | float]]:
    return {f.key: (f.label, figure_value(f, user=user, start=start, end=end, part=part)) for f in FIGURES}


def figures_payload(*, start: dt.date, end: dt.date, part: Part, user: Any) -> dict[str, dict[str, Any]]:
    """KEY → {"label", "value", "unit", "section"}: what the API answers and a brief stores."""
    return {
        f.key: {"label": f.label, "value": figure_value(f, user=user, start=start, end=end, part=part), "unit": f.unit,
                "section": f.section}
        for f in FIGURES
    }  # fmt: skip


def figure_records(*, key: str, start: dt.date, end: dt.date, part: Part, user: Any) -> QuerySet:
    """The rows behind one figure (for a rate, those counted above the line); Http404 for an unknown key."""
    figure = FIGURE_BY_KEY.get(key)
    if figure is None:
        raise Http404
    return figure.records(user, start, end, part)


# Briefs -------------------------------------------------------------------------------------


def briefs_for_list(*, user: Any) -> QuerySet[WorkBrief]:
    return WorkBrief.objects.for_user(user).select_related("organization", "group", "issued_by").order_by("-created_at", "-id")


def get_brief_for_user(user: Any, pk: int) -> WorkBrief:
    """404 alike for a missing brief and one outside the user's scope."""
    return get_object_or_404(
        WorkBrief.objects.for_user(user).select_related("organization", "group", "issued_by", "created_by"), pk=pk
    )


# What a drill-down row shows: the record, its organization (or place) and its date.
DATE_FIELDS = (
    "date", "held_on", "registered_on", "effective_on", "opened_on", "started_on", "entered_on", "issued_on",
    "visited_on", "year",
)  # fmt: skip
ORG_PATHS = (
    ("organization",), ("member", "organization"), ("candidate", "member", "organization"),
    ("studio", "organization"), ("bulletin", "project", "organization"), ("session", "training"),
    ("grid",), ("task", "grid"), ("village",), ("entity", "village"),
)  # fmt: skip


@dataclass(frozen=True)
class RecordRow:
    title: str
    where: str
    when: str


def _follow(obj: Any, names: tuple[str, ...]) -> Any:
    for name in names:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def describe(obj: Any) -> RecordRow:
    when = next((getattr(obj, f) for f in DATE_FIELDS if getattr(obj, f, None) is not None), "")
    where = next((w for names in ORG_PATHS if (w := _follow(obj, names)) is not None), "")
    if hasattr(obj, "session") and hasattr(obj, "member"):  # a training attendance: who, at which session
        return RecordRow(
            title=f"{obj.member.name}（{obj.member.organization}）", where=str(obj.session.training), when=str(obj.session.date)
        )
    return RecordRow(title=str(obj), where=str(where), when=str(when))


class TownReader:
    """Who a command reads the figures as: the whole town, as its admin would (no account)."""

    is_authenticated = True
    is_superuser = True
    pk = None
    _qiangji_scope = Scope(roles=frozenset({TOWN_ADMIN}), superuser=True)

    def get_username(self) -> str:
        return "system"
