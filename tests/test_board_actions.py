"""The board action log against real DuckDB stores (copies of the demo store made by the real
init): references, the life cycle and its rules, every bad change refused with every table
unchanged, the follow-up views, the return template and the return that updates the log in
the same transaction as its submission, the command line's export, and the demo actions."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime

import pytest
from openpyxl import load_workbook

from metrics import access
from metrics.board import action_log
from metrics.board.actions import (
    ActionDraft,
    BoardActionError,
    BoardStatus,
    Filters,
    arising,
    filtered,
    from_last_meeting,
    is_reference,
    log_table,
    meeting_day,
    open_for_indicator,
    overdue_first,
    reference,
)
from metrics.plan.model import load_plan
from metrics.quarters import Quarter
from metrics.returns import rows_csv, submit, template_rows, template_xlsx, validate_return
from metrics.store import Store, schema
from metrics.store import returns as return_store
from tests.test_cli import _run

Q1, Q2, Q3 = (Quarter.parse(f"2025/26 Q{n}") for n in (1, 2, 3))
AT = datetime(2025, 11, 20, 18, 30)


def _draft(**changes: object) -> ActionDraft:
    fields = dict(
        kind="action",
        text="Ask the partners for a recovery plan.",
        source_kind="indicator",
        source_id="asb_incidents",
        owner="city_tasking",
        raised_quarter=Q2,
        due_quarter=Q3,
        note=None,
    )
    return ActionDraft(**(fields | changes))


def test_references_name_the_quarter_reviewed_and_the_place_in_its_list() -> None:
    assert reference(Q2.start, 3) == "A-2025/26-Q2-03"
    assert reference(Quarter.parse("2026/27 Q4").start, 12) == "A-2026/27-Q4-12"
    assert is_reference("A-2025/26-Q2-03") and is_reference(" A-2025/26-Q2-103 ")
    assert not is_reference("csvpp_education") and not is_reference("A-2025/26-Q5-01")


def test_the_demo_flow_on_first_start(demo_store: Store) -> None:
    views = action_log.load(demo_store)
    assert [v.reference for v in views] == [
        "A-2025/26-Q1-01", "A-2025/26-Q1-02", "A-2025/26-Q1-03", "A-2025/26-Q2-01", "A-2025/26-Q2-02",
    ]  # fmt: skip
    assert all(v.is_demo and all(u.is_demo for u in v.history) for v in views), "flagged demo"
    by_ref = {v.reference: v for v in views}
    assert by_ref["A-2025/26-Q1-02"].status is BoardStatus.DONE
    assert by_ref["A-2025/26-Q1-02"].latest.via == "return", "closed by the owner's demo return"
    assert by_ref["A-2025/26-Q2-02"].action.kind == "decision" and not by_ref["A-2025/26-Q2-02"].is_open
    assert [v.reference for v in arising(views, Q2)] == ["A-2025/26-Q2-01", "A-2025/26-Q2-02"]
    followed = from_last_meeting(views, Q2)
    assert [v.reference for v in followed] == ["A-2025/26-Q1-03", "A-2025/26-Q1-01", "A-2025/26-Q1-02"]
    assert [v.is_overdue(meeting_day(Q2)) for v in followed] == [True, True, False], "overdue first"


def test_the_log_table_reads_in_a_board_members_words(demo_store: Store) -> None:
    """The page's table: headings a member would write, a decision said to be one and not due,
    the status with its symbol, overdue as at the meeting, and the latest note with its author."""
    plan = load_plan()
    as_of = meeting_day(Q2)
    table = log_table(plan, filtered(plan, action_log.load(demo_store), Filters(), as_of), as_of)
    assert list(table.columns) == [
        "Reference", "Action or decision", "Owner", "Due", "Status", "Overdue", "Latest update",
    ]  # fmt: skip
    rows = {r["Reference"]: r for r in table.to_dict("records")}
    assert list(table["Reference"][:2]) == ["A-2025/26-Q1-03", "A-2025/26-Q1-01"], "overdue first"
    assert [rows[r]["Overdue"] for r in ("A-2025/26-Q1-03", "A-2025/26-Q1-01", "A-2025/26-Q1-02")] == ["Yes", "Yes", ""]
    decision = rows["A-2025/26-Q2-02"]
    assert decision["Action or decision"].startswith("Decision: ") and decision["Due"] == "–"
    assert (decision["Status"], rows["A-2025/26-Q1-01"]["Status"]) == ("✔ Done", "◐ In progress")
    assert rows["A-2025/26-Q1-01"]["Due"] == "2025/26 Q2" and rows["A-2025/26-Q1-01"]["Owner"] == "City Tasking"
    assert rows["A-2025/26-Q2-01"]["Latest update"] == "No update yet."
    assert "2025/26 Q2, return" in rows["A-2025/26-Q1-02"]["Latest update"], "who, when and how"
    assert "kind" not in table.columns and "latest_update" not in table.columns


def test_record_change_and_close_keep_every_step(demo_store: Store) -> None:
    plan = load_plan()
    ref = action_log.record(plan, demo_store, _draft(), "Sam Officer", at=AT)
    assert ref == "A-2025/26-Q2-03"
    assert ref in [v.reference for v in open_for_indicator(action_log.load(demo_store), "asb_incidents")]
    assert (
        action_log.change(plan, demo_store, ref, BoardStatus.IN_PROGRESS, None, "Sam Officer", Q2, due=Q3.next()) == 2
    )
    assert action_log.change(plan, demo_store, ref, BoardStatus.DROPPED, "Overtaken by the new plan.", "Chair", Q3) == 3
    assert action_log.change(plan, demo_store, ref, BoardStatus.OPEN, "Back on: the plan fell through.", "Chair", Q3)
    view = action_log.view(demo_store, ref)
    assert [u.status for u in view.history] == ["open", "in_progress", "dropped", "open"]
    assert [u.author for u in view.history] == ["Sam Officer", "Sam Officer", "Chair", "Chair"]
    assert view.due == Q3.next() and view.history[1].due_quarter == Q3.next().start
    assert view.owner == "city_tasking" and view.is_open
    decision = action_log.record(plan, demo_store, _draft(kind="decision", due_quarter=None), "Sam Officer")
    assert decision == "A-2025/26-Q2-04"
    assert action_log.view(demo_store, decision).status is BoardStatus.DONE, "a decision is recorded closed"


NEW_ACTION_REFUSALS = {
    "no author": ({}, "", "Say who is recording this"),
    "blank text": ({"text": "  "}, "Sam", "Say what is to be done: it is blank."),
    "text too long": ({"text": "x" * 501}, "Sam", "is 501 characters long; shorten it to at most 500"),
    "unknown owner": ({"owner": "nobody"}, "Sam", "The owner 'nobody' is not a subgroup of the plan"),
    "unknown source": ({"source_id": "nope"}, "Sam", "There is no indicator 'nope' in the plan"),
    "unknown kind": ({"kind": "wish"}, "Sam", "The kind 'wish' is not one we know"),
    "no due quarter": ({"due_quarter": None}, "Sam", "Say which quarter the action is due."),
    "due before the meeting": ({"due_quarter": Q1}, "Sam", "The due quarter 2025/26 Q1 is outside 2025/26 Q2 to"),
}


@pytest.mark.parametrize("case", list(NEW_ACTION_REFUSALS))
def test_a_bad_new_action_is_refused_and_nothing_changes(demo_store: Store, case: str) -> None:
    changes, author, words = NEW_ACTION_REFUSALS[case]
    before = schema.checksums(demo_store)
    with pytest.raises(BoardActionError) as refused:
        action_log.record(load_plan(), demo_store, _draft(**changes), author)
    assert words in str(refused.value), str(refused.value)
    assert schema.checksums(demo_store) == before


# (reference, status, note, owner, due, author, words); the demo's A-2025/26-Q1-01 is in progress
# and A-2025/26-Q1-02 done
CHANGE_REFUSALS = {
    "unknown reference": ("A-2025/26-Q1-99", BoardStatus.DONE, "x", None, None, "Sam", "no board action"),
    "close without a note": ("A-2025/26-Q1-01", BoardStatus.DONE, " ", None, None, "Sam",
                             "Closing A-2025/26-Q1-01 as done needs a note"),
    "drop without a note": ("A-2025/26-Q1-01", BoardStatus.DROPPED, None, None, None, "Sam",
                            "as dropped needs a note"),
    "reopen without a note": ("A-2025/26-Q1-02", BoardStatus.OPEN, None, None, None, "Sam",
                              "A-2025/26-Q1-02 is done; reopening it needs a note"),
    "nothing changes": ("A-2025/26-Q1-01", BoardStatus.IN_PROGRESS, "", "city_tasking", None, "Sam",
                        "Nothing to record for A-2025/26-Q1-01"),
    "unknown owner": ("A-2025/26-Q1-01", BoardStatus.IN_PROGRESS, "x", "nobody", None, "Sam", "'nobody' is not"),
    "due before raised": ("A-2025/26-Q1-01", BoardStatus.IN_PROGRESS, "x", None, Quarter.parse("2024/25 Q4"), "Sam",
                          "before the meeting that raised"),
    "no author": ("A-2025/26-Q1-01", BoardStatus.DONE, "Done.", None, None, " ", "Say who is recording this"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CHANGE_REFUSALS))
def test_a_bad_change_is_refused_and_nothing_changes(demo_store: Store, case: str) -> None:
    ref, status, note, owner, due, author, words = CHANGE_REFUSALS[case]
    before = schema.checksums(demo_store)
    with pytest.raises(BoardActionError) as refused:
        action_log.change(load_plan(), demo_store, ref, status, note, author, Q2, owner=owner, due=due)
    assert words in str(refused.value), str(refused.value)
    assert schema.checksums(demo_store) == before


# --- returns ----------------------------------------------------------------------------------


def _filled_q3(store: Store, status: str, note: str | None, extra: tuple[dict, ...] = ()) -> bytes:
    """city_tasking's Q3 return: last quarter's figures again, every action on track, the
    board actions given ``status`` and ``note``, then ``extra`` action rows."""
    plan = load_plan()
    indicators, actions = template_rows(plan, store, "city_tasking", Q3)
    for r in indicators:
        r["value"], r["commentary"] = r["last_value"], "As last quarter (test)."
    for r in actions:
        board = is_reference(r["action_id"])
        r["status"], r["commentary"] = (status, note) if board else ("On track", "Going well (test).")
    return rows_csv(indicators, [*actions, *extra])


def test_the_template_lists_the_subgroups_open_board_actions(demo_store: Store) -> None:
    plan = load_plan()
    _, actions = template_rows(plan, demo_store, "city_tasking", Q3)
    board = [r for r in actions if is_reference(r["action_id"])]
    assert [(r["action_id"], r["last_status"]) for r in board] == [
        ("A-2025/26-Q1-01", "In progress"),
        ("A-2025/26-Q1-03", "Open"),
    ]
    assert board[0]["action"].startswith("Board action due 2025/26 Q2: Find out what is behind")
    _, crrb = template_rows(plan, demo_store, "crrb", Q3)
    assert not [r for r in crrb if is_reference(r["action_id"])], "a closed action is not asked about again"
    workbook = load_workbook(io.BytesIO(template_xlsx(plan, demo_store, "city_tasking", Q3)), read_only=True)
    readme = " ".join(str(c) for row in workbook["Read me"].iter_rows(values_only=True) for c in row if c)
    assert "Board actions (an action_id like A-2025/26-Q2-03)" in readme
    ids = [row[1] for row in workbook["Actions"].iter_rows(min_row=2, values_only=True)]
    assert ids[-2:] == ["A-2025/26-Q1-01", "A-2025/26-Q1-03"]


def test_a_stored_return_updates_the_log_in_its_own_transaction(demo_store: Store) -> None:
    plan = load_plan()
    content = _filled_q3(demo_store, "Complete", "Analysis reported to the board (test).")
    parsed = validate_return(plan, demo_store, content, "ct-q3.csv", "city_tasking", Q3)
    assert not parsed.errors, [str(m) for m in parsed.errors]
    outcome = submit(plan, demo_store, parsed, content, access.operator("Pat Lead"), "Test return.")
    assert outcome.stored
    for ref in ("A-2025/26-Q1-01", "A-2025/26-Q1-03"):
        view = action_log.view(demo_store, ref)
        assert view.status is BoardStatus.DONE
        last = view.latest
        assert (last.author, last.via, last.return_subgroup, last.return_version) == (
            "Pat Lead", "return", "city_tasking", outcome.version,
        )  # fmt: skip
        assert last.note == "Analysis reported to the board (test)." and last.quarter_start == Q3.start
    _, rows = return_store.submission_rows(demo_store, "city_tasking", str(Q3.start), outcome.version)
    assert "A-2025/26-Q1-01" in set(rows["action_id"]), "the return's own rows keep the board rows too"
    # the same file again: a duplicate, nothing recorded twice
    history = len(action_log.view(demo_store, "A-2025/26-Q1-01").history)
    again = submit(plan, demo_store, parsed, content, access.operator("Pat Lead"), "Test return.")
    assert again.outcome == "duplicate"
    assert len(action_log.view(demo_store, "A-2025/26-Q1-01").history) == history


RETURN_REFUSALS = {
    "unknown reference": ({"action_id": "A-2025/26-Q1-77"}, "no board action in the action log has this reference"),
    "another subgroup's action": ({"action_id": "A-2025/26-Q2-01"}, "board action A-2025/26-Q2-01 is owned by CSVPP"),
    "a closed action": ({"action_id": "A-2025/26-Q2-03"}, "board action A-2025/26-Q2-03 was closed (done) by Chair"),
    "dropped by a return": ({"status": "Dropped"}, "only the board drops an action"),
}


@pytest.mark.parametrize("case", list(RETURN_REFUSALS))
def test_a_return_with_a_bad_board_row_is_refused_and_the_log_unchanged(demo_store: Store, case: str) -> None:
    plan = load_plan()
    cells, words = RETURN_REFUSALS[case]
    row = {"quarter": Q3.label, "action_id": "A-2025/26-Q1-01", "action": "", "status": "On track", "commentary": "x"}
    row |= cells
    if case == "a closed action":  # one of city_tasking's, closed by the board
        ref = action_log.record(plan, demo_store, _draft(), "Sam Officer", at=AT)
        action_log.change(plan, demo_store, ref, BoardStatus.DONE, "Settled at the meeting.", "Chair", Q2)
    if case == "dropped by a return":
        content = _filled_q3(demo_store, "Dropped", "Not needed.")
    else:
        content = _filled_q3(demo_store, "On track", "Going well (test).", extra=(row,))
    before = schema.checksums(demo_store)
    parsed = validate_return(plan, demo_store, content, "ct-q3.csv", "city_tasking", Q3)
    assert schema.checksums(demo_store) == before, "checking stores nothing"
    assert any(words in m.text for m in parsed.errors), [m.text for m in parsed.errors]
    outcome = submit(plan, demo_store, parsed, content, access.operator("Pat Lead"), "Test return.")
    assert not outcome.stored
    after = schema.checksums(demo_store)
    assert {t for t in before if before[t] != after[t]} == {"return_audit"}, "only the refused attempt's audit row"


def test_an_overdue_action_without_a_note_is_a_warning(demo_store: Store) -> None:
    content = _filled_q3(demo_store, "On track", None)
    parsed = validate_return(load_plan(), demo_store, content, "ct-q3.csv", "city_tasking", Q3)
    assert not parsed.errors
    overdue = [m.text for m in parsed.warnings if "still open, with no note" in m.text]
    assert len(overdue) == 2 and "board action A-2025/26-Q1-01 was due in 2025/26 Q2" in overdue[0]


# --- command line -----------------------------------------------------------------------------


def test_actions_list_is_formula_safe_and_filters(demo_store: Store, tmp_path) -> None:
    plan = load_plan()
    ref = action_log.record(plan, demo_store, _draft(text='=HYPERLINK("http://x","click")'), "@Sam", at=AT)
    env = {"CSP_DB": str(demo_store.path)}
    out = tmp_path / "log.csv"
    result = _run("actions", "list", "--owner", "city_tasking", "--status", "open", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["reference"] for r in rows] == ["A-2025/26-Q1-03", ref]
    assert rows[1]["action"] == '\'=HYPERLINK("http://x","click")' and rows[1]["updated_by"] == "'@Sam"
    xlsx = tmp_path / "overdue.xlsx"
    assert _run("actions", "list", "--overdue", "--out", str(xlsx), env=env).returncode == 0
    sheet = load_workbook(xlsx, read_only=True)["action log"]
    values = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values and all(row[9] == "yes" for row in values)
    assert any(str(row[2]).startswith("'=") for row in values), "formula-safe in Excel too"


def test_actions_list_judges_overdue_as_at_a_meeting_and_takes_owners_by_name(demo_store: Store, tmp_path) -> None:
    """--meeting judges overdue as the pages do for that quarter (the day after it ends), so the
    officer's list for a meeting matches the screen; owners may be named as people name them,
    and repeated options add up."""
    env = {"CSP_DB": str(demo_store.path)}
    at_meeting, today = tmp_path / "q1.csv", tmp_path / "today.csv"
    owners = ("--owner", "city tasking", "--owner", "CSVPP")
    run = _run("actions", "list", "--overdue", *owners, "--meeting", "2025/26 Q1", "--out", str(at_meeting), env=env)
    assert run.returncode == 0, run.stderr
    assert "overdue as at the meeting reviewing 2025/26 Q1, 01 Jul 2025" in run.stdout
    assert _run("actions", "list", "--overdue", *owners, "--out", str(today), env=env).returncode == 0
    rows = {name: list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))) for name, path in
            (("q1", at_meeting), ("today", today))}  # fmt: skip
    plan = load_plan()
    meeting = meeting_day(Quarter.parse("2025/26 Q1"))
    expected = [v.reference for v in overdue_first(action_log.load(demo_store), meeting)
                if v.is_overdue(meeting) and v.owner in ("city_tasking", "csvpp")]  # fmt: skip
    assert [r["reference"] for r in rows["q1"]] == expected and expected, "the pages' own rule, as at that meeting"
    assert {r["owner"] for r in rows["today"]} == {"City Tasking", plan.subgroup("csvpp").short_name}
    assert len(rows["today"]) > len(rows["q1"]), "later actions fall due by today"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--status", "closed"), "--status closed: not a status; use one of: open, in_progress, done, dropped."),
        (("--owner", "city taskin"), "no subgroup is called 'city taskin' (did you mean 'City Tasking'?)"),
        (("--meeting", "2025/26 Q5"), "Q5 does not exist; quarters are Q1 (April-June) to Q4"),
    ],
)
def test_actions_list_explains_bad_input(demo_store: Store, tmp_path, args: tuple[str, ...], words: str) -> None:
    out = tmp_path / "log.csv"
    result = _run("actions", "list", *args, "--out", str(out), env={"CSP_DB": str(demo_store.path)})
    assert result.returncode == 1 and words in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    bad = _run("actions", "list", "--out", str(tmp_path / "log.txt"), env={"CSP_DB": str(demo_store.path)})
    assert bad.returncode == 1 and "name the file .csv or .xlsx" in bad.stderr
    assert os.environ.get("CSP_DB") != str(demo_store.path), "the session's own store is untouched"
