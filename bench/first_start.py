"""What the demo quarterly returns add to first start (run on demand, not in CI).

    .venv/bin/python bench/first_start.py [--runs N]

Builds a fresh store with demo data N times with the demo returns (submitted through the real
checks and submission) and N times without, alternating, and prints the medians and ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics import bootstrap  # noqa: E402
from metrics.plan import load_plan  # noqa: E402
from metrics.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    plan = load_plan()
    with_returns = bootstrap._submit_demo_returns
    times: dict[str, list[float]] = {"with demo returns": [], "without (baseline)": []}
    for _ in range(runs):
        for label, submit in (("with demo returns", with_returns), ("without (baseline)", lambda *a: 0)):
            bootstrap._submit_demo_returns = submit
            with tempfile.TemporaryDirectory() as folder:
                start = time.perf_counter()
                bootstrap.initialise(plan, Store(Path(folder) / "bench.duckdb"), with_demo=True)
                times[label].append(time.perf_counter() - start)
    bootstrap._submit_demo_returns = with_returns
    medians = {k: statistics.median(v) for k, v in times.items()}
    for label, value in medians.items():
        print(f"{label:20s} median {value:.2f} s over {runs} runs")
    base, full = medians["without (baseline)"], medians["with demo returns"]
    print(f"ratio {full / base:.2f}x; demo returns add {full - base:.2f} s")


if __name__ == "__main__":
    main()
