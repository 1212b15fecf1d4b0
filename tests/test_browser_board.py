"""The board meeting in a real browser: every page at a laptop's 1366x768 and a projector's
1920x1080 with no horizontal overflow (a screenshot of each kept in tests/artifacts/board/), the
top of Plan on a Page showing the quarter, its completeness and the first exception, and
axe-core (WCAG 2.2 AA) on every page with no serious or critical violation in the project's own
markup. Shares the session's server with tests/test_browser.py."""

from __future__ import annotations

from tests.conftest import CHROMIUM
from tests.test_browser import ARTIFACTS, CHROMIUM_ARGS, _pages, _wait_for_script

BOARD = ARTIFACTS / "board"
VIEWPORTS = ((1366, 768), (1920, 1080))
SERIOUS = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Streamlit's own sidebar navigation puts its section headings (div) inside its list (ul): axe's
# "list" and "listitem" rules, in markup the project cannot change (README, Known issues). It is
# left out of the run; everything else, the project's own markup included, is checked.
STREAMLIT_OWN = ['[data-testid="stSidebarNavItems"]']


def _overflow(page) -> int:  # noqa: ANN001 - playwright Page
    """How many pixels the page is wider than the window (0: no horizontal scrolling), for the
    document and for Streamlit's scrolling main block."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth - window.innerWidth,"
        ' ...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stMainBlockContainer"]\')]'
        ".map(e => e.scrollWidth - e.clientWidth))"
    )


def test_every_page_fits_a_laptop_and_a_projector_and_passes_axe(server: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    BOARD.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for width, height in VIEWPORTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            for url_path, title in _pages():
                page.goto(f"{server}/{url_path}")
                _wait_for_script(page, title)
                name = f"{width}x{height}-{url_path or 'plan'}"
                page.screenshot(path=str(BOARD / f"{name}.png"))
                wider = _overflow(page)
                if wider > 0:
                    problems.append(f"{name}: {wider} px wider than the window")
                if url_path == "" and width == 1366:
                    # The top of Plan on a Page: the quarter, how complete it is, the first exception.
                    for what, selector in (
                        ("quarter", "h2"),
                        ("completeness", "text=indicators have a figure"),
                        ("first exception", "ul.csp-exceptions li"),
                    ):
                        box = page.locator(selector).first.bounding_box()
                        if box is None or box["y"] + box["height"] > height:
                            problems.append(f"{name}: the {what} is not visible without scrolling ({box})")
                if width == VIEWPORTS[0][0]:  # axe once per page
                    results = axe.run(
                        page,
                        context={"exclude": [[s] for s in STREAMLIT_OWN]},
                        options={"runOnly": {"type": "tag", "values": AXE_TAGS}},
                    )
                    for v in results.response["violations"]:
                        if v["impact"] not in SERIOUS:
                            continue
                        nodes = [n["html"][:120] for n in v["nodes"]]
                        problems.append(f"{url_path or 'plan'}: axe {v['id']} ({v['impact']}): {nodes[:4]}")
            page.close()
        browser.close()
    assert not problems, "\n".join(problems)
    for width, height in VIEWPORTS:
        for url_path, _ in _pages():
            assert (BOARD / f"{width}x{height}-{url_path or 'plan'}.png").stat().st_size > 10_000
