"""Police.uk downloads that stand on their own (metrics/police/export.py): counts with the
population used, whether it is an estimate and the rate; a header block or About sheet with the
filter, source, coverage, time of export and demo flag; all areas or the chosen; formula-safe."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd

from metrics.police.export import DEMO_NOTE, area_export

FOLESHILL, BABLAKE = "E05001222", "E05001218"
AT = datetime(2026, 12, 1, 9, 30)


def _summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": ["2024-01", "2024-01", "2024-01"],
            "ward_code": [FOLESHILL, FOLESHILL, BABLAKE],
            "ward_name": ["Foleshill", "Foleshill", "Bablake"],
            "crime_type": ["Burglary", '=HYPERLINK("http://x")', "Robbery"],
            "count": [2, 1, 1],
        }
    )


def _export(plan, **kw):  # noqa: ANN001, ANN003, ANN202
    args = dict(first="2024-01", last="2024-01", chosen=[FOLESHILL], held=("2023-04", "2024-02"), exported_at=AT)
    return area_export(plan, _summary(), **(args | kw))


def test_counts_come_with_population_estimate_and_rate(plan) -> None:  # noqa: ANN001
    frame = _export(plan).frame
    assert set(frame["ward_code"]) == {FOLESHILL}, "only the chosen area by default"
    foleshill = next(w for w in plan.wards if w.code == FOLESHILL)
    assert frame["population"].tolist() == [foleshill.population] * 2
    assert frame["population_is_estimate"].tolist() == ["yes", "yes"]
    assert frame["rate_per_1000_residents"].tolist()[0] == round(2 / foleshill.population * 1000, 3)
    every = _export(plan, only_chosen=False)
    assert set(every.frame["ward_code"]) == {FOLESHILL, BABLAKE}
    assert dict(every.about)["Wards"] == "all wards (chosen: Foleshill)"


def test_the_csv_header_block_says_what_was_exported(plan) -> None:  # noqa: ANN001
    export = _export(plan, is_demo=True, flagged={"2024-01": "Demo Police: abnormally few records", "2023-05": "x"})
    text = export.csv_bytes().decode("utf-8")
    head = [line for line in text.splitlines() if line.startswith("#")]
    about = dict(line[2:].split(": ", 1) for line in head)
    assert about["Exported"] == "2026-12-01 09:30 UTC"
    assert about["Demo data"] == DEMO_NOTE
    assert about["Months"] == "2024-01 to 2024-01" and about["Wards"] == "Foleshill" and about["Crime types"] == "all"
    assert about["Source"].startswith("data.police.uk street-level crime")
    assert about["Data coverage"] == "months held 2023-04 to 2024-02; 2024-01: Demo Police: abnormally few records"
    assert "NOT official figures" in about["Rates"]
    assert all("," not in line for line in head), "each header line is one cell"
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert back["count"].tolist() == [2, 1] and "rate_per_1000_residents" in back.columns


def test_exports_stay_formula_safe(plan, tmp_path: Path) -> None:  # noqa: ANN001
    export = _export(plan, crime_types=["=cmd|' /C calc'!A0"])
    rows = list(csv.reader(io.StringIO(export.csv_bytes().decode(), newline="")))
    assert '\'=HYPERLINK("http://x")' in [r[3] for r in rows if len(r) > 3]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    path = tmp_path / "x.xlsx"
    path.write_bytes(export.xlsx_bytes())
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Figures"]
    cells = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in cells)
    about = {r[0]: r[1] for r in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Crime types"].startswith("'=") and about["Demo data"] == "no"
    assert isinstance(book["Figures"].cell(2, 5).value, int), "counts stay numbers"
