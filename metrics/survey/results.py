"""Stored survey results as the board reads them: each measure across waves, the figure behind
an indicator value (its provenance), and the change between the latest two waves judged by
significance rather than a points tolerance.

Reached as ``metrics.survey.results`` (it reads the store; the core of the package does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.board.survey_status import SurveyFigures, WaveEstimate
from metrics.plan.model import Plan
from metrics.plan.periods import Period
from metrics.quarters import FinancialYear, PeriodError
from metrics.store import Store
from metrics.store import survey as survey_store
from metrics.survey.estimates import ALL, COLUMNS, Change, Estimate, compare_waves, format_estimate


def wave_period(wave: str) -> Period | None:
    """The period a wave label names ("2025", "2025/26", "2025-03"), or None."""
    try:
        return Period.parse(wave)
    except PeriodError:
        return None


def wave_name(wave: str, period_start: date | None, is_demo: bool) -> str:
    """A wave as pages and charts name it: its label, the financial year its figures sit in
    where the label names no period of its own (the demo wave's), and "demo data" where it is
    invented: "2025", "demo (2025/26, demo data)"."""
    notes = []
    if period_start is not None and wave_period(wave) is None:
        notes.append(FinancialYear.of(period_start).label)
    if is_demo:
        notes.append("demo data")
    return f"{wave} ({', '.join(notes)})" if notes else wave


@dataclass(frozen=True)
class WaveFigure:
    """One measure's estimate in one wave, with where it came from."""

    survey_id: str
    wave: str
    period_start: date | None
    estimate: Estimate
    is_demo: bool
    text: str  # "63.2% (59.6-66.7%), 696 responses", or "too few responses ..."


def _estimate(row: pd.Series) -> Estimate:
    def number(value: object) -> float | None:
        return None if pd.isna(value) else float(value)  # type: ignore[arg-type]

    return Estimate(
        str(row["measure"]),
        str(row["group_kind"]),
        str(row["group"]),
        number(row["estimate"]),
        number(row["lower"]),
        number(row["upper"]),
        int(row["unweighted_base"]),
        float(row["effective_base"]),
        bool(row["suppressed"]),
    )


@dataclass(frozen=True)
class WaveSummary:
    """A stored wave as a page lists it (no respondent data)."""

    survey_id: str
    wave: str
    period_start: date | None
    respondents: int
    design_effect: float
    effective_base: float
    trimmed: int
    is_demo: bool

    @property
    def label(self) -> str:
        """The wave as pages name it (:func:`wave_name`)."""
        return wave_name(self.wave, self.period_start, self.is_demo)


def _day(value: object) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]


def wave_summaries(store: Store, survey_id: str) -> list[WaveSummary]:
    """The survey's stored waves, oldest first (by period, then import time)."""
    table = survey_store.waves(store, survey_id)
    return [
        WaveSummary(
            str(r.survey_id),
            str(r.wave),
            _day(r.period_start),
            int(r.respondents),
            float(r.design_effect),
            float(r.effective_base),
            int(r.trimmed),
            bool(r.is_demo),
        )
        for r in table.itertuples(index=False)
    ]


def survey_figures(plan: Plan, store: Store, survey_id: str) -> list[WaveFigure]:
    """Every stored figure of the survey (each wave, measure and group), oldest wave first:
    estimates only, never respondent rows."""
    table = survey_store.estimates(store, survey_id)
    if table.empty:
        return []
    periods = {w.wave: w.period_start for w in wave_summaries(store, survey_id)}
    out = []
    for _, row in table.iterrows():
        estimate = _estimate(row)
        out.append(
            WaveFigure(
                survey_id,
                str(row["wave"]),
                periods.get(str(row["wave"])),
                estimate,
                bool(row["is_demo"]),
                format_estimate(estimate, plan.settings.survey_min_base),
            )
        )
    return out


def measure_waves(
    plan: Plan, store: Store, survey_id: str, measure_id: str, group_kind: str = ALL, group: str | None = None
) -> list[WaveFigure]:
    """A measure's figure for one group in every stored wave, oldest first (by the wave's
    period, then import time); the whole area unless ``group_kind``/``group`` say otherwise."""
    return [
        f
        for f in survey_figures(plan, store, survey_id)
        if f.estimate.measure == measure_id
        and f.estimate.group_kind == group_kind
        and (group is None or f.estimate.group == group)
    ]


def indicator_waves(plan: Plan, store: Store, indicator_id: str) -> list[WaveFigure]:
    """The whole-area figures behind a survey-based indicator, oldest first ([] if the plan
    links no survey measure to it)."""
    found = plan.survey_measure(indicator_id)
    if found is None:
        return []
    survey, measure = found
    return measure_waves(plan, store, survey.id, measure.id)


def latest_change(plan: Plan, store: Store, indicator_id: str) -> tuple[WaveFigure, WaveFigure, Change] | None:
    """The latest two waves of a survey-based indicator and their change (Newcombe, 95%,
    judged by the measure's polarity); None with fewer than two waves. Real waves are
    compared with real waves: demo waves only when there are no real ones."""
    found = plan.survey_measure(indicator_id)
    figures = indicator_waves(plan, store, indicator_id)
    real = [f for f in figures if not f.is_demo]
    figures = real or figures
    if found is None or len(figures) < 2:
        return None
    before, after = figures[-2], figures[-1]
    return before, after, compare_waves(before.estimate, after.estimate, found[1].polarity)


def results_table(store: Store, survey_id: str | None = None, wave: str | None = None) -> pd.DataFrame:
    """Every stored estimate (one row per survey, wave, measure and group) in the columns of
    ``survey-results`` (:data:`metrics.survey.COLUMNS`) and ``is_demo``, rounded as shown:
    what the command writes and the page downloads. Estimates only, never respondent rows."""
    table = survey_store.estimates(store, survey_id, wave)
    columns = [*COLUMNS, "is_demo"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    return table[columns].round({"estimate": 2, "lower": 2, "upper": 2, "effective_base": 1})


def board_figures(plan: Plan, store: Store) -> SurveyFigures:
    """Every stored wave's whole-area estimates, keyed by the ``source`` of the indicator values
    the wave supplied: what the board's statuses judge survey measures by."""
    table = survey_store.estimates(store)
    table = table[table["group_kind"] == ALL] if not table.empty else table
    found = {}
    for _, row in table.iterrows():
        source = f"{survey_store.SURVEY_SOURCE_PREFIX}{row['survey']}:{row['wave']}"
        found[(source, str(row["measure"]))] = WaveEstimate(
            str(row["survey"]), str(row["wave"]), _estimate(row), bool(row["is_demo"])
        )
    return SurveyFigures(found, plan.settings.survey_min_base)
