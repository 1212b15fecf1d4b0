"""The partnership plan, loaded once from config.yaml into frozen, validated objects.

Nothing about any one partnership lives in code: the plan file is chosen by the environment
variable ``CSP_CONFIG`` (default: ``config.yaml`` beside this package). A plan that cannot be
read stops with a :class:`PlanError` that names every offending key and how to fix it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from metrics.board.spc import SpcRules
from metrics.plan import _checks as plan_checks
from metrics.plan import schema
from metrics.plan._checks import DEFAULT_AREA_PLURAL, DEFAULT_AREA_SINGULAR
from metrics.plan.periods import Period
from metrics.quarters import FinancialYear, Quarter
from metrics.survey import declaration as survey_declaration

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # metrics/plan/model.py -> the project folder
DEFAULT_CONFIG = PROJECT_ROOT / "config.yaml"
CONFIG_ENV = "CSP_CONFIG"
DATABASE_ENV = "CSP_DB"


# The declared kinds stay typed past the plan boundary: the schema declares them as Literals (so
# plan.schema.json lists them for editors) and the frozen plan carries them as these StrEnums.
# A StrEnum is its string, so the store and the files people read hold the same words.
class Unit(StrEnum):
    """What an indicator's figures count."""

    COUNT = "count"
    PERCENT = "percent"
    RATE = "rate"
    SCORE = "score"


class Polarity(StrEnum):
    """Which way is better."""

    HIGHER = "higher"
    LOWER = "lower"


class Frequency(StrEnum):
    """How often an indicator has a figure."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class Aggregation(StrEnum):
    """How a quarter's monthly figures combine into the quarter's figure."""

    SUM = "sum"
    MEAN = "mean"


class TargetRule(StrEnum):
    """How an indicator's target is set."""

    SAME_PERIOD_LAST_YEAR = "same_period_last_year"
    FIXED = "fixed"
    NONE = "none"


class ToleranceKind(StrEnum):
    """Whether a tolerance is a share of the target or points on the indicator's own scale."""

    PERCENT = "percent"
    POINTS = "points"


DEFAULT_AREA_KIND = "area"  # what the whole area is called unless the plan says (city, county ...)


class PlanError(ValueError):
    """The plan file is missing, unreadable or inconsistent. The message lists every problem."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"The plan in {path} cannot be used ({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n{lines}"
        )


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    population: int | None
    population_source: str | None
    population_estimated: bool = False  # an estimate, not an official figure: say so wherever it is used
    tile: tuple[int, int] | None = None  # (column, row) in the map's tile layout, where the plan gives one


@dataclass(frozen=True)
class Baseline:
    value: float | None
    period: str | None
    source: str
    change_pct: float | None = None
    span: Period | None = None  # the typed period (period holds its label, as shown and stored)

    @property
    def financial_year(self) -> FinancialYear | None:
        """The financial year holding most of the baseline's period, for series kept by year."""
        return self.span.financial_year if self.span else None


@dataclass(frozen=True)
class PoliceLink:
    """An indicator that counts police.uk street-level records (``police_uk`` in the plan)."""

    crime_types: tuple[str, ...]  # police.uk crime types counted
    all_crime: bool = False  # every crime type but anti-social behaviour (recorded crime)


@dataclass(frozen=True)
class Target:
    """How an indicator's target for a period is set."""

    rule: TargetRule
    value: float | None = None  # for fixed
    change_pct: float = 0.0  # for same_period_last_year: the change sought on last year
    source: str | None = None


@dataclass(frozen=True)
class Tolerance:
    """How far on the wrong side of target still counts as amber (and on the right side as
    plainly on target, beyond which the indicator is over-performing)."""

    value: float
    kind: ToleranceKind  # a share of the target, or points in the indicator's unit

    def amount(self, target: float) -> float:
        return abs(target) * self.value / 100 if self.kind == ToleranceKind.PERCENT else self.value


@dataclass(frozen=True)
class DemoSpec:
    """Steers the demo data generator only; never shown as a fact."""

    level: float | None = None
    trend_pct_per_year: float = 0.0
    shock_quarter: Quarter | None = None
    shock_pct: float = 0.0
    maximum: float | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: Unit
    polarity: Polarity
    owner: str
    frequency: Frequency
    aggregation: Aggregation
    source: str
    ward_detail: bool
    baseline: Baseline
    target: Target
    tolerance: Tolerance
    measure_id: str
    theme_id: str
    objective_id: str
    ward: str | None = None
    assessment_measure: str | None = None  # the Strategic Assessment measure it continues
    demo: DemoSpec = field(default_factory=DemoSpec)
    police_uk: PoliceLink | None = None  # its link to police.uk data, where it has one
    maximum: float | None = None  # the largest plausible figure, where the plan declares one

    @property
    def is_percent(self) -> bool:
        return self.unit == Unit.PERCENT


@dataclass(frozen=True)
class Measure:
    id: str
    text: str
    theme_id: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Action:
    """Something a subgroup reports progress on: a strategy from the monitoring table, or an
    item of an objective's "How we plan to achieve this"."""

    id: str
    text: str
    owner: str
    objective_ids: tuple[str, ...]
    kind: str  # strategy | plan


@dataclass(frozen=True)
class Objective:
    id: str
    text: str
    theme_id: str
    how_we_plan: tuple[Action, ...]


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    short_name: str
    icon: str
    objectives: tuple[Objective, ...]
    measures: tuple[Measure, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for m in self.measures for i in m.indicators)


@dataclass(frozen=True)
class Subgroup:
    id: str
    name: str
    short_name: str
    objective_ids: tuple[str, ...]
    strategies: tuple[Action, ...]


@dataclass(frozen=True)
class Partnership:
    id: str
    name: str
    short_name: str
    plan_title: str
    plan_start: Quarter
    plan_end: Quarter
    area_name: str
    population: int | None
    population_source: str | None
    area_kind: str = DEFAULT_AREA_KIND  # what the whole area is called: city, county, borough ...
    area_singular: str = DEFAULT_AREA_SINGULAR  # what one of its local areas is called: ward, district ...
    area_plural: str = DEFAULT_AREA_PLURAL


@dataclass(frozen=True)
class ReturnSettings:
    """Limits and thresholds for subgroups' quarterly returns (``settings.returns``)."""

    max_file_mb: float = 5.0  # an upload larger than this is refused before it is read
    max_unzipped_mb: float = 50.0  # an .xlsx whose parts inflate beyond this is refused (zip bomb)
    max_compression_ratio: float = 100.0  # ... or whose parts inflate more than this many times
    max_rows: int = 2000  # a sheet with a filled-in cell below this row is refused (a return has dozens)
    max_columns: int = 40  # ... or to the right of this column (the template has 15 at most)
    max_cell_chars: int = 5000  # a cell longer than this is refused, naming its row
    max_cells: int = 40000  # a file with more filled-in cells than this is refused as it is read
    messages_per_kind: int = 10  # located messages shown per kind of problem; the rest are counted
    change_warning_pct: float = 50.0  # a value changed by more than this share on last period warns
    deadline_working_days: int = 20  # a return is due this many working days after quarter end
    bank_holidays: tuple[date, ...] = ()  # days that are not working days


@dataclass(frozen=True)
class Settings:
    database: Path
    strategic_assessment_file: Path | None
    steady_band_pct: float
    demo_seed: int
    demo_first_quarter: Quarter
    demo_last_quarter: Quarter
    spc: SpcRules = SpcRules()  # rebase_at left empty: see spc_rebase
    spc_rebase: tuple[Quarter, ...] = ()  # quarters from which SPC limits are recalculated
    returns: ReturnSettings = field(default_factory=ReturnSettings)
    ward_boundaries: Path | None = None  # a ward boundary GeoJSON for the explorer's map
    complete_quarter_share: float = 0.8  # share of indicators with a figure that makes a quarter complete
    survey_min_base: int = 50  # survey responses below which no figure is shown (docs/survey.md)
    survey_weight_cap: float = 5.0  # the largest survey weight, as a multiple of the mean weight
    peer_group: str | None = None  # a declared comparator group's name (None: the force's other partnerships)
    peer_codes: tuple[str, ...] = ()  # the declared group's partnership codes


@dataclass(frozen=True)
class CodeSpec:
    """A code of the consultation coding frame, as the plan declares it."""

    id: str
    theme_id: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class ConsultationSpec:
    """A consultation as the plan declares it: published facts, shown with their source."""

    id: str
    title: str
    start: date
    end: date
    purpose: str
    responses_reported: int | None
    emerging_themes: tuple[str, ...]
    source: str
    demo: bool  # the demo invents detail around these facts


@dataclass(frozen=True)
class Plan:
    path: Path
    partnership: Partnership
    settings: Settings
    wards: tuple[Ward, ...]
    subgroups: tuple[Subgroup, ...]
    themes: tuple[Theme, ...]
    surveys: tuple[survey_declaration.Survey, ...] = ()
    coding_frame: tuple[CodeSpec, ...] = ()
    consultations: tuple[ConsultationSpec, ...] = ()

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for t in self.themes for i in t.indicators)

    @property
    def objectives(self) -> tuple[Objective, ...]:
        return tuple(o for t in self.themes for o in t.objectives)

    @property
    def actions(self) -> tuple[Action, ...]:
        strategies = tuple(a for s in self.subgroups for a in s.strategies)
        plans = tuple(a for o in self.objectives for a in o.how_we_plan)
        return strategies + plans

    @property
    def police_indicators(self) -> tuple[Indicator, ...]:
        """The indicators the plan links to police.uk data."""
        return tuple(i for i in self.indicators if i.police_uk is not None)

    def indicator(self, indicator_id: str) -> Indicator:
        return _by_id(self.indicators, indicator_id, "indicator")

    def theme(self, theme_id: str) -> Theme:
        return _by_id(self.themes, theme_id, "theme")

    def subgroup(self, subgroup_id: str) -> Subgroup:
        return _by_id(self.subgroups, subgroup_id, "subgroup")

    def ward_names(self) -> dict[str, str]:
        return {w.code: w.name for w in self.wards}

    def indicators_for_objective(self, objective_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.objective_id == objective_id)

    def measure(self, measure_id: str) -> Measure:
        return _by_id(tuple(m for t in self.themes for m in t.measures), measure_id, "measure")

    def actions_for_objective(self, objective_id: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if objective_id in a.objective_ids)

    def survey(self, survey_id: str) -> survey_declaration.Survey:
        return _by_id(self.surveys, survey_id, "survey")

    def survey_measure(self, indicator_id: str) -> tuple[survey_declaration.Survey, survey_declaration.Measure] | None:
        """The survey and measure that supply an indicator's values, or None."""
        for survey in self.surveys:
            for measure in survey.measures:
                if measure.indicator == indicator_id:
                    return survey, measure
        return None


def _by_id(items: tuple[Any, ...], wanted: str, what: str) -> Any:
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(f"No {what} with id {wanted!r} in the plan.")


# --- loading --------------------------------------------------------------------------------


def config_path() -> Path:
    """The plan file in force: CSP_CONFIG if set, else config.yaml in the project root."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve()


def load_plan(path: str | Path | None = None) -> Plan:
    """Load and validate the plan; the same file (unchanged on disk) is parsed only once."""
    resolved = Path(path).resolve() if path else config_path()
    try:
        mtime = resolved.stat().st_mtime_ns
    except OSError as exc:
        raise PlanError(
            resolved,
            [f"the file cannot be read ({exc.strerror}); check the path, or set {CONFIG_ENV}"],
        ) from exc
    return _load_cached(resolved, mtime, os.environ.get(DATABASE_ENV, ""))


@lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime: int, _db_env: str) -> Plan:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanError(path, [f"not valid YAML: {exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise PlanError(path, [f"not UTF-8 text ({exc.reason}); save it as UTF-8"]) from exc
    except OSError as exc:  # a folder, or a file we may not read
        raise PlanError(
            path, [f"the file cannot be read ({exc.strerror}); check the path, or set {CONFIG_ENV}"]
        ) from exc
    return build_plan(path, raw)


def build_plan(path: Path, raw: Any) -> Plan:
    """Validate the parsed YAML against the declared schema (metrics/plan/schema.py) and the
    checks that need the whole file, then build the plan. Every problem is reported at once."""
    if not isinstance(raw, dict):
        raise PlanError(path, [f"(top level): expected a mapping of keys, found {type(raw).__name__}"])
    # Keys starting "x-" are the author's own (YAML anchors, notes); the schema allows them.
    body = {k: v for k, v in raw.items() if not str(k).startswith(schema.EXTENSION_PREFIX)}
    words = plan_checks.area_words(body)
    problems: list[str] = []
    model: schema.PlanFile | None = None
    try:
        model = schema.PlanFile.model_validate(body, context={"area_word": words[0]})
    except ValidationError as exc:
        problems += [schema.describe(dict(e)) for e in exc.errors(include_url=False)]
    problems += plan_checks.cross_check(body, words) + plan_checks.consultation_check(body)
    problems += plan_checks.peer_check(body)
    problems = plan_checks.with_indicator_ids(list(dict.fromkeys(problems)), body)
    if problems or model is None:
        raise PlanError(path, problems)
    return _plan_from(path, model)


def _plan_from(path: Path, m: schema.PlanFile) -> Plan:
    """The frozen plan from a validated file."""
    words = m.partnership.area.local_areas
    partnership = Partnership(
        id=m.partnership.id,
        name=m.partnership.name,
        short_name=m.partnership.short_name,
        plan_title=m.partnership.plan_title,
        plan_start=m.partnership.plan_start,
        plan_end=m.partnership.plan_end,
        area_name=m.partnership.area.name,
        population=m.partnership.area.population,
        population_source=m.partnership.area.population_source,
        area_kind=m.partnership.area.kind,
        area_singular=words.singular,
        area_plural=words.plural,
    )
    s = m.settings
    base = path.parent
    db_env = os.environ.get(DATABASE_ENV)
    r = s.returns
    settings = Settings(
        database=(Path(db_env) if db_env else base / s.database).resolve(),
        strategic_assessment_file=(base / s.strategic_assessment_file).resolve()
        if s.strategic_assessment_file
        else None,
        steady_band_pct=s.steady_band_pct,
        complete_quarter_share=s.complete_quarter_share,
        demo_seed=s.demo.seed,
        demo_first_quarter=s.demo.first_quarter,
        demo_last_quarter=s.demo.last_quarter,
        spc=SpcRules(
            min_points=s.spc.min_points,
            provisional_below=s.spc.provisional_below,
            beyond_limits=s.spc.beyond_limits,
            trend_length=s.spc.trend_length,
            two_in_three=s.spc.two_in_three,
            run_length=s.spc.run_length,
            screen_moving_ranges=s.spc.screen_moving_ranges,
        ),
        spc_rebase=tuple(s.spc.rebase_at),
        returns=ReturnSettings(
            max_file_mb=r.max_file_mb,
            max_unzipped_mb=r.max_unzipped_mb,
            max_compression_ratio=r.max_compression_ratio,
            max_rows=r.max_rows,
            max_columns=r.max_columns,
            max_cell_chars=r.max_cell_chars,
            max_cells=r.max_cells,
            messages_per_kind=r.messages_per_kind,
            change_warning_pct=r.change_warning_pct,
            deadline_working_days=r.deadline_working_days,
            bank_holidays=tuple(sorted(r.bank_holidays)),
        ),
        ward_boundaries=(base / s.ward_boundaries).resolve() if s.ward_boundaries else None,
        survey_min_base=s.survey.min_base,
        survey_weight_cap=s.survey.weight_cap,
        peer_group=s.peers.name if s.peers else None,
        peer_codes=tuple(dict.fromkeys(s.peers.partnerships)) if s.peers else (),
    )
    wards = tuple(
        Ward(
            w.code,
            w.name,
            w.population,
            w.population_source,
            w.population_estimated,
            (w.tile.col, w.tile.row) if w.tile else None,
        )
        for w in m.wards
    )
    subgroups = tuple(
        Subgroup(
            g.id,
            g.name,
            g.short_name or g.id,
            tuple(g.objectives),
            tuple(Action(a.id, a.text, g.id, tuple(g.objectives), "strategy") for a in g.strategies),
        )
        for g in m.subgroups
    )
    themes = tuple(
        Theme(
            t.id,
            t.name,
            t.short_name or t.name,
            t.icon,
            tuple(
                Objective(
                    o.id, o.text, t.id, tuple(Action(p.id, p.text, p.owner, (o.id,), "plan") for p in o.how_we_plan)
                )
                for o in t.objectives
            ),
            tuple(
                Measure(me.id, me.text, t.id, tuple(_indicator(i, me.id, t.id) for i in me.indicators))
                for me in t.measures
            ),
        )
        for t in m.themes
    )
    c = m.consultation
    frame = tuple(CodeSpec(x.id, x.theme, x.label, tuple(x.phrases)) for x in c.coding_frame)
    consultations = tuple(
        ConsultationSpec(
            x.id, x.title, x.start, x.end, x.purpose, x.responses_reported, tuple(x.emerging_themes),
            x.source or "", x.demo,
        )
        for x in c.consultations
    )  # fmt: skip
    surveys = tuple(_survey(entry, base) for entry in m.surveys)
    return Plan(
        path, partnership, settings, wards, subgroups, themes, surveys,
        coding_frame=frame, consultations=consultations,
    )  # fmt: skip


def _survey(entry: schema.SurveyEntry, base: Path) -> survey_declaration.Survey:
    """The survey declaration (metrics/survey) from a validated entry; a lookup file's path is
    made absolute against the plan's folder."""
    data = entry.model_dump()
    area = data.get("area")
    if area and area.get("lookup"):
        area["lookup"] = str((base / area["lookup"]).resolve())
    return survey_declaration.survey_from_dict(data)


def _indicator(i: schema.IndicatorEntry, measure_id: str, theme_id: str) -> Indicator:
    b, t, d = i.baseline, i.target, i.demo or schema.DemoSteer()
    link = None
    if i.police_uk is not None:
        every = i.police_uk.crime_types == (schema.ALL_CRIME,)
        types = (
            tuple(c for c in schema.POLICE_UK_CRIME_TYPES if c != schema.POLICE_UK_ASB)
            if every
            else i.police_uk.crime_types
        )
        link = PoliceLink(crime_types=types, all_crime=every)
    return Indicator(
        id=i.id,
        name=i.name,
        unit=Unit(i.unit),
        polarity=Polarity(i.polarity),
        owner=i.owner,
        frequency=Frequency(i.frequency),
        aggregation=Aggregation(i.aggregation),
        source=i.source,
        ward_detail=i.ward_detail,
        baseline=Baseline(
            value=b.value,
            period=b.period.label if b.period else None,
            source=b.source,
            change_pct=b.change_pct,
            span=b.period,
        ),
        target=Target(TargetRule(t.rule), t.value, t.change_pct or 0.0, t.source),
        tolerance=Tolerance(i.tolerance.value, ToleranceKind(i.tolerance.kind)),
        measure_id=measure_id,
        theme_id=theme_id,
        objective_id=i.objective,
        ward=i.ward,
        assessment_measure=i.assessment_measure,
        maximum=i.maximum,
        demo=DemoSpec(
            level=d.level,
            trend_pct_per_year=d.trend_pct_per_year,
            shock_quarter=d.shock.quarter if d.shock else None,
            shock_pct=d.shock.pct if d.shock else 0.0,
            maximum=d.max,
        ),
        police_uk=link,
    )


def summary_lines(plan: Plan) -> list[str]:
    """A few lines saying what the plan holds, in its own words (for check-config and messages)."""
    p = plan.partnership
    police = len(plan.police_indicators)
    measures = sum(len(t.measures) for t in plan.themes)
    people = f", population {p.population:,}" if p.population is not None else ""
    return [
        f"{p.name} ({p.short_name}): {p.plan_title}, {p.plan_start.label} to {p.plan_end.label}",
        f"{_count(len(plan.themes), 'theme')}, {_count(len(plan.objectives), 'priority', 'priorities')}, "
        f"{_count(measures, 'success measure')}, {_count(len(plan.indicators), 'indicator')} "
        f"({police} linked to police.uk data)",
        f"{_count(len(plan.subgroups), 'subgroup')}; "
        f"{_count(len(plan.wards), p.area_singular, p.area_plural)} in the {p.area_kind} of {p.area_name}{people}",
    ] + [
        f"survey {s.id}: {_count(len(s.measures), 'measure')} "
        f"({sum(m.indicator is not None for m in s.measures)} supplying indicators), "
        f"weighted by {', '.join(_survey_margins(s)) or 'nothing (unweighted)'}"
        for s in plan.surveys
    ]


def _survey_margins(survey: survey_declaration.Survey) -> list[str]:
    margins = ["area"] if survey.area is not None and survey.area.weight else []
    return margins + [d.id for d in survey.demographics if d.weighted]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def iter_indicator_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    """The plan's indicators as flat rows, for the store and for exports."""
    for ind in plan.indicators:
        yield {
            "indicator_id": ind.id,
            "theme_id": ind.theme_id,
            "measure_id": ind.measure_id,
            "objective_id": ind.objective_id,
            "name": ind.name,
            "unit": ind.unit,
            "polarity": ind.polarity,
            "owner": ind.owner,
            "frequency": ind.frequency,
            "aggregation": ind.aggregation,
            "source": ind.source,
            "ward_detail": ind.ward_detail,
            "ward_code": ind.ward,
            "baseline_value": ind.baseline.value,
            "baseline_period": ind.baseline.period,
            "baseline_source": ind.baseline.source,
            "target_rule": ind.target.rule,
            "target_value": ind.target.value,
            "target_change_pct": ind.target.change_pct,
            "tolerance_value": ind.tolerance.value,
            "tolerance_kind": ind.tolerance.kind,
        }
