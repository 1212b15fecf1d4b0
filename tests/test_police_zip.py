"""police.uk as published: the data.police.uk .zip (month folders of street, outcomes and
stop-and-search files for every force), imported without unpacking, against real DuckDB files.
Zips are made at test time from ../shared/data/police_uk and generated rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from metrics.areas import load_reference
from metrics.bootstrap import initialise
from metrics.police import archive
from metrics.police import uk as police_uk
from metrics.police.uk import PoliceDataError
from metrics.store import Store, schema
from tests.test_police_uk import B1, CITY_OF_LONDON, F1, F2, OPERATOR, OUTSIDE, street_row, write_street

FORCE_ID = "west-midlands"


@pytest.fixture
def store(plan, tmp_path: Path) -> Store:
    s = Store(tmp_path / "zip.duckdb")
    initialise(plan, s)
    return s


def _old_code() -> tuple[str, str]:
    """A Coventry LSOA 2011 code that 2021 did not keep (police.uk files before 2023 carry these)."""
    ref = load_reference()
    old = ref.lsoa11[(ref.lsoa11["ltla22_code"] == "E08000026") & (ref.lsoa11["change_code"] != "U")]
    old = old[~old["lsoa11_code"].isin(ref.lookup["lsoa21_code"])]
    row = old.iloc[0]
    return row["lsoa11_code"], row["lsoa11_name"]


def _rows(month: str) -> list[list]:
    return [
        street_row(month, F1, "Burglary", "a1"),
        street_row(month, F2, "Shoplifting", "a2"),
        street_row(month, B1, "Robbery", "a3"),
        street_row(month, _old_code(), "Drugs", "a4"),  # a 2011 code: placed through the reference
        street_row(month, None, "Burglary", "a5"),  # no location
        street_row(month, OUTSIDE, "Burglary", "a6"),  # outside the area
    ]


def _csv(tmp_path: Path, month: str, rows: list[list]) -> bytes:
    return write_street(tmp_path / "parts" / f"{month}.csv", rows).read_bytes()


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def archive_members(tmp_path: Path, months: tuple[str, ...] = ("2024-01", "2024-02")) -> dict[str, bytes]:
    """A month folder per month: the plan's force's street file, beside another force's real
    street file and outcomes and stop-and-search files, as data.police.uk publishes them."""
    members = {}
    london = CITY_OF_LONDON[0].read_bytes()
    for month in months:
        members[f"{month}/{month}-{FORCE_ID}-street.csv"] = _csv(tmp_path, month, _rows(month))
        members[f"{month}/{month}-city-of-london-street.csv"] = london
        members[f"{month}/{month}-{FORCE_ID}-outcomes.csv"] = b"Crime ID,Month,Reported by\n"
        members[f"{month}/{month}-{FORCE_ID}-stop-and-search.csv"] = b"Type,Date\n"
    return members


def test_the_zip_imports_like_the_loose_files_with_the_reference_lookup(plan, store: Store, tmp_path: Path) -> None:
    members = archive_members(tmp_path)
    path = make_zip(tmp_path / "police.zip", members)
    steps: list[str] = []
    report = police_uk.import_street_files(store, plan, [path], by=OPERATOR, progress=lambda _f, m: steps.append(m))
    # only the plan's force's street files are read; every row is counted as for loose files
    assert len(report.files) == 2
    assert (report.rows_read, report.stored, report.no_location, report.outside_area) == (12, 8, 2, 2)
    assert any("2024-01-west-midlands-street.csv (1 of 2)" in s for s in steps)
    text = "\n".join(report.lines())
    assert "the ONS reference lookup shipped with the project" in text
    assert "West Midlands Police: months 2024-01 to 2024-02 (2 present, 0 missing)." in text
    zipped = police_uk.ward_summary(store).sort_values(["month", "ward_code", "crime_type"]).reset_index(drop=True)
    assert "Drugs" in set(zipped["crime_type"])  # the 2011 code was placed in its ward

    # the same street files, unpacked, give the same store (with the same lookup)
    loose = Store(tmp_path / "loose.duckdb")
    initialise(plan, loose)
    folder = tmp_path / "unpacked"
    for name, data in members.items():
        if name.endswith(f"{FORCE_ID}-street.csv"):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    lookup = tmp_path / "lookup.csv"
    police_uk.reference_lookup(plan).rows.rename(columns={"lsoa_code": "LSOA21CD", "ward_code": "WD24CD"}).to_csv(
        lookup, index=False
    )
    again = police_uk.import_street_files(loose, plan, [folder], lookup_path=lookup, by=OPERATOR)
    assert (again.rows_read, again.stored, again.no_location, again.outside_area) == (12, 8, 2, 2)
    unpacked = police_uk.ward_summary(loose).sort_values(["month", "ward_code", "crime_type"]).reset_index(drop=True)
    assert unpacked.equals(zipped)
    assert police_uk.coverage(loose).frame.equals(police_uk.coverage(store).frame)

    # re-importing the zip replaces its months, never doubles them
    police_uk.import_street_files(store, plan, [path], by=OPERATOR)
    assert schema.table_counts(store)["police_incidents"] == 8


def test_one_file_in_two_folders_is_read_once_and_two_versions_of_a_month_are_refused(
    plan, store: Store, tmp_path: Path
) -> None:
    members = archive_members(tmp_path, ("2024-01",))
    members["copy/2024-01/2024-01-west-midlands-street.csv"] = members["2024-01/2024-01-west-midlands-street.csv"]
    report = police_uk.import_street_files(store, plan, [make_zip(tmp_path / "a.zip", members)], by=OPERATOR)
    assert report.stored == 4 and len(report.same_content) == 1
    members["other/2024-01/2024-01-west-midlands-street.csv"] = _csv(tmp_path, "x", [street_row("2024-01", F1)])
    before = schema.table_counts(store)
    with pytest.raises(PoliceDataError, match=r"holds the same force and month as another file"):
        police_uk.import_street_files(store, plan, [make_zip(tmp_path / "b.zip", members)], by=OPERATOR)
    assert schema.table_counts(store) == before


def test_a_zip_without_the_plans_force_names_the_forces_it_holds(plan, store: Store, tmp_path: Path) -> None:
    members = {f"2024-01/2024-01-city-of-london-{k}.csv": b"x\n" for k in ("street", "outcomes")}
    members["2024-01/2024-01-dorset-stop-and-search.csv"] = b"x\n"
    held = r"no street file of west-midlands.*forces it holds: city-of-london, dorset"
    with pytest.raises(PoliceDataError, match=held):
        police_uk.import_street_files(store, plan, [make_zip(tmp_path / "x.zip", members)], by=OPERATOR)


def test_a_corrupt_or_truncated_zip_is_refused_naming_the_member_and_stores_nothing(
    plan, store: Store, tmp_path: Path
) -> None:
    good = make_zip(tmp_path / "good.zip", archive_members(tmp_path))
    police_uk.import_street_files(store, plan, [good], by=OPERATOR)
    before = schema.table_counts(store)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("2024-02/2024-02-west-midlands-street.csv")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 40] = bytes(40)  # damage the deflated data of February's street file
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(bytes(data))
    with pytest.raises(PoliceDataError, match=r"member 2024-02/2024-02-west-midlands-street.csv is corrupt"):
        police_uk.import_street_files(store, plan, [corrupt], by=OPERATOR)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(bytes(good.read_bytes()[: info.header_offset + 200]))
    with pytest.raises(PoliceDataError, match=r"cut short in member 2024-02/2024-02-west-midlands-street.csv"):
        police_uk.import_street_files(store, plan, [truncated], by=OPERATOR)
    assert schema.table_counts(store) == before


@pytest.mark.parametrize("name", ["../2024-01-west-midlands-street.csv", "/tmp/2024-01-west-midlands-street.csv"])
def test_members_that_would_unpack_outside_their_folder_are_refused_before_reading(
    plan, store: Store, tmp_path: Path, name: str
) -> None:
    members = archive_members(tmp_path, ("2024-01",))
    members[name] = b"never read"
    with pytest.raises(PoliceDataError, match=r"refused before reading, because member names would unpack outside"):
        police_uk.import_street_files(store, plan, [make_zip(tmp_path / "evil.zip", members)], by=OPERATOR)
    assert schema.table_counts(store)["police_incidents"] == 0


def test_members_that_would_inflate_beyond_the_limits_are_refused_before_reading(
    plan, store: Store, tmp_path: Path
) -> None:
    members = {"2024-01/2024-01-west-midlands-street.csv": bytes(8 << 20)}  # 8 MB of zeros: ~1000x
    bomb = make_zip(tmp_path / "bomb.zip", members)
    with pytest.raises(PoliceDataError, match=r"would inflate \d[\d,]* times .*as a zip bomb does; refused before"):
        police_uk.import_street_files(store, plan, [bomb], by=OPERATOR)
    small = archive.Limits(member_bytes=1 << 20, ratio=10_000)
    with pytest.raises(archive.ArchiveError, match=r"would inflate to 8 MB, more than the 1 MB allowed"):
        archive.street_members(bomb, [FORCE_ID], small)


def test_a_coordinate_that_is_not_a_number_is_refused_naming_the_member(plan, store: Store, tmp_path: Path) -> None:
    bad = street_row("2024-01", F1)
    bad[4] = "west"
    members = {"2024-01/2024-01-west-midlands-street.csv": _csv(tmp_path, "bad", [street_row("2024-01", F2), bad])}
    with pytest.raises(PoliceDataError, match=r"member 2024-01/2024-01-west-midlands-street.csv has a Longitude that"):
        police_uk.import_street_files(store, plan, [make_zip(tmp_path / "bad.zip", members)], by=OPERATOR)
    assert schema.table_counts(store)["police_incidents"] == 0
