"""bench/police_zip.py at its smallest size: it runs, and its lines say what it measured."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_zip_benchmark_runs_at_its_smallest_size() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "police_zip.py"), "--rows", "600", "--months", "2", "--forces", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "zip import: 200 rows of the plan's force" in out  # 600 rows over 3 forces: the plan's force reads 200
    assert "DuckDB read_csv (unpacked): 200 rows" in out and "loose-file import (unpacked): 200 rows" in out
    assert "ratio time: the zip import takes" in out and "ratio memory: the zip import peaks at" in out
