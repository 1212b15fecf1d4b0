"""What every page shares: cached reads keyed to the store's data version, the selected
quarter, the demo-data banner, the status key and large, projector-friendly tables.

Reads go through metrics (no SQL here). Each cached function takes the store's fingerprint,
so a write by the dashboard or by the command line is seen on the next rerun.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from html import escape
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import police_uk, returns, ward_view
from metrics.charts import spc_figure
from metrics.exceptions import Review, review_all
from metrics.plan import Plan, load_plan
from metrics.quarters import Quarter, quarter_range
from metrics.spc import Assurance, Variation
from metrics.status import IndicatorStatus, Rag, available_quarters, summarise
from metrics.store import Store, open_store
from metrics.tracker import submission_status

T = TypeVar("T")
Fingerprint = tuple[int, int, int]
QUARTER_KEY = "quarter"  # the chosen quarter, kept across pages
QUARTER_WIDGET_KEY = "quarter_picker"
WARD_KEY = "ward"  # the chosen ward code (None: all of the city), kept across pages and in ?ward=
WARD_WIDGET_KEY = "ward_picker"
CITYWIDE = "All of the city"

CSS = """
<style>
.csp-table {border-collapse: collapse; width: 100%; font-size: 1.05rem; margin-bottom: 0.8rem;}
.csp-table th {text-align: left; border-bottom: 2px solid #1f1f1f; padding: 0.35rem 0.5rem;
  font-weight: 600; white-space: nowrap;}
.csp-table td {border-bottom: 1px solid #d9d9d9; padding: 0.45rem 0.5rem; vertical-align: top;
  overflow-wrap: anywhere;}
.csp-table td.num {text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;}
.csp-status {font-weight: 700; white-space: nowrap;}
.csp-demo {display: inline-block; border: 1px solid #a15c00; color: #7a4500; border-radius: 4px;
  padding: 0 0.3rem; font-size: 0.8rem; font-weight: 600; margin-left: 0.3rem; white-space: nowrap;}
.csp-sentence {font-size: 1.15rem; margin: 0.2rem 0 0.4rem 0;}
.csp-muted {color: #5f6368;}
</style>
"""


def plan() -> Plan:
    return load_plan()


def store() -> Store:
    return open_store(plan())


def inject_css() -> None:
    st.html(CSS)


def per_data_version(read: Callable[..., T]) -> Callable[..., T]:
    """Cache a read of the store against the store's fingerprint: the wrapped function takes
    (db, fingerprint, *args), callers pass only *args. Any write, by any process, changes the
    fingerprint, so the next rerun reads afresh; until then nothing touches the file."""
    cached = st.cache_data(show_spinner=False)(read)

    @functools.wraps(read)
    def call(*args: object) -> T:
        s = store()
        return cached(str(s.path), s.fingerprint(), *args)

    call.cached = cached  # for reads built on other cached reads
    return call


@per_data_version
def store_ready(db: str, fingerprint: Fingerprint) -> bool:
    """Whether the store exists, is migrated and holds the plan."""
    return Store(db).is_ready()


@per_data_version
def values(db: str, fingerprint: Fingerprint) -> pd.DataFrame:
    return Store(db).indicator_values()


@per_data_version
def quarter_labels(db: str, fingerprint: Fingerprint) -> list[str]:
    return [q.label for q in available_quarters(values.cached(db, fingerprint))]


def quarters() -> list[Quarter]:
    return [Quarter.parse(q) for q in quarter_labels()]


@per_data_version
def _statuses(db: str, fingerprint: Fingerprint, quarter: str, ward: str | None) -> list[IndicatorStatus]:
    return summarise(plan(), values.cached(db, fingerprint), Quarter.parse(quarter), ward)


def statuses(quarter: Quarter, ward: str | None = None) -> list[IndicatorStatus]:
    return _statuses(quarter.label, ward)


@per_data_version
def _reviews(db: str, fingerprint: Fingerprint, quarter: str, ward: str | None) -> list[Review]:
    return review_all(plan(), values.cached(db, fingerprint), Quarter.parse(quarter), ward)


def reviews(quarter: Quarter, ward: str | None = None) -> list[Review]:
    """Each indicator's status, SPC chart, variation, assurance and exception category."""
    return _reviews(quarter.label, ward)


@per_data_version
def _trend_chart(db: str, fingerprint: Fingerprint, indicator_id: str, quarter: str, ward: str | None) -> go.Figure:
    review = next(r for r in _reviews.cached(db, fingerprint, quarter, ward) if r.indicator.id == indicator_id)
    return spc_figure(review.indicator, review.spc.chart, bool(review.spc.series["is_demo"].any()))


def trend_chart(indicator_id: str, quarter: Quarter, ward: str | None) -> go.Figure:
    """The indicator's SPC chart up to the quarter, built once per data version."""
    return _trend_chart(indicator_id, quarter.label, ward)


@per_data_version
def _progress(db: str, fingerprint: Fingerprint, quarter_start: str) -> pd.DataFrame:
    return Store(db).action_progress(quarter_start)


def action_progress(quarter: Quarter) -> pd.DataFrame:
    return _progress(str(quarter.start))


@per_data_version
def _commentary(db: str, fingerprint: Fingerprint, quarter_start: str) -> pd.DataFrame:
    return Store(db).commentary(quarter_start)


def commentary(quarter: Quarter) -> pd.DataFrame:
    return _commentary(str(quarter.start))


@per_data_version
def sa_figures(db: str, fingerprint: Fingerprint) -> pd.DataFrame:
    return Store(db).sa_figures()


@per_data_version
def police_bounds(db: str, fingerprint: Fingerprint) -> tuple[object, object, list[str], bool]:
    """First and last month of police.uk data, its crime types, and whether it is demo data."""
    return police_uk.summary_bounds(Store(db))


@per_data_version
def police_summary(
    db: str, fingerprint: Fingerprint, first: str, last: str, wards: tuple[str, ...], types: tuple[str, ...]
) -> pd.DataFrame:
    """month, ward_code, ward_name, crime_type, count: what the explorer shows and downloads."""
    return police_uk.ward_summary(Store(db), first, last, wards, types)


def police_download(first: str, last: str, wards: tuple[str, ...], types: tuple[str, ...]) -> pd.DataFrame:
    """The rows the explorer downloads: the period's summary for every ward (already read for
    the ranking) narrowed to the chosen wards, so a ward change reads nothing from the store."""
    every_ward = police_summary(first, last, (), types)
    return every_ward[every_ward["ward_code"].isin(wards)].reset_index(drop=True) if wards else every_ward


@per_data_version
def police_coverage(db: str, fingerprint: Fingerprint) -> pd.DataFrame:
    return police_uk.coverage(Store(db)).frame


@per_data_version
def police_flags(db: str, fingerprint: Fingerprint) -> dict[str, str]:
    """Months (YYYY-MM) missing or thin inside the area for any force, with why."""
    problems = police_coverage.cached(db, fingerprint)
    problems = problems[problems["problem"] != ""]
    return {r.month: f"{r.force}: {r.problem}" for r in problems.itertuples()}


@per_data_version
def ward_explorer(
    db: str, fingerprint: Fingerprint, wards: tuple[str, ...], first: str, last: str, types: tuple[str, ...]
) -> ward_view.WardView:
    """The explorer's numbers for one choice, computed once per data version. (Figures are
    built from it on each rerun: a cached plotly figure is rebuilt and re-validated when read
    back, which costs several times more than building it.)"""
    every_ward = police_summary.cached(db, fingerprint, first, last, (), types)
    months = [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")]
    return ward_view.build(plan(), every_ward, list(wards), months)


def ward_figures(view: ward_view.WardView, label: str) -> dict[str, go.Figure]:
    """The explorer's trend, crime-type mix, ranking and map for a view."""
    settings = plan().settings
    boundaries = None
    if settings.ward_boundaries is not None:
        try:
            boundaries = ward_view.load_boundaries(settings.ward_boundaries)
        except ward_view.BoundaryError as exc:
            st.warning(f"{exc} Showing a tile per ward instead; correct settings.ward_boundaries in config.yaml.")
    return {
        "trend": ward_view.trend_figure(view, police_flags(), label),
        "mix": ward_view.mix_figure(view, label),
        "ranking": ward_view.ranking_figure(view),
        "map": ward_view.map_figure(view, boundaries),
    }


def selected_quarter() -> Quarter | None:
    """The quarter picker in the sidebar, shared by every page: the choice is kept in session
    state so it survives moving between pages. Defaults to the latest quarter with data."""
    labels = [q.label for q in reversed(quarters())]
    if not labels:
        return None
    chosen = st.session_state.get(QUARTER_KEY)
    if chosen not in labels:
        chosen = labels[0]
    with st.sidebar:
        st.markdown(f"**{plan().partnership.plan_title}**")
        picked = st.selectbox(
            "Quarter",
            labels,
            index=labels.index(chosen),
            key=QUARTER_WIDGET_KEY,
            help="UK financial-year quarters (Q1 is April-June). The latest quarter with data is first.",
        )
    st.session_state[QUARTER_KEY] = picked
    return Quarter.parse(picked)


def shared_ward() -> str | None:
    """The ward chosen once for every page: from session state, or on a session's first page
    from the link's ``?ward=CODE`` (so a shared link reproduces the view)."""
    codes = plan().ward_names()
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


def selected_ward(help_text: str = "Applies to figures recorded by ward; the others stay citywide.") -> str | None:
    """The ward picker in the sidebar, the same on every page: one ward choice everywhere,
    kept across pages and in the page's address."""
    names = plan().ward_names()
    options: list[str | None] = [None, *names]
    chosen = shared_ward()
    with st.sidebar:
        picked = st.selectbox(
            "Ward",
            options,
            index=options.index(chosen),
            format_func=lambda c: CITYWIDE if c is None else names[c],
            key=WARD_WIDGET_KEY,
            help=help_text + " The choice is kept on every page and in the link (?ward=CODE).",
        )
    set_shared_ward(picked)
    return picked


def demo_banner(shown_demo: bool) -> None:
    """Say plainly, on every page that shows them, that figures are demo data."""
    if shown_demo:
        st.warning(
            "**Demo data.** Figures marked *demo* are generated for demonstration and are not real. "
            "Baselines and figures quoted from the plan itself are real.",
            icon=":material/science:",
        )


def status_key() -> None:
    items = " &nbsp; ".join(f"{r.icon} {r.word}" for r in Rag)
    variation = " &nbsp; ".join(f"{v.icon} {v.word.split(' (')[0]}" for v in Variation if not v.key.endswith("_low"))
    assurance = " &nbsp; ".join(f"{a.icon} {a.word}" for a in Assurance)
    st.caption(
        f"Key: {items}. Arrows compare with the last quarter and the same quarter last year "
        "(↗ better, ↘ worse, → no change). *Ahead of target* means better than target by more "
        f"than the tolerance.  \nVariation (SPC, NHS *Making Data Count*): {variation}.  \n"
        f"Assurance (can the process meet its target?): {assurance}."
    )


def demo_tag(is_demo: bool) -> str:
    return '<span class="csp-demo">demo</span>' if is_demo else ""


def status_cell(rag: Rag) -> str:
    return f'<span class="csp-status" style="color:{rag.colour}">{rag.icon} {escape(rag.word)}</span>'


def html_table(columns: list[tuple[str, str]], rows: list[dict[str, str]]) -> str:
    """A plain HTML table; ``columns`` are (key, heading), a heading ending in '#' is numeric.
    Cell values are already-escaped HTML."""
    head = "".join(f"<th>{escape(h.rstrip('#'))}</th>" for _, h in columns)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"num" if h.endswith("#") else ""}">{row.get(k, "")}</td>' for k, h in columns)
        + "</tr>"
        for row in rows
    )
    return f'<table class="csp-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def counts_strip(items: list[IndicatorStatus]) -> None:
    """How many indicators stand at each status: the first thing the board reads."""
    cols = st.columns(4)
    for col, rag in zip(cols, (Rag.OFF_TARGET, Rag.AHEAD, Rag.NEAR_TARGET, Rag.ON_TARGET), strict=True):
        col.metric(f"{rag.icon} {rag.word}", sum(1 for s in items if s.rag is rag))


THEME_KEY = "_theme_page"


def set_theme(theme_id: str | None) -> None:
    """The router says which theme the theme page is drawing."""
    st.session_state[THEME_KEY] = theme_id


def current_theme_id() -> str | None:
    return st.session_state.get(THEME_KEY)


def spc_cell(review: Review) -> str:
    """Variation and assurance, each as its icon and words."""
    v, a = review.spc.variation, review.spc.assurance
    return (
        f'<span class="csp-status" style="color:{v.colour}">{v.icon} {escape(v.word)}</span><br>'
        f'<span class="csp-status" style="color:{a.colour}">{a.icon} {escape(a.word)}</span>'
    )


def spc_inline(review: Review) -> str:
    """Variation and assurance on one line."""
    return spc_cell(review).replace("<br>", " &nbsp; ")


def indicator_row(s: IndicatorStatus, plan_: Plan, review: Review | None = None) -> dict[str, str]:
    """One indicator as a table row: status in icon and word, its sentence, figures,
    directions, owner, and (given its review) variation and assurance."""
    from metrics.status import format_value

    ind = s.indicator
    note = f'<br><span class="csp-muted">{escape(s.value.note)}</span>' if s.value.note else ""
    name = f'{escape(ind.name)}<br><span class="csp-muted">{escape(s.sentence)}</span>'
    return {
        "status": status_cell(s.rag),
        "indicator": name,
        "value": f"{format_value(s.value.value, ind.unit)}{demo_tag(s.value.is_demo)}"
        f'<br><span class="csp-muted">{escape(s.value.label)}</span>{note}',
        "target": format_value(s.target, ind.unit),
        "previous": escape(s.vs_previous.short)
        if ind.frequency != "annual"
        else '<span class="csp-muted">annual</span>',
        "last_year": escape(s.vs_last_year.short),
        "owner": escape(plan_.subgroup(ind.owner).short_name),
        "spc": spc_cell(review) if review else "",
    }


INDICATOR_COLUMNS = [
    ("status", "Status"),
    ("spc", "Variation · assurance"),
    ("indicator", "Indicator"),
    ("value", "Latest#"),
    ("target", "Target#"),
    ("previous", "vs last quarter#"),
    ("last_year", "vs last year#"),
    ("owner", "Owner"),
]


def quarter_label(day: object) -> str:
    """The financial-year quarter a stored date falls in, e.g. '2025/26 Q2'."""
    return Quarter.of(pd.Timestamp(day).date()).label


# --- quarterly returns -----------------------------------------------------------------------


def return_quarters(today: date) -> list[Quarter]:
    """Quarters a return can be made for, latest first: from the plan's start to the current
    quarter (whose return is not yet due)."""
    first = plan().partnership.plan_start
    last = min(Quarter.of(today), plan().partnership.plan_end)
    return list(reversed(quarter_range(first, last))) if last >= first else [first]


@per_data_version
def _template(db: str, fingerprint: Fingerprint, subgroup_id: str, quarter: str, kind: str) -> bytes:
    build = returns.template_xlsx if kind == "xlsx" else returns.template_csv
    return build(plan(), Store(db), subgroup_id, Quarter.parse(quarter))


def return_template(subgroup_id: str, quarter: Quarter, kind: str) -> bytes:
    """The template file (kind 'xlsx' or 'csv'), built once per data version."""
    return _template(subgroup_id, quarter.label, kind)


@per_data_version
def _submissions(db: str, fingerprint: Fingerprint, subgroup_id: str | None, quarter_start: str | None) -> pd.DataFrame:
    return Store(db).submissions(subgroup_id, quarter_start)


def submissions(subgroup_id: str | None, quarter: Quarter | None) -> pd.DataFrame:
    return _submissions(subgroup_id, str(quarter.start) if quarter else None)


@per_data_version
def _tracker(db: str, fingerprint: Fingerprint, quarter: str, today: str) -> pd.DataFrame:
    return submission_status(plan(), Store(db), Quarter.parse(quarter), date.fromisoformat(today))


def tracker(quarter: Quarter, today: date) -> pd.DataFrame:
    return _tracker(quarter.label, today.isoformat())


def clear_after_return() -> None:
    """After a return is stored: drop every cached read it changes (board figures, commentary,
    action progress, versions, tracker). The store's new fingerprint would miss them anyway;
    clearing frees the memory and makes the next rerun certain to read afresh."""
    for read in (values, quarter_labels, _statuses, _trend_chart, _progress, _commentary, _submissions, _tracker):
        read.cached.clear()
