"""Area explorer: police.uk street-level crime by the plan's local areas (its wards, districts
...; titled with the plan's words). Choose areas, months and crime types; see counts and rates
per 1,000 residents, the monthly trend, the crime-type mix, the ranking of areas against the
whole area's average, and a map; download the filtered figures; import new months. With no
police data yet, the page says how to import it.

Every figure comes from the monthly ward x crime-type summary (metrics/police/uk.py), so a
rerun costs the same whatever the number of incidents stored."""

from __future__ import annotations

import logging
import re
import tempfile
from html import escape
from pathlib import Path

import pandas as pd
import streamlit as st

from metrics import access, area_export, police_uk, spreadsheet, ward_view
from pages import auth, markup, reads, widgets
from pages.safe_text import plain

WARDS_KEY = "explorer_wards"
MONTHS_KEY = "explorer_months"
TYPES_KEY = "explorer_types"
# A force's monthly street file is a few MB; the app-wide upload limit is the returns' (5 MB).
POLICE_UPLOAD_MB = 100
SAVED_KEY = "_explorer_saved"  # the last choices, kept when the widgets are not on screen

auth.require_page(access.Action.VIEW_ANALYSIS)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
words = reads.words()
names = plan.ward_names()
widgets.selected_quarter()  # keeps the sidebar and the quarter choice the same on every page
st.title(f"{words.One} explorer")
st.caption(
    f"Street-level crime and anti-social behaviour published at data.police.uk, placed in {words.many} by "
    f"the LSOA to {words.one} lookup when imported."
)

first, last, all_types, has_demo = reads.police_bounds()


def _import_section() -> None:
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


if first is None:
    st.info(
        "No police.uk street-level data is stored yet. To add it: download your force's monthly "
        "street-level files from https://data.police.uk/data/ (tick *Include crime data*), and the ONS "
        f"LSOA to {words.one} lookup for {words.area_name}; then import them below, or run "
        "`python -m metrics import-police FOLDER --lookup LOOKUP.csv`.",
        icon=":material/info:",
    )
    _import_section()
    st.stop()

months = [p.strftime("%Y-%m") for p in pd.period_range(pd.Period(first, "M"), pd.Period(last, "M"), freq="M")]

# --- choices: from the link on a session's first visit, then kept in session state ----------
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
types = cols[2].multiselect("Crime types", all_types, key=TYPES_KEY, placeholder="All crime types")
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

view = reads.ward_explorer(tuple(chosen), start, end, tuple(types))
label = ", ".join(names[c] for c in chosen) if chosen else f"All {words.many}"
figures = widgets.ward_figures(view, label)
widgets.demo_banner(has_demo)
if has_demo:
    linked = ", ".join(i.name for i in plan.police_indicators)
    st.caption(
        f"The demo police.uk data is generated from the demo series of the indicators the plan links to "
        f"police.uk data ({linked}), so the explorer and the theme pages agree; LSOAs named DEMO are made up."
    )

flags = reads.police_flags()
in_range = {m: why for m, why in flags.items() if start <= m <= end}
for m, why in sorted(in_range.items()):
    st.warning(f"**{m}**: {plain(why)}.", icon=":material/report:")  # names a force from a file

# Labels short enough for a quarter of a laptop's width: a metric's label is cut at one line,
# and "(estimated populations)" was cut to "(estimat…", losing the very word that matters.
estimated = view.populations_estimated
stats = st.columns(4)
stats[0].metric(f"Incidents ({start} to {end})", f"{view.selected_count:,}")
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

st.subheader(f"Monthly trend: {label}")
st.plotly_chart(figures["trend"], key="trend", config={"displayModeBar": False})
left, right = st.columns(2)
with left:
    st.subheader("Crime-type mix")
    st.plotly_chart(figures["mix"], key="mix", config={"displayModeBar": False})
with right:
    st.subheader(f"{words.Many} ranked")
    st.plotly_chart(figures["ranking"], key="ranking", config={"displayModeBar": False})
st.subheader("Map")
if plan.settings.ward_boundaries is None:
    st.caption(
        f"A tile per {words.one} (no boundary file is configured: set settings.ward_boundaries in {words.plan_file})."
    )
st.plotly_chart(figures["map"], key="map", config={"displayModeBar": False})

st.subheader(words.Many)
table = view.wards.sort_values("count", ascending=False)
st.html(
    markup.html_table(
        [("ward", words.One), ("count", "Incidents#"), ("population", "Residents#"), ("rate", "Per 1,000#")],
        [
            {
                "ward": ("▶ " if r.highlight else "") + escape(r.ward_name),
                "count": f"{r.count:,}",
                "population": "not known"
                if pd.isna(r.population)
                else f"{int(r.population):,}" + (" (est.)" if r.estimated else ""),
                "rate": ward_view.format_rate(r.rate),
            }
            for r in table.itertuples()
        ],
    )
)

if auth.allowed(access.Action.DOWNLOAD_DATA):
    st.subheader("Download")
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

st.divider()
st.subheader("Coverage of the stored months")
coverage = reads.police_coverage()
st.caption(
    f"Rows read from each force's files, how many were placed in the partnership's {words.many}, and how many "
    "had no location or fell outside the area. Missing or thin months are flagged."
)
# Force names and file names come from the files imported: neutralised for the table's own CSV download.
st.dataframe(spreadsheet.safe_frame(coverage), hide_index=True, width="stretch")
st.divider()
_import_section()
