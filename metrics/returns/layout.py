"""The shape of a return file: its sheets, columns (which are required) and the help text the
template's read-me gives for each, and the action statuses a lead may choose from. Template,
reading and rules all read these names, so a column is renamed in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from metrics.icons import ACTION_STATUS_WORDS as ACTION_STATUSES  # declared once: icons.ActionStatus
from metrics.icons import ActionStatus
from metrics.plan.model import Partnership

INDICATORS = "Indicators"
ACTIONS = "Actions"
README = "Read me"
LISTS = "Lists"
CSV_SHEET = "CSV file"

INDICATOR_COLUMNS = (
    "quarter", "indicator_id", "indicator", "unit", "polarity", "period", "last_period", "last_value", "value",
    "ward", "commentary", "contact",
)  # fmt: skip
INDICATOR_REQUIRED = ("quarter", "indicator_id", "period", "value", "ward", "commentary")
ACTION_COLUMNS = ("quarter", "action_id", "action", "last_status", "status", "commentary", "contact")
ACTION_REQUIRED = ("quarter", "action_id", "status", "commentary")
# The CSV alternative holds both tables in one: `section` says which, `id` and `name` stand for
# indicator_id/action_id and indicator/action.
CSV_COLUMNS = (
    "section", "quarter", "id", "name", "unit", "polarity", "period", "last_period", "last_value", "value", "ward",
    "last_status", "status", "commentary", "contact",
)  # fmt: skip
CSV_REQUIRED = ("section", "quarter", "id", "period", "value", "ward", "status", "commentary")
SECTION_INDICATOR = "indicator"
SECTION_ACTION = "action"

COLUMN_HELP = {
    "section": "CSV only: 'indicator' for an indicator's figure, 'action' for an action's progress.",
    "quarter": "The quarter this return is for, e.g. 2025/26 Q1 (filled in; do not change).",
    "indicator_id": "The indicator's id from the plan (filled in; do not change).",
    "action_id": "The action's id from the plan, or a board action's reference such as A-2025/26-Q2-03 "
    "(filled in; do not change).",
    "id": "CSV only: the indicator's or action's id from the plan (filled in; do not change).",
    "indicator": "The indicator's name, for reference.",
    "action": "The action, for reference.",
    "name": "CSV only: the indicator's or action's name, for reference.",
    "unit": "count (a whole number, 0 or more), percent (0 to 100), rate or score.",
    "polarity": "Whether a higher or a lower figure is better.",
    "period": "The month (e.g. Apr 2025), quarter (2025/26 Q1) or financial year (2025/26) the figure covers.",
    "last_period": "The period the reference figure is for.",
    "last_value": "The figure held for the last period. A big change from it asks for a comment.",
    "value": "Your figure. Leave it blank only if you cannot report it yet.",
    "ward": "For indicators recorded by {area_singular} you may add rows: one per {area_singular}.",
    "last_status": "The action's status last quarter, for reference.",
    "status": "The action's progress this quarter. A board action may also be Open, In progress or Done "
    "(Done needs a note).",
    "commentary": "What the board should know: why a figure moved, what is being done.",
    "contact": "Who to contact about this row (name or email).",
}

# Statuses that tell the board something is wrong: a blank commentary on one is a warning.
STATUSES_NEEDING_COMMENTARY = (ActionStatus.AT_RISK.word, ActionStatus.OFF_TRACK.word)

# --- what each cell must hold: the one declaration the Read me sheet and the checks share -------

Blank = Literal["error", "warning", "accepted", "not read"]
FILL_WORDS: dict[str, str] = {  # the Read me's "Must you fill it?", from what a blank cell does
    "error": "yes",
    "warning": "yes, or explain why not when submitting",
    "accepted": "no",
    "not read": "no: for reference only",
}


@dataclass(frozen=True)
class Cell:
    """What one column's cells must hold, as the checks apply it and the Read me says it:
    what a blank cell leads to (an error, a warning, accepted, or not read at all), what a
    blank means in words, and what a filled cell may hold. ``blank`` and ``allowed`` may name
    the plan's words: {area_kind}, {area_name}, {area_singular}, {area_plural} (filled in by
    :func:`cell_words`). tests/test_readme.py checks that the rules do what this says."""

    when_blank: Blank
    blank: str  # what a blank cell means
    allowed: str  # what a filled cell may hold

    @property
    def must_fill(self) -> str:
        return FILL_WORDS[self.when_blank]


_REFERENCE = Cell("not read", "nothing", "filled in for you, for reference; changing it changes nothing")
CELLS: dict[str, Cell] = {
    "section": Cell("error", "an error: the row's kind is not known", "'indicator' or 'action' (filled in for you)"),
    "quarter": Cell("accepted", "the quarter chosen when uploading", "the return's quarter (filled in for you)"),
    "indicator_id": Cell("error", "an error: the row's indicator is not known",
                         "one of your subgroup's indicator ids (filled in for you; do not change)"),
    "action_id": Cell("error", "an error: the row's action is not known",
                      "one of your subgroup's action ids (filled in for you; do not change)"),
    "id": Cell("error", "an error: the row's indicator or action is not known",
               "one of your subgroup's indicator or action ids (filled in for you; do not change)"),
    "period": Cell(
        "error",
        "an error: the figure's period is not known",
        "a period the indicator owes this quarter: a month (Apr 2025), quarter (2025/26 Q1) or year (2025/26)",
    ),
    "value": Cell(
        "warning",
        "not reported yet: a warning on a figure for the whole {area_kind}, cleared by giving the figure or by an "
        "explanation when submitting (the tracker shows it missing)",
        "a number: a count is a whole number, 0 or more; a percentage lies from 0 to 100",
    ),
    "ward": Cell(
        "accepted",
        "the whole {area_kind} ({area_name})",
        "a {area_singular} name or ONS code from the plan, only for indicators recorded by {area_singular}",
    ),
    "status": Cell(
        "warning",
        "no status this quarter: a warning, cleared by choosing a status",
        "one of: " + ", ".join(ACTION_STATUSES) + " (any case)",
    ),
    "commentary": Cell(
        "accepted",
        "no comment; but a warning when the indicator is off target or its figure moved a lot, or the action is "
        + " or ".join(STATUSES_NEEDING_COMMENTARY)
        + ": writing a comment clears it",
        "any text: what the board should know",
    ),
    "contact": Cell("accepted", "no contact named", "a name or email address"),
} | {name: _REFERENCE for name in ("indicator", "action", "name", "unit", "polarity", "last_period", "last_value",
                                    "last_status")}  # fmt: skip


def plan_words(partnership: Partnership) -> dict[str, str]:
    """The plan's words a column's text may name."""
    p = partnership
    return dict(area_kind=p.area_kind, area_name=p.area_name, area_singular=p.area_singular, area_plural=p.area_plural)


def cell_words(name: str, partnership: Partnership) -> Cell:
    """A column's cell declaration in the plan's own words."""
    cell, words = CELLS[name], plan_words(partnership)
    return Cell(cell.when_blank, cell.blank.format(**words), cell.allowed.format(**words))
