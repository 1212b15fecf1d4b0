"""Resident surveys: each measure across waves and by area, every figure with its 95% interval;
for the analyst an upload of a wave (checked as ``import-survey`` checks it, a dry run first),
for the administrator the deletion of a wave.

Only estimates are read here (never respondent rows). An area with too few responses is marked
"too few responses", and areas keep the plan's order: overlapping intervals are not a ranking.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from metrics import (
    StoreError,
    access,
    compare,
    compare_figure,
    police_uk,
    spreadsheet,
    survey,
    survey_charts,
    survey_import,
    survey_results,
    survey_store,
)
from pages import auth, reads, widgets
from pages.safe_text import plain

UPLOAD_TYPES = ["csv", "xlsx", "sav"]
ALL, AREA = "all", "area"  # the estimates' group kinds: the whole area, one local area


def survey_choice(plan_surveys: tuple[survey.Survey, ...]) -> survey.Survey:
    """The survey shown (a choice only where the plan declares several)."""
    if len(plan_surveys) == 1:
        return plan_surveys[0]
    titles = {s.id: s.title for s in plan_surveys}
    chosen = st.selectbox("Survey", list(titles), format_func=titles.get, key="survey_id")
    return next(s for s in plan_surveys if s.id == chosen)


def figure_table(figures: list[survey_results.WaveFigure], first: str) -> pd.DataFrame:
    """Figures as a table: ``first`` (the wave or the area), the figure in words, the interval and
    bases (no figure where the base is too small)."""
    rows = [
        {
            first: f.estimate.group if first != "Wave" else survey_charts.wave_label(f),
            "Figure (95% interval)": f.text,
            "Estimate %": f.estimate.estimate,
            "Lower %": f.estimate.lower,
            "Upper %": f.estimate.upper,
            "Responses": f.estimate.unweighted_base,
            "Effective base": round(f.estimate.effective_base, 1),
        }
        for f in figures
    ]
    return pd.DataFrame(rows)


# the table's figures to one decimal place, as the figure in words gives them
ONE_DECIMAL = {c: st.column_config.NumberColumn(format="%.1f") for c in ("Estimate %", "Lower %", "Upper %")}
ONE_DECIMAL["Effective base"] = st.column_config.NumberColumn(format="%.1f")


def measure_overview(chosen: survey.Survey, figures: list[survey_results.WaveFigure]) -> None:
    """Every measure's whole-area figure in every wave, one row per measure."""
    whole = [f for f in figures if f.estimate.group_kind == ALL]
    waves = list(dict.fromkeys(survey_charts.wave_label(f) for f in whole))
    rows = []
    for m in chosen.measures:
        cells = {survey_charts.wave_label(f): f.text for f in whole if f.estimate.measure == m.id}
        rows.append({"Measure": m.name, **{w: cells.get(w, "–") for w in waves}})
    st.subheader("Every measure, every wave", anchor=False)
    st.dataframe(spreadsheet.safe_frame(pd.DataFrame(rows)), hide_index=True, key="survey_overview")
    download_results(chosen)


def download_results(chosen: survey.Survey) -> None:
    """Every estimate of the survey (each wave, measure, whole area, area and group) to take
    away, as `python -m metrics survey-results` writes them: estimates only, never respondents."""
    table = reads.survey_results_table(chosen.id)
    name = f"{chosen.id}-results"
    left, right = st.columns(2)
    # The files are written when asked for (as the explorer's downloads), not on every rerun.
    left.download_button(
        "Download every estimate (CSV)",
        lambda: police_uk.to_csv_bytes(table),
        file_name=f"{name}.csv",
        mime="text/csv",
        key="survey_results_csv",
        on_click="ignore",
    )
    right.download_button(
        "Download every estimate (Excel)",
        lambda: police_uk.to_xlsx_bytes(table, "Survey results"),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="survey_results_xlsx",
        on_click="ignore",
    )
    st.caption(
        f"{len(table):,} estimates with their 95% intervals, bases and whether each was suppressed; demo waves "
        "are marked in the is_demo column. No respondent's answers are ever in it."
    )


def measure_across_waves(measure: survey.Measure, figures: list[survey_results.WaveFigure]) -> None:
    """The chosen measure's whole-area figure in each wave, chart and table."""
    whole = [f for f in figures if f.estimate.group_kind == ALL and f.estimate.measure == measure.id]
    st.subheader("Across waves", anchor=False)
    st.plotly_chart(survey_charts.waves_figure(measure.name, whole), key="survey_waves_chart")
    st.dataframe(figure_table(whole, "Wave"), hide_index=True, column_config=ONE_DECIMAL, key="survey_waves_table")
    st.caption(
        "Each bar is the 95% interval (Wilson on the effective base). A change between two waves is called "
        "significant only when Newcombe's interval for the difference excludes zero."
    )


def measure_by_area(measure: survey.Measure, figures: list[survey_results.WaveFigure], waves: list[str]) -> None:
    """The chosen measure by area in one wave: chart and table, suppressed areas marked."""
    words = reads.words()
    st.subheader(f"By {words.one}", anchor=False)
    labels = {f.wave: survey_charts.wave_label(f) for f in figures}
    wave = st.selectbox("Wave", waves, index=len(waves) - 1, format_func=labels.get, key="survey_area_wave")
    picked = [f for f in figures if f.wave == wave and f.estimate.measure == measure.id]
    areas = [f for f in picked if f.estimate.group_kind == AREA]
    if not areas:
        st.info(f"This survey has no {words.one} column, so there are no figures by {words.one}.")
        return
    whole = next((f for f in picked if f.estimate.group_kind == ALL), None)
    st.plotly_chart(survey_charts.areas_figure(measure.name, areas, whole, words.One), key="survey_areas_chart")
    compared = compare.survey_area_comparison([f.estimate for f in areas])
    table = figure_table(areas, words.One)
    table["Against the other " + words.many] = [compared.judgement(f.estimate.group) for f in areas]
    st.dataframe(table, hide_index=True, column_config=ONE_DECIMAL, key="survey_areas_table")
    few = len(compared.left_out)
    st.caption(
        f"{words.Many} are listed in the plan's order, not ranked: where intervals overlap, the figures cannot be "
        f"told apart. {few} of {len(areas)} {words.many} had too few responses (fewer than "
        f"{reads.plan().settings.survey_min_base}) to show a figure, and are left out of the comparison."
    )
    if compared.funnel is not None:
        demo = any(f.is_demo for f in areas)
        funnel = compare_figure.proportion_funnel_figure(
            compared.funnel, measure=measure.name, many=words.many, is_demo=demo
        )
        st.plotly_chart(funnel, key="survey_areas_funnel")
        judged = {j: sum(1 for v in compared.judgements.values() if v == j) for j in compare.Judgement}
        st.caption(
            f"Against the other {words.many}: each {words.one}'s figure is compared with the {words.many}' "
            f"response-weighted average ({100 * compared.funnel.centre:.1f}%) by a funnel plot's 99.8% limits at "
            f"its effective number of responses (arcsine scale; docs/compare.md): "
            + "; ".join(f"{n} {j}" for j, n in judged.items())
            + "."
        )


def upload_wave(chosen: survey.Survey, user: access.User) -> None:
    """The analyst's upload: checked and previewed (a dry run), then stored; every problem
    listed and nothing stored on any."""
    st.caption(
        "A respondent file (CSV, Excel or SPSS .sav) with the columns the plan declares. It is checked as "
        "`python -m metrics import-survey` checks it; only the declared columns are kept."
    )
    upload = st.file_uploader("Respondent file", type=UPLOAD_TYPES, key="survey_upload")
    wave = st.text_input("Wave label (a period such as 2025 makes its figures indicator values)", key="survey_wave")
    check, store_it = st.columns(2)
    checked = check.button("Check (dry run)", key="survey_check")
    stored = store_it.button("Check and store", type="primary", key="survey_store")
    if upload is None or not (checked or stored):
        return
    if not wave.strip():
        st.error("Give the wave a label (for example 2025) before checking the file.")
        return
    name = spreadsheet.safe_filename(upload.name)
    try:
        if stored and survey_store.wave_exists(reads.store(), chosen.id, wave.strip()):
            raise survey_import.SurveyError(
                f"{chosen.id} already has a wave {wave.strip()!r}: an administrator can delete it first, "
                "or store it under another label"
            )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(upload.getvalue())
            outcome = survey_import.import_wave(
                reads.plan(), reads.store(), path, chosen.id, wave.strip(), user.label, dry_run=not stored, name=name
            )
    except (survey_import.SurveyError, StoreError) as exc:
        st.error(f"Nothing was stored: {plain(exc)}")
        return
    if not outcome.reading.ok:
        count = len(outcome.reading.problems)
        st.error(f"Nothing was stored: {name} has {count} problem{'s' if count != 1 else ''} to put right.")
        problems = [str(p) for p in outcome.reading.problems]
        widgets.problem_table(problems, key="survey_bad")
        return
    (st.success if outcome.stored else st.info)(plain(" ".join(outcome.lines()[:2])))
    st.text("\n".join(outcome.lines()[2:]))


def delete_wave(chosen: survey.Survey, waves: list[survey_results.WaveSummary], user: access.User) -> None:
    """The administrator's deletion of a wave: its respondents, estimates and indicator values."""
    labels = {w.wave: f"{w.label}: {w.respondents:,} respondents" for w in waves}
    wave = st.selectbox("Wave to delete", list(labels), format_func=labels.get, key="survey_delete_wave")
    sure = st.checkbox("I understand that this deletes the wave's respondents for good", key="survey_delete_ok")
    if st.button("Delete the wave", disabled=not sure, key="survey_delete"):
        access.require(user, access.Action.DELETE_SURVEY_WAVE)
        try:
            gone = survey_store.delete_wave(reads.store(), chosen.id, wave)
        except StoreError as exc:
            st.error(plain(exc))
            return
        st.success(f"Deleted wave {wave}: {gone:,} respondents, its estimates and indicator values.")


user = auth.require_page(access.Action.VIEW_BOARD)
plan = reads.plan()
widgets.selected_quarter()  # the sidebar's quarter, kept across pages
st.title("Resident surveys", anchor=False)
if not plan.surveys:
    st.info("The plan declares no survey. Declare one under `surveys:` in the plan file (see docs/survey.md).")
    st.stop()
chosen = survey_choice(plan.surveys)
st.caption(plain(chosen.source or chosen.title))
waves = reads.survey_waves(chosen.id)
figures = reads.survey_estimates(chosen.id)
if not figures:
    st.info("No wave of this survey is stored yet.")
else:
    widgets.demo_banner(any(w.is_demo for w in waves))
    if any(w.is_demo for w in waves):
        st.caption(survey.DEMO_NOTE)
    measure_overview(chosen, figures)
    names = {m.id: m.name for m in chosen.measures}
    picked = st.selectbox("Measure", list(names), format_func=names.get, key="survey_measure")
    measure = chosen.measure(picked)
    measure_across_waves(measure, figures)
    measure_by_area(measure, figures, list(dict.fromkeys(f.wave for f in figures)))
if auth.allowed(access.Action.IMPORT_SURVEY):
    with st.expander("Upload a wave"):
        upload_wave(chosen, user)
if waves and auth.allowed(access.Action.DELETE_SURVEY_WAVE):
    with st.expander("Delete a wave"):
        delete_wave(chosen, waves, user)
