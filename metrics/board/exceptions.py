"""What the board looks at: each indicator's SPC chart, variation and assurance, joined with its
RAG status, and the exception report built from them.

Pure functions on the plan and on stored values (see metrics/board/status.py for the row shape).

An indicator **needs the board's attention** when its chart shows special-cause concern in the
quarter, when its limits say it will consistently fail its target, or when it is off target
beyond tolerance and its chart cannot judge (too few points for limits). An indicator off
target, or ahead of it, by common-cause variation alone and whose target lies inside its limits
("hit and miss") is **noise**: the process has not changed, and the board is told how many such
RAG flags SPC set aside rather than each one. Special-cause improvement (or, where limits cannot
be computed, ahead of target beyond tolerance) is a **notable improvement**.

A survey measure judged by its interval (metrics/board/survey_status.py) is listed only for a
significant change between waves or a clear miss (its whole interval on the wrong side of the
target): its chart of point estimates, a handful of waves, says nothing about sampling noise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import pandas as pd

from metrics.board.spc import RULE_WORDS, Assurance, SpcRules, Variation, XmrChart, assurance, variation, xmr
from metrics.board.status import IndicatorStatus, Rag, format_value, summarise, trend
from metrics.board.survey_status import METHOD_SENTENCE, SurveyFigures
from metrics.board.survey_status import NO_SURVEY_FIGURES as NO_FIGURES
from metrics.icons import ActionStatus
from metrics.plan.model import Aggregation, Frequency, Indicator, Plan
from metrics.quarters import Quarter, quarter_range
from metrics.survey.estimates import Change as WaveChange


def month_label(day: object) -> str:
    return f"{pd.Timestamp(day):%b %Y}"


def period_label(ind: Indicator, quarter: Quarter) -> str:
    """The label of the chart point a quarter starts at, for the indicator's frequency."""
    if ind.frequency == Frequency.MONTHLY:
        return month_label(quarter.start)
    if ind.frequency == Frequency.QUARTERLY:
        return quarter.label
    return quarter.year.label


def quarter_periods(ind: Indicator, quarter: Quarter) -> list[str]:
    """The chart points that make up the quarter's figure."""
    if ind.frequency == Frequency.MONTHLY:
        return [month_label(m) for m in quarter.months()]
    if ind.frequency == Frequency.QUARTERLY:
        return [quarter.label]
    return [quarter.year.label]


def spc_series(ind: Indicator, values: pd.DataFrame, upto: Quarter, ward: str | None = None) -> pd.DataFrame:
    """The indicator's series up to the end of ``upto``, at its own frequency (months where it
    is recorded monthly, so that limits rest on enough points): columns period, value, target,
    is_demo. A 'same period last year' target is that month (or quarter) a year before; a
    fixed quarterly target is spread evenly over the months of an indicator that adds up."""
    scope = ward if (ward and ind.ward_detail) else None
    values = values[values["indicator_id"] == ind.id]
    if ind.frequency == Frequency.ANNUAL:
        years = values.loc[values["period_type"] == "year", "period_start"]
        first = Quarter.of(years.min().date()) if not years.empty else upto
        return trend(ind, values, quarter_range(min(first, upto), upto), scope)
    monthly = ind.frequency == Frequency.MONTHLY
    rows = values[
        (values["period_type"] == ("month" if monthly else "quarter"))
        & (values["period_start"] < pd.Timestamp(upto.next().start))
    ]
    rows = rows[rows["ward_code"].isna()] if scope is None else rows[rows["ward_code"] == scope]
    rows = rows.sort_values("period_start")
    by_start = dict(zip(rows["period_start"], rows["value"], strict=True))
    rule = ind.target
    targets = []
    for start in rows["period_start"]:
        if rule.rule == "fixed":
            share = 3 if monthly and ind.aggregation == Aggregation.SUM else 1
            targets.append(rule.value / share if rule.value is not None else None)
        elif rule.rule == "same_period_last_year":
            before = by_start.get(start - pd.DateOffset(years=1))
            targets.append(None if before is None else before * (1 + rule.change_pct / 100))
        else:
            targets.append(None)
    label = month_label if monthly else (lambda day: Quarter.of(pd.Timestamp(day).date()).label)
    return pd.DataFrame(
        {
            "period": [label(m) for m in rows["period_start"]],
            "value": rows["value"].astype(float).to_numpy(),
            "target": pd.array(targets, dtype="Float64").astype(float),
            "is_demo": rows["is_demo"].astype(bool).to_numpy(),
        }
    )


def rules_for(plan: Plan, ind: Indicator) -> SpcRules:
    """The plan's SPC rules with its recalculation quarters as this indicator's chart points."""
    return replace(plan.settings.spc, rebase_at=tuple(period_label(ind, q) for q in plan.settings.spc_rebase))


@dataclass(frozen=True)
class SpcStatus:
    chart: XmrChart
    series: pd.DataFrame  # the series charted (with is_demo)
    variation: Variation
    assurance: Assurance
    periods: tuple[str, ...]  # the chart points that make up the quarter
    unit_word: str  # 'month', 'quarter' or 'year'


def spc_status(
    plan: Plan, ind: Indicator, values: pd.DataFrame, quarter: Quarter, ward: str | None = None
) -> SpcStatus:
    """The indicator's XmR chart up to the quarter, and its variation (the latest signal among
    the quarter's points) and assurance (the latest limits against the latest target)."""
    series = spc_series(ind, values, quarter, ward)
    chart = xmr(series, ind.polarity, rules_for(plan, ind))
    periods = quarter_periods(ind, quarter)
    unit_word = {"monthly": "month", "quarterly": "quarter"}.get(ind.frequency, "year")
    return SpcStatus(chart, series, variation(chart, periods), assurance(chart), tuple(periods), unit_word)


class Category(Enum):
    ATTENTION = ("attention", "Needs the board's attention")
    IMPROVEMENT = ("improvement", "Notable improvement")
    NOISE = ("noise", "Off or ahead of target within normal variation")
    NONE = ("none", "")

    def __init__(self, key: str, word: str) -> None:
        self.key = key
        self.word = word


@dataclass(frozen=True)
class Review:
    """One indicator as the board reviews it in a quarter."""

    status: IndicatorStatus
    spc: SpcStatus
    category: Category
    severity: int  # lower is more severe; sorts the report
    reasons: tuple[str, ...]
    sentence: str

    @property
    def indicator(self) -> Indicator:
        return self.status.indicator


def classify_survey(status: IndicatorStatus) -> tuple[Category, int, tuple[str, ...]]:
    """A survey measure's category: a clear miss or a significantly worse wave needs the
    board's attention, a significantly better wave is a notable improvement, the rest is not
    listed (not even as noise: an interval that includes the target is no RAG flag)."""
    judged = status.survey
    assert judged is not None
    missed = status.rag is Rag.OFF_TARGET
    worse = judged.change is WaveChange.WORSE
    reasons = []
    if missed:
        reasons.append("target missed: the whole 95% interval is on the wrong side")
    if worse and judged.earlier is not None:
        reasons.append(f"significantly worse than the {judged.earlier.wave} wave")
    if missed and worse:
        return Category.ATTENTION, 0, tuple(reasons)
    if worse:
        return Category.ATTENTION, 1, tuple(reasons)
    if missed:
        return Category.ATTENTION, 3, tuple(reasons)
    if judged.change is WaveChange.BETTER and judged.earlier is not None:
        return Category.IMPROVEMENT, 10, (f"significantly better than the {judged.earlier.wave} wave",)
    return Category.NONE, 30, ()


def classify(status: IndicatorStatus, spc: SpcStatus) -> tuple[Category, int, tuple[str, ...]]:
    """The report's category, severity and reasons (see the module docstring)."""
    if status.survey is not None:
        return classify_survey(status)
    var, ass, rag = spc.variation, spc.assurance, status.rag
    reasons = []
    if var.is_concern:
        reasons.append("special-cause concern")
    if ass is Assurance.FAIL:
        reasons.append("consistently failing target")
    if rag is Rag.OFF_TARGET:
        reasons.append("off target beyond tolerance")
    judged = var is not Variation.TOO_FEW
    if var.is_concern and rag is Rag.OFF_TARGET:
        return Category.ATTENTION, 0, tuple(reasons)
    if var.is_concern:
        return Category.ATTENTION, 1, tuple(reasons)
    if ass is Assurance.FAIL:
        return Category.ATTENTION, 2, tuple(reasons)
    if rag is Rag.OFF_TARGET and not judged:
        return Category.ATTENTION, 3, (*reasons, "too few points to judge variation")
    if var.is_improvement:
        return Category.IMPROVEMENT, 10, ("special-cause improvement",)
    if rag is Rag.AHEAD and not judged:
        return Category.IMPROVEMENT, 11, ("ahead of target beyond tolerance", "too few points to judge variation")
    if rag.is_exception:
        return Category.NOISE, 20, (f"{rag.word.lower()}, common-cause variation",)
    return Category.NONE, 30, ()


def spc_sentence(ind: Indicator, spc: SpcStatus) -> str:
    """What the chart says, in plain English, from the data."""
    chart, unit = spc.chart, ind.unit
    if not chart.has_limits:
        n = len(chart.points)
        return (
            f"The {ind.frequency} series has {n} point{'' if n == 1 else 's'}; process limits need at least "
            f"{chart.rules.min_points}, so whether it has changed cannot be judged statistically yet."
        )
    points = chart.points
    latest = points.iloc[-1]
    span = f"{len(points)} {spc.unit_word}s to {latest['period']}"
    limits = f"{format_value(latest['lower'], unit)} to {format_value(latest['upper'], unit)}"
    var = spc.variation
    if var is Variation.COMMON:
        mean = format_value(latest["mean"], unit)
        text = f"Over {span} the variation is common cause (noise around a mean of {mean}; limits {limits})"
    else:
        signalled = points[points["period"].isin(spc.periods) & (points["signal"] != "")].iloc[-1]
        kind = {"concern": "a special cause of concern", "improvement": "a special cause of improvement"}.get(
            signalled["signal"], "a special cause (neither better nor worse)"
        )
        direction = "high" if signalled["side"] > 0 else "low"
        text = (
            f"{signalled['period']} ({format_value(signalled['value'], unit)}) is {kind}: "
            f"{RULE_WORDS[signalled['rule']]}, on the {direction} side (limits {limits} over {span})"
        )
    target = format_value(latest["target"], unit)
    text += {
        Assurance.PASS: f"; the whole range is on the good side of the target ({target}), so it will consistently pass",
        Assurance.FAIL: f"; the whole range is on the wrong side of the target ({target}), so it will consistently "
        "fail until the process changes",
        Assurance.HIT_AND_MISS: f"; the target ({target}) lies within the limits, so it will be "
        "hit and missed by chance",
    }.get(spc.assurance, "")
    if chart.provisional:
        text += f". Limits are provisional (fewer than {chart.rules.provisional_below} points)"
    return text + "."


def review(plan: Plan, status: IndicatorStatus, values: pd.DataFrame) -> Review:
    """An indicator's status (metrics/board/status.py) with its SPC chart and its category."""
    ind = status.indicator
    spc = spc_status(plan, ind, values, status.quarter, status.ward)
    category, severity, reasons = classify(status, spc)
    method = METHOD_SENTENCE if status.survey is not None else spc_sentence(ind, spc)
    return Review(status, spc, category, severity, reasons, f"{status.sentence} {method}")


def review_all(
    plan: Plan, values: pd.DataFrame, quarter: Quarter, ward: str | None = None, survey: SurveyFigures = NO_FIGURES
) -> list[Review]:
    """Every indicator in plan order (``survey``: the stored waves' estimates, see
    metrics/board/survey_status.py)."""
    return [review(plan, s, values) for s in summarise(plan, values, quarter, ward, survey)]


def exception_report(reviews: list[Review]) -> list[Review]:
    """Attention first, then notable improvements, most severe first; plan order within."""
    picked = [r for r in reviews if r.category in (Category.ATTENTION, Category.IMPROVEMENT)]
    return sorted(picked, key=lambda r: r.severity)


def proposed_actions(plan: Plan, ind: Indicator, progress: pd.DataFrame) -> pd.DataFrame:
    """The owner's proposed action for an indicator: the latest reported progress on the
    *open* actions under the indicator's objective that the indicator's owner leads (columns
    action_id, text, status, commentary, quarter_start, is_demo). An action whose latest status
    is Complete is left out: it is what was done, not what is proposed."""
    actions = [a for a in plan.actions_for_objective(ind.objective_id) if a.owner == ind.owner]
    rows = []
    by_id = progress.set_index("action_id") if not progress.empty else progress
    for action in actions:
        if action.id in by_id.index:
            p = by_id.loc[action.id]
            if ActionStatus.from_word(str(p["status"])) is ActionStatus.COMPLETE:
                continue
            rows.append(
                {
                    "action_id": action.id,
                    "text": action.text,
                    "status": p["status"],
                    "commentary": p["commentary"],
                    "quarter_start": p["quarter_start"],
                    "is_demo": bool(p["is_demo"]),
                }
            )
        else:
            rows.append(
                {
                    "action_id": action.id,
                    "text": action.text,
                    "status": "No update",
                    "commentary": None,
                    "quarter_start": None,
                    "is_demo": False,
                }
            )
    return pd.DataFrame(rows, columns=["action_id", "text", "status", "commentary", "quarter_start", "is_demo"])
