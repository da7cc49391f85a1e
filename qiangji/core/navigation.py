"""The module navigation: one entry per module, shown to the roles that use it.

A new module adds its entry here; url names are strings, so core still imports no app.
"""

from dataclasses import dataclass

from qiangji.core.access import LIAISON, MEMBER, SECRETARY, TOWN_ADMIN, VISITOR


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str]
    section: str  # the first path segment that marks the entry active


ALL = frozenset({TOWN_ADMIN, LIAISON, SECRETARY, MEMBER, VISITOR})
STAFF = frozenset({TOWN_ADMIN, LIAISON, SECRETARY})

NAV = (
    NavEntry("工作台", "home:index", "bi-house", ALL, ""),
    NavEntry("组织体系", "orgs:tree", "bi-diagram-3", STAFF, "orgs"),
    NavEntry("党员管理", "members:list", "bi-people", STAFF, "members"),
    NavEntry("培训学时", "trainings:list", "bi-mortarboard", frozenset({TOWN_ADMIN, LIAISON, SECRETARY, MEMBER}), "trainings"),
    NavEntry("组织生活", "orglife:list", "bi-calendar-check", STAFF, "orglife"),
    NavEntry("工作计划", "plans:index", "bi-journal-check", STAFF, "plans"),
    NavEntry("问题清单", "ledger:problem_list", "bi-clipboard-check", STAFF, "ledger"),
    NavEntry("新连心攻坚", "campaign:index", "bi-shop", frozenset({TOWN_ADMIN, LIAISON, SECRETARY, VISITOR}), "campaign"),
    NavEntry("议事厅", "council:project_list", "bi-megaphone", STAFF, "council"),
    NavEntry("红色阵地", "redculture:site_list", "bi-flag", ALL, "red"),
    NavEntry("头雁培优", "reserve:pools", "bi-person-up", STAFF, "reserve"),
    NavEntry("调解工作室", "mediation:studios", "bi-people-fill", STAFF, "mediation"),
    NavEntry("阵地与课程", "positions:tree", "bi-building", STAFF, "positions"),
    # Its pages live under /ledger/ beside the problem list, so they name this section themselves.
    NavEntry("晋位升级", "ledger:grades", "bi-award", STAFF, "grading"),
    NavEntry("工作简报", "briefs:list", "bi-file-earmark-text", STAFF, "briefs"),
    NavEntry("指导联络组", "liaison:groups", "bi-person-badge", frozenset({TOWN_ADMIN, LIAISON}), "liaison"),
    NavEntry("数据导入", "imports:list", "bi-file-earmark-arrow-up", frozenset({TOWN_ADMIN, SECRETARY}), "imports"),
    NavEntry("群消息推送", "notifications:channels", "bi-robot", frozenset({TOWN_ADMIN}), "inbox"),
    NavEntry("用户与权限", "accounts:users", "bi-person-gear", frozenset({TOWN_ADMIN}), "accounts"),
    NavEntry("审计日志", "core:audit", "bi-shield-check", frozenset({TOWN_ADMIN}), "audit"),
    NavEntry("系统状态", "core:status", "bi-activity", frozenset({TOWN_ADMIN}), "status"),
)


def entries_for(scope) -> list[NavEntry]:
    if scope.superuser:
        return list(NAV)
    return [e for e in NAV if e.roles & scope.roles]
