"""The shape of a return file: its sheets, columns (which are required) and the help text the
template's read-me gives for each, and the action statuses a lead may choose from. Template,
reading and rules all read these names, so a column is renamed in one place."""

from __future__ import annotations

from metrics.icons import ACTION_STATUS_WORDS as ACTION_STATUSES  # declared once: icons.ActionStatus
from metrics.words import AreaWords

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
    "last_value": "The figure held for the last period, for reference. A big change from it asks for a comment.",
    "value": "Your figure. Leave it blank only if you cannot report it yet (the tracker will show it missing).",
    "ward": "Blank means the whole area. For indicators recorded by area, add rows with an area's name or code.",
    "last_status": "The action's status last quarter, for reference.",
    "status": "One of: " + ", ".join(ACTION_STATUSES) + ". A board action may also be Open, In progress "
    "or Done (Done needs a note).",
    "commentary": "What the board should know. Required in effect when an indicator is off target.",
    "contact": "Who to contact about this row (name or email).",
}


def column_help(words: AreaWords) -> dict[str, str]:
    """COLUMN_HELP in the plan's own words for its areas (the ``ward`` column keeps its name in
    the file; what it holds is said as the plan says it)."""
    return {
        **COLUMN_HELP,
        "ward": (f"Blank means {words.whole}. For indicators recorded by {words.one}, add rows with {words.example}."),
    }
