"""The partnership beside its peers: other partnerships' rates per 1,000 residents in a funnel
centred on the rate of all of them together, with the partnership's judgement, and its monthly
rate against the peers' mean and spread (interquartile range).

Pure: it takes each partnership's monthly counts and residents (``PeerUnit``, read by
:func:`metrics.police.peers.peer_inputs`) and returns a frozen record, one table shared by the
Strategic Assessment page, the board pack and ``compare peers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.compare.funnel import PER, CompareError, Judgement, RateFunnel, rate_funnel

COLUMNS = (
    "partnership_code",
    "partnership_name",
    "this_partnership",
    "count",
    "population",
    "rate_per_1000_residents",
    "expected_count",
    "lower_99_8",
    "lower_95",
    "upper_95",
    "upper_99_8",
    "judgement",
)
TREND_COLUMNS = ("month", "rate", "peers_mean", "peers_lower_quartile", "peers_upper_quartile", "peers")
SPREAD_MINIMUM = 4  # peers needed before their interquartile range is drawn: with fewer it says little


@dataclass(frozen=True)
class PeerUnit:
    """One partnership: its code, name, residents and count per month (in the comparison's months)."""

    code: str
    name: str
    population: float
    monthly: tuple[int, ...]

    @property
    def count(self) -> int:
        return int(sum(self.monthly))


@dataclass(frozen=True)
class PeerComparison:
    """The partnership beside its peers for one choice of months and crime types."""

    own: str  # the partnership's name
    funnel: RateFunnel | None  # None when there is nothing to compare (see ``reason``)
    table: pd.DataFrame  # COLUMNS, one row per partnership, highest rate first
    trend: pd.DataFrame  # TREND_COLUMNS, one row per month: rates per 1,000 residents
    months: tuple[str, ...]
    reason: str
    overdispersion_asked: bool

    @property
    def judgement(self) -> Judgement | None:
        """The partnership's own judgement against the funnel's limits."""
        if self.funnel is None:
            return None
        return next(u.judgement for u in self.funnel.units if u.label == self.own)

    @property
    def peers(self) -> int:
        return max(len(self.table) - 1, 0)

    @property
    def spread_shown(self) -> bool:
        """Whether there are enough peers for their interquartile range to mean something."""
        return self.peers >= SPREAD_MINIMUM


def no_comparison(own: str, months: Sequence[str], reason: str, overdispersion: bool = False) -> PeerComparison:
    """A comparison with nothing to show, saying why."""
    return PeerComparison(
        own,
        None,
        pd.DataFrame(columns=list(COLUMNS)),
        pd.DataFrame(columns=list(TREND_COLUMNS)),
        tuple(months),
        reason,
        overdispersion,
    )


def peer_trend(own: PeerUnit, peers: Sequence[PeerUnit], months: Sequence[str], per: int = PER) -> pd.DataFrame:
    """Per month: the partnership's rate per ``per`` residents, and the peers' mean rate (each
    partnership counts once, whatever its size) with their lower and upper quartiles (linear
    interpolation between order statistics, R's type 7)."""
    rates = np.array([[c / p.population * per for c in p.monthly] for p in peers], dtype=float).reshape(
        len(peers), len(months)
    )
    rows = []
    for i, month in enumerate(months):
        column = rates[:, i]
        rows.append(
            {
                "month": month,
                "rate": own.monthly[i] / own.population * per,
                "peers_mean": float(column.mean()) if len(peers) else np.nan,
                "peers_lower_quartile": float(np.quantile(column, 0.25)) if len(peers) else np.nan,
                "peers_upper_quartile": float(np.quantile(column, 0.75)) if len(peers) else np.nan,
                "peers": len(peers),
            }
        )
    return pd.DataFrame(rows, columns=list(TREND_COLUMNS))


def peer_comparison(
    own: PeerUnit, peers: Sequence[PeerUnit], months: Sequence[str], *, overdispersion: bool = False
) -> PeerComparison:
    """The partnership and its peers in a rate funnel (rate per 1,000 residents against residents,
    centred on all of them together; exact Poisson limits, widened for overdispersion only when
    asked and present), and the monthly trend against the peers' mean and spread."""
    if not peers:
        return no_comparison(own.name, months, "no other partnership's data is held for these months", overdispersion)
    units = [own, *peers]
    try:
        result = rate_funnel(
            [float(u.count) for u in units],
            [u.population for u in units],
            labels=[u.name for u in units],
            overdispersion=overdispersion,
        )
    except CompareError:
        return no_comparison(own.name, months, "no incidents match the choice", overdispersion)
    rows = [
        {
            "partnership_code": unit.code,
            "partnership_name": unit.name,
            "this_partnership": "yes" if unit is own else "no",
            "count": unit.count,
            "population": int(unit.population),
            "rate_per_1000_residents": u.rate,
            "expected_count": u.expected,
            "lower_99_8": u.limits.lower_998,
            "lower_95": u.limits.lower_95,
            "upper_95": u.limits.upper_95,
            "upper_99_8": u.limits.upper_998,
            "judgement": str(u.judgement),
        }
        for unit, u in zip(units, result.units, strict=True)
    ]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table = table.sort_values("rate_per_1000_residents", ascending=False, kind="stable").reset_index(drop=True)
    return PeerComparison(own.name, result, table, peer_trend(own, peers, months), tuple(months), "", overdispersion)


def peer_sentence(comparison: PeerComparison) -> str:
    """The comparison in one plain sentence, for the page, the pack and the command line."""
    if comparison.funnel is None:
        return f"No comparison with other partnerships: {comparison.reason}."
    row = comparison.table[comparison.table["this_partnership"] == "yes"].iloc[0]
    span = f"{comparison.months[0]} to {comparison.months[-1]}"
    return (
        f"{comparison.own}: {row['rate_per_1000_residents']:,.1f} per 1,000 residents ({span}), against "
        f"{comparison.funnel.centre:,.1f} for the {len(comparison.table)} partnerships together: "
        f"{comparison.judgement} (99.8% limits {row['lower_99_8']:,.1f} to {row['upper_99_8']:,.1f})."
    )
