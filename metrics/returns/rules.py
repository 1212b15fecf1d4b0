"""The checks a return's rows must pass, declared as two ordered tables of small rules.

- :data:`ROW_RULES`: each rule is a function of one :class:`Row` and the :class:`Context`
  (the plan, the subgroup and quarter, the stored figures) that returns a :class:`Message` or
  None. A row is checked by the rules for its section in table order and every problem is
  reported, so a lead fixes a file in one round: only a *gate* (the quarter, the section, the
  id) stops the row, since the later rules rely on it (the id is known before its period is
  checked), and a column gets at most one message (its first).
- :data:`RETURN_RULES`: rules over every row that passed (duplicates, missing figures, large
  changes, off target or at risk without a comment), each a function of the :class:`Accepted`
  rows and the context that returns its messages. They run alongside the errors; an item with
  a refused row is left to that row's error.

Nothing here reads the store: the caller hands the stored figures in through the context.
A new rule is a function and a line in its table (and a case in tests/test_return_rules.py,
which fails until it has one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from metrics.board.actions import (
    RETURN_STATUS_WORDS,
    ActionView,
    BoardStatus,
    closed_by_own_return,
    is_reference,
    meeting_day,
    owner_name,
    return_status,
)
from metrics.plan.model import Action, Indicator, Plan, ReturnSettings, Subgroup
from metrics.quarters import PeriodError, Quarter
from metrics.returns.layout import (
    ACTIONS,
    CSV_SHEET,
    INDICATORS,
    SECTION_ACTION,
    SECTION_INDICATOR,
    cell_words,
)
from metrics.returns.messages import ERROR, Message
from metrics.returns.obligations import PERIOD_TYPES, owed_periods
from metrics.returns.reading import action_status, cell_text, number, parse_period

SECTIONS = (SECTION_INDICATOR, SECTION_ACTION)
UNIT_WORDS = {"count": "a whole number, 0 or more", "percent": "a percentage from 0 to 100"}
PERCENT_RANGE = (0, 100)


# --- what a rule is handed ------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the rules check rows against. Built once per return by the caller, which reads
    the stored figures from the store; the rules never do."""

    plan: Plan
    subgroup: Subgroup
    quarter: Quarter
    values: pd.DataFrame  # stored figures of the subgroup's own indicators (the warnings look at these)
    indicators: Mapping[str, Indicator]
    actions: Mapping[str, Action]
    wards: Mapping[str, str]  # a ward's code or name, lower case -> its code
    # the board's action log by reference (board action rows sit in the actions section,
    # their reference in action_id); empty when the log holds nothing
    board: Mapping[str, ActionView] = field(default_factory=dict)

    @property
    def limits(self) -> ReturnSettings:
        return self.plan.settings.returns

    @classmethod
    def build(
        cls,
        plan: Plan,
        subgroup_id: str,
        quarter: Quarter,
        values: pd.DataFrame,
        board: Sequence[ActionView] = (),
    ) -> Context:
        """The context for one subgroup's return; ``values`` is the store's indicator values
        (all of them: only the subgroup's own are kept), ``board`` the action log."""
        owned = [i.id for i in plan.indicators if i.owner == subgroup_id]
        return cls(
            plan=plan,
            subgroup=plan.subgroup(subgroup_id),
            quarter=quarter,
            values=values[values["indicator_id"].isin(owned)],
            indicators={i.id: i for i in plan.indicators},
            actions={a.id: a for a in plan.actions},
            wards={w.code.lower(): w.code for w in plan.wards} | {w.name.lower(): w.code for w in plan.wards},
            board={v.reference: v for v in board},
        )

    def items(self, kind: str) -> Mapping[str, Indicator] | Mapping[str, Action]:
        return self.indicators if kind == SECTION_INDICATOR else self.actions

    def owned_ids(self, kind: str) -> str:
        """The subgroup's ids of one kind, as a message lists them."""
        return ", ".join(i.id for i in self.items(kind).values() if i.owner == self.subgroup.id) or "none"


@dataclass(frozen=True)
class Row:
    """One filled-in row as read: where it is, its section ('indicator', 'action', or what a
    CSV's section cell said) and its cells by (normalised) column name."""

    sheet: str
    number: int
    section: str
    cells: Mapping[str, object]

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))

    @property
    def item_id(self) -> str:
        return self.text(f"{self.section}_id")

    @property
    def is_board_action(self) -> bool:
        """An action row whose id is a board action's reference (A-2025/26-Q2-03)."""
        return self.section == SECTION_ACTION and is_reference(self.item_id)

    @property
    def id_column(self) -> str:
        return "id" if self.sheet == CSV_SHEET else f"{self.section}_id"

    def error(self, *, column: str, seen: str, problem: str, expected: str) -> Message:
        """An error located at this row."""
        return Message(
            severity=ERROR,
            sheet=self.sheet,
            row=self.number,
            column=column,
            seen=seen,
            problem=problem,
            expected=expected,
        )


@dataclass(frozen=True)
class Accepted:
    """The rows that passed every row rule, as they would be stored, in file order."""

    indicators: list[dict]
    actions: list[dict]
    from_csv: bool
    refused: frozenset[str] = frozenset()  # ids of indicators and actions with a refused row

    @property
    def indicator_sheet(self) -> str:
        return CSV_SHEET if self.from_csv else INDICATORS

    @property
    def action_sheet(self) -> str:
        return CSV_SHEET if self.from_csv else ACTIONS


def _period_example(ind: Indicator, quarter: Quarter) -> str:
    owed = owed_periods(ind, quarter)
    if owed:
        return " or ".join(p.label for p in owed)
    return f"the financial year {quarter.year.label}, in the Q4 return"


# --- row rules ------------------------------------------------------------------------------


def quarter_readable(row: Row, ctx: Context) -> Message | None:
    """The quarter cell names a quarter (blank: a row added by hand; the chosen quarter applies)."""
    text = row.text("quarter")
    if not text:
        return None
    try:
        Quarter.parse(text)
    except PeriodError as exc:
        return row.error(column="quarter", seen=text, problem=str(exc).rstrip("."), expected=ctx.quarter.label)
    return None


def quarter_chosen(row: Row, ctx: Context) -> Message | None:
    """The row is for the quarter the return was chosen for; its other cells are checked
    against its own quarter only once that is fixed."""
    text = row.text("quarter")
    if not text or (q := Quarter.parse(text)) == ctx.quarter:
        return None
    return row.error(
        column="quarter",
        seen=text,
        problem=f"this row is for {q.label} but the return was chosen for {ctx.quarter.label}",
        expected=f"{ctx.quarter.label}, or choose {q.label} when uploading",
    )


def section_known(row: Row, ctx: Context) -> Message | None:
    """A CSV row says whether it is an indicator's figure or an action's progress."""
    if row.section in SECTIONS:
        return None
    return row.error(
        column="section",
        seen=row.text("section"),
        problem="the section is not one we know",
        expected="'indicator' or 'action'",
    )


def id_known(row: Row, ctx: Context) -> Message | None:
    """The row's indicator or action id is in the plan (a board action's reference is checked
    by the board rules below)."""
    if row.is_board_action or row.item_id in ctx.items(row.section):
        return None
    kind, mine = row.section, ctx.subgroup.id
    return row.error(
        column=row.id_column,
        seen=row.item_id,
        problem=f"no {kind} in the plan has this id",
        expected=f"one of {mine}'s {kind} ids: {ctx.owned_ids(kind)}",
    )


def id_owned(row: Row, ctx: Context) -> Message | None:
    """The row's indicator or action is one this subgroup reports."""
    if row.is_board_action:
        return None
    item = ctx.items(row.section)[row.item_id]
    kind, mine = row.section, ctx.subgroup.id
    if item.owner == mine:
        return None
    owner = ctx.plan.subgroup(item.owner)
    return row.error(
        column=row.id_column,
        seen=row.item_id,
        problem=f"{kind} '{row.item_id}' is reported by {owner.name}, not {ctx.subgroup.name}",
        expected=f"only {mine}'s {kind}s ({ctx.owned_ids(kind)}); remove the row, or upload it in {owner.id}'s return",
    )


def period_owed(row: Row, ctx: Context) -> Message | None:
    """The period is one the indicator owes a figure for in this quarter."""
    ind = ctx.indicators[row.item_id]
    start = parse_period(row.cells.get("period"), ind)
    if start is not None and any(p.start == start for p in owed_periods(ind, ctx.quarter)):
        return None
    return row.error(
        column="period",
        seen=row.text("period"),
        problem=f"this is not a period '{ind.name}' ({ind.frequency}) is reported for in {ctx.quarter.label}",
        expected=_period_example(ind, ctx.quarter),
    )


def ward_known(row: Row, ctx: Context) -> Message | None:
    """A local area (the ``ward`` column), if given, is one of the plan's, by name or code; the
    message names the plan's own first area as its example."""
    text = row.text("ward")
    if not text or text.lower() in ctx.wards:
        return None
    p, cell = ctx.plan.partnership, cell_words("ward", ctx.plan.partnership)
    example = f" (for example {ctx.plan.wards[0].name} or {ctx.plan.wards[0].code})" if ctx.plan.wards else ""
    return row.error(
        column="ward",
        seen=text,
        problem=f"this is not one of the partnership's {p.area_plural}",
        expected=f"{cell.allowed}{example}; blank means {cell.blank}",
    )


def ward_recorded(row: Row, ctx: Context) -> Message | None:
    """A ward is given only for an indicator recorded by ward."""
    ind = ctx.indicators[row.item_id]
    text = row.text("ward")
    if not text or ind.ward_detail:
        return None
    p = ctx.plan.partnership
    return row.error(
        column="ward",
        seen=text,
        problem=f"'{ind.name}' is not recorded by {p.area_singular}",
        expected=f"a blank (the whole {p.area_kind})",
    )


def _value(row: Row, ctx: Context) -> tuple[Indicator, float | None, str]:
    """The row's indicator, its value as a number (None: blank or not a number) and how the
    value should look, for the value rules."""
    ind = ctx.indicators[row.item_id]
    return ind, number(row.cells.get("value")), UNIT_WORDS.get(ind.unit, "a number")


def value_is_number(row: Row, ctx: Context) -> Message | None:
    """A value, if given, is a number (blank: not reported yet, which is a warning later)."""
    ind, value, expect = _value(row, ctx)
    if row.text("value") == "" or value is not None:
        return None
    example = "42" if ind.unit == "count" else "12.5"
    return row.error(
        column="value",
        seen=row.text("value"),
        problem="the value is not a number",
        expected=f"{expect}, for example {example}, or blank",
    )


def count_not_negative(row: Row, ctx: Context) -> Message | None:
    """A count is 0 or more."""
    ind, value, expect = _value(row, ctx)
    if ind.unit != "count" or value is None or value >= 0:
        return None
    problem = f"'{ind.name}' is a count and cannot be negative"
    return row.error(column="value", seen=row.text("value"), problem=problem, expected=expect)


def count_whole(row: Row, ctx: Context) -> Message | None:
    """A count is a whole number."""
    ind, value, expect = _value(row, ctx)
    if ind.unit != "count" or value is None or value.is_integer():
        return None
    problem = f"'{ind.name}' is a count of whole things"
    return row.error(column="value", seen=row.text("value"), problem=problem, expected=expect)


def percent_in_range(row: Row, ctx: Context) -> Message | None:
    """A percentage lies between 0 and 100."""
    ind, value, expect = _value(row, ctx)
    low, high = PERCENT_RANGE
    if ind.unit != "percent" or value is None or low <= value <= high:
        return None
    problem = f"'{ind.name}' is a percentage and must lie between {low} and {high}"
    return row.error(column="value", seen=row.text("value"), problem=problem, expected=expect)


def status_known(row: Row, ctx: Context) -> Message | None:
    """An action's status, if given, is one of the statuses (any case)."""
    text = row.text("status")
    if row.is_board_action or not text or action_status(text) is not None:
        return None
    return row.error(
        column="status",
        seen=text,
        problem="this is not one of the action statuses",
        expected=cell_words("status", ctx.plan.partnership).allowed,
    )


# --- board actions (rows in the actions section whose id is a board action's reference) -------


def _board_words() -> str:
    return ", ".join(RETURN_STATUS_WORDS)


def board_reference_known(row: Row, ctx: Context) -> Message | None:
    """A board action's reference is in the action log."""
    if not row.is_board_action or row.item_id in ctx.board:
        return None
    mine = [v.reference for v in ctx.board.values() if v.owner == ctx.subgroup.id and v.is_open]
    return row.error(
        column=row.id_column,
        seen=row.item_id,
        problem="no board action in the action log has this reference",
        expected=f"one of {ctx.subgroup.id}'s open board actions: {', '.join(mine) or 'none'} "
        "(as the template lists them); remove the row if it is not one",
    )


def board_reference_owned(row: Row, ctx: Context) -> Message | None:
    """A board action in the return is one this subgroup owns."""
    if not row.is_board_action:
        return None
    view = ctx.board[row.item_id]
    if view.owner == ctx.subgroup.id:
        return None
    owner = owner_name(ctx.plan, view.owner)
    return row.error(
        column=row.id_column,
        seen=row.item_id,
        problem=f"board action {row.item_id} is owned by {owner}, not {ctx.subgroup.name}",
        expected=f"only {ctx.subgroup.id}'s board actions; remove the row, or report it in {view.owner}'s return",
    )


def board_action_open(row: Row, ctx: Context) -> Message | None:
    """A closed board action takes no more updates from a return (unless this subgroup's own
    return for the quarter closed it: a corrected resubmission may repeat the row)."""
    if not row.is_board_action:
        return None
    view = ctx.board[row.item_id]
    if view.is_open or closed_by_own_return(view, ctx.subgroup.id, ctx.quarter):
        return None
    return row.error(
        column="status",
        seen=row.text("status"),
        problem=f"board action {row.item_id} was closed ({view.status.word.lower()}) by "
        f"{view.latest.author}; a return cannot change it",
        expected="remove the row; ask the board's officer to reopen the action if it needs more work",
    )


def board_status_known(row: Row, ctx: Context) -> Message | None:
    """A board action's status, if given, is one a return may report (Dropped is the board's)."""
    text = row.text("status")
    if not row.is_board_action or not text or return_status(text) is not None:
        return None
    dropped = text.strip().casefold() == BoardStatus.DROPPED.word.casefold()
    return row.error(
        column="status",
        seen=text,
        problem="only the board drops an action" if dropped else "this is not a status a board action can take",
        expected=f"one of: {_board_words()}",
    )


def board_close_has_note(row: Row, ctx: Context) -> Message | None:
    """Reporting a board action done needs a note saying what was done."""
    text = row.text("status")
    if not row.is_board_action or not text or row.text("commentary"):
        return None
    status = return_status(text)
    if status is None or not status.is_closed:
        return None
    return row.error(
        column="commentary",
        seen="",
        problem=f"board action {row.item_id} is reported done without a note",
        expected="a note for the board saying what was done",
    )


def board_overdue(view: ActionView, quarter: Quarter) -> bool:
    """Overdue as a return for ``quarter`` sees it: still open after its due quarter ended."""
    return view.is_overdue(meeting_day(quarter))


RowCheck = Callable[[Row, Context], Message | None]


@dataclass(frozen=True)
class RowRule:
    """A rule for single rows: its name, the sections it applies to (None: every row,
    whatever its section), its check, and whether it is a gate (its message stops the row:
    the rules after it rely on it)."""

    name: str
    sections: tuple[str, ...] | None
    check: RowCheck
    gate: bool = False


_IND, _ACT = (SECTION_INDICATOR,), (SECTION_ACTION,)
ROW_RULES: tuple[RowRule, ...] = (
    RowRule("quarter_readable", None, quarter_readable, gate=True),
    RowRule("quarter_chosen", None, quarter_chosen, gate=True),
    RowRule("section_known", None, section_known, gate=True),
    RowRule("id_known", SECTIONS, id_known, gate=True),
    RowRule("id_owned", SECTIONS, id_owned, gate=True),
    RowRule("period_owed", _IND, period_owed),
    RowRule("ward_known", _IND, ward_known),
    RowRule("ward_recorded", _IND, ward_recorded),
    RowRule("value_is_number", _IND, value_is_number),
    RowRule("count_not_negative", _IND, count_not_negative),
    RowRule("count_whole", _IND, count_whole),
    RowRule("percent_in_range", _IND, percent_in_range),
    RowRule("status_known", _ACT, status_known),
    RowRule("board_reference_known", _ACT, board_reference_known, gate=True),
    RowRule("board_reference_owned", _ACT, board_reference_owned, gate=True),
    RowRule("board_action_open", _ACT, board_action_open),
    RowRule("board_status_known", _ACT, board_status_known),
    RowRule("board_close_has_note", _ACT, board_close_has_note),
)


def row_messages(row: Row, ctx: Context) -> list[Message]:
    """Every message the row rules give for a row, in table order (empty: it passes). A gate's
    message ends the row; otherwise each column gets its first message only (a cell that is
    not a number is not also called negative)."""
    out: list[Message] = []
    for rule in ROW_RULES:
        if rule.sections is not None and row.section not in rule.sections:
            continue
        message = rule.check(row, ctx)
        if message is None or any(m.column == message.column for m in out):
            continue
        out.append(message)
        if rule.gate:
            break
    return out


def accepted_row(row: Row, ctx: Context) -> dict:
    """A row that passed every row rule, as it would be stored (see RETURN_ROW_COLUMNS)."""
    common = {
        "sheet": row.sheet,
        "row_number": row.number,
        "commentary": row.text("commentary") or None,
        "contact": row.text("contact") or None,
    }
    if row.section == SECTION_ACTION:
        status = row.text("status")
        if row.is_board_action:  # stored in the board's words: Open, In progress, Done
            board_status = return_status(status) if status else None
            return common | {"action_id": row.item_id, "status": board_status.word if board_status else None}
        return common | {"action_id": row.item_id, "status": action_status(status) if status else None}
    ind = ctx.indicators[row.item_id]
    ward = row.text("ward")
    return common | {
        "indicator_id": ind.id,
        "period_type": PERIOD_TYPES[ind.frequency],
        "period_start": parse_period(row.cells.get("period"), ind),
        "ward_code": ctx.wards[ward.lower()] if ward else None,
        "value": number(row.cells.get("value")) if row.text("value") else None,
    }
