"""Writes of the ledger: problems, measures, mechanisms, grades and plans, public reports."""

from qiangji.ledger.services.grades import grade_set, plan_save
from qiangji.ledger.services.measures import measure_add, measure_check, measure_progress
from qiangji.ledger.services.mechanisms import mechanism_record
from qiangji.ledger.services.problems import (
    ACTIONS,
    problem_analyse,
    problem_close,
    problem_close_immediate,
    problem_dispute,
    problem_merge,
    problem_postpone,
    problem_reassign,
    problem_register,
    problem_reopen,
    problem_send_back,
    problem_start,
    problem_submit,
    problem_update,
    problem_uphold,
    problem_withdraw,
    problems_escalate,
)
from qiangji.ledger.services.public import public_report_accept, public_report_reject, public_report_submit

__all__ = [
    "ACTIONS",
    "grade_set",
    "measure_add",
    "measure_check",
    "measure_progress",
    "mechanism_record",
    "plan_save",
    "problem_analyse",
    "problem_close",
    "problem_close_immediate",
    "problem_dispute",
    "problem_merge",
    "problem_postpone",
    "problem_reassign",
    "problem_register",
    "problem_reopen",
    "problem_send_back",
    "problem_start",
    "problem_submit",
    "problem_update",
    "problem_uphold",
    "problem_withdraw",
    "problems_escalate",
    "public_report_accept",
    "public_report_reject",
    "public_report_submit",
]
