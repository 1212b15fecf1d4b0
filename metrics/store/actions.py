"""The board's action log: what the board decided (``board_actions``, written once) and every
change to it (``board_action_updates``, rows only ever added). An action's state is its latest
update; its history is all of them. Nothing here is deleted but demo rows, which go with the
demo data they were made for.

The rules (which statuses, who may close, what is overdue) are in :mod:`metrics.board.actions`;
the operations that check and then write are in :mod:`metrics.board.action_log`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from metrics.store.engine import Connection, Store


@dataclass(frozen=True, kw_only=True)
class BoardAction:
    """An action or decision as the board recorded it: never changed once stored."""

    reference: str  # A-2025/26-Q2-03; given when stored
    raised_quarter: date  # the first day of the quarter the meeting reviewed
    sequence: int  # the action's number among those raised for that quarter
    kind: str  # action | decision
    text: str
    source_kind: str  # indicator | priority | theme: what it arises from
    source_id: str  # the plan's id of that indicator, priority or theme
    raised_by: str
    raised_at: datetime
    is_demo: bool = False


@dataclass(frozen=True, kw_only=True)
class ActionUpdate:
    """One change to an action, the first (recording it) included."""

    reference: str
    number: int  # 1 for the record itself, then 2, 3, ... in order; given when stored
    recorded_at: datetime
    author: str
    quarter_start: date  # the quarter the update belongs to (the meeting's or the return's)
    status: str  # a BoardStatus key: open, in_progress, done, dropped
    note: str | None = None
    owner: str | None = None  # a new owner (subgroup id); None: unchanged
    due_quarter: date | None = None  # a new due quarter (its first day); None: unchanged
    via: str = "board"  # board (the meeting or the action log page) | return (a subgroup's return)
    return_subgroup: str | None = None
    return_version: int | None = None
    is_demo: bool = False


_ACTION_COLUMNS = tuple(f.name for f in fields(BoardAction))
_UPDATE_COLUMNS = tuple(f.name for f in fields(ActionUpdate))


def _insert(con: Connection, table: str, columns: tuple[str, ...], record: object) -> None:
    con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [getattr(record, c) for c in columns],
    )


def insert_action(
    store: Store, action: BoardAction, first: ActionUpdate, reference_of: Callable[[date, int], str]
) -> str:
    """Store a new action and its first update in one transaction; the next sequence number
    for its quarter, and so its reference (``reference_of(quarter_start, sequence)``), is
    settled inside the transaction so that two officers recording at once get two numbers."""
    with store.transaction() as con:
        sequence = con.execute(
            "SELECT coalesce(max(sequence), 0) + 1 FROM board_actions WHERE raised_quarter = ?::DATE",
            [action.raised_quarter],
        ).fetchone()[0]
        reference = reference_of(action.raised_quarter, sequence)
        _insert(con, "board_actions", _ACTION_COLUMNS, replace(action, reference=reference, sequence=sequence))
        _insert(con, "board_action_updates", _UPDATE_COLUMNS, replace(first, reference=reference, number=1))
    return reference


def append_updates(con: Connection, updates: Sequence[ActionUpdate]) -> None:
    """Add updates inside the caller's transaction (a return's, or :func:`add_update`'s), each
    numbered after the latest stored for its action."""
    for update in updates:
        number = con.execute(
            "SELECT coalesce(max(number), 0) + 1 FROM board_action_updates WHERE reference = ?", [update.reference]
        ).fetchone()[0]
        _insert(con, "board_action_updates", _UPDATE_COLUMNS, replace(update, number=number))


def add_update(store: Store, update: ActionUpdate) -> int:
    """Add one update in its own transaction; returns its number in the action's history."""
    with store.transaction() as con:
        append_updates(con, [update])
        return con.execute(
            "SELECT max(number) FROM board_action_updates WHERE reference = ?", [update.reference]
        ).fetchone()[0]


def delete_demo(con: Connection) -> None:
    """Remove the demo actions and every demo update, inside the caller's transaction: they go
    with the demo data they were made for. Real actions and their updates stay."""
    con.execute("DELETE FROM board_action_updates WHERE is_demo")
    con.execute("DELETE FROM board_actions WHERE is_demo")


def clear_demo(store: Store) -> None:
    """:func:`delete_demo` in its own transaction (before fresh demo actions are recorded)."""
    with store.transaction() as con:
        delete_demo(con)


# --- reads -------------------------------------------------------------------------------------


def _to_date(value: object) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def actions(store: Store) -> list[BoardAction]:
    """Every action the board has recorded, oldest quarter first, then by sequence."""
    with store.connect() as con:
        rows = con.execute(
            f"SELECT {', '.join(_ACTION_COLUMNS)} FROM board_actions ORDER BY raised_quarter, sequence"
        ).fetchall()
    out = []
    for row in rows:
        record = dict(zip(_ACTION_COLUMNS, row, strict=True))
        record["raised_quarter"] = _to_date(record["raised_quarter"])
        out.append(BoardAction(**record))
    return out


def updates(store: Store, reference: str | None = None) -> list[ActionUpdate]:
    """Every update (or one action's), in the order they were made."""
    with store.connect() as con:
        rows = con.execute(
            f"""SELECT {", ".join(_UPDATE_COLUMNS)} FROM board_action_updates
                WHERE ?::VARCHAR IS NULL OR reference = ? ORDER BY reference, number""",
            [reference, reference],
        ).fetchall()
    out = []
    for row in rows:
        record = dict(zip(_UPDATE_COLUMNS, row, strict=True))
        record["quarter_start"] = _to_date(record["quarter_start"])
        record["due_quarter"] = _to_date(record["due_quarter"])
        out.append(ActionUpdate(**record))
    return out
