"""One priority theme: each objective with its success indicators (trend against target and
baseline, latest commentary) and the actions subgroups report on. Registered once per theme;
the router says which.

The page reads as its steps (the end of this file): the header, the theme at a glance, then each
objective with its indicator cards and its actions. Each step is a function below; their HTML
is in pages/markup.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import streamlit as st

from metrics import (
    ActionProgress,
    Commentary,
    IndicatorStatus,
    Plan,
    Quarter,
    Review,
    access,
    exceptions_first,
)
from pages import auth, markup, reads, widgets


@dataclass(frozen=True)
class ThemeView:
    """What the page's steps read: the plan, the quarter and area chosen, the theme's statuses
    and reviews (by indicator id), its commentary and its actions' progress."""

    plan: Plan
    quarter: Quarter
    ward: str | None  # None: the whole area
    statuses: dict[str, IndicatorStatus]
    reviews: dict[str, Review]
    notes: dict[str, Commentary]
    progress: dict[str, ActionProgress]
    interactive: bool  # plotly charts rather than pictures


def render_header(theme_name: str, theme_id: str, quarter: Quarter | None) -> None:
    """The theme's title and the quarter with how complete it is; without a quarter, the plan
    alone, and the page stops there."""
    st.title(theme_name, anchor=False)
    if quarter is None:
        widgets.plan_without_figures((theme_id,))
        st.stop()
    st.header(f"{reads.completeness(quarter).label()} ({quarter.months_label})", anchor=False)
    widgets.completeness_note(quarter)


def read_view(plan: Plan, theme_id: str, quarter: Quarter) -> ThemeView:
    """Everything the page shows, read once, for the area chosen (sidebar, session or ?ward=)."""
    ward = widgets.selected_ward()
    statuses = {s.indicator.id: s for s in reads.statuses(quarter, ward) if s.indicator.theme_id == theme_id}
    return ThemeView(
        plan=plan,
        quarter=quarter,
        ward=ward,
        statuses=statuses,
        reviews={r.indicator.id: r for r in reads.reviews(quarter, ward)},
        notes=reads.commentary(quarter),
        progress=reads.latest_progress(quarter),
        interactive=widgets.interactive_charts(),
    )


def render_glance(view: ThemeView) -> None:
    """The demo banner, the counts, and every indicator of the theme in one short list,
    exceptions first, each a link to its card below (the cards run to many screens, and the
    board reads by exception); then the key to the symbols."""
    statuses = list(view.statuses.values())
    widgets.demo_banner(any(s.value.is_demo for s in statuses))
    widgets.counts_strip(statuses)
    glance = "".join(
        markup.linked_status_item(
            s.rag,
            f"#{markup.indicator_anchor(s.indicator.id)}",
            s.indicator.name,
            s.value.is_demo,
            [markup.spc_inline(view.reviews[s.indicator.id]), escape(view.plan.subgroup(s.indicator.owner).short_name)],
        )
        for s in exceptions_first(statuses)
    )
    if glance:
        st.html(f'<ul class="csp-exceptions" aria-label="Indicators at a glance">{glance}</ul>')
    widgets.status_key()


def where_text(view: ThemeView, s: IndicatorStatus) -> str:
    """Which area the card's figures are for, when an area is chosen: the area, or the whole
    (for an indicator not recorded by area)."""
    if s.ward:
        return f" · {view.plan.ward_names()[s.ward]}"
    if view.ward and not s.indicator.ward_detail:
        words = reads.words()
        return f" · {words.whole} (not recorded by {words.one})"
    return ""


def render_commentary(note: Commentary | None) -> None:
    """The owner's latest commentary across the bottom of a card, or that there is none."""
    if note is None:
        st.caption("No commentary has been submitted.")
        return
    st.markdown(f"**Latest commentary ({note.quarter.label})**")
    st.html(markup.commentary_quote(note))


def render_indicator_card(view: ThemeView, s: IndicatorStatus) -> None:
    """One indicator: name, status and sentence across the card; its figures (latest and
    target first) beside its SPC chart; its commentary across the bottom. The figures wrap to
    their column, so the chart never covers them."""
    ind = s.indicator
    review = view.reviews[ind.id]
    st.html(f'<span id="{markup.indicator_anchor(ind.id)}"></span>')  # the at-a-glance list links here
    with st.container(border=True, key=f"csp-card-{ind.id}"):
        st.subheader(ind.name, anchor=False)
        st.caption(f"Success measure: {view.plan.measure(ind.measure_id).text}{where_text(view, s)}")
        st.html(markup.status_lines(s, review))
        facts, chart = st.columns([2, 3])
        with facts:
            st.html(markup.indicator_figures(s))
            st.caption(f"Owner: {view.plan.subgroup(ind.owner).name} · {ind.frequency} · source: {ind.source}")
        with chart:
            widgets.spc_chart(review, view.quarter, s.ward, view.interactive, key=f"chart_{ind.id}")
        render_commentary(view.notes.get(ind.id))


def render_actions(view: ThemeView, objective_id: str) -> None:
    """The objective's actions with their latest reported progress (nothing when it has none)."""
    if view.plan.actions_for_objective(objective_id):
        st.subheader("Actions", anchor=False)
        st.html(markup.actions_table(view.plan, objective_id, view.progress))


def render_objective(view: ThemeView, objective_id: str, text: str) -> None:
    """One objective: its indicator cards, exceptions first, then its actions."""
    st.divider()
    st.header(text, anchor=False)
    indicators = view.plan.indicators_for_objective(objective_id)
    if not indicators:
        st.info("No indicator is declared for this objective: progress is reported through its actions below.")
    for s in exceptions_first([view.statuses[i.id] for i in indicators]):
        render_indicator_card(view, s)
    render_actions(view, objective_id)


auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
theme = plan.theme(widgets.current_theme_id() or plan.themes[0].id)
quarter = widgets.selected_quarter()
render_header(theme.name, theme.id, quarter)
view = read_view(plan, theme.id, quarter)
render_glance(view)
for objective in theme.objectives:
    render_objective(view, objective.id, objective.text)
