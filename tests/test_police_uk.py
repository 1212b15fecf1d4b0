"""police.uk import against real DuckDB files: format detection, every kind of bad file (store
unchanged), replacement on re-import, LSOA mapping and unknowns, the coverage report, both real
lookup layouts and the real City of London files, the demo files, and export neutralisation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from metrics import access
from metrics.bootstrap import initialise
from metrics.police import uk as police_uk
from metrics.police.uk import STREET_COLUMNS, PoliceDataError
from metrics.store import Store, schema
from metrics.store import indicators as indicator_store
from metrics.store import police as police_store
from tests.conftest import SHARED

OPERATOR = access.operator("Test operator")  # the command line's administrator

DATA = SHARED / "data"
LOOKUP11 = DATA / "lookups" / "coventry_lsoa11_to_ward18.csv"
LOOKUP21 = DATA / "lookups" / "coventry_lsoa21_to_ward24.csv"
CITY_OF_LONDON = sorted((DATA / "police_uk").glob("*-city-of-london-street.csv"))
FOLESHILL, BABLAKE = "E05001222", "E05001218"
# Real Coventry LSOAs (2021) from the lookup: two in Foleshill, one in Bablake.
F1, F2, B1 = ("E01009564", "Coventry 005A"), ("E01009565", "Coventry 009A"), ("E01009522", "Coventry 014A")
OUTSIDE = ("E01000916", "Camden 027B")
FORCE = "West Midlands Police"


def street_row(month: str, lsoa: tuple[str, str] | None, crime_type: str = "Burglary", crime_id: str = "x") -> list:
    code, name = lsoa if lsoa else ("", "")
    where = "No location" if lsoa is None else "On or near Foleshill Road"
    lon, lat = ("", "") if lsoa is None else ("-1.49", "52.43")
    return [crime_id, month, FORCE, FORCE, lon, lat, where, code, name, crime_type, "Under investigation", ""]


def write_street(path: Path, rows: list[list], header: tuple[str, ...] = STREET_COLUMNS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def store(plan, tmp_path: Path) -> Store:
    s = Store(tmp_path / "police.duckdb")
    initialise(plan, s)
    return s


def _january(tmp_path: Path) -> Path:
    return write_street(
        tmp_path / "2024-01" / "2024-01-west-midlands-street.csv",
        [
            street_row("2024-01", F1, "Burglary", "a1"),
            street_row("2024-01", F1, "Burglary", "a2"),
            street_row("2024-01", F2, "Shoplifting", "a3"),
            street_row("2024-01", B1, "Robbery", "a4"),
            street_row("2024-01", F2, "Anti-social behaviour", ""),  # ASB: no Crime ID, kept
            street_row("2024-01", None, "Burglary", "a5"),  # no location
            street_row("2024-01", OUTSIDE, "Burglary", "a6"),  # outside the area
        ],
    )


def test_detects_the_street_layout_and_names_other_layouts(tmp_path: Path) -> None:
    for f in CITY_OF_LONDON:
        assert police_uk.detect_format(f) == "street"
    outcomes = write_street(
        tmp_path / "2024-01-west-midlands-outcomes.csv",
        [],
        header=police_uk.OTHER_LAYOUTS["outcomes"],
    )
    with pytest.raises(PoliceDataError, match="police.uk outcomes file, not a street-level"):
        police_uk.detect_format(outcomes)
    stop = tmp_path / "2024-01-west-midlands-stop-and-search.csv"
    stop.write_text(
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender\n", encoding="utf-8"
    )
    with pytest.raises(PoliceDataError, match="stop-and-search file"):
        police_uk.detect_format(stop)


BAD_FILES = {
    "wrong columns": (
        lambda p: write_street(p, [], header=(*STREET_COLUMNS[:9], "Type of crime", *STREET_COLUMNS[10:])),
        r"missing column\(s\): Crime type; unexpected column\(s\): Type of crime",
    ),
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "non-UTF-8": (
        lambda p: p.write_bytes(
            (",".join(STREET_COLUMNS) + "\n").encode()
            + "x,2024-01,WMP,WMP,-1.49,52.43,On or near Caf\xe9 Street,E01009564,Coventry 005A,Burglary,,\n".encode(
                "latin-1"
            )
        ),
        "not UTF-8",
    ),
    "truncated": (
        lambda p: p.write_text(
            ",".join(STREET_COLUMNS) + "\n" + ",".join(street_row("2024-01", F1)) + "\nb1,2024-01,West Midl",
            encoding="utf-8",
        ),
        "wrong number of columns, as when a download is cut short",
    ),
    "bad month": (lambda p: write_street(p, [street_row("Jan 2024", F1)]), "Month 'Jan 2024' is not a month"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_each_bad_file_gets_a_clear_message_and_changes_nothing(kind: str, plan, store: Store, tmp_path: Path) -> None:
    police_uk.import_street_files(store, plan, [_january(tmp_path)], lookup_path=LOOKUP21, by=OPERATOR)
    before = schema.checksums(store)
    make, message = BAD_FILES[kind]
    bad = tmp_path / "bad" / "2024-02-west-midlands-street.csv"
    bad.parent.mkdir()
    make(bad)
    with pytest.raises(PoliceDataError, match=message) as err:
        police_uk.import_street_files(store, plan, [bad], by=OPERATOR)
    assert str(bad) in str(err.value)
    assert schema.checksums(store) == before


def test_a_folder_with_a_bad_file_imports_none_or_only_the_good_ones(plan, store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    _january(folder)
    write_street(folder / "2024-02" / "2024-02-west-midlands-street.csv", [street_row("2024-02", F1)])
    bad = folder / "2024-02" / "2024-02-west-midlands-outcomes.csv"
    write_street(bad, [], header=police_uk.OTHER_LAYOUTS["outcomes"])
    before = schema.checksums(store)
    with pytest.raises(PoliceDataError, match=r"1 of 3 file\(s\) cannot be imported, so nothing was stored") as err:
        police_uk.import_street_files(store, plan, [folder], lookup_path=LOOKUP21, by=OPERATOR)
    assert str(bad) in str(err.value)
    assert schema.checksums(store) == before
    report = police_uk.import_street_files(store, plan, [folder], lookup_path=LOOKUP21, skip_bad=True, by=OPERATOR)
    assert list(report.bad_files) == [str(bad)]
    assert len(report.files) == 2 and report.stored == 6


def test_records_are_mapped_to_wards_and_unknowns_counted(plan, store: Store, tmp_path: Path) -> None:
    report = police_uk.import_street_files(store, plan, [_january(tmp_path)], lookup_path=LOOKUP21, by=OPERATOR)
    assert (report.rows_read, report.stored, report.no_location, report.outside_area) == (7, 5, 1, 1)
    summary = police_uk.ward_summary(store)
    got = {(r.ward_code, r.crime_type): r.count for r in summary.itertuples()}
    assert got == {
        (FOLESHILL, "Burglary"): 2,
        (FOLESHILL, "Shoplifting"): 1,
        (FOLESHILL, "Anti-social behaviour"): 1,
        (BABLAKE, "Robbery"): 1,
    }
    assert set(summary["month"]) == {"2024-01"}
    text = "\n".join(report.lines())
    assert "Rows read: 7." in text and "Stored (in the partnership's wards): 5." in text
    assert "no location (blank LSOA): 1 (14.3% of rows" in text
    assert "outside the partnership's area (LSOA not in the lookup): 1." in text


def test_reimporting_a_month_replaces_it_never_doubles(plan, store: Store, tmp_path: Path) -> None:
    january = _january(tmp_path)
    police_uk.import_street_files(store, plan, [january], lookup_path=LOOKUP21, by=OPERATOR)
    police_uk.import_street_files(store, plan, [january], by=OPERATOR)
    assert schema.table_counts(store)["police_incidents"] == 5
    # A republished January with one more record replaces the first; February is untouched.
    february = write_street(tmp_path / "feb" / "2024-02-west-midlands-street.csv", [street_row("2024-02", B1)])
    police_uk.import_street_files(store, plan, [february], by=OPERATOR)
    republished = write_street(
        tmp_path / "republished" / "2024-01-west-midlands-street.csv",
        [street_row("2024-01", F1, crime_id=f"r{i}") for i in range(6)],
    )
    police_uk.import_street_files(store, plan, [republished], by=OPERATOR)
    totals = police_uk.ward_summary(store).groupby("month")["count"].sum().to_dict()
    assert totals == {"2024-01": 6, "2024-02": 1}
    assert schema.table_counts(store)["police_months"] == 2


def test_both_real_lookup_layouts_are_recognised(plan) -> None:
    old, new = police_uk.read_lookup(LOOKUP11, plan), police_uk.read_lookup(LOOKUP21, plan)
    assert old.columns["lsoa_code"] == "LSOA11CD" and old.columns["ward_code"] == "WD18CD"
    assert new.columns["lsoa_code"] == "lsoa21_code" and new.columns["ward_code"] == "ward24_code"
    assert len(old.rows) == 195 and len(new.rows) == 203
    assert set(old.rows["ward_code"]) == set(new.rows["ward_code"]) == set(plan.ward_names())


def test_a_lookup_with_cr_only_line_endings_is_read(plan, tmp_path: Path) -> None:
    cr = tmp_path / "national.csv"
    cr.write_bytes(LOOKUP11.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert len(police_uk.read_lookup(cr, plan).rows) == 195


def test_a_lookup_for_another_area_or_without_the_columns_is_refused(plan, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("LSOA21CD,LSOA21NM,WD24CD,WD24NM\nE01000001,City of London 001A,E05009999,Aldgate\n")
    with pytest.raises(PoliceDataError, match="none of its 1 area codes is one of the partnership's 18 wards"):
        police_uk.read_lookup(other, plan)
    with pytest.raises(PoliceDataError, match="not an LSOA to ward lookup: no ward code column"):
        police_uk.read_lookup(CITY_OF_LONDON[0], plan)


def test_no_lookup_stored_is_explained(plan, store: Store, tmp_path: Path) -> None:
    before = schema.checksums(store)
    with pytest.raises(PoliceDataError, match="No LSOA to ward lookup is stored yet"):
        police_uk.import_street_files(store, plan, [_january(tmp_path)], by=OPERATOR)
    assert schema.checksums(store) == before


def test_real_city_of_london_files_count_as_outside_coventry(plan, store: Store) -> None:
    report = police_uk.import_street_files(store, plan, CITY_OF_LONDON, lookup_path=LOOKUP21, by=OPERATOR)
    assert report.rows_read == 734 + 826
    assert report.stored == 0
    assert report.no_location > 0 and report.no_location + report.outside_area == report.rows_read
    cover = police_uk.coverage(store)
    assert list(cover.frame["month"]) == ["2024-01", "2024-02"]
    # none of the force's records is inside the area: said once for the force, no month flagged
    assert cover.problems.empty and cover.elsewhere == ("City of London Police",)
    text = "\n".join(report.lines())
    assert "City of London Police: months 2024-01 to 2024-02 (2 present, 0 missing)." in text
    assert "None of its 1,560 records is inside the area: its files are kept to compare partnerships." in text
    assert "check the LSOA lookup" in text


def test_coverage_flags_missing_and_thin_months(plan, store: Store, tmp_path: Path) -> None:
    rows = {"2024-01": 10, "2024-02": 9, "2024-04": 2, "2024-05": 11}  # March missing, April thin
    files = [
        write_street(
            tmp_path / m / f"{m}-west-midlands-street.csv",
            [street_row(m, F1, crime_id=f"{m}{i}") for i in range(n)],
        )
        for m, n in rows.items()
    ]
    # with another force's files beside them (as a comparator group's are): that force flags no month
    police_uk.import_street_files(store, plan, [*files, *CITY_OF_LONDON], lookup_path=LOOKUP21, by=OPERATOR)
    cover = police_uk.coverage(store)
    assert cover.elsewhere == ("City of London Police",)
    problems = cover.problems.set_index("month")["problem"]
    assert list(problems.index) == ["2024-03", "2024-04"] and set(cover.problems["force"]) == {"West Midlands Police"}
    assert problems["2024-03"].startswith("missing: the force has no file for this month")
    assert problems["2024-04"].startswith("abnormally few records inside the area (2, against a median of 10)")


def test_the_demo_store_is_built_through_the_import_and_agrees_with_the_theme_series(demo_store: Store) -> None:
    summary = police_uk.ward_summary(demo_store)
    values = indicator_store.values(demo_store)
    wards = values[values["ward_code"].notna()]
    for indicator, crime in (
        ("total_recorded_crime", summary["crime_type"] != "Anti-social behaviour"),
        ("asb_incidents", summary["crime_type"] == "Anti-social behaviour"),
    ):
        series = wards[wards["indicator_id"] == indicator]
        expected = series.assign(month=series["period_start"].dt.strftime("%Y-%m")).set_index(["month", "ward_code"])
        got = summary[crime].groupby(["month", "ward_code"])["count"].sum()
        assert got.to_dict() == expected["value"].astype(int).to_dict(), indicator
    cover = police_uk.coverage(demo_store)
    assert cover.problems.empty and cover.frame["no_location"].gt(0).all() and cover.frame["outside_area"].gt(0).all()
    names = police_store.lookup_rows(demo_store)[["lsoa_name"]].drop_duplicates().itertuples(index=False)
    assert all(n[0].startswith("DEMO ") for n in names)
    assert police_store.incident_rows(demo_store)["is_demo"].all()


def test_ward_summary_filters(plan, store: Store, tmp_path: Path) -> None:
    police_uk.import_street_files(store, plan, [_january(tmp_path)], lookup_path=LOOKUP21, by=OPERATOR)
    only = police_uk.ward_summary(store, "2024-01", "2024-01", [FOLESHILL], ["Burglary"])
    assert only.to_dict("records") == [
        {"month": "2024-01", "ward_code": FOLESHILL, "ward_name": "Foleshill", "crime_type": "Burglary", "count": 2}
    ]
    assert police_uk.ward_summary(store, "2024-02").empty
    with pytest.raises(PoliceDataError, match="'2024-1' is not a month in the form YYYY-MM"):
        police_uk.ward_summary(store, "2024-1")


def test_exports_neutralise_formulas_and_keep_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"],
            "count": [1, 2, 3, 4, 5, 6, 7, -8],
        }
    )
    rows = list(csv.reader(io.StringIO(police_uk.to_csv_bytes(frame).decode(), newline="")))
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("x")', "+1", "-2", "'@SUM(A1)", "'\tx", "'\rx", "plain", "a=b"]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4", "5", "6", "7", "-8"]
    path = tmp_path / "out.xlsx"
    path.write_bytes(police_uk.to_xlsx_bytes(frame, sheet="figures"))
    sheet = openpyxl.load_workbook(path).active
    cells = [(sheet.cell(i, 1).value, sheet.cell(i, 2).value) for i in range(2, 10)]
    assert cells[0] == ('\'=HYPERLINK("x")', 1) and cells[7] == ("a=b", -8)
    assert all(isinstance(n, int) for _, n in cells)
    assert sheet.cell(2, 1).data_type == "s"


def test_import_shows_progress(plan, store: Store, tmp_path: Path) -> None:
    seen: list[float] = []
    police_uk.import_street_files(
        store, plan, [_january(tmp_path)], lookup_path=LOOKUP21, progress=lambda f, _m: seen.append(f), by=OPERATOR
    )
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4


def test_a_lookup_given_as_a_street_file_is_recognised(tmp_path: Path) -> None:
    with pytest.raises(PoliceDataError, match="this is an LSOA to ward lookup, not a street-level crime file"):
        police_uk.detect_format(LOOKUP21)


def test_real_files_replace_the_demo_police_data(plan, demo_store: Store, tmp_path: Path) -> None:
    report = police_uk.import_street_files(demo_store, plan, [_january(tmp_path)], lookup_path=LOOKUP21, by=OPERATOR)
    assert report.demo_removed > 100_000
    assert "Demo police.uk data removed" in "\n".join(report.lines())
    assert police_store.summary_bounds(demo_store).is_demo is False  # nothing left is demo
    assert int(police_uk.ward_summary(demo_store)["count"].sum()) == 5


def test_unreadable_files_are_skipped_when_asked_and_the_good_ones_stored(plan, store: Store, tmp_path: Path) -> None:
    good = _january(tmp_path)
    truncated, bad_month = tmp_path / "t" / "2024-02-wm-street.csv", tmp_path / "m" / "2024-03-wm-street.csv"
    truncated.parent.mkdir()
    BAD_FILES["truncated"][0](truncated)
    bad_month.parent.mkdir()
    BAD_FILES["bad month"][0](bad_month)
    report = police_uk.import_street_files(
        store, plan, [truncated, good, bad_month], lookup_path=LOOKUP21, skip_bad=True, by=OPERATOR
    )
    assert set(report.bad_files) == {str(truncated), str(bad_month)}
    assert report.files == (good,) and report.stored == 5
    assert "cut short" in report.bad_files[str(truncated)]
    assert "Month 'Jan 2024'" in report.bad_files[str(bad_month)]
