"""The returns tracker: for a quarter, what each subgroup owes, what it has submitted, what is
still missing, and whether it is overdue against the deadline rule in config.yaml
(``settings.returns.deadline_working_days`` working days after the quarter ends, skipping
weekends and the listed bank holidays)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from metrics.icons import StatusIcon
from metrics.plan.model import Plan
from metrics.quarters import Quarter
from metrics.returns.obligations import owed_actions, owed_indicators, owed_periods
from metrics.store import Store
from metrics.store import returns as return_store


class SubmissionStatus(StatusIcon):
    """Where a subgroup's return for a quarter stands against the deadline: the tracker page,
    the board pack and the tracker's table all use these words, symbols and colours.
    ``is_overdue``: past the deadline and still incomplete or not submitted."""

    SUBMITTED = ("submitted", "Submitted", "✔", "#1b6e3a", 5)
    SUBMITTED_LATE = ("submitted_late", "Submitted late", "✔", "#1b6e3a", 4)
    INCOMPLETE = ("incomplete", "Incomplete", "◐", "#a15c00", 2)
    INCOMPLETE_OVERDUE = ("incomplete_overdue", "Incomplete, overdue", "✖", "#b3261e", 1)
    NOT_YET_DUE = ("not_yet_due", "Not yet due", "○", "#5f6368", 6)
    DUE = ("due", "Due", "▲", "#a15c00", 3)
    OVERDUE = ("overdue", "Overdue", "✖", "#b3261e", 0)

    @property
    def is_overdue(self) -> bool:
        return self in (SubmissionStatus.OVERDUE, SubmissionStatus.INCOMPLETE_OVERDUE)


COLUMNS = [
    "subgroup_id",
    "subgroup_name",
    "indicators_owed",
    "indicators_submitted",
    "actions_owed",
    "actions_submitted",
    "version",
    "submitted_at",
    "submitted_by",
    "is_demo",
    "missing",
    "deadline",
    "overdue",
    "status",
]


def deadline(plan: Plan, quarter: Quarter) -> date:
    """The day a quarter's return is due: the configured number of working days after the
    quarter's last day."""
    rule = plan.settings.returns
    holidays = set(rule.bank_holidays)
    day = quarter.end
    left = rule.deadline_working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


ACTION_WORDS_SHOWN = 60  # characters of an action's text a "still missing" list shows


def short_text(text: str, limit: int = ACTION_WORDS_SHOWN) -> str:
    """An action's text cut at a word boundary for a list of many (the full text is in the plan)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def submission_status(plan: Plan, store: Store, quarter: Quarter, today: date) -> pd.DataFrame:
    """One row per subgroup, in plan order: what it owes for the quarter, what its latest
    accepted version holds (version, when, by whom), what is still missing (plain text, empty
    when nothing is), the deadline and a status: the word of a ``SubmissionStatus`` (Submitted, Submitted late,
    Incomplete, Incomplete overdue, Not yet due: the quarter has not ended, Due: ended, within
    the deadline, or Overdue)."""
    start = str(quarter.start)
    latest = return_store.submissions(store, quarter_start=start)
    latest = latest[latest["is_latest"]].set_index("subgroup_id") if not latest.empty else latest
    ind_rows, act_rows = return_store.latest_return_rows(store, start)
    due = deadline(plan, quarter)
    out = []
    for sub in plan.subgroups:
        indicators = owed_indicators(plan, sub.id, quarter)
        actions = owed_actions(plan, sub.id)
        has = sub.id in latest.index if not latest.empty else False
        mine = ind_rows[(ind_rows["subgroup_id"] == sub.id) & ind_rows["value"].notna() & ind_rows["ward_code"].isna()]
        given = {(r.indicator_id, pd.Timestamp(r.period_start).date()) for r in mine.itertuples(index=False)}
        missing_ind = []
        for ind in indicators:
            gaps = [p.label for p in owed_periods(ind, quarter) if (ind.id, p.start) not in given]
            if gaps:
                months = "" if len(gaps) == len(owed_periods(ind, quarter)) else f" ({', '.join(gaps)})"
                missing_ind.append(ind.name + months)
        reported = set(act_rows[(act_rows["subgroup_id"] == sub.id) & act_rows["status"].notna()]["action_id"])
        # Names, not ids: the tracker and the pack are read by people (the id stays in the store).
        missing_act = [short_text(a.text) for a in actions if a.id not in reported]
        missing = []
        if missing_ind:
            missing.append("Indicators: " + "; ".join(missing_ind))
        if missing_act:
            missing.append(f"Action updates ({len(missing_act)}): " + "; ".join(missing_act))
        row = latest.loc[sub.id] if has else None
        submitted_at = pd.Timestamp(row["submitted_at"]) if has else pd.NaT
        complete = has and not missing
        late = today > due
        if complete:
            status = SubmissionStatus.SUBMITTED_LATE if submitted_at.date() > due else SubmissionStatus.SUBMITTED
        elif has:
            status = SubmissionStatus.INCOMPLETE_OVERDUE if late else SubmissionStatus.INCOMPLETE
        elif today <= quarter.end:
            status = SubmissionStatus.NOT_YET_DUE
        else:
            status = SubmissionStatus.OVERDUE if late else SubmissionStatus.DUE
        out.append(
            {
                "subgroup_id": sub.id,
                "subgroup_name": sub.name,
                "indicators_owed": len(indicators),
                "indicators_submitted": len(indicators) - len(missing_ind),
                "actions_owed": len(actions),
                "actions_submitted": len(actions) - len(missing_act),
                "version": int(row["version"]) if has else None,
                "submitted_at": submitted_at,
                "submitted_by": row["submitted_by"] if has else None,
                "is_demo": bool(row["is_demo"]) if has else False,
                "missing": "; ".join(missing),
                "deadline": due,
                "overdue": status.is_overdue,
                "status": status.word,  # words in the table (and in a CSV of it); from_word() reads back
            }
        )
    frame = pd.DataFrame(out, columns=COLUMNS)
    frame["version"] = frame["version"].astype("Int64")
    return frame
