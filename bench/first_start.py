"""First start against a start on an existing store (run on demand, not in CI).

    .venv/bin/python bench/first_start.py [--runs N] [--config FILE]

Each run is a new Python process that opens the dashboard (Streamlit's AppTest, the first page
drawn) as a person's first visit would: "first start" with no store file, so the store is built
with demo data before the page is drawn; "existing store" on the store the first start built.
Both include starting Python and importing the libraries. Prints the medians and their ratio
(the target is at most 3x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0  # first start may take at most this many times a start on an existing store
OPEN_PAGE = f"""
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "dashboard.py")!r}, default_timeout=300).run()
assert not at.exception, [e.value for e in at.exception]
assert at.title, "no page was drawn"
"""


def _open(env: dict[str, str]) -> float:
    """Seconds for a new process to draw the dashboard's first page."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", OPEN_PAGE], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--config", help="a plan file (default: CSP_CONFIG, else config.yaml)")
    args = parser.parse_args()
    times: dict[str, list[float]] = {"first start": [], "existing store": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "CSP_DB": str(Path(folder) / "bench.duckdb")}
            if args.config:
                env["CSP_CONFIG"] = str(Path(args.config).resolve())
            times["first start"].append(_open(env))
            times["existing store"].append(_open(env))
    medians = {k: statistics.median(v) for k, v in times.items()}
    for label, value in medians.items():
        print(f"{label:15s} median {value:.2f} s over {args.runs} runs ({', '.join(f'{t:.2f}' for t in times[label])})")
    ratio = medians["first start"] / medians["existing store"]
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(f"ratio {ratio:.2f}x ({verdict} the {TARGET_RATIO:.0f}x target)")


if __name__ == "__main__":
    main()
