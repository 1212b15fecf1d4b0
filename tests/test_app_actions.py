"""The board action log's life cycle in the real Streamlit runtime (AppTest), on a copy of the
real demo store: recorded from an exception on the Exception report, updated by the owner's
return uploaded on the Upload page (the submitter is the author), closed with a note on the
Action log page; each refusal leaves every table exactly as it was."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metrics import access, returns
from metrics.board import action_log
from metrics.board import actions as board_actions
from metrics.plan.model import load_plan
from metrics.quarters import Quarter
from metrics.store import Store, schema
from tests.test_app import APP, TIMEOUT, _goto, _no_errors, _text

Q2, Q3 = Quarter.parse("2025/26 Q2"), Quarter.parse("2025/26 Q3")
NEW_REF = "A-2025/26-Q2-03"  # the demo records two for the Q2 meeting


@pytest.fixture
def db(app_store: Store) -> Store:
    return app_store


def action_forms(at: AppTest) -> list[str]:
    """The keys of the action forms the page offers (one per exception), each drawn only once
    its expander is opened."""
    return [e.key.removeprefix("ba_open_") for e in at.expander if (e.key or "").startswith("ba_open_")]


def open_action_form(at: AppTest, key: str) -> AppTest:
    """Open a form's expander, as a click on it does (Streamlit reruns and draws the form)."""
    at.session_state[f"ba_open_{key}"] = True
    at.run()
    assert at.text_area(key=f"ba_text_{key}") is not None, "the form is drawn once opened"
    return at


def open_change_form(at: AppTest, reference: str) -> AppTest:
    """Open an action's expander on the Action log page, as a click does: its change form is
    drawn only then (for those who may change the log)."""
    at.session_state[f"log_open_{reference}"] = True
    return at.run()


def _first_exception_form(at: AppTest) -> str:
    """The indicator id of the first exception's action form on the Exception report, opened."""
    keys = action_forms(at)
    assert keys, "every exception has the form"
    assert not [t for t in at.text_area if (t.key or "").startswith("ba_text_")], "no form is drawn until opened"
    open_action_form(at, keys[0])
    return keys[0]


def test_record_update_by_return_and_close_with_a_note(db: Store) -> None:
    plan = load_plan()
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "exception-report")
    _no_errors(at, "exception report")
    text = _text(at)
    assert "Actions from the last meeting (3, 2 overdue)" in text
    assert text.index("A-2025/26-Q1-03") < text.index("A-2025/26-Q1-02"), "overdue first"
    assert "Already has an open board action" in text, "an exception with an open action says so"
    indicator_id = _first_exception_form(at)
    owner = plan.indicator(indicator_id).owner

    # 1. recorded at the meeting; refused first when blank, with nothing stored
    me = access.local_operator().label  # local mode: the person at this computer
    before = schema.checksums(db)
    at.button(key=f"FormSubmitter:board_action_{indicator_id}-Record it").click().run()
    assert [e.value for e in at.error] == ["Not recorded:\n\n- Say what is to be done: it is blank."]
    assert schema.checksums(db) == before, "a refused record changes nothing"
    at.text_area(key=f"ba_text_{indicator_id}").set_value("Ask the lead partner for a recovery plan.")
    at.button(key=f"FormSubmitter:board_action_{indicator_id}-Record it").click().run()
    _no_errors(at, "after recording")
    assert any(f"Recorded as {NEW_REF} by {me}." in s.value for s in at.success)
    recorded = action_log.view(db, NEW_REF)
    assert (recorded.owner, recorded.due, recorded.status.key) == (owner, Q3, "open")
    assert recorded.action.source_id == indicator_id and recorded.latest.author == me

    # 2. the owner's Q3 return lists it; uploaded on the page, it updates the log
    indicators, actions = returns.template_rows(plan, db, owner, Q3)
    board_rows = [r for r in actions if r["action_id"] == NEW_REF]
    assert board_rows and board_rows[0]["last_status"] == "Open"
    for r in indicators:
        r["value"] = r["last_value"]
    for r in actions:
        r["status"], r["commentary"] = "On track", "Recovery plan drafted with the partner (test)."
    content = returns.rows_xlsx(plan, owner, Q3, indicators, actions)
    at = _goto(at, "returns-upload")
    at.selectbox(key="return_subgroup").set_value(owner)
    at.selectbox(key="return_quarter").set_value(Q3.label)
    at = at.run()
    at.file_uploader[0].set_value(("q3-return.xlsx", content, returns.XLSX_MIME)).run()
    _no_errors(at, "return preview")
    if at.text_area(key="return_explanation") is not None and at.warning:
        at.text_area(key="return_explanation").set_value("Test return: figures repeat last quarter's.")
    at.button(key="return_submit").click().run()
    _no_errors(at, "after the return")
    assert any("Stored as version" in s.value for s in at.success)
    updated = action_log.view(db, NEW_REF)
    assert updated.status.key == "in_progress"
    assert (updated.latest.author, updated.latest.via) == (me, "return"), "the submitter is the author"
    assert updated.latest.note == "Recovery plan drafted with the partner (test)."

    # 3. closed on the Action log page: refused without a note (nothing stored), then with one
    at = _goto(at, "action-log")
    _no_errors(at, "action log")
    text = _text(at)
    assert NEW_REF in text and "Recovery plan drafted with the partner (test)." in text, text[:3000]
    assert not [b for b in at.selectbox if (b.key or "").startswith("chg_status_")], "no change form until opened"
    at = open_change_form(at, NEW_REF)
    at.selectbox(key=f"chg_status_{NEW_REF}").set_value(next(s for s in _statuses() if s.key == "done"))
    before = schema.checksums(db)
    at.button(key=f"FormSubmitter:change_{NEW_REF}-Record the change").click().run()
    assert [e.value for e in at.error] == [
        f"Not recorded:\n\n- Closing {NEW_REF} as done needs a note saying why (what was done, or why not)."
    ]
    assert schema.checksums(db) == before
    at.selectbox(key=f"chg_status_{NEW_REF}").set_value(next(s for s in _statuses() if s.key == "done"))
    at.text_area(key=f"chg_note_{NEW_REF}").set_value("Recovery plan in place; the board is satisfied.")
    at.button(key=f"FormSubmitter:change_{NEW_REF}-Record the change").click().run()
    _no_errors(at, "after closing")
    assert any(f"Recorded as change 3 to {NEW_REF}" in s.value for s in at.success)
    closed = action_log.view(db, NEW_REF)
    assert closed.status.key == "done" and closed.latest.note == "Recovery plan in place; the board is satisfied."
    assert [(u.author, u.via) for u in closed.history] == [(me, "board"), (me, "return"), (me, "board")]


def _statuses() -> list:
    from metrics.board.actions import BoardStatus

    return list(BoardStatus)


def test_the_log_page_filters_and_shows_the_demo_flow(db: Store) -> None:
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "action-log")
    _no_errors(at, "action log")
    text = _text(at)
    assert "5 of 5 action(s) and decision(s), 2 overdue" in text
    assert "Demo data." in text
    at.checkbox(key="log_overdue").check().run()
    assert "2 of 5 action(s) and decision(s), 2 overdue" in _text(at)
    table = at.dataframe[0].value
    assert list(table.columns) == list(board_actions.LOG_TABLE_COLUMNS), "headings a board member would write"
    assert list(table["Reference"]) == ["A-2025/26-Q1-03", "A-2025/26-Q1-01"]
    assert list(table["Overdue"]) == ["Yes", "Yes"]
    at.checkbox(key="log_overdue").uncheck().run()
    at.multiselect(key="log_status").set_value(["Done"]).run()
    assert set(at.dataframe[0].value["Status"]) == {"✔ Done"}
