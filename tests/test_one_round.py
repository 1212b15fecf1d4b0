"""Issue 15, one round: a return's every error and warning comes out together, each located;
each warning says what clears it, and doing that clears it (a comment in the row, a figure, a
status) or stores it (an explanation when submitting); warnings on area rows name the area."""

from __future__ import annotations

import dataclasses

from metrics import access, returns
from metrics.quarters import Quarter
from metrics.returns import submit, validate_return
from metrics.store import Store
from metrics.store import returns as return_store

Q2 = Quarter.parse("2025/26 Q2")
SYV = "serious_youth_violence"
SYV_UP = {"Jul 2025": 165, "Aug 2025": 146, "Sep 2025": 153}  # 10% up on the demo figures: off target
FOLESHILL = "E05001222"


def _rows(plan, store: Store) -> tuple[list[dict], list[dict]]:  # noqa: ANN001
    """csvpp's Q2 template filled in as a careful lead would: last period's figures, a
    comment on every row, every action on track."""
    indicators, actions = returns.template_rows(plan, store, "csvpp", Q2)
    for r in indicators:
        r["value"], r["commentary"] = r["last_value"], "Checked."
    for r in actions:
        r["status"], r["commentary"] = "On track", "Going well."
    return indicators, actions


def _three_mistakes(plan, store: Store) -> tuple[list[dict], list[dict]]:  # noqa: ANN001
    indicators, actions = _rows(plan, store)
    indicators[0]["value"] = "thirty"  # text in a number cell
    indicators.append(indicators[1] | {"ward": "Atlantis"})  # an unknown area
    for r in indicators:
        if r["indicator_id"] == SYV:  # off target, and no commentary
            r["value"], r["commentary"] = SYV_UP[r["period"]], None
    actions[0].update(status="At risk", commentary=None)  # at risk, and no commentary
    return indicators, actions


def _located(parsed: returns.ParsedReturn) -> list[tuple[str, int | None, str | None]]:
    return [(m.severity, m.row, m.column) for m in parsed.messages]


def test_every_error_and_warning_in_one_round(plan, demo_store: Store) -> None:
    content = returns.rows_csv(*_three_mistakes(plan, demo_store))
    parsed = validate_return(plan, demo_store, content, "r.csv", "csvpp", Q2)
    texts = [m.text for m in parsed.messages]
    assert len(parsed.errors) == 2 and len(parsed.warnings) == 2, texts
    assert "the value is not a number. Seen: 'thirty'" in parsed.errors[0].text
    assert "not one of the partnership's wards. Seen: 'Atlantis'" in parsed.errors[1].text
    assert "blank means the whole city (Coventry)" in parsed.errors[1].text, "the plan's words, not 'citywide'"
    assert "'Serious youth violence offences' is off target" in parsed.warnings[0].text
    assert "is At risk and has no commentary" in parsed.warnings[1].text
    assert all(m.sheet == returns.CSV_SHEET and m.row and m.column for m in parsed.messages), texts
    assert all("this clears the warning" in m.expected for m in parsed.warnings)


def test_each_row_reports_every_cell_at_once(plan, demo_store: Store) -> None:
    indicators, actions = _rows(plan, demo_store)
    ward_row = next(r for r in indicators if r["indicator_id"] == "serious_violence_offences")
    indicators.append(ward_row | {"ward": "Atlantis", "value": "-3", "period": "Jun 2025"})
    parsed = validate_return(plan, demo_store, returns.rows_csv(indicators, actions), "r.csv", "csvpp", Q2)
    row = len(indicators) + 1
    assert [(m.row, m.column) for m in parsed.errors] == [(row, "period"), (row, "ward"), (row, "value")]


def test_doing_what_a_warning_says_clears_it(plan, demo_store: Store) -> None:
    indicators, actions = _three_mistakes(plan, demo_store)
    indicators[0]["value"] = indicators[0]["last_value"]
    indicators.pop()
    parsed = validate_return(plan, demo_store, returns.rows_csv(indicators, actions), "r.csv", "csvpp", Q2)
    assert not parsed.errors and len(parsed.warnings) == 2
    for r in indicators:
        if r["indicator_id"] == SYV:
            r["commentary"] = "A rise after the summer: the outreach team is back in October."
    actions[0]["commentary"] = "The venue fell through; moved to November."
    parsed = validate_return(plan, demo_store, returns.rows_csv(indicators, actions), "r.csv", "csvpp", Q2)
    assert parsed.messages == [], "filling the commentary the warnings named clears them"


def test_a_large_change_on_an_area_row_names_the_area_and_its_comment_clears_it(plan, demo_store: Store) -> None:
    indicators, actions = _rows(plan, demo_store)
    base = next(r for r in indicators if r["indicator_id"] == "serious_violence_offences")
    indicators.append(base | {"ward": "Foleshill", "value": 500, "commentary": None})
    parsed = validate_return(plan, demo_store, returns.rows_csv(indicators, actions), "r.csv", "csvpp", Q2)
    (warning,) = parsed.warnings
    assert (warning.row, warning.column) == (len(indicators) + 1, "value")
    assert "'Serious violence offences' for the ward Foleshill changed by" in warning.text
    assert "then why it moved in this row's 'commentary' (this clears the warning)" in warning.text
    indicators[-1]["commentary"] = "Operation Sceptre: a week of arrests in Foleshill."
    parsed = validate_return(plan, demo_store, returns.rows_csv(indicators, actions), "r.csv", "csvpp", Q2)
    assert parsed.messages == []


def test_a_figure_not_reported_yet_is_stored_with_an_explanation(plan, demo_store: Store) -> None:
    indicators, actions = _rows(plan, demo_store)
    indicators[0]["value"] = None
    content = returns.rows_csv(indicators, actions)
    parsed = validate_return(plan, demo_store, content, "r.csv", "csvpp", Q2)
    (warning,) = parsed.warnings
    assert "--explanation on the command line" in warning.expected and "Upload page" in warning.expected
    assert submit(plan, demo_store, parsed, content, access.operator("Lead")).outcome == "rejected"
    stored = submit(
        plan, demo_store, parsed, content, access.operator("Lead"), "Police data for July arrives next week."
    )
    assert stored.stored
    latest = dataclasses.asdict(return_store.latest_submission(demo_store, "csvpp", str(Q2.start)))
    assert latest["explanation"] == "Police data for July arrives next week."
