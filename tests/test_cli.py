"""The command line, run as a user runs it: a real process, real exit codes, real messages."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

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


# Every command's help, from one child process: the parser walked, each help text printed
# unwrapped (a wide COLUMNS), so a phrase is never split across lines or at a hyphen.
ALL_HELP = """
import argparse, json
from metrics.cli import build_parser

def walk(parser, name):
    out = {name: parser.format_help()}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                out.update(walk(sub, f"{name} {sub_name}"))
    return out

print(json.dumps(walk(build_parser(), "python -m metrics")))
"""
# Names the help may use although they say "ward": option and command names and a file's
# column names, which are formats people script against (the text around them says "area").
WARD_NAMES = re.compile(r"--ward\b|\bward-summary\b|\bward_(code|name)\b")
PLAN_FILE_DEFAULT = "config.yaml, or the file CSP_CONFIG names"  # the one way help names the plan file


def test_help_lists_the_commands() -> None:
    """Every command's help, and no help says "ward" or "config.yaml" out of turn: help is built
    before a plan is loaded, whatever plan is in force, so it speaks of "areas" (the plan names
    them) and of the plan file by where it is found. (Running the command itself without one
    prints the same help: test_no_command_prints_help_and_fails.)"""
    run = subprocess.run(
        [sys.executable, "-c", ALL_HELP],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "1000"},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    helps: dict[str, str] = json.loads(run.stdout)
    assert {name.removeprefix("python -m metrics").strip() for name in helps} >= {
        "", "init", "check-config", "plan-schema", "board-pack", "template", "import-return", "actions",
        "actions list", "import-police", "ward-summary",
    }  # fmt: skip
    top = helps["python -m metrics"]
    assert "init" in top and "CSP_CONFIG" in top and "CSP_DB" in top
    for name, text in helps.items():
        unnamed = WARD_NAMES.sub("", text)
        assert not re.search(r"\bward", unnamed, re.IGNORECASE), f"{name} --help says ward: {text}"
        assert "config.yaml" not in text.replace(PLAN_FILE_DEFAULT, ""), f"{name} --help names config.yaml: {text}"
        assert not re.search(r"\bcity\b|coventry", text, re.IGNORECASE), f"{name} --help names a partnership"
    assert (
        PLAN_FILE_DEFAULT in helps["python -m metrics"] and PLAN_FILE_DEFAULT in helps["python -m metrics check-config"]
    )
    assert (
        "the plan's areas, each by its name or code as the plan lists them" in helps["python -m metrics ward-summary"]
    )


# Every command that uses the store, with the arguments it needs; init is the one that makes it
# (and restore, which puts a snapshot in its place: tests/test_backup.py).
STORE_COMMANDS = {
    "template": ["--subgroup", "csvpp", "--quarter", "2025/26 Q2", "--out", "t.xlsx"],
    "import-return": ["r.csv", "--subgroup", "csvpp", "--quarter", "2025/26 Q2", "--user", "Cli"],
    "board-pack": ["--quarter", "2025/26 Q2", "--out", "p.pdf"],
    "actions": ["list", "--out", "a.csv"],
    "import-police": ["street"],
    "ward-summary": ["--out", "w.csv"],
    "compare": ["areas", "--out", "c.csv"],
    "backup": ["--out", "b.backup.zip"],
    "export": ["--out", "warehouse"],
    "import-survey": ["s.csv", "--survey", "resident_survey", "--wave", "2026"],
    "survey-results": ["--out", "s.csv"],
    "delete-survey-wave": ["--survey", "resident_survey", "--wave", "2026"],
    "consultation": ["export", "--out", "c.xlsx"],
}


def test_every_command_but_init_refuses_a_store_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from metrics.cli import build_parser, main

    missing = tmp_path / "nowhere" / "store.duckdb"
    monkeypatch.setenv("CSP_DB", str(missing))
    # main() routes the metrics logger to the fault log (no propagation); later tests read it
    # through pytest's caplog, so its state is put back afterwards.
    logger = logging.getLogger("metrics")
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text("section,quarter\r\n", encoding="utf-8")
    (tmp_path / "street").mkdir()
    (tmp_path / "s.csv").write_text("respondent\r\n1\r\n", encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001 - the parser's own list
    uses_no_store = {"init", "check-config", "plan-schema", "restore", "new-partnership"}
    assert set(commands) - uses_no_store == set(STORE_COMMANDS), "a new command: add it to STORE_COMMANDS"
    for name, args in STORE_COMMANDS.items():
        assert main([name, *args]) == 1, name
        err = capsys.readouterr().err
        assert f"The data store {missing} is not set up yet: run `python -m metrics init --demo` first." in err, name
        assert not missing.exists() and not missing.parent.exists(), f"{name} created the store"


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
    assert _run("init", env=env).returncode == 0  # import-police, like every command but init, needs a store
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
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        '"month","ward_code","ward_name","crime_type","count","population","population_is_estimate",'
        '"rate_per_1000_residents"',
        '"2024-02","E05001218","Bablake","Robbery",1,17993,"no",0.056',
    ]
    assert "# Months: 2024-02 to 2024-02" in lines and "# Demo data: no" in lines


def test_import_police_bad_file_exits_1_and_changes_nothing(tmp_path: Path) -> None:
    from tests.test_police_uk import F1, LOOKUP21, street_row, write_street

    env = {"CSP_DB": str(tmp_path / "police.duckdb")}
    assert _run("init", env=env).returncode == 0
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


# --- the command line accepts what people type (issue 15) ------------------------------------


def _demo_env(demo_store: Store) -> dict[str, str]:
    return {"CSP_DB": str(demo_store.path)}


def _rows(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, comment="#")


def test_ward_summary_takes_names_in_any_case_and_repeated_options_add_up(demo_store: Store, tmp_path: Path) -> None:
    env = _demo_env(demo_store)
    repeated, listed = tmp_path / "repeated.csv", tmp_path / "listed.csv"
    args = ("--from", "2025-04", "--to", "2025-06", "--type", "burglary", "--type", "ROBBERY")
    one = _run("ward-summary", "--ward", "foleshill", "--ward", "E05001228", *args, "--out", str(repeated), env=env)
    two = _run("ward-summary", "--ward", "FOLESHILL", "st michael's", *args, "--out", str(listed), env=env)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    frame = _rows(repeated)
    assert set(frame["ward_name"]) == {"Foleshill", "St Michael's"}, "--ward A --ward B keeps both"
    assert set(frame["crime_type"]) == {"Burglary", "Robbery"}, "lower and upper case name the same type"
    assert frame.equals(_rows(listed)), "--ward A --ward B and --ward A B mean the same"
    assert (frame["rate_per_1000_residents"] > 0).all() and (frame["population_is_estimate"] == "no").all()
    assert "DEMO DATA" in one.stdout


def test_near_misses_are_refused_with_did_you_mean(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = _run(
        "ward-summary", "--ward", "Folehsill", "--type", "burglery", "--out", str(out), env=_demo_env(demo_store)
    )
    assert result.returncode == 1 and not out.exists()
    assert "no ward is called 'Folehsill' (did you mean 'Foleshill'?)" in result.stderr
    assert "no crime type is called 'burglery' (did you mean 'Burglary'?)" in result.stderr, "both reported at once"
    assert "Traceback" not in result.stderr


def test_an_empty_result_says_so_and_exits_5(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = _run("ward-summary", "--from", "2031-01", "--to", "2031-03", "--out", str(out), env=_demo_env(demo_store))
    assert result.returncode == 5, result.stderr
    assert "No rows match: months 2031-01 to 2031-03" in result.stderr and "the store holds 2022-04 to" in result.stderr
    assert not out.exists() and result.stdout == ""
    backwards = _run(
        "ward-summary", "--from", "2025-06", "--to", "2025-04", "--out", str(out), env=_demo_env(demo_store)
    )
    assert backwards.returncode == 1 and "--from 2025-06 is after --to 2025-04" in backwards.stderr


def test_ward_summary_xlsx_carries_an_about_sheet(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = _run("ward-summary", "--ward", "Foleshill", "--from", "2025-04", "--to", "2025-04", "--out", str(out),
                  env=_demo_env(demo_store))  # fmt: skip
    assert result.returncode == 0, result.stderr
    sheets = pd.read_excel(out, sheet_name=None)
    about = dict(zip(sheets["About"].iloc[:, 0], sheets["About"].iloc[:, 1], strict=True))
    assert about["Demo data"].startswith("YES") and about["Wards"] == "Foleshill"
    assert set(sheets["Figures"]["ward_name"]) == {"Foleshill"}


def test_template_takes_a_subgroup_name(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    result = _run("template", "--subgroup", "city tasking", "--quarter", "2025/26 Q2", "--out", str(out),
                  env=_demo_env(demo_store))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Template for City Tasking, 2025/26 Q2" in result.stdout and out.exists()
    miss = _run("template", "--subgroup", "City Taskng", "--quarter", "2025/26 Q2", "--out", str(out),
                env=_demo_env(demo_store))  # fmt: skip
    assert miss.returncode == 1 and "did you mean 'City Tasking'?" in miss.stderr
