"""The self-reform ledger (挂号→销号), long-term mechanisms, grades and rectification plans."""

from qiangji.ledger.models.grades import Grade, GradeLevel, RectificationPlan
from qiangji.ledger.models.problems import (
    Measure,
    Mechanism,
    Problem,
    ProblemAttachment,
    ProblemEvent,
    ProblemSource,
    PublicReport,
)

__all__ = [
    "Grade",
    "GradeLevel",
    "Measure",
    "Mechanism",
    "Problem",
    "ProblemAttachment",
    "ProblemEvent",
    "ProblemSource",
    "PublicReport",
    "RectificationPlan",
]
