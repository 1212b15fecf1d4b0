"""Every return rule with a row (or rows) it refuses and one it passes, against the real plan
and the figures of a real demo store. A rule added to metrics/returns/rules.py or
return_rules.py without a case here fails test_every_rule_has_a_case."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from metrics.board.actions import ActionView
from metrics.quarters import Quarter
from metrics.returns.layout import CSV_SHEET
from metrics.returns.obligations import owed_actions, owed_indicators, owed_periods, stored_value
from metrics.returns.return_rules import RETURN_RULES
from metrics.returns.rules import ROW_RULES, Accepted, Context, Row, accepted_row, row_messages
from metrics.store import Store
from metrics.store import indicators as indicator_store
from metrics.store.actions import ActionUpdate, BoardAction

Q2 = Quarter.parse("2025/26 Q2")
IND = {"quarter": "2025/26 Q2", "indicator_id": "serious_violence_offences", "period": "Jul 2025", "value": "12"}
ACT = {"quarter": "2025/26 Q2", "action_id": "csvpp_education", "status": "On track", "commentary": "Going well."}
FTE = {"quarter": "2025/26 Q2", "indicator_id": "first_time_entrants", "period": "2025/26 Q2", "value": "33"}
RATE = {"quarter": "2025/26 Q2", "indicator_id": "adult_reoffending_rate", "period": "2025/26 Q2", "value": "40"}


def ind(**cells: object) -> dict:
    return IND | cells


def _board_view(ref: str, owner: str, due: str, status: str = "open", note: str | None = None) -> ActionView:
    """An action raised at the meeting reviewing 2025/26 Q1, as the action log holds it."""
    raised = Quarter.parse("2025/26 Q1")
    action = BoardAction(
        reference=ref, raised_quarter=raised.start, sequence=int(ref[-2:]), kind="action",
        text="Review the hotspots.", source_kind="indicator", source_id="serious_violence_offences",
        raised_by="Board officer", raised_at=datetime(2025, 7, 20, 10),
    )  # fmt: skip
    history = [
        ActionUpdate(
            reference=ref, number=1, recorded_at=datetime(2025, 7, 20, 10), author="Board officer",
            quarter_start=raised.start, status="open", owner=owner, due_quarter=Quarter.parse(due).start,
        )
    ]  # fmt: skip
    if status != "open":
        history.append(
            ActionUpdate(
                reference=ref,
                number=2,
                recorded_at=datetime(2025, 9, 1),
                author="Chair",
                quarter_start=raised.start,
                status=status,
                note=note,
            )  # fmt: skip
        )
    return ActionView(action, tuple(history))


# The action log the rules see: csvpp's overdue, open and board-closed actions, and crrb's.
BOARD = (
    _board_view("A-2025/26-Q1-01", "csvpp", "2025/26 Q2"),  # due in the return's quarter: overdue
    _board_view("A-2025/26-Q1-02", "crrb", "2025/26 Q3"),
    _board_view("A-2025/26-Q1-03", "csvpp", "2025/26 Q3", "done", "Done at the board."),
    _board_view("A-2025/26-Q1-04", "csvpp", "2025/26 Q3"),
)
BACT = {"quarter": "2025/26 Q2", "action_id": "A-2025/26-Q1-04", "status": "In progress", "commentary": "Under way."}


# rule: (subgroup, section, failing cells, passing cells, words the failing message must contain)
ROW_CASES = {
    "quarter_readable": ("csvpp", "indicator", ind(quarter="2025/26 Q5"), IND, "Q5 does not exist"),
    "quarter_chosen": ("csvpp", "indicator", ind(quarter="2025/26 Q1"), ind(quarter=""),
                       "this row is for 2025/26 Q1 but the return was chosen for 2025/26 Q2"),
    "section_known": ("csvpp", "figures", ind(section="figures"), IND,
                      "the section is not one we know. Seen: 'figures'"),
    "id_known": ("csvpp", "indicator", ind(indicator_id="nope"), IND, "no indicator in the plan has this id"),
    "id_owned": ("csvpp", "action", ACT | {"action_id": "ct_pspo"}, ACT,
                 "action 'ct_pspo' is reported by City Tasking"),
    "period_owed": ("csvpp", "indicator", ind(period="Jun 2025"), ind(period="2025-09"),
                    "Seen: 'Jun 2025'. Expected: Jul 2025 or Aug 2025 or Sep 2025"),
    "ward_known": ("csvpp", "indicator", ind(ward="Atlantis"), ind(ward="foleshill"),
                   "this is not one of the partnership's wards. Seen: 'Atlantis'"),
    "ward_recorded": ("csvpp", "indicator", FTE | {"ward": "E05001222"}, ind(ward="E05001222"),
                      "'First-time entrants to the youth justice system' is not recorded by ward"),
    "value_is_number": ("csvpp", "indicator", ind(value="twelve"), ind(value="1,234"),
                        "the value is not a number. Seen: 'twelve'"),
    "count_not_negative": ("csvpp", "indicator", ind(value="-5"), ind(value="0"),
                           "is a count and cannot be negative. Seen: '-5'"),
    "count_whole": ("csvpp", "indicator", ind(value="12.5"), ind(value=12.0), "is a count of whole things"),
    "percent_in_range": ("crrb", "indicator", RATE | {"value": "140"}, RATE | {"value": "100"},
                         "'Adult proven reoffending rate' is a percentage and must lie between 0 and 100"),
    "status_known": ("csvpp", "action", ACT | {"status": "Nearly done"}, ACT | {"status": "at risk"},
                     "this is not one of the action statuses. Seen: 'Nearly done'"),
    "board_reference_known": ("csvpp", "action", BACT | {"action_id": "A-2025/26-Q1-99"}, BACT,
                              "no board action in the action log has this reference. Seen: 'A-2025/26-Q1-99'"),
    "board_reference_owned": ("csvpp", "action", BACT | {"action_id": "A-2025/26-Q1-02"}, BACT,
                              "board action A-2025/26-Q1-02 is owned by"),
    "board_action_open": ("csvpp", "action", BACT | {"action_id": "A-2025/26-Q1-03"}, BACT,
                          "board action A-2025/26-Q1-03 was closed (done) by Chair; a return cannot change it"),
    "board_status_known": ("csvpp", "action", BACT | {"status": "Dropped"}, BACT | {"status": "on track"},
                           "only the board drops an action. Seen: 'Dropped'"),
    "board_close_has_note": ("csvpp", "action", BACT | {"status": "Done", "commentary": ""},
                             BACT | {"status": "Complete", "commentary": "Finished: all sites reviewed."},
                             "board action A-2025/26-Q1-04 is reported done without a note"),
}  # fmt: skip


@pytest.fixture(scope="module")
def stored_values(demo_template: Path):  # noqa: ANN201
    """The demo store's indicator values, read once, as validate_return reads them."""
    return indicator_store.values(Store(demo_template))


@pytest.fixture(scope="module")
def contexts(plan, stored_values) -> dict[str, Context]:  # noqa: ANN001
    return {sub: Context.build(plan, sub, Q2, stored_values, BOARD) for sub in ("csvpp", "crrb")}


def _row(section: str, cells: dict, number: int = 2) -> Row:
    return Row(CSV_SHEET, number, section, cells)


def test_every_rule_has_a_case() -> None:
    assert [r.name for r in ROW_RULES] == list(dict.fromkeys(r.name for r in ROW_RULES)), "rule names are unique"
    assert {r.name for r in ROW_RULES} | {r.name for r in RETURN_RULES} == set(ROW_CASES) | set(RETURN_CASES)


@pytest.mark.parametrize("name", list(ROW_CASES))
def test_row_rule(contexts: dict[str, Context], name: str) -> None:
    subgroup, section, failing, passing, words = ROW_CASES[name]
    ctx = contexts[subgroup]
    rule = next(r for r in ROW_RULES if r.name == name)
    message = rule.check(_row(section, failing), ctx)
    assert message is not None and message.severity == "error"
    assert words in message.text, message.text
    assert (message.sheet, message.row) == (CSV_SHEET, 2)
    assert row_messages(_row(section, failing), ctx) == [message], "every other rule passes this row"
    good_section = "indicator" if section == "figures" else section
    assert rule.check(_row(good_section, passing), ctx) is None
    assert row_messages(_row(good_section, passing), ctx) == [], "the passing row passes every rule"


# --- rules across rows -----------------------------------------------------------------------


def _complete(ctx: Context, values: dict[tuple[str, str], object] | None = None, **changes: dict) -> list[dict]:
    """Every figure csvpp owes in Q2, as rows with a commentary, each the figure stored for its
    previous period (no change): ``values`` overrides (indicator, period) figures (None leaves
    one out), ``changes`` an indicator's other cells."""
    values = values or {}
    rows = []
    for i in owed_indicators(ctx.plan, "csvpp", Q2):
        for p in owed_periods(i, Q2):
            value = values.get((i.id, p.label), stored_value(ctx.values, i, p.previous(), None))
            if value is not None:
                rows.append({"quarter": Q2.label, "indicator_id": i.id, "period": p.label, "value": value,
                             "commentary": "Checked."} | changes.get(i.id, {}))  # fmt: skip
    return rows


def _actions(ctx: Context, leave_out: str | None = None, extra: tuple[dict, ...] = ()) -> list[dict]:
    """A status and commentary for each of csvpp's actions (but ``leave_out``), then ``extra`` rows."""
    rows = [ACT | {"action_id": a.id} for a in owed_actions(ctx.plan, "csvpp") if a.id != leave_out]
    return rows + list(extra)


def _accepted(ctx: Context, indicators: list[dict], actions: list[dict]) -> Accepted:
    """Rows numbered from 2 in file order, accepted as validate_return would accept them."""
    rows = [_row("indicator", c, n) for n, c in enumerate(indicators, start=2)]
    rows += [_row("action", c, n) for n, c in enumerate(actions, start=len(rows) + 2)]
    assert all(row_messages(r, ctx) == [] for r in rows), "the rules across rows see only rows that passed"
    accepted = [accepted_row(r, ctx) for r in rows]
    return Accepted(
        [r for r in accepted if "indicator_id" in r], [r for r in accepted if "action_id" in r], from_csv=True
    )


SYV = "serious_youth_violence"
SVO_AUG = ("serious_violence_offences", "Aug 2025")
AT_RISK, EXPLAINED = {"status": "at risk", "commentary": None}, {"commentary": "The venue fell through; moved to May."}
SYV_FIGURES = {(SYV, "Jul 2025"): "165", (SYV, "Aug 2025"): "146", (SYV, "Sep 2025"): "153"}
# rule: (failing (indicators, actions), passing (indicators, actions), words), built from the context
RETURN_CASES = {
    "duplicate_indicators": (
        lambda c: (_complete(c) + [IND], _actions(c)),
        lambda c: (_complete(c) + [ind(ward="Foleshill")], _actions(c)),
        "a second row for the same indicator, period and ward (for the whole city); row 2 already gives it",
    ),
    "duplicate_actions": (
        lambda c: (_complete(c), _actions(c, extra=(ACT,))),
        lambda c: (_complete(c), _actions(c)),
        "a second row for the same action; row 9 already gives it",
    ),
    "figures_missing": (
        lambda c: (_complete(c, {("first_time_entrants", "2025/26 Q2"): None}), _actions(c)),
        lambda c: (_complete(c), _actions(c)),
        "no figure for 'First-time entrants to the youth justice system' for 2025/26 Q2 for the whole city "
        "(no row for it)",
    ),
    "statuses_missing": (
        lambda c: (_complete(c), _actions(c, leave_out="cjs_youth_led")),
        lambda c: (_complete(c), _actions(c)),
        "no status for action 'cjs_youth_led' (no row for it)",
    ),
    "large_changes": (
        lambda c: (_complete(c, {SVO_AUG: "900"}, serious_violence_offences={"commentary": None}), _actions(c)),
        # the warning asks for a comment in the row, and the comment clears it
        lambda c: (_complete(c, {SVO_AUG: "900"}), _actions(c)),
        "'Serious violence offences' for the whole city changed by +357% on May 2025 (197)",
    ),
    "off_target_without_commentary": (
        lambda c: (_complete(c, SYV_FIGURES, **{SYV: {"commentary": None}}), _actions(c)),
        lambda c: (_complete(c, SYV_FIGURES), _actions(c)),
        "'Serious youth violence offences' is off target with these figures",
    ),
    "at_risk_without_commentary": (
        lambda c: (_complete(c), _actions(c, leave_out=ACT["action_id"], extra=(ACT | AT_RISK,))),
        lambda c: (_complete(c), _actions(c, leave_out=ACT["action_id"], extra=(ACT | AT_RISK | EXPLAINED,))),
        "action 'csvpp_education' is At risk and has no commentary",
    ),
    "board_overdue_without_note": (
        lambda c: (_complete(c), _actions(c, extra=(BACT | {"action_id": "A-2025/26-Q1-01", "commentary": None},))),
        lambda c: (
            _complete(c),
            _actions(
                c, extra=(BACT | {"action_id": "A-2025/26-Q1-01", "commentary": "Late: the lead left; due in Q3."},)
            ),
        ),
        "board action A-2025/26-Q1-01 was due in 2025/26 Q2 and is still open, with no note",
    ),
    # csvpp owes rows for its two open board actions (Q1-01 and Q1-04; Q1-03 was closed by the board)
    "board_actions_missing": (
        lambda c: (_complete(c), _actions(c, extra=(BACT,))),
        lambda c: (_complete(c), _actions(c, extra=(BACT, BACT | {"action_id": "A-2025/26-Q1-01"}))),
        "board action A-2025/26-Q1-01 (Review the hotspots.), due in 2025/26 Q2, is not in the return (no row for it)",
    ),
}


@pytest.mark.parametrize("name", list(RETURN_CASES))
def test_return_rule(contexts: dict[str, Context], name: str) -> None:
    failing, passing, words = RETURN_CASES[name]
    ctx = contexts["csvpp"]
    rule = next(r for r in RETURN_RULES if r.name == name)
    messages = rule.check(_accepted(ctx, *failing(ctx)), ctx)
    assert len(messages) == 1, [str(m) for m in messages]
    assert messages[0].severity == rule.severity and words in messages[0].text, messages[0].text
    assert rule.check(_accepted(ctx, *passing(ctx)), ctx) == []
