"""Survey waves through the command line, as an analyst runs it: a real process and a real
DuckDB store. A bad file stores nothing; a good one stores the declared columns only, its
estimates and the indicator values it supplies; survey-results writes estimates, never
respondents; an administrator deletes a wave whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics.plan.model import load_plan
from metrics.store import Store, schema
from metrics.survey import COLUMNS, Change, demo_wave
from metrics.survey.importing import plan_areas
from tests.conftest import ROOT

BASELINES = {
    "unsafe_at_night": 63.2,
    "victim_or_knew_victim": 43.8,
    "crime_not_reported": 27.5,
    "nothing_would_happen": 58.9,
}
SAFE = "I feel safe in my neighbourhood at night"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    folder = tmp_path_factory.mktemp("survey_cli")
    env = {"CSP_DB": str(folder / "store.duckdb")}
    assert _run(env, "init").returncode == 0
    plan = load_plan(ROOT / "config.yaml")
    frame = demo_wave(plan.survey("resident_survey"), BASELINES, plan_areas(plan)).frame
    frame["Email"] = "someone@example.org"  # an undeclared column: personal data never read in
    frame.to_csv(folder / "wave.csv", index=False)
    bad = frame.drop(columns=["Sex"])
    bad.loc[3, "Ward"] = "Foleshil"
    bad.loc[5, SAFE] = "Disagre"
    bad.to_csv(folder / "bad.csv", index=False)
    return env, folder


def test_a_bad_file_or_a_dry_run_stores_nothing(setup: tuple[dict[str, str], Path]) -> None:
    env, folder = setup
    store = Store(Path(env["CSP_DB"]))
    before = schema.checksums(store)
    bad = _run(env, "import-survey", str(folder / "bad.csv"), "--survey", "resident_survey", "--wave", "2025")
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert lines[0] == "bad.csv: 3 problems; nothing was stored."
    assert lines[1].startswith(
        "  - bad.csv, column 'Ward', row 5: name 'Foleshil' is not one of the plan's areas; did you mean 'Foleshill'?"
    )
    assert lines[2].startswith("  - bad.csv, column 'Sex': the declared column 'Sex' is missing.")
    assert lines[3].startswith(f"  - bad.csv, column {SAFE!r}, row 7: answer 'Disagre' is not declared")
    dry = _run(
        env, "import-survey", str(folder / "wave.csv"), "--survey", "resident_survey", "--wave", "2025", "--dry-run"
    )
    assert dry.returncode == 0, dry.stderr
    assert "Checked only (--dry-run): nothing was stored." in dry.stdout
    assert schema.checksums(store) == before
    unknown = _run(env, "import-survey", str(folder / "wave.csv"), "--survey", "residents", "--wave", "2025")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "error: the plan declares no survey 'residents' (declared: resident_survey)"


def test_import_results_and_delete_a_wave(setup: tuple[dict[str, str], Path]) -> None:
    env, folder = setup
    imported = _run(env, "import-survey", str(folder / "wave.csv"), "--survey", "resident_survey", "--wave", "2025")
    assert imported.returncode == 0, imported.stderr
    assert "700 respondents read for resident_survey 2025." in imported.stdout
    assert "Raked to area: design effect" in imported.stdout
    again = _run(env, "import-survey", str(folder / "wave.csv"), "--survey", "resident_survey", "--wave", "2025")
    assert again.returncode == 1 and "already has a wave '2025'" in again.stderr

    with duckdb.connect(env["CSP_DB"], read_only=True) as con:
        keys = {k for (k,) in con.execute("SELECT DISTINCT key FROM survey_answers").fetchall()}
        values = con.execute(
            "SELECT indicator_id, period_type, period_start::VARCHAR, source FROM indicator_values "
            "WHERE source LIKE 'survey:%' ORDER BY 1"
        ).fetchall()
    assert keys == {"respondent", "area", "age_band", "sex", *BASELINES}  # no Email, nothing undeclared
    assert values == [(i, "year", "2025-04-01", "survey:resident_survey:2025") for i in sorted(BASELINES)]

    for suffix in (".csv", ".xlsx"):
        out = folder / f"results{suffix}"
        written = _run(env, "survey-results", "--wave", "2025", "--out", str(out))
        assert written.returncode == 0, written.stderr
        table = pd.read_csv(out) if suffix == ".csv" else pd.read_excel(out)
        assert list(table.columns) == [*COLUMNS, "is_demo"]
        overall = table[table["group_kind"] == "all"]
        assert set(overall["measure"]) == set(BASELINES) and set(overall["group"]) == {"Coventry"}
        assert table.loc[table["suppressed"], "estimate"].isna().all()
        assert not table["group"].astype(str).str.contains("DEMO-").any()  # no respondent rows

    deleted = _run(env, "delete-survey-wave", "--survey", "resident_survey", "--wave", "2025")
    assert deleted.returncode == 0 and "700 respondents" in deleted.stdout
    with duckdb.connect(env["CSP_DB"], read_only=True) as con:
        for table_name in schema.SURVEY_TABLES:
            assert con.execute(f"SELECT count(*) FROM {table_name}").fetchone()[0] == 0, table_name
        assert con.execute("SELECT count(*) FROM indicator_values WHERE source LIKE 'survey:%'").fetchone()[0] == 0


def test_the_demo_store_holds_a_demo_wave_flagged_demo(demo_store: Store) -> None:
    from metrics.store import survey as survey_store

    held = survey_store.waves(demo_store)
    assert list(held["wave"]) == ["demo"] and held["is_demo"].all()
    figures = survey_store.estimates(demo_store)
    assert figures["is_demo"].all() and set(figures["measure"]) == set(BASELINES)
    people = survey_store.respondents(demo_store, "resident_survey", "demo")
    assert len(people) == 700 and people["respondent"].str.startswith("DEMO-").all()
    assert set(people.columns) == {"row_number", "weight", "respondent", "area", "age_band", "sex", *BASELINES}


def test_the_demo_wave_is_the_survey_measures_figure_in_its_year_judged_by_its_interval(demo_store: Store) -> None:
    """The demo wave is dated to the financial year of the demo's last quarter: there each
    survey measure's value is the wave's estimate (flagged demo), and the board reads it with
    its interval and judges it by that, as it would a real wave."""
    from metrics.board.status import summarise
    from metrics.store import indicators as indicator_store
    from metrics.survey.results import board_figures

    plan = load_plan(ROOT / "config.yaml")
    last = plan.settings.demo_last_quarter
    values = indicator_store.values(demo_store)
    supplied = values[values["source"] == "survey:resident_survey:demo"]
    assert set(supplied["indicator_id"]) == set(BASELINES) and supplied["is_demo"].all()
    assert set(supplied["period_start"].astype(str)) == {str(last.year.start)}
    statuses = {s.indicator.id: s for s in summarise(plan, values, last, None, board_figures(plan, demo_store))}
    for measure in BASELINES:
        status = statuses[measure]
        assert re.fullmatch(r"\d+\.\d% \(\d+\.\d-\d+\.\d%\), \d{3} responses", status.figure), status.figure
        assert status.survey is not None and status.value.is_demo
        estimate = status.survey.current.estimate
        assert estimate.lower < estimate.estimate < estimate.upper


def test_a_demo_wave_never_replaces_a_real_figure(demo_store: Store) -> None:
    """A real figure held for the demo wave's year stays; the other measures take the wave's."""
    from metrics.store import indicators as indicator_store
    from metrics.survey.importing import import_demo_waves

    plan = load_plan(ROOT / "config.yaml")
    start = plan.settings.demo_last_quarter.year.start
    with duckdb.connect(str(demo_store.path)) as con:
        con.execute(
            "UPDATE indicator_values SET value = 61.0, is_demo = false, source = 'resident survey 2025 (typed)'"
            " WHERE indicator_id = 'unsafe_at_night' AND period_start = ? AND ward_code IS NULL",
            [start],
        )
    import_demo_waves(plan, demo_store)
    values = indicator_store.values(demo_store)
    year = values[(values["period_start"].astype(str) == str(start)) & values["ward_code"].isna()]
    held = year.set_index("indicator_id")
    assert held.loc["unsafe_at_night", "value"] == 61.0 and not held.loc["unsafe_at_night", "is_demo"]
    others = set(BASELINES) - {"unsafe_at_night"}
    assert (held.loc[sorted(others), "source"] == "survey:resident_survey:demo").all()


def test_indicator_waves_and_the_change_between_them(demo_store: Store, tmp_path: Path) -> None:
    """Two real waves of invented respondents behind 'unsafe at night': each figure carries its
    interval and base, and the change is judged by Newcombe's interval, not a tolerance."""
    from metrics.survey.importing import import_wave
    from metrics.survey.results import indicator_waves, latest_change

    plan = load_plan(ROOT / "config.yaml")
    survey = plan.survey("resident_survey")
    for seed, level, wave in ((11, 63.2, "2024"), (12, 52.0, "2025")):
        frame = demo_wave(survey, {**BASELINES, "unsafe_at_night": level}, plan_areas(plan), seed=seed).frame
        frame.to_csv(tmp_path / f"{wave}.csv", index=False)
        assert import_wave(plan, demo_store, tmp_path / f"{wave}.csv", "resident_survey", wave, "tester").stored
    figures = indicator_waves(plan, demo_store, "unsafe_at_night")
    assert [(f.wave, f.is_demo) for f in figures] == [("2024", False), ("2025", False), ("demo", True)]
    assert all(f.text.endswith(" responses") and "%" in f.text for f in figures)
    before, after, change = latest_change(plan, demo_store, "unsafe_at_night")
    assert (before.wave, after.wave) == ("2024", "2025")
    assert after.estimate.estimate < before.estimate.estimate and change == Change.BETTER  # polarity lower
    assert latest_change(plan, demo_store, "asb_successful_outcomes") is None
