"""Who may do what to a problem: one place, read by the pages (which buttons) and the services.

Three kinds of people act on a problem besides those who merely see it:
- its side: the responsible person and those who manage its organization (the secretary);
- those above it: the town admin, the liaison group of the organization, the secretary of a
  higher organization. They register, check, reassign, merge, withdraw and reopen;
- anyone who supervises the organization (its side or above) may register a problem there.
"""

from typing import Any

from qiangji.core.access import LIAISON, TOWN_ADMIN, get_scope

CHECK_ACTIONS = frozenset({"close", "send_back", "close_immediate"})
OWNER_ACTIONS = frozenset({"start", "submit", "analyse", "measure"})
SUPERVISOR_ACTIONS = frozenset(
    {"reassign", "uphold", "merge", "withdraw", "reopen", "close", "send_back", "close_immediate", "postpone", "update"}
)


def is_above(user: Any, organization: Any) -> bool:
    """The town admin, the organization's liaison group, or a secretary of a higher organization."""
    scope = get_scope(user)
    if scope.superuser:
        return True
    path = organization.path
    if scope.has_role(TOWN_ADMIN) and scope.covers(path, "manage"):
        return True
    if any(path.startswith(p) and path != p for p in scope.manage_paths):
        return True
    liaison_paths = [p for p in scope.view_paths if p not in scope.manage_paths]
    return scope.has_role(LIAISON) and any(path.startswith(p) for p in liaison_paths)


def can_register(user: Any, organization: Any) -> bool:
    return get_scope(user).covers(organization.path, "view")


def is_on_side(user: Any, problem: Any) -> bool:
    return problem.owner_id == user.pk or get_scope(user).covers(problem.organization.path, "manage")


def role_actions(user: Any, problem: Any) -> set[str]:
    """What `user`'s place allows on `problem`, whatever its state."""
    if not getattr(user, "is_authenticated", False):
        return set()
    mine: set[str] = set()
    if is_on_side(user, problem):
        mine |= OWNER_ACTIONS
    if problem.owner_id == user.pk:
        mine.add("dispute")
    if is_above(user, problem.organization):
        mine |= SUPERVISOR_ACTIONS
    if problem.owner_id == user.pk:
        # Nobody checks their own work (RULES.md): the owner never closes or sends back.
        mine -= CHECK_ACTIONS
    return mine


def state_actions(problem: Any) -> set[str]:
    """What `problem`'s state allows, whoever asks."""
    allowed = set(problem.allowed_actions())
    if problem.is_open:
        allowed |= {"analyse", "measure", "update", "postpone"}
    return allowed


def problem_actions_for(user: Any, problem: Any) -> set[str]:
    """The actions `user` may take on `problem` now (state and role both allow them)."""
    return role_actions(user, problem) & state_actions(problem)


def can_check_measure(user: Any, measure: Any) -> bool:
    return measure.owner_id != user.pk and is_above(user, measure.organization)


def can_work_measure(user: Any, measure: Any) -> bool:
    return measure.owner_id == user.pk or get_scope(user).covers(measure.organization.path, "manage")


def can_edit_plan(user: Any, plan: Any) -> bool:
    """A rectification plan is written by its organization and by those above it."""
    return get_scope(user).covers(plan.organization.path, "manage") or is_above(user, plan.organization)
