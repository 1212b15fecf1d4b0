"""How long moving between pages takes in the meeting: Chromium clicks each page in the sidebar
and waits until it has settled (the script finished, every plotly chart drawn), and the time is
compared with an almost empty page measured in the same run, on the same server and store.

    .venv/bin/python bench/page_switch.py [--repeat 3] [--pages N] [--config FILE]

Starts `streamlit run dashboard.py` on a fresh demo store in a temporary folder, with
CSP_BENCH_EMPTY_PAGE=1 so the router adds the almost empty page (a title and the sidebar's
quarter picker: the shared frame every page pays for). Prints each page's median settle time and
its ratio to the empty page; the target is a ratio of at most 2.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.bootstrap import initialise  # noqa: E402
from metrics.plan.model import load_plan  # noqa: E402
from metrics.plan.words import area_words  # noqa: E402
from metrics.store import Store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
EMPTY = "Empty page (benchmark)"
TARGET_RATIO = 2.0
SETTLE_MS = 60_000
SETTLED = """(title) => {
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  const app = document.querySelector('[data-testid="stApp"]');
  return h1 && h1.textContent.trim() === title && app.dataset.testScriptState === 'notRunning'
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('svg.main-svg'))
    && !document.querySelector('[data-stale="true"]');
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pages() -> list[tuple[str, str, str]]:
    """(sidebar link, h1 once drawn) for every page, the empty one first."""
    plan = load_plan()
    pages = [(EMPTY, EMPTY), ("Plan on a Page", "Plan on a Page"), ("Exception report", "Exception report")]
    pages += [(t.short_name, t.name) for t in plan.themes]
    if plan.settings.strategic_assessment_file is not None:
        pages.append(("Strategic Assessment", "Strategic Assessment"))
    explorer = f"{area_words(plan).One} explorer"
    pages.append((explorer, explorer))
    pages += [("Upload a return", "Upload a quarterly return"), ("Returns tracker", "Returns tracker")]
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="visits per page (the median is printed)")
    parser.add_argument("--pages", type=int, default=100, help="time only the first N pages (the empty one first)")
    parser.add_argument("--config", help="a plan file (default: CSP_CONFIG, else config.yaml)")
    args = parser.parse_args()
    if args.config:  # this process's plan (the store's demo data) and the server's
        os.environ["CSP_CONFIG"] = str(Path(args.config).resolve())
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        initialise(load_plan(), Store(db), with_demo=True)
        port = _free_port()
        env = {**os.environ, "CSP_DB": str(db), "CSP_BENCH_EMPTY_PAGE": "1"}
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            times: dict[str, list[float]] = {}
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_function(SETTLED, arg="Plan on a Page", timeout=120_000)
                pages = _pages()[: max(args.pages, 2)]  # the empty page and at least one other
                for _ in range(args.repeat + 1):  # the first round warms the caches and is dropped
                    for link, title in pages:
                        start = time.perf_counter()
                        page.locator('[data-testid="stSidebar"]').get_by_role("link", name=link).click()
                        page.wait_for_function(SETTLED, arg=title, timeout=SETTLE_MS, polling=20)
                        times.setdefault(title, []).append(time.perf_counter() - start)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    medians = {title: statistics.median(t[1:]) for title, t in times.items()}
    base = medians[EMPTY]
    print(f"{'page':<42} {'settle s':>9} {'ratio':>6}")
    for title, seconds in medians.items():
        ratio = seconds / base
        flag = "" if ratio <= TARGET_RATIO else f"  over {TARGET_RATIO:g}x"
        print(f"{title[:42]:<42} {seconds:>9.2f} {ratio:>6.1f}{flag}")


if __name__ == "__main__":
    main()
