"""One priority theme: each objective with its success indicators (trend against target and
baseline, latest commentary) and the actions subgroups report on. Registered once per theme;
the router says which."""

from __future__ import annotations

from html import escape

import streamlit as st

from metrics import ActionStatus, Indicator, access, exceptions_first, format_value
from pages import auth, markup, reads, widgets


def baseline_text(ind: Indicator) -> str:
    """The plan's baseline: its figure, and the change it quotes on the year before."""
    base = ind.baseline
    change = "" if base.change_pct is None else f"{base.change_pct:+.1f}% on the year before"
    if base.value is None:
        return "no figure quoted" + (f"; {change}" if change else " in the plan")
    return format_value(base.value, ind.unit) + (f"<br>{change}" if change else "")


auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
theme = plan.theme(widgets.current_theme_id() or plan.themes[0].id)
quarter = widgets.selected_quarter()

st.title(theme.name, anchor=False)
if quarter is None:
    widgets.plan_without_figures((theme.id,))
    st.stop()

st.header(f"{reads.completeness(quarter).label()} ({quarter.months_label})", anchor=False)
widgets.completeness_note(quarter)
ward = widgets.selected_ward()  # one ward choice for every page (sidebar, session and ?ward=)

statuses = {s.indicator.id: s for s in reads.statuses(quarter, ward) if s.indicator.theme_id == theme.id}
reviews = {r.indicator.id: r for r in reads.reviews(quarter, ward)}
widgets.demo_banner(any(s.value.is_demo for s in statuses.values()))
widgets.counts_strip(list(statuses.values()))
# At a glance: every indicator of the theme in one short list, exceptions first, each a link to
# its card below; the cards run to many screens, and the board reads by exception.
glance = "".join(
    markup.linked_status_item(
        s.rag,
        f"#{markup.indicator_anchor(s.indicator.id)}",
        s.indicator.name,
        s.value.is_demo,
        [markup.spc_inline(reviews[s.indicator.id]), escape(plan.subgroup(s.indicator.owner).short_name)],
    )
    for s in exceptions_first(list(statuses.values()))
)
if glance:
    st.html(f'<ul class="csp-exceptions" aria-label="Indicators at a glance">{glance}</ul>')
widgets.status_key()

interactive = widgets.interactive_charts()
notes = reads.commentary(quarter).set_index("indicator_id")
progress = reads.action_progress(quarter).set_index("action_id")

for objective in theme.objectives:
    st.divider()
    st.header(objective.text, anchor=False)
    indicators = plan.indicators_for_objective(objective.id)
    if not indicators:
        st.info("No indicator is declared for this objective: progress is reported through its actions below.")
    for s in exceptions_first([statuses[i.id] for i in indicators]):
        ind = s.indicator
        review = reviews[ind.id]
        st.html(f'<span id="{markup.indicator_anchor(ind.id)}"></span>')  # the at-a-glance list links here
        with st.container(border=True):
            # Name, status and sentence across the card; figures beside the chart; commentary
            # across the bottom (a narrow column of all of it made each card a screen tall).
            where = ""
            if s.ward:
                where = f" · {plan.ward_names()[s.ward]}"
            elif ward and not ind.ward_detail:
                words = reads.words()
                where = f" · {words.whole} (not recorded by {words.one})"
            st.subheader(ind.name, anchor=False)
            st.caption(f"Success measure: {plan.measure(ind.measure_id).text}{where}")
            st.html(
                f'<div class="csp-sentence">{markup.status_cell(s.rag)} &nbsp; {markup.spc_inline(review)}</div>'
                f'<div class="csp-sentence">{escape(review.sentence)}{markup.demo_tag(s.value.is_demo)}</div>'
            )
            facts, chart = st.columns([2, 3])
            with facts:
                st.html(
                    markup.html_table(
                        [("k", "Measure"), ("v", "Value#")],
                        [
                            {
                                "k": f"Latest ({escape(s.value.label)})",
                                "v": format_value(s.value.value, ind.unit) + markup.demo_tag(s.value.is_demo),
                            },
                            {"k": "Target", "v": format_value(s.target, ind.unit)},
                            {
                                "k": "vs last quarter",
                                "v": escape(s.vs_previous.short) if ind.frequency != "annual" else "annual",
                            },
                            {"k": "vs same period last year", "v": escape(s.vs_last_year.short)},
                            {
                                "k": f"Baseline {escape(ind.baseline.period or '')}",
                                "v": baseline_text(ind),
                            },
                        ],
                    )
                )
                st.caption(f"Owner: {plan.subgroup(ind.owner).name} · {ind.frequency} · source: {ind.source}")
            with chart:
                widgets.spc_chart(review, quarter, s.ward, interactive, key=f"chart_{ind.id}")
            if ind.id in notes.index:
                note = notes.loc[ind.id]
                when = markup.quarter_label(note["quarter_start"])
                st.markdown(f"**Latest commentary ({when})**")
                # Escaped HTML, not markdown: a return's text cannot become a link, an image or HTML.
                st.html(
                    f'<blockquote style="overflow-wrap:anywhere">{escape(note["text"])} — '
                    f"{escape(note['author'] or 'unattributed')}</blockquote>"
                )
            else:
                st.caption("No commentary has been submitted.")
    actions = plan.actions_for_objective(objective.id)
    if actions:
        st.subheader("Actions", anchor=False)
        rows = []
        for action in actions:
            if action.id in progress.index:
                p = progress.loc[action.id]
                status = markup.reported_status(ActionStatus, p["status"]) + markup.demo_tag(bool(p["is_demo"]))
                update = (
                    escape(p["commentary"] or "")
                    + f'<br><span class="csp-muted">{markup.quarter_label(p["quarter_start"])}</span>'
                )
            else:
                status, update = "– No update", '<span class="csp-muted">Not yet reported</span>'
            rows.append(
                {
                    "action": escape(action.text),
                    "owner": escape(plan.subgroup(action.owner).short_name),
                    "status": status,
                    "update": update,
                }
            )
        st.html(
            markup.html_table(
                [("action", "Action"), ("owner", "Owner"), ("status", "Status"), ("update", "Latest update")], rows
            )
        )
