"""Action log: every action and decision the board has recorded, filtered by status, owner,
theme, due quarter and overdue, each with its history; the board's officer records changes
(status, note, owner, due quarter) and actions against a priority or theme here.

The page reads as its steps (the end of this file): the introduction, the filters, the log's
table, each action's history and change form, then the form for a new action. Each step is a
function below.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from metrics import Plan, Quarter, access, action_log, board_actions
from pages import action_widgets, auth, reads, widgets

# Column widths of the log's table, in pixels: each fits its longest usual value on one line (a
# reference "A-2025/26-Q2-03", a subgroup's short name, a quarter, "◐ In progress"). With the
# two texts they add up to 825, inside a laptop's main area (847 at 1366 wide, sidebar open);
# a wider window shares its extra width among the columns.
REFERENCE_PX, OWNER_PX, DUE_PX, STATUS_PX, OVERDUE_PX, TEXT_PX = 140, 100, 90, 115, 70, 155
ROW_PX = widgets.WRAPPED_ROW_PX  # four lines of each text
HEADER_PX = widgets.TABLE_HEADER_PX
ROWS_SHOWN = 8  # the table grows to this many rows before it scrolls (the expanders follow it)


def render_intro(meeting: Quarter, views: list[board_actions.ActionView]) -> None:
    """The title, the last change's confirmation, what the log is and which meeting changes are
    recorded for, and the demo banner."""
    st.title("Action log")
    action_widgets.show_flash("log")
    st.caption(
        f"What the board asked for and decided, and what became of it. Changes are recorded for the meeting "
        f"reviewing {meeting.label} (choose the quarter in the sidebar); overdue means still open after the quarter "
        f"it was due, as at that meeting ({board_actions.meeting_day(meeting):%d %b %Y}). Nothing is deleted: every "
        "change is kept in the history."
    )
    widgets.demo_banner(any(v.is_demo for v in views))


def render_filters(plan: Plan, views: list[board_actions.ActionView]) -> board_actions.Filters:
    """The filters (status, owner, theme, due by, overdue only), as the rules take them."""
    statuses = {s.word: s.key for s in board_actions.BoardStatus}
    owners = {s.name: s.id for s in plan.subgroups}
    themes = {t.short_name: t.id for t in plan.themes}
    c1, c2, c3 = st.columns(3)
    chosen_status = c1.multiselect("Status", list(statuses), placeholder="Any status", key="log_status")
    chosen_owner = c2.multiselect("Owner", list(owners), placeholder="Any owner", key="log_owner")
    chosen_theme = c3.multiselect("Theme", list(themes), placeholder="Any theme", key="log_theme")
    c4, c5 = st.columns([1, 2])
    due_by = c4.selectbox(
        "Due by",
        [None, *sorted({v.due for v in views})],
        format_func=lambda q: "Any quarter" if q is None else q.label,
        key="log_due",
    )
    return board_actions.Filters(
        statuses=tuple(statuses[s] for s in chosen_status),
        owners=tuple(owners[o] for o in chosen_owner),
        themes=tuple(themes[t] for t in chosen_theme),
        due=due_by,
        overdue_only=c5.checkbox("Overdue only", key="log_overdue"),
    )


def render_log_table(
    plan: Plan, views: list[board_actions.ActionView], shown: list[board_actions.ActionView], as_of: date
) -> None:
    """How many actions the filters show and how many are overdue, then the log's table (or
    why there is none)."""
    overdue = sum(1 for v in shown if v.is_overdue(as_of))
    st.subheader(f"{len(shown)} of {len(views)} action(s) and decision(s), {overdue} overdue")
    if not views:
        st.info("The board has recorded no action yet. Record one from an exception on the Exception report.")
        return
    if not shown:
        st.info("No action matches these filters.")
        return
    st.dataframe(
        board_actions.log_table(plan, shown, as_of),
        hide_index=True,
        width="stretch",
        # Fixed widths that add up to less than a laptop's main area (1366 wide, sidebar open);
        # the two texts take what is left and wrap over the taller rows.
        column_config={
            "Reference": st.column_config.TextColumn(width=REFERENCE_PX),
            "Action or decision": st.column_config.TextColumn(width=TEXT_PX),
            "Owner": st.column_config.TextColumn(width=OWNER_PX),
            "Due": st.column_config.TextColumn(width=DUE_PX),
            "Status": st.column_config.TextColumn(width=STATUS_PX),
            "Overdue": st.column_config.TextColumn(width=OVERDUE_PX),
            "Latest update": st.column_config.TextColumn(width=TEXT_PX),
        },
        row_height=ROW_PX,
        height=HEADER_PX + ROW_PX * min(len(shown), ROWS_SHOWN),
        alt="The board's actions and decisions shown by the filters",
        key="log_table",
    )


def action_summary(plan: Plan, view: board_actions.ActionView) -> str:
    """One action's reference, kind, where it arose, owner, due quarter and theme, in a sentence."""
    owner = plan.subgroup(view.owner).name if view.owner in {s.id for s in plan.subgroups} else view.owner
    themes = {t.id: t.name for t in plan.themes}
    return (
        f"**{view.reference}**: {view.action.kind} raised at the meeting reviewing {view.raised.label} by "
        f"{view.action.raised_by}; arises from {board_actions.source_label(plan, view.action)}. "
        f"Owner: {owner}; due {view.due.label}. Theme: {themes.get(board_actions.theme_of(plan, view.action), 'none')}."
    )


def render_change_form(plan: Plan, view: board_actions.ActionView, meeting: Quarter, author: str | None) -> None:
    """The form that records a change to one action (status, owner, due quarter, note) for the
    meeting, and its outcome: recorded and confirmed, or each problem listed."""
    key = view.reference
    with st.form(f"change_{key}", clear_on_submit=True, border=False):
        st.markdown(f"**Record a change for the meeting reviewing {meeting.label}**")
        s1, s2, s3 = st.columns(3)
        status = s1.selectbox(
            "Status",
            list(board_actions.BoardStatus),
            index=list(board_actions.BoardStatus).index(view.status),
            format_func=lambda s: s.label,
            key=f"chg_status_{key}",
        )
        subgroup_ids = [s.id for s in plan.subgroups]
        owner = s2.selectbox(
            "Owner",
            subgroup_ids,
            index=subgroup_ids.index(view.owner) if view.owner in subgroup_ids else 0,
            format_func=lambda o: plan.subgroup(o).short_name,
            key=f"chg_owner_{key}",
        )
        dues = sorted({view.due, *board_actions.due_choices(meeting)})
        due = s3.selectbox("Due", dues, index=dues.index(view.due), format_func=lambda q: q.label, key=f"chg_due_{key}")
        note = st.text_area(
            "Note (needed to close, drop or reopen)", key=f"chg_note_{key}", max_chars=board_actions.MAX_NOTE_CHARS
        )
        submitted = st.form_submit_button("Record the change", icon=":material/save:")
    if not submitted:
        return
    if not widgets.may_record_board_actions():
        st.error("You may not change the board's action log.")
        return
    try:
        number = action_log.change(
            plan, reads.store(), view.reference, status, note, author or "", meeting, owner=owner, due=due
        )
    except action_log.BoardActionError as exc:
        st.error("Not recorded:\n\n" + "\n".join(f"- {p}" for p in exc.problems), icon=":material/block:")
    else:
        reads.clear_after_board_action()
        action_widgets.flash("log", f"Recorded as change {number} to {view.reference} by {author}.")
        st.rerun()


def render_entry(
    plan: Plan, view: board_actions.ActionView, meeting: Quarter, as_of: date, author: str | None, may_change: bool
) -> None:
    """One action as an expander: its summary and history, and (for those who may change the
    log) its change form. The history is drawn with the page; the form only once the expander
    is opened (Streamlit reruns on opening): a log of dozens of actions would otherwise draw as
    many forms."""
    label = f"{view.reference} · {board_actions.status_label(view, as_of)} · {view.action.text}"
    box = st.expander(label[:160], key=action_widgets.change_open_key(view.reference), on_change="rerun")
    with box:
        st.markdown(action_summary(plan, view))
        action_widgets.history_table(view)
        if may_change and box.open:
            render_change_form(plan, view, meeting, author)


def render_new_action(plan: Plan, meeting: Quarter, author: str | None) -> None:
    """The form that records an action or decision against a priority or a theme."""
    st.divider()
    st.header("Record an action against a priority or theme")
    st.caption("Actions on an exception are recorded from the Exception report, against its indicator.")
    sources = {f"Priority: {o.text}": ("priority", o.id) for o in plan.objectives} | {
        f"Theme: {t.name}": ("theme", t.id) for t in plan.themes
    }
    with st.form("new_board_action", clear_on_submit=True):
        source = st.selectbox("Arises from", list(sources), key="new_source")
        kind = st.radio("What is it?", board_actions.KINDS, format_func=action_widgets.KIND_WORDS.get, key="new_kind")
        text = st.text_area("What is to be done, or what the board decided", key="new_text")
        n1, n2 = st.columns(2)
        new_owner = n1.selectbox(
            "Owner", [s.id for s in plan.subgroups], format_func=lambda o: plan.subgroup(o).name, key="new_owner"
        )
        new_due = n2.selectbox(
            "Due (an action)", board_actions.due_choices(meeting), index=1, format_func=lambda q: q.label, key="new_due"
        )
        new_note = st.text_input("Note (optional; a decision's reason)", key="new_note")
        if st.form_submit_button("Record it", icon=":material/save:"):
            source_kind, source_id = sources[source]
            draft = board_actions.ActionDraft(
                kind, text, source_kind, source_id, new_owner, meeting, new_due if kind == "action" else None, new_note
            )
            action_widgets.record_draft(plan, draft, author, "log")


auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
meeting = widgets.selected_quarter() or Quarter.of(date.today())
as_of = board_actions.meeting_day(meeting)
author = widgets.current_author()
views = reads.board_actions()
render_intro(meeting, views)
shown = board_actions.filtered(plan, views, render_filters(plan, views), as_of)
render_log_table(plan, views, shown, as_of)
may_change = widgets.may_record_board_actions()
for view in shown:
    render_entry(plan, view, meeting, as_of, author, may_change)
if may_change:
    render_new_action(plan, meeting, author)
