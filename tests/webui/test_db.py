"""webui/db.py: assessments, evaluations that are never overwritten, the demo."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from expert import parse_case
from webui.db import (
    Assessment,
    Evaluation,
    ImmutableEvaluationError,
    archive_assessment,
    db,
    record_evaluation,
    seed_case_file,
    seed_demo,
)
from webui.db.audit import SYSTEM


def test_record_evaluation_keeps_case_result_version_and_time(app, kb, seed_case):
    with app.app_context():
        assessment = record_evaluation(kb, parse_case(kb, seed_case), origin="form",
                                       indicator_notes={"ability": "n"})
        evaluation = assessment.latest
        assert evaluation.kb_version == kb.version
        assert evaluation.created_at is not None
        assert evaluation.case["subject"]["name"] == seed_case["subject"]["name"]
        assert evaluation.result["id"]["overall"]["label"] == "Cukup baik"
        assert evaluation.result["en"]["overall"]["label"] == "Fair"
        assert evaluation.indicator_notes == {"ability": "n"}
        assert assessment.overall == evaluation.overall == "fair"


def test_a_new_evaluation_is_added_never_overwritten(app, kb, seed_case):
    with app.app_context():
        assessment = record_evaluation(kb, parse_case(kb, seed_case), origin="form")
        first = assessment.latest.id
        record_evaluation(kb, parse_case(kb, seed_case), origin="form", assessment=assessment)
        assert [e.id for e in assessment.evaluations] == [first, first + 1]
        evaluation = db.session.get(Evaluation, first)
        evaluation.overall = "good"
        with pytest.raises(ImmutableEvaluationError):
            db.session.commit()
        db.session.rollback()


def test_an_assessment_is_never_deleted_only_archived(app, kb, seed_case):
    with app.app_context():
        assessment = record_evaluation(kb, parse_case(kb, seed_case), origin="form")
        record_evaluation(kb, parse_case(kb, seed_case), origin="form", assessment=assessment)
        db.session.delete(assessment)
        with pytest.raises(sa.exc.DatabaseError, match="refused"):  # the database's trigger
            db.session.commit()
        db.session.rollback()
        with pytest.raises(ValueError, match="reason"):
            archive_assessment(assessment, "  ", SYSTEM)
        archive_assessment(assessment, "entered twice", SYSTEM)
        assert assessment.archived and assessment.archive_reason == "entered twice"
        assert db.session.scalar(db.select(db.func.count(Evaluation.id))) == 2


def test_seed_demo_adds_the_seed_case_once(app, kb):
    assert seed_case_file(kb).name == "01_seed_balangan_2025.yaml"
    with app.app_context():
        demo = seed_demo(kb)
        assert demo is not None and demo.overall == "fair"
        assert demo.latest.origin == "demo"
        archive_assessment(demo, "not needed", SYSTEM)
        assert seed_demo(kb) is None  # archiving the demo does not bring it back
        assert db.session.scalar(db.select(db.func.count(Assessment.id))) == 1


def test_seed_demo_command(runner):
    result = runner.invoke(args=["seed-demo"])
    assert "Added the demo assessment" in result.output
    result = runner.invoke(args=["seed-demo"])
    assert "added before" in result.output
