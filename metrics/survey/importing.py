"""Importing a survey wave into the store: read and check the file against the plan's
declaration, weight, estimate, and store the wave whole (or nothing, with every problem).

Survey figures flow into indicator values: each measure that names an ``indicator`` gives that
indicator one annual value per wave (the whole-area estimate, in the financial year holding
most of the wave's period), with ``source`` ``survey:<id>:<wave>`` pointing at the stored
estimate, its interval and bases. Reached as ``metrics.survey.importing`` (it needs the store;
the rest of the package does not).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics.plan.model import Plan
from metrics.plan.periods import Period
from metrics.store import Store
from metrics.store import survey as survey_store
from metrics.survey.declaration import AreaKind, AreaRef, Survey
from metrics.survey.demo import DEMO_NOTE, demo_wave
from metrics.survey.estimates import estimates_frame, survey_estimates
from metrics.survey.reading import SurveyReading, check_table, frame_table, read_lookup, read_survey
from metrics.survey.results import wave_period
from metrics.survey.weighting import Weighted, rake

DEMO_WAVE = "demo"  # the label of the demo wave each declared survey gets


class SurveyError(ValueError):
    """A survey command asked for something the plan or the store cannot give (one line)."""


def declared_survey(plan: Plan, survey_id: str) -> Survey:
    """The plan's survey with this id, or a SurveyError naming the declared ones."""
    for survey in plan.surveys:
        if survey.id == survey_id:
            return survey
    declared = ", ".join(s.id for s in plan.surveys) or "none: declare one under surveys"
    raise SurveyError(f"the plan declares no survey {survey_id!r} (declared: {declared})")


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: the reading (with every problem), and when clean the weighting,
    the estimates and whether they were stored."""

    survey: Survey
    wave: str
    reading: SurveyReading
    weighted: Weighted | None = None
    estimates: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicator_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    stored: bool = False
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """A short account for the command line."""
        if not self.reading.ok:
            count = len(self.reading.problems)
            head = f"{self.reading.file}: {count} problem{'s' if count != 1 else ''}; nothing was stored."
            return [head, *(f"  - {p}" for p in self.reading.problems)]
        assert self.weighted is not None
        out = [
            f"{self.reading.file}: {len(self.reading.respondents)} respondents read for {self.survey.id} {self.wave}."
        ]
        out.append(self.weighted.report.summary())
        out += [f"  note: {n}" for n in (*self.weighted.report.notes, *self.notes)]
        shown = self.estimates[self.estimates["group_kind"] == "all"]
        for row in shown.itertuples(index=False):
            figure = (
                "too few responses"
                if row.suppressed
                else f"{row.estimate:.1f}% ({row.lower:.1f}-{row.upper:.1f}%), {row.unweighted_base:,} responses"
            )
            out.append(f"  {row.measure}: {figure}")
        out.append("Stored." if self.stored else "Checked only (--dry-run): nothing was stored.")
        return out


def plan_areas(plan: Plan) -> tuple[AreaRef, ...]:
    """The plan's local areas as the survey package sees them."""
    return tuple(AreaRef(w.code, w.name, float(w.population) if w.population is not None else None) for w in plan.wards)


def _lookup(survey: Survey) -> dict[str, str] | None:
    if survey.area is None or survey.area.kind not in (AreaKind.LSOA, AreaKind.POSTCODE) or not survey.area.lookup:
        return None
    return read_lookup(survey.area.lookup)


def indicator_values(plan: Plan, survey: Survey, estimates: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    """One annual value per linked indicator: the whole-area estimate (none when suppressed)."""
    rows = []
    if period is not None:
        overall = estimates[(estimates["group_kind"] == "all") & ~estimates["suppressed"]].set_index("measure")
        for measure in survey.measures:
            if measure.indicator and measure.id in overall.index:
                rows.append(
                    {
                        "indicator_id": measure.indicator,
                        "period_type": "year",
                        "period_start": pd.Timestamp(period.financial_year.start),
                        "value": round(float(overall.loc[measure.id, "estimate"]), 1),
                    }
                )
    return pd.DataFrame(rows, columns=["indicator_id", "period_type", "period_start", "value"])


def _process(
    plan: Plan,
    store: Store,
    survey: Survey,
    wave: str,
    reading: SurveyReading,
    sha256: str,
    user: str,
    dry_run: bool,
    is_demo: bool,
    dated: Period | None = None,
) -> ImportOutcome:
    """Weight, estimate and (unless ``dry_run``) store a clean reading. The wave's period is the
    one its label names, or ``dated`` (the demo wave's). A demo wave supplies no indicator value
    where a real figure is held for the period."""
    if not reading.ok:
        return ImportOutcome(survey, wave, reading)
    areas = plan_areas(plan)
    weighted = rake(reading.respondents, survey, areas, cap=plan.settings.survey_weight_cap)
    found = survey_estimates(
        reading.respondents, weighted.weights, survey, areas, plan.settings.survey_min_base, plan.partnership.area_name
    )
    table = estimates_frame(found, survey.id, wave)
    period = dated or wave_period(wave)
    values = indicator_values(plan, survey, table, period)
    notes = () if period else (f"wave {wave!r} names no period: its figures are not indicator values",)
    if is_demo:
        if period is not None and not values.empty:
            start = period.financial_year.start
            kept = survey_store.real_figures(store, sorted(set(values["indicator_id"])), "year", start)
            values = values[~values["indicator_id"].isin(kept)].reset_index(drop=True)
        notes = (*notes, DEMO_NOTE)
    stored = False
    if not dry_run:
        report = weighted.report
        record = survey_store.WaveRecord(
            survey.id,
            wave,
            period.start if period else None,
            reading.file,
            sha256,
            report.design_effect,
            report.effective_base,
            report.cap,
            report.trimmed,
            " ".join([report.summary(), *report.notes]),
            user,
            is_demo,
        )
        survey_store.store_wave(store, record, reading.respondents, weighted.weights, table, values)
        stored = True
    return ImportOutcome(survey, wave, reading, weighted, table, values, stored, notes)


def import_wave(
    plan: Plan,
    store: Store,
    path: Path | str,
    survey_id: str,
    wave: str,
    user: str,
    dry_run: bool = False,
    name: str | None = None,
) -> ImportOutcome:
    """Read, check, weight and (unless ``dry_run``) store one wave; nothing is stored on any
    problem. ``survey_id`` must be declared in the plan (SurveyError otherwise). ``name``: the
    file's name in messages, where ``path`` is a copy (an upload)."""
    survey = declared_survey(plan, survey_id)
    path = Path(path)
    reading = read_survey(path, survey, plan_areas(plan), _lookup(survey), name)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return _process(plan, store, survey, wave, reading, sha256, user, dry_run, False)


def import_demo_waves(plan: Plan, store: Store, user: str = "demo") -> list[ImportOutcome]:
    """A demo wave (flagged demo) for each declared survey, replacing earlier demo waves, from
    the baselines of the indicators its measures supply. It is dated to the financial year of
    the demo's last quarter, so its figures (with their intervals) are the indicators' values
    there and the board's survey judgement shows in the demo; never over a real figure."""
    survey_store.delete_demo_waves(store)
    dated = Period.parse(plan.settings.demo_last_quarter.year.label)
    out = []
    for survey in plan.surveys:
        baselines = {}
        for measure in survey.measures:
            if measure.indicator:
                value = plan.indicator(measure.indicator).baseline.value
                if value is not None:
                    baselines[measure.id] = value
        generated = demo_wave(
            survey, baselines, plan_areas(plan), _lookup(survey), seed=plan.settings.demo_seed or 2024
        )
        reading = check_table(frame_table(generated.frame, f"{survey.id}-demo.csv"), survey, plan_areas(plan))
        out.append(_process(plan, store, survey, DEMO_WAVE, reading, "", user, False, True, dated))
    return out
