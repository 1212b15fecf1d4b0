"""Survey estimates that say how sure they are, and judgements that ignore sampling noise.

For each measure, for everyone, each area and each declared demographic group:

- the weighted proportion (percent) of respondents in the base whose answer counts;
- the unweighted base (respondents in the base) and Kish's effective base of their weights;
- a 95% Wilson score interval on the effective base (Wilson 1927; Kish's effective sample size
  carries the weighting's loss of precision, as in Korn and Graubard 1998). Wilson stays inside
  0-100% and keeps its coverage near 0% and 100%, where the Wald interval collapses;
- a base under ``min_base`` (default :data:`MIN_BASE`) is suppressed: no figure, only
  "too few responses".

A change between two waves is judged by Newcombe's hybrid score interval for a difference of
independent proportions (Newcombe 1998, method 10), built from each wave's Wilson interval, so it
uses both waves' uncertainty; it is significant only when that interval excludes zero. A target
is met or missed only when the estimate's interval lies wholly on one side of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

import numpy as np
import pandas as pd

from metrics.survey.declaration import AreaRef, Measure, Polarity, Survey
from metrics.survey.weighting import kish_effective_base

MIN_BASE = 50  # responses below which no figure is shown (settings.survey.min_base overrides)
CONFIDENCE = 0.95  # every interval and test is at the 95% level
Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)  # 1.959963984540054
TOO_FEW = "too few responses"
ALL = "all"  # group_kind of the whole-area figure
AREA = "area"  # group_kind of an area's figure
COLUMNS = (
    "survey",
    "wave",
    "measure",
    "group_kind",
    "group",
    "estimate",
    "lower",
    "upper",
    "unweighted_base",
    "effective_base",
    "suppressed",
)


@dataclass(frozen=True)
class Estimate:
    """One measure for one group: percent, 95% interval and bases; figures None when suppressed."""

    measure: str
    group_kind: str
    group: str
    estimate: float | None
    lower: float | None
    upper: float | None
    unweighted_base: int
    effective_base: float
    suppressed: bool


class Change(StrEnum):
    """A measure's change between two waves."""

    BETTER = "significantly better"
    WORSE = "significantly worse"
    NO_CHANGE = "no significant change"
    TOO_FEW = TOO_FEW


class TargetVerdict(StrEnum):
    """A measure against its target."""

    MET = "met"
    MISSED = "missed"
    NOT_DISTINGUISHABLE = "not distinguishable from target"
    TOO_FEW = TOO_FEW


def wilson_interval(p: float, n: float, z: float = Z) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``p`` (0-1) on a base ``n`` (may be fractional:
    an effective base). Returns (lower, upper) as proportions."""
    if n <= 0:
        return (0.0, 1.0)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def estimate_measure(
    answers: pd.Series,
    weights: pd.Series,
    measure: Measure,
    group_kind: str = ALL,
    group: str = "All respondents",
    min_base: int = MIN_BASE,
) -> Estimate:
    """The estimate of ``measure`` from canonical answers and their weights (same index)."""
    values = answers.astype(object).where(answers.notna(), "")
    in_base = values.isin(measure.counts + measure.other).to_numpy()
    counts = values.isin(measure.counts).to_numpy()
    w = weights.to_numpy(dtype=float)[in_base]
    n = int(in_base.sum())
    n_eff = kish_effective_base(w)
    if n < min_base or w.sum() <= 0:
        return Estimate(measure.id, group_kind, group, None, None, None, n, n_eff, True)
    p = float(np.sum(weights.to_numpy(dtype=float)[in_base & counts]) / w.sum())
    lower, upper = wilson_interval(p, n_eff)
    return Estimate(measure.id, group_kind, group, 100 * p, 100 * lower, 100 * upper, n, n_eff, False)


def survey_estimates(
    respondents: pd.DataFrame,
    weights: pd.Series,
    survey: Survey,
    areas: Sequence[AreaRef] = (),
    min_base: int = MIN_BASE,
    whole: str = "All respondents",
) -> list[Estimate]:
    """Every measure for everyone, each of the plan's areas and each demographic category.

    An area or category with too few respondents (or none) is still listed, suppressed, so a
    page can mark it rather than leave it out."""
    out: list[Estimate] = []
    for measure in survey.measures:
        answers = respondents[measure.id]
        out.append(estimate_measure(answers, weights, measure, ALL, whole, min_base))
        if survey.area is not None and "area" in respondents:
            for area in areas:
                mask = (respondents["area"] == area.code).fillna(False).to_numpy(dtype=bool)
                out.append(estimate_measure(answers[mask], weights[mask], measure, AREA, area.name, min_base))
        for demo in survey.demographics:
            if demo.id not in respondents:
                continue
            for category in demo.categories:
                mask = (respondents[demo.id] == category).fillna(False).to_numpy(dtype=bool)
                out.append(estimate_measure(answers[mask], weights[mask], measure, demo.id, category, min_base))
    return out


def estimates_frame(estimates: Sequence[Estimate], survey: str, wave: str) -> pd.DataFrame:
    """The estimates as a table with the columns of ``survey-results`` (:data:`COLUMNS`)."""
    rows = [
        {
            "survey": survey,
            "wave": wave,
            "measure": e.measure,
            "group_kind": e.group_kind,
            "group": e.group,
            "estimate": e.estimate,
            "lower": e.lower,
            "upper": e.upper,
            "unweighted_base": e.unweighted_base,
            "effective_base": e.effective_base,
            "suppressed": e.suppressed,
        }
        for e in estimates
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def difference_interval(before: Estimate, after: Estimate, z: float = Z) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval for after - before, in percentage points:
    (difference, lower, upper). Both estimates must be unsuppressed."""
    if before.estimate is None or after.estimate is None:
        raise ValueError("a suppressed estimate has no difference")
    p1, p2 = before.estimate / 100, after.estimate / 100
    l1, u1 = wilson_interval(p1, before.effective_base, z)
    l2, u2 = wilson_interval(p2, after.effective_base, z)
    d = p2 - p1
    lower = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    upper = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return (100 * d, 100 * lower, 100 * upper)


def compare_waves(before: Estimate, after: Estimate, polarity: Polarity | str) -> Change:
    """Significantly better / worse (95%, Newcombe) or no significant change, by polarity."""
    if before.suppressed or after.suppressed:
        return Change.TOO_FEW
    _d, lower, upper = difference_interval(before, after)
    if lower <= 0 <= upper:
        return Change.NO_CHANGE
    rose = lower > 0
    return Change.BETTER if rose == (Polarity(polarity) == Polarity.HIGHER) else Change.WORSE


def judge_target(estimate: Estimate, target: float, polarity: Polarity | str) -> TargetVerdict:
    """Met or missed only when the 95% interval lies wholly on one side of ``target`` (percent)."""
    if estimate.suppressed or estimate.lower is None or estimate.upper is None:
        return TargetVerdict.TOO_FEW
    higher = Polarity(polarity) == Polarity.HIGHER
    if estimate.lower > target:
        return TargetVerdict.MET if higher else TargetVerdict.MISSED
    if estimate.upper < target:
        return TargetVerdict.MISSED if higher else TargetVerdict.MET
    return TargetVerdict.NOT_DISTINGUISHABLE


def format_estimate(estimate: Estimate, min_base: int = MIN_BASE) -> str:
    """ "63.2% (59.6-66.7%), 696 responses"; a suppressed estimate gives no figure."""
    if estimate.suppressed or estimate.estimate is None or estimate.lower is None or estimate.upper is None:
        return f"{TOO_FEW} (fewer than {min_base})"
    return (
        f"{estimate.estimate:.1f}% ({estimate.lower:.1f}-{estimate.upper:.1f}%), {estimate.unweighted_base:,} responses"
    )
