"""Exception report: for the chosen quarter, the indicators that need the board's attention
(special-cause concern, failing assurance, off target where SPC cannot judge) and notable
improvements, most severe first, each with its sentence, SPC chart, the owner's latest
commentary and proposed action; and the board pack, built when asked."""

from __future__ import annotations

import datetime as dt
from html import escape

import streamlit as st

from metrics import (
    PACK_FORMATS,
    ActionStatus,
    Category,
    Review,
    access,
    board_pack,
    exception_report,
    proposed_actions,
)
from pages import action_widgets, auth, markup, reads, widgets

PACK_KEY = "_board_pack"
FORMAT_WORDS = {"pdf": "PDF", "docx": "Word"}
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
quarter = widgets.selected_quarter()
author = widgets.current_author()  # named on every action the board records here

st.title("Exception report", anchor=False)
if quarter is None:
    widgets.plan_without_figures()
    st.stop()

st.header(f"{reads.completeness(quarter).label()} ({quarter.months_label})", anchor=False)
widgets.completeness_note(quarter)
reviews = reads.reviews(quarter)
summary = st.container()  # the summary list goes first; it is filled once the filters are read
widgets.demo_banner(any(r.status.value.is_demo for r in reviews))

themes = {t.short_name: t.id for t in plan.themes}
owners = {s.short_name: s.id for s in plan.subgroups}
left, right = st.columns(2)
chosen_themes = left.multiselect("Theme", list(themes), placeholder="All themes")
chosen_owners = right.multiselect("Owner", list(owners), placeholder="All owners")


def shown(r) -> bool:
    ind = r.indicator
    return (not chosen_themes or ind.theme_id in {themes[t] for t in chosen_themes}) and (
        not chosen_owners or ind.owner in {owners[o] for o in chosen_owners}
    )


report = [r for r in exception_report(reviews) if shown(r)]
noise = [r for r in reviews if r.category is Category.NOISE and shown(r)]
attention = [r for r in report if r.category is Category.ATTENTION]
improving = [r for r in report if r.category is Category.IMPROVEMENT]
cols = st.columns(3)
cols[0].metric("⚠ Need attention", len(attention))
cols[1].metric("✦ Notable improvements", len(improving))
cols[2].metric("∿ Off or ahead of target by noise", len(noise))
widgets.status_key()

# The summary first: every exception in one short list, each a link to its detail below.
with summary:
    st.header("Summary", anchor=False)
    if not report:
        filtered = " for the chosen theme and owner" if (chosen_themes or chosen_owners) else ""
        st.success(f"No exception this quarter{filtered}.")
    items = "".join(
        markup.review_item(
            plan,
            r,
            f"#{markup.exception_anchor(r.indicator.id)}",
            [escape(w) for w in (r.category.word, "; ".join(r.reasons))],
        )
        for r in report
    )
    if items:
        st.html(f'<ul class="csp-exceptions">{items}</ul>')

interactive = widgets.interactive_charts()
notes = reads.commentary(quarter)
progress = reads.action_progress(quarter)


def detail(r: Review, heading: bool) -> None:
    """One exception: why, status, sentence and commentary beside its chart, then the proposed
    action across the page (a narrow column beside an empty half page read badly)."""
    ind = r.indicator
    facts, chart = st.columns([2, 3])
    with facts:
        if heading:
            st.html(f'<h3 id="{markup.exception_anchor(ind.id)}" class="csp-detail">{escape(ind.name)}</h3>')
        st.caption(
            f"{plan.theme(ind.theme_id).short_name} · owner: {plan.subgroup(ind.owner).name} · "
            f"why: {'; '.join(r.reasons)}"
        )
        st.html(markup.status_lines(r.status, r))
        if note := notes.get(ind.id):
            st.markdown(f"**Owner's commentary ({note.quarter.label})**")
            st.html(markup.commentary_quote(note))
        else:
            st.caption("No commentary has been submitted.")
    with chart:
        widgets.spc_chart(r, quarter, None, interactive, key=f"spc_{ind.id}")
    actions = proposed_actions(plan, ind, progress)
    st.markdown("**Proposed action** (the owner's open actions under this priority, latest progress)")
    if actions.empty:
        st.caption("The owner has no open action under this priority (none in the plan, or all complete).")
    else:
        rows = [
            {
                "action": escape(a.text),
                "status": markup.reported_status(ActionStatus, a.status) + markup.demo_tag(bool(a.is_demo)),
                "update": escape(a.commentary or "") if isinstance(a.commentary, str) else "",
            }
            for a in actions.itertuples()
        ]
        st.html(markup.html_table([("action", "Action"), ("status", "Status"), ("update", "Update")], rows))
    action_widgets.exception_actions(plan, ind, quarter, author)  # the board's actions on it, and the form


# Attention items open, one after another; notable improvements collapsed, one line each until
# opened, so the report reads in minutes.
for title, group, collapsed in (
    ("Needs the board's attention", attention, False),
    ("Notable improvements", improving, True),
):
    st.header(f"{title} ({len(group)})", anchor=False)
    if not group:
        st.success(
            "None this quarter" + (" for the chosen theme and owner." if (chosen_themes or chosen_owners) else ".")
        )
    for r in group:
        if collapsed:
            st.html(f'<span id="{markup.exception_anchor(r.indicator.id)}"></span>')
            with st.expander(f"{r.status.rag.icon} {r.indicator.name} · {r.status.rag.word} · {r.spc.variation.word}"):
                detail(r, heading=False)
        else:
            with st.container(border=True):
                detail(r, heading=True)

action_widgets.follow_up_block(plan, quarter, {owners[o] for o in chosen_owners}, {themes[t] for t in chosen_themes})
widgets.residents_follow_up(quarter)

if noise:
    with st.expander(f"Off or ahead of target within normal variation ({len(noise)})"):
        st.caption(
            "These indicators are off target, or ahead of it, beyond tolerance, but their charts show only "
            "common-cause variation and their targets lie inside the process limits: the process has not "
            "changed, and the target will be hit and missed by chance."
        )
        for r in noise:
            st.html(
                f'<div class="csp-sentence">{markup.status_cell(r.status.rag)} &nbsp; {markup.spc_inline(r)} '
                f"&nbsp; {escape(r.sentence)}{markup.demo_tag(r.status.value.is_demo)}</div>"
            )

if not auth.allowed(access.Action.DOWNLOAD_PACK):
    st.stop()  # the board pack below is offered only to those allowed to take it away
st.divider()
st.header("Board pack", anchor=False)
st.caption(
    "A cover, a summary of every indicator with its status icons and the key, one section per exception "
    "with its SPC chart, commentary and proposed action, each subgroup's submission status, and data notes. "
    "Built on request (a few seconds), for every theme and owner."
)
fmt = st.radio("Format", PACK_FORMATS, format_func=FORMAT_WORDS.get, horizontal=True, key="pack_format")
if st.button("Build the board pack", icon=":material/description:"):
    with st.spinner(f"Building the {FORMAT_WORDS[fmt]} board pack for {quarter.label}…"):
        built = board_pack(plan, reads.store(), quarter, fmt)
    st.session_state[PACK_KEY] = (quarter.label, fmt, built, dt.datetime.now(dt.UTC))
made = st.session_state.get(PACK_KEY)
if made and made[0] == quarter.label and made[1] == fmt:
    name = f"{plan.partnership.short_name}-board-pack-{quarter.label.replace('/', '-').replace(' ', '-')}.{fmt}"
    st.download_button(
        f"Download {name}",
        data=made[2],
        file_name=name,
        mime=MIME[fmt],
        icon=":material/download:",
    )
    st.caption(f"Built {made[3]:%H:%M:%S} UTC, {len(made[2]):,} bytes.")
