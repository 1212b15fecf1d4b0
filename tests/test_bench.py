"""Each benchmark in bench/ runs, at its smallest size, and prints its ratio lines: a smoke
test, so the scripts cannot drift from the code (bench/ward_query.py had stopped running when
import_street_files gained `by=`). Timings stay out of the tests: only that each ran (exit 0)
and printed the lines it exists to print."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import CHROMIUM, ROOT

SMALL_PLAN = ["--config", "tests/partnerships/marrowvale/plan.yaml"]  # the fictional partnership: a smaller store
# script: (its smallest size, the ratio lines it must print)
SMALLEST = {
    "first_start.py": (
        ["--runs", "1", *SMALL_PLAN],
        [r"^first start\s+median [\d.]+ s", r"^ratio [\d.]+x \((within|over) the"],
    ),
    "page_switch.py": (
        ["--repeat", "1", "--pages", "2", *SMALL_PLAN],
        [r"^page\s+settle s\s+ratio$", r"^Plan on a Page\s+[\d.]+\s+[\d.]+"],
    ),
    "police_zip.py": (
        ["--rows", "600", "--months", "2", "--forces", "3"],
        [  # 600 rows over 3 forces: the plan's force reads 200
            r"^zip import: 200 rows of the plan's force",
            r"^loose-file import \(unpacked\): 200 rows",
            r"^DuckDB read_csv \(unpacked\): 200 rows",
            r"^ratio time: the zip import takes [\d.]+ x DuckDB's read$",
            r"^ratio memory: the zip import peaks at [\d.]+ x",
        ],
    ),
    "survey_coverage.py": (
        ["--size", "smoke"],
        [r"^coverage: [\d.]+% of \d+ 95% intervals cover the truth", r"^bias ratio: weighting removed -?\d+% of the"],
    ),
    "ward_query.py": (
        ["--rows", "2000", "--months", "2", "--page-rows", "2000", "--wards", "2"],
        [
            r"^1\. import [\d.]+ s vs DuckDB read_csv into a table [\d.]+ s: [\d.]+x \(target <= 2x\)$",
            r"^2\. ward-filtered monthly aggregation vs pandas",
            r"^   the same query on an open connection: [\d.]+ ms \([\d.]+x faster\)$",
            r"^3\. explorer rerun on a ward change at [\d,]+ incidents: \d+ ms vs query-only page \d+ ms: [\d.]+x",
        ],
    ),
}


def test_every_benchmark_has_a_smoke_test() -> None:
    assert {p.name for p in (ROOT / "bench").glob("*.py")} == set(SMALLEST)


@pytest.mark.parametrize("script", sorted(SMALLEST))
def test_the_benchmark_runs_at_its_smallest_size(script: str) -> None:
    if script == "page_switch.py" and not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser (make test does).")
    args, lines = SMALLEST[script]
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    missing = [line for line in lines if not re.search(line, run.stdout, re.MULTILINE)]
    assert missing == [], run.stdout
