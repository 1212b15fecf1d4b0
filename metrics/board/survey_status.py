"""Survey-based indicators judged by their intervals, not by a points tolerance.

An indicator the plan marks as survey-based (``plan.survey_measure``) whose figure for the
quarter came from a stored wave (``indicator_values.source`` ``survey:<survey>:<wave>``) is
judged from that wave's whole-area estimate:

- against target: met or missed only when the 95% interval lies wholly on one side of the
  target, otherwise "not distinguishable from target" (:func:`metrics.survey.judge_target`);
- against the wave before (the latest earlier value of the indicator that a wave supplied):
  "significantly better", "significantly worse" or "no significant change", by Newcombe's
  interval for the difference, which uses both waves' uncertainty
  (:func:`metrics.survey.compare_waves`).

A figure typed into a return carries no interval and keeps the points tolerance. Pure: the
store's estimates arrive as a :class:`SurveyFigures` (built by ``metrics.survey.results``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from metrics.survey.declaration import Measure
from metrics.survey.estimates import (
    MIN_BASE,
    Change,
    Estimate,
    TargetVerdict,
    compare_waves,
    format_estimate,
    judge_target,
)


@dataclass(frozen=True)
class WaveEstimate:
    """One measure's whole-area estimate in one stored wave."""

    survey_id: str
    wave: str
    estimate: Estimate
    is_demo: bool


@dataclass(frozen=True)
class SurveyFigures:
    """The whole-area estimates of every stored wave, by the ``source`` an indicator value
    carries and the measure: what the board's statuses read beside the values."""

    by_source: Mapping[tuple[str, str], WaveEstimate] = field(default_factory=dict)
    min_base: int = MIN_BASE

    def get(self, source: object, measure_id: str) -> WaveEstimate | None:
        """The estimate behind a value from ``source`` for the measure, or None."""
        if not isinstance(source, str):
            return None
        return self.by_source.get((source, measure_id))


NO_SURVEY_FIGURES = SurveyFigures()


@dataclass(frozen=True)
class SurveyJudgement:
    """How a survey-based indicator's figure is judged in a quarter."""

    current: WaveEstimate
    text: str  # "63.2% (59.6-66.7%), 696 responses"
    verdict: TargetVerdict | None  # None when no target is set
    earlier: WaveEstimate | None  # the wave before, when one supplied an earlier value
    change: Change | None  # None without an earlier wave

    @property
    def difference(self) -> float | None:
        """Later minus earlier, in points (None without an earlier wave)."""
        if self.earlier is None or self.earlier.estimate.estimate is None or self.current.estimate.estimate is None:
            return None
        return self.current.estimate.estimate - self.earlier.estimate.estimate

    @property
    def significant_change(self) -> bool:
        return self.change in (Change.BETTER, Change.WORSE)


def _earlier(rows: pd.DataFrame, source: str, measure: Measure, figures: SurveyFigures) -> WaveEstimate | None:
    """The estimate of the wave that supplied the indicator's value just before ``source``'s."""
    if "source" not in rows:
        return None
    supplied = rows[rows["source"].map(lambda s: figures.get(s, measure.id) is not None)]
    supplied = supplied.sort_values("period_start")
    sources = list(supplied["source"])
    if source not in sources:
        return None
    at = sources.index(source)
    return figures.get(sources[at - 1], measure.id) if at > 0 else None


def judge(
    measure: Measure,
    rows: pd.DataFrame,
    source: str | None,
    target: float | None,
    figures: SurveyFigures,
) -> SurveyJudgement | None:
    """The judgement of a value supplied by ``source`` (None when no stored wave supplied it).

    ``rows`` are the indicator's stored values for the scope judged (with their ``source``)."""
    current = figures.get(source, measure.id)
    if current is None or source is None:
        return None
    verdict = None if target is None else judge_target(current.estimate, target, measure.polarity)
    earlier = _earlier(rows, source, measure, figures)
    change = None if earlier is None else compare_waves(earlier.estimate, current.estimate, measure.polarity)
    return SurveyJudgement(current, format_estimate(current.estimate, figures.min_base), verdict, earlier, change)


def verdict_words(j: SurveyJudgement, target_text: str) -> str:
    """The target judgement in words, e.g. 'not distinguishable from the target (63.2%): the
    95% interval includes it'."""
    if j.verdict is None:
        return "no target is set"
    return {
        TargetVerdict.MET: f"the target ({target_text}) is met: the whole 95% interval is on its good side",
        TargetVerdict.MISSED: f"the target ({target_text}) is missed: the whole 95% interval is on its wrong side",
        TargetVerdict.NOT_DISTINGUISHABLE: f"the figure is not distinguishable from the target ({target_text}): "
        "the 95% interval includes it",
        TargetVerdict.TOO_FEW: "too few responses to judge against the target",
    }[j.verdict]


def change_words(j: SurveyJudgement) -> str:
    """The change on the wave before in words, e.g. 'fell 4.1 points on the 2024 wave, a
    significant improvement' or 'has no earlier wave to compare with'."""
    if j.earlier is None or j.change is None:
        return "has no earlier wave to compare with"
    d = j.difference
    moved = "showed no change" if not d else f"{'rose' if d > 0 else 'fell'} {abs(d):.1f} points"
    said = {
        Change.BETTER: "a significant improvement",
        Change.WORSE: "a significant worsening",
        Change.NO_CHANGE: "within sampling noise (no significant change)",
        Change.TOO_FEW: "too few responses to judge the change",
    }[j.change]
    return f"{moved} on the {j.earlier.wave} wave, {said}"


METHOD_SENTENCE = (
    "Judged by its 95% interval (Wilson on the effective base) and, between waves, by Newcombe's "
    "interval for the difference, not by the points tolerance."
)
