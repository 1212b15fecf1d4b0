"""Quarterly returns: the original files (by content hash), versioned submissions and their
rows, the audit of every attempt, and the reads the returns code and the tracker use.

A submission is written with its figures in the board's tables (indicator values, commentary,
action progress) in one transaction, so the board's pages always show the latest version."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum

import pandas as pd

from metrics.store._keyed import ACTION_PROGRESS, COMMENTARY, INDICATOR_VALUES
from metrics.store.actions import ActionUpdate, append_updates
from metrics.store.engine import Connection, Store


@dataclass(frozen=True, kw_only=True)
class ReturnSubmission:
    """An accepted return about to be stored: whose, which quarter, which file, by whom."""

    subgroup_id: str
    quarter_start: date
    sha256: str  # of the original file's bytes, which name it in return_files
    filename: str
    submitted_by: str
    submitted_at: datetime
    warnings: str | None = None  # the warnings the submitter explained, one per line
    explanation: str | None = None
    is_demo: bool = False


@dataclass(frozen=True, kw_only=True)
class StoredSubmission(ReturnSubmission):
    """A submission as stored, with the version number it was given."""

    version: int


class AuditOutcome(StrEnum):
    """What became of an attempt to submit a return, as the audit log records it."""

    ACCEPTED = "accepted"  # stored as a new version
    REJECTED = "rejected"  # errors, or warnings without an explanation: nothing stored
    DUPLICATE = "duplicate"  # the same file as the latest stored version: nothing new stored
    REFUSED = "refused"  # someone not allowed to submit for that subgroup: nothing stored


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One attempt to submit a return, accepted or not: what, who, when, and why it was refused."""

    attempted_at: datetime
    sha256: str
    filename: str
    size_bytes: int
    submitted_by: str
    subgroup_id: str
    quarter_start: date
    outcome: AuditOutcome
    version: int | None = None  # the version stored, or the one a duplicate repeats
    reasons: str | None = None
    is_demo: bool = False


@dataclass(frozen=True)
class BoardTables:
    """The figures an accepted return puts in the tables the board's pages read, one frame per
    table (columns as :mod:`metrics.store._keyed` declares them; an empty frame adds nothing)."""

    indicator_values: pd.DataFrame
    commentary: pd.DataFrame
    action_progress: pd.DataFrame
    # updates the return makes to the board's action log (their return_version is filled in
    # with the version stored); only ever added, so a superseded version's updates stay as history
    board_updates: tuple[ActionUpdate, ...] = field(default=())


# The columns a return's rows carry (by the sheet they come from), as metrics.returns builds them.
RETURN_ROW_COLUMNS = {
    "Indicators": (
        "sheet", "row_number", "indicator_id", "period_type", "period_start", "ward_code", "value", "commentary",
        "contact",
    ),
    "Actions": ("sheet", "row_number", "action_id", "status", "commentary", "contact"),
}  # fmt: skip
_ROW_KEY = ("subgroup_id", "quarter_start", "version")
_ROW_TABLES = {
    "return_indicator_rows": _ROW_KEY + RETURN_ROW_COLUMNS["Indicators"],
    "return_action_rows": _ROW_KEY + RETURN_ROW_COLUMNS["Actions"],
}
_SUBMISSION_COLUMNS = tuple(f.name for f in fields(StoredSubmission))
_AUDIT_COLUMNS = tuple(f.name for f in fields(AuditEntry))


def _insert_audit(con: Connection, entry: AuditEntry) -> None:
    con.execute(
        f"INSERT INTO return_audit ({', '.join(_AUDIT_COLUMNS)}) VALUES ({', '.join('?' for _ in _AUDIT_COLUMNS)})",
        [getattr(entry, c) for c in _AUDIT_COLUMNS],
    )


def record_attempt(store: Store, entry: AuditEntry) -> None:
    """Audit an attempt that stored nothing (rejected, or the same file again): one row in
    return_audit and no other change."""
    with store.transaction() as con:
        _insert_audit(con, entry)


def submit_return(
    store: Store,
    submission: ReturnSubmission,
    content: bytes,
    indicator_rows: pd.DataFrame,
    action_rows: pd.DataFrame,
    board: BoardTables,
) -> int:
    """Store an accepted return as the next version for its subgroup and quarter, in one
    transaction: the original file (by sha256), the submission and its rows (columns as
    :data:`RETURN_ROW_COLUMNS`), the audit row, and its figures in the tables the board's pages
    read, and its updates to the board's action log. Figures the previous version gave and this
    one does not are removed from those tables, so the pages always show the latest version.
    Returns the new version number."""
    sub = submission
    with store.transaction() as con:
        key = [sub.subgroup_id, sub.quarter_start]
        version = con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM return_submissions "
            "WHERE subgroup_id = ? AND quarter_start = ?::DATE",
            key,
        ).fetchone()[0]
        if version > 1:
            _withdraw_version(con, sub.subgroup_id, sub.quarter_start, version - 1)
        con.execute(
            "INSERT INTO return_files SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM return_files WHERE sha256 = ?)",
            [sub.sha256, len(content), content, sub.submitted_at, sub.sha256],
        )
        stored = StoredSubmission(**asdict(sub), version=version)
        con.execute(
            f"""INSERT INTO return_submissions ({", ".join(_SUBMISSION_COLUMNS)})
                VALUES ({", ".join("?" for _ in _SUBMISSION_COLUMNS)})""",
            [getattr(stored, c) for c in _SUBMISSION_COLUMNS],
        )
        for table, rows in (("return_indicator_rows", indicator_rows), ("return_action_rows", action_rows)):
            if rows.empty:
                continue
            frame = rows.assign(subgroup_id=sub.subgroup_id, quarter_start=sub.quarter_start, version=version)
            con.register("incoming_rows", frame)
            columns = ", ".join(_ROW_TABLES[table])
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_rows")
            con.unregister("incoming_rows")
        for spec, frame in (
            (INDICATOR_VALUES, board.indicator_values),
            (COMMENTARY, board.commentary),
            (ACTION_PROGRESS, board.action_progress),
        ):
            if not frame.empty:
                spec.replace(con, frame)
        append_updates(con, [replace(u, return_version=version) for u in board.board_updates])
        _insert_audit(
            con,
            AuditEntry(
                attempted_at=sub.submitted_at,
                sha256=sub.sha256,
                filename=sub.filename,
                size_bytes=len(content),
                submitted_by=sub.submitted_by,
                subgroup_id=sub.subgroup_id,
                quarter_start=sub.quarter_start,
                outcome=AuditOutcome.ACCEPTED,
                version=version,
                reasons=sub.warnings,
                is_demo=sub.is_demo,
            ),
        )
    return version


def _withdraw_version(con: Connection, subgroup_id: str, quarter_start: date | str, version: int) -> None:
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


def delete_demo_returns(con: Connection) -> None:
    """Remove the demo returns, inside the caller's transaction: they go with the demo data
    they were made from."""
    demo = "SELECT subgroup_id, quarter_start, version FROM return_submissions WHERE is_demo"
    for table in _ROW_TABLES:
        con.execute(f"DELETE FROM {table} WHERE (subgroup_id, quarter_start, version) IN ({demo})")
    con.execute("DELETE FROM return_submissions WHERE is_demo")
    con.execute("DELETE FROM return_audit WHERE is_demo")
    con.execute("DELETE FROM return_files WHERE sha256 NOT IN (SELECT sha256 FROM return_submissions)")


# --- reads -------------------------------------------------------------------------------------
def submissions(store: Store, subgroup_id: str | None = None, quarter_start: date | str | None = None) -> pd.DataFrame:
    """Accepted versions, newest first, with ``is_latest``; optionally for one subgroup and/or
    quarter."""
    with store.connect() as con:
        return con.execute(
            """SELECT s.*, (s.version = max(s.version) OVER (PARTITION BY s.subgroup_id, s.quarter_start))
                      AS is_latest
               FROM return_submissions AS s
               WHERE (?::VARCHAR IS NULL OR s.subgroup_id = ?) AND (?::DATE IS NULL OR s.quarter_start = ?::DATE)
               ORDER BY s.quarter_start DESC, s.subgroup_id, s.version DESC""",
            [subgroup_id, subgroup_id, quarter_start, quarter_start],
        ).df()


def latest_submission(store: Store, subgroup_id: str, quarter_start: date | str) -> StoredSubmission | None:
    """The subgroup's latest stored version for the quarter, or None if it has submitted none."""
    with store.connect() as con:
        row = con.execute(
            f"""SELECT {", ".join(_SUBMISSION_COLUMNS)} FROM return_submissions
                WHERE subgroup_id = ? AND quarter_start = ?::DATE ORDER BY version DESC LIMIT 1""",
            [subgroup_id, quarter_start],
        ).fetchone()
    return None if row is None else StoredSubmission(**dict(zip(_SUBMISSION_COLUMNS, row, strict=True)))


def submission_rows(
    store: Store, subgroup_id: str, quarter_start: date | str, version: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indicator rows and action rows of one stored version, in file order."""
    args = [subgroup_id, quarter_start, version]
    where = "WHERE subgroup_id = ? AND quarter_start = ?::DATE AND version = ?"
    with store.connect() as con:
        indicators = con.execute(
            f"""SELECT {", ".join(RETURN_ROW_COLUMNS["Indicators"])}
                FROM return_indicator_rows {where} ORDER BY row_number""",
            args,
        ).df()
        actions = con.execute(
            f"""SELECT {", ".join(RETURN_ROW_COLUMNS["Actions"])}
                FROM return_action_rows {where} ORDER BY row_number""",
            args,
        ).df()
    return indicators, actions


def latest_return_rows(store: Store, quarter_start: date | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every subgroup's latest version's indicator and action rows for the quarter."""
    latest = """WITH latest AS (
                    SELECT subgroup_id, quarter_start, max(version) AS version FROM return_submissions
                    WHERE quarter_start = ?::DATE GROUP BY ALL)"""
    with store.connect() as con:
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


def return_file(store: Store, sha256: str) -> bytes | None:
    """The original file as uploaded, or None if no file has that hash."""
    with store.connect() as con:
        row = con.execute("SELECT content FROM return_files WHERE sha256 = ?", [sha256]).fetchone()
    return None if row is None else bytes(row[0])


def audit(store: Store, subgroup_id: str | None = None, quarter_start: date | str | None = None) -> pd.DataFrame:
    """Every submission attempt, newest first; optionally for one subgroup and/or quarter."""
    with store.connect() as con:
        return con.execute(
            """SELECT * FROM return_audit
               WHERE (?::VARCHAR IS NULL OR subgroup_id = ?) AND (?::DATE IS NULL OR quarter_start = ?::DATE)
               ORDER BY attempted_at DESC""",
            [subgroup_id, subgroup_id, quarter_start, quarter_start],
        ).df()
