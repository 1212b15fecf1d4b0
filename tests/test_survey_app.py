"""The Resident surveys page in the real Streamlit runtime (AppTest), on a copy of the demo store:
each measure with its 95% interval across waves and by area (small areas marked, never a figure),
the analyst's upload (every problem listed, nothing stored on error; a dry run first), the
administrator's deletion, and who sees which."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.plan.model import load_plan
from metrics.store import Store
from metrics.store import survey as survey_store
from metrics.survey import COLUMNS, demo_wave
from metrics.survey.importing import plan_areas
from tests.conftest import ROOT
from tests.test_app import APP, TIMEOUT, _goto, _no_errors, _text

FIGURE = re.compile(r"^\d+\.\d% \(\d+\.\d-\d+\.\d%\), \d[\d,]* responses$")
BASELINES = {"unsafe_at_night": 52.0, "victim_or_knew_victim": 43.8, "crime_not_reported": 27.5}
BASELINES["nothing_would_happen"] = 58.9


def _frame(at: AppTest, first_column: str) -> pd.DataFrame:
    """The table on the page whose first column is ``first_column``."""
    return next(d.value for d in at.dataframe if list(d.value.columns[:1]) == [first_column])


def _wave_csv(tmp_path: Path, broken: bool = False) -> bytes:
    plan = load_plan(ROOT / "config.yaml")
    frame = demo_wave(plan.survey("resident_survey"), BASELINES, plan_areas(plan), seed=7).frame
    if broken:
        frame = frame.drop(columns=["Sex"])
        frame.loc[3, "Ward"] = "Foleshil"
        frame.loc[5, "I feel safe in my neighbourhood at night"] = "Disagre"
    return frame.to_csv(index=False).encode("utf-8")


@pytest.fixture
def at(app_store: Store) -> AppTest:
    return _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "surveys")


def test_each_measure_shows_its_interval_and_small_areas_are_marked(at: AppTest) -> None:
    _no_errors(at, "surveys page")
    assert at.title[0].value == "Resident surveys"
    waves = _frame(at, "Wave")
    assert list(waves["Wave"]) == ["demo (2025/26, demo data)"]
    assert FIGURE.match(waves["Figure (95% interval)"][0]), waves["Figure (95% interval)"][0]
    assert (waves["Lower %"] < waves["Estimate %"]).all() and (waves["Estimate %"] < waves["Upper %"]).all()
    areas = _frame(at, "Ward")
    small = areas[areas["Responses"] < 50]
    assert len(small) and small["Figure (95% interval)"].str.startswith("too few responses").all()
    assert small["Estimate %"].isna().all(), "a small area never shows a figure"
    judged = areas["Against the other wards"]
    assert (judged[areas["Responses"] < 50] == "left out: too few responses").all()
    assert set(judged[areas["Responses"] >= 50]) <= {
        "higher than expected",
        "within expected range",
        "lower than expected",
    }
    assert "left out of the comparison" in _text(at) and "funnel plot's 99.8% limits" in _text(at)
    assert list(areas["Ward"]) == [w.name for w in load_plan().wards], "the plan's order, not a ranking"
    # every estimate to take away, as survey-results writes them: estimates only
    from metrics.survey.results import results_table

    held = results_table(Store(os.environ["CSP_DB"]), "resident_survey")
    assert list(held.columns) == [*COLUMNS, "is_demo"] and not held.empty
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download every estimate (CSV)",
        "Download every estimate (Excel)",
    ]
    assert f"{len(held):,} estimates with their 95% intervals" in _text(at)
    charts = [c.key for c in at.get("plotly_chart")]
    assert charts == ["survey_waves_chart", "survey_areas_chart", "survey_areas_funnel"], charts
    assert "Demo data." in " ".join(w.value for w in at.warning)
    assert "not ranked" in _text(at)
    shown = " ".join(str(d.value.to_dict()) for d in at.dataframe)
    assert "DEMO-" not in shown, "respondent rows are never shown"


def test_an_upload_with_problems_lists_each_and_stores_nothing(at: AppTest, app_store: Store, tmp_path: Path) -> None:
    at.file_uploader(key="survey_upload").set_value(("wave.csv", _wave_csv(tmp_path, True), "text/csv")).run()
    at.text_input(key="survey_wave").set_value("2025").run()
    at.button(key="survey_store").click().run()
    assert not at.exception
    assert any("Nothing was stored: wave.csv has 3 problems" in e.value for e in at.error)
    problems = " ".join(_frame(at, "Problem")["Problem"])
    assert "'Sex'" in problems and "Foleshil" in problems and "Disagre" in problems
    assert list(survey_store.waves(app_store)["wave"]) == ["demo"]


def test_a_dry_run_stores_nothing_then_the_wave_is_stored_and_judged(
    at: AppTest, app_store: Store, tmp_path: Path
) -> None:
    at.file_uploader(key="survey_upload").set_value(("wave.csv", _wave_csv(tmp_path), "text/csv")).run()
    at.text_input(key="survey_wave").set_value("2025").run()
    at.button(key="survey_check").click().run()
    _no_errors(at, "dry run")
    assert "Checked only (--dry-run): nothing was stored." in " ".join(t.value for t in at.get("text"))
    assert list(survey_store.waves(app_store)["wave"]) == ["demo"]
    at.button(key="survey_store").click().run()
    _no_errors(at, "stored")
    assert sorted(survey_store.waves(app_store)["wave"]) == ["2025", "demo"]
    # the wave's figure is now the indicator's value, and its card reads it with its interval
    plan = load_plan()
    theme = next(t for t in plan.themes if any(i.id == "unsafe_at_night" for i in t.indicators))
    page = _goto(at, theme.id.replace("_", "-"))
    _no_errors(page, "theme page")
    text = _text(page)
    name = plan.indicator("unsafe_at_night").name
    assert re.search(rf"{name}: \d+\.\d% \(\d+\.\d-\d+\.\d%\), \d{{3}} responses \(2025/26\)", text)


@pytest.mark.parametrize(
    ("who", "upload", "delete"), [("board", False, False), ("analyst", True, False), ("admin", True, True)]
)
def test_each_role_sees_what_it_may(
    app_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, who: str, upload: bool, delete: bool
) -> None:
    from tests.test_auth_app import signed_in

    at = _goto(signed_in(who, tmp_path, monkeypatch), "surveys")
    _no_errors(at, who)
    labels = [e.label for e in at.expander]
    assert ("Upload a wave" in labels) is upload
    assert ("Delete a wave" in labels) is delete
    assert _frame(at, "Wave") is not None, "every board member reads the estimates"


def test_an_administrator_deletes_a_wave(at: AppTest, app_store: Store) -> None:
    at.checkbox(key="survey_delete_ok").check().run()
    at.button(key="survey_delete").click().run()
    assert any("Deleted wave demo: 700 respondents" in s.value for s in at.success)
    assert survey_store.waves(app_store).empty


def test_the_board_hears_of_a_survey_measure_only_for_a_significant_change(app_store: Store, tmp_path: Path) -> None:
    """Two real waves behind 'unsafe at night' (63% then 50%): the Exception report and the
    presenter's closing screen list it as significantly better, with its figure and interval."""
    from metrics.survey.importing import import_wave

    plan = load_plan()
    survey = plan.survey("resident_survey")
    for seed, level, wave in ((11, 63.2, "2024"), (12, 50.0, "2025")):
        frame = demo_wave(survey, {**BASELINES, "unsafe_at_night": level}, plan_areas(plan), seed=seed).frame
        frame.to_csv(tmp_path / f"{wave}.csv", index=False)
        assert import_wave(plan, app_store, tmp_path / f"{wave}.csv", "resident_survey", wave, "tester").stored
    name = plan.indicator("unsafe_at_night").name
    figure = rf"{name}: \d+\.\d% \(\d+\.\d-\d+\.\d%\), \d{{3}} responses \(2025/26\)"
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "exception-report")
    _no_errors(at, "exception report")
    text = _text(at)
    assert "significantly better than the 2024 wave" in text
    assert re.search(figure + r"; it fell \d+\.\d points on the 2024 wave, a significant improvement", text)
    at.session_state["_present_screen"] = 99  # the closing screen: notable improvements
    at = _goto(at, "present")
    _no_errors(at, "presenter")
    assert re.search(figure, _text(at))
