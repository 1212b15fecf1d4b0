"""The Returns pages in the real Streamlit runtime (AppTest): a template filled in, uploaded
through the page, previewed, confirmed, and its figure on the theme page at once; a file with
errors refused with its messages; the tracker."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import returns
from metrics.plan.model import load_plan
from metrics.quarters import Quarter
from metrics.store import Store, schema
from tests.test_app import APP, TIMEOUT, _goto, _no_errors, _text

Q2 = Quarter.parse("2025/26 Q2")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "returns"


@pytest.fixture
def db(app_store: Store) -> Store:
    return app_store


def _upload_page(at: AppTest, subgroup: str) -> AppTest:
    at = _goto(at, "returns-upload")
    _no_errors(at, "upload page")
    at.selectbox(key="return_subgroup").set_value(subgroup)
    at.selectbox(key="return_quarter").set_value(Q2.label)
    return at.run()


def test_a_return_uploaded_on_the_page_shows_on_the_theme_page(db: Store) -> None:
    plan = load_plan()
    indicators, actions = returns.template_rows(plan, db, "city_tasking", Q2)
    figures = {"Jul 2025": 1111, "Aug 2025": 2222, "Sep 2025": 3333}  # ASB: 6,666 in the quarter
    for r in indicators:
        r["value"] = figures[r["period"]] if r["indicator_id"] == "asb_incidents" else r["last_value"]
        r["commentary"] = "ASB fell sharply after the summer operation (test return)."
        if r["indicator_id"] == "asb_incidents" and r["period"] != "Jul 2025":
            r["commentary"] = None  # a big change with no comment in its row: a warning
    for r in actions:
        r["status"], r["commentary"] = "On track", "Test update."
    content = returns.rows_xlsx(plan, "city_tasking", Q2, indicators, actions)

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    before = "\n".join(_text(_goto(at, "public-places")).splitlines())
    assert "6,666" not in before
    at = _upload_page(at, "city_tasking")
    at.file_uploader[0].set_value(("ct-return.xlsx", content, returns.XLSX_MIME)).run()
    _no_errors(at, "preview")
    text = _text(at)
    assert "Preview: Indicators sheet" in text and "Preview: Actions sheet" in text
    assert any("warning(s)" in w.value for w in at.warning), "big changes on last quarter are warnings"
    assert 'href="#row-indicators-' in text, "the summary links to the rows of the preview"
    at.text_area(key="return_explanation").set_value("Operation Summer Nights (test).")
    at.button(key="return_submit").click().run()
    _no_errors(at, "after submit")
    assert any("Stored as version 2" in s.value for s in at.success)
    assert "Versions stored" in _text(at) and "What changed" in _text(at)
    assert at.selectbox(key="return_view_version_2").value == 2, "the new version is shown first"
    diff = next(d.value for d in at.dataframe if "What changed" in d.value.columns)
    name = next(i.name for i in plan.indicators if i.id == "asb_incidents")
    asb = diff[
        (diff["Indicator or action"] == name) & (diff["What changed"] == "Figure") & (diff["Period"] == "Sep 2025")
    ]
    assert asb["Version 2"].tolist() == ["3,333"], "what changed between the demo version 1 and version 2"
    assert asb["Change"].str.fullmatch(r"[\d,]+ -> 3,333 \([+-][\d,]+\)").all(), asb["Change"].tolist()

    at = _goto(at, "public-places")
    _no_errors(at, "theme page after the return")
    text = _text(at)
    assert "6,666" in text
    assert "ASB fell sharply after the summer operation (test return)." in text
    # Local mode: the return records the operating-system user running the app (no name box).
    assert f"{getpass.getuser()} (local mode)" in text


def test_a_file_with_errors_is_explained_and_refused(db: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = _upload_page(at, "csvpp")
    content = (FIXTURES / "negative_count.csv").read_bytes()
    at.file_uploader[0].set_value(("negative_count.csv", content, "text/csv")).run()
    assert not at.exception
    assert any("1 error(s)" in e.value for e in at.error)
    text = _text(at)
    assert "CSV file, row 4, column 'value'</a>: 'Serious violence offences' is a count and cannot be negative" in text
    before = schema.checksums(db)
    at.button(key="return_submit").click().run()
    assert any("Not stored" in e.value for e in at.error)
    after = schema.checksums(db)
    assert {k: v for k, v in after.items() if k != "return_audit"} == {
        k: v for k, v in before.items() if k != "return_audit"
    }
    assert after["return_audit"][0] == before["return_audit"][0] + 1


def test_tracker_page_lists_every_subgroup(db: Store) -> None:
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "returns-tracker")
    _no_errors(at, "tracker")
    assert at.selectbox(key="tracker_quarter").value == "2025/26 Q2", "the latest quarter with returns"
    text = _text(at)
    for sub in load_plan().subgroups:
        assert sub.name in text
    assert "Demo data." in text and "Demo lead (demo)" in text
    assert (
        "Incomplete, overdue" in text
        and "Action updates (11): The delivery of training initiatives for modern slavery and…" in text
    )
    assert "harp_training" not in text, "names, not ids"
    at.selectbox(key="tracker_quarter").set_value("2025/26 Q1").run()
    _no_errors(at, "tracker Q1")
    assert "Submitted late" in _text(at)
