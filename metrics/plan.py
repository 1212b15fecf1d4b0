"""The partnership plan, loaded once from config.yaml into frozen, validated objects.

Nothing about any one partnership lives in code: the plan file is chosen by the environment
variable ``CSP_CONFIG`` (default: ``config.yaml`` beside this package). A plan that cannot be
read stops with a :class:`PlanError` that names every offending key and how to fix it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from metrics.quarters import FinancialYear, PeriodError, Quarter
from metrics.spc import SpcRules

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.yaml"
CONFIG_ENV = "CSP_CONFIG"
DATABASE_ENV = "CSP_DB"

POLARITIES = ("higher", "lower")
FREQUENCIES = ("monthly", "quarterly", "annual")
AGGREGATIONS = ("sum", "mean")
UNITS = ("count", "percent", "rate", "score")
TARGET_RULES = ("same_period_last_year", "fixed", "none")
TOLERANCE_KINDS = ("percent", "points")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_WARD_CODE = re.compile(r"^[EWSN]\d{8}$")


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


@dataclass(frozen=True)
class Baseline:
    value: float | None
    period: str | None
    source: str
    change_pct: float | None = None


@dataclass(frozen=True)
class Target:
    """How an indicator's target for a period is set."""

    rule: str  # same_period_last_year | fixed | none
    value: float | None = None  # for fixed
    change_pct: float = 0.0  # for same_period_last_year: the change sought on last year
    source: str | None = None


@dataclass(frozen=True)
class Tolerance:
    """How far on the wrong side of target still counts as amber (and on the right side as
    plainly on target, beyond which the indicator is over-performing)."""

    value: float
    kind: str  # percent (of the target) | points (in the indicator's unit)

    def amount(self, target: float) -> float:
        return abs(target) * self.value / 100 if self.kind == "percent" else self.value


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
    unit: str
    polarity: str
    owner: str
    frequency: str
    aggregation: str
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

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"


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


@dataclass(frozen=True)
class ReturnSettings:
    """Limits and thresholds for subgroups' quarterly returns (``settings.returns``)."""

    max_file_mb: float = 5.0  # an upload larger than this is refused before it is read
    max_unzipped_mb: float = 50.0  # an .xlsx whose parts inflate beyond this is refused (zip bomb)
    max_compression_ratio: float = 100.0  # ... or whose parts inflate more than this many times
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


@dataclass(frozen=True)
class Plan:
    path: Path
    partnership: Partnership
    settings: Settings
    wards: tuple[Ward, ...]
    subgroups: tuple[Subgroup, ...]
    themes: tuple[Theme, ...]

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
    return _Builder(path).build(raw)


class _Builder:
    """Walks the raw YAML, collecting every problem with the key path that holds it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    # small readers ------------------------------------------------------------------------
    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def mapping(self, node: Any, key: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            self.problem(key, f"expected a mapping of keys, found {type(node).__name__}")
            return {}
        return node

    def items(self, node: dict[str, Any], name: str, key: str) -> list[Any]:
        value = node.get(name)
        if value is None:
            self.problem(f"{key}.{name}" if key else name, "missing; add a list here")
            return []
        if not isinstance(value, list):
            self.problem(f"{key}.{name}" if key else name, "must be a list")
            return []
        return value

    def text(self, node: dict[str, Any], name: str, key: str, required: bool = True) -> str:
        value = node.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{key}.{name}", "missing; it must be given as text")
            return ""
        return str(value).strip()

    def number(self, node: dict[str, Any], name: str, key: str, required: bool = False) -> float | None:
        value = node.get(name)
        if value is None:
            if required:
                self.problem(f"{key}.{name}", "missing; it must be a number")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(f"{key}.{name}", f"{value!r} is not a number")
            return None
        return float(value)

    def choice(self, node: dict[str, Any], name: str, key: str, allowed: tuple[str, ...]) -> str:
        value = node.get(name)
        if value not in allowed:
            shown = "missing" if value is None else f"{value!r} is not allowed"
            self.problem(f"{key}.{name}", f"{shown}; use one of: {', '.join(allowed)}")
            return allowed[0]
        return str(value)

    def ident(self, node: dict[str, Any], key: str, seen: dict[str, str], what: str) -> str:
        value = node.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(
                f"{key}.id",
                f"{value!r} is not a usable id; use lower-case letters, digits and underscores",
            )
            return str(value)
        if value in seen:
            self.problem(
                f"{key}.id", f"duplicate {what} id {value!r} (first used at {seen[value]}); ids must be unique"
            )
        else:
            seen[value] = key
        return value

    def quarter(self, node: dict[str, Any], name: str, key: str) -> Quarter:
        value = node.get(name)
        try:
            return Quarter.parse(str(value))
        except PeriodError as exc:
            self.problem(f"{key}.{name}", str(exc))
            return Quarter(2000, 1)

    # the plan -----------------------------------------------------------------------------
    def build(self, raw: Any) -> Plan:
        root = self.mapping(raw, "(top level)")
        partnership = self.partnership(self.mapping(root.get("partnership"), "partnership"))
        settings = self.settings(self.mapping(root.get("settings"), "settings"))
        wards = self.wards(root)
        ward_codes = {w.code for w in wards}
        subgroups, subgroup_keys = self.subgroups(root)
        themes = self.themes(root, {s.id for s in subgroups}, ward_codes)
        self.cross_check(subgroups, subgroup_keys, themes)
        if self.problems:
            raise PlanError(self.path, self.problems)
        return Plan(self.path, partnership, settings, wards, subgroups, themes)

    def partnership(self, node: dict[str, Any]) -> Partnership:
        key = "partnership"
        area = self.mapping(node.get("area", {}), f"{key}.area")
        population = self.number(area, "population", f"{key}.area")
        return Partnership(
            id=self.text(node, "id", key),
            name=self.text(node, "name", key),
            short_name=self.text(node, "short_name", key),
            plan_title=self.text(node, "plan_title", key),
            plan_start=self.quarter(node, "plan_start", key),
            plan_end=self.quarter(node, "plan_end", key),
            area_name=self.text(area, "name", f"{key}.area"),
            population=int(population) if population is not None else None,
            population_source=self.text(area, "population_source", f"{key}.area", required=population is not None)
            or None,
        )

    def settings(self, node: dict[str, Any]) -> Settings:
        key = "settings"
        base = self.path.parent
        db_env = os.environ.get(DATABASE_ENV)
        database = Path(db_env) if db_env else base / self.text(node, "database", key)
        sa_file = node.get("strategic_assessment_file")
        demo = self.mapping(node.get("demo", {}), f"{key}.demo")
        seed = demo.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool):
            self.problem(f"{key}.demo.seed", f"{seed!r} is not a whole number")
            seed = 0
        band = self.number(node, "steady_band_pct", key)
        boundaries = node.get("ward_boundaries")
        return Settings(
            database=database.resolve(),
            strategic_assessment_file=(base / str(sa_file)).resolve() if sa_file else None,
            steady_band_pct=1.0 if band is None else band,
            demo_seed=seed,
            demo_first_quarter=self.quarter(demo, "first_quarter", f"{key}.demo"),
            demo_last_quarter=self.quarter(demo, "last_quarter", f"{key}.demo"),
            **self.spc(self.mapping(node.get("spc", {}), f"{key}.spc"), f"{key}.spc"),
            returns=self.return_settings(self.mapping(node.get("returns", {}), f"{key}.returns")),
            ward_boundaries=(base / str(boundaries)).resolve() if boundaries else None,
        )

    def spc(self, node: dict[str, Any], key: str) -> dict[str, Any]:
        """The ``settings.spc`` block: Making Data Count rules (see metrics/spc.py)."""
        defaults = SpcRules()
        known = {
            "min_points",
            "provisional_below",
            "beyond_limits",
            "trend_length",
            "two_in_three",
            "run_length",
            "screen_moving_ranges",
            "rebase_at",
        }
        for name in sorted(set(node) - known):
            self.problem(f"{key}.{name}", f"unknown setting; expected one of {', '.join(sorted(known))}")
        whole: dict[str, int] = {}
        for name, least in (("min_points", 2), ("provisional_below", 2), ("trend_length", 0), ("run_length", 0)):
            value = node.get(name, getattr(defaults, name))
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                self.problem(f"{key}.{name}", f"{value!r} must be a whole number of at least {least}")
                value = getattr(defaults, name)
            whole[name] = value
        if whole["trend_length"] == 1:
            self.problem(f"{key}.trend_length", "1 is not a trend: give at least 2, or 0 to switch the rule off")
        flags: dict[str, bool] = {}
        for name in ("beyond_limits", "two_in_three", "screen_moving_ranges"):
            value = node.get(name, getattr(defaults, name))
            if not isinstance(value, bool):
                self.problem(f"{key}.{name}", f"{value!r} must be true or false")
                value = getattr(defaults, name)
            flags[name] = value
        rebase = node.get("rebase_at", [])
        if not isinstance(rebase, list):
            self.problem(f"{key}.rebase_at", "must be a list of quarters, e.g. [2025/26 Q1]")
            rebase = []
        quarters = []
        for i, raw in enumerate(rebase):
            try:
                quarters.append(Quarter.parse(str(raw)))
            except PeriodError as exc:
                self.problem(f"{key}.rebase_at[{i}]", str(exc))
        return {"spc": SpcRules(**whole, **flags), "spc_rebase": tuple(quarters)}

    def return_settings(self, node: dict[str, Any]) -> ReturnSettings:
        key = "settings.returns"
        defaults = ReturnSettings()
        numbers = {}
        for name in ("max_file_mb", "max_unzipped_mb", "max_compression_ratio", "change_warning_pct"):
            value = self.number(node, name, key)
            if value is not None and value <= 0:
                self.problem(f"{key}.{name}", f"{value} must be greater than 0")
            numbers[name] = getattr(defaults, name) if value is None else value
        days = node.get("deadline_working_days", defaults.deadline_working_days)
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            self.problem(f"{key}.deadline_working_days", f"{days!r} is not a whole number of days (0 or more)")
            days = defaults.deadline_working_days
        holidays = []
        for i, raw in enumerate(node.get("bank_holidays") or []):
            if isinstance(raw, date):
                holidays.append(raw)
            else:
                self.problem(f"{key}.bank_holidays[{i}]", f"{raw!r} is not a date; write it as 2025-12-25")
        return ReturnSettings(**numbers, deadline_working_days=days, bank_holidays=tuple(sorted(holidays)))

    def wards(self, root: dict[str, Any]) -> tuple[Ward, ...]:
        out: list[Ward] = []
        seen: dict[str, str] = {}
        for i, raw in enumerate(self.items(root, "wards", "")):
            key = f"wards[{i}]"
            node = self.mapping(raw, key)
            code = self.text(node, "code", key)
            if code and not _WARD_CODE.match(code):
                self.problem(f"{key}.code", f"{code!r} is not an ONS ward code (like E05001218)")
            if code in seen:
                self.problem(f"{key}.code", f"duplicate ward code {code!r} (first at {seen[code]})")
            seen[code] = key
            population = self.number(node, "population", key)
            source = node.get("population_source")
            if population is not None and not source:
                self.problem(f"{key}.population_source", "a population needs its source (for example 'Census 2021')")
            estimated = bool(node.get("population_estimated", False))
            out.append(
                Ward(
                    code,
                    self.text(node, "name", key),
                    int(population) if population is not None else None,
                    source,
                    estimated,
                )
            )
        return tuple(out)

    def subgroups(self, root: dict[str, Any]) -> tuple[tuple[Subgroup, ...], dict[str, str]]:
        out: list[Subgroup] = []
        seen: dict[str, str] = {}
        for i, raw in enumerate(self.items(root, "subgroups", "")):
            key = f"subgroups[{i}]"
            node = self.mapping(raw, key)
            sid = self.ident(node, key, seen, "subgroup")
            objective_ids = tuple(str(o) for o in (node.get("objectives") or []))
            strategies = []
            for j, sraw in enumerate(node.get("strategies") or []):
                skey = f"{key}.strategies[{j}]"
                snode = self.mapping(sraw, skey)
                strategies.append(
                    Action(str(snode.get("id")), self.text(snode, "text", skey), sid, objective_ids, "strategy")
                )
            out.append(
                Subgroup(
                    sid,
                    self.text(node, "name", key),
                    self.text(node, "short_name", key) or sid,
                    objective_ids,
                    tuple(strategies),
                )
            )
        return tuple(out), seen

    def themes(self, root: dict[str, Any], owners: set[str], ward_codes: set[str]) -> tuple[Theme, ...]:
        themes: list[Theme] = []
        seen_themes: dict[str, str] = {}
        seen_objectives: dict[str, str] = {}
        seen_measures: dict[str, str] = {}
        seen_indicators: dict[str, str] = {}
        for i, raw in enumerate(self.items(root, "themes", "")):
            key = f"themes[{i}]"
            node = self.mapping(raw, key)
            tid = self.ident(node, key, seen_themes, "theme")
            objectives = []
            for j, oraw in enumerate(self.items(node, "objectives", key)):
                okey = f"{key}.objectives[{j}]"
                onode = self.mapping(oraw, okey)
                oid = self.ident(onode, okey, seen_objectives, "objective")
                plans = []
                for k, praw in enumerate(onode.get("how_we_plan") or []):
                    pkey = f"{okey}.how_we_plan[{k}]"
                    pnode = self.mapping(praw, pkey)
                    owner = self.text(pnode, "owner", pkey)
                    if owner and owner not in owners:
                        self.problem(
                            f"{pkey}.owner",
                            f"unknown owner {owner!r}; use the id of a subgroup: {', '.join(sorted(owners))}",
                        )
                    plans.append(Action(str(pnode.get("id")), self.text(pnode, "text", pkey), owner, (oid,), "plan"))
                objectives.append(Objective(oid, self.text(onode, "text", okey), tid, tuple(plans)))
            measures = []
            for j, mraw in enumerate(self.items(node, "measures", key)):
                mkey = f"{key}.measures[{j}]"
                mnode = self.mapping(mraw, mkey)
                mid = self.ident(mnode, mkey, seen_measures, "measure")
                indicators = [
                    self.indicator(
                        self.mapping(iraw, f"{mkey}.indicators[{k}]"),
                        f"{mkey}.indicators[{k}]",
                        mid,
                        tid,
                        owners,
                        ward_codes,
                        seen_indicators,
                    )
                    for k, iraw in enumerate(self.items(mnode, "indicators", mkey))
                ]
                if not indicators:
                    self.problem(f"{mkey}.indicators", "every success measure needs at least one indicator")
                measures.append(Measure(mid, self.text(mnode, "text", mkey), tid, tuple(indicators)))
                own_objectives = {o.id for o in objectives}
                for k, ind in enumerate(indicators):
                    if ind.objective_id and ind.objective_id not in own_objectives:
                        self.problem(
                            f"{mkey}.indicators[{k}].objective",
                            f"unknown objective {ind.objective_id!r}; use one of this theme's "
                            f"objectives: {', '.join(sorted(own_objectives))}",
                        )
            themes.append(
                Theme(
                    tid,
                    self.text(node, "name", key),
                    self.text(node, "short_name", key, required=False) or self.text(node, "name", key, required=False),
                    str(node.get("icon") or ":material/flag:"),
                    tuple(objectives),
                    tuple(measures),
                )
            )
        return tuple(themes)

    def indicator(self, *args: Any) -> Indicator:
        """An indicator, with its id added to each problem found in it, so a long plan file
        is easy to search."""
        before = len(self.problems)
        ind = self._indicator(*args)
        self.problems[before:] = [f"{p} (indicator {ind.id!r})" for p in self.problems[before:]]
        return ind

    def _indicator(
        self,
        node: dict[str, Any],
        key: str,
        measure_id: str,
        theme_id: str,
        owners: set[str],
        ward_codes: set[str],
        seen: dict[str, str],
    ) -> Indicator:
        iid = self.ident(node, key, seen, "indicator")
        owner = self.text(node, "owner", key)
        if owner and owner not in owners:
            self.problem(
                f"{key}.owner", f"unknown owner {owner!r}; use the id of a subgroup: {', '.join(sorted(owners))}"
            )
        ward = node.get("ward")
        if ward is not None and ward not in ward_codes:
            self.problem(f"{key}.ward", f"unknown ward {ward!r}; use one of the codes listed under wards")
        bnode = self.mapping(node.get("baseline"), f"{key}.baseline")
        baseline = Baseline(
            value=self.number(bnode, "value", f"{key}.baseline"),
            period=str(bnode["period"]) if bnode.get("period") is not None else None,
            source=self.text(bnode, "source", f"{key}.baseline"),
            change_pct=self.number(bnode, "change_pct", f"{key}.baseline"),
        )
        if "value" not in bnode and bnode:
            self.problem(
                f"{key}.baseline.value", "missing; give the baseline figure, or null where the source quotes none"
            )
        if baseline.value is not None and baseline.period:
            try:
                FinancialYear.parse(baseline.period)
            except PeriodError as exc:
                self.problem(f"{key}.baseline.period", str(exc))
        tnode = self.mapping(node.get("target"), f"{key}.target")
        rule = self.choice(tnode, "rule", f"{key}.target", TARGET_RULES)
        target_value = self.number(tnode, "value", f"{key}.target", required=rule == "fixed")
        change = self.number(tnode, "change_pct", f"{key}.target")
        target = Target(rule, target_value, change or 0.0, tnode.get("source"))
        tol = self.mapping(node.get("tolerance"), f"{key}.tolerance")
        tol_value = self.number(tol, "value", f"{key}.tolerance", required=True)
        if tol_value is not None and tol_value < 0:
            self.problem(f"{key}.tolerance.value", "must not be negative")
        tolerance = Tolerance(tol_value or 0.0, self.choice(tol, "kind", f"{key}.tolerance", TOLERANCE_KINDS))
        ward_detail = node.get("ward_detail", False)
        if not isinstance(ward_detail, bool):
            self.problem(f"{key}.ward_detail", f"{ward_detail!r} must be true or false")
            ward_detail = False
        return Indicator(
            id=iid,
            name=self.text(node, "name", key),
            unit=self.choice(node, "unit", key, UNITS),
            polarity=self.choice(node, "polarity", key, POLARITIES),
            owner=owner,
            frequency=self.choice(node, "frequency", key, FREQUENCIES),
            aggregation=self.choice(node, "aggregation", key, AGGREGATIONS),
            source=self.text(node, "source", key),
            ward_detail=ward_detail,
            baseline=baseline,
            target=target,
            tolerance=tolerance,
            measure_id=measure_id,
            theme_id=theme_id,
            objective_id=self.text(node, "objective", key),
            ward=ward,
            assessment_measure=node.get("assessment_measure"),
            demo=self.demo(node.get("demo"), f"{key}.demo"),
        )

    def demo(self, raw: Any, key: str) -> DemoSpec:
        if raw is None:
            return DemoSpec()
        node = self.mapping(raw, key)
        shock = self.mapping(node.get("shock", {}), f"{key}.shock")
        return DemoSpec(
            level=self.number(node, "level", key),
            trend_pct_per_year=self.number(node, "trend_pct_per_year", key) or 0.0,
            shock_quarter=self.quarter(shock, "quarter", f"{key}.shock") if shock else None,
            shock_pct=self.number(shock, "pct", f"{key}.shock") or 0.0,
            maximum=self.number(node, "max", key),
        )

    def cross_check(
        self, subgroups: tuple[Subgroup, ...], subgroup_keys: dict[str, str], themes: tuple[Theme, ...]
    ) -> None:
        objective_ids = {o.id for t in themes for o in t.objectives}
        action_seen: dict[str, str] = {}
        for s in subgroups:
            for oid in s.objective_ids:
                if oid not in objective_ids:
                    self.problem(
                        f"{subgroup_keys.get(s.id, s.id)}.objectives",
                        f"unknown objective {oid!r}; use an objective id declared under themes",
                    )
        actions = [a for s in subgroups for a in s.strategies] + [
            a for t in themes for o in t.objectives for a in o.how_we_plan
        ]
        for a in actions:
            if not _ID.match(a.id):
                self.problem(f"action {a.text[:40]!r}", f"{a.id!r} is not a usable id")
            elif a.id in action_seen:
                self.problem(
                    f"action {a.id}", "duplicate action id; ids must be unique across strategies and how_we_plan items"
                )
            action_seen[a.id] = a.id


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
