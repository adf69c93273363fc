"""The fact types the engine reasons over. Every fact carries ``key``: its id in the trace."""

from __future__ import annotations

from expert.rules.adapter import Fact


class Finding(Fact):
    """One evidence source's rating of one indicator (input)."""


class ObservedFactor(Fact):
    """A factor the case reports (input)."""


class MeasureValue(Fact):
    """A measure the case gives (input)."""


class Subject(Fact):
    """The kind of subject assessed (input)."""


class SkpPredicate(Fact):
    """The employee's SKP performance predicate (input)."""


class AssessmentScope(Fact):
    """How much of the model the case assessed and on what evidence (input, from the findings):
    ``coverage`` sufficient | insufficient, ``evidence_base`` mostly_single | mixed."""


class IndicatorVerdict(Fact):
    """The combined verdict of an indicator (derived)."""


class DimensionVerdict(Fact):
    """The verdict of a dimension (derived)."""


class OverallVerdict(Fact):
    """The overall verdict (derived)."""


class DiagnosisFact(Fact):
    """A diagnosis concluded by a rule (derived)."""


class RecommendationFact(Fact):
    """A recommendation concluded by a rule (derived)."""
