"""Plan on a Page: every theme, priority, success measure and indicator for the chosen
quarter, exceptions first. At 1366x768 the top of the page shows the quarter, how complete it
is and the first exception; indicators are cards, so nothing is cut off at laptop width."""

from __future__ import annotations

from html import escape

import streamlit as st

from metrics import Category, access, exception_report, next_steps
from pages import action_widgets, auth, markup, reads, widgets

auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
quarter = widgets.selected_quarter()

st.title("Plan on a Page", anchor=False)
held = reads.police_bounds()
steps = next_steps(plan, real_police_data=held.first is not None and not held.is_demo)
if steps:
    st.info(
        "**Next steps for this plan**\n\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1)),
        icon=":material/checklist:",
    )
if quarter is None:
    widgets.plan_without_figures()
    st.stop()

done = reads.completeness(quarter)
st.header(f"{done.label()} ({quarter.months_label}) · {plan.partnership.plan_title}", anchor=False)
widgets.completeness_note(quarter)
statuses = reads.statuses(quarter)
reviews = reads.reviews(quarter)
report = exception_report(reviews)
noise = [r for r in reviews if r.category is Category.NOISE]
need = sum(1 for r in report if r.category is Category.ATTENTION)
st.header(f"Exceptions ({need} need attention, {len(report) - need} notable improvements)", anchor=False)
if report:
    # Each exception links to its detail on the Exception report (a real link: keyboard reachable).
    items = "".join(
        markup.review_item(
            plan,
            r,
            f"exception-report#{markup.exception_anchor(r.indicator.id)}",
            [escape(r.category.word), markup.spc_inline(r), escape(plan.theme(r.indicator.theme_id).short_name)],
        )
        for r in report
    )
    st.html(f'<ul class="csp-exceptions">{items}</ul>')
else:
    st.success("No indicator shows special-cause concern, consistent failure or an unexplained miss this quarter.")
widgets.counts_strip(statuses)
widgets.demo_banner(any(s.value.is_demo for s in statuses))
st.caption(
    "Exceptions are chosen by statistical process control as well as target: special-cause concern, a target "
    "the process will consistently fail, or off target where there are too few points to judge; then notable "
    "improvements. Full report, with commentary and actions, on the Exception report page."
)
if noise:
    st.info(
        f"{len(noise)} indicator(s) off or ahead of target are within common-cause variation (noise) and "
        "are not reported as exceptions: " + ", ".join(r.indicator.name for r in noise) + "."
    )
widgets.status_key()
action_widgets.follow_up_block(plan, quarter)
widgets.residents_follow_up(quarter)

by_id = {s.indicator.id: s for s in statuses}
review_by_id = {r.indicator.id: r for r in reviews}
for theme in plan.themes:
    st.divider()
    st.header(theme.name, anchor=False)
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Priorities", anchor=False)
        st.markdown("\n".join(f"- {o.text}" for o in theme.objectives))
    with right:
        st.subheader("How do we measure success?", anchor=False)
        st.markdown("\n".join(f"- {m.text}" for m in theme.measures))
    for measure in theme.measures:
        st.html(f'<h4 class="csp-measure">{escape(measure.text)}</h4>')
        cards = [markup.indicator_card(by_id[i.id], plan, review_by_id[i.id]) for i in measure.indicators]
        st.html(markup.indicator_cards(cards))
