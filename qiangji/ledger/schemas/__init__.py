"""API shapes of the ledger: problems and their steps, measures, mechanisms, grades and plans.

Input names match the ledger forms' fields (qiangji/ledger/forms/problems.py), so one request
validates exactly as the page's form does.
"""

from qiangji.ledger.schemas.grades import (
    GradeIn,
    GradeLevelOut,
    GradeOut,
    MissingPlanOut,
    MissingPlansOut,
    PlanDetailOut,
    PlanIn,
    PlanOut,
    PlanPutIn,
)
from qiangji.ledger.schemas.problems import (
    AnalysisIn,
    CheckIn,
    CountsOut,
    EventOut,
    MeasureIn,
    MeasureOut,
    MechanismIn,
    MechanismOut,
    MechanismPageOut,
    ProblemCreatedOut,
    ProblemDetailOut,
    ProblemIn,
    ProblemOut,
    ProblemPageOut,
    ProgressIn,
    SimilarOut,
    TransitionIn,
)

__all__ = [
    "AnalysisIn",
    "CheckIn",
    "CountsOut",
    "EventOut",
    "GradeIn",
    "GradeLevelOut",
    "GradeOut",
    "MeasureIn",
    "MeasureOut",
    "MechanismIn",
    "MechanismOut",
    "MechanismPageOut",
    "MissingPlanOut",
    "MissingPlansOut",
    "PlanDetailOut",
    "PlanIn",
    "PlanOut",
    "PlanPutIn",
    "ProblemCreatedOut",
    "ProblemDetailOut",
    "ProblemIn",
    "ProblemOut",
    "ProblemPageOut",
    "ProgressIn",
    "SimilarOut",
    "TransitionIn",
]
