"""The partnership beside its peers: the funnel of partnerships and the trend against values
worked by hand, the import keeping the force's other partnerships' counts (the real City of
London files; a West Midlands file written from real LSOA codes; the same as a .zip), the
command line's table, and the Strategic Assessment page's "How we compare"."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.areas import load_reference
from metrics.bootstrap import initialise
from metrics.compare import Judgement, PeerUnit, peer_comparison
from metrics.compare.peers import COLUMNS as PEER_COLUMNS
from metrics.compare.peers import peer_trend
from metrics.plan.model import DEFAULT_CONFIG as CONFIG
from metrics.plan.model import Plan, PlanError, build_plan
from metrics.police import peers
from metrics.police import uk as police_uk
from metrics.police.uk import STREET_COLUMNS
from metrics.store import Store
from metrics.store import police as police_store
from tests.conftest import SHARED
from tests.test_app import APP, TIMEOUT, _goto, _no_errors, _text
from tests.test_cli import _demo_env, _rows, _run

OPERATOR = access.operator("Test operator")
DATA = SHARED / "data"
LOOKUP21 = DATA / "lookups" / "coventry_lsoa21_to_ward24.csv"
CITY_OF_LONDON = sorted((DATA / "police_uk").glob("*-city-of-london-street.csv"))
WMP = "West Midlands Police"
MONTHS = ("2024-01", "2024-02")
COVENTRY_PER_MONTH = 160  # Coventry's incidents a month: well above the peers' rate (about 0.3 per 1,000)
PEER_RATE = 0.3  # the other partnerships' incidents a month per 1,000 residents


# --- the statistics, by hand ---------------------------------------------------------------------


def test_the_funnel_of_partnerships_matches_values_worked_by_hand() -> None:
    # Three partnerships of 10,000 residents with 30, 10 and 20 incidents: together 60 in 30,000,
    # a centre of 2.0 per 1,000; each expects 20. Exact Poisson limits at E = 20 (chi-square
    # tables): lower 99.8% = chi2(0.001; 40) / 2 = 17.916 / 2 = 8.958 incidents, 0.8958 per 1,000;
    # upper 95% = chi2(0.975; 42) / 2 = 61.777 / 2 = 30.889 incidents, 3.0889 per 1,000.
    own = PeerUnit("E1", "Ours", 10_000, (10, 20))
    others = [PeerUnit("E2", "Low", 10_000, (5, 5)), PeerUnit("E3", "Middle", 10_000, (10, 10))]
    result = peer_comparison(own, others, ("2024-01", "2024-02"))
    assert result.funnel.centre == pytest.approx(2.0)
    row = result.table.set_index("partnership_name").loc["Ours"]
    assert row["this_partnership"] == "yes" and row["count"] == 30 and row["population"] == 10_000
    assert row["rate_per_1000_residents"] == pytest.approx(3.0)
    assert row["expected_count"] == pytest.approx(20.0)
    assert row["lower_99_8"] == pytest.approx(0.8958, abs=5e-4)
    assert row["upper_95"] == pytest.approx(3.0889, abs=5e-4)
    # 30 lies above the 95% limit but inside 99.8%: within the expected range, and said so.
    assert row["judgement"] == str(Judgement.WITHIN) == str(result.judgement)
    assert list(result.table["partnership_name"]) == ["Ours", "Middle", "Low"]  # highest rate first


def test_a_partnership_far_above_its_peers_is_higher_than_expected() -> None:
    own = PeerUnit("E1", "Ours", 10_000, (60, 60))
    others = [PeerUnit(f"E{i}", f"P{i}", 10_000, (10, 10)) for i in range(2, 6)]
    assert peer_comparison(own, others, MONTHS).judgement == Judgement.HIGHER
    own = PeerUnit("E1", "Ours", 10_000, (0, 1))
    assert peer_comparison(own, others, MONTHS).judgement == Judgement.LOWER


def test_the_trend_against_the_peers_mean_and_interquartile_range() -> None:
    # Peers at 0.5, 1.0, 1.5 and 2.0 per 1,000: mean 1.25; quartiles (R type 7) 0.875 and 1.625.
    own = PeerUnit("E1", "Ours", 10_000, (10, 30))
    others = [PeerUnit(f"E{n}", f"P{n}", 10_000, (n, n)) for n in (5, 10, 15, 20)]
    trend = peer_trend(own, others, MONTHS)
    assert list(trend["rate"]) == [1.0, 3.0]
    assert list(trend["peers_mean"]) == [1.25, 1.25]
    assert list(trend["peers_lower_quartile"]) == [0.875, 0.875]
    assert list(trend["peers_upper_quartile"]) == [1.625, 1.625]
    assert peer_comparison(own, others, MONTHS).spread_shown


# --- the import ----------------------------------------------------------------------------------


@pytest.fixture
def store(plan, tmp_path: Path) -> Store:
    s = Store(tmp_path / "peers.duckdb")
    initialise(plan, s)
    return s


def test_real_city_of_london_files_keep_the_city_as_a_peer_of_its_own_force_only(plan, store: Store) -> None:
    report = police_uk.import_street_files(store, plan, CITY_OF_LONDON, lookup_path=LOOKUP21, by=OPERATOR)
    kept = police_store.peer_summary(store).groupby(["month", "partnership_name"])["count"].sum()
    # Counted from the files: rows whose LSOA name is "City of London ..." (623 and 736). The rows in
    # Tower Hamlets, Hackney, Camden ... are the Metropolitan Police's partnerships, not the City of
    # London Police's: a border file's few rows would make a false rate, so they are not kept.
    assert kept.to_dict() == {("2024-01", "City of London"): 623, ("2024-02", "City of London"): 736}
    assert report.peers == 623 + 736
    assert "counted for the force's other partnerships (to compare with): 1,359" in "\n".join(report.lines())
    # The City of London is not policed by Coventry's force, and no Coventry incident is held for
    # those months: nothing to compare, and the reason says what to import.
    view = peers.compare_peers(store, plan)
    assert view.comparison.funnel is None
    assert "import police.uk files that cover the force to compare" in view.comparison.reason


def _west_midlands_rows(month: str) -> list[list[str]]:
    """A month of West Midlands Police's street file: Coventry's incidents in its real LSOAs,
    the other six partnerships' at PEER_RATE per 1,000 in one real LSOA each, and one row in a
    City of London LSOA (another force's partnership: not kept)."""
    coventry = pd.read_csv(LOOKUP21)["lsoa21_code"].tolist()
    rows = [_row(month, coventry[i % len(coventry)], "Burglary" if i % 3 else "Shoplifting") for i in range(160)]
    table = load_reference().lsoa_partnerships()
    others = table[(table["force_name"] == WMP) & (table["partnership_name"] != "Coventry")]
    residents = load_reference().partnership_residents(list(others["partnership_code"].unique()))
    for code, group in others.groupby("partnership_code"):
        rows += [_row(month, group["lsoa_code"].iloc[0], "Burglary")] * round(residents[code] / 1000 * PEER_RATE)
    rows.append(_row(month, "E01000001", "Burglary"))
    return rows


def _row(month: str, lsoa: str, crime_type: str) -> list[str]:
    return ["", month, WMP, WMP, "-1.5", "52.4", "On or near Test Road", lsoa, "", crime_type, "", ""]


def _write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STREET_COLUMNS)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def west_midlands(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("wmp")
    return [_write(folder / f"{m}-west-midlands-street.csv", _west_midlands_rows(m)) for m in MONTHS]


def _expected_peer_counts() -> dict[str, int]:
    table = load_reference().lsoa_partnerships()
    others = table[(table["force_name"] == WMP) & (table["partnership_name"] != "Coventry")]
    residents = load_reference().partnership_residents(list(others["partnership_code"].unique()))
    names = others.drop_duplicates("partnership_code").set_index("partnership_code")["partnership_name"]
    return {names[c]: 2 * round(n / 1000 * PEER_RATE) for c, n in residents.items()}


def test_the_force_file_keeps_every_other_partnership_and_the_zip_keeps_the_same(
    plan, store: Store, west_midlands: list[Path], tmp_path: Path
) -> None:
    police_uk.import_street_files(store, plan, west_midlands, lookup_path=LOOKUP21, by=OPERATOR)
    loose = police_store.peer_summary(store)
    by_name = loose.groupby("partnership_name")["count"].sum().to_dict()
    assert by_name == _expected_peer_counts() and len(by_name) == 6  # Birmingham ... Wolverhampton
    assert "City of London" not in by_name and "Coventry" not in by_name
    # The same files in a data.police.uk archive, read without --lookup, keep the same counts.
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in west_midlands:
            zf.write(f, f"{f.name[:7]}/{f.name}")
    other = Store(tmp_path / "from-zip.duckdb")
    initialise(plan, other)
    police_uk.import_street_files(other, plan, [archive], by=OPERATOR)
    pd.testing.assert_frame_equal(police_store.peer_summary(other), loose)
    # Re-importing a month replaces its counts: never doubled.
    police_uk.import_street_files(store, plan, west_midlands[:1], lookup_path=LOOKUP21, by=OPERATOR)
    assert police_store.peer_summary(store).groupby("partnership_name")["count"].sum().to_dict() == by_name


def test_the_comparison_of_the_imported_force(plan, store: Store, west_midlands: list[Path]) -> None:
    police_uk.import_street_files(store, plan, west_midlands, lookup_path=LOOKUP21, by=OPERATOR)
    view = peers.compare_peers(store, plan)
    comparison = view.comparison
    assert comparison.months == MONTHS and comparison.peers == 6
    ours = comparison.table[comparison.table["this_partnership"] == "yes"].iloc[0]
    assert ours["count"] == 2 * COVENTRY_PER_MONTH and ours["population"] == 345_326  # the plan's Census 2021
    assert comparison.judgement == Judgement.HIGHER
    assert set(view.export.frame.columns) == set(comparison.table.columns)
    burglary = peers.compare_peers(store, plan, crime_types=["Burglary"]).comparison
    assert burglary.table.set_index("this_partnership").loc["yes", "count"] == 2 * 106  # 2 in 3 rows a month


# --- the command line and the Strategic Assessment page --------------------------------------------


def test_compare_peers_writes_the_table_the_assessment_page_shows(plan, app_store: Store, tmp_path: Path) -> None:
    months = peers.compare_peers(app_store, plan, latest=peers.PAGE_MONTHS).comparison.months
    out = tmp_path / "peers.csv"
    result = _run("compare", "peers", "--from", months[0], "--to", months[-1], "--out", str(out),
                  env=_demo_env(app_store))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Wrote 7 partnerships" in result.stdout and "DEMO DATA" in result.stdout
    cli = _rows(out)
    assert list(cli.columns) == list(PEER_COLUMNS)
    assert cli["judgement"].isin([str(j) for j in Judgement]).all()
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "assessment")
    _no_errors(at, "Strategic Assessment")
    text = _text(at)
    assert "How we compare" in text and "per 1,000 residents" in text and "demo" in text.lower()
    assert "Funnel plot of 7 partnerships" in text  # the figure in words
    charts = {c.proto.id: c.proto.spec for c in at.get("plotly_chart")}
    assert any("99.8% limits" in spec and "Coventry" in spec for spec in charts.values())
    assert any("Other partnerships: mean of 6" in spec for spec in charts.values())
    shown = next(d.value for d in at.dataframe)
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), cli, check_dtype=False)


def test_the_page_says_plainly_when_no_peer_data_is_held(plan, app_store: Store) -> None:
    # Real files of another force: the demo data goes, and no partnership of Coventry's force is held.
    police_uk.import_street_files(app_store, plan, CITY_OF_LONDON, lookup_path=LOOKUP21, by=OPERATOR)
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "assessment")
    _no_errors(at, "Strategic Assessment")
    assert "import police.uk files that cover the force to compare" in "\n".join(i.value for i in at.info)


# --- a comparator group declared in the plan -------------------------------------------------------


def _with_group(partnerships: list) -> Plan:
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    raw["settings"]["peers"] = {"name": "most similar group (test)", "partnerships": partnerships}
    return build_plan(CONFIG, raw)


def test_a_declared_group_is_checked_against_the_reference(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        _with_group(["E22000335", "E22000335", "E05001218"])
    text = "\n".join(caught.value.problems)
    assert "settings.peers.partnerships[1]: E22000335 is listed twice" in text
    assert "'E05001218' is not an ONS Community Safety Partnership code (like E22000336)" in text
    plan = _with_group(["E22000335", "E22999999"])
    assert plan.settings.peer_codes == ("E22000335", "E22999999")
    assert peers.group_problems(plan) == [
        "settings.peers.partnerships[1]: E22999999 is not a Community Safety Partnership (December 2024); "
        "`python -m metrics new-partnership NAME` prints a partnership's code"
    ]
    # check-config refuses it (exit 1), naming the key
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    raw["settings"]["peers"] = {"name": "group", "partnerships": ["E22999999"]}
    raw["settings"]["database"] = str(tmp_path / "x.duckdb")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = _run("check-config", str(path))
    assert result.returncode == 1 and "E22999999 is not a Community Safety Partnership" in result.stderr


def test_a_declared_group_compares_with_its_partnerships_and_names_those_not_held(
    store: Store, west_midlands: list[Path]
) -> None:
    plan = _with_group(["E22000335", "E22000339", "E22000180"])  # Birmingham, Solihull, City of London
    police_uk.import_street_files(store, plan, west_midlands, lookup_path=LOOKUP21, by=OPERATOR)
    view = peers.compare_peers(store, plan)
    assert set(view.comparison.table["partnership_name"]) == {plan.partnership.name, "Birmingham", "Solihull"}
    assert view.inputs.missing == ("City of London",)
    about = dict(view.export.about)
    assert about["Compared with"] == ("the most similar group (test) declared in config.yaml; not held: City of London")


def test_a_plan_outside_the_reference_has_no_peers_and_says_so(other_plan: Plan, other_store) -> None:  # noqa: ANN001
    """The fictional partnership's areas are no 2024 wards: it is no reference partnership, its
    demo makes no peer counts, and the comparison and the pack's section say plainly why there
    is nothing to compare (no figure, no picture)."""
    from metrics.demo import police as police_demo
    from metrics.pack.peers import peer_section

    assert peers.own_partnerships(other_plan) == ()
    assert load_reference().forces_for_wards([w.code for w in other_plan.wards]) == ()
    street = pd.DataFrame({"Month": ["2024-01"], "Crime type": ["Burglary"]})
    assert police_demo.demo_peer_frame(other_plan, street).empty
    view = peers.compare_peers(other_store, other_plan, latest=peers.PAGE_MONTHS)
    assert view.comparison.funnel is None and view.inputs.own is None and view.inputs.peers == ()
    assert view.comparison.reason == peers.NO_PEERS
    section = peer_section(other_plan, other_store)
    assert section.lines == (f"No comparison with other partnerships: {peers.NO_PEERS}.",)
    assert section.pictures == () and section.rows == ()
