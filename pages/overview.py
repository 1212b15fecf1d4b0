"""Plan on a Page: every theme, priority, success measure and indicator for the chosen
quarter, exceptions first."""

from __future__ import annotations

from html import escape

import streamlit as st

from metrics import Category, access, exception_report
from pages import action_widgets, auth, markup, reads, widgets

auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
quarter = widgets.selected_quarter()

st.title("Plan on a Page")
if quarter is None:
    widgets.plan_without_figures()
    st.stop()

st.markdown(f"### {plan.partnership.plan_title} · **{quarter.label}** ({quarter.months_label})")
statuses = reads.statuses(quarter)
widgets.demo_banner(any(s.value.is_demo for s in statuses))
widgets.counts_strip(statuses)

reviews = reads.reviews(quarter)
report = exception_report(reviews)
noise = [r for r in reviews if r.category is Category.NOISE]
need = sum(1 for r in report if r.category is Category.ATTENTION)
st.header(f"Exceptions ({need} need attention, {len(report) - need} notable improvements)")
st.caption(
    "Chosen by statistical process control as well as target: special-cause concern, a target the "
    "process will consistently fail, or off target where there are too few points to judge; then "
    "notable improvements. Full report, with commentary and actions, on the Exception report page."
)
if report:
    for r in report:
        theme = plan.theme(r.indicator.theme_id)
        st.html(
            f'<div class="csp-sentence">{markup.status_cell(r.status.rag)} &nbsp; '
            f"{markup.spc_inline(r)} &nbsp; {escape(r.status.sentence)}"
            f"{markup.demo_tag(r.status.value.is_demo)} "
            f'<span class="csp-muted">· {escape(r.category.word)} · {escape(theme.short_name)} · '
            f"{escape(plan.subgroup(r.indicator.owner).short_name)}</span></div>"
        )
else:
    st.success("No indicator shows special-cause concern, consistent failure or an unexplained miss this quarter.")
if noise:
    st.info(
        f"{len(noise)} indicator(s) off or ahead of target are within common-cause variation (noise) and "
        "are not reported as exceptions: " + ", ".join(r.indicator.name for r in noise) + "."
    )
widgets.status_key()
action_widgets.follow_up_block(plan, quarter)

by_id = {s.indicator.id: s for s in statuses}
review_by_id = {r.indicator.id: r for r in reviews}
for theme in plan.themes:
    st.divider()
    st.header(f"{theme.name}")
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Priorities")
        st.markdown("\n".join(f"- {o.text}" for o in theme.objectives))
    with right:
        st.subheader("How do we measure success?")
        st.markdown("\n".join(f"- {m.text}" for m in theme.measures))
    for measure in theme.measures:
        rows = [markup.indicator_row(by_id[i.id], plan, review_by_id[i.id]) for i in measure.indicators]
        st.markdown(f"#### {measure.text}")
        st.html(markup.html_table(markup.INDICATOR_COLUMNS, rows))
