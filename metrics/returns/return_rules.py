"""The checks across a return's rows, declared as one ordered table: duplicates (errors), then
figures, statuses and board actions left out, large changes on last period, indicators off
target and actions at risk with no comment (warnings). They run with the row errors, so a lead sees everything in
one round; an indicator or action with a refused row is left to that row's error.

Each warning's ``expected`` says what clears it, and doing that does: fill the cell it names
(a figure, a status, a comment), or, for a figure that cannot be reported yet, give an
explanation when submitting (:data:`EXPLAIN`).

Each rule is a function of the :class:`~metrics.returns.rules.Accepted` rows (those that passed
every row rule) and the :class:`~metrics.returns.rules.Context`, and returns its messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from metrics.board.actions import BoardStatus, owed_in_return, return_status
from metrics.board.status import Rag, format_value, indicator_status
from metrics.returns.layout import CSV_SHEET, STATUSES_NEEDING_COMMENTARY, cell_words
from metrics.returns.messages import ERROR, WARNING, Message, Severity
from metrics.returns.obligations import Period, owed_actions, owed_indicators, owed_periods, stored_value
from metrics.returns.reading import cell_text
from metrics.returns.rules import Accepted, Context, board_overdue

# The columns of the store's indicator values a return's own figures are merged into.
STORED_COLUMNS = ["indicator_id", "period_type", "period_start", "ward_code", "value", "is_demo", "source"]
VALUE_KEY = ["indicator_id", "period_type", "period_start", "ward_code"]
# How a lead explains a warning that no cell can clear, on the page and on the command line.
EXPLAIN = "an explanation when submitting (the box on the Upload page, or --explanation on the command line)"
CLEARS = "(this clears the warning)"
BOARD_TEXT_CHARS = 80  # of a board action's text, quoted so the lead knows which one is meant


def area_phrase(ctx: Context, ward_code: str | None) -> str:
    """Where a figure is for, in the plan's words: 'for the <area word> <area name>', or 'for the whole <area kind>'."""
    p = ctx.plan.partnership
    if ward_code is None:
        return f"for the whole {p.area_kind}"
    return f"for the {p.area_singular} {ctx.plan.ward_names().get(ward_code, ward_code)}"


def duplicate_indicators(rows: Accepted, ctx: Context) -> list[Message]:
    """One row per indicator, period and ward: every later copy is an error."""
    out, seen = [], {}
    for r in rows.indicators:
        key = (r["indicator_id"], r["period_start"], r["ward_code"])
        if key not in seen:
            seen[key] = r["row_number"]
            continue
        where = area_phrase(ctx, r["ward_code"])
        out.append(
            Message(
                severity=ERROR,
                sheet=r["sheet"],
                row=r["row_number"],
                column="id" if r["sheet"] == CSV_SHEET else "indicator_id",
                seen=r["indicator_id"],
                problem=f"a second row for the same indicator, period and {ctx.plan.partnership.area_singular} "
                f"({where}); row {seen[key]} already gives it",
                expected=f"one row per indicator, period and {ctx.plan.partnership.area_singular}: delete one",
            )
        )
    return out


def duplicate_actions(rows: Accepted, ctx: Context) -> list[Message]:
    """One row per action: every later copy is an error."""
    out, seen = [], {}
    for r in rows.actions:
        if r["action_id"] not in seen:
            seen[r["action_id"]] = r["row_number"]
            continue
        out.append(
            Message(
                severity=ERROR,
                sheet=r["sheet"],
                row=r["row_number"],
                column="id" if r["sheet"] == CSV_SHEET else "action_id",
                seen=r["action_id"],
                problem=f"a second row for the same action; row {seen[r['action_id']]} already gives it",
                expected="one row per action: delete one",
            )
        )
    return out


def figures_missing(rows: Accepted, ctx: Context) -> list[Message]:
    """Each figure owed (for the whole area) is given: blank, or no row for it, is a warning."""
    out = []
    for ind in owed_indicators(ctx.plan, ctx.subgroup.id, ctx.quarter):
        if ind.id in rows.refused:
            continue  # its refused row's error comes first
        for period in owed_periods(ind, ctx.quarter):
            given = [
                r
                for r in rows.indicators
                if r["indicator_id"] == ind.id and r["period_start"] == period.start and r["ward_code"] is None
            ]
            if given and given[0]["value"] is not None:
                continue
            out.append(
                Message(
                    severity=WARNING,
                    sheet=rows.indicator_sheet,
                    row=given[0]["row_number"] if given else None,
                    column="value",
                    seen="" if given else None,
                    problem=f"no figure for '{ind.name}' for {period.label} {area_phrase(ctx, None)}"
                    + ("" if given else " (no row for it)"),
                    expected=f"the figure in 'value' {CLEARS}; if it cannot be reported yet, {EXPLAIN} "
                    "(the tracker will show it as missing)",
                )
            )
    return out


def statuses_missing(rows: Accepted, ctx: Context) -> list[Message]:
    """Each of the subgroup's actions has a status: blank, or no row for it, is a warning."""
    out = []
    for action in owed_actions(ctx.plan, ctx.subgroup.id):
        if action.id in rows.refused:
            continue
        given = [r for r in rows.actions if r["action_id"] == action.id]
        if given and given[0]["status"]:
            continue
        out.append(
            Message(
                severity=WARNING,
                sheet=rows.action_sheet,
                row=given[0]["row_number"] if given else None,
                column="status",
                seen="" if given else None,
                problem=f"no status for action '{action.id}'" + ("" if given else " (no row for it)"),
                expected=f"a status in 'status' {CLEARS}: {cell_words('status', ctx.plan.partnership).allowed}",
            )
        )
    return out


def at_risk_without_commentary(rows: Accepted, ctx: Context) -> list[Message]:
    """An action reported at risk or off track with a blank commentary is a warning: the
    board needs to know why and what is being done."""
    out = []
    for r in rows.actions:
        if r["status"] not in STATUSES_NEEDING_COMMENTARY or r["commentary"]:
            continue
        out.append(
            Message(
                severity=WARNING,
                sheet=r["sheet"],
                row=r["row_number"],
                column="commentary",
                seen="",
                problem=f"action '{r['action_id']}' is {r['status']} and has no commentary",
                expected=f"a comment in 'commentary' for the board: why, and what is being done {CLEARS}",
            )
        )
    return out


def _valued(rows: Accepted) -> pd.DataFrame:
    """The accepted indicator rows that carry a figure."""
    frame = pd.DataFrame(rows.indicators)
    return frame if frame.empty else frame[frame["value"].notna()]


def large_changes(rows: Accepted, ctx: Context) -> list[Message]:
    """A figure that moved more than the plan's change limit from the one stored for the
    previous period is a warning (asks for a check and a comment)."""
    out = []
    limit = ctx.limits.change_warning_pct
    for r in _valued(rows).itertuples(index=False):
        if isinstance(r.commentary, str) and r.commentary.strip():
            continue  # the lead has said why: the comment goes to the board with the figure
        ind = ctx.indicators[r.indicator_id]
        last_period = Period(r.period_type, r.period_start).previous()
        last = stored_value(ctx.values, ind, last_period, r.ward_code)
        if last is None or last == 0:
            continue
        change = (r.value - last) / abs(last) * 100
        if abs(change) <= limit:
            continue
        out.append(
            Message(
                severity=WARNING,
                sheet=r.sheet,
                row=r.row_number,
                column="value",
                seen=cell_text(r.value),
                problem=f"'{ind.name}' {area_phrase(ctx, r.ward_code)} changed by {change:+.0f}% on "
                f"{last_period.label} ({format_value(last, ind.unit)})",
                expected=f"a check that the figure is right, then why it moved in this row's 'commentary' {CLEARS}",
            )
        )
    return out


def off_target_without_commentary(rows: Accepted, ctx: Context) -> list[Message]:
    """An indicator off target with this return's figures (merged over the stored ones they
    replace) and no comment on any of its rows is a warning."""
    frame = pd.DataFrame(rows.indicators)
    if frame.empty:
        return []
    valued = frame[frame["value"].notna()]
    incoming = valued.assign(period_start=pd.to_datetime(valued["period_start"]), is_demo=False, source="return")[
        STORED_COLUMNS
    ].drop_duplicates(VALUE_KEY)  # a duplicate row is an error of its own; the first copy counts here
    marked = ctx.values.merge(incoming[VALUE_KEY].assign(_hit=True), on=VALUE_KEY, how="left")
    kept = ctx.values[marked["_hit"].isna().to_numpy()]
    merged = pd.concat([kept, incoming], ignore_index=True)
    out = []
    for ind_id, group in frame.groupby("indicator_id", sort=False):
        ind = ctx.indicators[ind_id]
        if ind_id in rows.refused or group["value"].isna().all() or group["commentary"].notna().any():
            continue
        status = indicator_status(ctx.plan, ind, merged, ctx.quarter)
        if status.rag is not Rag.OFF_TARGET:
            continue
        first = group.iloc[0]
        out.append(
            Message(
                severity=WARNING,
                sheet=first["sheet"],
                row=int(first["row_number"]),
                column="commentary",
                seen="",
                problem=f"'{ind.name}' is off target with these figures "
                f"({format_value(status.value.value, ind.unit)} against "
                f"{format_value(status.target, ind.unit)}) and has no commentary",
                expected=f"a comment in 'commentary' for the board: why, and what is being done {CLEARS}",
            )
        )
    return out


def board_overdue_without_note(rows: Accepted, ctx: Context) -> list[Message]:
    """A board action past its due quarter, still open after this return, with no note on its
    row is a warning: the board will ask why, and what happens next."""
    out = []
    for r in rows.actions:
        view = ctx.board.get(r["action_id"])
        if view is None or r["commentary"] or not board_overdue(view, ctx.quarter):
            continue
        if r["status"] and return_status(r["status"]) in (BoardStatus.DONE,):
            continue  # closing it: a row rule asks for the note
        out.append(
            Message(
                severity=WARNING,
                sheet=r["sheet"],
                row=r["row_number"],
                column="commentary",
                seen="",
                problem=f"board action {view.reference} was due in {view.due.label} and is still open, with no note",
                expected="a note for the board: where it stands, why it is late and when it will be done",
            )
        )
    return out


def board_actions_missing(rows: Accepted, ctx: Context) -> list[Message]:
    """Each open board action the subgroup owns (those its template lists) has a row: one left
    out is a warning, or the board would hear nothing of it and not know why."""
    given = {r["action_id"] for r in rows.actions} | set(rows.refused)
    out = []
    for view in owed_in_return(ctx.board.values(), ctx.subgroup.id, ctx.quarter):
        if view.reference in given:
            continue
        out.append(
            Message(
                severity=WARNING,
                sheet=rows.action_sheet,
                row=None,
                column="action_id",
                seen=None,
                problem=f"board action {view.reference} ({view.action.text[:BOARD_TEXT_CHARS]}), due in "
                f"{view.due.label}, is not in the return (no row for it)",
                expected=f"its row from the template, with a status and a note for the board {CLEARS}; if there "
                f"is nothing to report on it yet, {EXPLAIN}",
            )
        )
    return out


ReturnCheck = Callable[[Accepted, Context], list[Message]]


@dataclass(frozen=True)
class ReturnRule:
    """A rule across rows: its name, the severity of what it reports and its check."""

    name: str
    severity: Severity
    check: ReturnCheck


RETURN_RULES: tuple[ReturnRule, ...] = (
    ReturnRule("duplicate_indicators", ERROR, duplicate_indicators),
    ReturnRule("duplicate_actions", ERROR, duplicate_actions),
    ReturnRule("figures_missing", WARNING, figures_missing),
    ReturnRule("statuses_missing", WARNING, statuses_missing),
    ReturnRule("large_changes", WARNING, large_changes),
    ReturnRule("off_target_without_commentary", WARNING, off_target_without_commentary),
    ReturnRule("at_risk_without_commentary", WARNING, at_risk_without_commentary),
    ReturnRule("board_overdue_without_note", WARNING, board_overdue_without_note),
    ReturnRule("board_actions_missing", WARNING, board_actions_missing),
)
