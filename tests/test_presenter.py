"""Presenter mode and complete-quarter honesty on the pages (AppTest, a real demo store): one
exception per screen with "n of N", buttons forward and back, the closing screen; a partial
quarter never opened by default, marked partial in the picker and on every board page."""

from __future__ import annotations

import os

import pandas as pd
from streamlit.testing.v1 import AppTest

from metrics.plan.model import load_plan
from metrics.quarters import Quarter
from metrics.store import Store
from metrics.store import indicators as indicator_store
from tests.test_app import APP, TIMEOUT, _fresh_caches, _goto, _no_errors, _text  # noqa: F401

ATTENTION = ["Serious youth violence offences", "Youth proven reoffending rate", "ASB incidents", "Prevent referrals"]


def test_presenter_shows_one_exception_per_screen_then_the_closing_screen() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _goto(at, "present")
    _no_errors(at, "present")
    assert at.title[0].value == ATTENTION[0]
    assert "1 of 4" in _text(at)
    assert len(at.get("plotly_chart")) == 1, "its SPC chart"
    text = _text(at)
    for part in ("Owner's commentary", "Proposed action", "Board actions", "rose 18% on the same quarter last year"):
        assert part in text, part
    for n, name in enumerate(ATTENTION[1:], start=2):
        next(b for b in at.button if b.label == "Next").click().run()
        assert at.title[0].value == name and f"{n} of 4" in _text(at)
    next(b for b in at.button if b.label == "Next").click().run()
    assert at.title[0].value == "Notable improvements and noise"
    text = _text(at)
    assert "Notable improvements (7)" in text and "within normal variation (4)" in text
    assert "Closing screen" in text
    assert next(b for b in at.button if b.label == "Next").disabled, "no screen after the closing one"
    next(b for b in at.button if b.label == "Previous (Page Up)").click().run()
    assert at.title[0].value == ATTENTION[-1]
    assert at.query_params["screen"] in ("4", ["4"]), "the screen is in the address, to open it directly"


def _one_return_in(db: str) -> int:
    """Q3 figures for the ASB indicator's owner only (its Q2 moved on a quarter): one return in."""
    plan = load_plan()
    store = Store(db)
    values = indicator_store.values(store)
    owner = plan.indicator("asb_incidents").owner
    mine = {i.id for i in plan.indicators if i.owner == owner and i.frequency != "annual"}
    q2 = values[
        values["indicator_id"].isin(mine)
        & (values["period_start"] >= pd.Timestamp("2025-07-01"))
        & (values["period_type"] != "year")
    ].copy()
    q2["period_start"] = q2["period_start"] + pd.DateOffset(months=3)
    indicator_store.replace_values(store, q2)
    return len(mine)


def test_a_partial_quarter_is_never_the_default_and_is_marked_wherever_shown() -> None:
    _one_return_in(os.environ["CSP_DB"])
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _no_errors(at, "start")
    picker = at.sidebar.selectbox(key="quarter_picker")
    assert picker.options[0].startswith("2025/26 Q3 (partial, "), "the partial quarter is listed, marked"
    assert picker.value == "2025/26 Q2", "the board opens on the latest complete quarter"
    assert "Complete quarter: 25 of 25 indicators have a figure for 2025/26 Q2." in _text(at)
    picker.set_value(Quarter.parse("2025/26 Q3").label).run()
    for url_path in ("", "exception-report", "public-places", "present"):
        _goto(at, url_path)
        _no_errors(at, url_path)
        text = _text(at)
        assert "(partial, " in text, f"{url_path or 'plan'}: the quarter is marked partial"
        if url_path != "present":
            assert "Partial quarter:" in text and "awaited from" in text
            assert any("Awaited figures, by owner" in e.label for e in at.expander)
    _goto(at, "")
    assert any("No data" in m.label for m in at.metric), "the figures not in are counted, not left out"
