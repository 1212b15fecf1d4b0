"""Indicator status: value for a quarter, target, RAG, direction of travel and a sentence.

Pure functions on the plan and on DataFrames of stored values; no I/O. A stored value row has
the columns ``indicator_id, period_type ('month'|'quarter'|'year'), period_start (date),
ward_code (None for the whole area), value, is_demo``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import pandas as pd

from metrics.board.survey_status import (
    NO_SURVEY_FIGURES,
    SurveyFigures,
    SurveyJudgement,
    change_words,
    judge,
    verdict_words,
)
from metrics.icons import StatusIcon
from metrics.plan.model import Aggregation, Frequency, Indicator, Plan, Polarity, Tolerance, Unit
from metrics.quarters import FinancialYear, Quarter
from metrics.survey.estimates import Change as WaveChange
from metrics.survey.estimates import TargetVerdict

VALUE_COLUMNS = ["indicator_id", "period_type", "period_start", "ward_code", "value", "is_demo"]


class Rag(StatusIcon):
    """Status against target. Each has a word and an icon so colour is never the only cue."""

    # Distinct shapes as well as colours and words: readable in greyscale and by people who
    # do not tell red from green, and present in common system fonts (no emoji font needed).
    OFF_TARGET = ("off_target", "Off target", "✖", "#b3261e", 0)
    NEAR_TARGET = ("near_target", "Near target", "▲", "#a15c00", 2)
    ON_TARGET = ("on_target", "On target", "✔", "#1b6e3a", 3)
    AHEAD = ("ahead", "Ahead of target", "★", "#1f4e9c", 1)
    # A survey measure whose 95% interval includes its target: neither met nor missed.
    NOT_DISTINGUISHABLE = ("not_distinguishable", "Not distinguishable from target", "≈", "#4b5563", 3)
    NO_TARGET = ("no_target", "No target", "○", "#5f6368", 4)
    NO_DATA = ("no_data", "No data", "–", "#5f6368", 5)

    @property
    def is_exception(self) -> bool:
        """Reported first to the board: off target or over-performing beyond tolerance."""
        return self in (Rag.OFF_TARGET, Rag.AHEAD)


class Direction(Enum):
    """The judgement of a change through the indicator's polarity. Kept apart from the change's
    sign on screen ("+17% · worse"): an arrow meaning "worse" beside a "+" read as a contradiction."""

    IMPROVING = ("improving", "Improving", "better")
    WORSENING = ("worsening", "Worsening", "worse")
    STEADY = ("steady", "No change", "no change")
    UNKNOWN = ("unknown", "No comparison", "")

    def __init__(self, key: str, word: str, judgement: str) -> None:
        self.key = key
        self.word = word
        self.judgement = judgement


def rag_status(value: float | None, target: float | None, polarity: str, tolerance: Tolerance) -> Rag:
    """RAG against target.

    ``margin`` is how far the value is on the good side of target (negative: bad side).
    Within tolerance on the bad side is amber; beyond it, off target. Beyond tolerance on the
    good side is over-performing ("ahead"), an exception the board also looks at. A value
    exactly at the tolerance boundary counts as within it.
    """
    if value is None or pd.isna(value):
        return Rag.NO_DATA
    if target is None or pd.isna(target):
        return Rag.NO_TARGET
    margin = value - target if polarity == Polarity.HIGHER else target - value
    allowed = tolerance.amount(target)
    if margin < -allowed:
        return Rag.OFF_TARGET
    if margin < 0:
        return Rag.NEAR_TARGET
    if margin > allowed:
        return Rag.AHEAD
    return Rag.ON_TARGET


@dataclass(frozen=True)
class Change:
    """A comparison of a value with an earlier one, read through the indicator's polarity."""

    direction: Direction
    change: float | None  # per cent for counts, points for percentages
    in_points: bool
    tested: bool = False  # judged by a significance test (survey waves), not the steady band

    @property
    def judgement(self) -> str:
        """'better', 'worse', 'no change'; for a tested change 'significantly better' ... 'no
        significant change'."""
        if not self.tested:
            return self.direction.judgement
        return TESTED_WORDS.get(self.direction, self.direction.judgement)

    def phrase(self, period: str) -> str:
        if self.change is None:
            return f"has no figure for {period} to compare with"
        if self.direction is Direction.STEADY:
            return f"showed no change on {period}"
        verb = "rose" if self.change > 0 else "fell"
        amount = f"{abs(self.change):.1f} points" if self.in_points else f"{abs(self.change):.0f}%"
        return f"{verb} {amount} on {period}"

    @property
    def short(self) -> str:
        """The change and its judgement apart, e.g. '+17% · worse', '-2.5 pts · better': the sign
        says which way the figure moved, the word whether that is good (the same on page, pack
        and CSV)."""
        if self.change is None:
            return "–"
        amount = f"{self.change:+.1f} pts" if self.in_points else f"{self.change:+.0f}%"
        return f"{amount} · {self.judgement}"


TESTED_WORDS = {
    Direction.IMPROVING: WaveChange.BETTER.value,
    Direction.WORSENING: WaveChange.WORSE.value,
    Direction.STEADY: WaveChange.NO_CHANGE.value,
}
WAVE_DIRECTION = {
    WaveChange.BETTER: Direction.IMPROVING,
    WaveChange.WORSE: Direction.WORSENING,
    WaveChange.NO_CHANGE: Direction.STEADY,
    WaveChange.TOO_FEW: Direction.UNKNOWN,
}
VERDICT_RAG = {
    TargetVerdict.MET: Rag.ON_TARGET,
    TargetVerdict.MISSED: Rag.OFF_TARGET,
    TargetVerdict.NOT_DISTINGUISHABLE: Rag.NOT_DISTINGUISHABLE,
    TargetVerdict.TOO_FEW: Rag.NO_DATA,
}


def compare(
    current: float | None, earlier: float | None, polarity: str, in_points: bool, steady_band_pct: float
) -> Change:
    """Direction of travel from ``earlier`` to ``current``.

    Counts compare as a percentage change; percentages as a change in points. A change smaller
    than the steady band (per cent of the earlier value, or points) is "no change".
    """
    if current is None or earlier is None or pd.isna(current) or pd.isna(earlier):
        return Change(Direction.UNKNOWN, None, in_points)
    if in_points:
        change = current - earlier
        steady = abs(change) < steady_band_pct
    elif earlier == 0:
        if current == 0:
            return Change(Direction.STEADY, 0.0, in_points)
        return Change(Direction.WORSENING if polarity == Polarity.LOWER else Direction.IMPROVING, None, in_points)
    else:
        change = (current - earlier) / abs(earlier) * 100
        steady = abs(change) < steady_band_pct
    if steady:
        return Change(Direction.STEADY, change, in_points)
    better = change < 0 if polarity == Polarity.LOWER else change > 0
    return Change(Direction.IMPROVING if better else Direction.WORSENING, change, in_points)


# --- values for a period ------------------------------------------------------------------


def _rows(values: pd.DataFrame, ind: Indicator, ward: str | None) -> pd.DataFrame:
    rows = values[values["indicator_id"] == ind.id]
    if ward is None:
        return rows[rows["ward_code"].isna()]
    return rows[rows["ward_code"] == ward]


@dataclass(frozen=True)
class PeriodValue:
    value: float | None
    label: str
    is_demo: bool
    note: str | None = None
    source: str | None = None  # where a single stored row came from (a survey wave: survey:<id>:<wave>)


def _source(row: pd.Series) -> str | None:
    value = row.get("source")
    return value if isinstance(value, str) else None


def value_for(ind: Indicator, values: pd.DataFrame, quarter: Quarter, ward: str | None = None) -> PeriodValue:
    """The indicator's figure for a quarter.

    Monthly indicators add up (or average) their three months and need all three; quarterly
    ones take the quarter's row; annual ones the financial year the quarter falls in, or failing
    that the latest earlier year (labelled as such).
    """
    rows = _rows(values, ind, ward)
    if ind.frequency == Frequency.MONTHLY:
        months = [pd.Timestamp(m) for m in quarter.months()]
        got = rows[(rows["period_type"] == "month") & (rows["period_start"].isin(months))]
        if got.empty:
            return PeriodValue(None, quarter.label, False)
        if len(got) < 3:
            return PeriodValue(None, quarter.label, bool(got["is_demo"].any()), f"only {len(got)} of 3 months reported")
        agg = got["value"].sum() if ind.aggregation == Aggregation.SUM else got["value"].mean()
        return PeriodValue(float(agg), quarter.label, bool(got["is_demo"].any()))
    if ind.frequency == Frequency.QUARTERLY:
        got = rows[(rows["period_type"] == "quarter") & (rows["period_start"] == pd.Timestamp(quarter.start))]
        if got.empty:
            return PeriodValue(None, quarter.label, False)
        first = got.iloc[0]
        return PeriodValue(float(first["value"]), quarter.label, bool(first["is_demo"]), source=_source(first))
    years = rows[(rows["period_type"] == "year") & (rows["period_start"] <= pd.Timestamp(quarter.year.start))]
    if years.empty:
        return PeriodValue(None, quarter.year.label, False)
    latest = years.sort_values("period_start").iloc[-1]
    fy = FinancialYear.of(latest["period_start"].date())
    note = None if fy == quarter.year else f"latest annual figure ({fy.label})"
    return PeriodValue(float(latest["value"]), fy.label, bool(latest["is_demo"]), note, _source(latest))


def last_year_value(
    ind: Indicator, values: pd.DataFrame, quarter: Quarter, shown: PeriodValue, ward: str | None
) -> float | None:
    """The figure a year-on-year comparison (and a 'same period last year' target) uses, given
    the figure ``shown`` for the quarter: for annual indicators, the year before the shown one."""
    earlier = quarter.year_earlier()
    if ind.frequency == Frequency.ANNUAL and shown.value is not None:
        earlier = Quarter(FinancialYear.parse(shown.label).start_year - 1, quarter.number)
    return value_for(ind, values, earlier, ward).value


def target_from(ind: Indicator, last_year: float | None) -> float | None:
    """The target by the indicator's rule, given last year's figure."""
    rule = ind.target
    if rule.rule == "fixed":
        return rule.value
    if rule.rule == "same_period_last_year" and last_year is not None:
        return last_year * (1 + rule.change_pct / 100)
    return None


def target_for(ind: Indicator, values: pd.DataFrame, quarter: Quarter, ward: str | None = None) -> float | None:
    """The target for the quarter, by the indicator's rule."""
    shown = value_for(ind, values, quarter, ward)
    return target_from(ind, last_year_value(ind, values, quarter, shown, ward))


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    quarter: Quarter
    ward: str | None
    value: PeriodValue
    target: float | None
    rag: Rag
    vs_previous: Change
    vs_last_year: Change
    sentence: str
    survey: SurveyJudgement | None = None  # a survey measure's figure, judged by its interval

    @property
    def figure(self) -> str:
        """The figure as the board reads it: '63.2% (59.6-66.7%), 696 responses' for a survey
        measure, else the value in its unit ('1,234', '12.5%')."""
        if self.survey is not None:
            return self.survey.text
        return format_value(self.value.value, self.indicator.unit)

    @property
    def gap_pct(self) -> float | None:
        if self.value.value is None or self.target in (None, 0):
            return None
        return (self.value.value - self.target) / abs(self.target) * 100


def indicator_status(
    plan: Plan,
    ind: Indicator,
    values: pd.DataFrame,
    quarter: Quarter,
    ward: str | None = None,
    survey: SurveyFigures = NO_SURVEY_FIGURES,
) -> IndicatorStatus:
    """Everything the board sees about one indicator in one quarter. A survey measure whose
    figure a stored wave supplied is judged by its interval (metrics/board/survey_status.py)."""
    scope = ward if (ward and ind.ward_detail) else None
    values = values[values["indicator_id"] == ind.id]
    current = value_for(ind, values, quarter, scope)
    last_year_figure = last_year_value(ind, values, quarter, current, scope)
    target = target_from(ind, last_year_figure)
    band = plan.settings.steady_band_pct
    points = ind.is_percent
    if ind.frequency == Frequency.ANNUAL:
        previous = Change(Direction.UNKNOWN, None, points)
    else:
        previous = compare(
            current.value, value_for(ind, values, quarter.previous(), scope).value, ind.polarity, points, band
        )
    last_year = compare(current.value, last_year_figure, ind.polarity, points, band)
    rag = rag_status(current.value, target, ind.polarity, ind.tolerance)
    status = IndicatorStatus(ind, quarter, scope, current, target, rag, previous, last_year, "")
    linked = plan.survey_measure(ind.id)
    if linked is not None and scope is None:
        rows = _rows(values, ind, None)
        judged = judge(linked[1], rows, current.source, target, survey)
        if judged is not None:
            return survey_status(status, judged)
    return replace(status, sentence=sentence(status, plan))


def survey_status(status: IndicatorStatus, judged: SurveyJudgement) -> IndicatorStatus:
    """The status of a survey measure: RAG from the interval against target, the change on the
    wave before by significance, and a sentence carrying the figure with its interval."""
    ind = status.indicator
    rag = Rag.NO_TARGET if judged.verdict is None else VERDICT_RAG[judged.verdict]
    if judged.change is None:
        change = Change(Direction.UNKNOWN, None, True, tested=True)
    else:
        change = Change(WAVE_DIRECTION[judged.change], judged.difference, True, tested=True)
    previous = status.vs_previous if ind.frequency == Frequency.ANNUAL else change
    text = (
        f"{ind.name}: {judged.text} ({status.value.label}); it {change_words(judged)}, and "
        f"{verdict_words(judged, format_value(status.target, ind.unit))}."
    )
    return replace(status, rag=rag, vs_previous=previous, vs_last_year=change, sentence=text, survey=judged)


def sentence(status: IndicatorStatus, plan: Plan) -> str:
    """One plain-English sentence for the board, e.g. 'ASB incidents fell 8% on the same
    quarter last year and the figure is 3% below target.'"""
    ind = status.indicator
    where = f" in {plan.ward_names().get(status.ward, status.ward)}" if status.ward else ""
    if status.value.value is None:
        why = f" ({status.value.note})" if status.value.note else ""
        return f"{ind.name}{where}: no figure for {status.value.label}{why}."
    period = "the previous year" if ind.frequency == Frequency.ANNUAL else "the same quarter last year"
    text = f"{ind.name}{where} {status.vs_last_year.phrase(period)}"
    if status.target is None:
        return text + "; no target is set."
    if ind.is_percent:
        gap = status.value.value - status.target
        side = "above" if gap > 0 else "below"
        against = "on target" if abs(gap) < 0.05 else f"{abs(gap):.1f} points {side} target"
    else:
        gap_pct = status.gap_pct
        if gap_pct is None:
            against = "measured against a target of zero"
        else:
            side = "above" if gap_pct > 0 else "below"
            against = "on target" if abs(gap_pct) < 0.5 else f"{abs(gap_pct):.0f}% {side} target"
    return f"{text} and the figure is {against}."


def summarise(
    plan: Plan,
    values: pd.DataFrame,
    quarter: Quarter,
    ward: str | None = None,
    survey: SurveyFigures = NO_SURVEY_FIGURES,
) -> list[IndicatorStatus]:
    """Status of every indicator in the plan for the quarter, in plan order (``survey``: the
    stored waves' estimates, which judge survey measures by their intervals)."""
    return [indicator_status(plan, ind, values, quarter, ward, survey) for ind in plan.indicators]


def exceptions_first(statuses: list[IndicatorStatus]) -> list[IndicatorStatus]:
    """Off target first, then ahead of target, then the rest; plan order within each."""
    return sorted(statuses, key=lambda s: s.rag.severity)


def format_value(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if unit == Unit.PERCENT:
        return f"{value:.1f}%"
    if unit == Unit.COUNT:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def available_quarters(values: pd.DataFrame) -> list[Quarter]:
    """Every quarter from the first to the last that holds monthly or quarterly data."""
    periodic = values[values["period_type"].isin(["month", "quarter"])]
    if periodic.empty:
        return []
    first = Quarter.of(periodic["period_start"].min().date())
    last = Quarter.of(periodic["period_start"].max().date())
    out = []
    q = first
    while q <= last:
        out.append(q)
        q = q.next()
    return out


def trend(ind: Indicator, values: pd.DataFrame, quarters: list[Quarter], ward: str | None = None) -> pd.DataFrame:
    """The indicator's figure and target for each quarter (each year, for annual indicators),
    ready to chart: columns period, value, target, is_demo."""
    scope = ward if (ward and ind.ward_detail) else None
    values = values[values["indicator_id"] == ind.id]  # one filter here, not one per quarter
    rows = []
    if ind.frequency == Frequency.ANNUAL:
        years = sorted({q.year for q in quarters})
        for fy in years:
            last_q = Quarter(fy.start_year, 4)
            shown = value_for(ind, values, last_q, scope)
            if shown.label != fy.label:
                continue
            rows.append(
                {
                    "period": fy.label,
                    "value": shown.value,
                    "target": target_from(ind, last_year_value(ind, values, last_q, shown, scope)),
                    "is_demo": shown.is_demo,
                }
            )
    else:
        for q in quarters:
            shown = value_for(ind, values, q, scope)
            rows.append(
                {
                    "period": q.label,
                    "value": shown.value,
                    "target": target_from(ind, last_year_value(ind, values, q, shown, scope)),
                    "is_demo": shown.is_demo,
                }
            )
    return pd.DataFrame(rows, columns=["period", "value", "target", "is_demo"])
