"""What a lead is told about a return: :class:`Message` (one problem, located by sheet, row and
column, with the value seen and what is expected), built with named fields only, and
:class:`ReturnError` for a request that cannot be carried out at all."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from metrics.returns.layout import CSV_SHEET

ERROR = "error"  # must be fixed before the return can be stored
WARNING = "warning"  # may be stored with an explanation
Severity = Literal["error", "warning"]


class ReturnError(ValueError):
    """A return cannot be prepared or submitted; the message says why and what to do."""


def sheet_anchor(sheet: str) -> str:
    """The prefix of the ids of a sheet's preview rows (``row-<sheet>-<row number>``)."""
    return f"row-{re.sub(r'[^a-z0-9]+', '-', sheet.lower())}"


@dataclass(frozen=True, kw_only=True)
class Message:
    """One problem with a return, in plain words, located by sheet, row and column.

    Every field is named at the call (``Message(severity=ERROR, sheet=..., problem=...)``): six
    positional strings in a row were too easy to swap. A message about the whole file leaves
    sheet, row and column out; ``seen`` is None when there is no cell to quote, ``""`` for a
    blank one."""

    severity: Severity
    problem: str
    expected: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    seen: str | None = None

    @property
    def where(self) -> str:
        """Where the problem is, in words: 'Indicators sheet, row 4, column 'value''."""
        parts = []
        if self.sheet:
            parts.append(f"{self.sheet} sheet" if self.sheet not in (CSV_SHEET,) else self.sheet)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts) if parts else "The file"

    @property
    def anchor(self) -> str | None:
        """An id for the preview row the message belongs to, for links from the summary."""
        if self.sheet is None or self.row is None:
            return None
        return f"{sheet_anchor(self.sheet)}-{self.row}"

    @property
    def text(self) -> str:
        """The whole message in one sentence pair: where, what, what was seen, what is expected."""
        seen = "" if self.seen is None else " Seen: blank." if self.seen == "" else f" Seen: '{self.seen}'."
        return f"{self.where}: {self.problem}.{seen} Expected: {self.expected}."

    def __str__(self) -> str:
        return f"{self.severity.capitalize()}: {self.text}"


def messages_text(messages: Iterable[Message]) -> str:
    """Messages one per line, as the command line prints them."""
    return "\n".join(str(m) for m in messages)


AUDIT_REASONS_CHARS = 20_000  # an audit row keeps at most this much of a refusal's messages
_VARIABLE = re.compile(r"'[^']*'|\d[\d,.]*")  # quoted values and numbers differ between rows of one kind


def kind(message: Message) -> tuple[str, str | None, str | None, str]:
    """What makes two messages the same kind of problem: severity, sheet, column and the
    problem's words without the values it quotes (row numbers, ids, figures)."""
    return (message.severity, message.sheet, message.column, _VARIABLE.sub("…", message.problem))


def bounded(messages: list[Message], per_kind: int) -> list[Message]:
    """At most ``per_kind`` located messages of each kind, in order, then for each kind with
    more a message counting the rest and the rows they are on, so a file of 100,000 bad rows
    gives a few dozen messages, not 100,000."""
    counts = Counter(kind(m) for m in messages)
    shown: Counter[tuple] = Counter()
    kept: list[Message] = []
    rest: dict[tuple, list[Message]] = {}
    for m in messages:
        k = kind(m)
        if shown[k] < per_kind:
            shown[k] += 1
            kept.append(m)
        else:
            rest.setdefault(k, []).append(m)
    for k, more in rest.items():
        first = more[0]
        rows = [m.row for m in more if m.row is not None]
        span = f" (rows {rows[0]:,} to {rows[-1]:,})" if len(rows) > 1 else f" (row {rows[0]:,})" if rows else ""
        kept.append(
            Message(
                severity=first.severity,
                sheet=first.sheet,
                column=first.column,
                problem=f"{len(more):,} more of the {counts[k]:,} problems like the first {per_kind} above{span}, "
                f"not listed one by one: {first.problem}",
                expected=first.expected,
            )
        )
    return kept


def audit_summary(lines: Iterable[str], limit: int = AUDIT_REASONS_CHARS) -> str:
    """The reasons an audit row keeps: the lines in order, cut at ``limit`` characters with a
    count of what was left out, so one hostile file cannot make a huge audit row."""
    out: list[str] = []
    used = 0
    items = list(lines)
    for i, line in enumerate(items):
        if used + len(line) + 1 > limit:
            out.append(f"... and {len(items) - i:,} more message(s) not kept in the audit log.")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def fault_message(filename: str, exc: BaseException, reference: str) -> Message:
    """The message for a file the reader failed on in a way it did not foresee: no traceback
    and no server path, only the fault's kind and a reference the operator's log carries."""
    return Message(
        severity=ERROR,
        problem=f"'{filename}' could not be read: the checks stopped at an unexpected fault "
        f"({type(exc).__name__}). Nothing was stored; the fault is logged for the operator under reference {reference}",
        expected="the template saved again from Excel or LibreOffice; if it keeps failing, send the file and "
        "the reference to the dashboard's operator",
    )
