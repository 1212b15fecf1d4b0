"""Run corpus files through the command line's entry point in one process and report, per
file, what it printed, its exit status, the store's checksums before and after, and the
process's peak memory (ru_maxrss) after it. Run as a subprocess by tests/test_hostile_files.py
(one interpreter for the whole corpus keeps the test fast; its peak memory bounds every file):

    python -m tests.hostile.run_corpus MANIFEST.json RESULTS.json

The manifest is a list of {"path", "explanation"}; CSP_DB names the store.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

from metrics.cli import main
from metrics.store import Store, schema

QUARTER = "2025/26 Q2"
SUBGROUP = "csvpp"


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(manifest: list[dict], store: Store) -> list[dict]:
    results = []
    after = schema.checksums(store)
    for item in manifest:
        argv = ["import-return", item["path"], "--subgroup", SUBGROUP, "--quarter", QUARTER, "--user", "Corpus"]
        if item.get("explanation"):
            argv += ["--explanation", item["explanation"]]
        before = after  # nothing else writes to the store between two files
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except BaseException as exc:  # noqa: BLE001 - recorded: the test fails on anything escaping main
                code = f"escaped: {type(exc).__name__}: {exc}"
        results.append(
            {
                "path": item["path"],
                "code": code,
                "stdout": out.getvalue(),
                "stderr": err.getvalue(),
                "seconds": round(time.perf_counter() - started, 3),
                "before": before,
                "after": (after := schema.checksums(store)),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    return results


if __name__ == "__main__":
    manifest_path, results_path = Path(sys.argv[1]), Path(sys.argv[2])
    baseline = peak_rss_mb()
    results = run(json.loads(manifest_path.read_text(encoding="utf-8")), Store(Path(os.environ["CSP_DB"])))
    results_path.write_text(json.dumps({"baseline_rss_mb": baseline, "results": results}), encoding="utf-8")
