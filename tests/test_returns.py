"""Quarterly returns against a real DuckDB store: every error and warning from its own fixture
file (tests/fixtures/returns, written by make_fixtures.py), the store unchanged but for one
audit row when a file is refused, versioning, duplicates, the tracker, and the command line."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics import access, returns
from metrics.quarters import Quarter
from metrics.returns import submit, validate_return
from metrics.returns.tracker import deadline, submission_status
from metrics.store import Store, schema
from metrics.store import indicators as indicator_store
from metrics.store import returns as return_store
from metrics.store.returns import ReturnSubmission
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "returns"
Q2 = Quarter.parse("2025/26 Q2")
CSV = returns.CSV_SHEET

# file, subgroup, severity, sheet, row, column, words the message must contain
ERRORS = [
    ("unknown_indicator.csv", "csvpp", CSV, 2, "id", "no indicator in the plan has this id"),
    ("unknown_action.xlsx", "csvpp", "Actions", 2, "action_id", "no action in the plan has this id"),
    ("indicator_not_owned.csv", "csvpp", CSV, 8, "id",
     "indicator 'asb_incidents' is reported by City Tasking, not Coventry Serious Violence Prevention Partnership"),
    ("action_not_owned.csv", "csvpp", CSV, 9, "id", "action 'ct_pspo' is reported by City Tasking"),
    ("value_not_number.xlsx", "csvpp", "Indicators", 3, "value", "the value is not a number. Seen: 'twelve'"),
    ("negative_count.csv", "csvpp", CSV, 4, "value", "is a count and cannot be negative. Seen: '-5'"),
    ("fractional_count.csv", "csvpp", CSV, 8, "value", "is a count of whole things. Seen: '12.5'"),
    ("percent_out_of_range.csv", "crrb", CSV, 2, "value",
     "'Adult proven reoffending rate' is a percentage and must lie between 0 and 100. Seen: '140'"),
    ("unknown_ward.csv", "csvpp", CSV, 9, "ward", "this is not one of the partnership's wards. Seen: 'Atlantis'"),
    ("ward_not_recorded.csv", "csvpp", CSV, 8, "ward", "is not recorded by ward"),
    ("duplicate_rows.csv", "csvpp", CSV, 9, "id",
     "a second row for the same indicator, period and ward (for the whole city); row 2 already gives it"),
    ("duplicate_action.csv", "csvpp", CSV, 14, "id", "a second row for the same action; row 9 already gives it"),
    ("quarter_mismatch.csv", "csvpp", CSV, 2, "quarter",
     "this row is for 2025/26 Q1 but the return was chosen for 2025/26 Q2"),
    ("quarter_unreadable.csv", "csvpp", CSV, 10, "quarter", "Q5 does not exist"),
    ("period_outside_quarter.csv", "csvpp", CSV, 5, "period",
     "Seen: 'Jun 2025'. Expected: Jul 2025 or Aug 2025 or Sep 2025"),
    ("status_unknown.csv", "csvpp", CSV, 11, "status", "this is not one of the action statuses. Seen: 'Nearly done'"),
    ("missing_column.csv", "csvpp", CSV, 1, "value", "required column(s) 'value' missing from the header row"),
    ("missing_sheet.xlsx", "csvpp", None, None, None, "the workbook has no sheet named 'Actions'"),
    ("empty.csv", "csvpp", None, None, None, "'empty.csv' is empty"),
    ("header_only.csv", "csvpp", None, None, None, "holds no figures or action updates"),
    ("wrong_type.pdf", "csvpp", None, None, None, "'wrong_type.pdf' is not a type we read"),
    ("old_excel.xls", "csvpp", None, None, None, "an Excel 97-2003 workbook: open it and save it as .xlsx"),
    ("csv_named_xlsx.xlsx", "csvpp", None, None, None, "is named .xlsx but its content is text"),
    ("xlsx_named_csv.csv", "csvpp", None, None, None, "is named .csv but its content is an Excel workbook"),
    ("too_large.csv", "csvpp", None, None, None, "'too_large.csv' is too large to accept"),
    ("zip_bomb.xlsx", "csvpp", None, None, None, "inflates to 60.0 MB when opened"),
    ("truncated.xlsx", "csvpp", None, None, None, "cannot be opened as an Excel workbook"),
    ("not_a_workbook.xlsx", "csvpp", None, None, None, "cannot be opened as an Excel workbook"),
    ("utf16.csv", "csvpp", None, None, None, "is not in a text encoding we read. Seen: 'UTF-16"),
    ("undecodable.csv", "csvpp", CSV, 2, None, "is neither UTF-8 nor Windows-1252 text"),
]  # fmt: skip
WARNINGS = [
    ("cp1252.csv", "csvpp", CSV, 2, None, "it was read as Windows-1252"),
    ("large_change.csv", "csvpp", CSV, 3, "value",
     "'Serious violence offences' for the whole city changed by +357% on May 2025 (197)"),
    ("off_target_no_commentary.csv", "csvpp", CSV, 5, "commentary",
     "'Serious youth violence offences' is off target with these figures"),
    ("indicator_blank.csv", "csvpp", CSV, 8, "value",
     "no figure for 'First-time entrants to the youth justice system' for 2025/26 Q2"),
    ("action_blank.csv", "csvpp", CSV, 13, "status", "no status for action 'cjs_youth_led'"),
]  # fmt: skip


def _plan_for(plan, name: str):  # noqa: ANN001, ANN202
    """The real plan; for the size-limit case the limit is lowered rather than shipping 5 MB."""
    if name != "too_large.csv":
        return plan
    limits = dataclasses.replace(plan.settings.returns, max_file_mb=0.05)
    return dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, returns=limits))


def _without_audit(checksums: dict) -> dict:
    return {k: v for k, v in checksums.items() if k != "return_audit"}


def test_every_fixture_is_in_a_case() -> None:
    files = {p.name for p in FIXTURES.iterdir() if p.suffix != ".py"}
    covered = {c[0] for c in ERRORS + WARNINGS} | {"valid.xlsx", "valid_utf8_bom.csv"}
    assert files == covered


@pytest.mark.parametrize(("name", "subgroup", "sheet", "row", "column", "words"), ERRORS, ids=[c[0] for c in ERRORS])
def test_each_error_is_explained_and_changes_nothing_but_one_audit_row(
    plan, demo_store: Store, name, subgroup, sheet, row, column, words
) -> None:
    plan = _plan_for(plan, name)
    content = (FIXTURES / name).read_bytes()
    before = schema.checksums(demo_store)
    parsed = validate_return(plan, demo_store, content, name, subgroup, Q2)
    assert len(parsed.errors) == 1, [str(m) for m in parsed.messages]
    message = parsed.errors[0]
    # One round: the warnings come with the error. A refused row's own item is left to its
    # error, so what remains is what the file lacks without that row (its figure or status).
    for warning in parsed.warnings:
        assert "(no row for it)" in warning.problem, str(warning)
    assert words in message.text
    assert (message.sheet, message.row, message.column) == (sheet, row, column)
    assert "Expected: " in message.text
    assert schema.checksums(demo_store) == before, "checking a file changes nothing at all"

    outcome = submit(
        plan, demo_store, parsed, content, access.operator("Test Lead"), "an explanation does not excuse errors"
    )
    assert outcome.outcome == "rejected" and outcome.version is None
    after = schema.checksums(demo_store)
    assert _without_audit(after) == _without_audit(before), "a refused return leaves every other table unchanged"
    assert after["return_audit"][0] == before["return_audit"][0] + 1
    audit = return_store.audit(demo_store).iloc[0]
    assert audit["outcome"] == "rejected" and audit["submitted_by"] == "Test Lead"
    assert words in audit["reasons"] and audit["filename"] == name
    assert audit["subgroup_id"] == subgroup and audit["sha256"] == parsed.sha256


@pytest.mark.parametrize(
    ("name", "subgroup", "sheet", "row", "column", "words"), WARNINGS, ids=[c[0] for c in WARNINGS]
)
def test_each_warning_needs_an_explanation(plan, demo_store: Store, name, subgroup, sheet, row, column, words) -> None:
    content = (FIXTURES / name).read_bytes()
    before = schema.checksums(demo_store)
    parsed = validate_return(plan, demo_store, content, name, subgroup, Q2)
    assert [m.severity for m in parsed.messages] == ["warning"], [str(m) for m in parsed.messages]
    message = parsed.messages[0]
    assert words in message.text
    assert (message.sheet, message.row, message.column) == (sheet, row, column)
    assert schema.checksums(demo_store) == before

    refused = submit(plan, demo_store, parsed, content, access.operator("Test Lead"))
    assert refused.outcome == "rejected"
    after = schema.checksums(demo_store)
    assert _without_audit(after) == _without_audit(before)
    assert after["return_audit"][0] == before["return_audit"][0] + 1
    assert "were not explained" in return_store.audit(demo_store).iloc[0]["reasons"]

    stored = submit(
        plan,
        demo_store,
        parsed,
        content,
        access.operator("Test Lead"),
        "Checked with the analyst: the figure is right.",
    )
    assert stored.stored and stored.version == 2  # the demo return is version 1
    row = dataclasses.asdict(return_store.latest_submission(demo_store, subgroup, str(Q2.start)))
    assert row["explanation"] == "Checked with the analyst: the figure is right."
    assert words in row["warnings"]


@pytest.mark.parametrize("name", ["valid.xlsx", "valid_utf8_bom.csv"])
def test_valid_files_pass_every_check(plan, demo_store: Store, name: str) -> None:
    parsed = validate_return(plan, demo_store, (FIXTURES / name).read_bytes(), name, "csvpp", Q2)
    assert parsed.messages == []
    assert len(parsed.indicator_rows) == 7 and len(parsed.action_rows) == 5


def test_the_template_round_trips(plan, demo_store: Store) -> None:
    """The template itself reads back: blank figures are warnings, never errors, and both
    formats carry the same rows with last period's figure for reference."""
    q3 = Quarter.parse("2025/26 Q3")
    for build, name in ((returns.template_xlsx, "t.xlsx"), (returns.template_csv, "t.csv")):
        content = build(plan, demo_store, "city_tasking", q3)
        parsed = validate_return(plan, demo_store, content, name, "city_tasking", q3)
        assert not parsed.errors, [str(m) for m in parsed.errors]
        assert len(parsed.indicator_rows) == 3 * 3 + 3  # 3 monthly x 3 months, 3 quarterly; the annual one in Q4
        assert len(parsed.action_rows) == 13 + 2  # its 13 plan actions, and the demo's 2 open board actions
    indicators, _ = returns.template_rows(plan, demo_store, "city_tasking", q3)
    first = indicators[0]
    assert (first["indicator_id"], first["period"], first["last_period"]) == (
        "total_recorded_crime",
        "Oct 2025",
        "Jul 2025",
    )
    assert first["last_value"] is not None


def test_template_workbook_has_readme_and_validation_lists(plan, demo_store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    path.write_bytes(returns.template_xlsx(plan, demo_store, "crrb", Q2))
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Read me", "Indicators", "Actions"]
    assert wb["Lists"].sheet_state == "hidden"
    readme = "\n".join(str(c.value) for row in wb["Read me"].iter_rows() for c in row if c.value)
    for column in ("value", "ward", "status", "commentary", "contact"):
        assert column in readme
    status_rules = [dv for dv in wb["Actions"].data_validations.dataValidation if dv.type == "list"]
    assert status_rules and "Lists!$B$2:$B$6" in status_rules[0].formula1
    value_rules = {dv.type for dv in wb["Indicators"].data_validations.dataValidation}
    assert {"list", "decimal"} <= value_rules  # ward list; percentages between 0 and 100


def _fill(plan, store: Store, subgroup: str, quarter: Quarter, values: dict, note: str = "Checked.") -> bytes:  # noqa: ANN001
    """The CSV template filled in: ``values`` maps (indicator_id, period label) to a figure."""
    indicators, actions = returns.template_rows(plan, store, subgroup, quarter)
    for r in indicators:
        r["value"] = values.get((r["indicator_id"], r["period"]), r["last_value"])
        r["commentary"] = note
    for r in actions:
        r["status"], r["commentary"] = "On track", note
    return returns.rows_csv(indicators, actions)


def test_versions_replace_figures_on_the_board_and_stay_comparable(plan, demo_store: Store) -> None:
    key = ("first_time_entrants", "2025/26 Q2")
    v1 = _fill(plan, demo_store, "csvpp", Q2, {key: 40})
    p1 = validate_return(plan, demo_store, v1, "v1.csv", "csvpp", Q2)
    assert submit(plan, demo_store, p1, v1, access.operator("Ann"), "ok").version == 2
    ward_row = b"indicator,2025/26 Q2,serious_violence_offences,,,,Jul 2025,,,7,Foleshill,,,Ward figure.,\r\n"
    v2 = _fill(plan, demo_store, "csvpp", Q2, {key: 44}, note="Revised.") + ward_row
    p2 = validate_return(plan, demo_store, v2, "v2.csv", "csvpp", Q2)
    assert not p2.errors, [str(m) for m in p2.errors]
    assert submit(plan, demo_store, p2, v2, access.operator("Bob"), "ok").version == 3

    values = indicator_store.values(demo_store)
    fte = values[(values["indicator_id"] == "first_time_entrants") & (values["period_start"] == "2025-07-01")]
    assert fte["value"].tolist() == [44.0] and not fte["is_demo"].iloc[0]
    foleshill = values[
        (values["indicator_id"] == "serious_violence_offences")
        & (values["period_start"] == "2025-07-01")
        & (values["ward_code"] == "E05001222")
    ]
    assert foleshill["value"].tolist() == [7.0]
    notes = indicator_store.commentary(demo_store, str(Q2.start)).set_index("indicator_id")
    assert (
        notes.loc["first_time_entrants", "text"] == "Revised." and notes.loc["first_time_entrants", "author"] == "Bob"
    )
    progress = indicator_store.action_progress(demo_store, str(Q2.start)).set_index("action_id")
    assert progress.loc["csvpp_education", "commentary"] == "Revised."

    held = return_store.submissions(demo_store, "csvpp", str(Q2.start))
    assert held["version"].tolist() == [3, 2, 1] and held["is_latest"].tolist() == [True, False, False]
    old_rows, _ = return_store.submission_rows(demo_store, "csvpp", str(Q2.start), 2)
    assert old_rows[old_rows["indicator_id"] == "first_time_entrants"]["value"].tolist() == [40.0]
    assert return_store.return_file(demo_store, held.iloc[1]["sha256"]) == v1
    diff = returns.compare_versions(demo_store, plan, "csvpp", Q2, 2, 3)
    fte_change = diff[(diff["item"] == "first_time_entrants") & (diff["field"] == "value")]
    assert fte_change[["version 2", "version 3"]].values.tolist() == [[40.0, 44.0]]
    assert ((diff["ward"] == "Foleshill") & (diff["field"] == "value")).any()

    # Version 4 drops the ward row again: its figure leaves the board's tables too.
    v4 = _fill(plan, demo_store, "csvpp", Q2, {key: 45})
    assert submit(
        plan, demo_store, validate_return(plan, demo_store, v4, "v4.csv", "csvpp", Q2), v4, access.operator("Cy"), "ok"
    ).stored
    values = indicator_store.values(demo_store)
    assert values[(values["ward_code"] == "E05001222") & (values["period_start"] == "2025-07-01")
                  & (values["indicator_id"] == "serious_violence_offences")].empty  # fmt: skip


def test_the_same_file_twice_is_recognised(plan, demo_store: Store) -> None:
    content = (FIXTURES / "valid.xlsx").read_bytes()
    parsed = validate_return(plan, demo_store, content, "valid.xlsx", "csvpp", Q2)
    assert submit(plan, demo_store, parsed, content, access.operator("Ann")).version == 2
    before = schema.checksums(demo_store)
    again = submit(
        plan,
        demo_store,
        validate_return(plan, demo_store, content, "copy.xlsx", "csvpp", Q2),
        content,
        access.operator("Bob"),
    )
    assert again.outcome == "duplicate" and again.version == 2
    assert "identical to version 2" in again.message and "Ann" in again.message
    after = schema.checksums(demo_store)
    assert _without_audit(after) == _without_audit(before)
    assert return_store.audit(demo_store).iloc[0]["outcome"] == "duplicate"
    assert after["return_files"][0] == before["return_files"][0]


def test_tracker_contract(plan, demo_store: Store) -> None:
    frame = submission_status(plan, demo_store, Q2, date(2025, 10, 20))
    expected = ["subgroup_id", "subgroup_name", "indicators_owed", "indicators_submitted", "actions_owed",
                "actions_submitted", "version", "submitted_at", "submitted_by", "missing", "deadline",
                "status"]  # fmt: skip
    assert set(expected) <= set(frame.columns)
    assert frame["subgroup_id"].tolist() == [s.id for s in plan.subgroups]
    assert str(frame["version"].dtype) == "Int64"
    row = frame.set_index("subgroup_id")
    assert row.loc["csvpp", "status"] == "Submitted" and row.loc["csvpp", "missing"] == ""
    assert (row.loc["csvpp", "indicators_owed"], row.loc["csvpp", "indicators_submitted"]) == (3, 3)
    assert row.loc["harp", "status"] == "Incomplete" and row.loc["harp", "actions_submitted"] == 0
    assert row.loc["harp", "missing"].startswith(
        "Action updates (11): The delivery of training initiatives for modern slavery and…; "
    ), "actions by their words (cut at a word boundary), not their ids"
    assert row.loc["prevent", "status"] == "Due" and pd.isna(row.loc["prevent", "version"])
    assert (
        row.loc["prevent", "missing"]
        == "Indicators: Prevent referrals; Action updates (2): Development of educational resources for schools "
        "to prevent…; Development of age-appropriate educational resources for…"
    )
    assert row.loc["csvpp", "deadline"] == date(2025, 10, 28)
    later = submission_status(plan, demo_store, Q2, date(2025, 11, 3)).set_index("subgroup_id")
    assert later.loc["prevent", "status"] == "Overdue" and later.loc["harp", "status"] == "Incomplete, overdue"
    early = submission_status(plan, demo_store, Quarter.parse("2025/26 Q3"), date(2025, 11, 3))
    assert set(early["status"]) == {"Not yet due"}


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        ("2025/26 Q2", date(2025, 10, 28)),  # 30 Sep (Tue) + 20 working days
        ("2025/26 Q3", date(2026, 1, 29)),  # 31 Dec (Wed) + 20, skipping the 1 Jan bank holiday
        ("2025/26 Q4", date(2026, 4, 30)),  # skips Good Friday 3 Apr and Easter Monday 6 Apr
    ],
)
def test_deadline_counts_working_days(plan, quarter: str, expected: date) -> None:
    assert deadline(plan, Quarter.parse(quarter)) == expected


# --- the command line, as a real process -----------------------------------------------------


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CSP_DB": str(db)},
        timeout=120,
    )


def test_cli_template_and_import_exit_codes(plan, demo_store: Store, tmp_path: Path) -> None:
    db = demo_store.path
    out = tmp_path / "ret.xlsx"
    made = _cli("template", "--subgroup", "csvpp", "--quarter", "Q2 2025/26", "--out", str(out), db=db)
    assert made.returncode == 0, made.stderr
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    bad_quarter = _cli("template", "--subgroup", "csvpp", "--quarter", "2025 Q2", "--out", str(out), db=db)
    assert bad_quarter.returncode == 1 and "is not in a form we read" in bad_quarter.stderr
    bad_group = _cli("template", "--subgroup", "nobody", "--quarter", "2025/26 Q2", "--out", str(out), db=db)
    assert bad_group.returncode == 1 and "no subgroup is called 'nobody'" in bad_group.stderr

    before = schema.checksums(demo_store)
    valid = str(FIXTURES / "valid_utf8_bom.csv")
    dry = _cli("import-return", valid, "--subgroup", "csvpp", "--quarter", "2025-26 Q2", "--dry-run", db=db)
    assert dry.returncode == 0 and "passed every check" in dry.stdout and "nothing was stored" in dry.stdout
    wrong = str(FIXTURES / "negative_count.csv")
    dry_bad = _cli("import-return", wrong, "--subgroup", "csvpp", "--quarter", "2025/26 Q2", "--dry-run", db=db)
    assert dry_bad.returncode == 1 and "cannot be negative" in dry_bad.stderr
    assert schema.checksums(demo_store) == before, "--dry-run stores nothing, not even an audit row"

    refused = _cli("import-return", wrong, "--subgroup", "csvpp", "--quarter", "2025/26 Q2", "--user", "Cli", db=db)
    assert refused.returncode == 1 and "row 4, column 'value'" in refused.stderr
    assert _without_audit(schema.checksums(demo_store)) == _without_audit(before)

    warn = str(FIXTURES / "large_change.csv")
    unexplained = _cli("import-return", warn, "--subgroup", "csvpp", "--quarter", "2025/26 Q2", db=db)
    assert unexplained.returncode == 1 and "were not explained" in unexplained.stderr
    explained = _cli("import-return", warn, "--subgroup", "csvpp", "--quarter", "2025/26 Q2", "--user", "Cli",
                     "--explanation", "Operation Sceptre", db=db)  # fmt: skip
    assert explained.returncode == 0 and "Stored as version 2" in explained.stdout, explained.stderr
    again = _cli("import-return", warn, "--subgroup", "csvpp", "--quarter", "2025/26 Q2", "--user", "Cli",
                 "--explanation", "again", db=db)  # fmt: skip
    assert again.returncode == 3 and "identical to version 2" in again.stderr
    outcomes = return_store.audit(demo_store, "csvpp", str(Q2.start))["outcome"].tolist()
    assert outcomes[:4] == ["duplicate", "accepted", "rejected", "rejected"]


def test_a_submission_that_fails_midway_stores_nothing(plan, demo_store: Store) -> None:
    """One transaction: if writing the board's figures fails after the version's rows went in,
    neither the version, its file, its rows nor its audit row stay."""
    content = (FIXTURES / "valid.xlsx").read_bytes()
    parsed = validate_return(plan, demo_store, content, "valid.xlsx", "csvpp", Q2)
    board = returns.board_rows(plan, parsed, "Ann", False)
    board = dataclasses.replace(
        board, indicator_values=board.indicator_values.drop(columns=["value"])
    )  # breaks the last step
    before = schema.checksums(demo_store)
    submission = ReturnSubmission(
        subgroup_id="csvpp", quarter_start=Q2.start, sha256=parsed.sha256, filename="valid.xlsx",
        submitted_by="Ann", submitted_at=pd.Timestamp("2025-10-01").to_pydatetime(), warnings=None, explanation=None,
        is_demo=False,
    )  # fmt: skip
    with pytest.raises(Exception, match="value"):
        return_store.submit_return(demo_store, submission, content, parsed.indicator_rows, parsed.action_rows, board)
    assert schema.checksums(demo_store) == before
