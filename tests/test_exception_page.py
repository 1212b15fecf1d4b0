"""SPC on the pages (AppTest): variation and assurance on the overview and theme pages with
their key, the exception report with its filters, and the board pack built on request."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.test_app import APP, TIMEOUT, _fresh_caches, _goto, _no_errors, _text  # noqa: F401

KEY_PARTS = ("Variation (SPC", "∿ Common cause variation", "⚠ Special cause concern", "⊖ Consistently failing target")


def test_overview_carries_variation_and_assurance_and_picks_exceptions_by_spc() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _no_errors(at, "overview")
    text = _text(at)
    for part in KEY_PARTS:
        assert part in text
    assert "Exceptions (4 need attention, 7 notable improvements)" in text
    assert "⚠ Special cause concern (high)" in text and "◐ Hit and miss target" in text
    assert "4 indicator(s) off or ahead of target are within common-cause variation (noise)" in text
    assert "Serious violence offences" in text.split("common-cause variation (noise)")[1]
    cards = [h for h in at.get("html") if 'class="csp-cards"' in str(h.proto.body)]
    assert sum(str(h.proto.body).count('class="csp-card"') for h in cards) == 25, "a card per indicator"
    for h in cards:  # each card: status, variation and assurance, each as symbol and words
        body = str(h.proto.body)
        assert body.count('class="csp-status"') == 3 * body.count('class="csp-card"')
    # each exception links to its detail on the Exception report
    assert 'href="exception-report#exc-asb_incidents"' in text


def test_theme_page_shows_spc_status_sentence_and_chart() -> None:
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "public-places")
    _no_errors(at, "public places")
    text = _text(at)
    for part in KEY_PARTS:
        assert part in text
    assert "Sep 2025 (1,864) is a special cause of concern: a point beyond the process limits" in text
    pictures = [str(h.proto.body) for h in at.get("html") if 'class="csp-chart"' in str(h.proto.body)]
    assert any('alt="SPC chart of ASB incidents.' in p and "data:image/png;base64," in p for p in pictures)
    # interactive charts when asked for: the plotly chart with its limits and signals
    at.sidebar.toggle(key="interactive_charts").set_value(True).run()
    _no_errors(at, "public places, interactive")
    chart = next(c for c in at.get("plotly_chart") if "ASB" in c.proto.spec or "Process limits" in c.proto.spec)
    assert "Process limits" in chart.proto.spec and "Special cause: concern" in chart.proto.spec


def test_exception_report_filters_and_builds_the_pack() -> None:
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "exception-report")
    _no_errors(at, "exception report")
    text = _text(at)
    assert "Needs the board's attention (4)" in text and "Notable improvements (7)" in text
    assert "ASB incidents" in text and "Demo commentary" in text and "Proposed action" in text
    # most severe first: special-cause concern and off target before special-cause concern alone
    assert text.index("Youth proven reoffending rate") < text.index("Notable improvements (7)")
    assert len([h for h in at.get("html") if 'class="csp-chart"' in str(h.proto.body)]) == 11
    at.multiselect[1].set_value(["Prevent"]).run()
    _no_errors(at, "filtered by owner")
    text = _text(at)
    assert "Needs the board's attention (1)" in text and "Prevent referrals" in text
    assert "ASB incidents" not in text
    assert not at.get("download_button"), "the pack is built only when asked"
    next(b for b in at.button if b.label == "Build the board pack").click().run()  # each exception has a form too
    _no_errors(at, "pack built")
    download = at.get("download_button")
    assert len(download) == 1
    assert "CCSP-board-pack-2025-26-Q2.pdf" in download[0].proto.label
    at.radio(key="pack_format").set_value("docx").run()
    assert not at.get("download_button"), "a pack in another format is not offered as this one"
