"""The real Streamlit runtime (AppTest): every page for each kind of quarter, the ward
selector, the demo label, and every priority and success measure on screen."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import Rag
from metrics.plan.model import load_plan
from metrics.store import Store
from tests.conftest import ROOT

APP = str(ROOT / "dashboard.py")
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _fresh_caches(app_store: Store) -> None:
    """Each test gets its own copy of the demo store and empty Streamlit caches (conftest)."""


def _text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [unescape(str(e.proto.body)) for e in at.get("html")]
    parts += [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    parts += [e.value for e in at.warning] + [e.value for e in at.info]
    return "\n".join(parts)


def _no_errors(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    assert not at.error, f"{where}: {[e.value for e in at.error]}"


def _goto(at: AppTest, url_path: str) -> AppTest:
    """Open a page registered by st.navigation by its URL path. Theme pages share one script,
    so AppTest.switch_page (which matches scripts) cannot tell them apart: select the page's
    hash among those the app registered, as the browser's URL does."""
    matches = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path]
    assert matches, f"no page with URL path {url_path!r}"
    at._page_hash = matches[0]
    return at.run()


def _pages() -> list[tuple[str, str]]:
    plan = load_plan()
    return (
        [("", "Plan on a Page"), ("exception-report", "Exception report")]
        + [(t.id.replace("_", "-"), t.name) for t in plan.themes]
        + [("assessment", "Strategic Assessment")]
    )


# The quarters every page is opened for: each edge the figures have, rather than all fourteen
# (every page for every quarter took 58 s of the suite's five minutes, for little more).
QUARTERS_TO_OPEN = {
    "2025/26 Q2": "the newest, where the demo returns are",
    "2025/26 Q1": "the first of its year",
    "2024/25 Q4": "the last of a year",
    "2023/24 Q1": "the first with a figure a year earlier",
    "2022/23 Q2": "a previous quarter but no year-earlier figure",
    "2022/23 Q1": "the oldest: no previous quarter, no year earlier, the fewest SPC points",
}


def test_every_page_for_each_kind_of_quarter() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _no_errors(at, "start")
    quarters = at.sidebar.selectbox(key="quarter_picker").options
    assert quarters[0] == "2025/26 Q2" and quarters[-1] == "2022/23 Q1"
    assert len(quarters) == 14
    assert set(QUARTERS_TO_OPEN) <= set(quarters)
    for quarter in QUARTERS_TO_OPEN:
        at.sidebar.selectbox(key="quarter_picker").set_value(quarter).run()
        for url_path, title in _pages():
            _goto(at, url_path)
            _no_errors(at, f"{url_path or 'plan'} in {quarter}")
            assert at.title[0].value == title
            assert at.sidebar.selectbox(key="quarter_picker").value == quarter, "the quarter is kept across pages"
            if url_path != "assessment":
                assert quarter in _text(at)


def test_overview_shows_every_priority_measure_and_indicator() -> None:
    plan = load_plan()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    text = _text(at)
    for theme in plan.themes:
        assert theme.name in text
        for objective in theme.objectives:
            assert objective.text in text
        for measure in theme.measures:
            assert measure.text in text
            for ind in measure.indicators:
                assert ind.name in text
    assert "Demo data." in text
    assert "Exceptions (" in text
    # exceptions are listed before the themes
    assert text.index("Exceptions (") < text.index(plan.themes[0].name)


def test_theme_page_ward_selector_changes_ward_indicators() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = _goto(at, "public-places")
    citywide = _text(at)
    ward = at.selectbox(key="ward_picker")
    assert ward.value is None  # all of the city
    ward.set_value("E05001228").run()  # St Michael's
    _no_errors(at, "public places, St Michael's")
    in_ward = _text(at)
    assert "ASB incidents in St Michael's" in in_ward
    assert "ASB incidents in St Michael's" not in citywide
    assert "all of the city (not recorded by ward)" in in_ward
    assert at.query_params["ward"] == "E05001228"


def test_theme_pages_show_objectives_commentary_and_actions() -> None:
    plan = load_plan()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for theme in plan.themes:
        text = _text(_goto(at, theme.id.replace("_", "-")))
        for objective in theme.objectives:
            assert objective.text in text
        assert "Latest commentary" in text
        assert "Demo commentary" in text
        assert "Actions" in text
        charts = [h for h in at.get("html") if 'class="csp-chart"' in str(h.proto.body)]
        assert len(charts) == len(theme.indicators), "an SPC chart picture per indicator"
        assert not at.get("plotly_chart"), "interactive charts only when asked for"
        # At a glance: one link per indicator, exceptions first, each to its card on the page.
        bodies = [str(h.proto.body) for h in at.get("html")]
        glance = next(b for b in bodies if 'aria-label="Indicators at a glance"' in b)
        links = re.findall(r'href="#(ind-[a-z0-9_]+)">([^<]+)</a>', glance)
        assert {unescape(name) for _, name in links} == {i.name for i in theme.indicators}
        anchors = set(re.findall(r'<span id="(ind-[a-z0-9_]+)"></span>', "".join(bodies)))
        assert {target for target, _ in links} == anchors, "every link lands on its card"
        words = [re.search(r'class="csp-status"[^>]*>\S+ ([^<]+)</span>', item).group(1)
                 for item in glance.split("<li>")[1:]]  # fmt: skip
        ranks = [Rag.from_word(unescape(w)) for w in words]
        assert None not in ranks and len(ranks) == len(links), words
        assert ranks == sorted(ranks, key=lambda r: r.severity), "exceptions first"


def test_strategic_assessment_page_shows_the_real_findings() -> None:
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "assessment")
    text = _text(at)
    assert "38,508 crimes" in text and "down 10.1%" in text and "up 22.6%" in text
    assert "8,209" in text and "3,496" in text
    assert "Demo data." in text
    assert "Demo figure: the assessment quoted in the plan gives no volume for this ward" in text
    assert "the assessment quotes 31.0% of the total, but 8,209 of 38,508 is 21.3%" in text


def test_first_start_creates_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "first" / "start.duckdb"
    monkeypatch.setenv("CSP_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _no_errors(at, "first start")
    assert db.exists()
    assert at.title[0].value == "Plan on a Page"
    assert any("Demo data loaded" in m.value for m in at.markdown)


def test_a_broken_plan_is_explained_on_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text(
        (ROOT / "config.yaml").read_text(encoding="utf-8").replace("polarity: lower", "polarity: down", 1),
        encoding="utf-8",
    )
    monkeypatch.setenv("CSP_CONFIG", str(bad))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "The partnership plan cannot be loaded"
    assert "polarity: 'down' is not allowed; use one of: higher, lower" in at.error[0].value


def test_pages_see_a_write_from_another_process_at_once(tmp_path: Path) -> None:
    """The command line writes while the dashboard runs: the next rerun shows the new figure."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "ASB incidents rose 30%" in _text(at)
    script = (
        "import pandas as pd\n"
        "from metrics.plan.model import load_plan\n"
        "from metrics.store import indicators, open_store\n"
        "rows = [{'indicator_id': 'asb_incidents', 'period_type': 'month', 'period_start': pd.Timestamp(m),\n"
        "         'ward_code': None, 'value': 1.0, 'is_demo': False, 'source': 'test'}\n"
        "        for m in ('2025-07-01', '2025-08-01', '2025-09-01')]\n"
        "indicators.replace_values(open_store(load_plan()), pd.DataFrame(rows))\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=os.environ.copy(), check=True, timeout=60)
    at.run()
    _no_errors(at, "after the write")
    assert "ASB incidents fell 100%" in _text(at)
