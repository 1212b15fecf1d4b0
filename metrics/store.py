"""The embedded DuckDB store: schema, numbered migrations and every SQL statement.

DuckDB lets one process at a time hold a database file, even for reading. Both the dashboard
and the command line work on the same file, so every operation attaches the file for the
moment it runs and detaches it at once; attaching retries for a bounded time while another process holds the file
and then raises :class:`StoreBusyError` with a plain message, never a raw lock error. Pages key
their caches to :meth:`Store.fingerprint` (the file's size and modification time, read without
opening it), so a write by any process is seen on the next rerun.

Starting a DuckDB database instance costs about 15-20 ms, even in memory; attaching a file to
a running one costs about 1 ms. So each process keeps one in-memory instance (no file, no
lock) and attaches store files to it per operation, counting the users of each file so that
concurrent operations (Streamlit sessions run in threads) share one attachment and the last
one out detaches it, releasing the file for other processes.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from metrics.plan import Plan, iter_indicator_rows

LOCK_WAIT_SECONDS = 10.0  # how long an operation waits for another process to release the file
LOCK_RETRY_SECONDS = 0.1
_LOCK_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says why and what to do."""


class StoreBusyError(StoreError):
    """Another program holds the store file for longer than we wait."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


# Numbered migrations, applied in order and recorded in schema_migrations. Never edit one that
# has shipped: add the next number. Each runs in its own transaction with its record.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "plan and reference tables",
        (
            """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
            """CREATE TABLE wards (
                ward_code VARCHAR PRIMARY KEY, ward_name VARCHAR NOT NULL,
                population INTEGER, population_source VARCHAR)""",
            """CREATE TABLE themes (
                theme_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE objectives (
                objective_id VARCHAR PRIMARY KEY, theme_id VARCHAR NOT NULL,
                text VARCHAR NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE measures (
                measure_id VARCHAR PRIMARY KEY, theme_id VARCHAR NOT NULL,
                text VARCHAR NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE subgroups (
                subgroup_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, short_name VARCHAR NOT NULL)""",
            """CREATE TABLE actions (
                action_id VARCHAR PRIMARY KEY, owner VARCHAR NOT NULL, kind VARCHAR NOT NULL,
                objective_ids VARCHAR[] NOT NULL, text VARCHAR NOT NULL)""",
            """CREATE TABLE indicators (
                indicator_id VARCHAR PRIMARY KEY, theme_id VARCHAR NOT NULL, measure_id VARCHAR NOT NULL,
                objective_id VARCHAR NOT NULL,
                name VARCHAR NOT NULL, unit VARCHAR NOT NULL, polarity VARCHAR NOT NULL,
                owner VARCHAR NOT NULL, frequency VARCHAR NOT NULL, aggregation VARCHAR NOT NULL,
                source VARCHAR NOT NULL, ward_detail BOOLEAN NOT NULL, ward_code VARCHAR,
                baseline_value DOUBLE, baseline_period VARCHAR, baseline_source VARCHAR,
                target_rule VARCHAR NOT NULL, target_value DOUBLE, target_change_pct DOUBLE,
                tolerance_value DOUBLE NOT NULL, tolerance_kind VARCHAR NOT NULL)""",
        ),
    ),
    Migration(
        2,
        "performance data: assessment figures, indicator values, action progress, commentary",
        (
            """CREATE TABLE sa_figures (
                assessment VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
                category VARCHAR NOT NULL, measure VARCHAR NOT NULL, ward_code VARCHAR,
                value DOUBLE, unit VARCHAR, change_pct DOUBLE, share_pct DOUBLE, note VARCHAR,
                source VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE indicator_values (
                indicator_id VARCHAR NOT NULL, period_type VARCHAR NOT NULL,
                period_start DATE NOT NULL, ward_code VARCHAR, value DOUBLE NOT NULL,
                is_demo BOOLEAN NOT NULL, source VARCHAR NOT NULL,
                loaded_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE action_progress (
                action_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, status VARCHAR NOT NULL,
                commentary VARCHAR, is_demo BOOLEAN NOT NULL, updated_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE commentary (
                indicator_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, text VARCHAR NOT NULL,
                author VARCHAR, is_demo BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL)""",
        ),
    ),
    Migration(
        3,
        "quarterly returns: original files, versioned submissions and their rows, audit",
        (
            # Originals, named by content: a file submitted twice is held once.
            """CREATE TABLE return_files (
                sha256 VARCHAR PRIMARY KEY, size_bytes BIGINT NOT NULL, content BLOB NOT NULL,
                first_stored_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE return_submissions (
                subgroup_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, version INTEGER NOT NULL,
                sha256 VARCHAR NOT NULL, filename VARCHAR NOT NULL, submitted_by VARCHAR NOT NULL,
                submitted_at TIMESTAMP NOT NULL, warnings VARCHAR, explanation VARCHAR,
                is_demo BOOLEAN NOT NULL, PRIMARY KEY (subgroup_id, quarter_start, version))""",
            """CREATE TABLE return_indicator_rows (
                subgroup_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, version INTEGER NOT NULL,
                sheet VARCHAR NOT NULL, row_number INTEGER NOT NULL, indicator_id VARCHAR NOT NULL,
                period_type VARCHAR NOT NULL, period_start DATE NOT NULL, ward_code VARCHAR,
                value DOUBLE, commentary VARCHAR, contact VARCHAR)""",
            """CREATE TABLE return_action_rows (
                subgroup_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, version INTEGER NOT NULL,
                sheet VARCHAR NOT NULL, row_number INTEGER NOT NULL, action_id VARCHAR NOT NULL,
                status VARCHAR, commentary VARCHAR, contact VARCHAR)""",
            # Every attempt to submit, accepted or not: what, who, when, and why it was refused.
            """CREATE TABLE return_audit (
                attempted_at TIMESTAMP NOT NULL, sha256 VARCHAR NOT NULL, filename VARCHAR NOT NULL,
                size_bytes BIGINT NOT NULL, submitted_by VARCHAR NOT NULL, subgroup_id VARCHAR NOT NULL,
                quarter_start DATE NOT NULL, outcome VARCHAR NOT NULL, version INTEGER,
                reasons VARCHAR, is_demo BOOLEAN NOT NULL)""",
        ),
    ),
    Migration(
        4,
        "police.uk street-level crime: incidents by ward, LSOA lookup, monthly summary, import log",
        (
            # Sorted by (ward_code, month) at insert, so ward and month filters skip row groups.
            """CREATE TABLE police_incidents (
                ward_code VARCHAR NOT NULL, month DATE NOT NULL, crime_type VARCHAR NOT NULL,
                crime_id VARCHAR, falls_within VARCHAR NOT NULL, reported_by VARCHAR,
                longitude DOUBLE, latitude DOUBLE, location VARCHAR, lsoa_code VARCHAR NOT NULL,
                lsoa_name VARCHAR, last_outcome VARCHAR, context VARCHAR, is_demo BOOLEAN NOT NULL)""",
            """CREATE TABLE lsoa_wards (
                lsoa_code VARCHAR PRIMARY KEY, lsoa_name VARCHAR, ward_code VARCHAR NOT NULL,
                ward_name VARCHAR, lad_name VARCHAR, source VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL,
                loaded_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE police_ward_month (
                month DATE NOT NULL, ward_code VARCHAR NOT NULL, crime_type VARCHAR NOT NULL,
                incidents INTEGER NOT NULL, is_demo BOOLEAN NOT NULL)""",
            """CREATE TABLE police_months (
                force VARCHAR NOT NULL, month DATE NOT NULL, rows_read INTEGER NOT NULL,
                stored INTEGER NOT NULL, no_location INTEGER NOT NULL, outside_area INTEGER NOT NULL,
                source_file VARCHAR, is_demo BOOLEAN NOT NULL, imported_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE police_imports (
                imported_at TIMESTAMP NOT NULL, files INTEGER NOT NULL, rows_read BIGINT NOT NULL,
                stored BIGINT NOT NULL, no_location BIGINT NOT NULL, outside_area BIGINT NOT NULL,
                skipped_files VARCHAR, is_demo BOOLEAN NOT NULL)""",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
DATA_TABLES = ("sa_figures", "indicator_values", "action_progress", "commentary")
POLICE_TABLES = ("police_incidents", "lsoa_wards", "police_ward_month", "police_months", "police_imports")
PLAN_TABLES = ("wards", "themes", "objectives", "measures", "subgroups", "actions", "indicators")


class _Engine:
    """The process's in-memory DuckDB instance and the store files attached to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._instance: duckdb.DuckDBPyConnection | None = None
        self._attached: dict[str, tuple[str, int]] = {}  # file -> (alias, operations using it)
        self._aliases = itertools.count(1)

    def open(self, path: Path) -> duckdb.DuckDBPyConnection:
        """A new connection whose default database is ``path``; raises duckdb.IOException if
        another process holds the file."""
        key = str(path.resolve())
        with self._lock:
            if self._instance is None:
                self._instance = duckdb.connect()
            alias, users = self._attached.get(key, ("", 0))
            if not users:
                alias = f"store_{next(self._aliases)}"
                quoted = key.replace("'", "''")
                self._instance.execute(f"ATTACH '{quoted}' AS {alias}")
            self._attached[key] = (alias, users + 1)
            con = self._instance.cursor()
        try:
            con.execute(f"USE {alias}")
        except BaseException:
            con.close()
            self.release(path)
            raise
        return con

    def release(self, path: Path) -> None:
        key = str(path.resolve())
        with self._lock:
            alias, users = self._attached[key]
            if users > 1:
                self._attached[key] = (alias, users - 1)
                return
            del self._attached[key]
            assert self._instance is not None
            self._instance.execute(f"DETACH {alias}")


_ENGINE = _Engine()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """One DuckDB file. Cheap to create: it opens the file only while an operation runs."""

    def __init__(self, path: str | Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.path = Path(path)
        self.wait_seconds = wait_seconds
        self._held: duckdb.DuckDBPyConnection | None = None

    # --- connections -----------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Store]:
        """Hold one connection for a batch of operations, e.g. the demo returns at first start.
        Other processes wait until the block ends."""
        if self._held is not None:
            yield self
            return
        with self.connect() as con:
            self._held = con
            try:
                yield self
            finally:
                self._held = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection held only for the ``with`` block; waits while another process writes."""
        if self._held is not None:
            yield self._held
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        wait_seconds = self.wait_seconds
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                con = _ENGINE.open(self.path)
                break
            except duckdb.IOException as exc:
                message = str(exc)
                if "lock" not in message.lower():
                    raise StoreError(f"The data store {self.path} cannot be opened: {message}") from exc
                if time.monotonic() >= deadline:
                    raise StoreBusyError(self._busy_message(message, wait_seconds)) from exc
                time.sleep(LOCK_RETRY_SECONDS)
        try:
            yield con
        finally:
            con.close()
            _ENGINE.release(self.path)

    def _busy_message(self, raw: str, waited: float) -> str:
        holder = _LOCK_HOLDER.search(raw)
        who = (
            f"another program ({Path(holder['program']).name}, process {holder['pid']})"
            if holder
            else "another program"
        )
        return (
            f"The data store {self.path} is in use by {who} and stayed busy for {waited:.0f} s. "
            "It is probably importing or initialising data: wait for it to finish and try again. "
            "If nothing should be running, close other dashboards or commands using this file."
        )

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: everything inside is stored, or (on any error) nothing is."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def fingerprint(self) -> tuple[int, int, int]:
        """Changes whenever any process writes the store; read without opening the file, so a
        page can key its caches to it on every rerun for nothing."""
        parts = []
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = p.stat()
                parts.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                parts.append((0, 0))
        return (parts[0][0], parts[0][1], parts[1][0] + parts[1][1])

    # --- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self.path.exists():
            return 0
        with self.connect() as con:
            return _schema_version(con)

    def migrate(self, target: int = LATEST_VERSION) -> list[int]:
        """Apply the migrations not yet recorded, up to ``target``; returns those applied."""
        applied: list[int] = []
        with self.connect() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            # By record, not by the highest number: a store made on a branch that had a later
            # migration but not an earlier one still gets the earlier one.
            recorded = _recorded_versions(con)
            for migration in MIGRATIONS:
                if migration.version in recorded or migration.version > target:
                    continue
                con.execute("BEGIN TRANSACTION")
                try:
                    for statement in migration.statements:
                        con.execute(statement)
                    con.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [migration.version, migration.name, _now()],
                    )
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                applied.append(migration.version)
        return applied

    def is_ready(self) -> bool:
        """True when the file exists, is fully migrated and holds the plan."""
        if not self.path.exists():
            return False
        with self.connect() as con:
            if not {m.version for m in MIGRATIONS} <= _recorded_versions(con):
                return False
            return con.execute("SELECT count(*) FROM indicators").fetchone()[0] > 0

    def table_counts(self) -> dict[str, int]:
        with self.connect() as con:
            return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in _table_names(con)}

    def checksums(self) -> dict[str, tuple[int, str]]:
        """Row count and a content hash of every table: equal before and after a rejected
        write proves nothing changed."""
        out: dict[str, tuple[int, str]] = {}
        with self.connect() as con:
            for n in _table_names(con):
                count, digest = con.execute(
                    f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT)::VARCHAR, '0') FROM \"{n}\" AS t"
                ).fetchone()
                out[n] = (count, digest)
        return out

    # --- the plan --------------------------------------------------------------------------
    def sync_plan(self, plan: Plan) -> None:
        """Replace the plan tables with the plan in force, in one transaction."""
        with self.transaction() as con:
            for table in PLAN_TABLES:
                con.execute(f"DELETE FROM {table}")
            con.executemany(
                "INSERT INTO wards VALUES (?, ?, ?, ?)",
                [[w.code, w.name, w.population, w.population_source] for w in plan.wards],
            )
            con.executemany(
                "INSERT INTO themes VALUES (?, ?, ?)", [[t.id, t.name, i] for i, t in enumerate(plan.themes)]
            )
            con.executemany(
                "INSERT INTO objectives VALUES (?, ?, ?, ?)",
                [[o.id, o.theme_id, o.text, i] for i, o in enumerate(plan.objectives)],
            )
            con.executemany(
                "INSERT INTO measures VALUES (?, ?, ?, ?)",
                [[m.id, t.id, m.text, i] for t in plan.themes for i, m in enumerate(t.measures)],
            )
            con.executemany(
                "INSERT INTO subgroups VALUES (?, ?, ?)", [[s.id, s.name, s.short_name] for s in plan.subgroups]
            )
            con.executemany(
                "INSERT INTO actions VALUES (?, ?, ?, ?, ?)",
                [[a.id, a.owner, a.kind, list(a.objective_ids), a.text] for a in plan.actions],
            )
            rows = pd.DataFrame(list(iter_indicator_rows(plan)))
            con.register("incoming_indicators", rows)
            con.execute("INSERT INTO indicators SELECT * FROM incoming_indicators")
            _set_meta(con, "plan_path", str(plan.path))
            _set_meta(con, "partnership", plan.partnership.name)

    # --- writes ----------------------------------------------------------------------------
    def replace_sa_figures(self, figures: pd.DataFrame) -> int:
        """Store assessment figures, replacing those held for the same assessment years."""
        with self.transaction() as con:
            return _replace_sa_figures(con, figures)

    def replace_indicator_values(self, values: pd.DataFrame) -> int:
        """Store indicator values; a row for the same indicator, period and ward replaces the
        one held."""
        with self.transaction() as con:
            return _INDICATOR_VALUES.replace(con, values)

    def replace_action_progress(self, progress: pd.DataFrame) -> int:
        with self.transaction() as con:
            return _ACTION_PROGRESS.replace(con, progress)

    def replace_commentary(self, notes: pd.DataFrame) -> int:
        with self.transaction() as con:
            return _COMMENTARY.replace(con, notes)

    def load_demo(
        self,
        values: pd.DataFrame,
        commentary: pd.DataFrame,
        progress: pd.DataFrame,
        sa_figures: pd.DataFrame,
        seed: int,
    ) -> None:
        """Replace all demo rows with a freshly generated set, in one transaction. Real rows
        (is_demo false) are never touched."""
        with self.transaction() as con:
            for table in DATA_TABLES:
                con.execute(f"DELETE FROM {table} WHERE is_demo")
            _delete_demo_returns(con)
            _INDICATOR_VALUES.replace(con, values)
            if not commentary.empty:
                _COMMENTARY.replace(con, commentary)
            if not progress.empty:
                _ACTION_PROGRESS.replace(con, progress)
            if not sa_figures.empty:
                _insert_sa_figures(con, sa_figures)
            _set_meta(con, "demo_seed", str(seed))
            _set_meta(con, "demo_loaded_at", _now().isoformat(timespec="seconds"))

    # --- quarterly returns -----------------------------------------------------------------
    def record_return_attempt(self, audit: dict[str, object]) -> None:
        """Audit an attempt that stored nothing (rejected, or the same file again): one row in
        return_audit and no other change."""
        with self.transaction() as con:
            _insert_audit(con, audit)

    def submit_return(
        self,
        submission: dict[str, object],
        content: bytes,
        indicator_rows: pd.DataFrame,
        action_rows: pd.DataFrame,
        board: dict[str, pd.DataFrame],
    ) -> int:
        """Store an accepted return as the next version for its subgroup and quarter, in one
        transaction: the original file (by sha256), the submission and its rows, the audit row,
        and its figures in the tables the board's pages read (``board``: indicator_values,
        commentary, action_progress frames). Figures the previous version gave and this one
        does not are removed from those tables, so the pages always show the latest version.
        Returns the new version number."""
        sub = dict(submission)
        with self.transaction() as con:
            key = [sub["subgroup_id"], sub["quarter_start"]]
            version = con.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM return_submissions "
                "WHERE subgroup_id = ? AND quarter_start = ?::DATE",
                key,
            ).fetchone()[0]
            if version > 1:
                _withdraw_version(con, *key, version - 1)
            sub["version"] = version
            con.execute(
                "INSERT INTO return_files SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM return_files WHERE sha256 = ?)",
                [sub["sha256"], len(content), content, sub["submitted_at"], sub["sha256"]],
            )
            con.execute(
                """INSERT INTO return_submissions (subgroup_id, quarter_start, version, sha256, filename,
                       submitted_by, submitted_at, warnings, explanation, is_demo)
                   VALUES (?, ?::DATE, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [sub[c] for c in ("subgroup_id", "quarter_start", "version", "sha256", "filename")]
                + [sub[c] for c in ("submitted_by", "submitted_at", "warnings", "explanation", "is_demo")],
            )
            for table, rows in (("return_indicator_rows", indicator_rows), ("return_action_rows", action_rows)):
                if rows.empty:
                    continue
                frame = rows.assign(subgroup_id=sub["subgroup_id"], quarter_start=sub["quarter_start"], version=version)
                con.register("incoming_rows", frame)
                columns = ", ".join(_table_columns(con, table))
                con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_rows")
                con.unregister("incoming_rows")
            for spec in (_INDICATOR_VALUES, _COMMENTARY, _ACTION_PROGRESS):
                frame = board.get(spec.table)
                if frame is not None and not frame.empty:
                    spec.replace(con, frame)
            _insert_audit(
                con,
                {
                    "attempted_at": sub["submitted_at"],
                    "sha256": sub["sha256"],
                    "filename": sub["filename"],
                    "size_bytes": len(content),
                    "submitted_by": sub["submitted_by"],
                    "subgroup_id": sub["subgroup_id"],
                    "quarter_start": sub["quarter_start"],
                    "outcome": "accepted",
                    "version": version,
                    "reasons": sub.get("warnings"),
                    "is_demo": sub["is_demo"],
                },
            )
        return version

    def submissions(self, subgroup_id: str | None = None, quarter_start: str | None = None) -> pd.DataFrame:
        """Accepted versions, newest first; optionally for one subgroup and/or quarter."""
        with self.connect() as con:
            frame = con.execute(
                """SELECT s.*, (s.version = max(s.version) OVER (PARTITION BY s.subgroup_id, s.quarter_start))
                          AS is_latest
                   FROM return_submissions AS s
                   WHERE (?::VARCHAR IS NULL OR s.subgroup_id = ?) AND (?::DATE IS NULL OR s.quarter_start = ?::DATE)
                   ORDER BY s.quarter_start DESC, s.subgroup_id, s.version DESC""",
                [subgroup_id, subgroup_id, quarter_start, quarter_start],
            ).df()
        return frame

    def latest_submission(self, subgroup_id: str, quarter_start: str) -> dict[str, object] | None:
        frame = self.submissions(subgroup_id, quarter_start)
        return None if frame.empty else frame.iloc[0].to_dict()

    def submission_rows(self, subgroup_id: str, quarter_start: str, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The indicator rows and action rows of one stored version, in file order."""
        args = [subgroup_id, quarter_start, version]
        where = "WHERE subgroup_id = ? AND quarter_start = ?::DATE AND version = ?"
        with self.connect() as con:
            indicators = con.execute(
                f"""SELECT sheet, row_number, indicator_id, period_type, period_start, ward_code, value,
                           commentary, contact
                    FROM return_indicator_rows {where} ORDER BY row_number""",
                args,
            ).df()
            actions = con.execute(
                f"""SELECT sheet, row_number, action_id, status, commentary, contact
                    FROM return_action_rows {where} ORDER BY row_number""",
                args,
            ).df()
        return indicators, actions

    def latest_return_rows(self, quarter_start: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every subgroup's latest version's indicator and action rows for the quarter."""
        latest = """WITH latest AS (
                        SELECT subgroup_id, quarter_start, max(version) AS version FROM return_submissions
                        WHERE quarter_start = ?::DATE GROUP BY ALL)"""
        with self.connect() as con:
            indicators = con.execute(
                f"""{latest} SELECT r.subgroup_id, r.indicator_id, r.period_start, r.ward_code, r.value
                    FROM return_indicator_rows AS r JOIN latest USING (subgroup_id, quarter_start, version)""",
                [quarter_start],
            ).df()
            actions = con.execute(
                f"""{latest} SELECT r.subgroup_id, r.action_id, r.status
                    FROM return_action_rows AS r JOIN latest USING (subgroup_id, quarter_start, version)""",
                [quarter_start],
            ).df()
        return indicators, actions

    def return_file(self, sha256: str) -> bytes | None:
        """The original file as uploaded."""
        with self.connect() as con:
            row = con.execute("SELECT content FROM return_files WHERE sha256 = ?", [sha256]).fetchone()
        return None if row is None else bytes(row[0])

    def return_audit(self, subgroup_id: str | None = None, quarter_start: str | None = None) -> pd.DataFrame:
        """Every submission attempt, newest first."""
        with self.connect() as con:
            return con.execute(
                """SELECT * FROM return_audit
                   WHERE (?::VARCHAR IS NULL OR subgroup_id = ?) AND (?::DATE IS NULL OR quarter_start = ?::DATE)
                   ORDER BY attempted_at DESC""",
                [subgroup_id, subgroup_id, quarter_start, quarter_start],
            ).df()

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as con:
            _set_meta(con, key, value)

    # --- reads -----------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        with self.connect() as con:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())

    def indicator_values(self) -> pd.DataFrame:
        """Every stored indicator value (small: one row per indicator, period and ward)."""
        with self.connect() as con:
            frame = con.execute(
                """SELECT indicator_id, period_type, period_start, ward_code, value, is_demo, source
                   FROM indicator_values
                   ORDER BY indicator_id, period_start, ward_code NULLS FIRST"""
            ).df()
        frame["period_start"] = pd.to_datetime(frame["period_start"])
        return frame

    def action_progress(self, quarter_start: pd.Timestamp | str) -> pd.DataFrame:
        """Each action's latest reported status at or before the quarter."""
        with self.connect() as con:
            return _ACTION_PROGRESS.latest_at(con, quarter_start)

    def commentary(self, quarter_start: pd.Timestamp | str) -> pd.DataFrame:
        """Each indicator's latest commentary at or before the quarter."""
        with self.connect() as con:
            return _COMMENTARY.latest_at(con, quarter_start)

    def sa_figures(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(
                """SELECT f.*, w.ward_name
                   FROM sa_figures AS f LEFT JOIN wards AS w USING (ward_code)
                   ORDER BY f.period_start DESC, f.ward_code NULLS FIRST, f.position"""
            ).df()


def _replace_sa_figures(con: duckdb.DuckDBPyConnection, figures: pd.DataFrame) -> int:
    """Real figures replace the real figures held for the same assessment years; demo figures
    are left to load_demo."""
    assessments = sorted(figures["assessment"].unique())
    con.executemany("DELETE FROM sa_figures WHERE assessment = ? AND NOT is_demo", [[a] for a in assessments])
    return _insert_sa_figures(con, figures)


def _insert_sa_figures(con: duckdb.DuckDBPyConnection, figures: pd.DataFrame) -> int:
    con.register("incoming_sa", figures)
    con.execute(
        """INSERT INTO sa_figures
           SELECT assessment, period_start::DATE, period_end::DATE, category, measure,
                  ward_code, value, unit, change_pct, share_pct, note, source, is_demo,
                  position
           FROM incoming_sa"""
    )
    return len(figures)


@dataclass(frozen=True)
class _Keyed:
    """A data table whose rows are replaced by key: an incoming row replaces any stored row
    with the same key, so loading the same figures twice never doubles them."""

    table: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    stamp: str  # the timestamp column filled in when the caller gives none
    dates: tuple[str, ...] = ()

    def replace(self, con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> int:
        frame = rows.copy()
        if self.stamp not in frame:
            frame[self.stamp] = _now()
        con.register("incoming", frame)

        def incoming(column: str) -> str:
            return f"i.{column}::DATE" if column in self.dates else f"i.{column}"

        match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM {incoming(k)}" for k in self.keys)
        con.execute(f"DELETE FROM {self.table} AS t USING incoming AS i WHERE {match}")
        columns = (*self.columns, self.stamp)
        selected = ", ".join(incoming(c) for c in columns)
        con.execute(f"INSERT INTO {self.table} ({', '.join(columns)}) SELECT {selected} FROM incoming AS i")
        return len(frame)

    def latest_at(self, con: duckdb.DuckDBPyConnection, day: pd.Timestamp | str) -> pd.DataFrame:
        """For each key (less its date), the latest row dated on or before ``day``."""
        dated = self.dates[0]
        group = ", ".join(k for k in self.keys if k != dated)
        return con.execute(
            f"""SELECT {", ".join(self.columns)} FROM {self.table}
                WHERE {dated} <= ?::DATE
                QUALIFY row_number() OVER (PARTITION BY {group} ORDER BY {dated} DESC) = 1""",
            [str(pd.Timestamp(day).date())],
        ).df()


_INDICATOR_VALUES = _Keyed(
    "indicator_values",
    keys=("indicator_id", "period_type", "period_start", "ward_code"),
    columns=("indicator_id", "period_type", "period_start", "ward_code", "value", "is_demo", "source"),
    stamp="loaded_at",
    dates=("period_start",),
)
_ACTION_PROGRESS = _Keyed(
    "action_progress",
    keys=("action_id", "quarter_start"),
    columns=("action_id", "quarter_start", "status", "commentary", "is_demo"),
    stamp="updated_at",
    dates=("quarter_start",),
)
_COMMENTARY = _Keyed(
    "commentary",
    keys=("indicator_id", "quarter_start"),
    columns=("indicator_id", "quarter_start", "text", "author", "is_demo"),
    stamp="created_at",
    dates=("quarter_start",),
)


_ROW_KEY = ("subgroup_id", "quarter_start", "version")
# The columns a return's rows carry (by the sheet they come from), as metrics.returns builds them.
RETURN_ROW_COLUMNS = {
    "Indicators": (
        "sheet", "row_number", "indicator_id", "period_type", "period_start", "ward_code", "value", "commentary",
        "contact",
    ),
    "Actions": ("sheet", "row_number", "action_id", "status", "commentary", "contact"),
}  # fmt: skip
_RETURN_COLUMNS = {
    "return_indicator_rows": _ROW_KEY + RETURN_ROW_COLUMNS["Indicators"],
    "return_action_rows": _ROW_KEY + RETURN_ROW_COLUMNS["Actions"],
    "return_audit": (
        "attempted_at", "sha256", "filename", "size_bytes", "submitted_by", "subgroup_id", "quarter_start",
        "outcome", "version", "reasons", "is_demo",
    ),
}  # fmt: skip


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    return _RETURN_COLUMNS[table]


def _insert_audit(con: duckdb.DuckDBPyConnection, audit: dict[str, object]) -> None:
    columns = _table_columns(con, "return_audit")
    con.execute(
        f"INSERT INTO return_audit ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [audit.get(c) for c in columns],
    )


def _withdraw_version(con: duckdb.DuckDBPyConnection, subgroup_id: str, quarter_start: str, version: int) -> None:
    """Remove from the board's tables what a superseded version put there (its rows stay in
    the return tables, to be viewed and compared)."""
    args = [subgroup_id, quarter_start, version]
    where = "r.subgroup_id = ? AND r.quarter_start = ?::DATE AND r.version = ?"
    con.execute(
        f"""DELETE FROM indicator_values AS t USING return_indicator_rows AS r
            WHERE {where} AND t.indicator_id = r.indicator_id AND t.period_type = r.period_type
              AND t.period_start = r.period_start AND t.ward_code IS NOT DISTINCT FROM r.ward_code
              AND r.value IS NOT NULL""",
        args,
    )
    con.execute(
        f"""DELETE FROM commentary AS t USING return_indicator_rows AS r
            WHERE {where} AND t.indicator_id = r.indicator_id AND t.quarter_start = r.quarter_start
              AND r.commentary IS NOT NULL""",
        args,
    )
    con.execute(
        f"""DELETE FROM action_progress AS t USING return_action_rows AS r
            WHERE {where} AND t.action_id = r.action_id AND t.quarter_start = r.quarter_start
              AND r.status IS NOT NULL""",
        args,
    )


def _delete_demo_returns(con: duckdb.DuckDBPyConnection) -> None:
    """Demo returns go with the demo data they were made from."""
    demo = "SELECT subgroup_id, quarter_start, version FROM return_submissions WHERE is_demo"
    for table in ("return_indicator_rows", "return_action_rows"):
        con.execute(f"DELETE FROM {table} WHERE (subgroup_id, quarter_start, version) IN ({demo})")
    con.execute("DELETE FROM return_submissions WHERE is_demo")
    con.execute("DELETE FROM return_audit WHERE is_demo")
    con.execute("DELETE FROM return_files WHERE sha256 NOT IN (SELECT sha256 FROM return_submissions)")


def _table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The store's own tables (other stores may be attached to the same instance)."""
    sql = "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
    return [row[0] for row in con.execute(sql).fetchall()]


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if "schema_migrations" not in _table_names(con):
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def _recorded_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    if not _schema_version(con):
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def open_store(plan: Plan) -> Store:
    """The store the plan's settings (or CSP_DB) point at."""
    return Store(plan.settings.database)
