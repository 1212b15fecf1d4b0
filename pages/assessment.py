"""Strategic Assessment: the latest assessment's key findings, with the change on the
previous year, crime volumes by local area (the plan's word for them), and how the partnership
compares with the other partnerships of its force (police.uk). Registered only when the plan
names an assessment file."""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from metrics import access, compare, compare_figure, share_mismatches, ward_volume_figure
from pages import auth, markup, reads, widgets

auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
plan = reads.plan()
widgets.selected_quarter()  # keeps the sidebar and the quarter choice the same on every page
words = reads.words()
ward = widgets.selected_ward(f"Highlights the {words.one} in the volumes by {words.one}.")
figures = reads.sa_figures()
PEERS_WIDEN_KEY = "peers_overdispersion"


def render_how_we_compare() -> None:
    """The partnership beside the force's other partnerships over the latest year held: the
    funnel of partnerships, the monthly trend against their mean and spread, and the table."""
    st.divider()
    st.header("How we compare")
    view = reads.peers(bool(st.session_state.get(PEERS_WIDEN_KEY, False)))
    comparison = view.comparison
    if comparison.funnel is None:
        st.info(f"No comparison with other partnerships: {comparison.reason}.", icon=":material/info:")
        return
    widgets.demo_banner(view.inputs.is_demo)
    st.checkbox(
        "Allow for partnerships differing more than chance alone (overdispersion)",
        key=PEERS_WIDEN_KEY,
        help="Widens the limits by the spread between partnerships (Spiegelhalter 2005), so that only a "
        "partnership unusual even among partnerships that differ is flagged. Off: exact Poisson limits, as OHID "
        "Fingertips draws them.",
    )
    st.markdown(compare.peer_sentence(comparison))
    st.caption(
        f"Compared with {view.inputs.group}: all crime types, the latest {len(comparison.months)} months held for "
        f"every one of them alike; residents: {view.inputs.population_source}."
    )
    if view.inputs.missing:
        st.caption(f"Not held, so not compared (import their forces' files): {', '.join(view.inputs.missing)}.")
    funnel = compare_figure.rate_funnel_figure(
        comparison.funnel,
        one="partnership",
        centre_name="All partnerships compared",
        highlight=[comparison.own],
        is_demo=view.inputs.is_demo,
    )
    st.plotly_chart(funnel, key="peer_funnel", config={"displayModeBar": False})
    st.caption(
        compare_figure.describe(comparison.funnel, many="partnerships", centre_name="all the partnerships together")
    )
    st.subheader("Month by month", anchor=False)
    trend = compare_figure.peer_trend_figure(comparison, is_demo=view.inputs.is_demo)
    st.plotly_chart(trend, key="peer_trend", config={"displayModeBar": False})
    st.caption(compare_figure.describe_trend(comparison))
    st.dataframe(view.export.frame, hide_index=True, key="peer_table")
    st.caption(compare.method_note(comparison, one="partnership", many="partnerships", whole="all of them together"))
    st.download_button(
        "Download the comparison (CSV)",
        view.export.csv_bytes(),
        file_name="partnership-comparison" + ("_DEMO" if view.inputs.is_demo else "") + ".csv",
        mime="text/csv",
        key="download_peers_csv",
        on_click="ignore",
    )


st.title("Strategic Assessment")
if figures.empty:
    # Only reached when the plan names an assessment file (the page is left out otherwise) but
    # none is loaded: say what to add and the step that loads it.
    st.info(
        f"No Strategic Assessment figures are stored. Check that the file named in "
        f"settings.strategic_assessment_file of {words.plan_file} exists, then run `python -m metrics init` "
        "(it loads the file and leaves everything else as it is).",
        icon=":material/info:",
    )
    render_how_we_compare()
    st.stop()

latest = figures["assessment"].max()
current = figures[figures["assessment"] == latest]
start, end = pd.Timestamp(current["period_start"].min()), pd.Timestamp(current["period_end"].max())
st.header(f"{latest}: {start:%B %Y} - {end:%B %Y}", anchor=False)
st.caption(f"Source: {current['source'][~current['is_demo']].iloc[0]}")
widgets.demo_banner(bool(current["is_demo"].any()))


def change_text(pct: float) -> str:
    if pd.isna(pct):
        return '<span class="csp-muted">not quoted</span>'
    arrow = "▲ up" if pct > 0 else "▼ down"
    return f"{arrow} {abs(pct):.1f}%"


def value_text(row: pd.Series) -> str:
    if pd.isna(row["value"]):
        return '<span class="csp-muted">not quoted</span>'
    unit = f" {escape(row['unit'])}" if isinstance(row["unit"], str) else ""
    return f"{row['value']:,.0f}{unit}"


whole_area = current[current["ward_code"].isna()]
st.header("Key findings")
st.caption("Change is on the previous year, as quoted in the assessment; 'not quoted' where it gives none.")
rows = []
previous_category = None
for _, r in whole_area.iterrows():
    rows.append(
        {
            "category": f"<strong>{escape(r['category'])}</strong>" if r["category"] != previous_category else "",
            "measure": escape(r["measure"]),
            "value": value_text(r),
            "change": change_text(r["change_pct"]),
            "share": "" if pd.isna(r["share_pct"]) else f"{r['share_pct']:.1f}%",
            "note": escape(r["note"]) if isinstance(r["note"], str) else "",
        }
    )
    previous_category = r["category"]
st.html(
    markup.html_table(
        [
            ("category", "Area"),
            ("measure", "Measure"),
            ("value", "Figure#"),
            ("change", "Change on previous year#"),
            ("share", "Share of total#"),
            ("note", "Note"),
        ],
        rows,
    )
)

wards = current[current["ward_code"].notna()].copy()
if not wards.empty:
    st.divider()
    measure = wards["measure"].iloc[0]
    st.header(f"{measure} by {words.one}")
    total = whole_area.loc[whole_area["measure"] == measure, "value"].dropna()
    real = wards[~wards["is_demo"]]
    if wards["is_demo"].any():
        st.caption(
            f"The plan quotes volumes for {len(real)} of {len(wards)} {words.many}; bars marked *(demo)* "
            f"are demo data that fill in the other {words.many} so the picture is complete."
        )
    unit = wards["unit"].dropna().iloc[0] if wards["unit"].notna().any() else ""
    if ward is not None:  # the ward chosen in the sidebar: marked in the chart and the table
        wards["ward_name"] = wards["ward_name"].mask(wards["ward_code"] == ward, "▶ " + wards["ward_name"])
        ranked = wards.sort_values("value", ascending=False).reset_index(drop=True)
        hit = ranked[ranked["ward_code"] == ward]
        if not hit.empty:
            r = hit.iloc[0]
            st.info(
                f"Selected {words.one} **{r['ward_name'][2:]}**: {r['value']:,.0f} {unit}, {hit.index[0] + 1} of "
                f"{len(ranked)} {words.many}" + (" (demo figure)" if r["is_demo"] else "") + ".",
                icon=":material/location_on:",
            )
    st.plotly_chart(ward_volume_figure(wards, unit), key="ward_volumes", config={"displayModeBar": False})
    for found in share_mismatches(real, total.iloc[0] if not total.empty else None):
        st.info(found.sentence, icon=":material/rule:")
    table = wards.sort_values("value", ascending=False)
    st.html(
        markup.html_table(
            [("ward", words.One), ("code", "Code"), ("value", f"{measure}#"), ("note", "Note")],
            [
                {
                    "ward": escape(r["ward_name"]) + markup.demo_tag(bool(r["is_demo"])),
                    "code": escape(r["ward_code"]),
                    "value": f"{r['value']:,.0f}",
                    "note": escape(r["note"]) if isinstance(r["note"], str) else "",
                }
                for _, r in table.iterrows()
            ],
        )
    )

render_how_we_compare()
