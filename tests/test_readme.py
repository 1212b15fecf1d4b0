"""The template's Read me and the checks cannot disagree: both come from one declaration
(metrics/returns/layout.py CELLS), and here every column's "if left blank" is tried against
the real checks, and every value the Read me allows is accepted."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from metrics import returns
from metrics.quarters import Quarter
from metrics.returns.layout import ACTION_STATUSES, CELLS, CSV_COLUMNS, README, cell_words
from metrics.returns.template import readme_columns
from metrics.store import Store

Q2 = Quarter.parse("2025/26 Q2")


def test_the_read_me_sheet_is_the_declaration(plan, demo_store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    path.write_bytes(returns.template_xlsx(plan, demo_store, "csvpp", Q2))
    sheet = [tuple(c for c in row) for row in load_workbook(path)[README].iter_rows(values_only=True)]
    expected = readme_columns(plan)
    start = sheet.index(expected[0])
    assert sheet[start : start + len(expected)] == expected
    text = "\n".join(str(c) for row in sheet for c in row if c)
    assert "(required)" not in text, "the Read me says what each cell needs instead"
    assert "citywide" not in text and "the whole city (Coventry)" in text, "the plan's own words"
    ward = next(r for r in expected if r[0] == "ward")
    assert (ward[3], ward[4]) == ("no", "the whole city (Coventry)")
    commentary = next(r for r in expected if r[0] == "commentary")
    assert commentary[3] == "no"


def _csv(plan, store: Store, blank: str | None = None, on: str = "indicator") -> tuple[bytes, int]:  # noqa: ANN001
    """csvpp's Q2 return filled in, with column ``blank`` emptied on the first row of kind
    ``on``; the file's row number of that row."""
    indicators, actions = returns.template_rows(plan, store, "csvpp", Q2)
    for r in indicators:
        r["value"], r["commentary"], r["contact"] = r["last_value"], "Checked.", "lead@example.org"
    for r in actions:
        r["status"], r["commentary"], r["contact"] = "On track", "Going well.", "lead@example.org"
    content = returns.rows_csv(indicators, actions).decode("utf-8-sig").splitlines()
    header = content[0].split(",")
    number = 2 if on == "indicator" else 2 + len(indicators)
    if blank is not None:
        cells = next(csv.reader([content[number - 1]]))
        cells[header.index(blank)] = ""
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        content[number - 1] = out.getvalue()
    return ("\r\n".join(content) + "\r\n").encode("utf-8"), number


ACTION_ONLY = {"status", "last_status"}


@pytest.mark.parametrize("column", CSV_COLUMNS)
def test_a_blank_cell_does_what_the_read_me_says(plan, demo_store: Store, column: str) -> None:
    on = "action" if column in ACTION_ONLY else "indicator"
    content, row = _csv(plan, demo_store, column, on)
    parsed = returns.validate_return(plan, demo_store, content, "r.csv", "csvpp", Q2)
    at_row = [(m.severity, m.column) for m in parsed.messages if m.row == row]
    declared = CELLS[column].when_blank
    if declared in ("error", "warning"):
        assert at_row == [(declared, column)], [m.text for m in parsed.messages]
    else:
        assert parsed.messages == [], [m.text for m in parsed.messages]


def test_the_control_file_passes(plan, demo_store: Store) -> None:
    content, _ = _csv(plan, demo_store)
    assert returns.validate_return(plan, demo_store, content, "r.csv", "csvpp", Q2).messages == []


def test_every_value_the_read_me_allows_is_accepted(plan, demo_store: Store) -> None:
    from metrics.returns.rules import Context, Row, row_messages
    from metrics.store import indicators as indicator_store

    ctx = Context.build(plan, "csvpp", Q2, indicator_store.values(demo_store))
    status = cell_words("status", plan.partnership).allowed
    for word in ACTION_STATUSES:
        assert word in status
        for typed in (word, word.upper()):
            cells = {"action_id": "csvpp_education", "status": typed}
            assert row_messages(Row(returns.CSV_SHEET, 2, "action", cells), ctx) == []
    base = {"indicator_id": "serious_violence_offences", "period": "Jul 2025", "value": "12"}
    for ward in plan.wards:
        for typed in (ward.name, ward.code, ward.name.lower()):
            assert row_messages(Row(returns.CSV_SHEET, 2, "indicator", base | {"ward": typed}), ctx) == []
