"""What a subgroup owes in a quarter's return: which indicators, for which periods (a month,
the quarter or the financial year, as each indicator is recorded), and which actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.plan.model import Action, Frequency, Indicator, Plan
from metrics.quarters import FinancialYear, Quarter

# An indicator's frequency in the plan -> the kind of period its figures are stored for.
PERIOD_TYPES = {"monthly": "month", "quarterly": "quarter", "annual": "year"}


@dataclass(frozen=True)
class Period:
    """A period a figure covers: a month, a quarter or a financial year, from its first day."""

    kind: str  # month | quarter | year
    start: date

    @property
    def label(self) -> str:
        """How the period is written in a return: 'Apr 2025', '2025/26 Q1' or '2025/26'."""
        if self.kind == "month":
            return f"{self.start:%b %Y}"
        if self.kind == "quarter":
            return Quarter.of(self.start).label
        return FinancialYear.of(self.start).label

    def previous(self) -> Period:
        """The period a figure is compared with: the month three months before (the same
        month of last quarter), the previous quarter, or the previous year."""
        if self.kind == "month":
            index = self.start.year * 12 + self.start.month - 1 - 3
            return Period("month", date(index // 12, index % 12 + 1, 1))
        if self.kind == "quarter":
            return Period("quarter", Quarter.of(self.start).previous().start)
        return Period("year", date(self.start.year - 1, 4, 1))


def owed_periods(ind: Indicator, quarter: Quarter) -> list[Period]:
    """The periods an indicator's figure is owed for in a quarter's return: its three months,
    the quarter, or (annual indicators, in the Q4 return only) the financial year."""
    if ind.frequency == Frequency.MONTHLY:
        return [Period("month", m) for m in quarter.months()]
    if ind.frequency == Frequency.QUARTERLY:
        return [Period("quarter", quarter.start)]
    return [Period("year", quarter.year.start)] if quarter.number == 4 else []


def owed_indicators(plan: Plan, subgroup_id: str, quarter: Quarter) -> list[Indicator]:
    """The subgroup's indicators that owe a figure in this quarter's return, in plan order."""
    return [i for i in plan.indicators if i.owner == subgroup_id and owed_periods(i, quarter)]


def owed_actions(plan: Plan, subgroup_id: str) -> list[Action]:
    """The subgroup's actions, each owed a status every quarter, in plan order."""
    return [a for a in plan.actions if a.owner == subgroup_id]


def stored_value(values: pd.DataFrame, ind: Indicator, period: Period, ward: str | None) -> float | None:
    """The figure held for an indicator, period and ward (None: the whole area) in a frame of
    stored indicator values, or None when there is none."""
    rows = values[
        (values["indicator_id"] == ind.id)
        & (values["period_type"] == period.kind)
        & (values["period_start"] == pd.Timestamp(period.start))
    ]
    rows = rows[rows["ward_code"].isna()] if ward is None else rows[rows["ward_code"] == ward]
    return None if rows.empty else float(rows["value"].iloc[0])
