"""Who may act on organizational life: read by the services (which refuse) and the pages (which
show a button only to those who may press it)."""

from typing import Any

from qiangji.core.access import get_scope


def may_manage(user: Any, organization: Any) -> bool:
    """The town admin and the secretaries of the organization or one above it."""
    return get_scope(user).covers(organization.path, "manage")


def may_plan_home_study(user: Any, organization: Any) -> bool:
    """Planning a home-study visit is the work of those who manage the member's organization."""
    return may_manage(user, organization)


def may_complete_home_study_plan(user: Any, plan: Any) -> bool:
    """The assigned visitor, or those who manage the member's organization."""
    return plan.visitor_id == getattr(user, "pk", None) or may_manage(user, plan.organization)
