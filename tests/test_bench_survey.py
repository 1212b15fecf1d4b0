"""Smoke test: the survey coverage benchmark runs at its smallest size and prints its lines."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_survey_coverage_bench_runs_at_smoke_size() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "survey_coverage.py"), "--size", "smoke"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^coverage: \d+\.\d% of 40 95% intervals cover the truth", out, re.M), out
    assert re.search(r"^bias ratio: weighting removed -?\d+% of the unweighted bias over all measures$", out, re.M), out
    assert len(re.findall(r"^bias ratio \w+: ", out, re.M)) == 4, out
