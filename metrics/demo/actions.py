"""Demo board actions, so that the action log, the follow-up blocks and the board pack show the
whole flow on first start: actions raised at the meeting reviewing the quarter before the last
demo quarter (one updated by the last quarter's return, one closed by it, one left overdue), and
an action and a decision raised at the last quarter's meeting. All flagged demo; all recorded
through :func:`metrics.board.action_log.record`, and updated through the demo returns, exactly as a
board officer and a lead would.

The indicators they arise from are the plan's own exceptions in the demo data (the first ones
the exception report lists), so nothing here names a partnership.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from metrics.board.actions import ActionDraft, ActionView, owed_in_return
from metrics.board.exceptions import exception_report, review_all
from metrics.plan.model import Indicator, Plan
from metrics.quarters import Quarter

DEMO_OFFICER = "Board officer (demo)"
MEETING_DAYS_AFTER_QUARTER = 45  # a board meets about six weeks after the quarter it reviews


@dataclass(frozen=True)
class DemoAction:
    """One demo action: the draft, when the meeting recorded it, and how the last demo
    quarter's return reports on it (status word and note; None: it raises no row)."""

    draft: ActionDraft
    recorded_at: datetime
    return_status: str | None
    return_note: str | None


def meeting_time(quarter: Quarter) -> datetime:
    """When the demo board met to review ``quarter``."""
    day = quarter.end + timedelta(days=MEETING_DAYS_AFTER_QUARTER)
    return datetime(day.year, day.month, day.day, 18, 0)


def _exception_indicators(plan: Plan, values: pd.DataFrame, quarter: Quarter) -> list[Indicator]:
    """The indicators the exception report lists for the quarter, then the rest of the plan's
    (so a plan whose demo shows no exception still gets demo actions)."""
    listed = [r.indicator for r in exception_report(review_all(plan, values, quarter))]
    return listed + [i for i in plan.indicators if i not in listed]


def demo_actions(plan: Plan, values: pd.DataFrame) -> list[DemoAction]:
    """The demo actions in the order they are recorded (their references follow that order)."""
    last = plan.settings.demo_last_quarter
    before = last.previous()
    first, second = (_exception_indicators(plan, values, before) * 2)[:2]
    latest = _exception_indicators(plan, values, last)[0]

    def draft(ind: Indicator, raised: Quarter, due: Quarter | None, text: str, kind: str = "action") -> ActionDraft:
        note = "Demo decision: generated, not a real board decision." if kind == "decision" else None
        return ActionDraft(kind, text, "indicator", ind.id, ind.owner, raised, due, note)

    return [
        DemoAction(
            draft(first, before, last, f"Find out what is behind the change in '{first.name}' and report back (demo)."),
            meeting_time(before),
            "On track",
            "Demo update: the analysis is half done; the partners' data arrived late, so it will report next quarter.",
        ),
        DemoAction(
            draft(second, before, last.next(), f"Agree a recovery plan for '{second.name}' with the partners (demo)."),
            meeting_time(before),
            "Complete",
            "Demo update: recovery plan agreed with the partners and in place.",
        ),
        DemoAction(
            draft(first, before, before, f"Check the recording of '{first.name}' with the data owner (demo)."),
            meeting_time(before),
            "Not started",
            "Demo update: not started; the data owner's team is short-staffed until next quarter.",
        ),
        DemoAction(
            draft(latest, last, last.next(), f"Bring a deep dive on '{latest.name}' to the next meeting (demo)."),
            meeting_time(last),
            None,
            None,
        ),
        DemoAction(
            draft(
                latest, last, None, f"Keep '{latest.name}' on the exception list until it recovers (demo).", "decision"
            ),
            meeting_time(last),
            None,
            None,
        ),
    ]


def demo_return_rows(
    actions: list[DemoAction], views: list[ActionView], subgroup_id: str, quarter: Quarter
) -> list[dict]:
    """The board action rows a demo return for ``quarter`` holds (the template's shape), filled
    in as each demo action says."""
    script = {a.draft.text: a for a in actions}
    rows = []
    for view in owed_in_return(views, subgroup_id, quarter):
        demo = script.get(view.action.text)
        if demo is None or demo.return_status is None:
            continue
        rows.append(
            {
                "quarter": quarter.label,
                "action_id": view.reference,
                "action": view.action.text,
                "last_status": view.status.word,
                "status": demo.return_status,
                "commentary": demo.return_note,
                "contact": None,
            }
        )
    return rows
