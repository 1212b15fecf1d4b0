"""What a lead is told about a return: :class:`Message` (one problem, located by sheet, row and
column, with the value seen and what is expected), built with named fields only, and
:class:`ReturnError` for a request that cannot be carried out at all."""

from __future__ import annotations

import re
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
