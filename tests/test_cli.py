"""The command line, run as a user runs it: a real process, real exit codes, real messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from metrics.store import Store, schema
from metrics.store.schema import MIGRATIONS
from tests.conftest import ROOT


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_help_lists_the_commands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    assert "init" in result.stdout and "CSP_CONFIG" in result.stdout and "CSP_DB" in result.stdout


def test_no_command_prints_help_and_fails() -> None:
    result = _run()
    assert result.returncode == 2
    assert "usage: python -m metrics" in result.stdout


def test_init_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    first = _run("init", "--demo", env={"CSP_DB": str(db)})
    assert first.returncode == 0, first.stderr
    assert "Migrations applied: " + ", ".join(str(m.version) for m in MIGRATIONS) in first.stdout
    assert "Demo data loaded" in first.stdout
    before = schema.checksums(Store(db))
    second = _run("init", "--demo", env={"CSP_DB": str(db)})
    assert second.returncode == 0, second.stderr
    assert "Schema already up to date." in second.stdout
    assert "Demo data loaded" not in second.stdout
    after = schema.checksums(Store(db))
    assert {t: v for t, v in after.items() if t != "meta"} == {t: v for t, v in before.items() if t != "meta"}


def test_init_without_demo_loads_plan_and_assessment_only(tmp_path: Path) -> None:
    db = tmp_path / "plain.duckdb"
    result = _run("init", env={"CSP_DB": str(db)})
    assert result.returncode == 0, result.stderr
    counts = schema.table_counts(Store(db))
    assert counts["indicators"] == 25 and counts["sa_figures"] == 23 and counts["indicator_values"] == 0


def test_broken_config_fails_with_the_key_named(tmp_path: Path) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text(
        (ROOT / "config.yaml").read_text(encoding="utf-8").replace("owner: csvpp", "owner: nobody", 1), encoding="utf-8"
    )
    result = _run("init", env={"CSP_CONFIG": str(bad), "CSP_DB": str(tmp_path / "x.duckdb")})
    assert result.returncode == 1
    assert "unknown owner 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_import_police_and_ward_summary(tmp_path: Path) -> None:
    from tests.test_police_uk import B1, F1, LOOKUP21, street_row, write_street

    env = {"CSP_DB": str(tmp_path / "police.duckdb")}
    folder = tmp_path / "archive"
    write_street(folder / "2024-01" / "2024-01-wm-street.csv", [street_row("2024-01", F1), street_row("2024-01", None)])
    write_street(folder / "2024-02" / "2024-02-wm-street.csv", [street_row("2024-02", B1, "Robbery")])
    result = _run("import-police", str(folder), "--lookup", str(LOOKUP21), env=env)
    assert result.returncode == 0, result.stderr
    assert "[##############################] 100% Import finished" in result.stdout
    assert "Rows read: 3." in result.stdout and "Stored (in the partnership's wards): 2." in result.stdout
    assert "no location (blank LSOA): 1" in result.stdout
    out = tmp_path / "summary.csv"
    result = _run("ward-summary", "--from", "2024-02", "--ward", "E05001218", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").splitlines() == [
        '"month","ward_code","ward_name","crime_type","count"',
        '"2024-02","E05001218","Bablake","Robbery",1',
    ]


def test_import_police_bad_file_exits_1_and_changes_nothing(tmp_path: Path) -> None:
    from tests.test_police_uk import F1, LOOKUP21, street_row, write_street

    env = {"CSP_DB": str(tmp_path / "police.duckdb")}
    good = write_street(tmp_path / "2024-01-wm-street.csv", [street_row("2024-01", F1)])
    assert _run("import-police", str(good), "--lookup", str(LOOKUP21), env=env).returncode == 0
    before = schema.checksums(Store(tmp_path / "police.duckdb"))
    empty = tmp_path / "2024-02-wm-street.csv"
    empty.write_bytes(b"")
    result = _run("import-police", str(good), str(empty), env=env)
    assert result.returncode == 1
    assert f"{empty}: the file is empty" in result.stderr and "Traceback" not in result.stderr
    assert schema.checksums(Store(tmp_path / "police.duckdb")) == before
    skipped = _run("import-police", str(good), str(empty), "--skip-bad", env=env)
    assert skipped.returncode == 0 and "Skipped (bad file)" in skipped.stdout
    bad_month = _run("ward-summary", "--from", "March", "--out", str(tmp_path / "x.csv"), env=env)
    assert bad_month.returncode == 1 and "'March' is not a month in the form YYYY-MM" in bad_month.stderr
