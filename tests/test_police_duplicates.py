"""police.uk imports by force and month, once: within one import, the same file under two
names (or in two folders of the monthly archive) is imported once and the copy reported; two
different files holding the same force and month are refused, naming each other, and never
added together. Real DuckDB files, through the library and the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metrics import access
from metrics.bootstrap import initialise
from metrics.police import uk as police_uk
from metrics.police.uk import PoliceDataError
from metrics.store import Store, schema
from tests.conftest import ROOT
from tests.test_police_uk import B1, F1, F2, LOOKUP21, street_row, write_street

OPERATOR = access.operator("Test operator")  # the command line's administrator


@pytest.fixture
def store(plan, tmp_path: Path) -> Store:
    s = Store(tmp_path / "police.duckdb")
    initialise(plan, s)
    police_uk.import_street_files(
        s, plan, [write_street(tmp_path / "seed" / "2023-12-wm-street.csv", [street_row("2023-12", F1)])],
        lookup_path=LOOKUP21, by=OPERATOR,
    )  # fmt: skip
    return s


def _month_total(store: Store, month: str) -> int:
    totals = police_uk.ward_summary(store).groupby("month")["count"].sum().to_dict()
    return int(totals.get(month, 0))


def test_the_same_file_in_two_folders_is_imported_once(plan, store: Store, tmp_path: Path) -> None:
    first = write_street(tmp_path / "a" / "2024-01" / "2024-01-wm-street.csv",
                         [street_row("2024-01", F1, crime_id=f"c{i}") for i in range(3)])  # fmt: skip
    copy = tmp_path / "b" / "2024-01" / "2024-01-wm-street.csv"
    copy.parent.mkdir(parents=True)
    shutil.copy(first, copy)
    renamed = tmp_path / "b" / "january-copy.csv"
    shutil.copy(first, renamed)
    report = police_uk.import_street_files(store, plan, [tmp_path / "a", tmp_path / "b"], by=OPERATOR)
    assert _month_total(store, "2024-01") == 3, "a month is never doubled"
    assert report.same_content == {str(copy): str(first), str(renamed): str(first)}
    text = "\n".join(report.lines())
    assert f"Skipped (same content as {first}, imported once): {copy}" in text


def test_two_different_files_for_one_force_and_month_are_refused_naming_both(
    plan, store: Store, tmp_path: Path
) -> None:
    one = write_street(tmp_path / "x" / "2024-01-wm-street.csv", [street_row("2024-01", F1, crime_id="a")])
    two_rows = [street_row("2024-01", F2, crime_id="b"), street_row("2024-01", B1, crime_id="c")]
    other = write_street(tmp_path / "y" / "2024-01-wm-street.csv", two_rows)
    february = write_street(tmp_path / "y" / "2024-02-wm-street.csv", [street_row("2024-02", B1)])
    before = schema.checksums(store)
    with pytest.raises(PoliceDataError) as refused:
        police_uk.import_street_files(store, plan, [one, other, february], by=OPERATOR)
    text = str(refused.value)
    assert "nothing was stored" in text and "West Midlands Police 2024-01" in text
    assert f"{one}: holds the same force and month" in text and f"(also in {other})" in text
    assert f"{other}: holds the same force and month" in text and f"(also in {one})" in text
    assert schema.checksums(store) == before

    # With --skip-bad the clashing pair is left out (neither is known to be right); the rest goes in.
    report = police_uk.import_street_files(store, plan, [one, other, february], skip_bad=True, by=OPERATOR)
    assert _month_total(store, "2024-01") == 0 and _month_total(store, "2024-02") == 1
    assert {str(one), str(other)} <= set(report.bad_files)


def test_the_command_line_refuses_a_doubled_month_without_a_traceback(store: Store, tmp_path: Path) -> None:
    one = write_street(tmp_path / "p" / "2024-03" / "2024-03-wm-street.csv", [street_row("2024-03", F1)])
    other = write_street(tmp_path / "q" / "2024-03" / "2024-03-wm-street.csv", [street_row("2024-03", B1)])
    before = schema.checksums(store)
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "import-police", str(tmp_path / "p"), str(tmp_path / "q")],
        capture_output=True, text=True, cwd=ROOT, env={"CSP_DB": str(store.path), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert str(one) in result.stderr and str(other) in result.stderr
    assert schema.checksums(store) == before


def test_two_uploads_of_one_name_on_the_page_are_both_checked(
    plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the page, two files of one name (the same month from two folders of the archive) are
    both seen: different content is refused naming both uploads; identical content is stored once."""
    import streamlit as st

    from tests.test_wards_app import _explorer

    store = Store(tmp_path / "page.duckdb")
    initialise(plan, store)
    monkeypatch.setenv("CSP_DB", str(store.path))
    st.cache_data.clear()
    name, csv_type = "2024-03-wm-street.csv", "text/csv"
    one = write_street(tmp_path / "a" / name, [street_row("2024-03", F1)]).read_bytes()
    other = write_street(tmp_path / "b" / name, [street_row("2024-03", B1), street_row("2024-03", F2)]).read_bytes()
    before = schema.checksums(store)
    at = _explorer()
    at.file_uploader(key="police_files").set_value([(name, one, csv_type), (name, other, csv_type)])
    at.file_uploader(key="police_lookup").set_value(("lookup.csv", LOOKUP21.read_bytes(), csv_type))
    at.run()
    at.button(key="police_import").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert f"[upload 1] {name}: holds the same force and month" in errors
    assert f"(also in [upload 2] {name})" in errors and str(tmp_path) not in errors
    assert schema.checksums(store) == before

    at.file_uploader(key="police_files").set_value([(name, one, csv_type), (name, one, csv_type)])
    at.run()
    at.button(key="police_import").click().run()
    assert not at.exception and not at.error
    text = "\n".join(t.value for t in at.text)
    assert f"Skipped (same content as [upload 1] {name}, imported once): [upload 2] {name}" in text
    assert _month_total(store, "2024-03") == 1
