"""Hostile and broken returns (issue 10), made at test time by tests/hostile/make_corpus.py from
the project's own template and run through the command line against a real DuckDB store: each
refused with its place named and no traceback, the store unchanged but for one audit row,
memory bounded; the valid controls still stored. Also the bounded messages and audit rows, the
size limit on the command line, the refusal of formula-like text and the upload page's
neutralised tables (the download rule itself: tests/test_spreadsheet.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import returns, spreadsheet
from metrics.plan.model import load_plan
from metrics.quarters import Quarter
from metrics.returns.messages import AUDIT_REASONS_CHARS, ERROR, Message, bounded
from metrics.store import Store, schema
from metrics.store import returns as return_store
from tests.conftest import ROOT
from tests.hostile.make_corpus import FILE, QUARTER, SUBGROUP, Case, write
from tests.test_app import APP, TIMEOUT, _goto

MEMORY_GROWTH_MB = 200  # the whole corpus may raise the process's peak by at most this over its start
OUTPUT_CHARS = 12_000  # what one file may print: a few dozen messages, never one per row of 100,000
# The classes issue 10 names, and those a person would try next: each must be in the corpus.
CLASSES = (
    "stale <dimension>", "blank rows", "one far cell", "100,000 rows", "1 MB cell", "zip bomb", "missing shared",
    "holding text", "NaN", "malformed sheet XML", "chart sheet", "formula", "text that runs as a formula",
    "a link to", "macro", "embedded object", "bounded messages", "encodings", "line endings", "merged cells",
    "hidden sheet", "date in a number", "boolean in a number", "thousands separators", "unicode minus", "infinity",
    "renamed types", "duplicated column", "password-protected", "XML entity",
)  # fmt: skip


def _cli_env(db: Path, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CSP_DB": str(db), "CSP_FAULT_LOG": str(tmp_path / "faults.log"), "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, write(folder, load_plan(ROOT / "config.yaml"))


@pytest.fixture(scope="module")
def results(corpus, demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The whole corpus through the command line's entry point, one file after another, in one
    child process (its peak memory bounds every file) against a copy of the demo store."""
    folder, made = corpus
    work = tmp_path_factory.mktemp("corpus_run")
    db = work / "store.duckdb"
    shutil.copy(demo_template, db)
    manifest = work / "manifest.json"
    manifest.write_text(json.dumps([{"path": str(folder / c.name), "explanation": c.explanation} for c in made]))
    out = work / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "tests.hostile.run_corpus", str(manifest), str(out)],
        cwd=ROOT, env=_cli_env(db, work), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads(out.read_text())
    data["by_name"] = {Path(r["path"]).name: r for r in data["results"]}
    data["store"] = Store(db)
    return data


def test_the_corpus_covers_every_class(corpus) -> None:
    kinds = " | ".join(c.kind for c in corpus[1])
    assert [k for k in CLASSES if k not in kinds] == []
    assert sum(c.stored for c in corpus[1]) >= 5, "valid controls run alongside the hostile files"


def test_each_file_is_refused_with_its_place_or_stored(corpus, results) -> None:
    failures = []
    for case in corpus[1]:
        r = results["by_name"][case.name]
        printed = r["stdout"] + r["stderr"]
        changed = {t for t in r["after"] if r["after"][t] != r["before"][t]}
        problems = []
        if "Traceback" in printed or not isinstance(r["code"], int):
            problems.append(f"a traceback or an escaped exception: {r['code']}")
        if len(printed) > OUTPUT_CHARS:
            problems.append(f"printed {len(printed):,} characters")
        if r["after"]["return_audit"][0] != r["before"]["return_audit"][0] + 1:
            problems.append("not exactly one audit row")
        if case.stored:
            if r["code"] != 0 or "return_submissions" not in changed:
                problems.append(f"a valid control was not stored (exit {r['code']}): {printed[:400]}")
        else:
            errors = [line for line in r["stderr"].splitlines() if line.startswith("Error: ")]
            located = [e for e in errors if e.startswith(f"Error: {case.where}") and case.words in e]
            if r["code"] != 1:
                problems.append(f"exit {r['code']}, not 1")
            if not located:
                problems.append(f"no error at {case.where!r} saying {case.words!r}: {errors[:3]}")
            if case.where == FILE and not any(f"'{case.name}'" in e for e in errors):
                problems.append("a whole-file refusal that does not name the file")
            if changed - {"return_audit"}:
                problems.append(f"changed {sorted(changed - {'return_audit'})}")
        if problems:
            failures.append(f"{case.name} ({case.kind}): " + "; ".join(problems))
    assert failures == []


def test_memory_stays_bounded_over_the_whole_corpus(results) -> None:
    peaks = {name: r["peak_rss_mb"] for name, r in results["by_name"].items()}
    grew = max(peaks.values()) - results["baseline_rss_mb"]
    assert grew < MEMORY_GROWTH_MB, f"peak RSS grew by {grew:.0f} MB: {sorted(peaks.items(), key=lambda p: -p[1])[:5]}"


def test_many_bad_rows_give_a_bounded_list_and_a_bounded_audit_row(results) -> None:
    r = results["by_name"]["errors_1900.csv"]
    errors = [line for line in r["stderr"].splitlines() if line.startswith("Error: ")]
    per_kind = load_plan(ROOT / "config.yaml").settings.returns.messages_per_kind
    assert len(errors) == per_kind + 1, errors
    assert "1,890 more of the 1,900 problems like the first 10 above (rows 12 to 1,901)" in errors[-1]
    assert "'errors_1900.csv' has 1,900 error(s)" in r["stdout"], "the count is of every error found"
    assert "the file has 1,900 error(s)" in r["stderr"]
    audit = return_store.audit(results["store"])
    assert audit["reasons"].fillna("").str.len().max() <= AUDIT_REASONS_CHARS


def test_the_command_line_itself_refuses_a_far_cell_and_an_oversized_file(
    corpus, demo_store: Store, tmp_path: Path
) -> None:
    """Through `python -m metrics` as a person runs it: no traceback; a file over the size
    limit is refused (and audited) without being read into memory."""
    folder, _made = corpus
    env = _cli_env(demo_store.path, tmp_path)
    base = ["import-return", "--subgroup", SUBGROUP, "--quarter", QUARTER.label, "--user", "Cli"]
    far = subprocess.run([sys.executable, "-m", "metrics", *base, str(folder / "cell_at_xfd1048576.xlsx")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert far.returncode == 1 and "Traceback" not in far.stderr
    assert "Error: Indicators sheet, row 1048576, column 'XFD'" in far.stderr
    big = tmp_path / "big.csv"
    with big.open("wb") as out:
        out.write((folder / "control.csv").read_bytes())
        out.write(b"," * 6_000_000)
    before = schema.checksums(demo_store)
    refused = subprocess.run([sys.executable, "-m", "metrics", *base, str(big)],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode == 1 and "'big.csv' is too large to accept. Seen: '6.0 MB'" in refused.stderr
    after = schema.checksums(demo_store)
    assert after["return_audit"][0] == before["return_audit"][0] + 1
    assert {k: v for k, v in after.items() if k != "return_audit"} == {
        k: v for k, v in before.items() if k != "return_audit"
    }


def test_an_unforeseen_fault_is_a_message_and_a_logged_reference(
    plan, demo_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever breaks inside the reader becomes one error for the file (no traceback, no
    server path) and the full error in the operator's log."""

    def broken(*_args: object) -> None:
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr("metrics.returns.validation.read_sheets", broken)
    content = b"section,quarter\r\n"
    parsed = returns.validate_return(plan, demo_store, content, "x.csv", SUBGROUP, QUARTER)
    [message] = parsed.messages
    assert message.severity == ERROR and "unexpected fault (RuntimeError)" in message.text
    assert "/srv/secret" not in message.text and parsed.sha256[:12] in message.text
    assert "/srv/secret/path exploded" in caplog.text, "the operator's log has the full error"


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("=1+1", True), ('=HYPERLINK("http://x")', True), (" =A1", True), ("-2+3+cmd|' /C calc'!A0", True),
        ("@SUM(A1)", True), ("+Sheet2!A1", True), ("-5", False), ("+44 7700 900123", False),
        ("- see notes", False), ("- Rates fell (see note)", False), ("+ two more staff (funded)", False),
        ("Rose 5% (= target)", False), ("lead@example.org", False),
    ],
)  # fmt: skip
def test_formula_like_text(text: str, runs: bool) -> None:
    assert spreadsheet.formula_like(text) is runs


def test_bounded_keeps_n_per_kind_and_counts_the_rest() -> None:
    many = [
        Message(severity=ERROR, sheet="CSV file", row=r, column="value", seen=str(r), problem=f"row {r} value '{r}'",
                expected="a number")
        for r in range(2, 102)
    ] + [Message(severity=ERROR, problem="'f.csv' is odd", expected="x")]  # fmt: skip
    kept = bounded(many, 3)
    assert [m.row for m in kept[:3]] == [2, 3, 4] and kept[3].problem == "'f.csv' is odd"
    assert "97 more of the 100 problems like the first 3 above (rows 5 to 101)" in kept[4].problem
    assert len(kept) == 5


@pytest.fixture
def app_db(app_store: Store) -> Store:
    return app_store


def test_the_upload_page_refuses_active_content_and_neutralises_its_tables(corpus, app_db: Store) -> None:
    """A hostile file on the page: the refusal is shown with its place, no exception; the audit
    table then lists the attempt under the file's own (hostile) name, neutralised, so the
    table's own "Download as CSV" cannot export a formula."""
    folder, _made = corpus
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "returns-upload")
    at.selectbox(key="return_subgroup").set_value(SUBGROUP)
    at.selectbox(key="return_quarter").set_value(Quarter.parse("2025/26 Q2").label)
    at.run()
    hostile_name = "=cmd|' calc'!A0.xlsx"
    content = (folder / "dde_formula.xlsx").read_bytes()
    at.file_uploader[0].set_value((hostile_name, content, returns.XLSX_MIME)).run()
    assert not at.exception
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "holds a formula that can fetch, link or run something" in html
    assert 'href="#row-indicators-3"' in html
    at.button(key="return_submit").click().run()
    assert not at.exception
    audit = next(d.value for d in at.dataframe if "Reasons" in d.value.columns)  # the audit log, in a lead's words
    assert audit["File"].iloc[0] == "'" + hostile_name
