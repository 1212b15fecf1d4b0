"""A second, fictional partnership (tests/partnerships/marrowvale/plan.yaml) goes through
everything with no code change: init --demo, every page, a template and an import, a board
pack. Nothing it renders names Coventry, its wards, its codes or its plan's figures, or says
"city" or "ward" where Marrowvale says "county" and "district"."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from docx import Document
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from metrics import access, returns
from metrics.demo import series as demo
from metrics.pack import board_pack
from metrics.plan.model import Plan, load_plan
from metrics.quarters import Quarter
from metrics.returns import submit, validate_return
from metrics.store import Store
from metrics.store import indicators as indicator_store
from metrics.store import police as police_store
from metrics.store import returns as return_store
from tests.conftest import OTHER_PLAN, ROOT

APP = str(ROOT / "dashboard.py")
TIMEOUT = 90
LAST = Quarter.parse("2025/26 Q2")
NOW = pd.Timestamp("2025-11-20 09:00").to_pydatetime()


def _coventry_words() -> list[str]:
    """What must never appear in Marrowvale's output: Coventry's names, its wards' names and
    codes, its subgroups' names, and the figures its plan quotes."""
    coventry = load_plan(ROOT / "config.yaml")
    words = [coventry.partnership.area_name, coventry.partnership.name, coventry.partnership.short_name]
    words += [w.name for w in coventry.wards] + [w.code for w in coventry.wards]
    words += [s.name for s in coventry.subgroups]
    figures = [coventry.partnership.population] + [i.baseline.value for i in coventry.indicators]
    words += [f"{v:,.0f}" for v in figures if v is not None and v >= 1000]
    return sorted(set(words))


FORBIDDEN_WORDS = re.compile(r"\b(city|citywide|wards?)\b", re.IGNORECASE)


def _assert_clean(text: str, where: str, check_words: bool = True) -> None:
    found = [w for w in _coventry_words() if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text)]
    assert not found, f"{where} names Coventry's {found}"
    if check_words:
        hits = sorted({m.group(0) for m in FORBIDDEN_WORDS.finditer(text)})
        assert not hits, f"{where} says {hits} where the plan says county/district"


# --- init ------------------------------------------------------------------------------------


def test_init_demo_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "CSP_CONFIG": str(OTHER_PLAN), "CSP_DB": str(tmp_path / "mv.duckdb")}
    first = subprocess.run([sys.executable, "-m", "metrics", "init", "--demo"], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stdout + first.stderr
    assert "No demo police.uk data: no indicator in the plan is linked to police.uk data" in first.stdout
    assert "No Strategic Assessment file in the plan" in first.stdout
    _assert_clean(first.stdout, "init --demo")
    again = subprocess.run([sys.executable, "-m", "metrics", "init", "--demo"], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "Schema already up to date." in again.stdout


def test_demo_follows_the_plan(other_plan: Plan, other_store: Store) -> None:
    values = indicator_store.values(other_store)
    by_id = {i.id: i for i in other_plan.indicators}
    assert set(values["indicator_id"]) == set(by_id)
    kinds = values.groupby("indicator_id")["period_type"].agg(set).to_dict()
    assert kinds == {
        "injury_collisions": {"month"},
        "farms_marked": {"quarter"},
        "diversion_offered": {"quarter"},
        "feel_safe_dark": {"year"},
        "safeguarding_score": {"quarter"},
    }
    percent = values[values["indicator_id"].isin(["farms_marked", "diversion_offered", "feel_safe_dark"])]
    assert percent["value"].between(0, 100).all()
    assert values.loc[values["indicator_id"] == "farms_marked", "value"].max() <= 90  # the plan's demo max
    districts = values[values["ward_code"].notna()]
    assert set(districts["indicator_id"]) == {"injury_collisions"}
    assert set(districts["ward_code"]) == {w.code for w in other_plan.wards}
    # each month's districts add up to the county's figure
    by_month = districts.groupby("period_start")["value"].sum()
    county = values[(values["indicator_id"] == "injury_collisions") & values["ward_code"].isna()]
    assert (county.set_index("period_start")["value"].sort_index() == by_month.sort_index()).all()
    # the calendar-year survey baseline is stored as real, in the year holding most of 2024
    real = values[~values["is_demo"]]
    assert real[["indicator_id", "value"]].values.tolist() == [["feel_safe_dark", 58.2]]
    # no police data: nothing is linked to police.uk
    assert police_store.summary_bounds(other_store).first is None


def test_demo_returns_are_chosen_from_the_plan(other_plan: Plan, other_store: Store) -> None:
    missing, incomplete = demo.demo_return_gaps(other_plan)
    ids = [s.id for s in other_plan.subgroups]
    assert missing == tuple(ids[-2:]) and incomplete == (ids[-3],)
    held = return_store.submissions(other_store)
    last = held[held["quarter_start"] == pd.Timestamp(LAST.start)]
    assert set(last["subgroup_id"]) == set(ids) - set(missing)
    assert held["is_demo"].all()


# --- every page --------------------------------------------------------------------------------


@pytest.fixture
def app_env(other_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "app.duckdb"
    shutil.copy(other_template, db)
    monkeypatch.setenv("CSP_CONFIG", str(OTHER_PLAN))
    monkeypatch.setenv("CSP_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    return db


def _page_text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [unescape(str(e.proto.body)) for e in at.get("html")]
    parts += [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    parts += [e.value for e in at.warning] + [e.value for e in at.info] + [e.value for e in at.success]
    parts += [str(e.label) for e in at.selectbox] + [str(e.label) for e in at.multiselect]
    parts += [str(o) for e in at.sidebar.selectbox for o in e.options]
    parts += [str(e.label) for e in at.metric]
    return "\n".join(parts)


def _goto(at: AppTest, hashes: dict[str, str], url_path: str) -> AppTest:
    """Open a page st.navigation registered, by its URL path (``hashes``: from the first run)."""
    at._page_hash = hashes[url_path]
    return at.run()


def test_every_page_in_the_plans_words(other_plan: Plan, app_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    registered = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert "assessment" not in registered, "no assessment file: no Strategic Assessment page"
    titles = {info.get("url_pathname"): info.get("page_name") for info in at._registered_pages.values()}
    assert titles["wards"] == "District explorer"
    hashes = {info.get("url_pathname"): h for h, info in at._registered_pages.items()}
    pages = ["", "exception-report", *(t.id.replace("_", "-") for t in other_plan.themes), "wards"]
    pages += ["returns-upload", "returns-tracker", "consultation"]
    for url_path in pages:
        _goto(at, hashes, url_path)
        assert not at.exception, f"{url_path}: {[e.value for e in at.exception]}"
        assert not at.error, f"{url_path}: {[e.value for e in at.error]}"
        _assert_clean(_page_text(at), f"page {url_path or 'plan'}")
    _goto(at, hashes, "wards")
    text = _page_text(at)
    assert "District explorer" in text and "No police.uk street-level data is stored yet" in text
    assert "python -m metrics import-police" in text
    _goto(at, hashes, "roads")
    picker = at.sidebar.selectbox(key="ward_picker")
    assert picker.label == "District" and picker.format_func(None) == "All of the county"


def test_board_pages_show_the_plan_before_any_figure(other_plan: Plan, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from metrics.bootstrap import initialise

    db = tmp_path / "empty.duckdb"
    initialise(other_plan, Store(db))  # the plan, no figures
    monkeypatch.setenv("CSP_CONFIG", str(OTHER_PLAN))
    monkeypatch.setenv("CSP_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    text = _page_text(at)
    assert "No figures are stored yet" in text
    for ind in other_plan.indicators:
        assert ind.name in text
    for owner in other_plan.subgroups:
        if any(i.owner == owner.id for i in other_plan.indicators):
            assert owner.name in text
    assert "fixed: 55.0%" in text and "5.0% higher than the same period last year" in text
    for objective in other_plan.objectives:
        assert objective.text in text


# --- a template, an import, a board pack ---------------------------------------------------------


def test_template_and_import_in_the_plans_words(other_plan: Plan, other_store: Store) -> None:
    sub = "roads_forum"
    xlsx = returns.template_xlsx(other_plan, other_store, sub, LAST)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    prompts = [dv.prompt or "" for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    help_text = "\n".join(cells + prompts)
    _assert_clean(help_text, "the xlsx template", check_words=False)  # its `ward` column keeps its name
    assert "Blank means all of the county" in help_text and "Ashgrove" in help_text
    indicators, actions = returns.template_rows(other_plan, other_store, sub, LAST)
    for r in indicators:
        r["value"], r["commentary"] = 50, "Checked (test)."
    for r in actions:
        r["status"], r["commentary"] = "On track", "Checked (test)."
    bad = [{**indicators[0], "ward": "Nowhere"}]
    content = returns.rows_csv(indicators + bad, actions)
    parsed = validate_return(other_plan, other_store, content, "roads.csv", sub, LAST)
    messages = "\n".join(str(m) for m in parsed.errors)
    assert "not one of the partnership's districts" in messages
    assert "(for example Ashgrove or E07999001); blank means the whole county (Marrowvale)" in messages
    _assert_clean(messages, "the import's messages", check_words=False)
    content = returns.rows_csv(indicators, actions)
    parsed = validate_return(other_plan, other_store, content, "roads.csv", sub, LAST)
    assert not parsed.errors, [str(m) for m in parsed.errors]
    outcome = submit(other_plan, other_store, parsed, content, access.operator("Tester"), "Test import.")
    assert outcome.stored, outcome.message
    values = indicator_store.values(other_store)
    stored = values[(values["indicator_id"] == "injury_collisions") & values["ward_code"].isna()]
    assert (stored[stored["period_start"] >= pd.Timestamp(LAST.start)]["value"] == 50).all()


def test_board_pack_in_the_plans_words(other_plan: Plan, other_store: Store) -> None:
    pdf = board_pack(other_plan, other_store, LAST, "pdf", NOW)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert other_plan.partnership.name in re.sub(r"\s+", " ", text)
    _assert_clean(text, "the PDF board pack")
    docx = Document(io.BytesIO(board_pack(other_plan, other_store, LAST, "docx", NOW)))
    words = "\n".join(p.text for p in docx.paragraphs)
    words += "\n".join(c.text for t in docx.tables for row in t.rows for c in row.cells)
    _assert_clean(words, "the Word board pack")
