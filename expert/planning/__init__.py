"""Planning for trainers: the competency-development needs analysis (AKPK) over many
assessments, the programme plan it proposes, and each unit's trend across periods."""

from __future__ import annotations

from expert.planning.needs import NeedsAnalysis, Selection, analyse
from expert.planning.programme import PlanLine, adjust, plan_from_dict, propose_plan
from expert.planning.report import report_csv, report_dict, report_text, report_xlsx
from expert.planning.subjects import (
    AssessedSubject,
    subject_from_evaluation,
    subject_from_result,
)
from expert.planning.trend import UnitTrend, trend

__all__ = [
    "AssessedSubject",
    "NeedsAnalysis",
    "PlanLine",
    "Selection",
    "UnitTrend",
    "adjust",
    "analyse",
    "plan_from_dict",
    "propose_plan",
    "report_csv",
    "report_dict",
    "report_text",
    "report_xlsx",
    "subject_from_evaluation",
    "subject_from_result",
    "trend",
]
