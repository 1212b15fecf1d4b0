"""Who was not heard: the people a consultation heard from in each area (or declared group)
against that area's share of the population.

Method. Let N be everyone heard whose area is known, and p the area's share of the population.
If the consultation had heard from people as a random sample of the population would, the
number heard in the area would be Binomial(N, p). For each area we give the count, its share of
N, the population share, the ratio of the two (1 = heard in proportion), and the exact
Clopper-Pearson interval for the share heard. The interval is two-sided at confidence
1 - ALPHA / k, where k is the number of areas compared (Bonferroni): with twenty areas, a 95%
interval each would flag one area in a fair consultation by chance alone. An area is flagged

- ``under-reached`` when the whole interval lies below its population share,
- ``over-represented`` when the whole interval lies above it,
- ``in line`` otherwise, which with few people heard means "too few to tell", not "fine".

The one-sided exact binomial p-value P(X <= x) is shown for the under-reach question. A bare
ratio is not used as a flag: 2 heard where 4 were expected is a ratio of 0.5 and no evidence.

Choices and limits, said wherever the table is shown: people at one event are not independent
draws (a residents' association brings its members), so the intervals are narrower than the
truth and a flag is a prompt to look, not a verdict; an event's participants are counted in the
area where it was held; people whose area is not known are left out of N and counted apart.
No scipy: the binomial tail is summed exactly from log-probabilities and the interval found by
bisection; tests check both against published values.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum

import pandas as pd

from metrics.consultation.record import Activity, Comment

ALPHA = 0.05  # the family-wise error rate across all areas compared
_BISECTIONS = 60  # halvings of [0, 1]: far below any share a table shows
NOT_KNOWN = "(not known)"


class Reach(StrEnum):
    UNDER = "under-reached"
    IN_LINE = "in line"
    OVER = "over-represented"


def binomial_cdf(x: int, n: int, p: float) -> float:
    """P(X <= x) for X ~ Binomial(n, p), summed exactly from log-probabilities."""
    if x < 0:
        return 0.0
    if x >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    base = math.lgamma(n + 1)
    terms = [base - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q for k in range(x + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def _solve(f, target: float, increasing: bool) -> float:  # type: ignore[no-untyped-def]
    lo, hi = 0.0, 1.0
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        if (f(mid) < target) == increasing:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(x: int, n: int, confidence: float = 1 - ALPHA) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval for a proportion x / n."""
    if n <= 0:
        return (0.0, 1.0)
    tail = (1 - confidence) / 2
    # lower: P(X >= x | L) = tail, i.e. 1 - cdf(x - 1; L) rises with L
    low = 0.0 if x == 0 else _solve(lambda q: 1 - binomial_cdf(x - 1, n, q), tail, increasing=True)
    # upper: cdf(x; U) = tail, and cdf falls as U rises
    high = 1.0 if x >= n else _solve(lambda q: binomial_cdf(x, n, q), tail, increasing=False)
    return (low, high)


def participants_by_area(activities: Iterable[Activity]) -> Counter[str]:
    """Participants counted at activities, by the area each was held in (NOT_KNOWN for an
    activity across the whole area); activities without a count are left out."""
    out: Counter[str] = Counter()
    for a in activities:
        if a.participants:
            out[a.area or NOT_KNOWN] += a.participants
    return out


def respondents_by(comments: Iterable[Comment], attribute: str = "area") -> Counter[str]:
    """Comments (one per respondent) by the author's declared area or group."""
    return Counter(getattr(c, attribute) or NOT_KNOWN for c in comments)


def reach_table(
    heard: Mapping[str, int], population: Mapping[str, int], names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """One row per area of ``population`` (in its order): heard, share heard, population share,
    expected, ratio, the interval for the share heard (at 1 - ALPHA / areas), the one-sided
    p-value for under-reach and the flag. People heard in an area missing from ``population``
    (and NOT_KNOWN) are left out of N; :func:`not_placed` counts them."""
    units: Sequence[str] = [u for u, n in population.items() if n and n > 0]
    total_pop = sum(population[u] for u in units)
    n = sum(int(heard.get(u, 0)) for u in units)
    k = max(len(units), 1)
    confidence = 1 - ALPHA / k
    rows = []
    for u in units:
        x = int(heard.get(u, 0))
        p = population[u] / total_pop
        low, high = clopper_pearson(x, n, confidence)
        flag = Reach.UNDER if n and high < p else Reach.OVER if n and low > p else Reach.IN_LINE
        rows.append(
            {
                "area": u,
                "name": (names or {}).get(u, u),
                "heard": x,
                "share_heard": x / n if n else math.nan,
                "population": population[u],  # counts, or shares where a survey declares shares
                "population_share": p,
                "expected": n * p,
                "ratio": (x / n) / p if n else math.nan,
                "low": low,
                "high": high,
                "p_under": binomial_cdf(x, n, p) if n else math.nan,
                "reach": str(flag),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "area", "name", "heard", "share_heard", "population", "population_share",
            "expected", "ratio", "low", "high", "p_under", "reach",
        ],
    )  # fmt: skip


def not_placed(heard: Mapping[str, int], population: Mapping[str, int]) -> int:
    """People heard whose area or group is not known or not among those compared."""
    return sum(int(v) for u, v in heard.items() if not population.get(u))


def method_note(k: int) -> str:
    """The method in one paragraph, for every place the table is shown."""
    return (
        f"Each share heard has an exact (Clopper-Pearson) interval at {100 * (1 - ALPHA / max(k, 1)):.1f}% "
        f"confidence, which keeps the chance of any false flag across all {k} below {ALPHA:.0%} (Bonferroni). "
        "Under-reached means the whole interval lies below the population share. People at one event are "
        "not independent, so treat a flag as a prompt to look, and 'in line' with few people heard as "
        "'too few to tell'."
    )
