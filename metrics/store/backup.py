"""Backup and restore: a consistent snapshot of the store, taken while others read and write it,
and the way back from one.

A snapshot is one zip file holding ``store.duckdb`` (a checkpointed DuckDB copy of the store)
and ``manifest.json`` (what it holds and how to check it). The copy is DuckDB's own
``COPY FROM DATABASE``, run inside one transaction on the store's connection: the process
holds the store's lock for that moment (other processes wait, as for any write) and the
transaction sees one state of every table, so threads of the same process writing meanwhile
cannot tear it. The file is never copied byte for byte while something may be writing it.

The manifest records the schema version, each table's rows and content checksum (computed in
the same transaction as the copy), the time, DuckDB's version, the SHA-256 of the database
file and of the plan file in force. Restore checks all of them before it changes anything,
refuses a snapshot from a newer schema, migrates an older one, and puts the result in place in
one rename, keeping the store it replaces beside it under another name.

Everything is written beside its destination under a working name first and renamed into
place only when complete, so a backup or restore stopped at any point (power cut, kill -9)
leaves no half-written snapshot or store under the real name; the next run removes the
working files a stopped run left.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from metrics.store import schema
from metrics.store.engine import Store, StoreError, in_transaction

FORMAT = "csp-store-snapshot"  # marks a zip as one of ours, so pruning never deletes another file
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "store.duckdb"
SNAPSHOT_SUFFIX = ".backup.zip"
WORKING_SUFFIX = ".backup-tmp"  # a backup's or restore's files before the final rename
REPLACED_SUFFIX = ".before-restore"  # the store a restore replaced, kept beside it
CHUNK = 1 << 20  # bytes read at a time when hashing or extracting
_WORKING_NAME = re.compile(r"\.(?P<pid>\d+)-[0-9a-f]{8}\.[a-z.]*" + re.escape(WORKING_SUFFIX) + "$")


class SnapshotError(StoreError):
    """A snapshot cannot be made or restored; the message says what is wrong and what to do.
    Raised before anything was changed."""


@dataclass(frozen=True)
class TableSummary:
    """One table in a snapshot: its rows and content checksum."""

    name: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class Manifest:
    """What a snapshot holds, and how to check it."""

    created_at: str  # ISO 8601, UTC
    schema_version: int
    duckdb_version: str
    store_name: str
    database_sha256: str
    database_bytes: int
    plan_file: str | None
    plan_sha256: str | None
    tables: tuple[TableSummary, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "schema_version": self.schema_version,
            "duckdb_version": self.duckdb_version,
            "store_name": self.store_name,
            "database_sha256": self.database_sha256,
            "database_bytes": self.database_bytes,
            "plan_file": self.plan_file,
            "plan_sha256": self.plan_sha256,
            "tables": {t.name: {"rows": t.rows, "checksum": t.checksum} for t in self.tables},
        }
        return json.dumps(body, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, where: Path) -> Manifest:
        try:
            body = json.loads(text)
            if body.get("format") != FORMAT:
                raise ValueError(f"it is not a {FORMAT} manifest")
            if body["format_version"] > FORMAT_VERSION:
                raise ValueError(
                    f"it is in snapshot format {body['format_version']}, newer than this software reads "
                    f"({FORMAT_VERSION}): upgrade the dashboard to restore it"
                )
            tables = tuple(
                TableSummary(name, int(t["rows"]), str(t["checksum"])) for name, t in sorted(body["tables"].items())
            )
            return cls(
                created_at=str(body["created_at"]),
                schema_version=int(body["schema_version"]),
                duckdb_version=str(body["duckdb_version"]),
                store_name=str(body["store_name"]),
                database_sha256=str(body["database_sha256"]),
                database_bytes=int(body["database_bytes"]),
                plan_file=body.get("plan_file"),
                plan_sha256=body.get("plan_sha256"),
                tables=tables,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SnapshotError(f"{where} is not a usable snapshot: its {MANIFEST} cannot be read ({exc}).") from exc


@dataclass(frozen=True)
class BackupReport:
    path: Path
    manifest: Manifest
    pruned: tuple[Path, ...] = ()
    stale_removed: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        m = self.manifest
        out = [
            f"Snapshot written: {self.path} ({self.path.stat().st_size:,} bytes).",
            f"Taken at {m.created_at} (UTC): schema version {m.schema_version}, {len(m.tables)} tables, "
            f"{m.rows:,} rows.",
        ]
        if self.pruned:
            out.append(f"Removed {len(self.pruned)} older snapshot(s): {', '.join(p.name for p in self.pruned)}.")
        if self.stale_removed:
            out.append(f"Removed working files left by a backup that was stopped: {', '.join(self.stale_removed)}.")
        return out


@dataclass(frozen=True)
class RestoreReport:
    store: Path
    manifest: Manifest
    migrations_applied: tuple[int, ...]
    replaced: Path | None  # where the store that was replaced is kept (None: there was none)
    counts: dict[str, int] = field(default_factory=dict)  # rows per table, as restored
    plan_changed: bool = False
    checksums_compared: bool = True  # False when the snapshot was made by another DuckDB version

    def lines(self) -> list[str]:
        m = self.manifest
        out = [
            f"Restored {self.store} from the snapshot taken at {m.created_at} (UTC).",
            f"{len(self.counts)} tables, {sum(self.counts.values()):,} rows:",
            *(f"  {name}: {rows:,}" for name, rows in sorted(self.counts.items())),
        ]
        if self.migrations_applied:
            out.append(
                f"The snapshot had schema version {m.schema_version}; migrations applied: "
                f"{', '.join(map(str, self.migrations_applied))}."
            )
        if not self.checksums_compared:
            out.append(
                f"The snapshot was made with DuckDB {m.duckdb_version} (this is {duckdb.__version__}): its file "
                "checksum and row counts were checked, the per-table content checksums could not be."
            )
        if self.replaced is not None:
            out.append(f"The store it replaced is kept as {self.replaced}: delete it once you are satisfied.")
        if self.plan_changed:
            out.append(
                "The plan file has changed since the snapshot was taken: run `python -m metrics init` to load "
                "the current plan into the restored store."
            )
        return out


# --- backup --------------------------------------------------------------------------------------


def snapshot_name(store: Store, at: datetime) -> str:
    """The file name a snapshot of ``store`` taken at ``at`` gets in a folder of snapshots."""
    return f"{store.path.stem}-{at.strftime('%Y%m%dT%H%M%SZ')}{SNAPSHOT_SUFFIX}"


def backup(store: Store, out: str | Path, plan_file: Path | None = None, keep: int | None = None) -> BackupReport:
    """Write a consistent snapshot of ``store`` to ``out`` (a file, or a folder to name it in:
    an existing one, or any path ending in a slash),
    then, with ``keep``, remove all but the newest ``keep`` snapshots of this store in that folder.

    Safe while the dashboard runs and writes: see the module's docstring."""
    if keep is not None and keep < 1:
        raise SnapshotError(f"--keep must be at least 1 (it was {keep}): it is how many snapshots to keep.")
    if not store.path.exists():
        raise SnapshotError(f"There is no data store at {store.path} to back up: run `python -m metrics init` first.")
    at = datetime.now(UTC)
    folder = str(out).endswith(("/", os.sep)) or Path(out).is_dir()  # a trailing slash: a folder to make
    target = _free_name(Path(out) / snapshot_name(store, at)) if folder else Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    stale = remove_stale_working_files(target.parent)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    work_db = target.with_name(f"{target.name}.{tag}.db{WORKING_SUFFIX}")
    work_zip = target.with_name(f"{target.name}.{tag}.zip{WORKING_SUFFIX}")
    try:
        version, tables = _copy(store, work_db)
        _check_copy(work_db, tables)
        digest, size = _sha256(work_db)
        manifest = Manifest(
            created_at=at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            schema_version=version,
            duckdb_version=duckdb.__version__,
            store_name=store.path.name,
            database_sha256=digest,
            database_bytes=size,
            plan_file=plan_file.name if plan_file else None,
            plan_sha256=_sha256(plan_file)[0] if plan_file else None,
            tables=tuple(TableSummary(n, rows, check) for n, (rows, check) in sorted(tables.items())),
        )
        with zipfile.ZipFile(work_zip, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST, manifest.to_json())
            zf.write(work_db, DATABASE)
        _fsync(work_zip)
        os.replace(work_zip, target)
        _fsync_folder(target.parent)
    finally:
        for path in (work_db, work_zip, work_db.with_name(work_db.name + ".wal")):
            path.unlink(missing_ok=True)
    pruned = prune(target.parent, keep, store.path.name) if keep else []
    return BackupReport(target, manifest, tuple(pruned), tuple(stale))


def snapshot_download(store: Store, plan_file: Path | None = None) -> tuple[str, bytes, Manifest]:
    """A snapshot to download (the dashboard's administrators): written as :func:`backup`
    writes one, into a temporary folder, read back and removed. Returns its file name, its
    bytes and its manifest."""
    with tempfile.TemporaryDirectory(prefix="csp-backup-") as folder:
        report = backup(store, f"{folder}{os.sep}", plan_file)
        return report.path.name, report.path.read_bytes(), report.manifest


def _free_name(path: Path) -> Path:
    """``path``, or with -2, -3 ... before its suffix if taken (two backups in one second)."""
    stem = path.name.removesuffix(SNAPSHOT_SUFFIX)
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{stem}-{n}{SNAPSHOT_SUFFIX}")
    return path


def _copy(store: Store, work_db: Path) -> tuple[int, dict[str, tuple[int, str]]]:
    """Copy the store into a new DuckDB file in one transaction; returns the schema version and
    the checksums that transaction saw."""
    alias = f"snapshot_{uuid.uuid4().hex[:12]}"
    quoted = str(work_db.resolve()).replace("'", "''")
    with store.connect() as con:
        source = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH '{quoted}' AS {alias}")
        try:
            with in_transaction(con):
                con.execute(f"COPY FROM DATABASE {source} TO {alias}")
                version = schema.version_on(con)
                tables = schema.checksums_on(con)
            con.execute(f"CHECKPOINT {alias}")
        finally:
            con.execute(f"DETACH {alias}")
    return version, tables


def _check_copy(work_db: Path, expected: dict[str, tuple[int, str]]) -> None:
    """The copy holds exactly what the transaction saw."""
    found = schema.checksums(Store(work_db))
    if found != expected:
        differ = sorted(n for n in expected.keys() | found.keys() if expected.get(n) != found.get(n))
        raise SnapshotError(
            f"The snapshot's copy differs from the store in {', '.join(differ)}; nothing was written. "
            "Try again; if it happens again, report it."
        )


def prune(folder: Path, keep: int, store_name: str | None = None) -> list[Path]:
    """Remove all but the newest ``keep`` snapshots in ``folder`` (of the store named
    ``store_name``, if given); files that are not snapshots are never touched."""
    found: list[tuple[str, Path]] = []
    for path in folder.glob(f"*{SNAPSHOT_SUFFIX}"):
        try:
            manifest = read_manifest(path)
        except SnapshotError:
            continue
        if store_name is None or manifest.store_name == store_name:
            found.append((manifest.created_at, path))
    found.sort(reverse=True)
    removed = []
    for _created, path in found[keep:]:
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


# --- restore -------------------------------------------------------------------------------------


def read_manifest(snapshot: Path) -> Manifest:
    """The manifest of a snapshot file; :class:`SnapshotError` if it is not one."""
    try:
        with zipfile.ZipFile(snapshot) as zf:
            names = set(zf.namelist())
            if not {MANIFEST, DATABASE} <= names:
                raise SnapshotError(
                    f"{snapshot} is not a snapshot made by `python -m metrics backup`: it should hold "
                    f"{MANIFEST} and {DATABASE}, and holds {', '.join(sorted(names)) or 'nothing'}."
                )
            text = zf.read(MANIFEST).decode("utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise SnapshotError(f"There is no snapshot file at {snapshot}: check the path.") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise SnapshotError(
            f"{snapshot} is not a snapshot made by `python -m metrics backup` (not a readable zip file: {exc})."
        ) from exc
    return Manifest.from_json(text, snapshot)


def restore(snapshot: str | Path, store_path: str | Path, plan_file: Path | None = None) -> RestoreReport:
    """Replace the store at ``store_path`` with the snapshot's, only if every check passes.

    Checks the manifest, the database file's SHA-256, every table's rows and checksum, and the
    schema version (a newer one is refused, an older one migrated), all on a working copy
    beside the store; the store is replaced in one rename, under its lock, and the one it
    replaced is kept beside it. On any failure the store is exactly as it was."""
    snapshot, store_path = Path(snapshot), Path(store_path)
    manifest = read_manifest(snapshot)
    if manifest.schema_version > schema.LATEST_VERSION:
        raise SnapshotError(
            f"{snapshot} was taken from a store with schema version {manifest.schema_version}, newer than this "
            f"software knows ({schema.LATEST_VERSION}). Upgrade the dashboard, then restore it; nothing was changed."
        )
    store_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_working_files(store_path.parent)
    work = store_path.with_name(f"{store_path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.restore{WORKING_SUFFIX}")
    try:
        _extract(snapshot, manifest, work)
        working = Store(work)
        compared = _check_tables(snapshot, manifest, working)
        applied = schema.migrate(working) if manifest.schema_version < schema.LATEST_VERSION else []
        counts = schema.table_counts(working)
        working.checkpoint()
        replaced = _put_in_place(work, Store(store_path))
    finally:
        for path in (work, work.with_name(work.name + ".wal")):
            path.unlink(missing_ok=True)
    plan_changed = bool(plan_file and manifest.plan_sha256 and _sha256(plan_file)[0] != manifest.plan_sha256)
    return RestoreReport(store_path, manifest, tuple(applied), replaced, counts, plan_changed, compared)


def _extract(snapshot: Path, manifest: Manifest, work: Path) -> None:
    """Write the snapshot's database to ``work``, checking its SHA-256 against the manifest."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(snapshot) as zf, zf.open(DATABASE) as source, open(work, "wb") as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a damaged member fails its CRC check here
        raise SnapshotError(
            f"{snapshot} is damaged: its {DATABASE} cannot be read ({exc}). Nothing was changed."
        ) from exc
    if digest.hexdigest() != manifest.database_sha256:
        raise SnapshotError(
            f"{snapshot} fails its check: the database inside does not match the SHA-256 its manifest records, "
            "so it was altered or damaged after it was made. Nothing was changed; use another snapshot."
        )


def _check_tables(snapshot: Path, manifest: Manifest, working: Store) -> bool:
    """Every table the manifest lists holds the rows (and, with the same DuckDB, the content)
    it records, and the schema version is the one it records. Returns whether content
    checksums were compared."""
    try:
        version = schema.schema_version(working)
        found = schema.checksums(working)
    except duckdb.Error as exc:
        raise SnapshotError(
            f"{snapshot} is damaged: its database cannot be opened ({exc}). Nothing was changed."
        ) from exc
    same_engine = manifest.duckdb_version == duckdb.__version__
    problems = []
    if version != manifest.schema_version:
        problems.append(f"schema version {version}, the manifest says {manifest.schema_version}")
    for table in manifest.tables:
        rows, checksum = found.get(table.name, (None, None))
        if rows is None:
            problems.append(f"table {table.name} is missing")
        elif rows != table.rows:
            problems.append(f"table {table.name} has {rows:,} rows, the manifest says {table.rows:,}")
        elif same_engine and checksum != table.checksum:
            problems.append(f"table {table.name}'s content does not match its checksum")
    extra = sorted(found.keys() - {t.name for t in manifest.tables})
    if extra:
        problems.append(f"tables not in the manifest: {', '.join(extra)}")
    if problems:
        raise SnapshotError(
            f"{snapshot} fails its checks, so it was altered or damaged after it was made: "
            + "; ".join(problems)
            + ". Nothing was changed; use another snapshot."
        )
    return same_engine


def _put_in_place(work: Path, store: Store) -> Path | None:
    """Rename the working copy over the store, holding the store's lock so that no process
    writes to it meanwhile (a write there would be lost). The store replaced is kept under
    another name by a hard link (no descriptor of the file is opened, so the lock holds: see
    :mod:`metrics.bootstrap`). Returns where it is kept."""
    if not store.path.exists():
        os.replace(work, store.path)
        _fsync_folder(store.path.parent)
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = store.path.with_name(f"{store.path.name}.{stamp}{REPLACED_SUFFIX}")
    with store.session():
        store.checkpoint()  # everything in the file itself: the kept copy needs no write-ahead log
        with contextlib.suppress(FileExistsError):
            os.link(store.path, kept)
        os.replace(work, store.path)
        _fsync_folder(store.path.parent)
    return kept if kept.exists() else None


# --- files ---------------------------------------------------------------------------------------


def remove_stale_working_files(folder: Path) -> list[str]:
    """Remove working files in ``folder`` left by a backup or restore that was stopped (their
    process, named in the file name, no longer runs). Returns the names removed."""
    removed = []
    for path in sorted(folder.glob(f"*{WORKING_SUFFIX}*")):
        match = _WORKING_NAME.search(path.name.removesuffix(".wal"))
        if match is None or _running(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path.name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
