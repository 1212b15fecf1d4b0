"""A real browser on a real server: headless Debian Chromium driven by Playwright, against
`streamlit run dashboard.py` started on a fresh, empty store: a board member's journey (pack,
quarter, shared link), a subgroup lead's upload, and an analyst coding consultation comments by
keyboard alone. Every page's rendering is checked in
tests/test_browser_board.py, which shares this module's helpers and the server.

Chromium comes from Debian's package (scripts/install-browser, run by `make test`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metrics.plan.model import load_plan
from tests.conftest import CHROMIUM, SERVER_DBS, server_log_tail

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
# Flags for a closed network and no display (see README: testing).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PAGE_SECONDS = 120  # the first page also builds the store and loads demo data
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'  # the script has finished its run


def _pages() -> list[tuple[str, str]]:
    """Every page (its address and its title), the default first. The tests move between them
    by the sidebar's links (`_open`); the board member's journey below also opens one by its own
    address, as a shared link would be. (The very first session after a server starts is opened
    at the default address: a folder named pages/ beside dashboard.py makes Streamlit resolve that
    first session's address against the folder's files, so a deep link there shows a
    'Page not found' notice over the right page; see README, Known issues.)"""
    plan = load_plan()
    pages = [("", "Plan on a Page"), ("exception-report", "Exception report")]
    pages += [(t.id.replace("_", "-"), t.name) for t in plan.themes]
    pages.append(("assessment", "Strategic Assessment"))
    pages.append(("consultation", "Consultation"))
    pages += [("returns-upload", "Upload a quarterly return"), ("returns-tracker", "Returns tracker")]
    pages.append(("wards", "Ward explorer"))
    pages.append(("surveys", "Resident surveys"))
    return pages


def _wait_for_script(page, title: str) -> None:  # noqa: ANN001 - playwright Page
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=PAGE_SECONDS * 1000)
    page.wait_for_selector(IDLE, timeout=PAGE_SECONDS * 1000)
    page.wait_for_load_state("networkidle")
    # Plotly charts draw after the script ends; wait for each to have its SVG.
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(c => c.querySelector('svg.main-svg'))",
        timeout=30_000,
    )


def _open(page, base: str, url_path: str, title: str) -> None:  # noqa: ANN001 - playwright Page
    """Move to a page as a board member does in the meeting, by its link in the sidebar (the
    app stays loaded: a move costs a script run, not a page load); by its address where the
    sidebar has no such link (presenter mode folds the sidebar away)."""
    link = page.locator(f'[data-testid="stSidebar"][data-collapsed="false"] a[href="{base}/{url_path}"]')
    if link.count() == 1:
        link.click()
    else:
        page.goto(f"{base}/{url_path}")
    _wait_for_script(page, title)


# After the window changes size: two animation frames (the browser has laid the page out and
# painted it), and every plotly chart redrawn to its box's new width.
LAID_OUT = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(
  [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => {
    const svg = c.querySelector('svg.main-svg');
    return svg && Math.abs(svg.getBoundingClientRect().width - c.getBoundingClientRect().width) <= 2;
  })))))"""


def settle_layout(page) -> None:  # noqa: ANN001 - playwright Page
    """Wait for the page to follow a change of window size (not for a fixed time)."""
    page.wait_for_function(LAID_OUT, timeout=30_000)


def _screenshot(page, path: Path) -> None:  # noqa: ANN001 - playwright Page
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to it."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    window = dict(page.viewport_size)
    page.set_viewport_size({"width": window["width"], "height": max(window["height"], min(int(height) + 40, 16000))})
    settle_layout(page)
    page.screenshot(path=str(path))
    page.set_viewport_size(window)


def _choose_quarter_then_move(page, quarter: str) -> None:  # noqa: ANN001 - playwright Page
    """A board member picks a quarter, then moves to a theme page through the sidebar: the
    quarter stays chosen and the page shows it."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("combobox", name="Quarter").click()
    page.get_by_role("option", name=quarter, exact=True).click()
    page.wait_for_selector(f'h2:has-text("{quarter}")', timeout=PAGE_SECONDS * 1000)
    theme = load_plan().themes[1]
    sidebar.get_by_role("link", name=theme.short_name).click()
    _wait_for_script(page, theme.name)
    assert page.locator("h2", has_text=quarter).count() == 1, f"{theme.name} does not show {quarter}"
    shown = sidebar.get_by_role("combobox", name="Quarter").input_value()
    assert quarter in shown, f"the quarter picker shows {shown!r} after moving page"


def _download_pack(page, folder: Path) -> Path:  # noqa: ANN001 - playwright Page
    """A board member opens the exception report, builds the pack and downloads it."""
    page.get_by_role("link", name="Exception report").click()
    _wait_for_script(page, "Exception report")
    page.get_by_role("button", name="Build the board pack").click()
    link = page.get_by_role("button", name="Download CCSP-board-pack-2025-26-Q2.pdf")
    link.wait_for(timeout=PAGE_SECONDS * 1000)
    with page.expect_download(timeout=60_000) as download:
        link.click()
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def _shared_ward_link(page, server: str) -> None:  # noqa: ANN001 - playwright Page
    """A link to the explorer for one ward and period shows that view, and the ward carries to
    a theme page through the sidebar (and stays in the address)."""
    page.goto(f"{server}/wards?ward=E05001228&from=2025-04&to=2025-09")
    _wait_for_script(page, "Ward explorer")
    chosen = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert "St Michael's" in chosen, f"the explorer shows {chosen!r} for ?ward=E05001228"
    assert page.get_by_text("Incidents (2025-04 to 2025-09)").count() == 1
    _screenshot(page, ARTIFACTS / "wards-st-michaels.png")
    theme = load_plan().themes[1]
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=theme.short_name).click()
    _wait_for_script(page, theme.name)
    shown = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Ward")
    assert "St Michael's" in shown.input_value(), "the ward choice did not carry to the theme page"
    page.wait_for_function("() => location.search.includes('ward=E05001228')", timeout=10_000)


PROBLEMS_SHOWN = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]', '[role="dialog"]')


def shown_problems(page, where: str) -> list[str]:  # noqa: ANN001 - playwright Page
    """Any exception, error box or dialog on the page (tests/test_browser_board.py opens every
    page and asks this of each)."""
    found = [(selector, page.locator(selector)) for selector in PROBLEMS_SHOWN]
    return [f"{where}: {selector}: {loc.first.inner_text()[:300]}" for selector, loc in found if loc.count()]


def test_a_board_member_downloads_the_pack_changes_quarter_and_follows_a_shared_link(
    server: str, tmp_path: Path
) -> None:
    """Plan on a Page carries the demo banner; the exception report builds and downloads the
    pack; a chosen quarter survives a move to a theme page; a shared explorer link opens its
    view and carries its area on. (Every page's rendering, screenshot and accessibility:
    tests/test_browser_board.py.)"""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
        console_errors: list[str] = []
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))
        page.goto(f"{server}/")
        _wait_for_script(page, "Plan on a Page")
        assert page.get_by_text("Demo data.", exact=False).count() >= 1, "the demo-data banner is not visible"
        pack = _download_pack(page, tmp_path)
        _choose_quarter_then_move(page, "2024/25 Q3")
        _shared_ward_link(page, server)
        problems = shown_problems(page, "after the journey")
        browser.close()
    assert pack.name == "CCSP-board-pack-2025-26-Q2.pdf"
    assert pack.read_bytes().startswith(b"%PDF") and pack.stat().st_size > 100_000
    assert not problems, "\n".join(problems)
    assert not console_errors, "JavaScript errors: " + "; ".join(console_errors)


def _select(page, label: str, option: str, settled: str) -> None:  # noqa: ANN001 - playwright Page
    """Choose an option, then wait for the rerun that uses it: the script state can still read
    "notRunning" just after the click, before that rerun starts, so the sign that it has run
    is `settled`, a text only the new choice draws."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    _wait_for_text(page, settled)


def _wait_for_text(page, text: str) -> None:  # noqa: ANN001 - playwright Page
    """Wait for `text` on the page and for the script to have finished; on a timeout, fail
    with what the page showed and what the server logged, so a failure in CI explains itself."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(text).first.wait_for(timeout=PAGE_SECONDS * 1000)
        page.wait_for_selector(IDLE, timeout=PAGE_SECONDS * 1000)
    except PlaywrightTimeout:
        _screenshot(page, ARTIFACTS / "timeout.png")
        shown = page.locator('[data-testid="stMain"]').inner_text()[-1500:]
        log = server_log_tail()
        pytest.fail(f"waited {PAGE_SECONDS} s for {text!r}; the page showed:\n{shown}\n\nserver log:\n{log}")


def test_a_return_uploaded_in_chromium_shows_on_the_board_page(server: str, tmp_path: Path) -> None:
    """A subgroup lead uploads a return through the page (a real file chooser), reads the
    preview, confirms, and the board's theme page shows the new figure."""
    from playwright.sync_api import sync_playwright

    from metrics import returns
    from metrics.quarters import Quarter
    from metrics.store import Store

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{server}/")  # the first visit builds the store if no test has yet
        _wait_for_script(page, "Plan on a Page")
        # The return: City Tasking's template for 2025/26 Q2 filled in, ASB 7,035 in the quarter.
        plan = load_plan()
        quarter = Quarter.parse("2025/26 Q2")
        store = Store(SERVER_DBS[server])
        indicators, actions = returns.template_rows(plan, store, "city_tasking", quarter)
        for r in indicators:
            r["value"] = (
                {"Jul 2025": 1234, "Aug 2025": 2345, "Sep 2025": 3456}[r["period"]]
                if (r["indicator_id"] == "asb_incidents")
                else r["last_value"]
            )
            r["commentary"] = "Browser test return."
            if r["indicator_id"] == "asb_incidents" and r["period"] != "Jul 2025":
                r["commentary"] = None  # a big change with no comment in its row: a warning to explain
        for r in actions:
            r["status"] = "On track"
        upload = tmp_path / "city-tasking-return.xlsx"
        upload.write_bytes(returns.rows_xlsx(plan, "city_tasking", quarter, indicators, actions))
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Upload a return").click()
        _wait_for_script(page, "Upload a quarterly return")
        assert page.get_by_label("Your name", exact=True).count() == 0, "the identity is not typed in"
        assert page.get_by_text("Local mode: no sign-in; everyone using this computer is an administrator").count()
        _select(page, "Subgroup", "City Tasking", "template for City Tasking")
        _select(page, "Quarter", quarter.label, f"for City Tasking, {quarter.label} (")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        _wait_for_text(page, "Preview: Indicators sheet")
        link = page.locator("ul.csp-messages a").first
        target = link.get_attribute("href")
        assert target.startswith("#row-indicators-") and page.locator(f"tr{target}").count() == 1, (
            "each message in the summary links to its row of the preview"
        )
        link.click()
        page.wait_for_function("(id) => location.hash === id", arg=target, timeout=10_000)
        assert page.locator(f"tr{target}").is_visible() and "/returns-upload" in page.url, "the link stays on the page"
        explanation = page.locator("textarea").first
        explanation.fill("Operation in the city centre (browser test).")
        explanation.press("Control+Enter")
        page.wait_for_selector(IDLE)
        _screenshot(page, ARTIFACTS / "returns-upload-preview.png")
        page.get_by_role("button", name="Submit this return").click()
        page.wait_for_selector("text=Stored as version 2", timeout=PAGE_SECONDS * 1000)
        _screenshot(page, ARTIFACTS / "returns-upload-stored.png")
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Public places").click()
        _wait_for_script(page, plan.theme("public_places").name)
        assert page.get_by_text("7,035").count() >= 1, "the uploaded ASB figure (1,234 + 2,345 + 3,456)"
        assert page.get_by_text("Browser test return.").count() >= 1
        _screenshot(page, ARTIFACTS / "returns-theme-after-upload.png")
        browser.close()


def _comment_shown(page) -> str:  # noqa: ANN001 - playwright Page
    """'Comment N of M' as the coding tab shows it, once the script has finished."""
    page.wait_for_selector(IDLE, timeout=PAGE_SECONDS * 1000)
    return page.get_by_text(re.compile(r"^Comment \d+ of \d+")).first.inner_text().split(" · ")[0]


def test_an_analyst_codes_comments_by_keyboard_alone(server: str) -> None:
    """The coding tab's keys in Chromium: Ctrl+Shift+Right skips to the next comment,
    Ctrl+Shift+Left goes back, and Ctrl+Enter saves the codes chosen and moves on, the codes
    stored against that comment."""
    from playwright.sync_api import sync_playwright

    from metrics.store import Store
    from metrics.store import consultation as consultation_store

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{server}/")  # the first visit builds the store if no test has yet
        _wait_for_script(page, "Plan on a Page")
        _open(page, server, "consultation", "Consultation")
        page.get_by_role("tab", name="Coding").click()
        first = _comment_shown(page)
        assert first.startswith("Comment 1 of "), first
        total = first.removeprefix("Comment 1 of ")
        page.locator('[data-testid="stMain"] h1').click()  # the keys act on the page, not in a field
        page.keyboard.press("Control+Shift+ArrowRight")
        page.get_by_text(f"Comment 2 of {total}").first.wait_for(timeout=PAGE_SECONDS * 1000)
        page.keyboard.press("Control+Shift+ArrowLeft")
        page.get_by_text(f"Comment 1 of {total}").first.wait_for(timeout=PAGE_SECONDS * 1000)
        # Add a code the first comment does not hold (typed, as a fast coder does), then save by key.
        codes = page.locator('[data-testid="stMultiSelect"]:visible').filter(has_text="Codes")
        held = [t.split(" (")[0] for t in codes.locator("[data-tag]").all_inner_texts()]
        label = next(c.label for c in load_plan().coding_frame if c.label not in held)
        codes.locator("input").click()
        page.keyboard.type(label)
        page.get_by_role("option", name=re.compile("^" + re.escape(label))).first.click()
        codes.locator("[data-tag]", has_text=label).wait_for(timeout=10_000)
        page.keyboard.press("Escape")
        page.locator('[data-testid="stMain"] h1').click()
        page.keyboard.press("Control+Enter")
        page.get_by_text(f"Comment 2 of {total}").first.wait_for(timeout=PAGE_SECONDS * 1000)
        _comment_shown(page)
        browser.close()
    store = Store(SERVER_DBS[server])
    cid = consultation_store.consultation_ids(store)[0][0]
    record = consultation_store.load_record(store, cid)
    labels = {code.id: code.label for code in load_plan().coding_frame}
    coded = record.comments[0].codes
    assert sorted(labels[c] for c in coded) == sorted([*held, label]), (coded, held, label)
