"""The store: migrations (fresh, re-run, upgrade keeps rows), one transaction per write, and
a clear message when another process holds the file."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from metrics.store import Store, StoreBusyError, schema
from metrics.store import indicators as indicator_store
from metrics.store import plan as plan_store
from metrics.store import returns as return_store
from metrics.store.returns import RETURN_ROW_COLUMNS, AuditEntry, BoardTables, ReturnSubmission, StoredSubmission
from metrics.store.schema import LATEST_VERSION, MIGRATIONS


def test_fresh_store_is_created_and_migrated(tmp_path: Path) -> None:
    store = Store(tmp_path / "new" / "csp.duckdb")
    assert schema.schema_version(store) == 0
    assert schema.migrate(store) == [m.version for m in MIGRATIONS]
    assert schema.schema_version(store) == LATEST_VERSION
    tables = set(schema.table_counts(store))
    assert {"indicator_values", "sa_figures", "action_progress", "commentary", "indicators", "wards"} <= tables


def test_rerunning_migrations_is_a_no_op(tmp_path: Path) -> None:
    store = Store(tmp_path / "csp.duckdb")
    schema.migrate(store)
    before = schema.checksums(store)
    assert schema.migrate(store) == []
    assert schema.checksums(store) == before


def test_upgrade_keeps_existing_rows(tmp_path: Path, plan) -> None:
    store = Store(tmp_path / "csp.duckdb")
    assert schema.migrate(store, target=1) == [1]
    plan_store.sync_plan(store, plan)
    before = schema.table_counts(store)
    assert schema.migrate(store) == [v.version for v in MIGRATIONS if v.version > 1]
    after = schema.table_counts(store)
    for table, count in before.items():
        if table != "schema_migrations":
            assert after[table] == count, f"{table} lost rows in the upgrade"
    assert after["wards"] == 18


def test_a_migration_missing_below_the_highest_is_still_applied(tmp_path: Path) -> None:
    """A store made where migration 4 existed but 3 did not (two branches developed in
    parallel) gets 3 later: migrations are applied by record, not by the highest number."""
    store = Store(tmp_path / "csp.duckdb")
    schema.migrate(store, target=2)
    with store.connect() as con:
        schema.apply_migration(con, next(m for m in MIGRATIONS if m.version == 4))
    assert not schema.is_ready(store)
    assert schema.migrate(store) == [v.version for v in MIGRATIONS if v.version not in (1, 2, 4)]
    assert "return_submissions" in schema.table_counts(store)


def test_a_failed_write_leaves_the_store_unchanged(demo_store: Store) -> None:
    before = schema.checksums(demo_store)
    good = {
        "indicator_id": "asb_incidents",
        "period_type": "month",
        "period_start": pd.Timestamp("2030-04-01"),
        "ward_code": None,
        "value": 1.0,
        "is_demo": False,
        "source": "test",
    }
    bad = {**good, "period_start": pd.Timestamp("2030-05-01"), "value": None}  # NOT NULL value
    with pytest.raises(Exception, match="NOT NULL"):
        indicator_store.replace_values(demo_store, pd.DataFrame([good, bad]))
    assert schema.checksums(demo_store) == before


def test_replacing_values_never_doubles_them(demo_store: Store) -> None:
    row = {
        "indicator_id": "asb_incidents",
        "period_type": "month",
        "period_start": pd.Timestamp("2025-04-01"),
        "ward_code": None,
        "value": 123.0,
        "is_demo": False,
        "source": "test",
    }
    before = schema.table_counts(demo_store)["indicator_values"]
    indicator_store.replace_values(demo_store, pd.DataFrame([row]))
    indicator_store.replace_values(demo_store, pd.DataFrame([row]))
    assert schema.table_counts(demo_store)["indicator_values"] == before
    values = indicator_store.values(demo_store)
    hit = values[
        (values.indicator_id == "asb_incidents") & (values.period_start == "2025-04-01") & values.ward_code.isna()
    ]
    assert hit["value"].tolist() == [123.0]


def _hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that opens the store, says so, and keeps it for ``seconds``."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(path)!r})
            print("holding", flush=True)
            time.sleep({seconds})
            con.close()
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_busy_store_gives_a_clear_message(demo_store: Store) -> None:
    """Another process holding the file: we wait a bounded time, then say so plainly."""
    holder = _hold(demo_store.path, 30)
    try:
        impatient = Store(demo_store.path, wait_seconds=0.5)
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as err:
            indicator_store.values(impatient)
        assert time.monotonic() - started < 5
        message = str(err.value)
        assert "is in use by another program" in message
        assert f"process {holder.pid}" in message
        assert "try again" in message
        assert "Conflicting lock" not in message
    finally:
        holder.kill()
        holder.wait()


def test_waiting_store_succeeds_once_the_other_process_lets_go(demo_store: Store) -> None:
    holder = _hold(demo_store.path, 1.0)
    try:
        assert not indicator_store.values(Store(demo_store.path, wait_seconds=15)).empty
    finally:
        holder.wait()


def test_fingerprint_changes_on_write(demo_store: Store) -> None:
    before = demo_store.fingerprint()
    plan_store.set_meta(demo_store, "touched", "yes")
    assert demo_store.fingerprint() != before


def test_latest_commentary_and_progress_at_a_quarter(tmp_path: Path) -> None:
    store = Store(tmp_path / "csp.duckdb")
    schema.migrate(store)
    notes = pd.DataFrame(
        [
            {
                "indicator_id": "asb_incidents",
                "quarter_start": pd.Timestamp(q),
                "text": t,
                "author": "lead",
                "is_demo": False,
            }
            for q, t in (("2025-04-01", "first"), ("2025-07-01", "second"))
        ]
    )
    indicator_store.replace_commentary(store, notes)
    indicator_store.replace_action_progress(
        store,
        pd.DataFrame(
            [
                {
                    "action_id": "ct_pspo",
                    "quarter_start": pd.Timestamp("2025-04-01"),
                    "status": "At risk",
                    "commentary": None,
                    "is_demo": False,
                }
            ]
        ),
    )
    assert indicator_store.commentary(store, "2025-04-01")["text"].tolist() == ["first"]
    assert indicator_store.commentary(store, "2025-10-01")["text"].tolist() == ["second"]
    assert indicator_store.commentary(store, "2025-01-01").empty
    assert indicator_store.action_progress(store, "2025-10-01")["status"].tolist() == ["At risk"]


def test_a_file_read_here_is_free_for_another_process_at_once(demo_store: Store) -> None:
    """The store attaches its file only while an operation runs: after a read, another process
    can write it, and the write is seen here."""
    indicator_store.values(demo_store)
    writer = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            from metrics.store import Store, plan
            plan.set_meta(Store({str(demo_store.path)!r}, wait_seconds=0), "written_by", "another process")
        """),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert writer.returncode == 0, writer.stderr
    assert plan_store.meta(demo_store)["written_by"] == "another process"


def test_a_file_replaced_on_disk_between_reads_is_read_afresh(demo_store: Store, tmp_path: Path) -> None:
    """Restoring another copy over the file (a backup, say): the next read sees the copy."""
    other = Store(tmp_path / "other.duckdb")
    schema.migrate(other)
    plan_store.set_meta(other, "which", "the restored copy")
    assert "which" not in plan_store.meta(demo_store)
    shutil.copy(other.path, demo_store.path)
    assert plan_store.meta(demo_store)["which"] == "the restored copy"


def _submission(**changes: object) -> ReturnSubmission:
    base = ReturnSubmission(
        subgroup_id="csvpp",
        quarter_start=date(2025, 7, 1),
        sha256="a" * 64,
        filename="csvpp-q2.csv",
        submitted_by="Ann",
        submitted_at=datetime(2025, 10, 3, 9, 30, 15),
        warnings="Sheet Indicators, row 2: a large change",
        explanation="Operation Sceptre",
    )
    return dataclasses.replace(base, **changes)


def _board(value: float) -> BoardTables:
    values = pd.DataFrame(
        [
            {
                "indicator_id": "asb_incidents",
                "period_type": "month",
                "period_start": pd.Timestamp("2025-07-01"),
                "ward_code": None,
                "value": value,
                "is_demo": False,
                "source": "return",
            }
        ]
    )
    return BoardTables(values, pd.DataFrame(), pd.DataFrame())


def _rows(value: float) -> pd.DataFrame:
    row = dict.fromkeys(RETURN_ROW_COLUMNS["Indicators"])
    row |= {"sheet": "Indicators", "row_number": 2, "indicator_id": "asb_incidents", "period_type": "month"}
    row |= {"period_start": pd.Timestamp("2025-07-01"), "value": value}
    return pd.DataFrame([row])


def test_a_typed_submission_round_trips_through_the_file(tmp_path: Path, plan) -> None:
    """What goes in as a ReturnSubmission comes back, field for field and type for type, as
    the StoredSubmission of its version; the audit row and the original file with it."""
    store = Store(tmp_path / "csp.duckdb")
    schema.migrate(store)
    plan_store.sync_plan(store, plan)
    first = _submission()
    content = b"indicator_id,value\nasb_incidents,40\n"
    assert return_store.submit_return(store, first, content, _rows(40), pd.DataFrame(), _board(40)) == 1
    stored = return_store.latest_submission(store, "csvpp", date(2025, 7, 1))
    assert stored == StoredSubmission(**dataclasses.asdict(first), version=1)
    assert isinstance(stored.quarter_start, date) and isinstance(stored.submitted_at, datetime)
    assert return_store.return_file(store, first.sha256) == content
    audit = return_store.audit(store).iloc[0]
    assert (audit["outcome"], audit["version"], audit["size_bytes"]) == ("accepted", 1, len(content))
    assert audit["reasons"] == first.warnings

    second = _submission(sha256="b" * 64, submitted_at=datetime(2025, 10, 4), warnings=None, explanation=None)
    assert return_store.submit_return(store, second, b"v2", _rows(44), pd.DataFrame(), _board(44)) == 2
    assert return_store.latest_submission(store, "csvpp", "2025-07-01") == StoredSubmission(
        **dataclasses.asdict(second), version=2
    )
    assert indicator_store.values(store)["value"].tolist() == [44.0]
    assert return_store.latest_submission(store, "csvpp", date(2025, 4, 1)) is None


def test_an_audit_entry_round_trips_through_the_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "csp.duckdb")
    schema.migrate(store)
    entry = AuditEntry(
        attempted_at=datetime(2025, 10, 3, 9, 30),
        sha256="c" * 64,
        filename="bad.xlsx",
        size_bytes=1234,
        submitted_by="Bob",
        subgroup_id="crrb",
        quarter_start=date(2025, 7, 1),
        outcome="rejected",
        reasons="Sheet Indicators, row 3, column value: not a number",
    )
    return_store.record_attempt(store, entry)
    (row,) = return_store.audit(store, "crrb", date(2025, 7, 1)).to_dict("records")
    got = row | {
        "attempted_at": row["attempted_at"].to_pydatetime(),
        "quarter_start": row["quarter_start"].date(),
        "version": None if pd.isna(row["version"]) else int(row["version"]),
    }
    assert got == dataclasses.asdict(entry)
    assert schema.table_counts(store)["return_submissions"] == 0


def test_the_audit_outcome_is_checked_in_the_store_and_the_rows_held_survive(tmp_path: Path) -> None:
    """Migration 9 rebuilds return_audit with a CHECK on outcome: the list is AuditOutcome's,
    rows written before it keep, and an outcome the code does not declare is refused."""
    [check] = [m for m in MIGRATIONS if m.version == 9]
    listed = check.statements[0].split("CHECK (outcome IN (")[1].split("))")[0]
    assert {v.strip(" '") for v in listed.split(",")} == {str(o) for o in return_store.AuditOutcome}
    store = Store(tmp_path / "audit.duckdb")
    schema.migrate(store, target=8)
    row = "now(), 'ab', 'r.xlsx', 1, 'Lead', 'csvpp', DATE '2025-07-01', '{}', NULL, NULL, false"
    with store.transaction() as con:
        con.execute(f"INSERT INTO return_audit VALUES ({row.format('refused')})")
    schema.migrate(store)
    with store.transaction() as con:
        assert con.execute("SELECT outcome, filename FROM return_audit").fetchall() == [("refused", "r.xlsx")]
    with pytest.raises(Exception, match="CHECK constraint failed"), store.transaction() as con:
        con.execute(f"INSERT INTO return_audit VALUES ({row.format('lost')})")
    with store.transaction() as con:
        assert con.execute("SELECT count(*) FROM return_audit").fetchone() == (1,)
