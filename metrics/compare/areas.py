"""The comparison of a partnership's local areas: each area's count over a period as a rate per
1,000 residents in a funnel centred on the whole partnership's rate, with its limits and
judgement, as one table shared by the area explorer, its downloads and the command line.

Pure: it takes the per-area counts (the explorer's ``WardView.wards`` frame) and returns a
frozen record; it reads no store.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.compare.funnel import CompareError, Judgement, RateFunnel, rate_funnel
from metrics.compare.peers import PeerComparison

# The table's columns, in order: what the page shows and the downloads write. Area columns keep
# the names the other police.uk downloads use (ward_code, ward_name), a format people script against.
COLUMNS = (
    "ward_code",
    "ward_name",
    "count",
    "population",
    "population_is_estimate",
    "rate_per_1000_residents",
    "expected_count",
    "lower_99_8",
    "lower_95",
    "upper_95",
    "upper_99_8",
    "judgement",
)
# What a league table reader should know, said beside the ranking wherever it is offered.
RANKING_NOTE = (
    "A ranking puts every {one} in an order even when the differences are no more than chance, and small "
    "{many} move most from one period to the next. Use the funnel plot's judgement to say whether a {one} "
    "differs from the {kind} as a whole."
)


@dataclass(frozen=True)
class AreaComparison:
    """Every area against the partnership's rate for one choice of months and crime types."""

    funnel: RateFunnel | None  # None when no funnel can be drawn (see ``reason``)
    table: pd.DataFrame  # COLUMNS plus ``highlight``, one row per area with a population, highest rate first
    left_out: tuple[str, ...]  # names of areas without a population: no rate, so not compared
    reason: str  # why there is no funnel, when there is none
    overdispersion_asked: bool  # whether the limits were asked to allow for overdispersion

    @property
    def counts(self) -> dict[Judgement, int]:
        """How many areas have each judgement."""
        found = self.table["judgement"].value_counts()
        return {j: int(found.get(str(j), 0)) for j in Judgement}


def area_comparison(wards: pd.DataFrame, *, overdispersion: bool = False) -> AreaComparison:
    """The funnel comparison of areas. ``wards``: one row per area with ward_code, ward_name,
    count, population (missing when the plan has none), estimated and, optionally, highlight
    (areas the reader chose). Areas without a population are left out and named."""
    has_people = wards["population"].notna() & (wards["population"].fillna(0) > 0)
    known = wards[has_people].reset_index(drop=True)
    left_out = tuple(wards.loc[~has_people, "ward_name"])
    highlight = known["highlight"] if "highlight" in known else pd.Series(False, index=known.index)
    empty = pd.DataFrame(columns=[*COLUMNS, "highlight"])
    if known.empty:
        return AreaComparison(None, empty, left_out, "no area has a population in the plan file", overdispersion)
    try:
        result = rate_funnel(
            known["count"].astype(float).tolist(),
            known["population"].astype(float).tolist(),
            labels=known["ward_name"].tolist(),
            overdispersion=overdispersion,
        )
    except CompareError:
        return AreaComparison(None, empty, left_out, "no incidents match the choice", overdispersion)
    rows = [
        {
            "ward_code": code,
            "ward_name": u.label,
            "count": int(u.count),
            "population": int(u.population),
            "population_is_estimate": "yes" if estimated else "no",
            "rate_per_1000_residents": u.rate,
            "expected_count": u.expected,
            "lower_99_8": u.limits.lower_998,
            "lower_95": u.limits.lower_95,
            "upper_95": u.limits.upper_95,
            "upper_99_8": u.limits.upper_998,
            "judgement": str(u.judgement),
            "highlight": bool(chosen),
        }
        for code, estimated, chosen, u in zip(
            known["ward_code"], known["estimated"], highlight, result.units, strict=True
        )
    ]
    table = pd.DataFrame(rows).sort_values("rate_per_1000_residents", ascending=False, kind="stable")
    return AreaComparison(result, table.reset_index(drop=True), left_out, "", overdispersion)


def method_note(comparison: AreaComparison | PeerComparison, *, one: str, many: str, whole: str) -> str:
    """One paragraph saying how the limits were drawn and how sure the judgement is: for the page's
    caption and a download's About block."""
    result = comparison.funnel
    if result is None:
        return f"No comparison: {comparison.reason}."
    text = (
        f"Each rate is drawn against its residents, with limits at 95% and 99.8% around the rate for {whole} "
        f"({result.centre:.2f} per thousand residents): exact Poisson limits at each {one}'s population. "
        "Only rates outside the 99.8% limits are called higher or lower than expected; about 1 in 500 "
        "would fall outside by chance."
    )
    phi = result.dispersion.phi
    if result.adjusted:
        text += (
            f" The {many} differ more than chance alone would make them (dispersion phi {phi:.1f}), and the limits "
            "are widened to allow for it, in place of the exact limits (Spiegelhalter 2005: square-root scale, "
            f"winsorised at 10%, additive between-area variance tau2 {result.dispersion.tau2:.4f})."
        )
    elif comparison.overdispersion_asked:
        text += f" The {many} differ no more than chance would make them (phi {phi:.2f}), so no widening is needed."
    elif phi > 1 and result.dispersion.tau2 > 0:
        text += (
            f" The {many} differ more than chance alone would make them (dispersion phi {phi:.1f}); the limits "
            "are not widened for it, so some differences flagged here may be lasting features of the "
            f"{many} (a centre that draws visitors) rather than something new."
        )
    return text
