"""Backup and restore (metrics/store/backup.py) on real DuckDB files: a snapshot taken while
another process writes is consistent and restores row for row; a backup or restore killed at
any point leaves no half-written snapshot or store in place and the original as it was; a
snapshot from a newer schema, or one altered after it was made, is refused."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from metrics.store import Store, schema
from metrics.store.backup import (
    DATABASE,
    MANIFEST,
    WORKING_SUFFIX,
    SnapshotError,
    backup,
    read_manifest,
    restore,
)
from metrics.store.engine import now

ROOT = Path(__file__).resolve().parent.parent
WRITTEN_BY_WRITER = ("commentary", "action_progress")  # the tables the concurrent writer adds to

# A process that writes into the store, one transaction of two rows (one in each table above,
# numbered alike) at a time, until a stop file appears; it says "ready" after its fifth.
WRITER = """
import sys, time
from pathlib import Path
from metrics.store import Store
from metrics.store.engine import now
store, stop = Store(sys.argv[1]), Path(sys.argv[2])
n = 0
while not stop.exists():
    n += 1
    with store.transaction() as con:
        day, at = "DATE '2026-01-01'", now()
        con.execute(f"INSERT INTO commentary VALUES ('writer', {day}, ?, 'writer', false, ?)", [str(n), at])
        con.execute(f"INSERT INTO action_progress VALUES ('writer', {day}, ?, NULL, false, ?)", [str(n), at])
    if n == 5:
        print("ready", flush=True)
    time.sleep(0.005)
print(n, flush=True)
"""

# Backup or restore in a process of its own, started first (imports take most of a second) and
# set going by a line on its standard input, so that a kill lands inside the operation.
OPERATION = """
import sys
from pathlib import Path
from metrics.store import Store
from metrics.store.backup import backup, restore
print("ready", flush=True)
sys.stdin.readline()
if sys.argv[1] == "backup":
    backup(Store(sys.argv[2]), sys.argv[3])
else:
    restore(Path(sys.argv[2]), Path(sys.argv[3]))
print("done", flush=True)
"""


def _rows(store: Store, table: str, where: str = "") -> list[tuple]:
    with store.connect() as con:
        return con.execute(f'SELECT * FROM "{table}" {where} ORDER BY ALL').fetchall()


def _tables(store: Store) -> list[str]:
    with store.connect() as con:
        return schema.table_names(con)


@pytest.fixture(scope="module")
def original(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The demo store (every kind of record), copied once for this module; tests that write to
    it copy it again."""
    path = tmp_path_factory.mktemp("backup") / "store.duckdb"
    shutil.copy(demo_template, path)
    return Store(path)


@pytest.fixture(scope="module")
def snapshot(original: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return backup(original, tmp_path_factory.mktemp("snapshots") / "one.backup.zip").path


def _copy_of(store: Store, folder: Path, name: str = "copy.duckdb") -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(store.path, folder / name)
    return Store(folder / name)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if WORKING_SUFFIX in p.name or p.name.endswith(".wal"))


def test_the_store_holds_every_kind_of_record(original: Store) -> None:
    empty = [name for name, rows in schema.table_counts(original).items() if rows == 0]
    assert empty == [], "the backup tests need a row in every table"


def test_a_snapshot_taken_while_another_process_writes_restores_row_for_row(original: Store, tmp_path: Path) -> None:
    store = _copy_of(original, tmp_path / "live")
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store.path), str(stop)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        made = backup(store, f"{tmp_path / 'snapshots'}/")  # a folder: the snapshot is named in it
        time.sleep(0.3)
    finally:
        stop.touch()
        written = int(writer.communicate(timeout=30)[0].strip())
    assert writer.returncode == 0
    assert made.path.parent == tmp_path / "snapshots" and made.path.name.endswith(".backup.zip")

    report = restore(made.path, tmp_path / "restored" / "store.duckdb")
    restored = Store(report.store)
    assert report.replaced is None and report.migrations_applied == ()
    assert report.counts == {t.name: t.rows for t in made.manifest.tables}
    # One transaction wrote a row to each table: the snapshot holds both or neither, and was
    # taken between the writer's first rows and its last.
    numbers = {
        "commentary": _rows(restored, "commentary", "WHERE indicator_id = 'writer'"),
        "action_progress": _rows(restored, "action_progress", "WHERE action_id = 'writer'"),
    }
    seen = {table: {int(row[2]) for row in rows} for table, rows in numbers.items()}
    last = max(seen["commentary"])
    assert seen["commentary"] == seen["action_progress"] == set(range(1, last + 1))
    assert 5 <= last < written, "the writer wrote both before and after the snapshot"
    assert sorted(_tables(restored)) == sorted(_tables(store))
    for table in _tables(store):
        key, number = ("indicator_id", "text") if table == "commentary" else ("action_id", "status")
        where = (
            f"WHERE {key} <> 'writer' OR TRY_CAST({number} AS INTEGER) <= {last}" if table in WRITTEN_BY_WRITER else ""
        )
        assert _rows(restored, table) == _rows(store, table, where), table


def test_restore_replaces_a_store_keeping_the_one_it_replaced(original: Store, snapshot: Path, tmp_path: Path) -> None:
    target = _copy_of(original, tmp_path)
    with target.transaction() as con:
        con.execute("DELETE FROM commentary")
    changed = schema.checksums(target)
    report = restore(snapshot, target.path, ROOT / "config.yaml")
    assert schema.checksums(target) == schema.checksums(original)
    assert report.replaced is not None and schema.checksums(Store(report.replaced)) == changed
    text = "\n".join(report.lines())
    assert f"{len(schema.table_counts(original))} tables" in text
    assert read_manifest(snapshot).created_at in text
    assert "  commentary: 50" in text
    assert _leftovers(tmp_path) == []


def test_the_manifest_records_what_the_snapshot_holds(original: Store, snapshot: Path) -> None:
    manifest = read_manifest(snapshot)
    assert manifest.schema_version == schema.LATEST_VERSION
    assert {t.name: (t.rows, t.checksum) for t in manifest.tables} == schema.checksums(original)
    with zipfile.ZipFile(snapshot) as zf:
        assert sorted(zf.namelist()) == [MANIFEST, DATABASE]


def test_a_snapshot_records_the_plan_files_checksum(original: Store, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("partnership: one\n")
    made = backup(original, tmp_path / "with-plan.backup.zip", plan_file=plan)
    assert made.manifest.plan_file == "plan.yaml" and len(made.manifest.plan_sha256) == 64
    assert not restore(made.path, tmp_path / "a.duckdb", plan).plan_changed
    plan.write_text("partnership: two\n")
    changed = restore(made.path, tmp_path / "b.duckdb", plan)
    assert changed.plan_changed and "python -m metrics init" in "\n".join(changed.lines())


def test_keep_removes_all_but_the_newest_snapshots_and_nothing_else(original: Store, tmp_path: Path) -> None:
    folder = tmp_path / "nightly"
    folder.mkdir()
    other = folder / "holiday-photos.backup.zip"
    other.write_bytes(b"not a snapshot")
    made = [backup(original, folder, keep=2) for _ in range(3)]
    assert len({m.path for m in made}) == 3, "two snapshots in one second get different names"
    assert made[-1].pruned == (made[0].path,)
    assert sorted(p.name for p in folder.iterdir()) == sorted([other.name, made[1].path.name, made[2].path.name])
    with pytest.raises(SnapshotError, match="at least 1"):
        backup(original, folder, keep=0)


def test_an_older_snapshot_is_migrated(tmp_path: Path) -> None:
    old = Store(tmp_path / "old.duckdb")
    schema.migrate(old, target=4)
    with old.transaction() as con:
        con.execute("INSERT INTO meta VALUES ('made by', 'an older release')")
    made = backup(old, tmp_path / "old.backup.zip")
    assert made.manifest.schema_version == 4
    report = restore(made.path, tmp_path / "new.duckdb")
    later = tuple(m.version for m in schema.MIGRATIONS if m.version > 4)
    assert later[0] == 5 and report.migrations_applied == later
    assert schema.schema_version(Store(report.store)) == schema.LATEST_VERSION
    assert _rows(Store(report.store), "meta") == [("made by", "an older release")]
    assert f"migrations applied: {', '.join(map(str, later))}" in "\n".join(report.lines())


def test_a_snapshot_from_a_newer_schema_is_refused(original: Store, tmp_path: Path) -> None:
    future = _copy_of(original, tmp_path / "future")
    with future.transaction() as con:
        con.execute(
            "INSERT INTO schema_migrations VALUES (?, 'a later release', ?)", [schema.LATEST_VERSION + 1, now()]
        )
    made = backup(future, tmp_path / "future.backup.zip")
    target = _copy_of(original, tmp_path / "target")
    before = schema.checksums(target)
    with pytest.raises(SnapshotError, match=f"schema version {schema.LATEST_VERSION + 1}, newer") as caught:
        restore(made.path, target.path)
    assert "Upgrade the dashboard" in str(caught.value)
    assert schema.checksums(target) == before and _leftovers(target.path.parent) == []


def _rewrite(snapshot: Path, out: Path, manifest: dict | None = None, database: Path | None = None) -> Path:
    """A copy of a snapshot with its manifest or database replaced, as someone altering it would."""
    with zipfile.ZipFile(snapshot) as zf:
        body = manifest if manifest is not None else json.loads(zf.read(MANIFEST))
        db = database.read_bytes() if database is not None else zf.read(DATABASE)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(MANIFEST, json.dumps(body))
        zf.writestr(DATABASE, db)
    return out


def _altered_database(snapshot: Path, folder: Path) -> Path:
    """The snapshot's database with one commentary row deleted."""
    folder.mkdir()
    with zipfile.ZipFile(snapshot) as zf:
        path = folder / "altered.duckdb"
        path.write_bytes(zf.read(DATABASE))
    with Store(path).transaction() as con:
        con.execute("DELETE FROM commentary WHERE rowid = (SELECT min(rowid) FROM commentary)")
    Store(path).checkpoint()
    return path


@pytest.mark.parametrize("tampering", ["row count", "database bytes", "database and its hash", "not a snapshot"])
def test_an_altered_snapshot_is_refused_and_changes_nothing(
    original: Store, snapshot: Path, tmp_path: Path, tampering: str
) -> None:
    manifest = json.loads(zipfile.ZipFile(snapshot).read(MANIFEST))
    bad = tmp_path / "bad.backup.zip"
    if tampering == "row count":
        manifest["tables"]["indicators"]["rows"] += 1
        _rewrite(snapshot, bad, manifest=manifest)
        expected = "table indicators has 25 rows, the manifest says 26"
    elif tampering == "database bytes":
        _rewrite(snapshot, bad, database=_altered_database(snapshot, tmp_path / "alter"))
        expected = "does not match the SHA-256"
    elif tampering == "database and its hash":
        altered = _altered_database(snapshot, tmp_path / "alter")
        manifest["database_sha256"] = hashlib.sha256(altered.read_bytes()).hexdigest()
        _rewrite(snapshot, bad, manifest=manifest, database=altered)
        expected = "table commentary has 49 rows, the manifest says 50"
    else:
        bad.write_bytes(b"PK\x03\x04 not really a zip")
        expected = "not a snapshot made by `python -m metrics backup`"
    target = _copy_of(original, tmp_path / "target")
    before = schema.checksums(target)
    with pytest.raises(SnapshotError) as caught:
        restore(bad, target.path)
    assert expected in str(caught.value)
    assert "Nothing was changed" in str(caught.value) or tampering == "not a snapshot"
    assert schema.checksums(target) == before
    assert sorted(p.name for p in target.path.parent.iterdir()) == ["copy.duckdb"]


def test_a_missing_store_is_not_backed_up(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="run `python -m metrics init` first"):
        backup(Store(tmp_path / "none.duckdb"), tmp_path / "x.backup.zip")
    assert list(tmp_path.iterdir()) == []


# --- killed at any point ---------------------------------------------------------------------------

KILLS = 5  # points per operation: enough to land in each stage (copy, verify, zip, rename)


def _run_and_kill(args: list[str], after: float | None) -> float:
    """Run the operation in a process of its own; kill it ``after`` seconds into the operation
    (None: let it finish). Returns how long it ran."""
    proc = subprocess.Popen(
        [sys.executable, "-c", OPERATION, *args], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    start = time.monotonic()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    if after is None:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.strip() == "done"
        return time.monotonic() - start
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return time.monotonic() - start


def _kill_points(duration: float) -> list[float]:
    rng = random.Random(23)  # fixed: a failure can be repeated
    return sorted(rng.uniform(0.02, 1.1) * duration for _ in range(KILLS))


def test_a_backup_killed_at_any_point_leaves_no_half_written_snapshot(original: Store, tmp_path: Path) -> None:
    store = _copy_of(original, tmp_path / "live")
    before = schema.checksums(store)
    folder = tmp_path / "out"
    folder.mkdir()
    duration = _run_and_kill(["backup", str(store.path), str(folder / "whole.backup.zip")], None)
    written = []
    for i, after in enumerate(_kill_points(duration)):
        target = folder / f"killed-{i}.backup.zip"
        _run_and_kill(["backup", str(store.path), str(target)], after)
        written.append(target.exists())
        if target.exists():  # killed after the rename: then it is whole
            assert restore(target, tmp_path / f"check-{i}.duckdb").counts
        assert schema.checksums(store) == before, f"killed after {after:.2f} s"
        assert not (store.path.parent / (store.path.name + ".wal")).exists()
    assert False in written, "at least one kill landed before the snapshot was complete"
    report = backup(store, folder / "after.backup.zip")  # the next backup clears what the killed ones left
    assert _leftovers(folder) == []
    assert report.manifest.tables == read_manifest(folder / "whole.backup.zip").tables


def test_a_restore_killed_at_any_point_leaves_the_store_whole(original: Store, snapshot: Path, tmp_path: Path) -> None:
    pristine = _copy_of(original, tmp_path / "pristine")
    with pristine.transaction() as con:
        con.execute("DELETE FROM police_incidents WHERE month < DATE '2024-01-01'")
    pristine.checkpoint()
    was, restored = schema.checksums(pristine), schema.checksums(original)
    assert was != restored
    target = Store(tmp_path / "target" / "store.duckdb")
    duration = _run_and_kill(["restore", str(snapshot), str(tmp_path / "timing" / "store.duckdb")], None)
    outcomes = []
    for after in _kill_points(duration):
        shutil.rmtree(target.path.parent, ignore_errors=True)
        _copy_of(pristine, target.path.parent, target.path.name)
        _run_and_kill(["restore", str(snapshot), str(target.path)], after)
        holds = schema.checksums(target)
        assert holds in (was, restored), f"killed after {after:.2f} s: the store is neither the old nor the restored"
        outcomes.append("restored" if holds == restored else "as it was")
    assert "as it was" in outcomes, outcomes
    restore(snapshot, target.path)  # the next restore clears what a killed one left
    assert schema.checksums(target) == restored
    assert _leftovers(target.path.parent) == []


# --- the command line ------------------------------------------------------------------------------


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "CSP_DB": str(db)},
    )  # fmt: skip


def test_backup_restore_and_export_from_the_command_line(original: Store, tmp_path: Path) -> None:
    """As the nightly cron line runs it, and as an administrator restores onto a new computer."""
    live = _copy_of(original, tmp_path / "live")
    folder = tmp_path / "nightly"
    for _ in range(2):
        made = _cli("backup", "--out", f"{folder}/", "--keep", "1", db=live.path)
        assert made.returncode == 0, made.stderr
    [snapshot] = folder.iterdir()
    assert "Snapshot written" in made.stdout and "Removed 1 older snapshot(s)" in made.stdout
    fresh = tmp_path / "new-computer" / "store.duckdb"
    back = _cli("restore", str(snapshot), db=fresh)
    assert back.returncode == 0, back.stderr
    assert f"Restored {fresh} from the snapshot taken at" in back.stdout and "police_incidents: " in back.stdout
    assert schema.checksums(Store(fresh)) == schema.checksums(live)
    out = _cli("export", "--out", str(tmp_path / "warehouse"), db=fresh)
    assert out.returncode == 0 and "add --include-personal-data to include them" in out.stdout, out.stderr
    refused = _cli("restore", str(tmp_path / "warehouse" / "dictionary.csv"), db=fresh)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "is not a snapshot made by `python -m metrics backup`" in refused.stderr
