"""Area explorer: police.uk street-level crime by the plan's local areas (its wards, districts
...; titled with the plan's words). Choose areas, months and crime types; see counts and rates
per 1,000 residents, the monthly trend, how the areas compare (a funnel plot with limits and a
judgement for each area, or on request their ranking), the crime-type mix and a map; download
the filtered figures and the comparison; import new months. With no
police data yet, the page says how to import it.

Every figure comes from the monthly ward x crime-type summary (metrics/police/uk.py), so a
rerun costs the same whatever the number of incidents stored."""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd
import streamlit as st

from metrics import access, area_export, compare, compare_figure, police_uk, spreadsheet, ward_view
from pages import auth, markup, reads, widgets
from pages.safe_text import plain

WARDS_KEY = "explorer_wards"
MONTHS_KEY = "explorer_months"
TYPES_KEY = "explorer_types"
# A force's monthly street file is a few MB; the app-wide upload limit is the returns' (5 MB).
POLICE_UPLOAD_MB = 100
SAVED_KEY = "_explorer_saved"  # the last choices, kept when the widgets are not on screen
COMPARE_KEY = "explorer_compare"  # funnel plot (the default) or ranking
WIDEN_KEY = "explorer_overdispersion"  # whether the funnel's limits allow for overdispersion

WHAT = (
    "Street-level crime and anti-social behaviour published at data.police.uk, placed in {many} by "
    "the LSOA to {one} lookup when imported."
)


@dataclass(frozen=True)
class Choices:
    """What the explorer shows: the chosen areas (none: all), months and crime types."""

    chosen: tuple[str, ...]
    start: str
    end: str
    types: tuple[str, ...]

    @property
    def label(self) -> str:
        return ", ".join(names[c] for c in self.chosen) if self.chosen else f"All {words.many}"


auth.require_page(access.Action.VIEW_ANALYSIS)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
words = reads.words()
names = plan.ward_names()
widgets.selected_quarter()  # keeps the sidebar and the quarter choice the same on every page


def render_header() -> None:
    st.title(f"{words.One} explorer")
    st.caption(WHAT.format(many=words.many, one=words.one))


def render_empty() -> None:
    """No police.uk data yet: how to add it, then the import."""
    st.info(
        "No police.uk street-level data is stored yet. To add it: download your force's monthly "
        "street-level files from https://data.police.uk/data/ (tick *Include crime data*), and the ONS "
        f"LSOA to {words.one} lookup for {words.area_name}; then import them below, or run "
        "`python -m metrics import-police FOLDER --lookup LOOKUP.csv`.",
        icon=":material/info:",
    )
    render_import()


def read_choices(months: list[str], all_types: tuple[str, ...]) -> Choices:
    """The choices: from the link on a session's first visit, then kept in session state (and
    in the address, so a link shares them)."""
    saved = st.session_state.get(SAVED_KEY)
    if saved is None:
        q = st.query_params
        saved = {
            "wards": [c for c in q.get("wards", "").split(",") if c in names],
            "months": (q.get("from"), q.get("to")),
            "types": [t for t in q.get("types", "").split(",") if t in all_types],
        }
    shared = widgets.shared_ward()
    if WARDS_KEY not in st.session_state:
        if shared is not None or len(saved["wards"]) <= 1:  # one ward choice everywhere
            st.session_state[WARDS_KEY] = [shared] if shared else []
        else:
            st.session_state[WARDS_KEY] = saved["wards"]
    start, end = saved["months"]
    start = start if start in months else months[max(0, len(months) - 12)]  # default: the last 12 months
    end = end if end in months and end >= start else months[-1]
    if TYPES_KEY not in st.session_state:
        st.session_state[TYPES_KEY] = saved["types"]

    cols = st.columns([3, 3, 3])
    chosen = cols[0].multiselect(
        words.Many,
        list(names),
        format_func=names.get,
        key=WARDS_KEY,
        placeholder=f"All {words.many}",
        help=f"Empty means all {words.many}.",
    )
    period = cols[1].select_slider("Months", options=months, value=(start, end), key=MONTHS_KEY)
    types = cols[2].multiselect("Crime types", list(all_types), key=TYPES_KEY, placeholder="All crime types")
    start, end = period
    st.session_state[SAVED_KEY] = {"wards": chosen, "months": (start, end), "types": types}
    widgets.set_shared_ward(chosen[0] if len(chosen) == 1 else None)
    for key, value in (
        ("wards", ",".join(chosen) if len(chosen) > 1 else ""),
        ("from", start),
        ("to", end),
        ("types", ",".join(types)),
    ):
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]
    return Choices(tuple(chosen), start, end, tuple(types))


def render_demo_note(has_demo: bool) -> None:
    widgets.demo_banner(has_demo)
    if has_demo:
        linked = ", ".join(i.name for i in plan.police_indicators)
        st.caption(
            f"The demo police.uk data is generated from the demo series of the indicators the plan links to "
            f"police.uk data ({linked}), so the explorer and the theme pages agree; LSOAs named DEMO are made up."
        )


def render_flags(flags: dict[str, str], choices: Choices) -> None:
    """Months in the chosen range that a force is missing or thin for."""
    in_range = {m: why for m, why in flags.items() if choices.start <= m <= choices.end}
    for m, why in sorted(in_range.items()):
        st.warning(f"**{m}**: {plain(why)}.", icon=":material/report:")  # names a force from a file


def render_figures(view: ward_view.WardView, choices: Choices) -> None:
    """The selection's count and rates against the whole area's."""
    # Labels short enough for a quarter of a laptop's width: a metric's label is cut at one line,
    # and "(estimated populations)" was cut to "(estimat…", losing the very word that matters.
    estimated = view.populations_estimated
    stats = st.columns(4)
    stats[0].metric(f"Incidents ({choices.start} to {choices.end})", f"{view.selected_count:,}")
    stats[1].metric(
        "Per 1,000 (estimated)" if estimated else "Per 1,000 residents",
        ward_view.format_rate(view.selected_rate),
        help="Incidents per 1,000 residents of the selection"
        + (", from estimated populations (see the note below)." if estimated else "."),
    )
    stats[2].metric(f"{words.Kind} per 1,000 residents", ward_view.format_rate(view.area_rate))
    stats[3].metric(
        f"Against the {words.kind} rate",
        "–" if view.vs_area is None else f"{view.vs_area:.2f} ×",
        help=f"The selection's rate per 1,000 residents divided by the {words.kind}'s.",
    )
    if view.populations_estimated:
        sources = sorted({w.population_source for w in plan.wards if w.population_estimated and w.population_source})
        st.caption(
            f"Rates use {words.one} populations that are **estimates, not official figures**"
            + (f" ({'; '.join(sources)})" if sources else "")
            + f", as given in {words.plan_file}. Rates are for the whole period shown."
        )


def render_map(figures: dict) -> None:
    st.subheader("Map")
    if plan.settings.ward_boundaries is None:
        st.caption(
            f"A tile per {words.one} (no boundary file is configured: set settings.ward_boundaries in "
            f"{words.plan_file})."
        )
    st.plotly_chart(figures["map"], key="map", config={"displayModeBar": False})


def render_area_table(view: ward_view.WardView, comparison: compare.AreaComparison) -> None:
    """Every area: incidents, residents, rate, its expected range and the judgement."""
    st.subheader(words.Many)
    table = view.wards.sort_values("count", ascending=False)
    judged = {r.ward_code: r for r in comparison.table.itertuples()}
    st.html(
        markup.html_table(
            [
                ("ward", words.One),
                ("count", "Incidents#"),
                ("population", "Residents#"),
                ("rate", "Per 1,000#"),
                ("limits", "Expected range (99.8%)#"),
                ("judgement", f"Against the {words.kind}"),
            ],
            [
                {
                    "ward": ("▶ " if r.highlight else "") + escape(r.ward_name),
                    "count": f"{r.count:,}",
                    "population": "not known"
                    if pd.isna(r.population)
                    else f"{int(r.population):,}" + (" (est.)" if r.estimated else ""),
                    "rate": ward_view.format_rate(r.rate),
                    "limits": _limits_text(judged.get(r.ward_code)),
                    "judgement": judged[r.ward_code].judgement if r.ward_code in judged else "not compared",
                }
                for r in table.itertuples()
            ],
        )
    )
    st.caption(
        f"Expected range: the 99.8% funnel limits for a {words.one} of that many residents"
        + (", allowing for overdispersion." if comparison.funnel is not None and comparison.funnel.adjusted else ".")
    )


def render_downloads(
    choices: Choices,
    months: list[str],
    flags: dict[str, str],
    comparison: compare.AreaComparison,
    has_demo: bool,
) -> None:
    """The filtered figures and the comparison, each as CSV and Excel that stand alone."""
    if not auth.allowed(access.Action.DOWNLOAD_DATA):
        return
    st.subheader("Download")
    chosen, start, end, types = list(choices.chosen), choices.start, choices.end, list(choices.types)
    only_chosen = False
    if chosen:
        scope = st.radio(
            f"{plan.partnership.area_plural.capitalize()} to download",
            ["chosen", "all"],
            format_func={
                "chosen": f"Only the chosen {plan.partnership.area_plural}",
                "all": "All, as in the table",
            }.get,
            horizontal=True,
            key="download_scope",
        )
        only_chosen = scope == "chosen"
    every_ward = reads.police_summary(start, end, (), tuple(types))
    rows = len(every_ward[every_ward["ward_code"].isin(chosen)]) if only_chosen else len(every_ward)

    def _export() -> area_export.AreaExport:
        """Built when the button is pressed, so its time of export is the click's."""
        return area_export.area_export(
            plan,
            every_ward,
            first=start,
            last=end,
            chosen=chosen,
            crime_types=types,
            only_chosen=only_chosen,
            held=(months[0], months[-1]),
            flagged=flags,
            is_demo=has_demo,
        )

    st.caption(
        "Counts with each area's population (and whether it is an estimate) and the rate per 1,000 residents, "
        "after a block saying what was exported: filter, source, data coverage, time of export"
        + (" and that these are demo figures." if has_demo else ".")
    )
    stem = f"ward-summary_{start}_{end}" + ("_DEMO" if has_demo else "")
    dl = st.columns(2)
    dl[0].download_button(
        f"Download CSV ({rows:,} rows)",
        lambda: _export().csv_bytes(),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
    )
    dl[1].download_button(
        "Download Excel",
        lambda: _export().xlsx_bytes(),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_xlsx",
        on_click="ignore",
    )
    if comparison.funnel is not None:
        render_comparison_downloads(choices, months, flags, comparison, has_demo)


def render_comparison_downloads(
    choices: Choices,
    months: list[str],
    flags: dict[str, str],
    comparison: compare.AreaComparison,
    has_demo: bool,
) -> None:
    scope = area_export.ExportScope(
        first=choices.start,
        last=choices.end,
        chosen=choices.chosen,
        crime_types=choices.types,
        held=(months[0], months[-1]),
        flagged=flags,
        is_demo=has_demo,
    )
    st.caption(
        f"The comparison of {words.many}: each {words.one}'s incidents, residents and rate per 1,000 over the "
        "whole period, with the 95% and 99.8% limits and the judgement, after a block saying how they were drawn."
    )
    compared_stem = f"{words.one.replace(' ', '-')}-comparison_{choices.start}_{choices.end}" + (
        "_DEMO" if has_demo else ""
    )
    compared = st.columns(2)
    compared[0].download_button(
        "Download the comparison (CSV)",
        lambda: area_export.comparison_export(plan, comparison, scope).csv_bytes(),
        file_name=f"{compared_stem}.csv",
        mime="text/csv",
        key="download_compare_csv",
        on_click="ignore",
    )
    compared[1].download_button(
        "Download the comparison (Excel)",
        lambda: area_export.comparison_export(plan, comparison, scope).xlsx_bytes(),
        file_name=f"{compared_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_compare_xlsx",
        on_click="ignore",
    )


def render_coverage() -> None:
    st.subheader("Coverage of the stored months")
    coverage = reads.police_coverage()
    st.caption(
        f"Rows read from each force's files, how many were placed in the partnership's {words.many}, and how many "
        "had no location or fell outside the area. Missing or thin months are flagged."
    )
    # Force names and file names come from the files imported: neutralised for the table's own CSV download.
    st.dataframe(spreadsheet.safe_frame(coverage), hide_index=True, width="stretch")


def render_import() -> None:
    """Importing police.uk files, for those allowed to."""
    user = auth.current_user()
    if not access.can(user, access.Action.IMPORT_POLICE):
        return
    st.subheader("Import police.uk street-level files")
    st.caption(
        "Monthly files named <yyyy-mm>-<force>-street.csv from data.police.uk (several at once). "
        "Re-importing a month replaces it, so a republished month is never doubled. Give the "
        f"LSOA to {words.one} lookup CSV the first time (ONS layout, such as LSOA21CD and WD24CD columns; "
        "it is kept for later imports)."
    )
    files = st.file_uploader(
        "Street-level CSV files",
        type=["csv"],
        accept_multiple_files=True,
        key="police_files",
        max_upload_size=POLICE_UPLOAD_MB,
    )
    lookup = st.file_uploader(
        f"LSOA to {words.one} lookup CSV (optional once stored)",
        type=["csv"],
        key="police_lookup",
        max_upload_size=POLICE_UPLOAD_MB,
    )
    skip_bad = st.checkbox("If some files are bad, import the good ones (otherwise import none)", key="police_skip")
    if st.button("Import", type="primary", disabled=not files, key="police_import"):
        bar = st.progress(0.0, text="Starting")
        with tempfile.TemporaryDirectory(prefix="csp-police-") as tmp:
            paths = []
            for i, f in enumerate(files):
                # Each upload in its own folder: two files of one name (the same month from two
                # folders of the archive) must both reach the import's duplicate checks, not
                # overwrite each other here.
                path = Path(tmp) / f"{i:03d}" / Path(f.name).name
                path.parent.mkdir()
                path.write_bytes(f.getvalue())
                paths.append(path)
            lookup_path = None
            if lookup is not None:
                lookup_path = Path(tmp) / "lookup" / Path(lookup.name).name
                lookup_path.parent.mkdir()
                lookup_path.write_bytes(lookup.getvalue())
            try:
                report = police_uk.import_street_files(
                    reads.store(),
                    plan,
                    paths,
                    lookup_path=lookup_path,
                    skip_bad=skip_bad,
                    progress=lambda f, m: bar.progress(f, text=m),
                    by=user,
                )
            except (police_uk.PoliceDataError, access.AccessDenied) as exc:
                bar.empty()
                st.error(_without_folder(str(exc), tmp), icon=":material/block:")
                return
            except Exception as exc:  # noqa: BLE001 - the page's boundary: a message here, the traceback in the log
                bar.empty()
                logging.getLogger(__name__).exception("police.uk import failed")
                st.error(
                    f"The import stopped at an unexpected fault ({type(exc).__name__}); nothing was stored. "
                    "The details are in the server's log for the operator.",
                    icon=":material/block:",
                )
                return
        st.cache_data.clear()
        st.success("Imported. " + " ".join(_without_folder(line, tmp) for line in report.lines()[:6]))
        with st.container(border=True):
            st.markdown("**Coverage report**")
            st.text("\n".join(_without_folder(line, tmp) for line in report.lines()))


def _without_folder(text: str, tmp: str) -> str:
    """A message with the server's temporary folder left out; each upload's own subfolder
    becomes its place in the list, so two uploads of one name can be told apart."""
    text = re.sub(re.escape(tmp) + r"/(\d{3})/", lambda m: f"[upload {int(m.group(1)) + 1}] ", text)
    return text.replace(tmp + "/", "")


def _limits_text(row: object) -> str:
    """A row's 99.8% limits as 'low to high' (a dash for an area not compared)."""
    if row is None:
        return "–"
    return f"{ward_view.format_rate(row.lower_99_8)} to {ward_view.format_rate(row.upper_99_8)}"


def render_comparison(view: ward_view.WardView, chosen: list[str], has_demo: bool) -> compare.AreaComparison:
    """How the areas compare: by default a funnel plot (rates against residents, the whole area's
    rate as the centre, 95% and 99.8% limits, each area's judgement in words); on request the
    ranking, with a note on reading it."""
    st.subheader(f"How the {words.many} compare")
    how = st.radio(
        "Show",
        ["funnel", "ranking"],
        format_func={
            "funnel": "Funnel plot: which differences are more than chance",
            "ranking": "Ranking (league table)",
        }.get,
        horizontal=True,
        key=COMPARE_KEY,
    )
    widen = st.checkbox(
        f"Allow for {words.many} differing more than chance alone (overdispersion)",
        key=WIDEN_KEY,
        help=f"Widens the limits by the spread between {words.many} (Spiegelhalter 2005), so that only "
        f"{words.many} unusual even among {words.many} that differ are flagged. Off: exact Poisson limits, "
        "as OHID Fingertips draws them.",
    )
    comparison = compare.area_comparison(view.wards, overdispersion=widen)
    if how == "ranking":
        st.caption(compare.RANKING_NOTE.format(one=words.one, many=words.many, kind=words.kind))
        st.plotly_chart(ward_view.ranking_figure(view, words.Kind), key="ranking", config={"displayModeBar": False})
    elif comparison.funnel is None:
        st.info(f"No funnel plot: {comparison.reason}.", icon=":material/info:")
    else:
        highlight = [names[c] for c in chosen]
        figure = compare_figure.rate_funnel_figure(
            comparison.funnel, one=words.one, centre_name=words.Whole, highlight=highlight, is_demo=has_demo
        )
        st.plotly_chart(figure, key="funnel", config={"displayModeBar": False})
        st.caption(compare_figure.describe(comparison.funnel, many=words.many, centre_name=words.whole))
        st.caption(compare.method_note(comparison, one=words.one, many=words.many, whole=words.whole))
    if comparison.left_out:
        st.caption(f"Not compared (no population in {words.plan_file}, so no rate): {', '.join(comparison.left_out)}.")
    return comparison


# --- the page ---------------------------------------------------------------------------------
render_header()
bounds = reads.police_bounds()
if bounds.first is None:
    render_empty()
    st.stop()
months = [
    p.strftime("%Y-%m") for p in pd.period_range(pd.Period(bounds.first, "M"), pd.Period(bounds.last, "M"), freq="M")
]
choices = read_choices(months, bounds.crime_types)
view = reads.ward_explorer(choices.chosen, choices.start, choices.end, choices.types)
figures = widgets.ward_figures(view, choices.label)
render_demo_note(bounds.is_demo)
flags = reads.police_flags()
render_flags(flags, choices)
render_figures(view, choices)
st.subheader(f"Monthly trend: {choices.label}")
st.plotly_chart(figures["trend"], key="trend", config={"displayModeBar": False})
comparison = render_comparison(view, list(choices.chosen), bounds.is_demo)
st.subheader("Crime-type mix")
st.plotly_chart(figures["mix"], key="mix", config={"displayModeBar": False})
render_map(figures)
render_area_table(view, comparison)
render_downloads(choices, months, flags, comparison, bounds.is_demo)
st.divider()
render_coverage()
st.divider()
render_import()
