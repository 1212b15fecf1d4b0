"""Every read a page makes of the store, cached against the store's fingerprint.

Reads go through metrics (no SQL here), and this is the one module of pages/ that calls the
store: each cached function takes the store's path and fingerprint first, so a write by the
dashboard or by the command line is seen on the next rerun. Arguments and results are cached
as they are: a ``Quarter`` (a frozen dataclass) or a ``date`` is hashed by value, so no read
needs a string stand-in for them.

A helper module, not a page: dashboard.py registers the pages with st.navigation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import (
    ActionProgress,
    AreaWords,
    Commentary,
    Completeness,
    IndicatorStatus,
    Plan,
    Quarter,
    Review,
    Store,
    SurveyFigures,
    action_log,
    area_words,
    available_quarters,
    commentary_by_indicator,
    completeness_of,
    consultation_store,
    default_quarter,
    indicator_store,
    load_plan,
    open_store,
    police_peers,
    police_store,
    police_uk,
    progress_by_action,
    return_store,
    returns,
    review_all,
    spc_figure,
    spc_png,
    store_schema,
    submission_status,
    summarise,
    survey_results,
    ward_view,
)

T = TypeVar("T")
Fingerprint = tuple[int, int, int]


def plan() -> Plan:
    """The partnership plan (loaded once per process by metrics.plan.model)."""
    return load_plan()


def words() -> AreaWords:
    """The plan's words for its whole area and its local areas (city/ward, county/district ...)."""
    return area_words(plan())


def store() -> Store:
    """The store for this plan, for the writes a page makes (a return, an import)."""
    return open_store(plan())


def per_data_version(read: Callable[..., T]) -> Callable[..., T]:
    """Cache a read of the store against the store's fingerprint: the wrapped function takes
    (db, fingerprint, *args), callers pass only *args. Any write, by any process, changes the
    fingerprint, so the next rerun reads afresh; until then nothing touches the file."""
    cached = st.cache_data(show_spinner=False)(read)
    signature = inspect.signature(read)

    @functools.wraps(read)
    def call(*args: object, **kwargs: object) -> T:
        s = store()
        # Defaults filled in and every argument passed by position, so reviews(q) and a call
        # naming the default, reviews.cached(db, fp, q, None), share one cache entry.
        bound = signature.bind(str(s.path), s.fingerprint(), *args, **kwargs)
        bound.apply_defaults()
        return cached(*bound.args)

    call.cached = cached  # for reads built on other cached reads
    return call


# --- the board's figures ---------------------------------------------------------------------


@per_data_version
def store_ready(db: str, fingerprint: Fingerprint) -> bool:
    """Whether the store exists, is migrated and holds the plan."""
    return store_schema.is_ready(Store(db))


@per_data_version
def values(db: str, fingerprint: Fingerprint) -> pd.DataFrame:
    """Every stored indicator value (the table every status and chart is computed from)."""
    return indicator_store.values(Store(db))


@per_data_version
def quarters(db: str, fingerprint: Fingerprint) -> list[Quarter]:
    """Quarters with monthly or quarterly figures, oldest first."""
    return available_quarters(values.cached(db, fingerprint))


@per_data_version
def survey_board_figures(db: str, fingerprint: Fingerprint) -> SurveyFigures:
    """Every stored survey wave's whole-area estimates, which judge survey measures."""
    return survey_results.board_figures(plan(), Store(db))


@per_data_version
def statuses(db: str, fingerprint: Fingerprint, quarter: Quarter, ward: str | None = None) -> list[IndicatorStatus]:
    """Each indicator's status against target for the quarter (and the ward, where recorded);
    a survey measure judged by its interval."""
    figures = survey_board_figures.cached(db, fingerprint)
    return summarise(plan(), values.cached(db, fingerprint), quarter, ward, figures)


@per_data_version
def reviews(db: str, fingerprint: Fingerprint, quarter: Quarter, ward: str | None = None) -> list[Review]:
    """Each indicator's status, SPC chart, variation, assurance and exception category."""
    figures = survey_board_figures.cached(db, fingerprint)
    return review_all(plan(), values.cached(db, fingerprint), quarter, ward, figures)


@per_data_version
def completeness(db: str, fingerprint: Fingerprint, quarter: Quarter) -> Completeness:
    """How many indicators have a figure for the quarter, and which are awaited, by owner."""
    return completeness_of(plan(), statuses.cached(db, fingerprint, quarter, None))


@per_data_version
def opening_quarter(db: str, fingerprint: Fingerprint) -> Quarter | None:
    """The quarter the board pages open on: the latest complete one (metrics/board/completeness.py)."""
    return default_quarter(plan(), values.cached(db, fingerprint), quarters.cached(db, fingerprint))


@per_data_version
def trend_chart(db: str, fingerprint: Fingerprint, indicator_id: str, quarter: Quarter, ward: str | None) -> go.Figure:
    """The indicator's SPC chart up to the quarter, built once per data version."""
    review = next(r for r in reviews.cached(db, fingerprint, quarter, ward) if r.indicator.id == indicator_id)
    return spc_figure(review.indicator, review.spc.chart, bool(review.spc.series["is_demo"].any()))


@per_data_version
def trend_png(db: str, fingerprint: Fingerprint, indicator_id: str, quarter: Quarter, ward: str | None) -> bytes:
    """The indicator's SPC chart as a picture (the board pack's), drawn once per data version: a
    page of a dozen pictures settles in a fraction of the time a dozen plotly charts take."""
    review = next(r for r in reviews.cached(db, fingerprint, quarter, ward) if r.indicator.id == indicator_id)
    return spc_png(review)


@per_data_version
def action_progress(db: str, fingerprint: Fingerprint, quarter: Quarter) -> pd.DataFrame:
    """Each action's latest reported status up to the quarter."""
    return indicator_store.action_progress(Store(db), str(quarter.start))


@per_data_version
def latest_progress(db: str, fingerprint: Fingerprint, quarter: Quarter) -> dict[str, ActionProgress]:
    """Each action's latest reported progress up to the quarter, by action id."""
    return progress_by_action(indicator_store.action_progress(Store(db), str(quarter.start)))


@per_data_version
def commentary(db: str, fingerprint: Fingerprint, quarter: Quarter) -> dict[str, Commentary]:
    """Each indicator's latest commentary up to the quarter, by indicator id."""
    return commentary_by_indicator(indicator_store.commentary(Store(db), str(quarter.start)))


@per_data_version
def sa_figures(db: str, fingerprint: Fingerprint) -> pd.DataFrame:
    """The Strategic Assessment's figures, every assessment stored."""
    return indicator_store.sa_figures(Store(db))


# --- resident surveys (estimates only: respondent rows are never read here) -------------------


@per_data_version
def survey_waves(db: str, fingerprint: Fingerprint, survey_id: str) -> list[survey_results.WaveSummary]:
    """The survey's stored waves, oldest first."""
    return survey_results.wave_summaries(Store(db), survey_id)


@per_data_version
def survey_estimates(db: str, fingerprint: Fingerprint, survey_id: str) -> list[survey_results.WaveFigure]:
    """Every stored estimate of the survey (each wave, measure and group), oldest wave first."""
    return survey_results.survey_figures(plan(), Store(db), survey_id)


@per_data_version
def survey_results_table(db: str, fingerprint: Fingerprint, survey_id: str) -> pd.DataFrame:
    """The survey's estimates as ``survey-results`` writes them, for the page's download."""
    return survey_results.results_table(Store(db), survey_id)


# --- police.uk ---------------------------------------------------------------------------------


@per_data_version
def police_bounds(db: str, fingerprint: Fingerprint) -> police_store.SummaryBounds:
    """First and last month of police.uk data, its crime types, and whether it is demo data."""
    return police_store.summary_bounds(Store(db))


@per_data_version
def police_summary(
    db: str, fingerprint: Fingerprint, first: str, last: str, wards: tuple[str, ...], types: tuple[str, ...]
) -> pd.DataFrame:
    """month, ward_code, ward_name, crime_type, count: what the explorer shows and downloads."""
    return police_uk.ward_summary(Store(db), first, last, wards, types)


@per_data_version
def police_coverage(db: str, fingerprint: Fingerprint) -> pd.DataFrame:
    """Each force's months held, with any month missing or thin."""
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


@per_data_version
def peers(db: str, fingerprint: Fingerprint, overdispersion: bool = False) -> police_peers.PeerView:
    """The partnership beside the force's other partnerships over the latest year held (all
    crime types): the Strategic Assessment page's "How we compare"."""
    return police_peers.compare_peers(Store(db), plan(), overdispersion=overdispersion, latest=police_peers.PAGE_MONTHS)


# --- quarterly returns -----------------------------------------------------------------------


@per_data_version
def return_template(db: str, fingerprint: Fingerprint, subgroup_id: str, quarter: Quarter, kind: str) -> bytes:
    """The template file (kind 'xlsx' or 'csv'), built once per data version."""
    build = returns.template_xlsx if kind == "xlsx" else returns.template_csv
    return build(plan(), Store(db), subgroup_id, quarter)


@per_data_version
def submissions(db: str, fingerprint: Fingerprint, subgroup_id: str | None, quarter: Quarter | None) -> pd.DataFrame:
    """Stored versions of returns, for one subgroup and quarter or (None) for all."""
    return return_store.submissions(Store(db), subgroup_id, str(quarter.start) if quarter else None)


@per_data_version
def submission_rows(
    db: str, fingerprint: Fingerprint, subgroup_id: str, quarter: Quarter, version: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indicator rows and action rows one stored version holds."""
    return return_store.submission_rows(Store(db), subgroup_id, str(quarter.start), version)


@per_data_version
def return_file(db: str, fingerprint: Fingerprint, sha256: str) -> bytes | None:
    """An uploaded original, by content hash, as it was uploaded (None if not kept)."""
    return return_store.return_file(Store(db), sha256)


@per_data_version
def return_audit(db: str, fingerprint: Fingerprint, subgroup_id: str, quarter: Quarter) -> pd.DataFrame:
    """Every attempt to submit the subgroup's return for the quarter, accepted or not."""
    return return_store.audit(Store(db), subgroup_id, str(quarter.start))


@per_data_version
def version_changes(
    db: str, fingerprint: Fingerprint, subgroup_id: str, quarter: Quarter, old: int, new: int
) -> pd.DataFrame:
    """What changed between two stored versions of a return."""
    return returns.compare_versions(Store(db), plan(), subgroup_id, quarter, old, new)


@per_data_version
def tracker(db: str, fingerprint: Fingerprint, quarter: Quarter, today: date) -> pd.DataFrame:
    """Each subgroup's submission status for the quarter, as at ``today``."""
    return submission_status(plan(), Store(db), quarter, today)


@per_data_version
def board_actions(db: str, fingerprint: Fingerprint) -> list:
    """Every board action with its history (metrics.board.actions.ActionView), oldest first."""
    return action_log.load(Store(db))


@per_data_version
def consultations(db: str, fingerprint: Fingerprint) -> list[tuple[str, str, date]]:
    """(id, title, start) of every stored consultation, latest first."""
    return consultation_store.consultation_ids(Store(db))


@per_data_version
def consultation(db: str, fingerprint: Fingerprint, consultation_id: str):  # noqa: ANN201 - a consultation Record
    """A consultation record with redacted comments only (never the originals: those are read
    uncached, for the analyst, by metrics.consultation.operations)."""
    return consultation_store.load_record(Store(db), consultation_id)


def clear_after_return() -> None:
    """After a return is stored: drop every cached read it changes (board figures, commentary,
    action progress, versions, tracker). The store's new fingerprint would miss them anyway;
    clearing frees the memory and makes the next rerun certain to read afresh."""
    changed = (
        values,
        survey_board_figures,
        quarters,
        statuses,
        reviews,
        completeness,
        opening_quarter,
        trend_chart,
        action_progress,
        commentary,
        submissions,
        tracker,
    )
    for read in changed:
        read.cached.clear()
    board_actions.cached.clear()  # a return updates the board actions it reports on


def clear_after_board_action() -> None:
    """After the action log changes: drop the cached log (and the templates that list it)."""
    board_actions.cached.clear()
    return_template.cached.clear()
