"""Weights for a survey wave: raking to the population margins the plan declares, with trimming.

Raking (iterative proportional fitting, Deming and Stephan 1940) adjusts each respondent's
weight until the weighted sample matches every declared margin at once: the areas' Census
populations, and each demographic (age band, sex ...) whose population the plan gives. The
iterations are weightipy's RIM engine (a maintained fork of Quantipy's), not written here;
this module builds its targets, reads its result and reports on it.

Choices (docs/survey.md gives the reasons):

- Trimming: no weight may exceed :data:`WEIGHT_CAP` times the mean weight; weightipy re-rakes
  after each cap, so the margins are met as closely as the cap allows (reported).
- A respondent who did not state a weighting variable ("Prefer not to say", blank, or no area)
  is kept in a "not stated" category whose target is its own sample share: the stated
  categories share the rest in their population proportions.
- A category with no respondents cannot be weighted up: it is left out and the others are
  rescaled, with a note saying so.
- The design effect is Kish's 1 + CV^2 of the weights, and the effective base n / deff.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.survey.declaration import AreaRef, Survey

WEIGHT_CAP = 5.0  # largest weight as a multiple of the mean: anesrake's default cap, a common trim
NOT_STATED = "(not stated)"  # the category of a respondent who did not give a weighting variable
MARGIN_TOLERANCE = 0.005  # a weighted share further than half a point from its target is reported
AREA = "area"


@dataclass(frozen=True)
class MarginCheck:
    """One margin after weighting: its population share, the sample's, and the weighted one."""

    variable: str
    category: str
    population_share: float
    sample_share: float
    weighted_share: float


@dataclass(frozen=True)
class WeightingReport:
    """What the weighting did, for the analyst and the method note."""

    respondents: int
    variables: tuple[str, ...]
    cap: float
    trimmed: int  # respondents whose weight was cut to the cap
    design_effect: float
    effective_base: float
    smallest: float
    largest: float
    converged: bool
    notes: tuple[str, ...]
    margins: tuple[MarginCheck, ...]

    def summary(self) -> str:
        """One sentence: design effect, effective base, trimming."""
        if not self.variables:
            return f"Unweighted: {self.respondents} responses."
        return (
            f"Raked to {', '.join(self.variables)}: design effect {self.design_effect:.2f}, "
            f"effective base {self.effective_base:.0f} of {self.respondents} responses; weights "
            f"{self.smallest:.2f}-{self.largest:.2f} times the mean, capped at {self.cap:g} "
            f"({self.trimmed} trimmed)."
        )


@dataclass(frozen=True)
class Weighted:
    """Each respondent's weight (mean 1, aligned to the frame's index) and the report."""

    weights: pd.Series
    report: WeightingReport


def kish_effective_base(weights: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's effective sample size: (sum w)^2 / sum w^2 (0 for no weights)."""
    w = np.asarray(weights, dtype=float)
    square_sum = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / square_sum if square_sum > 0 else 0.0


def design_effect(weights: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's design effect of unequal weights, 1 + CV^2 (CV with the population variance)."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return 1.0
    return 1.0 + float(np.var(w)) / float(np.mean(w)) ** 2


def _populations(survey: Survey, areas: Sequence[AreaRef]) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Each weighted variable's population by category, and notes on what is not weighted."""
    populations: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    if survey.area is not None and survey.area.weight:
        missing = [a.name for a in areas if a.population is None]
        if missing or not areas:
            notes.append(f"Not weighted by area: no population for {', '.join(missing) or 'any area'}.")
        else:
            populations[AREA] = {a.code: float(a.population or 0) for a in areas}
    for demo in survey.demographics:
        if demo.population is not None:
            populations[demo.id] = {c: float(v) for c, v in demo.population.items()}
    return populations, notes


def _targets(column: pd.Series, population: dict[str, float], variable: str, notes: list[str]) -> dict[str, float]:
    """weightipy's targets (percent by category) for one variable, as the module docstring says."""
    counts = column.value_counts()
    n = len(column)
    total = sum(population.values())
    absent = [c for c, v in population.items() if v > 0 and counts.get(c, 0) == 0]
    for category in absent:
        notes.append(
            f"No respondent in {variable} {category!r} ({population[category] / total:.1%} of the "
            "population): its share is spread over the other categories."
        )
    kept = {c: v for c, v in population.items() if c not in absent and v > 0}
    not_stated = int(counts.get(NOT_STATED, 0))
    stated_share = 1.0 - not_stated / n
    kept_total = sum(kept.values())
    targets = {c: 100.0 * stated_share * v / kept_total for c, v in kept.items()}
    if not_stated:
        targets[NOT_STATED] = 100.0 * not_stated / n
    return targets


def _coded(frame: pd.DataFrame, populations: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The weighting variables as plain text, unknown or blank values as NOT_STATED."""
    coded = {}
    for variable, population in populations.items():
        values = frame[variable].astype(object).where(frame[variable].notna(), "")
        coded[variable] = [v if v in population else NOT_STATED for v in values]
    return pd.DataFrame(coded, index=frame.index)


def rake(
    frame: pd.DataFrame,
    survey: Survey,
    areas: Sequence[AreaRef] = (),
    cap: float = WEIGHT_CAP,
) -> Weighted:
    """Rake a wave's respondents (as :func:`metrics.survey.reading.read_survey` returns them) to
    the declared margins; weights have mean 1 and follow ``frame``'s index."""
    import weightipy

    populations, notes = _populations(survey, areas)
    n = len(frame)
    if n == 0 or not populations:
        weights = pd.Series(1.0, index=frame.index, name="weight")
        if n and not populations:
            notes.append("No population margins declared: the estimates are unweighted.")
        report = WeightingReport(n, (), cap, 0, 1.0, float(n), 1.0, 1.0, True, tuple(notes), ())
        return Weighted(weights, report)
    coded = _coded(frame, populations)
    targets = {v: _targets(coded[v], p, v, notes) for v, p in populations.items()}
    scheme = weightipy.scheme_from_dict(targets, name="survey", rim_params={"cap": cap})
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # weightipy prints convergence warnings
        weighted = weightipy.weight_dataframe(coded, scheme, weight_column="weight")
    weights = weighted["weight"].reindex(frame.index).astype(float)
    weights = weights / weights.mean()
    converged = "converge" not in printed.getvalue().lower()  # it prints only when it did not
    if not converged:
        notes.append("Raking did not fully converge: " + " ".join(printed.getvalue().split()))
    checks = []
    for variable, target in targets.items():
        sample = coded[variable].value_counts(normalize=True)
        by_category = weights.groupby(coded[variable]).sum() / weights.sum()
        for category, share in target.items():
            check = MarginCheck(
                variable, category, share / 100, float(sample.get(category, 0.0)), float(by_category.get(category, 0.0))
            )
            checks.append(check)
            if abs(check.weighted_share - check.population_share) > MARGIN_TOLERANCE:
                notes.append(
                    f"{variable} {category!r}: weighted {check.weighted_share:.1%}, population "
                    f"{check.population_share:.1%} (the cap of {cap:g} stops an exact fit)."
                )
    trimmed = int(np.sum(weights.to_numpy() >= cap - 1e-3))
    report = WeightingReport(
        respondents=n,
        variables=tuple(populations),
        cap=cap,
        trimmed=trimmed,
        design_effect=design_effect(weights),
        effective_base=kish_effective_base(weights),
        smallest=float(weights.min()),
        largest=float(weights.max()),
        converged=converged,
        notes=tuple(notes),
        margins=tuple(checks),
    )
    return Weighted(weights.rename("weight"), report)
