"""Funnel plots: which units differ from the centre by more than chance, following
Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Stat Med 24:1185.

Three kinds of measure, one footing:

- ``funnel``: indirectly standardised ratios, observed / expected (O/E), centre 1;
- ``rate_funnel``: counts against populations as rates per 1,000, centre the whole
  partnership's rate (a rate funnel is a ratio funnel with expected = centre rate x population);
- ``proportion_funnel``: proportions against their (effective) base, on the arcsine scale.

Each returns a frozen result: every unit's value, z-score, 95% and 99.8% limits at its own size,
and a judgement (outside the 99.8% limits: "higher than expected" or "lower than expected"),
plus the dispersion phi, the between-unit variance tau^2 and whether the limits were widened by
them. ``docs/compare.md`` names every choice and why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from metrics.compare.distributions import gamma_quantile, normal_quantile

# The two pairs of limits Spiegelhalter (2005) recommends and Fingertips and FunnelPlotR draw:
# 95% ("about 2 standard deviations": 1 in 20 units outside by chance) and 99.8% ("about
# 3 standard deviations": 1 in 500). Judgements use the outer pair, so that in a partnership of
# twenty areas a false alarm is rare.
INNER_COVERAGE = 0.95
OUTER_COVERAGE = 0.998
INNER_Z = normal_quantile(1 - (1 - INNER_COVERAGE) / 2)  # 1.959964
OUTER_Z = normal_quantile(1 - (1 - OUTER_COVERAGE) / 2)  # 3.090232
# Winsorising before estimating phi: the 10% most extreme z-scores at each end are pulled in
# to the 10th and 90th percentiles (Spiegelhalter 2005 section 3.2; FunnelPlotR's trim_by).
WINSOR_FRACTION = 0.1
PER = 1000  # rates are per 1,000 residents, as the area explorer shows them


class Judgement(StrEnum):
    """Where a unit sits against the 99.8% limits at its size."""

    HIGHER = "higher than expected"
    WITHIN = "within expected range"
    LOWER = "lower than expected"


class CompareError(ValueError):
    """Input a funnel cannot be drawn from; the message names every unit that is wrong."""


@dataclass(frozen=True)
class Limits:
    """Control limits at one unit's size, on the scale of the measure (ratio, rate or proportion)."""

    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float

    def judge(self, value: float) -> Judgement:
        """A value above the upper 99.8% limit is higher than expected, below the lower one lower."""
        if value > self.upper_998:
            return Judgement.HIGHER
        if value < self.lower_998:
            return Judgement.LOWER
        return Judgement.WITHIN

    def scaled(self, factor: float) -> Limits:
        return Limits(*(factor * v for v in (self.lower_95, self.upper_95, self.lower_998, self.upper_998)))


@dataclass(frozen=True)
class Dispersion:
    """How much more than chance the units differ (Spiegelhalter 2005 section 3.2)."""

    phi: float  # mean of the winsorised squared z-scores; about 1 when units differ by chance only
    tau2: float  # DerSimonian-Laird additive between-unit variance, on the transformed scale
    adjusted: bool  # whether the limits include tau2 (asked for, and tau2 > 0)


class _Dispersed:
    """phi, tau2 and whether the limits use them, read from a result's ``dispersion``."""

    dispersion: Dispersion

    @property
    def phi(self) -> float:
        return self.dispersion.phi

    @property
    def tau2(self) -> float:
        return self.dispersion.tau2

    @property
    def adjusted(self) -> bool:
        return self.dispersion.adjusted


@dataclass(frozen=True)
class RatioUnit:
    """One unit of an O/E funnel."""

    label: str
    observed: float
    expected: float
    ratio: float  # observed / expected
    z: float  # against the limits in use: 2(sqrt O - sqrt E), or with tau2 (sqrt ratio - 1) / sqrt(1/4E + tau2)
    limits: Limits  # ratio scale
    judgement: Judgement


@dataclass(frozen=True)
class RatioFunnel(_Dispersed):
    """An O/E funnel: the units, the dispersion, and the limits as a function of expected count."""

    units: tuple[RatioUnit, ...]
    dispersion: Dispersion

    def limits_at(self, expected: float) -> Limits:
        """The ratio limits a unit with this expected count would have (for drawing the funnel)."""
        return _ratio_limits(expected, self.tau2 if self.adjusted else 0.0)


@dataclass(frozen=True)
class RateUnit:
    """One area of a rate funnel: its count, residents and rate per 1,000 against the limits."""

    label: str
    count: float
    population: float
    rate: float  # per 1,000 residents
    expected: float  # the count at the centre rate: centre / 1,000 x population
    z: float
    limits: Limits  # per 1,000 residents
    judgement: Judgement


@dataclass(frozen=True)
class RateFunnel(_Dispersed):
    """Rates per 1,000 against population, centred on the whole partnership's rate."""

    units: tuple[RateUnit, ...]
    centre: float  # the partnership's rate per 1,000: all counts / all residents
    dispersion: Dispersion
    per: int = PER

    def limits_at(self, population: float) -> Limits:
        """The rate limits an area with this many residents would have."""
        expected = self.centre / self.per * population
        return _ratio_limits(expected, self.tau2 if self.adjusted else 0.0).scaled(self.centre)

    def frame(self) -> pd.DataFrame:
        """One row per area, for tables and downloads."""
        return pd.DataFrame(
            [
                {
                    "label": u.label,
                    "count": u.count,
                    "population": u.population,
                    "rate": u.rate,
                    "expected": u.expected,
                    "z": u.z,
                    "lower_998": u.limits.lower_998,
                    "lower_95": u.limits.lower_95,
                    "upper_95": u.limits.upper_95,
                    "upper_998": u.limits.upper_998,
                    "judgement": str(u.judgement),
                }
                for u in self.units
            ]
        )


@dataclass(frozen=True)
class ProportionUnit:
    """One unit of a proportion funnel (a survey measure in one area, say)."""

    label: str
    proportion: float  # 0..1
    base: float  # respondents (or the weighted base) behind the proportion
    effective_base: float  # the base the variance uses: Kish's effective base for weighted data
    z: float  # on the arcsine scale, against the limits in use
    limits: Limits  # proportion scale, 0..1
    judgement: Judgement


@dataclass(frozen=True)
class ProportionFunnel(_Dispersed):
    """Proportions against their effective base, centred on the overall proportion."""

    units: tuple[ProportionUnit, ...]
    centre: float  # base-weighted mean proportion
    dispersion: Dispersion

    def limits_at(self, effective_base: float) -> Limits:
        """The proportion limits a unit with this effective base would have."""
        return _arcsine_limits(self.centre, effective_base, self.tau2 if self.adjusted else 0.0)


# --- the ratio funnel --------------------------------------------------------------------------


def exact_poisson_count_limits(expected: float) -> Limits:
    """Exact Poisson limits on a count whose expected value is ``expected`` (the chi-square
    relation, as FunnelPlotR and Fingertips): lower = chi2(alpha/2; 2E) / 2 and upper =
    chi2(1 - alpha/2; 2E + 2) / 2, that is the gamma(E) and gamma(E + 1) quantiles."""
    if expected <= 0:
        raise ValueError(f"exact Poisson limits need an expected count above 0, not {expected}")
    inner, outer = (1 - INNER_COVERAGE) / 2, (1 - OUTER_COVERAGE) / 2
    return Limits(
        lower_95=gamma_quantile(inner, expected),
        upper_95=gamma_quantile(1 - inner, expected + 1),
        lower_998=gamma_quantile(outer, expected),
        upper_998=gamma_quantile(1 - outer, expected + 1),
    )


def _ratio_limits(expected: float, tau2: float) -> Limits:
    """Ratio limits at an expected count: exact Poisson without tau2; with it, Spiegelhalter's
    square-root scale, 1 +/- z sqrt(1/4E + tau2), squared back (a negative lower end is 0)."""
    if tau2 <= 0:
        return exact_poisson_count_limits(expected).scaled(1.0 / expected)
    spread = math.sqrt(1.0 / (4.0 * expected) + tau2)

    def back(z: float) -> float:
        root = 1.0 + z * spread
        return root * root if root > 0 else 0.0

    return Limits(back(-INNER_Z), back(INNER_Z), back(-OUTER_Z), back(OUTER_Z))


def winsorise(z: np.ndarray, fraction: float = WINSOR_FRACTION) -> np.ndarray:
    """Pull z-scores beyond the ``fraction`` and ``1 - fraction`` quantiles in to those quantiles
    (quantiles by linear interpolation between order statistics: R's type 7, as FunnelPlotR)."""
    low, high = np.quantile(z, [fraction, 1 - fraction])
    return np.clip(z, low, high)


def dispersion(z: Sequence[float], weights: Sequence[float], *, adjust: bool) -> Dispersion:
    """phi from the winsorised z-scores and the DerSimonian-Laird tau^2 from the weights
    w = 1 / s^2: tau2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w)). No
    overdispersion (n phi <= n - 1) gives tau2 = 0 and unadjusted limits."""
    zs = np.asarray(z, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = len(zs)
    if n == 0:
        return Dispersion(phi=math.nan, tau2=0.0, adjusted=False)
    phi = float(np.mean(winsorise(zs) ** 2))
    spread = float(w.sum() - (w**2).sum() / w.sum())
    excess = n * phi - (n - 1)
    tau2 = excess / spread if excess > 0 and spread > 0 else 0.0
    return Dispersion(phi=phi, tau2=tau2, adjusted=adjust and tau2 > 0)


def _labels(labels: Sequence[str] | None, n: int) -> list[str]:
    if labels is None:
        return [str(i + 1) for i in range(n)]
    if len(labels) != n:
        raise CompareError(f"{len(labels)} labels for {n} units: give one label per unit")
    return [str(x) for x in labels]


def _check(name: str, values: Sequence[float], labels: list[str], rule: str, ok: Callable[[float], bool]) -> list[str]:
    """One problem line per unit whose value fails ``ok``."""
    return [
        f"{label}: {name} is {v!r}; it must be {rule}" for label, v in zip(labels, values, strict=True) if not ok(v)
    ]


def _finite(v: float) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v)


def _raise_all(problems: list[str], what: str) -> None:
    if problems:
        raise CompareError(f"Cannot draw the {what} funnel: " + "; ".join(problems) + ".")


def funnel(
    observed: Sequence[float],
    expected: Sequence[float],
    *,
    overdispersion: bool = False,
    labels: Sequence[str] | None = None,
) -> RatioFunnel:
    """Each unit's ratio O/E, its z-score and its 95% and 99.8% limits at its expected count.

    Without ``overdispersion`` the limits are exact Poisson. With it, z-scores on the square-root
    scale, z = 2(sqrt O - sqrt E), are winsorised at 10% each tail, phi is their mean square,
    and tau^2 (DerSimonian-Laird, weights w = 4E) widens the limits; when phi shows no
    overdispersion the limits stay exact Poisson. phi and tau^2 are reported either way."""
    obs = [float(v) if _finite(v) else v for v in observed]
    exp = [float(v) if _finite(v) else v for v in expected]
    if len(obs) != len(exp):
        raise CompareError(f"{len(obs)} observed counts but {len(exp)} expected counts: give one of each per unit")
    names = _labels(labels, len(obs))
    _raise_all(
        _check("the observed count", obs, names, "a number of 0 or more", lambda v: _finite(v) and v >= 0)
        + _check("the expected count", exp, names, "a number above 0", lambda v: _finite(v) and v > 0),
        "ratio",
    )
    z_raw = [2.0 * (math.sqrt(o) - math.sqrt(e)) for o, e in zip(obs, exp, strict=True)]
    found = dispersion(z_raw, [4.0 * e for e in exp], adjust=overdispersion)
    tau2 = found.tau2 if found.adjusted else 0.0
    units = []
    for label, o, e, z in zip(names, obs, exp, z_raw, strict=True):
        ratio = o / e
        limits = _ratio_limits(e, tau2)
        if tau2 > 0:
            z = (math.sqrt(ratio) - 1.0) / math.sqrt(1.0 / (4.0 * e) + tau2)
        units.append(RatioUnit(label, o, e, ratio, z, limits, limits.judge(ratio)))
    return RatioFunnel(units=tuple(units), dispersion=found)


def rate_funnel(
    counts: Sequence[float],
    populations: Sequence[float],
    *,
    overdispersion: bool = False,
    labels: Sequence[str] | None = None,
    per: int = PER,
) -> RateFunnel:
    """Rates per ``per`` residents against population, centred on the rate of all units together
    (all counts / all residents): each area's expected count is the centre rate times its
    residents, and its limits are the ratio funnel's (exact Poisson on counts) times the centre."""
    names = _labels(labels, len(counts))
    if len(counts) != len(populations):
        raise CompareError(f"{len(counts)} counts but {len(populations)} populations: give one of each per area")
    _raise_all(
        _check("the count", counts, names, "a number of 0 or more", lambda v: _finite(v) and v >= 0)
        + _check("the population", populations, names, "a number of residents above 0", lambda v: _finite(v) and v > 0),
        "rate",
    )
    total_count, total_pop = float(sum(counts)), float(sum(populations))
    centre = total_count / total_pop * per
    if total_count == 0:
        raise CompareError("Cannot draw the rate funnel: no area has any count, so there is no rate to compare with.")
    expected = [centre / per * p for p in populations]
    ratios = funnel(counts, expected, overdispersion=overdispersion, labels=names)
    units = tuple(
        RateUnit(u.label, u.observed, float(p), u.ratio * centre, u.expected, u.z, u.limits.scaled(centre), u.judgement)
        for u, p in zip(ratios.units, populations, strict=True)
    )
    return RateFunnel(units=units, centre=centre, dispersion=ratios.dispersion, per=per)


# --- the proportion funnel ---------------------------------------------------------------------


def _arcsine_limits(centre: float, effective_base: float, tau2: float) -> Limits:
    """sin^2(asin(sqrt p0) +/- z sqrt(1/4n + tau2)), held inside 0..pi/2 so the limits stay in 0..1."""
    target = math.asin(math.sqrt(centre))
    spread = math.sqrt(1.0 / (4.0 * effective_base) + tau2)

    def back(z: float) -> float:
        return math.sin(min(max(target + z * spread, 0.0), math.pi / 2)) ** 2

    return Limits(back(-INNER_Z), back(INNER_Z), back(-OUTER_Z), back(OUTER_Z))


def proportion_funnel(
    proportions: Sequence[float],
    bases: Sequence[float],
    *,
    effective_bases: Sequence[float] | None = None,
    overdispersion: bool = False,
    labels: Sequence[str] | None = None,
) -> ProportionFunnel:
    """Proportions (0..1) against their bases on the arcsine scale, y = asin(sqrt p), whose
    variance 1/(4n) does not depend on p and which is defined at 0% and 100%.

    The centre is the base-weighted mean proportion. ``effective_bases`` (Kish's
    (sum w)^2 / sum w^2 for weighted survey data, never above the base) set the variance; without
    them the bases do. The adjustment is the ratio funnel's, with weights w = 4 n_eff."""
    names = _labels(labels, len(proportions))
    eff = list(bases) if effective_bases is None else list(effective_bases)
    if not len(proportions) == len(bases) == len(eff):
        raise CompareError(
            f"{len(proportions)} proportions, {len(bases)} bases and {len(eff)} effective bases: "
            "give one of each per unit"
        )
    problems = _check("the proportion", proportions, names, "between 0 and 1", lambda v: _finite(v) and 0 <= v <= 1)
    problems += _check("the base", bases, names, "a number above 0", lambda v: _finite(v) and v > 0)
    problems += _check("the effective base", eff, names, "a number above 0", lambda v: _finite(v) and v > 0)
    problems += [
        f"{label}: the effective base {e!r} is larger than the base {b!r}; an effective base is never larger"
        for label, e, b in zip(names, eff, bases, strict=True)
        if _finite(e) and _finite(b) and e > b
    ]
    _raise_all(problems, "proportion")
    centre = float(sum(p * b for p, b in zip(proportions, bases, strict=True)) / sum(bases))
    target = math.asin(math.sqrt(centre))
    z_raw = [(math.asin(math.sqrt(p)) - target) * 2.0 * math.sqrt(n) for p, n in zip(proportions, eff, strict=True)]
    found = dispersion(z_raw, [4.0 * n for n in eff], adjust=overdispersion)
    tau2 = found.tau2 if found.adjusted else 0.0
    units = []
    for label, p, b, n in zip(names, proportions, bases, eff, strict=True):
        limits = _arcsine_limits(centre, n, tau2)
        z = (math.asin(math.sqrt(p)) - target) / math.sqrt(1.0 / (4.0 * n) + tau2)
        units.append(ProportionUnit(label, float(p), float(b), float(n), z, limits, limits.judge(p)))
    return ProportionFunnel(units=tuple(units), centre=centre, dispersion=found)
