"""Statistical process control: NHS "Making Data Count" XmR charts, their rules and icons.

Pure functions on pandas objects; no I/O, no plan lookups. The board reports by exception, and
a RAG colour against a target flags noise as often as it misses real change: an XmR chart asks
instead whether the latest points differ from the process's own history.

An XmR chart (individuals and moving range):

* **mean** of the points; **moving ranges** are the absolute differences between consecutive
  points; the **process limits** are ``mean ± 2.66 × mean moving range`` (2.66 = 3 / 1.128,
  so the limits sit three estimated standard deviations from the mean).
* **screening** (optional): moving ranges of at least ``3.267 × mean moving range`` (the upper
  limit of the moving-range chart) come from a single unusual jump; they are left out of the
  mean moving range, and only from it (the points themselves stay in the mean and the chart).
* **recalculation** from declared points (e.g. the start of a new plan): each declared point
  starts a new segment with its own mean and limits, once that segment has enough points
  for limits that are not provisional; until then its points join the segment before it, and the
  result says the recalculation is pending.

Rules, each switched on or off (or its length set) in config.yaml's ``spc`` block, and each
judged within a segment:

* **beyond limits**: a point above the upper or below the lower process limit;
* **trend**: ``trend_length`` points in a row each higher (or each lower) than the one before;
  an equal value breaks the trend;
* **two in three**: two of three consecutive points beyond two sigma on the same side of the
  mean (points beyond three sigma count too); the points beyond two sigma are marked;
* **run**: ``run_length`` points in a row on the same side of the mean; a point on the mean
  breaks the run.

A point that several rules flag takes the first in that order (beyond limits, trend, two in
three, run). A signal is an **improvement** or a **concern** from the indicator's polarity
(``higher`` or ``lower`` is better), and **neither** for an indicator without one.

**Assurance** compares the limits with the target: when the whole band between the limits is
on the good side of the target the process will **consistently pass**; on the bad side it
will **consistently fail**; a target inside the band (or on a limit) will be **hit and miss**.

With fewer than ``min_points`` points no limits are computed (the result says why); below
``provisional_below`` (12 by convention) they are computed but marked provisional.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.icons import StatusIcon

LIMIT_FACTOR = 2.66  # process limits: mean ± 2.66 × mean moving range
SCREEN_FACTOR = 3.267  # upper limit of the moving-range chart
SIGMA_FACTOR = LIMIT_FACTOR / 3  # one sigma, estimated from the mean moving range

BEYOND_LIMITS = "beyond_limits"
TREND = "trend"
TWO_IN_THREE = "two_in_three"
RUN = "run"
RULE_ORDER = (BEYOND_LIMITS, TREND, TWO_IN_THREE, RUN)  # precedence when several fire
RULE_WORDS = {
    BEYOND_LIMITS: "a point beyond the process limits",
    TREND: "a trend of points rising or falling",
    TWO_IN_THREE: "two of three points close to a limit",
    RUN: "a run of points on one side of the mean",
}

COLUMNS = [
    "period",
    "value",
    "target",
    "segment",
    "mean",
    "lower",
    "upper",
    "sigma",
    "moving_range",
    "rule",
    "side",
    "signal",
]


@dataclass(frozen=True)
class SpcRules:
    """The rules in force; config.yaml's ``settings.spc`` sets them (see metrics/plan/model.py)."""

    min_points: int = 6
    provisional_below: int = 12
    beyond_limits: bool = True
    trend_length: int = 7  # 0 switches the rule off
    two_in_three: bool = True
    run_length: int = 7  # 0 switches the rule off
    screen_moving_ranges: bool = True
    rebase_at: tuple[str, ...] = field(default_factory=tuple)  # period labels starting a segment


class Variation(StatusIcon):
    """Variation icons after Making Data Count."""

    CONCERN_HIGH = ("concern_high", "Special cause concern (high)", "⚠", "#b3261e", 0)
    CONCERN_LOW = ("concern_low", "Special cause concern (low)", "⚠", "#b3261e", 0)
    IMPROVEMENT_HIGH = ("improvement_high", "Special cause improvement (high)", "✦", "#1f4e9c", 3)
    IMPROVEMENT_LOW = ("improvement_low", "Special cause improvement (low)", "✦", "#1f4e9c", 3)
    NEITHER_HIGH = ("neither_high", "Special cause, neither better nor worse (high)", "◆", "#5f3b9c", 2)
    NEITHER_LOW = ("neither_low", "Special cause, neither better nor worse (low)", "◆", "#5f3b9c", 2)
    COMMON = ("common", "Common cause variation", "∿", "#5f6368", 4)
    TOO_FEW = ("too_few", "Too few points for limits", "⋯", "#5f6368", 5)

    @property
    def is_concern(self) -> bool:
        return self in (Variation.CONCERN_HIGH, Variation.CONCERN_LOW)

    @property
    def is_improvement(self) -> bool:
        return self in (Variation.IMPROVEMENT_HIGH, Variation.IMPROVEMENT_LOW)


class Assurance(StatusIcon):
    """Assurance icons after Making Data Count: will the process meet its target?"""

    FAIL = ("fail", "Consistently failing target", "⊖", "#b3261e", 0)
    HIT_AND_MISS = ("hit_and_miss", "Hit and miss target", "◐", "#a15c00", 1)
    PASS = ("pass", "Consistently passing target", "⊕", "#1b6e3a", 2)
    NONE = ("none", "No assurance (no target or limits)", "◇", "#5f6368", 3)


# --- the chart ----------------------------------------------------------------------------


def moving_ranges(values: pd.Series) -> pd.Series:
    """Absolute differences between consecutive points; the first is NaN."""
    return values.astype(float).diff().abs()


def mean_moving_range(ranges: pd.Series, screen: bool) -> float:
    """The mean moving range; with ``screen``, ranges ≥ 3.267 × the first mean are left out
    and the mean taken again (once, as Making Data Count does)."""
    ranges = ranges.dropna()
    if ranges.empty:
        return float("nan")
    mr_bar = float(ranges.mean())
    if screen and mr_bar > 0:
        kept = ranges[ranges < SCREEN_FACTOR * mr_bar]
        if not kept.empty:
            mr_bar = float(kept.mean())
    return mr_bar


def segments(periods: list[str], rules: SpcRules) -> tuple[list[int], list[str]]:
    """Segment number per point, and the declared recalculations that wait for more points.

    A declared period starts a new segment when the points from it to the next declared
    period (or the end) number at least ``provisional_below`` (so that the new limits are not
    provisional; Making Data Count advises against recalculating on fewer); until then its
    points stay in the segment before it."""
    starts = sorted({periods.index(p) for p in rules.rebase_at if p in periods and periods.index(p) > 0})
    bounds = [*starts, len(periods)]
    accepted, pending = [0], []
    for start, end in zip(starts, bounds[1:], strict=True):
        if end - start >= max(rules.min_points, rules.provisional_below):
            accepted.append(start)
        else:
            pending.append(periods[start])
    seg = np.searchsorted(np.array(accepted), np.arange(len(periods)), side="right") - 1
    return [int(s) for s in seg], pending


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Points inside stretches of at least ``length`` consecutive True flags."""
    out = np.zeros(len(flags), dtype=bool)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        if j - i >= length:
            out[i:j] = True
        i = j
    return out


def _segment_rules(values: np.ndarray, mean: float, sigma: float, lower: float, upper: float, rules: SpcRules):
    """(rule, side) per point of one segment; side is +1 (high), -1 (low) or 0."""
    n = len(values)
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if rules.beyond_limits:
        high, low = values > upper, values < lower
        found[BEYOND_LIMITS] = (high, low)
    if rules.trend_length and n >= rules.trend_length:
        step = np.diff(values)
        # a trend of L points is L-1 steps in the same direction; mark every point of it
        up_steps, down_steps = _runs(step > 0, rules.trend_length - 1), _runs(step < 0, rules.trend_length - 1)
        up, down = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        up[1:] |= up_steps
        up[:-1] |= up_steps
        down[1:] |= down_steps
        down[:-1] |= down_steps
        found[TREND] = (up, down)
    if rules.two_in_three and sigma > 0:
        beyond_high, beyond_low = values > mean + 2 * sigma, values < mean - 2 * sigma
        high, low = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        for i in range(n - 2):
            window = slice(i, i + 3)
            if beyond_high[window].sum() >= 2:
                high[window] |= beyond_high[window]
            if beyond_low[window].sum() >= 2:
                low[window] |= beyond_low[window]
        found[TWO_IN_THREE] = (high, low)
    if rules.run_length:
        found[RUN] = (_runs(values > mean, rules.run_length), _runs(values < mean, rules.run_length))
    rule_of, side_of = [""] * n, [0] * n
    for i in range(n):
        for name in RULE_ORDER:
            if name not in found:
                continue
            high, low = found[name]
            if high[i] or low[i]:
                rule_of[i], side_of[i] = name, 1 if high[i] else -1
                break
    return rule_of, side_of


def signal_kind(side: int, polarity: str | None) -> str:
    """'improvement', 'concern' or 'neither' for a signal on ``side`` (+1 high, -1 low)."""
    if side == 0:
        return ""
    if polarity not in ("higher", "lower"):
        return "neither"
    good = 1 if polarity == "higher" else -1
    return "improvement" if side == good else "concern"


@dataclass(frozen=True)
class XmrChart:
    """An XmR chart: one row per point (``COLUMNS``) and what was, or could not be, computed."""

    points: pd.DataFrame
    rules: SpcRules
    polarity: str | None
    has_limits: bool
    provisional: bool
    reason: str  # why there are no limits or why they are provisional ('' otherwise)
    pending_rebase: tuple[str, ...]

    @property
    def latest(self) -> pd.Series | None:
        return None if self.points.empty else self.points.iloc[-1]


def xmr(
    series: pd.DataFrame,
    polarity: str | None = None,
    rules: SpcRules | None = None,
) -> XmrChart:
    """The XmR chart of ``series`` (columns ``period``, ``value`` and optionally ``target``,
    in time order). Points without a value are left out: a moving range spans the gap."""
    rules = rules or SpcRules()
    frame = series.copy()
    if "target" not in frame:
        frame["target"] = np.nan
    frame = frame[frame["value"].notna()].reset_index(drop=True)
    frame["value"] = frame["value"].astype(float)
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype(float)
    n = len(frame)
    for column in ("mean", "lower", "upper", "sigma", "moving_range"):
        frame[column] = np.nan
    frame["rule"], frame["side"], frame["signal"] = "", 0, ""
    frame["segment"] = 0
    if n < rules.min_points:
        reason = (
            f"Only {n} point{'s' if n != 1 else ''}: process limits need at least {rules.min_points}, "
            "so variation is not judged yet."
        )
        return XmrChart(frame[COLUMNS], rules, polarity, False, False, reason, ())
    seg, pending = segments(list(frame["period"]), rules)
    frame["segment"] = seg
    all_values = frame["value"].to_numpy()
    seg_of = np.array(seg)
    columns = {c: np.full(n, np.nan) for c in ("mean", "lower", "upper", "sigma", "moving_range")}
    rule_col, side_col = [""] * n, [0] * n
    smallest = n
    for number in sorted(set(seg)):
        idx = np.flatnonzero(seg_of == number)
        values = all_values[idx]
        ranges = np.abs(np.diff(values, prepend=np.nan))
        mr_bar = mean_moving_range(pd.Series(ranges), rules.screen_moving_ranges)
        mean = float(values.mean())
        sigma = SIGMA_FACTOR * mr_bar
        lower, upper = mean - LIMIT_FACTOR * mr_bar, mean + LIMIT_FACTOR * mr_bar
        for column, value in (("mean", mean), ("lower", lower), ("upper", upper), ("sigma", sigma)):
            columns[column][idx] = value
        columns["moving_range"][idx] = ranges
        rules_of, sides = _segment_rules(values, mean, sigma, lower, upper, rules)
        for k, i in enumerate(idx):
            rule_col[i], side_col[i] = rules_of[k], sides[k]
        smallest = min(smallest, len(idx))
    for column, array in columns.items():
        frame[column] = array
    frame["rule"], frame["side"] = rule_col, side_col
    frame["signal"] = [signal_kind(s, polarity) for s in side_col]
    provisional = smallest < rules.provisional_below
    reason = (
        f"Limits are provisional: a segment has {smallest} points, fewer than {rules.provisional_below}."
        if provisional
        else ""
    )
    return XmrChart(frame[COLUMNS], rules, polarity, True, provisional, reason, tuple(pending))


# --- icons --------------------------------------------------------------------------------


def variation(chart: XmrChart, periods: list[str] | None = None) -> Variation:
    """The variation icon: the latest signalled point among ``periods`` (default: the latest
    point only, as Making Data Count's icons do); common cause when none of them signals."""
    if not chart.has_limits or chart.points.empty:
        return Variation.TOO_FEW
    points = chart.points
    looked = points.tail(1) if periods is None else points[points["period"].isin(periods)]
    signalled = looked[looked["signal"] != ""]
    if signalled.empty:
        return Variation.COMMON
    last = signalled.iloc[-1]
    high = last["side"] > 0
    return {
        ("concern", True): Variation.CONCERN_HIGH,
        ("concern", False): Variation.CONCERN_LOW,
        ("improvement", True): Variation.IMPROVEMENT_HIGH,
        ("improvement", False): Variation.IMPROVEMENT_LOW,
        ("neither", True): Variation.NEITHER_HIGH,
        ("neither", False): Variation.NEITHER_LOW,
    }[(last["signal"], bool(high))]


def assurance(chart: XmrChart, target: float | None = None) -> Assurance:
    """The assurance icon for ``target`` (default: the latest point's target) against the
    latest limits."""
    latest = chart.latest
    if not chart.has_limits or latest is None or chart.polarity not in ("higher", "lower"):
        return Assurance.NONE
    if target is None or pd.isna(target):
        target = latest["target"]
    if target is None or pd.isna(target):
        return Assurance.NONE
    lower, upper = latest["lower"], latest["upper"]
    if chart.polarity == "higher":
        if lower > target:
            return Assurance.PASS
        if upper < target:
            return Assurance.FAIL
    else:
        if upper < target:
            return Assurance.PASS
        if lower > target:
            return Assurance.FAIL
    return Assurance.HIT_AND_MISS
