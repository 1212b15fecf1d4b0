"""The board's action log as operations: read it, record an action or decision, record a
change. Each write checks the change with :mod:`metrics.board.actions` first and stores it in
one transaction (:mod:`metrics.store.actions`), or raises :class:`BoardActionError` listing
every problem and stores nothing. Every write names its author: the caller says who (sign-in,
or the command line's operator); this module does not guess.

Who may change the log is the caller's question (the dashboard asks one function,
``pages.widgets.may_record_board_actions``, which asks metrics.access for
``record_board_action``); a return's updates come in with the return
(metrics/returns/submission.py), with the submitter as author.
"""

from __future__ import annotations

from datetime import UTC, datetime

from metrics.board.actions import (
    VIA_BOARD,
    ActionDraft,
    ActionView,
    BoardActionError,
    BoardStatus,
    author_problems,
    build_views,
    change_problems,
    draft_problems,
    reference,
)
from metrics.plan.model import Plan
from metrics.quarters import Quarter
from metrics.store import Store
from metrics.store import actions as action_store
from metrics.store.actions import ActionUpdate, BoardAction

__all__ = ["BoardActionError", "change", "load", "record", "view"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load(store: Store) -> list[ActionView]:
    """Every recorded action with its history, oldest meeting first."""
    return build_views(action_store.actions(store), action_store.updates(store))


def view(store: Store, ref: str) -> ActionView:
    """One action with its history; a reference not in the log is a :class:`BoardActionError`."""
    found = build_views(
        [a for a in action_store.actions(store) if a.reference == ref], action_store.updates(store, ref)
    )
    if not found:
        raise BoardActionError(
            [f"There is no board action {ref!r} in the log; check the reference (e.g. A-2025/26-Q2-03)."]
        )
    return found[0]


def record(
    plan: Plan, store: Store, draft: ActionDraft, author: str, at: datetime | None = None, is_demo: bool = False
) -> str:
    """Record a new action or decision; returns its reference. A decision is recorded closed
    (done), with its note, since there is nothing to follow up."""
    problems = author_problems(author) + draft_problems(plan, draft)
    if problems:
        raise BoardActionError(problems)
    when = at or _now()
    who = author.strip()
    decision = draft.kind == "decision"
    action = BoardAction(
        reference="",
        raised_quarter=draft.raised_quarter.start,
        sequence=0,
        kind=draft.kind,
        text=draft.text.strip(),
        source_kind=draft.source_kind,
        source_id=draft.source_id,
        raised_by=who,
        raised_at=when,
        is_demo=is_demo,
    )
    note = (draft.note or "").strip() or None
    first = ActionUpdate(
        reference="",
        number=1,
        recorded_at=when,
        author=who,
        quarter_start=draft.raised_quarter.start,
        status=(BoardStatus.DONE if decision else BoardStatus.OPEN).key,
        note=note or ("Decision recorded." if decision else None),
        owner=draft.owner,
        due_quarter=(draft.due_quarter or draft.raised_quarter).start,
        via=VIA_BOARD,
        is_demo=is_demo,
    )
    return action_store.insert_action(store, action, first, reference)


def change(
    plan: Plan,
    store: Store,
    ref: str,
    status: BoardStatus,
    note: str | None,
    author: str,
    quarter: Quarter,
    owner: str | None = None,
    due: Quarter | None = None,
    at: datetime | None = None,
    is_demo: bool = False,
) -> int:
    """Record a change the board makes to an action (status, note, owner, due quarter) for the
    meeting reviewing ``quarter``; returns the update's number in the action's history."""
    problems = author_problems(author)
    current = view(store, ref)
    problems += change_problems(plan, current, status, note, owner, due, VIA_BOARD)
    if problems:
        raise BoardActionError(problems)
    update = ActionUpdate(
        reference=ref,
        number=0,
        recorded_at=at or _now(),
        author=author.strip(),
        quarter_start=quarter.start,
        status=status.key,
        note=(note or "").strip() or None,
        owner=owner if owner is not None and owner != current.owner else None,
        due_quarter=due.start if due is not None and due != current.due else None,
        via=VIA_BOARD,
        is_demo=is_demo,
    )
    return action_store.add_update(store, update)
