"""Widgets and session state every page shares: the sidebar's quarter and local-area pickers
(kept across pages, the area also in ``?ward=``), who is using the dashboard, which theme the
theme page draws, the demo-data banner, the status key, the counts strip and the area
explorer's figures.

A helper module, not a page: dashboard.py registers the pages with st.navigation.
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from datetime import date
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import (
    Assurance,
    IndicatorStatus,
    Quarter,
    Rag,
    Review,
    Variation,
    access,
    board_actions,
    consultation_followup,
    outline,
    quarter_range,
    spreadsheet,
    ward_view,
)
from pages import auth, markup, reads
from pages.safe_text import plain

QUARTER_KEY = "quarter"  # the chosen quarter, kept across pages
QUARTER_WIDGET_KEY = "quarter_picker"
WARD_KEY = "ward"  # the chosen local area's code (None: the whole area), kept across pages and in ?ward=
WARD_WIDGET_KEY = "ward_picker"
THEME_KEY = "_theme_page"
# Streamlit wraps a table cell's text only when rows are taller than 4rem and the column has a
# fixed width: 100 px holds four lines.
WRAPPED_ROW_PX = 100
TABLE_HEADER_PX = 38  # a table's heading row and borders
PROBLEM_PX = 600  # a problem list's column: inside an expander at 1366 wide; a wider place stretches it
PROBLEMS_SHOWN = 6  # a problem list grows to this many rows before it scrolls
INTERACTIVE_KEY = "interactive_charts"  # SPC charts as plotly (on request) or pictures, kept across pages


def selected_quarter() -> Quarter | None:
    """The quarter picker in the sidebar, shared by every page: the choice is kept in session
    state so it survives moving between pages. Opens on the latest complete quarter (the plan's
    ``complete_quarter_share``); later, partial quarters are listed first and marked partial."""
    held = list(reversed(reads.quarters()))
    if not held:
        return None
    labels = [q.label for q in held]
    opening = reads.opening_quarter() or held[0]
    # Every quarter after the opening one is partial by construction (only those are
    # summarised: summarising every quarter held would cost seconds on a first view).
    marks = {q.label: reads.completeness(q).label() for q in held if q > opening}
    chosen = st.session_state.get(QUARTER_KEY)
    if chosen not in labels:
        chosen = opening.label
    with st.sidebar:
        st.markdown(f"**{reads.plan().partnership.plan_title}**")
        picked = st.selectbox(
            "Quarter",
            labels,
            index=labels.index(chosen),
            format_func=lambda label: marks.get(label, label),
            key=QUARTER_WIDGET_KEY,
            help="UK financial-year quarters (Q1 is April-June), latest first. The pages open on the latest "
            "complete quarter; a partial one (figures still awaited) can be chosen and is marked partial.",
        )
    st.session_state[QUARTER_KEY] = picked
    return held[labels.index(picked)]


def shared_ward() -> str | None:
    """The ward chosen once for every page: from session state, or on a session's first page
    from the link's ``?ward=CODE`` (so a shared link reproduces the view)."""
    codes = reads.plan().ward_names()
    if WARD_KEY not in st.session_state:
        from_link = st.query_params.get(WARD_KEY)
        st.session_state[WARD_KEY] = from_link if from_link in codes else None
    chosen = st.session_state[WARD_KEY]
    return chosen if chosen in codes else None


def set_shared_ward(code: str | None) -> None:
    """Keep the ward choice in session state and in the address bar."""
    st.session_state[WARD_KEY] = code
    if code:
        if st.query_params.get(WARD_KEY) != code:
            st.query_params[WARD_KEY] = code
    elif WARD_KEY in st.query_params:
        del st.query_params[WARD_KEY]


def selected_ward(help_text: str | None = None) -> str | None:
    """The local-area picker in the sidebar (labelled with the plan's word: Ward, District ...),
    the same on every page: one choice everywhere, kept across pages and in the page's address."""
    names = reads.plan().ward_names()
    words = reads.words()
    if help_text is None:
        help_text = f"Applies to figures recorded by {words.one}; the others show {words.whole}."
    options: list[str | None] = [None, *names]
    chosen = shared_ward()
    with st.sidebar:
        picked = st.selectbox(
            words.One,
            options,
            index=options.index(chosen),
            format_func=lambda c: words.Whole if c is None else names[c],
            key=WARD_WIDGET_KEY,
            help=help_text + " The choice is kept on every page and in the link (?ward=CODE).",
        )
    set_shared_ward(picked)
    return picked


def set_theme(theme_id: str | None) -> None:
    """The router says which theme the theme page is drawing."""
    st.session_state[THEME_KEY] = theme_id


def current_theme_id() -> str | None:
    """The theme the router chose for the theme page (None off a theme page)."""
    return st.session_state.get(THEME_KEY)


def return_quarters(today: date) -> list[Quarter]:
    """Quarters a return can be made for, latest first: from the plan's start to the current
    quarter (whose return is not yet due)."""
    partnership = reads.plan().partnership
    first = partnership.plan_start
    last = min(Quarter.of(today), partnership.plan_end)
    return list(reversed(quarter_range(first, last))) if last >= first else [first]


def completeness_note(quarter: Quarter) -> None:
    """How complete the quarter is, on every board view: a warning naming the awaited figures
    by owner when it is partial, one quiet line when it is complete."""
    done = reads.completeness(quarter)
    if done.is_partial:
        st.warning(
            f"**{done.headline}** Counts and exceptions below cover only the indicators with a figure.",
            icon=":material/hourglass_top:",
        )
    else:
        st.markdown(f'<p class="csp-complete">{done.headline}</p>', unsafe_allow_html=True)
    if done.awaited:
        with st.expander(f"Awaited figures, by owner ({done.awaited_count})"):
            st.markdown("\n".join(f"- {line}" for line in done.awaited_lines()))


def interactive_charts() -> bool:
    """The sidebar's choice between SPC charts as pictures (the default: a page of a dozen
    settles quickly) and interactive plotly charts (hover for each point's value), drawn only
    when asked for."""
    with st.sidebar:
        return st.toggle(
            "Interactive charts",
            key=INTERACTIVE_KEY,
            help="Pictures by default, so pages open quickly; interactive charts show each point's value on hover.",
        )


def spc_chart(review: Review, quarter: Quarter, ward: str | None, interactive: bool, key: str) -> None:
    """An indicator's SPC chart: a picture with its sentence as the text alternative, or (when
    asked for) the interactive plotly chart."""
    ind = review.indicator
    if interactive:
        st.plotly_chart(reads.trend_chart(ind.id, quarter, ward), key=key, config={"displayModeBar": False})
        return
    png = base64.b64encode(reads.trend_png(ind.id, quarter, ward)).decode("ascii")
    alt = f"SPC chart of {ind.name}. {review.sentence}"
    st.html(f'<img class="csp-chart" src="data:image/png;base64,{png}" alt="{escape(alt)}">')


def demo_banner(shown_demo: bool) -> None:
    """Say plainly, on every page that shows them, that figures are demo data."""
    if shown_demo:
        st.warning(
            "**Demo data.** Figures marked *demo* are generated for demonstration and are not real. "
            "Baselines and figures quoted from the plan itself are real.",
            icon=":material/science:",
        )


def status_key() -> None:
    """The key to the status symbols: RAG, variation and assurance."""
    items = " &nbsp; ".join(f"{r.icon} {r.word}" for r in Rag)
    variation = " &nbsp; ".join(f"{v.icon} {v.word.split(' (')[0]}" for v in Variation if not v.key.endswith("_low"))
    assurance = " &nbsp; ".join(f"{a.icon} {a.word}" for a in Assurance)
    st.caption(
        f"Key: {items}. Changes compare with the last quarter and the same quarter last year: the "
        "sign says whether the figure rose or fell, the word whether that is better or worse "
        "(for example +17% · worse). *Ahead of target* means better than target by more "
        f"than the tolerance.  \nVariation (SPC, NHS *Making Data Count*): {variation}.  \n"
        f"Assurance (can the process meet its target?): {assurance}."
    )


def counts_strip(items: list[IndicatorStatus]) -> None:
    """How many indicators stand at each status: the first thing the board reads."""
    shown = [Rag.OFF_TARGET, Rag.AHEAD, Rag.NEAR_TARGET, Rag.ON_TARGET]
    if any(s.rag is Rag.NOT_DISTINGUISHABLE for s in items):
        shown.append(Rag.NOT_DISTINGUISHABLE)  # a survey measure whose interval includes its target
    if any(s.rag is Rag.NO_DATA for s in items):
        shown.append(Rag.NO_DATA)  # a partial quarter's missing figures are counted, not left out
    cols = st.columns(len(shown))
    for col, rag in zip(cols, shown, strict=True):
        col.metric(f"{rag.icon} {rag.word}", sum(1 for s in items if s.rag is rag), help=rag.word)


def ward_figures(view: ward_view.WardView, label: str) -> dict[str, go.Figure]:
    """The explorer's trend, crime-type mix and map for a view (a warning, and a tile per ward,
    if the plan's boundary file cannot be read). The ranking is drawn only when asked for."""
    plan = reads.plan()
    words = reads.words()
    boundaries = None
    if plan.settings.ward_boundaries is not None:
        try:
            boundaries = ward_view.load_boundaries(plan.settings.ward_boundaries)
        except ward_view.BoundaryError as exc:
            st.warning(
                f"{exc} Showing a tile per {words.one} instead; correct settings.ward_boundaries in {words.plan_file}."
            )
    tiles = {w.code: w.tile for w in plan.wards if w.tile is not None}
    return {
        "trend": ward_view.trend_figure(view, reads.police_flags(), label, words.Kind),
        "mix": ward_view.mix_figure(view, label, words.Kind),
        "map": ward_view.map_figure(view, boundaries, tiles),
    }


def may_record_board_actions() -> bool:
    """Whether the person using the dashboard may change the board's action log (record an
    action or decision, record a change): a permission of its own, the board officer's
    (``record_board_action`` in metrics.access; administrators have it too, and so does
    everyone in local mode). The one seam every write path on the pages asks."""
    return auth.allowed(access.Action.RECORD_BOARD_ACTION)


def current_author() -> str | None:
    """Who is changing the action log, as its history records them: the signed-in person's
    label (name and e-mail), or None when nobody is signed in."""
    user = auth.current_user()
    return user.label if user is not None else None


def plan_without_figures(theme_ids: tuple[str, ...] | None = None) -> None:
    """The plan itself (priorities, measures, indicators, owners, baselines, targets) for a
    board page with no figures stored yet, and how to add figures."""
    plan = reads.plan()
    st.info(
        "No figures are stored yet, so this page shows the plan itself. Figures arrive with the "
        "subgroups' quarterly returns (Upload a return), or run `python -m metrics init --demo` to "
        "see the dashboard with demo data.",
        icon=":material/info:",
    )
    for theme in plan.themes:
        if theme_ids is not None and theme.id not in theme_ids:
            continue
        st.header(theme.name)
        st.subheader("Priorities")
        st.markdown("\n".join(f"- {o.text}" for o in theme.objectives) or "- (none declared)")
        rows = outline(plan, (theme.id,))
        if rows:
            st.subheader("How do we measure success?")
            st.html(
                markup.html_table(
                    [
                        ("measure", "Success measure"),
                        ("indicator", "Indicator"),
                        ("owner", "Owner"),
                        ("recorded", "Recorded"),
                        ("baseline", "Baseline"),
                        ("target", "Target"),
                    ],
                    [{k: escape(v) for k, v in asdict(r).items()} for r in rows],
                )
            )


def residents_follow_up(quarter: Quarter) -> None:
    """ "You said, we did" at the board: the latest consultation's findings whose linked board
    actions are overdue at the meeting reviewing ``quarter`` (or linked to a reference the
    action log does not hold), with a link to the Consultation page. Nothing when none is."""
    stored = reads.consultations()
    record = reads.consultation(stored[0][0]) if stored else None
    if record is None:
        return
    as_of = board_actions.meeting_day(quarter)
    behind = consultation_followup.overdue_findings(record.findings, reads.board_actions(), as_of)
    if not behind:
        return
    lines = []
    for f in behind:
        refs = [*f.overdue, *(f"{r} (not in the action log)" for r in f.missing)]
        demo = " *(links demo)*" if f.finding.demo else ""
        lines.append(f"- {plain(f.finding.statement)}: {plain(', '.join(refs))}{demo}")
    st.warning(
        f"**You said, we did: {len(behind)} finding(s) of {plain(record.consultation.title)} have a linked board "
        f"action overdue** at the meeting reviewing {quarter.label}.\n\n" + "\n".join(lines),
        icon=":material/forum:",
    )
    st.page_link("pages/consultation.py", label="Consultation: you said, we did", icon=":material/forum:")


def problem_table(problems: list[str], key: str) -> None:
    """Located problems (file, row, column, what is wrong, how to put it right) as a table whose
    rows wrap, so that each message's last words, the fix, show at a laptop's width."""
    frame = spreadsheet.safe_frame(pd.DataFrame({"Problem": problems}))
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={"Problem": st.column_config.TextColumn(width=PROBLEM_PX)},
        row_height=WRAPPED_ROW_PX,
        height=TABLE_HEADER_PX + WRAPPED_ROW_PX * min(len(problems), PROBLEMS_SHOWN),
        key=key,
    )
