"""The ward explorer and the one ward filter in the real Streamlit runtime (AppTest): filters
change the figures to hand-computed values, the ward choice is shared by every page and kept
in the address, and a shared link reproduces the view."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.bootstrap import initialise
from metrics.police import uk as police_uk
from metrics.police.explorer import format_rate
from metrics.store import Store, schema
from metrics.store import indicators as indicator_store
from tests.test_app import APP, TIMEOUT, _goto, _no_errors, _text
from tests.test_police_uk import B1, BABLAKE, F1, F2, FOLESHILL, LOOKUP21, OUTSIDE, street_row, write_street

OPERATOR = access.operator("Test operator")  # the command line's administrator

# config.yaml: Census 2021 usual residents (TS038) by ward, official counts, not estimates
FOLESHILL_PEOPLE, BABLAKE_PEOPLE, CITY_PEOPLE = 22_486, 17_993, 345_326


@pytest.fixture
def hand_store(plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store holding a few hand-written records: Foleshill 3 in January (2 burglaries, 1
    shoplifting) and 2 in February (burglary, ASB); Bablake 1 robbery in February; one record
    with no location and one outside the area."""
    store = Store(tmp_path / "hand.duckdb")
    initialise(plan, store)
    files = [
        write_street(
            tmp_path / "2024-01-wm-street.csv",
            [
                street_row("2024-01", F1, "Burglary", "a"),
                street_row("2024-01", F2, "Burglary", "b"),
                street_row("2024-01", F1, "Shoplifting", "c"),
                street_row("2024-01", None, "Burglary", "d"),
            ],
        ),
        write_street(
            tmp_path / "2024-02-wm-street.csv",
            [
                street_row("2024-02", F1, "Burglary", "e"),
                street_row("2024-02", F2, "Anti-social behaviour", ""),
                street_row("2024-02", B1, "Robbery", "f"),
                street_row("2024-02", OUTSIDE, "Robbery", "g"),
            ],
        ),
    ]
    police_uk.import_street_files(store, plan, files, lookup_path=LOOKUP21, by=OPERATOR)
    monkeypatch.setenv("CSP_DB", str(store.path))
    st.cache_data.clear()
    return store


@pytest.fixture
def demo_copy(app_store: Store) -> Path:
    return app_store.path


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label.split(" (20")[0]: m.value for m in at.metric}  # "Incidents (2024-01 to 2024-02)"


def _explorer(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    at.run()
    return _goto(at, "wards")


def test_explorer_filters_change_the_figures_to_hand_computed_values(hand_store: Store) -> None:
    at = _explorer()
    _no_errors(at, "ward explorer")
    assert at.select_slider(key="explorer_months").value == ("2024-01", "2024-02")
    got = _metrics(at)
    assert got["Incidents"] == "6"  # every ward, both months: the no-location and outside rows are not in wards
    assert got["City per 1,000 residents"] == format_rate(6 / CITY_PEOPLE * 1000)

    at.multiselect(key="explorer_wards").set_value([FOLESHILL]).run()
    got = _metrics(at)
    assert got["Incidents"] == "5"
    assert got["Per 1,000 residents"] == format_rate(5 / FOLESHILL_PEOPLE * 1000) == "0.22"
    ratio = (5 / FOLESHILL_PEOPLE) / (6 / CITY_PEOPLE)
    assert got["Against the city rate"] == f"{ratio:.2f} ×"

    at.select_slider(key="explorer_months").set_value(("2024-02", "2024-02")).run()
    assert _metrics(at)["Incidents"] == "2"
    at.multiselect(key="explorer_types").set_value(["Burglary"]).run()
    assert _metrics(at)["Incidents"] == "1"
    at.multiselect(key="explorer_wards").set_value([FOLESHILL, BABLAKE]).run()
    at.multiselect(key="explorer_types").set_value(["Burglary", "Robbery"]).run()
    got = _metrics(at)
    assert got["Incidents"] == "2"
    assert got["Per 1,000 residents"] == format_rate(2 / (FOLESHILL_PEOPLE + BABLAKE_PEOPLE) * 1000)
    assert dict(at.query_params) == {
        "wards": f"{FOLESHILL},{BABLAKE}",
        "from": "2024-02",
        "to": "2024-02",
        "types": "Burglary,Robbery",
    }
    _no_errors(at, "ward explorer after filtering")
    text = _text(at)
    assert "estimates, not official figures" not in text  # Census 2021 counts since issue 19
    assert "Demo data." not in text  # nothing here is demo


def test_the_download_is_the_filtered_summary(hand_store: Store) -> None:
    at = _explorer({"ward": FOLESHILL, "from": "2024-01", "to": "2024-01"})
    expected = police_uk.ward_summary(hand_store, "2024-01", "2024-01", [FOLESHILL])
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"Download CSV ({len(expected)} rows)" in labels and "Download Excel" in labels
    assert [(r.crime_type, r.count) for r in expected.itertuples()] == [("Burglary", 2), ("Shoplifting", 1)]
    # the choice of every area, as the page's table lists them, or only the chosen ones
    at.select_slider(key="explorer_months").set_value(("2024-01", "2024-02")).run()
    chosen = police_uk.ward_summary(hand_store, "2024-01", "2024-02", [FOLESHILL])
    assert f"Download CSV ({len(chosen)} rows)" in [b.proto.label for b in at.get("download_button")]
    at.radio(key="download_scope").set_value("all").run()
    every = police_uk.ward_summary(hand_store, "2024-01", "2024-02")
    assert f"Download CSV ({len(every)} rows)" in [b.proto.label for b in at.get("download_button")]
    assert len(every) > len(chosen)
    _no_errors(at, "download scope")


def test_a_shared_link_reproduces_the_explorer_view(hand_store: Store) -> None:
    at = _explorer({"wards": f"{FOLESHILL},{BABLAKE}", "from": "2024-02", "to": "2024-02", "types": "Robbery"})
    _no_errors(at, "explorer from a link")
    assert at.multiselect(key="explorer_wards").value == [FOLESHILL, BABLAKE]
    assert at.select_slider(key="explorer_months").value == ("2024-02", "2024-02")
    assert at.multiselect(key="explorer_types").value == ["Robbery"]
    assert _metrics(at)["Incidents"] == "1"


def test_one_ward_choice_is_kept_across_pages_and_in_the_link(demo_copy: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["ward"] = "E05001222"  # a shared link to Foleshill
    at.run()
    at = _goto(at, "public-places")
    assert at.selectbox(key="ward_picker").value == "E05001222"
    assert "ASB incidents in Foleshill" in _text(at)
    at = _goto(at, "assessment")
    _no_errors(at, "assessment with a ward")
    assert "Selected ward **Foleshill**" in _text(at)
    at = _goto(at, "wards")
    _no_errors(at, "explorer with a ward")
    assert at.multiselect(key="explorer_wards").value == ["E05001222"]
    # Choosing another ward in the explorer carries to the theme page and the address.
    at.multiselect(key="explorer_wards").set_value(["E05001228"]).run()
    assert at.query_params["ward"] == "E05001228"
    # (AppTest quirk: a page whose URL path equals its file name in pages/ leaves AppTest with the
    # folder's pages registered; passing through the default page registers st.navigation's again.)
    at = _goto(_goto(at, ""), "public-places")
    assert at.selectbox(key="ward_picker").value == "E05001228"
    assert "ASB incidents in St Michael's" in _text(at)


def test_demo_explorer_agrees_with_the_theme_page_and_says_demo(demo_copy: Path) -> None:
    at = _explorer({"ward": "E05001228", "from": "2025-07", "to": "2025-09", "types": "Anti-social behaviour"})
    _no_errors(at, "demo explorer")
    text = _text(at)
    assert "Demo data." in text and "LSOAs named DEMO are made up" in text
    values = indicator_store.values(Store(demo_copy))
    asb = values[
        (values["indicator_id"] == "asb_incidents")
        & (values["ward_code"] == "E05001228")
        & (values["period_start"] >= "2025-07-01")
    ]
    assert _metrics(at)["Incidents"] == f"{int(asb['value'].sum()):,}"
    assert len(at.get("plotly_chart")) == 4


def test_the_map_draws_ward_boundaries_when_configured(
    hand_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT, SHARED

    boundaries = SHARED / "data" / "boundaries" / "coventry_wards_dec2022_bsc.geojson"
    config = tmp_path / "plan.yaml"
    config.write_text(
        (ROOT / "config.yaml")
        .read_text(encoding="utf-8")
        .replace("ward_boundaries: null", f"ward_boundaries: {boundaries}")
        .replace("strategic_assessment_file: data/", f"strategic_assessment_file: {ROOT}/data/"),
        encoding="utf-8",
    )
    monkeypatch.setenv("CSP_CONFIG", str(config))
    at = _explorer()
    _no_errors(at, "explorer with boundaries")
    map_spec = at.get("plotly_chart")[3].proto.spec
    assert map_spec.count('"fill":"toself"') == 18  # every ward's boundary, filled
    assert "Foleshill: 0.22" in map_spec and "St Michael's: 0.00" in map_spec


def test_a_broken_boundary_file_is_explained_and_tiles_shown(
    hand_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT

    broken = tmp_path / "wards.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"properties": {"name": "x"}}]}')
    config = tmp_path / "plan.yaml"
    config.write_text(
        (ROOT / "config.yaml")
        .read_text(encoding="utf-8")
        .replace("ward_boundaries: null", f"ward_boundaries: {broken}")
        .replace("strategic_assessment_file: data/", f"strategic_assessment_file: {ROOT}/data/"),
        encoding="utf-8",
    )
    monkeypatch.setenv("CSP_CONFIG", str(config))
    at = _explorer()
    assert not at.exception
    assert any("no ward code property (like WD22CD)" in w.value for w in at.warning)
    assert '"symbol":"square"' in at.get("plotly_chart")[3].proto.spec


def test_explorer_without_police_data_offers_the_import(plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "empty.duckdb")
    initialise(plan, store)
    monkeypatch.setenv("CSP_DB", str(store.path))
    st.cache_data.clear()
    at = _explorer()
    _no_errors(at, "empty explorer")
    assert "No police.uk street-level data is stored yet" in _text(at)
    assert at.button(key="police_import").disabled


def test_importing_on_the_page_reports_bad_files_and_stores_good_ones(
    plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "upload.duckdb")
    initialise(plan, store)
    monkeypatch.setenv("CSP_DB", str(store.path))
    st.cache_data.clear()
    before = schema.checksums(store)
    good = write_street(tmp_path / "2024-03-wm-street.csv", [street_row("2024-03", F1), street_row("2024-03", B1)])
    csv_type = "text/csv"
    at = _explorer()
    at.file_uploader(key="police_files").set_value(
        [("2024-03-wm-street.csv", good.read_bytes(), csv_type), ("2024-04-wm-street.csv", b"", csv_type)]
    )
    at.file_uploader(key="police_lookup").set_value(("lookup.csv", LOOKUP21.read_bytes(), csv_type))
    at.run()
    at.button(key="police_import").click().run()
    errors = [e.value for e in at.error]
    assert any("2024-04-wm-street.csv: the file is empty" in e and "nothing was stored" in e for e in errors), errors
    assert schema.checksums(store) == before
    at.checkbox(key="police_skip").check().run()
    at.button(key="police_import").click().run()
    _no_errors(at, "import with --skip-bad on the page")
    text = "\n".join(s.value for s in at.success) + "\n".join(t.value for t in at.text)
    assert "Stored (in the partnership's wards): 2." in text and "Skipped (bad file)" in text
    at.run()
    assert _metrics(at)["Incidents"] == "2"


def test_the_data_police_uk_zip_imports_on_the_page_without_a_lookup(
    plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The .zip a person downloads goes straight into the page's uploader: only the plan's
    force's street files are read, placed by the reference lookup shipped with the product."""
    from tests.test_police_zip import archive_members, make_zip

    store = Store(tmp_path / "zip-upload.duckdb")
    initialise(plan, store)
    monkeypatch.setenv("CSP_DB", str(store.path))
    st.cache_data.clear()
    path = make_zip(tmp_path / "police.zip", archive_members(tmp_path))
    at = _explorer()
    at.file_uploader(key="police_files").set_value([("police.zip", path.read_bytes(), "application/zip")])
    at.run()
    at.button(key="police_import").click().run()
    _no_errors(at, "importing the .zip on the page")
    text = "\n".join(s.value for s in at.success) + "\n".join(t.value for t in at.text)
    assert "Stored (in the partnership's wards): 8." in text and "the ONS reference lookup" in text
    assert schema.table_counts(store)["police_incidents"] == 8


@pytest.mark.parametrize(("estimated", "ranking", "colour_bar"), [
    (False, "per 1,000 residents", "per 1,000 residents"),
    (True, "per 1,000 residents (estimated populations)", "per 1,000 residents (est.)"),
])  # fmt: skip
def test_rates_say_estimated_populations_only_when_they_are(estimated: bool, ranking: str, colour_bar: str) -> None:
    """The ranking's axis and the map's colour bar call the populations estimates only when the
    plan marks them so (Census 2021 populations are counts, not estimates)."""
    import pandas as pd

    from metrics.police.explorer import WardView, map_figure, ranking_figure

    wards = pd.DataFrame(
        {
            "ward_code": ["A1", "B2"],
            "ward_name": ["Alpha", "Beta"],
            "count": [30, 10],
            "population": [10_000, 5_000],
            "estimated": [estimated, estimated],
            "rate": [3.0, 2.0],
            "selected": [True, True],
            "highlight": [False, False],
        }
    )
    view = WardView(wards, pd.DataFrame(), pd.DataFrame(), 40, 15_000, 40, 15_000, estimated)
    assert ranking_figure(view).layout.xaxis.title.text == ranking
    assert map_figure(view, None).data[0].marker.colorbar.title.text == colour_bar
