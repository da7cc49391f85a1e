"""The ledger over the API: problems and their steps, measures, mechanisms, grades and plans.

The same forms, services and scoping as the pages: a problem (plan, measure) the caller may not
see answers 404 like a missing one; a step the caller may not take answers 403; a step the
problem's state or the rules forbid (closing one's own problem, reopening an open one) answers
409 with the service's Chinese message and changes nothing.
"""

from qiangji.ledger.api.grades import grades_router, plans_router
from qiangji.ledger.api.problems import measures_router, mechanisms_router, router

__all__ = ["grades_router", "measures_router", "mechanisms_router", "plans_router", "router"]
