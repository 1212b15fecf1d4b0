"""The board action log's widgets, shared by the pages that show or change it: the short form
that records an action or decision against an exception (the Exception report, and presenter
mode where it exists, call the same function), the notice that an exception already has an
open action, the "actions from the last meeting" block (Exception report, Plan on a Page),
and one action's history.

Every write path asks ``widgets.may_record_board_actions()`` first and names the author from
``widgets.current_author()``; the checks themselves are metrics.board.action_log's.

A helper module, not a page: dashboard.py registers the pages with st.navigation.
"""

from __future__ import annotations

from collections.abc import Collection
from html import escape

import streamlit as st

from metrics import Indicator, Plan, Quarter, action_log, board_actions
from pages import markup, reads, widgets

FLASH_KEY = "_board_action_flash"  # (where, message): what was recorded, shown after the rerun
KIND_WORDS = {
    "action": "An action (someone will do something)",
    "decision": "A decision (recorded, nothing to follow up)",
}
FOLLOW_UP_COLUMNS = [
    ("reference", "Ref"),
    ("action", "Action"),
    ("owner", "Owner"),
    ("due", "Due"),
    ("status", "Status"),
    ("update", "Latest update"),
]


def _status_html(view: board_actions.ActionView, as_of: object) -> str:
    cell = markup.status_cell(view.status)
    if view.is_overdue(as_of):
        cell += f' <strong style="color:#b3261e">{escape(board_actions.OVERDUE_LABEL)}</strong>'
    return cell + markup.demo_tag(view.is_demo)


def action_rows(plan: Plan, views: list[board_actions.ActionView], as_of: object) -> list[dict[str, str]]:
    """Actions as the rows of :data:`FOLLOW_UP_COLUMNS` (escaped HTML)."""
    return [
        {
            "reference": f"<strong>{escape(v.reference)}</strong>",
            "action": escape(v.action.text),
            "owner": escape(board_actions.owner_name(plan, v.owner)),
            "due": escape(v.due.label),
            "status": _status_html(v, as_of),
            "update": escape(board_actions.latest_update_text(v)),
        }
        for v in views
    ]


def follow_up_block(plan: Plan, quarter: Quarter, owners: Collection[str] = (), themes: Collection[str] = ()) -> None:
    """The "actions from the last meeting" block: what earlier meetings asked for that is still
    open or changed in this quarter's round, overdue first, each with its latest update; only
    the given owners' and themes' when the page is filtered by them."""
    views = reads.board_actions()
    shown = [
        v
        for v in board_actions.from_last_meeting(views, quarter)
        if (not owners or v.owner in owners) and (not themes or board_actions.theme_of(plan, v.action) in themes)
    ]
    as_of = board_actions.meeting_day(quarter)
    overdue = sum(1 for v in shown if v.is_overdue(as_of))
    st.header(f"Actions from the last meeting ({len(shown)}, {overdue} overdue)")
    if not shown:
        which = " for the chosen theme and owner" if (owners or themes) else ""
        st.caption(f"No action from an earlier meeting is open or changed in this quarter's round{which}.")
        return
    st.caption(
        f"Raised at meetings before the one reviewing {quarter.label}; overdue (still open after the quarter it "
        "was due) first. Updates come from the subgroups' returns and from the board. Full history on the "
        "Action log page."
    )
    st.html(markup.html_table(FOLLOW_UP_COLUMNS, action_rows(plan, shown, as_of)))


def open_action_notice(plan: Plan, indicator_id: str, quarter: Quarter) -> bool:
    """Say that an indicator already has open board actions (and which); True if it has."""
    open_ones = board_actions.open_for_indicator(reads.board_actions(), indicator_id)
    if not open_ones:
        return False
    as_of = board_actions.meeting_day(quarter)
    lines = [
        f"**{v.reference}** ({board_actions.owner_name(plan, v.owner)}, due {v.due.label}, "
        f"{board_actions.status_label(v, as_of)}): {v.action.text}"
        for v in open_ones
    ]
    st.info("Already has an open board action:\n\n" + "\n\n".join(lines), icon=":material/assignment:")
    return True


def exception_actions(plan: Plan, indicator: Indicator, quarter: Quarter, author: str | None) -> None:
    """An exception's board actions, in one call: the notice of open ones and the form."""
    show_flash(indicator.id)
    open_action_notice(plan, indicator.id, quarter)
    board_action_form(plan, indicator, quarter, indicator.id, author)


def change_open_key(reference: str) -> str:
    """The session-state key of an action's expander on the Action log page (True while open)."""
    return f"log_open_{reference}"


def form_open_key(key: str) -> str:
    """The session-state key of a board action form's expander (True while it is open)."""
    return f"ba_open_{key}"


def board_action_form(plan: Plan, indicator: Indicator, quarter: Quarter, key: str, author: str | None) -> str | None:
    """The short form that records an action or a decision against an exception at the meeting
    reviewing ``quarter``; returns the new reference when one is recorded. ``key`` makes the
    form's widget keys unique on the page (e.g. the indicator's id, or 'presenter-<id>');
    ``author`` is who is recording (``widgets.current_author()``: the signed-in person)."""
    if not widgets.may_record_board_actions():
        return None
    # Lazy: the form is drawn only once its expander is opened (Streamlit reruns on opening).
    # A form on every exception, drawn on every rerun, made the Exception report settle 4.2
    # times as slowly as an empty page (bench/page_switch.py), where it was under 2 before.
    box = st.expander(
        f"Record an action or decision on '{indicator.name}'",
        icon=":material/edit_note:",
        key=form_open_key(key),
        on_change="rerun",
    )
    with box:
        if not box.open:
            return None
        owners = [s.id for s in plan.subgroups]
        dues = board_actions.due_choices(quarter)
        with st.form(f"board_action_{key}", clear_on_submit=True, border=False):
            kind = st.radio("What is it?", board_actions.KINDS, format_func=KIND_WORDS.get, key=f"ba_kind_{key}")
            text = st.text_area(
                "What is to be done, or what the board decided",
                key=f"ba_text_{key}",
                max_chars=board_actions.MAX_TEXT_CHARS,
            )
            left, right = st.columns(2)
            owner = left.selectbox(
                "Owner",
                owners,
                index=owners.index(indicator.owner) if indicator.owner in owners else 0,
                format_func=lambda o: plan.subgroup(o).name,
                key=f"ba_owner_{key}",
            )
            due = right.selectbox(
                "Due (an action)",
                dues,
                index=min(1, len(dues) - 1),
                format_func=lambda q: q.label,
                key=f"ba_due_{key}",
            )
            note = st.text_input("Note (optional; a decision's reason)", key=f"ba_note_{key}")
            submitted = st.form_submit_button("Record it", icon=":material/save:")
        if not submitted:
            return None
        draft = board_actions.ActionDraft(
            kind=kind,
            text=text,
            source_kind="indicator",
            source_id=indicator.id,
            owner=owner,
            raised_quarter=quarter,
            due_quarter=due if kind == "action" else None,
            note=note or None,
        )
        return record_draft(plan, draft, author, key)


def flash(where: str, message: str) -> None:
    """Keep a message to show at ``where`` once the page has rerun with the new log."""
    st.session_state[FLASH_KEY] = (where, message)


def show_flash(where: str) -> None:
    """Show (once) the message kept for ``where``."""
    held = st.session_state.get(FLASH_KEY)
    if held and held[0] == where:
        del st.session_state[FLASH_KEY]
        st.success(held[1], icon=":material/check_circle:")


def record_draft(plan: Plan, draft: board_actions.ActionDraft, author: str | None, where: str) -> str | None:
    """Record a draft (the permission asked again: this is the write); on success the page
    reruns to show the new log, with the reference in a message at ``where``."""
    if not widgets.may_record_board_actions():
        st.error("You may not change the board's action log.")
        return None
    author = author or ""
    try:
        ref = action_log.record(plan, reads.store(), draft, author)
    except action_log.BoardActionError as exc:
        st.error("Not recorded:\n\n" + "\n".join(f"- {p}" for p in exc.problems), icon=":material/block:")
        return None
    reads.clear_after_board_action()
    flash(where, f"Recorded as {ref} by {author.strip()}.")
    st.rerun()
    return ref  # not reached: st.rerun() ends this run


def history_table(view: board_actions.ActionView) -> None:
    """Every change to an action, oldest first: who, when, what, the status after it."""
    rows = []
    for u in view.history:
        changed = []
        if u.owner is not None and u.number > 1:
            changed.append(f"owner → {u.owner}")
        if u.due_quarter is not None and u.number > 1:
            changed.append(f"due → {Quarter.of(u.due_quarter).label}")
        via = "recorded" if u.number == 1 else ("return" if u.via == board_actions.VIA_RETURN else "board")
        if u.via == board_actions.VIA_RETURN:
            via += f" ({u.return_subgroup}, version {u.return_version})"
        rows.append(
            {
                "when": escape(f"{u.recorded_at:%d %b %Y %H:%M}"),
                "who": escape(u.author),
                "how": escape(via),
                "quarter": escape(Quarter.of(u.quarter_start).label),
                "status": markup.status_cell(board_actions.BoardStatus.of_key(u.status)) + markup.demo_tag(u.is_demo),
                "note": escape("; ".join([*changed, u.note] if u.note else changed)),
            }
        )
    columns = [("when", "When"), ("who", "Who"), ("how", "How"), ("quarter", "Quarter"), ("status", "Status")]
    st.html(markup.html_table([*columns, ("note", "Note / change")], rows))
