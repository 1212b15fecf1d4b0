"""How complete a quarter is: which indicators have a figure for it, which are awaited and
from whom, and which quarter the board pages open on.

A quarter whose returns have only partly arrived must never look clean: counts of exceptions
over 7 of 25 indicators read as if the other 18 were fine. So every board view and the pack say
how many indicators have a figure, and list the awaited ones by their owner. The board pages
open on the latest *complete* quarter: the latest whose share of indicators with a figure
reaches ``settings.complete_quarter_share`` in the plan file. A partial quarter can still be
chosen, and is marked partial wherever it is shown.

Pure functions on the plan and on stored values; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.board.status import IndicatorStatus, summarise
from metrics.plan.model import Plan
from metrics.quarters import Quarter

# How far back the default looks for a complete quarter before settling for the latest one:
# a new partnership's first returns may never reach the threshold, and summarising years of
# quarters on every first page view would cost seconds for nothing.
MAX_QUARTERS_BACK = 8


@dataclass(frozen=True)
class Awaited:
    """One owner's indicators that have no figure for the quarter (names, as people read them)."""

    owner_id: str
    owner_name: str
    indicators: tuple[str, ...]  # indicator names, in plan order


@dataclass(frozen=True)
class Completeness:
    """How many of the plan's indicators have a figure for a quarter."""

    quarter: Quarter
    reported: int
    total: int
    awaited: tuple[Awaited, ...]  # by owner, in the plan's subgroup order
    threshold: float  # the plan's complete_quarter_share

    @property
    def share(self) -> float:
        return self.reported / self.total if self.total else 0.0

    @property
    def is_partial(self) -> bool:
        """Below the plan's threshold: shown, but marked partial wherever it appears."""
        return self.share < self.threshold

    @property
    def awaited_count(self) -> int:
        return self.total - self.reported

    @property
    def headline(self) -> str:
        """One line for a page or the pack's cover, e.g.
        'Partial quarter: 7 of 25 indicators have a figure; 18 awaited from 4 owners.'"""
        have = f"{self.reported} of {self.total} indicators have a figure for {self.quarter.label}"
        if not self.awaited:
            return f"Complete quarter: {have}."
        owners = len(self.awaited)
        awaited = f"{self.awaited_count} awaited from {owners} owner{'' if owners == 1 else 's'}"
        return f"{'Partial' if self.is_partial else 'Complete'} quarter: {have}; {awaited}."

    def awaited_lines(self) -> list[str]:
        """'Owner: indicator, indicator' for each owner with a figure still awaited."""
        return [f"{a.owner_name}: {', '.join(a.indicators)}" for a in self.awaited]

    def label(self) -> str:
        """The quarter as a picker or title shows it: '2025/26 Q3 (partial, 7 of 25)'."""
        if self.is_partial:
            return f"{self.quarter.label} (partial, {self.reported} of {self.total})"
        return self.quarter.label


def completeness_of(plan: Plan, statuses: list[IndicatorStatus]) -> Completeness:
    """The completeness of the quarter the statuses are for (citywide: one status per indicator).
    An indicator has a figure when its status has a value; an annual indicator showing its latest
    year counts, as the board reads that figure for the quarter."""
    if not statuses:
        raise ValueError("completeness_of needs the statuses of at least one indicator")
    missing = [s.indicator for s in statuses if s.value.value is None]
    awaited = []
    for subgroup in plan.subgroups:
        names = tuple(i.name for i in missing if i.owner == subgroup.id)
        if names:
            awaited.append(Awaited(subgroup.id, subgroup.name, names))
    return Completeness(
        statuses[0].quarter,
        len(statuses) - len(missing),
        len(statuses),
        tuple(awaited),
        plan.settings.complete_quarter_share,
    )


def quarter_completeness(plan: Plan, values: pd.DataFrame, quarter: Quarter) -> Completeness:
    """How complete one quarter is, from the stored values."""
    return completeness_of(plan, summarise(plan, values, quarter))


def default_quarter(plan: Plan, values: pd.DataFrame, quarters: list[Quarter]) -> Quarter | None:
    """The quarter the board pages open on: the latest complete one (see the module docstring),
    or, if none of the latest ``MAX_QUARTERS_BACK`` is complete, the latest with any data.
    ``quarters`` oldest first; they are summarised newest first until one is complete."""
    for quarter in list(reversed(quarters))[:MAX_QUARTERS_BACK]:
        if not quarter_completeness(plan, values, quarter).is_partial:
            return quarter
    return quarters[-1] if quarters else None
