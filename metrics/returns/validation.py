"""Checking a return: read the file, run every row through :data:`~metrics.returns.rules.ROW_RULES`
and the rows that pass through :data:`~metrics.returns.return_rules.RETURN_RULES`, and keep a
preview of each sheet with its rows' messages. :func:`validate_return` changes nothing in the
store: it reads the stored figures once, for the rules' context."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics.board.action_log import load as load_action_log
from metrics.plan.model import Plan
from metrics.quarters import Quarter
from metrics.returns.layout import (
    ACTION_REQUIRED,
    ACTIONS,
    CSV_REQUIRED,
    CSV_SHEET,
    INDICATOR_REQUIRED,
    INDICATORS,
    SECTION_ACTION,
    SECTION_INDICATOR,
)
from metrics.returns.messages import ERROR, WARNING, Message, ReturnError, bounded, fault_message
from metrics.returns.reading import Sheet, cell_text, read_sheets, size_problem
from metrics.returns.return_rules import RETURN_RULES
from metrics.returns.rules import Accepted, Context, Row, accepted_row, row_messages
from metrics.store import Store
from metrics.store import indicators as indicator_store
from metrics.store.returns import RETURN_ROW_COLUMNS

log = logging.getLogger(__name__)


@dataclass
class ParsedReturn:
    """A file read against a subgroup and quarter: its messages, and (when it has no errors)
    the rows that would be stored. Reading it changes nothing in the store."""

    filename: str
    sha256: str
    size_bytes: int
    subgroup_id: str
    quarter: Quarter
    messages: list[Message] = field(default_factory=list)
    indicator_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    action_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    preview: dict[str, pd.DataFrame] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # problems found by severity, before the list was bounded

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.severity == ERROR]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self.messages if m.severity == WARNING]

    @property
    def error_count(self) -> int:
        """Every error found, including those the bounded list only counts."""
        return self.totals.get(ERROR, len(self.errors))

    @property
    def warning_count(self) -> int:
        """Every warning found, including those the bounded list only counts."""
        return self.totals.get(WARNING, len(self.warnings))

    def summary(self) -> str:
        """One line: passed, or how many errors and warnings."""
        if not self.messages:
            return f"'{self.filename}' passed every check."
        return f"'{self.filename}' has {self.error_count:,} error(s) and {self.warning_count:,} warning(s)."


def validate_return(
    plan: Plan, store: Store, content: bytes, filename: str, subgroup_id: str, quarter: Quarter
) -> ParsedReturn:
    """Read and check a return without changing anything in the store."""
    try:
        plan.subgroup(subgroup_id)
    except KeyError as exc:
        known = ", ".join(s.id for s in plan.subgroups)
        raise ReturnError(f"There is no subgroup {subgroup_id!r} in the plan; use one of: {known}.") from exc
    name = Path(filename).name or "upload"
    parsed = ParsedReturn(name, hashlib.sha256(content).hexdigest(), len(content), subgroup_id, quarter)
    values = indicator_store.values(store)  # read before the boundary: a store fault is not the file's
    board = load_action_log(store)
    # One error boundary per file: whatever the file does to the reader or the rules becomes a
    # message for the lead (and so an audit row when submitted), with the full error logged
    # for the operator; never a traceback.
    try:
        sheets = read_sheets(content, name, plan.settings.returns, parsed.messages)
        if sheets is not None:
            check_sheets(sheets, Context.build(plan, subgroup_id, quarter, values, board), parsed)
    except Exception as exc:  # noqa: BLE001 - the boundary: any fault reading a file is reported, not raised
        reference = parsed.sha256[:12]
        log.exception("Reading return %r (sha256 %s) for %s %s failed", name, parsed.sha256, subgroup_id, quarter)
        parsed.messages.append(fault_message(name, exc, reference))
        parsed.indicator_rows = pd.DataFrame()
        parsed.action_rows = pd.DataFrame()
    parsed.totals = {severity: sum(m.severity == severity for m in parsed.messages) for severity in (ERROR, WARNING)}
    parsed.messages = bounded(parsed.messages, plan.settings.returns.messages_per_kind)
    return parsed


def oversized_return(
    plan: Plan, filename: str, size: int, sha256: str, subgroup_id: str, quarter: Quarter
) -> ParsedReturn | None:
    """A file refused for its size before it is read (the command line hashes a large file as
    it streams past and never holds it), or None when it is within the limit."""
    name = Path(filename).name or "upload"
    problem = size_problem(size, name, plan.settings.returns)
    if problem is None:
        return None
    return ParsedReturn(name, sha256, size, subgroup_id, quarter, messages=[problem])


def check_sheets(sheets: list[Sheet], ctx: Context, parsed: ParsedReturn) -> None:
    """Run the rules over the sheets read from a file, adding to ``parsed`` its messages, its
    preview and (when there are no errors) the rows that would be stored."""
    checker = _Checker(ctx, parsed)
    for sheet in sheets:
        checker.sheet(sheet)
    if sum(len(f) for f in parsed.preview.values()) == 0 and not parsed.errors:
        parsed.messages.append(
            Message(
                severity=ERROR,
                seen="no rows",
                problem=f"'{parsed.filename}' holds no figures or action updates",
                expected="the template's rows, filled in with this quarter's figures",
            )
        )
        return
    accepted = Accepted(
        checker.indicators, checker.actions, from_csv=CSV_SHEET in parsed.preview, refused=frozenset(checker.refused)
    )
    # Every rule runs, errors or not, so the lead sees every problem in one round; a rule
    # leaves alone an item whose row was refused (its error says what to fix first). Only a
    # file whose shape is broken (a sheet or a required column missing) skips the warnings:
    # every figure would be "missing" when the real problem is the one error.
    broken = checker.broken or any(m.severity == ERROR and m.row is None for m in parsed.messages)
    for rule in RETURN_RULES:
        if rule.severity == WARNING and broken:
            continue
        for message in rule.check(accepted, ctx):
            checker.add(message)
    checker.finish()


# A workbook sheet holds one section; the CSV says per row.
_SHEET_SECTIONS = {INDICATORS: SECTION_INDICATOR, ACTIONS: SECTION_ACTION}
_REQUIRED = {SECTION_INDICATOR: INDICATOR_REQUIRED, SECTION_ACTION: ACTION_REQUIRED, None: CSV_REQUIRED}


class _Checker:
    """Walks the sheets, keeping each row's messages for the preview."""

    def __init__(self, ctx: Context, parsed: ParsedReturn) -> None:
        self.ctx = ctx
        self.parsed = parsed
        self.indicators: list[dict] = []
        self.actions: list[dict] = []
        self.refused: set[str] = set()  # ids of items with a refused row
        self.broken = False  # a sheet lacks a required column: its rows were not read
        self.row_messages: dict[tuple[str, int], list[Message]] = {}
        for message in parsed.messages:  # the reader's own (unreadable cells) show in the preview too
            if message.sheet is not None and message.row is not None:
                self.row_messages.setdefault((message.sheet, message.row), []).append(message)

    def add(self, message: Message) -> None:
        self.parsed.messages.append(message)
        if message.sheet is not None and message.row is not None:
            self.row_messages.setdefault((message.sheet, message.row), []).append(message)

    def sheet(self, sheet: Sheet) -> None:
        kind = _SHEET_SECTIONS.get(sheet.name)  # None for the CSV: its section is per row
        required = _REQUIRED[kind]
        if not sheet.header or all(h == "" for h in sheet.header):
            return  # an empty sheet; the file-level check reports an empty file
        missing = [c for c in required if c not in sheet.header]
        if missing:
            self.add(
                Message(
                    severity=ERROR,
                    sheet=sheet.name,
                    row=sheet.header_row,
                    column=", ".join(missing),
                    seen=", ".join(h for h in sheet.header if h),
                    problem=f"required column(s) {', '.join(repr(m) for m in missing)} missing from the header row",
                    expected=f"the template's header row: {', '.join(required)} (and the reference columns)",
                )
            )
            self.broken = True
            return
        index = {h: i for i, h in enumerate(sheet.header) if h}
        preview = []
        for number, cells in sheet.rows:
            if all(cell_text(c) == "" for c in cells):
                continue
            values = {h: (cells[i] if i < len(cells) else None) for h, i in index.items()}
            section = kind
            if kind is None:
                section = cell_text(values.get("section")).lower()
                values["indicator_id" if section == SECTION_INDICATOR else "action_id"] = values.get("id")
            preview.append({"row": number, **{h: cell_text(v) for h, v in values.items()}})
            if number in sheet.bad_rows:
                continue  # its unreadable cell is already reported; the rules would only repeat it
            row = Row(sheet.name, number, section, values)
            messages = row_messages(row, self.ctx)
            for message in messages:
                self.add(message)
            if messages:
                self.refused.add(row.item_id)
            elif section == SECTION_INDICATOR:
                self.indicators.append(accepted_row(row, self.ctx))
            else:
                self.actions.append(accepted_row(row, self.ctx))
        self.parsed.preview[sheet.name] = pd.DataFrame(preview)

    def finish(self) -> None:
        self.parsed.indicator_rows = pd.DataFrame(self.indicators, columns=list(RETURN_ROW_COLUMNS[INDICATORS]))
        self.parsed.action_rows = pd.DataFrame(self.actions, columns=list(RETURN_ROW_COLUMNS[ACTIONS]))
        for name, frame in self.parsed.preview.items():
            if frame.empty:
                continue
            frame["messages"] = [
                " ".join(f"{m.severity.capitalize()}: {m.problem}." for m in self.row_messages.get((name, r), []))
                for r in frame["row"]
            ]
