"""The rules of the board's action log, without the store: references, statuses and their life
cycle, who may close or drop an action, what is overdue, and which actions each view shows.

An action (or a decision) is recorded at the meeting that reviews a quarter, against the
indicator, priority or theme it arises from, with an owner (a subgroup of the plan) and the
quarter it is due. Its reference names that quarter and its place in the meeting's list,
e.g. ``A-2025/26-Q2-03``. Its status moves open -> in progress -> done, or to dropped; closing
(done or dropped) needs a note saying why, dropping is the board's decision alone (a return
may report an action done, never drop it), and reopening a closed action needs a note too.
An action still open after its due quarter has ended is overdue.

The records come from :mod:`metrics.store.actions`; :mod:`metrics.board.action_log` checks a
change with the functions here and then writes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from metrics.icons import ActionStatus, StatusIcon
from metrics.plan.model import Plan
from metrics.quarters import Quarter
from metrics.store.actions import ActionUpdate, BoardAction

REFERENCE_PREFIX = "A-"
REFERENCE_PATTERN = re.compile(r"^A-(?P<year>\d{4}/\d{2})-Q(?P<q>[1-4])-(?P<seq>\d{2,})$")
MAX_TEXT_CHARS = 500  # an action the board minutes is a sentence or two, not a report
MAX_NOTE_CHARS = 2000
MAX_AUTHOR_CHARS = 120
DUE_QUARTERS_AHEAD = 8  # an action due more than two years after the meeting is a plan, not an action
KINDS = ("action", "decision")
SOURCE_KINDS = ("indicator", "priority", "theme")
VIA_BOARD = "board"
VIA_RETURN = "return"


class BoardStatus(StatusIcon):
    """Where a board action stands. Declared in life-cycle order."""

    OPEN = ("open", "Open", "○", "#5f6368", 1)
    IN_PROGRESS = ("in_progress", "In progress", "◐", "#1f4e9c", 2)
    DONE = ("done", "Done", "✔", "#1b6e3a", 3)
    DROPPED = ("dropped", "Dropped", "⊘", "#5f6368", 4)

    @classmethod
    def of_key(cls, key: str) -> BoardStatus:
        """The member stored as ``key``."""
        return next(m for m in cls if m.key == key)

    @property
    def is_closed(self) -> bool:
        return self in (BoardStatus.DONE, BoardStatus.DROPPED)


OVERDUE_LABEL = "⏰ Overdue"
# A lead reporting on a board action in a return may use the board's own words (but Dropped)
# or the words of the plan's action statuses they already use for the plan's actions.
RETURN_STATUS_WORDS: dict[str, BoardStatus] = {
    BoardStatus.OPEN.word: BoardStatus.OPEN,
    BoardStatus.IN_PROGRESS.word: BoardStatus.IN_PROGRESS,
    BoardStatus.DONE.word: BoardStatus.DONE,
    ActionStatus.NOT_STARTED.word: BoardStatus.OPEN,
    ActionStatus.ON_TRACK.word: BoardStatus.IN_PROGRESS,
    ActionStatus.AT_RISK.word: BoardStatus.IN_PROGRESS,
    ActionStatus.OFF_TRACK.word: BoardStatus.IN_PROGRESS,
    ActionStatus.COMPLETE.word: BoardStatus.DONE,
}


class BoardActionError(ValueError):
    """A change to the action log cannot be made; the message lists every problem and how to
    put it right. Nothing is stored."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


# --- references ------------------------------------------------------------------------------


def reference(quarter_start: date, sequence: int) -> str:
    """The reference of the ``sequence``-th action raised at the meeting reviewing a quarter."""
    quarter = Quarter.of(quarter_start)
    return f"{REFERENCE_PREFIX}{quarter.year.label}-Q{quarter.number}-{sequence:02d}"


def is_reference(text: str) -> bool:
    """Whether ``text`` is written as a board action's reference (A-2025/26-Q2-03)."""
    return bool(REFERENCE_PATTERN.match(text.strip()))


# --- an action with its history ----------------------------------------------------------------


@dataclass(frozen=True)
class ActionView:
    """A recorded action with its whole history (oldest first): its state is the latest update,
    its owner and due quarter the latest set."""

    action: BoardAction
    history: tuple[ActionUpdate, ...]

    @property
    def reference(self) -> str:
        return self.action.reference

    @property
    def latest(self) -> ActionUpdate:
        return self.history[-1]

    @property
    def status(self) -> BoardStatus:
        return BoardStatus.of_key(self.latest.status)

    @property
    def owner(self) -> str:
        return next(u.owner for u in reversed(self.history) if u.owner is not None)

    @property
    def due(self) -> Quarter:
        return Quarter.of(next(u.due_quarter for u in reversed(self.history) if u.due_quarter is not None))

    @property
    def raised(self) -> Quarter:
        return Quarter.of(self.action.raised_quarter)

    @property
    def is_open(self) -> bool:
        return not self.status.is_closed

    @property
    def latest_note(self) -> ActionUpdate | None:
        """The latest update with a note (the first update of a decision carries its note)."""
        return next((u for u in reversed(self.history) if u.note), None)

    @property
    def is_demo(self) -> bool:
        return self.action.is_demo

    def is_overdue(self, as_of: date) -> bool:
        """Still open on ``as_of`` after its due quarter ended."""
        return self.is_open and self.due.end < as_of


def build_views(actions: Iterable[BoardAction], updates: Iterable[ActionUpdate]) -> list[ActionView]:
    """Each action with its updates, in the order the store gives the actions; an action with
    no update (which the store never makes) is left out rather than shown without a state."""
    by_reference: dict[str, list[ActionUpdate]] = {}
    for update in updates:
        by_reference.setdefault(update.reference, []).append(update)
    return [
        ActionView(a, tuple(sorted(by_reference[a.reference], key=lambda u: u.number)))
        for a in actions
        if by_reference.get(a.reference)
    ]


def meeting_day(quarter: Quarter) -> date:
    """The day the meeting reviewing ``quarter`` is taken to look from: the day after it ends, so
    an action due in the quarter reviewed and still open is overdue at that meeting."""
    return quarter.next().start


def overdue_first(views: Iterable[ActionView], as_of: date) -> list[ActionView]:
    """Overdue first, then by due quarter, then by reference."""
    return sorted(views, key=lambda v: (not v.is_overdue(as_of), v.due, v.action.raised_quarter, v.action.sequence))


def arising(views: Iterable[ActionView], quarter: Quarter) -> list[ActionView]:
    """The actions and decisions raised at the meeting reviewing ``quarter``, in the order raised."""
    return [v for v in views if v.raised == quarter]


def from_last_meeting(views: Iterable[ActionView], quarter: Quarter) -> list[ActionView]:
    """What the meeting reviewing ``quarter`` follows up: actions raised at earlier meetings
    that are still open, or that changed during this quarter's round (closed by a return for
    it, say), overdue first."""
    shown = [
        v
        for v in views
        if v.raised < quarter
        and v.action.kind == "action"
        and (v.is_open or any(u.quarter_start == quarter.start for u in v.history[1:]))
    ]
    return overdue_first(shown, meeting_day(quarter))


def open_for_indicator(views: Iterable[ActionView], indicator_id: str) -> list[ActionView]:
    """The open actions already recorded against an indicator."""
    return [
        v for v in views if v.is_open and v.action.source_kind == "indicator" and v.action.source_id == indicator_id
    ]


def owed_in_return(views: Iterable[ActionView], subgroup_id: str, quarter: Quarter) -> list[ActionView]:
    """The board actions a subgroup's return for ``quarter`` reports on: those it owns raised at
    earlier meetings and open, or closed by its own return for this quarter (so a corrected
    resubmission may repeat the row), oldest first."""
    out = []
    for v in views:
        if v.owner != subgroup_id or v.raised >= quarter or v.action.kind != "action":
            continue
        if v.is_open or closed_by_own_return(v, subgroup_id, quarter):
            out.append(v)
    return out


def closed_by_own_return(view: ActionView, subgroup_id: str, quarter: Quarter) -> bool:
    """Whether the latest change was the subgroup's own return for the quarter."""
    last = view.latest
    return last.via == VIA_RETURN and last.return_subgroup == subgroup_id and last.quarter_start == quarter.start


def theme_of(plan: Plan, action: BoardAction) -> str | None:
    """The theme an action's source belongs to (None if the plan no longer has the source)."""
    try:
        if action.source_kind == "indicator":
            return plan.indicator(action.source_id).theme_id
        if action.source_kind == "priority":
            return next(o.theme_id for o in plan.objectives if o.id == action.source_id)
        return plan.theme(action.source_id).id
    except (KeyError, StopIteration):
        return None


def source_label(plan: Plan, action: BoardAction) -> str:
    """What the action arises from, in words: the indicator's name, the priority or the theme."""
    try:
        if action.source_kind == "indicator":
            return plan.indicator(action.source_id).name
        if action.source_kind == "priority":
            return next(o.text for o in plan.objectives if o.id == action.source_id)
        return plan.theme(action.source_id).name
    except (KeyError, StopIteration):
        return f"{action.source_kind} '{action.source_id}' (no longer in the plan)"


def owner_name(plan: Plan, owner: str) -> str:
    try:
        return plan.subgroup(owner).short_name
    except KeyError:
        return owner


def status_label(view: ActionView, as_of: date) -> str:
    """The status in words, with the overdue flag when it applies."""
    label = view.status.label
    return f"{label} · {OVERDUE_LABEL}" if view.is_overdue(as_of) else label


def latest_update_text(view: ActionView) -> str:
    """The latest note, who gave it and when (the quarter it belongs to)."""
    note = view.latest_note
    if note is None:
        return "No update yet."
    how = "return" if note.via == VIA_RETURN else "board"
    demo = " (demo)" if note.is_demo else ""
    return f"{note.note} ({note.author}, {Quarter.of(note.quarter_start).label}, {how}{demo})"


@dataclass(frozen=True)
class Filters:
    """The action log's filters: empty means every value."""

    statuses: tuple[str, ...] = ()  # BoardStatus keys
    owners: tuple[str, ...] = ()  # subgroup ids
    themes: tuple[str, ...] = ()  # theme ids
    due: Quarter | None = None  # due in or before this quarter
    overdue_only: bool = False


def filtered(plan: Plan, views: Iterable[ActionView], filters: Filters, as_of: date) -> list[ActionView]:
    """The actions that pass every filter, overdue first."""
    out = [
        v
        for v in views
        if (not filters.statuses or v.status.key in filters.statuses)
        and (not filters.owners or v.owner in filters.owners)
        and (not filters.themes or theme_of(plan, v.action) in filters.themes)
        and (filters.due is None or v.due <= filters.due)
        and (not filters.overdue_only or v.is_overdue(as_of))
    ]
    return overdue_first(out, as_of)


LOG_COLUMNS = (
    "reference", "kind", "action", "arises_from", "theme", "owner", "raised", "due", "status", "overdue",
    "latest_update", "updated_by", "updated_at", "demo",
)  # fmt: skip


def log_rows(plan: Plan, views: Iterable[ActionView], as_of: date) -> list[dict[str, object]]:
    """The log as rows of plain values (for the page's table and the export), one per action."""
    rows = []
    for v in views:
        theme = theme_of(plan, v.action)
        note = v.latest_note
        rows.append(
            {
                "reference": v.reference,
                "kind": v.action.kind,
                "action": v.action.text,
                "arises_from": source_label(plan, v.action),
                "theme": plan.theme(theme).short_name if theme else "",
                "owner": owner_name(plan, v.owner),
                "raised": v.raised.label,
                "due": v.due.label,
                "status": v.status.word,
                "overdue": "yes" if v.is_overdue(as_of) else "no",
                "latest_update": note.note if note else "",
                "updated_by": v.latest.author,
                "updated_at": f"{v.latest.recorded_at:%Y-%m-%d %H:%M}",
                "demo": "yes" if v.is_demo else "no",
            }
        )
    return rows


# The page's table in a board member's words: the kind goes in front of a decision's text and
# the theme, what it arises from and who last changed it stay in each action's expander, so
# the table fits a laptop. The export (log_rows, LOG_COLUMNS) keeps its machine keys.
LOG_TABLE_COLUMNS = ("Reference", "Action or decision", "Owner", "Due", "Status", "Overdue", "Latest update")
NOT_DUE = "–"  # a decision is closed when recorded: nothing falls due
DECISION_PREFIX = "Decision: "


def log_table(plan: Plan, views: Iterable[ActionView], as_of: date) -> pd.DataFrame:
    """The log as the board reads it, one row per action in the order given: reference, what is
    to be done (a decision's text after "Decision: "), owner, due quarter (none for a decision),
    status with its symbol ("✔ Done"), "Yes" when overdue as at ``as_of``, and the latest note
    with who gave it and when."""
    rows = [
        (
            v.reference,
            (DECISION_PREFIX if v.action.kind == "decision" else "") + v.action.text,
            owner_name(plan, v.owner),
            NOT_DUE if v.action.kind == "decision" else v.due.label,
            v.status.label,
            "Yes" if v.is_overdue(as_of) else "",
            latest_update_text(v),
        )
        for v in views
    ]
    return pd.DataFrame(rows, columns=list(LOG_TABLE_COLUMNS))


# --- checking a change before it is written --------------------------------------------------


@dataclass(frozen=True)
class ActionDraft:
    """A new action or decision as the officer fills it in at the meeting."""

    kind: str
    text: str
    source_kind: str
    source_id: str
    owner: str
    raised_quarter: Quarter
    due_quarter: Quarter | None  # None for a decision: it is closed when recorded
    note: str | None = None  # a decision's note (why); optional for an action


def _text_problems(what: str, text: str | None, limit: int, required: bool) -> list[str]:
    value = (text or "").strip()
    if required and not value:
        return [f"Say {what}: it is blank."]
    if len(value) > limit:
        return [f"{what.capitalize()} is {len(value):,} characters long; shorten it to at most {limit:,}."]
    return []


def author_problems(author: str | None) -> list[str]:
    """The author of every change is named (sign-in, or the name typed in the sidebar)."""
    if not (author or "").strip():
        return ["Say who is recording this (sign in, or name the author), so the log can show who made each change."]
    return _text_problems("the author's name", author, MAX_AUTHOR_CHARS, required=True)


def due_choices(raised: Quarter) -> list[Quarter]:
    """The quarters an action raised at a meeting may be due: the quarter reviewed up to
    :data:`DUE_QUARTERS_AHEAD` after it."""
    return [raised.shift(i) for i in range(DUE_QUARTERS_AHEAD + 1)]


def draft_problems(plan: Plan, draft: ActionDraft) -> list[str]:
    """Every problem with a new action or decision (empty: it may be recorded)."""
    problems = []
    if draft.kind not in KINDS:
        problems.append(f"The kind {draft.kind!r} is not one we know; choose one of: {', '.join(KINDS)}.")
    problems += _text_problems("what the board decided" if draft.kind == "decision" else "what is to be done",
                               draft.text, MAX_TEXT_CHARS, required=True)  # fmt: skip
    problems += _text_problems("the note", draft.note, MAX_NOTE_CHARS, required=False)
    if draft.source_kind not in SOURCE_KINDS:
        problems.append(f"An action arises from one of: {', '.join(SOURCE_KINDS)}; {draft.source_kind!r} is not one.")
    elif source_label(plan, _probe(draft)).endswith("(no longer in the plan)"):
        problems.append(f"There is no {draft.source_kind} {draft.source_id!r} in the plan; choose one from the plan.")
    if draft.owner not in {s.id for s in plan.subgroups}:
        known = ", ".join(s.id for s in plan.subgroups)
        problems.append(f"The owner {draft.owner!r} is not a subgroup of the plan; choose one of: {known}.")
    if draft.kind == "action":
        if draft.due_quarter is None:
            problems.append("Say which quarter the action is due.")
        elif draft.due_quarter not in due_choices(draft.raised_quarter):
            first, last = due_choices(draft.raised_quarter)[0], due_choices(draft.raised_quarter)[-1]
            problems.append(
                f"The due quarter {draft.due_quarter.label} is outside {first.label} to {last.label}: an action "
                f"raised at the meeting reviewing {draft.raised_quarter.label} is due from that quarter up to "
                f"{DUE_QUARTERS_AHEAD} quarters after it."
            )
    return problems


def _probe(draft: ActionDraft) -> BoardAction:
    """A throwaway record to ask the plan what a draft's source is."""
    return BoardAction(
        reference="",
        raised_quarter=draft.raised_quarter.start,
        sequence=0,
        kind=draft.kind,
        text=draft.text,
        source_kind=draft.source_kind,
        source_id=draft.source_id,
        raised_by="",
        raised_at=datetime.min,
    )


def change_problems(
    plan: Plan,
    view: ActionView,
    status: BoardStatus,
    note: str | None,
    owner: str | None = None,
    due: Quarter | None = None,
    via: str = VIA_BOARD,
) -> list[str]:
    """Every problem with a change to an action (empty: it may be recorded). Closing needs a
    note; only the board drops an action or reopens a closed one (with a note); a change must
    change something."""
    problems = _text_problems("the note", note, MAX_NOTE_CHARS, required=False)
    has_note = bool((note or "").strip())
    ref = view.reference
    if status.is_closed and not has_note:
        problems.append(f"Closing {ref} as {status.word.lower()} needs a note saying why (what was done, or why not).")
    if status is BoardStatus.DROPPED and via != VIA_BOARD:
        problems.append(f"Only the board drops an action: report {ref} as Done, or as In progress and say why.")
    if view.status.is_closed and not status.is_closed and not has_note:
        problems.append(f"{ref} is {view.status.word.lower()}; reopening it needs a note saying why.")
    if owner is not None and owner not in {s.id for s in plan.subgroups}:
        known = ", ".join(s.id for s in plan.subgroups)
        problems.append(f"The owner {owner!r} is not a subgroup of the plan; choose one of: {known}.")
    if due is not None and due < view.raised:
        problems.append(f"The due quarter {due.label} is before the meeting that raised {ref} ({view.raised.label}).")
    new_owner = owner if owner is not None and owner != view.owner else None
    new_due = due if due is not None and due != view.due else None
    if status is view.status and not has_note and new_owner is None and new_due is None:
        problems.append(f"Nothing to record for {ref}: change its status, owner or due quarter, or add a note.")
    return problems


def updates_from_return(
    views: Iterable[ActionView],
    rows: Iterable[dict],
    subgroup_id: str,
    quarter: Quarter,
    author: str,
    at: datetime,
    is_demo: bool = False,
) -> list[ActionUpdate]:
    """The updates a checked return's board action rows make (``action_id`` the reference,
    ``status`` as the lead typed it, ``commentary`` the note): one per row that changes the
    status or adds a note other than the latest, so a resubmission repeating a row records
    nothing twice. The return's version is filled in when it is stored."""
    by_reference = {v.reference: v for v in views}
    out = []
    for row in rows:
        view = by_reference.get(str(row["action_id"]))
        if view is None:
            continue  # the rules refuse an unknown reference before a return is stored
        status = return_status(_cell(row.get("status"))) or view.status
        note = _cell(row.get("commentary")) or None
        latest_note = view.latest_note.note if view.latest_note else None
        if status is view.status and (note is None or note == latest_note):
            continue
        out.append(
            ActionUpdate(
                reference=view.reference,
                number=0,
                recorded_at=at,
                author=author,
                quarter_start=quarter.start,
                status=status.key,
                note=note,
                via=VIA_RETURN,
                return_subgroup=subgroup_id,
                is_demo=is_demo,
            )
        )
    return out


def _cell(value: object) -> str:
    """A stored row's text cell, blank for a missing one (None, or NaN from a DataFrame)."""
    return value.strip() if isinstance(value, str) else ""


def return_status(text: str) -> BoardStatus | None:
    """The board status a return's status cell names (any case; Dropped is the board's word
    and is not read here), or None."""
    wanted = text.strip().casefold()
    return next((s for w, s in RETURN_STATUS_WORDS.items() if w.casefold() == wanted), None)
