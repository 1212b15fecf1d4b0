"""The plan file's declared schema: every kind of problem named by its key path (unknown keys
with a "did you mean"), all reported at once; typed periods; the partnership's own words,
tile layout and police.uk links; the published JSON Schema; and `check-config` as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from metrics.plan.model import PlanError, load_plan
from metrics.plan.periods import Period
from metrics.plan.schema import POLICE_UK_ASB, json_schema_text
from metrics.quarters import FinancialYear, PeriodError
from tests.conftest import ROOT

SCHEMA_FILE = ROOT / "plan.schema.json"
IND = "themes[0].measures[0].indicators[0]"  # the first indicator's key path
SUBPROCESS_TIMEOUT_S = 120


def _raw() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict[str, Any], name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _ind(raw: dict[str, Any], theme: int = 0, measure: int = 0, index: int = 0) -> dict[str, Any]:
    return raw["themes"][theme]["measures"][measure]["indicators"][index]


def _rename(node: dict[str, Any], old: str, new: str) -> None:
    node[new] = node.pop(old)


def _problems(tmp_path: Path, change) -> str:
    raw = _raw()
    change(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert str(path) in str(err.value)
    return str(err.value)


# Each kind of problem, the change that causes it, and what the message must say.
PROBLEMS = [
    (
        "misspelt indicator key",
        lambda r: _rename(_ind(r), "ward_detail", "ward_detial"),
        [f"{IND}.ward_detial: unknown key; did you mean 'ward_detail'?", "(indicator 'serious_violence_offences')"],
    ),
    (
        "misspelt required key: the typo and the missing key both named",
        lambda r: _rename(_ind(r), "polarity", "polarty"),
        [
            f"{IND}.polarty: unknown key; did you mean 'polarity'?",
            f"{IND}.polarity: missing; use one of: higher, lower",
        ],
    ),
    (
        "misspelt setting",
        lambda r: _rename(r["settings"]["returns"], "deadline_working_days", "deadline_workingdays"),
        ["settings.returns.deadline_workingdays: unknown setting; did you mean 'deadline_working_days'?"],
    ),
    (
        "unknown top-level key",
        lambda r: r.update(wardz=[]),
        ["wardz: unknown key; did you mean 'wards'?", "a key of your own starting 'x-'"],
    ),
    (
        "unknown key with nothing close",
        lambda r: r["partnership"]["area"].update(mayor="someone"),
        ["partnership.area.mayor: unknown key; expected one of kind, local_areas, name, population"],
    ),
    (
        "text for true/false",
        lambda r: _ind(r).update(ward_detail="yes"),
        [f"{IND}.ward_detail: 'yes' must be true or false"],
    ),
    (
        "text for a number",
        lambda r: _ind(r)["tolerance"].update(value="5"),
        [f"{IND}.tolerance.value: '5' is not a number"],
    ),
    (
        "negative tolerance",
        lambda r: _ind(r)["tolerance"].update(value=-1),
        [f"{IND}.tolerance.value: must not be negative"],
    ),
    (
        "section not a mapping",
        lambda r: r.update(settings=[1, 2]),
        ["settings: expected a mapping of keys, found list"],
    ),
    ("list not a list", lambda r: r.update(subgroups={"a": 1}), ["subgroups: must be a list, found dict"]),
    (
        "bad id",
        lambda r: r["themes"][1].update(id="Public Places"),
        ["themes[1].id: 'Public Places' is not a usable id; use lower-case letters, digits and underscores"],
    ),
    (
        "duplicate ward code",
        lambda r: r["wards"][1].update(code=r["wards"][0]["code"]),
        ["wards[1].code: duplicate ward code 'E05001218' (first at wards[0])"],
    ),
    (
        "duplicate action id",
        lambda r: r["subgroups"][1]["strategies"][0].update(id=r["subgroups"][0]["strategies"][0]["id"]),
        [
            "subgroups[1].strategies[0].id: duplicate action id 'csvpp_education' "
            "(first used at subgroups[0].strategies[0])"
        ],
    ),
    (
        "objective of another theme",
        lambda r: _ind(r).update(objective="asb"),
        [f"{IND}.objective: unknown objective 'asb'; use one of this theme's objectives"],
    ),
    (
        "unknown owner of a plan item",
        lambda r: r["themes"][0]["objectives"][0]["how_we_plan"][0].update(owner="nobody"),
        ["themes[0].objectives[0].how_we_plan[0].owner: unknown owner 'nobody'"],
    ),
    (
        "area population without source",
        lambda r: r["partnership"]["area"].pop("population_source"),
        ["partnership.area.population_source: a population needs its source"],
    ),
    (
        "measure without indicators",
        lambda r: r["themes"][0]["measures"][0].update(indicators=[]),
        ["themes[0].measures[0].indicators: every success measure needs at least one indicator"],
    ),
    (
        "unreadable baseline period",
        lambda r: _ind(r)["baseline"].update(period="2024 H1"),
        [f"{IND}.baseline.period: Period '2024 H1' is not in a form we read", "'2024-01-01..2024-12-31'"],
    ),
    (
        "date range backwards",
        lambda r: _ind(r)["baseline"].update(period="2024-12-31..2024-01-01"),
        [f"{IND}.baseline.period: Period '2024-12-31..2024-01-01' ends before it starts"],
    ),
    (
        "baseline value key left out",
        lambda r: _ind(r)["baseline"].pop("value"),
        [f"{IND}.baseline.value: missing; give the baseline figure, or null"],
    ),
    (
        "misspelt police.uk crime type",
        lambda r: _ind(r).update(police_uk={"crime_types": ["Burglery"]}),
        [f"{IND}.police_uk.crime_types: 'Burglery' is not a police.uk crime type; did you mean 'Burglary'?"],
    ),
    (
        "police.uk link without crime types",
        lambda r: _ind(r).update(police_uk={"crime_type": "all_crime"}),
        [
            f"{IND}.police_uk.crime_type: unknown key; did you mean 'crime_types'?",
            f"{IND}.police_uk.crime_types: missing",
        ],
    ),
    (
        "tile layout with a ward left out",
        lambda r: r["wards"][4].pop("tile"),
        [
            "wards[4].tile: missing; a tile layout needs a place for every one of the wards "
            "(1 without one), or none at all"
        ],
    ),
    (
        "two wards on one tile",
        lambda r: r["wards"][1].update(tile=r["wards"][0]["tile"]),
        ["wards[1].tile: the same place as wards[0]; give each ward its own col and row"],
    ),
    (
        "tile off the grid",
        lambda r: r["wards"][0].update(tile={"col": -1, "row": 0}),
        ["wards[0].tile.col: -1 must be a whole number of at least 0"],
    ),
    (
        "plan ends before it starts",
        lambda r: r["partnership"].update(plan_end="2024/25 Q4"),
        ["partnership.plan_end: 2024/25 Q4 is before plan_start 2025/26 Q1; swap them"],
    ),
    (
        "zero upload limit",
        lambda r: r["settings"]["returns"].update(max_file_mb=0),
        ["settings.returns.max_file_mb: 0 must be greater than 0"],
    ),
    (
        "bank holiday not a date",
        lambda r: r["settings"]["returns"]["bank_holidays"].append("Boxing Day"),
        ["settings.returns.bank_holidays[24]: 'Boxing Day' is not a date; write it as 2025-12-25"],
    ),
    (
        "negative working days",
        lambda r: r["settings"]["returns"].update(deadline_working_days=-3),
        ["settings.returns.deadline_working_days: -3 is not a whole number of days (0 or more)"],
    ),
    (
        "nothing but a stray key",
        lambda r: r.clear() or r.update(x=1),
        ["x: unknown key", "partnership: missing; add this section", "themes: missing; add a list here"],
    ),
]


@pytest.mark.parametrize(("case", "change", "expected"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_each_problem_is_named_by_its_key(tmp_path: Path, case: str, change, expected: list[str]) -> None:
    message = _problems(tmp_path, change)
    for part in expected:
        assert part in message, f"{case}: {part!r} not in:\n{message}"
    assert "Traceback" not in message and "pydantic" not in message.lower()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def many(raw: dict[str, Any]) -> None:
        _rename(_ind(raw), "ward_detail", "ward_detial")  # schema
        _rename(_ind(raw, 1), "polarity", "polarty")  # schema, twice (unknown and missing)
        _rename(raw["settings"]["returns"], "deadline_working_days", "deadline_workingdays")  # schema
        _ind(raw, 2).update(owner="police_hq")  # cross-check
        raw["wards"][0].update(code="Bablake")  # schema, with the area's word

    message = _problems(tmp_path, many)
    assert "cannot be used (6 problems)" in message
    for part in (
        "ward_detial: unknown key; did you mean 'ward_detail'?",
        "polarty: unknown key; did you mean 'polarity'?",
        "polarity: missing",
        "deadline_workingdays: unknown setting; did you mean 'deadline_working_days'?",
        "owner: unknown owner 'police_hq'",
        "wards[0].code: 'Bablake' is not an ONS ward code",
    ):
        assert part in message


def test_messages_use_the_plans_words_for_its_areas(tmp_path: Path) -> None:
    def districts(raw: dict[str, Any]) -> None:
        raw["partnership"]["area"].update(kind="county", local_areas={"singular": "district", "plural": "districts"})
        raw["wards"][0].update(code="North")
        _ind(raw).update(ward="E07999999")
        raw["wards"][3].pop("tile")

    message = _problems(tmp_path, districts)
    assert "wards[0].code: 'North' is not an ONS district code" in message
    assert f"{IND}.ward: unknown district 'E07999999'" in message
    assert "every one of the districts" in message
    assert " ward " not in message.replace("wards[", "").replace(".ward:", "")


def test_author_keys_starting_x_are_allowed(tmp_path: Path) -> None:
    raw = _raw()
    raw["x-notes"] = {"anything": ["goes", 1]}
    assert load_plan(_write(tmp_path, raw)).partnership.short_name == "CCSP"


# --- periods ----------------------------------------------------------------------------------

PERIODS = [
    ("2023/24", "financial_year", date(2023, 4, 1), date(2024, 3, 31), "2023/24", 2023),
    ("2023-24", "financial_year", date(2023, 4, 1), date(2024, 3, 31), "2023/24", 2023),
    (2024, "calendar_year", date(2024, 1, 1), date(2024, 12, 31), "2024", 2024),
    ("2024", "calendar_year", date(2024, 1, 1), date(2024, 12, 31), "2024", 2024),
    ("2025/26 Q1", "quarter", date(2025, 4, 1), date(2025, 6, 30), "2025/26 Q1", 2025),
    ("Q4 2024/25", "quarter", date(2025, 1, 1), date(2025, 3, 31), "2024/25 Q4", 2024),
    ("2024-03", "month", date(2024, 3, 1), date(2024, 3, 31), "March 2024", 2023),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "February 2024", 2023),
    ("2024-01-01..2024-12-31", "range", date(2024, 1, 1), date(2024, 12, 31), "1 Jan 2024 to 31 Dec 2024", 2024),
    ("2024-01-01 .. 2024-03-31", "range", date(2024, 1, 1), date(2024, 3, 31), "1 Jan 2024 to 31 Mar 2024", 2023),
]


@pytest.mark.parametrize(("text", "kind", "start", "end", "label", "fy"), PERIODS, ids=[str(p[0]) for p in PERIODS])
def test_periods_are_read_in_every_form(text, kind: str, start: date, end: date, label: str, fy: int) -> None:
    period = Period.parse(text)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)
    assert period.financial_year == FinancialYear(fy)  # the year holding most of it


@pytest.mark.parametrize(
    "text", ["2024-13", "2025/27", "2025/26 Q5", "spring 2024", "2024-02-30..2024-03-01", None, True]
)
def test_unreadable_periods_say_how_to_write_them(text) -> None:
    with pytest.raises(PeriodError, match="write it as|for example|write days as|quarters are Q1"):
        Period.parse(text)


@pytest.mark.parametrize(("text", "label", "kind"), [(p[0], p[4], p[1]) for p in PERIODS])
def test_a_baseline_takes_any_kind_of_period(tmp_path: Path, text, label: str, kind: str) -> None:
    raw = _raw()
    _ind(raw)["baseline"].update(period=text)
    baseline = load_plan(_write(tmp_path, raw)).indicators[0].baseline
    assert baseline.period == label and baseline.span is not None and baseline.span.kind == kind


# --- what the real plan declares --------------------------------------------------------------


def test_the_survey_baselines_are_calendar_year_figures(plan) -> None:
    for iid in ("unsafe_at_night", "crime_not_reported", "victim_or_knew_victim", "nothing_would_happen"):
        baseline = plan.indicator(iid).baseline
        assert "2024 resident survey" in baseline.source
        assert baseline.span is not None and baseline.span.kind == "calendar_year" and baseline.period == "2024"
        assert baseline.financial_year == FinancialYear(2024)  # where the demo's yearly series holds it
    sa = plan.indicator("total_recorded_crime").baseline
    assert sa.period == "2023/24" and sa.span is not None and sa.span.kind == "financial_year"


def test_the_plan_declares_its_words_tiles_and_police_links(plan) -> None:
    p = plan.partnership
    assert (p.area_kind, p.area_singular, p.area_plural) == ("city", "ward", "wards")
    tiles = [w.tile for w in plan.wards]
    assert all(t is not None for t in tiles) and len(set(tiles)) == len(plan.wards)
    assert {i.id for i in plan.police_indicators} == {"total_recorded_crime", "asb_incidents"}
    trc, asb = plan.indicator("total_recorded_crime").police_uk, plan.indicator("asb_incidents").police_uk
    assert trc is not None and trc.all_crime and POLICE_UK_ASB not in trc.crime_types and len(trc.crime_types) == 13
    assert asb is not None and asb.crime_types == (POLICE_UK_ASB,) and not asb.all_crime


def test_words_and_layout_default_when_the_plan_leaves_them_out(tmp_path: Path) -> None:
    raw = _raw()
    raw["partnership"]["area"].pop("kind")
    raw["partnership"]["area"].pop("local_areas")
    for ward in raw["wards"]:
        ward.pop("tile")
    for theme in raw["themes"]:
        for measure in theme["measures"]:
            for ind in measure["indicators"]:
                ind.pop("police_uk", None)
    other = load_plan(_write(tmp_path, raw))
    assert (other.partnership.area_kind, other.partnership.area_singular, other.partnership.area_plural) == (
        "area",
        "ward",
        "wards",
    )
    assert all(w.tile is None for w in other.wards) and other.police_indicators == ()


# --- the published JSON Schema ----------------------------------------------------------------


def test_the_committed_json_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), (
        "plan.schema.json is out of date: run `python -m metrics plan-schema --out plan.schema.json`"
    )


def test_config_yaml_points_editors_at_the_schema() -> None:
    first = (ROOT / "config.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./plan.schema.json"


def _as_an_editor_reads(raw: dict[str, Any]) -> Any:
    # YAML language servers see 2025-12-25 as text, not a date: compare like with like.
    return json.loads(json.dumps(raw, default=str))


def test_the_json_schema_accepts_the_plan_and_refuses_a_typo() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    raw = _raw()
    assert list(validator.iter_errors(_as_an_editor_reads(raw))) == []
    _rename(_ind(raw), "polarity", "polarty")
    errors = list(validator.iter_errors(_as_an_editor_reads(raw)))
    assert any("polarty" in e.message for e in errors)
    assert any("polarity" in e.message and "required" in e.message for e in errors)


# --- the commands, as a user runs them --------------------------------------------------------


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        env={**os.environ, **(env or {})},
    )


def test_check_config_summarises_a_good_plan(tmp_path: Path, plan) -> None:
    path = _write(tmp_path, _raw(), "our-plan.yaml")
    result = _run("check-config", str(path))
    assert result.returncode == 0, result.stderr
    assert f"{path}: the plan is valid." in result.stdout
    assert (
        f"3 themes, {len(plan.objectives)} priorities, 10 success measures, {len(plan.indicators)} indicators "
        "(2 linked to police.uk data)" in result.stdout
    )
    assert "8 subgroups; 18 wards in the city of Coventry, population 345,300" in result.stdout
    assert "config.yaml" not in result.stdout


def test_check_config_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    raw = _raw()
    _rename(_ind(raw), "ward_detail", "ward_detial")
    _rename(raw["settings"]["returns"], "deadline_working_days", "deadline_workingdays")
    _ind(raw, 1)["baseline"].update(period="last year")
    path = _write(tmp_path, raw, "district-plan.yaml")
    result = _run("check-config", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert f"The plan in {path} cannot be used (3 problems)" in result.stderr
    assert "did you mean 'ward_detail'?" in result.stderr
    assert "did you mean 'deadline_working_days'?" in result.stderr
    assert "Period 'last year' is not in a form we read" in result.stderr
    assert "config.yaml" not in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "the file cannot be read"),
        ("themes: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
    ids=["missing file", "broken YAML", "not a mapping"],
)
def test_check_config_on_a_file_it_cannot_use(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "elsewhere.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = _run("check-config", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and expected in result.stderr
    assert "config.yaml" not in result.stderr


def test_check_config_without_a_file_checks_the_plan_in_force(tmp_path: Path) -> None:
    path = _write(tmp_path, _raw(), "chosen.yaml")
    result = _run("check-config", env={"CSP_CONFIG": str(path)})
    assert result.returncode == 0 and f"{path}: the plan is valid." in result.stdout


def test_plan_schema_command_writes_the_committed_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = _run("plan-schema", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")
