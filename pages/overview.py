"""Plan on a Page: every theme, priority, success measure and indicator for the chosen
quarter, exceptions first."""

from __future__ import annotations

from html import escape

import streamlit as st

from metrics.status import exceptions_first
from pages import common

plan = common.plan()
quarter = common.selected_quarter()

st.title("Plan on a Page")
if quarter is None:
    st.info("No quarterly data is stored yet. Run `python -m metrics init --demo` to load demo data.")
    st.stop()

st.markdown(f"### {plan.partnership.plan_title} · **{quarter.label}** ({quarter.months_label})")
statuses = common.statuses(quarter)
common.demo_banner(any(s.value.is_demo for s in statuses))
common.counts_strip(statuses)

exceptions = [s for s in exceptions_first(statuses) if s.rag.is_exception]
st.header(f"Exceptions ({len(exceptions)})")
if exceptions:
    for s in exceptions:
        theme = plan.theme(s.indicator.theme_id)
        st.html(
            f'<div class="csp-sentence">{common.status_cell(s.rag)} &nbsp; {escape(s.sentence)}'
            f'{common.demo_tag(s.value.is_demo)} <span class="csp-muted">· {escape(theme.short_name)} · '
            f"{escape(plan.subgroup(s.indicator.owner).short_name)}</span></div>"
        )
else:
    st.success("No indicator is off target or ahead of target beyond its tolerance this quarter.")
common.status_key()

by_id = {s.indicator.id: s for s in statuses}
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
        rows = [common.indicator_row(by_id[i.id], plan) for i in measure.indicators]
        st.markdown(f"#### {measure.text}")
        st.html(common.html_table(common.INDICATOR_COLUMNS, rows))
