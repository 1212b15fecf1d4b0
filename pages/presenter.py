"""Presenter mode for the board meeting (``/present``): one exception per screen in large type,
with its SPC chart, sentence, the owner's commentary, proposed action and board actions; "3 of
7"; next and previous by buttons and by keyboard (arrow keys, and Page Up/Down, which
presentation clickers send); then a closing screen of notable improvements and noise.

The screen shown is kept in the session and in the address (``/present?screen=3``), so the
person presenting can open any screen directly and a reload stays where it was.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from metrics import ActionStatus, Category, Review, exception_report, proposed_actions
from pages import action_widgets, markup, reads, widgets

SCREEN_KEY = "_present_screen"  # 1-based screen number, kept across reruns
SCREEN_PARAM = "screen"  # ...and in the address
PRESENTER = "csp-present"  # the container's key: the large-type stylesheet is scoped to it

# The room's screen needs every pixel: the sidebar starts folded away here (its arrow brings it
# back), and dashboard.py unfolds it again on the other pages.
st.set_page_config(initial_sidebar_state="collapsed")
plan = reads.plan()
quarter = widgets.selected_quarter()
if quarter is None:
    st.title("Present the quarter", anchor=False)
    st.info("No quarterly data is stored yet. Run `python -m metrics init --demo` to load demo data.")
    st.stop()

reviews = reads.reviews(quarter)
report = exception_report(reviews)
attention = [r for r in report if r.category is Category.ATTENTION]
improving = [r for r in report if r.category is Category.IMPROVEMENT]
noise = [r for r in reviews if r.category is Category.NOISE]
last = len(attention) + 1  # one screen per exception, then the closing screen


def _clamp(n: object) -> int:
    try:
        return min(max(int(str(n)), 1), last)
    except ValueError:
        return 1


if SCREEN_KEY not in st.session_state:
    st.session_state[SCREEN_KEY] = _clamp(st.query_params.get(SCREEN_PARAM, 1))
st.session_state[SCREEN_KEY] = _clamp(st.session_state[SCREEN_KEY])


def _move(step: int) -> None:
    """Button callback: runs before the script, so the new screen is drawn in the same rerun."""
    st.session_state[SCREEN_KEY] = _clamp(st.session_state[SCREEN_KEY] + step)


screen = st.session_state[SCREEN_KEY]
if st.query_params.get(SCREEN_PARAM) != str(screen):
    st.query_params[SCREEN_PARAM] = str(screen)

done = reads.completeness(quarter)
notes = reads.commentary(quarter)
progress = reads.action_progress(quarter)


def _commentary(r: Review) -> None:
    st.subheader("Owner's commentary", anchor=False)
    if note := notes.get(r.indicator.id):
        st.html(markup.commentary_quote(note, dated=True))
    else:
        st.markdown("No commentary has been submitted.")


def _proposed(r: Review) -> None:
    st.subheader(f"Proposed action ({plan.subgroup(r.indicator.owner).short_name})", anchor=False)
    actions = proposed_actions(plan, r.indicator, progress)
    if actions.empty:
        st.markdown("The owner has no open action under this priority.")
        return
    items = "".join(
        # the action and its status only: the updates' words are on the Exception report
        f"<li>{escape(a.text)} {markup.reported_status(ActionStatus, a.status)}{markup.demo_tag(bool(a.is_demo))}</li>"
        for a in actions.itertuples()
    )
    st.html(f'<ul class="csp-present-list">{items}</ul>')


def _board_actions(r: Review) -> None:
    """The board's own actions on this indicator: the open ones, and the same short form the
    Exception report has, to record an action or decision while the screen is up."""
    with st.container(key=f"board-actions-{r.indicator.id}"):
        st.subheader("Board actions", anchor=False)
        action_widgets.show_flash(f"presenter-{r.indicator.id}")
        if not action_widgets.open_action_notice(plan, r.indicator.id, quarter):
            st.markdown("No open board action on this indicator.")
        action_widgets.board_action_form(
            plan, r.indicator, quarter, f"presenter-{r.indicator.id}", widgets.current_author()
        )


def _closing_list(heading: str, items: list[tuple[Review, str]]) -> None:
    """One list of the closing screen: each indicator's status and its words, or 'None'."""
    st.subheader(heading, anchor=False)
    if not items:
        st.markdown("None this quarter.")
        return
    rows = "".join(f"<li>{markup.status_cell(r.status.rag)} {escape(text)}</li>" for r, text in items)
    st.html(f'<ul class="csp-present-list">{rows}</ul>')


def _navigation() -> None:
    """Previous and next, as buttons and keys: arrows, and Page Up/Down from a clicker. The
    Page Up/Down buttons are the same moves under a second shortcut, kept out of sight."""
    back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
    back.button(
        "Previous",
        icon=":material/arrow_back:",
        shortcut="Left",
        on_click=_move,
        args=(-1,),
        disabled=screen == 1,
        width="stretch",
    )
    forward.button(
        "Next",
        icon=":material/arrow_forward:",
        shortcut="Right",
        on_click=_move,
        args=(1,),
        disabled=screen == last,
        width="stretch",
    )
    label = f"{screen} of {len(attention)}" if screen < last else "Closing screen"
    where.html(f'<p class="csp-present-where" aria-live="polite">{label}</p>')
    with st.container(key="csp-clicker"):
        st.button("Previous (Page Up)", shortcut="PageUp", on_click=_move, args=(-1,), key="clicker_back")
        st.button("Next (Page Down)", shortcut="PageDown", on_click=_move, args=(1,), key="clicker_forward")


with st.container(key=PRESENTER):
    context = f"{plan.partnership.short_name} board · {done.label()}"
    if done.is_partial:
        context += f" · {done.reported} of {done.total} indicators have a figure"
    st.html(f'<p class="csp-present-context">{escape(context)}</p>')
    _navigation()  # at the top: "3 of 7" and the buttons stay on screen whatever follows
    if screen < last:
        r = attention[screen - 1]
        st.title(r.indicator.name, anchor=False)
        st.html(
            f'<p class="csp-sentence">{markup.status_cell(r.status.rag)} &nbsp; {markup.spc_inline(r)}</p>'
            f'<p class="csp-sentence">{escape(r.status.sentence)}{markup.demo_tag(r.status.value.is_demo)}</p>'
        )
        st.plotly_chart(
            reads.trend_chart(r.indicator.id, quarter, None),
            key=f"present_{r.indicator.id}",
            config={"displayModeBar": False},
        )
        said, proposed, decided = st.columns(3)
        with said:
            _commentary(r)
        with proposed:
            _proposed(r)
        with decided:
            _board_actions(r)
    else:
        st.title("Notable improvements and noise", anchor=False)
        _closing_list(f"Notable improvements ({len(improving)})", [(r, r.status.sentence) for r in improving])
        _closing_list(
            f"Off or ahead of target within normal variation ({len(noise)})", [(r, r.indicator.name) for r in noise]
        )
