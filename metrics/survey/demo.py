"""A demonstration survey wave for any plan that declares a survey: invented respondents.

Every respondent here is invented and the wave is flagged demo (:attr:`DemoWave.demo`), so
whatever shows it says so. The wave is drawn from a model population:

- people are spread over the plan's areas by their populations (equally when none is given)
  and over each weighted demographic by its declared population margins;
- each measure's true share is its plan baseline; within that, the share rises with the first
  weighted demographic's categories (declared youngest first, as age bands are) and varies a
  little by area, so the groups differ as real ones do;
- the oldest category answers :data:`OLDEST_RESPONSE_RATIO` times as often as the youngest
  (older residents are over-represented in resident surveys), so the unweighted shares are
  biased and weighting by the declared margins removes the bias.

The file it builds has the declared columns and answer labels, so it goes through the same
reading, weighting and estimates as a real wave.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from metrics.survey.declaration import AreaKind, AreaRef, Survey

DEMO_SEED = 2024  # fixed, so the demo wave is the same on every machine
DEMO_RESPONDENTS = 700  # about the 696 responses of the 2024 resident survey the plan quotes
OLDEST_RESPONSE_RATIO = 3.0  # oldest band's response rate over the youngest's
AGE_EFFECT = 0.35  # log-odds change of a measure per category step of the first demographic
AREA_EFFECT_SD = 0.2  # spread (log-odds) of the areas' own effects on each measure
LEAVES_BASE_SHARE = 0.05  # share answering "Don't know" or similar
NOT_STATED_SHARE = 0.02  # share not giving a demographic answer
DEMO_NOTE = "Demonstration data: invented respondents, not a real survey."


@dataclass(frozen=True)
class DemoWave:
    """An invented wave: the file's rows (declared columns and labels) and the model's truth."""

    frame: pd.DataFrame
    truth: Mapping[str, float]  # measure id -> the model population's percent
    demo: bool = True
    note: str = DEMO_NOTE


def _calibrate(offsets: np.ndarray, share: np.ndarray, target: float) -> np.ndarray:
    """Shares p = expit(c + offsets) whose population mean is ``target``; c by bisection."""
    low, high = -30.0, 30.0
    for _ in range(100):
        mid = (low + high) / 2
        p = 1 / (1 + np.exp(-(mid + offsets)))
        if float(np.sum(share * p)) < target:
            low = mid
        else:
            high = mid
    return 1 / (1 + np.exp(-((low + high) / 2 + offsets)))


class DemoPopulation:
    """The model population of a declared survey: draw as many waves from it as needed."""

    def __init__(
        self,
        survey: Survey,
        baselines: Mapping[str, float],
        areas: Sequence[AreaRef] = (),
        lookup: Mapping[str, str] | None = None,
        seed: int = DEMO_SEED,
    ) -> None:
        self.survey = survey
        rng = np.random.default_rng(seed)
        self.areas = list(areas) if survey.area is not None else []
        area_share = np.array([a.population or 1.0 for a in self.areas] or [1.0], dtype=float)
        self.weighted = [d for d in survey.demographics if d.population is not None]
        dims: list[np.ndarray] = [area_share / area_share.sum()]
        for demo in survey.demographics:
            raw = demo.population or dict.fromkeys(demo.categories, 1.0)
            shares = np.array([raw[c] for c in demo.categories], dtype=float)
            dims.append(shares / shares.sum())
        self.cells = np.array(list(product(*(range(len(d)) for d in dims))), dtype=int)
        self.share = np.prod([dims[k][self.cells[:, k]] for k in range(len(dims))], axis=0)
        bias_dim = 1 + survey.demographics.index(self.weighted[0]) if self.weighted else None
        if bias_dim is not None and len(dims[bias_dim]) > 1:
            step = self.cells[:, bias_dim] / (len(dims[bias_dim]) - 1)
            propensity = np.exp(math.log(OLDEST_RESPONSE_RATIO) * step)
            centred = self.cells[:, bias_dim] - (len(dims[bias_dim]) - 1) / 2
        else:
            propensity = np.ones(len(self.cells))
            centred = np.zeros(len(self.cells))
        self.draw_p = self.share * propensity / np.sum(self.share * propensity)
        self.truth: dict[str, float] = {}
        self.p_count: dict[str, np.ndarray] = {}
        for measure in survey.measures:
            base = min(max(float(baselines.get(measure.id, 50.0)) / 100, 0.01), 0.99)
            area_effect = rng.normal(0, AREA_EFFECT_SD, len(dims[0]))
            offsets = AGE_EFFECT * centred + area_effect[self.cells[:, 0]]
            self.p_count[measure.id] = _calibrate(offsets, self.share, base)
            self.truth[measure.id] = 100 * base
        self.area_values = self._area_values(lookup)

    def _area_values(self, lookup: Mapping[str, str] | None) -> list[str]:
        area = self.survey.area
        if area is None:
            return [""]
        if area.kind == AreaKind.NAME:
            return [a.name for a in self.areas]
        if area.kind == AreaKind.CODE:
            return [a.code for a in self.areas]
        first = {}
        for key, code in (lookup or {}).items():
            first.setdefault(code, key)
        return [first.get(a.code, "") for a in self.areas]

    def draw(self, respondents: int = DEMO_RESPONDENTS, seed: int = DEMO_SEED) -> DemoWave:
        """One wave of ``respondents`` invented people, as the survey's file would hold them."""
        rng = np.random.default_rng(seed)
        picked = rng.choice(len(self.cells), size=respondents, p=self.draw_p)
        cells = self.cells[picked]
        survey = self.survey
        data: dict[str, list[str]] = {}
        if survey.respondent:
            data[survey.respondent] = [f"DEMO-{i + 1:05d}" for i in range(respondents)]
        if survey.area is not None:
            data[survey.area.column] = [self.area_values[i] for i in cells[:, 0]]
        for k, demo in enumerate(survey.demographics, start=1):
            values = [demo.categories[i] for i in cells[:, k]]
            if demo.not_stated:
                hide = rng.random(respondents) < NOT_STATED_SHARE
                values = [demo.not_stated[0] if h else v for v, h in zip(values, hide, strict=True)]
            data[demo.column] = values
        for measure in survey.measures:
            counts = rng.random(respondents) < self.p_count[measure.id][picked]
            leaves = rng.random(respondents) < LEAVES_BASE_SHARE
            no = measure.other or measure.counts
            answers = [
                (measure.leaves_base[rng.integers(len(measure.leaves_base))] if measure.leaves_base else "")
                if out
                else (measure.counts[rng.integers(len(measure.counts))] if c else no[rng.integers(len(no))])
                for c, out in zip(counts, leaves, strict=True)
            ]
            data[measure.question] = answers
        if survey.comment:
            data[survey.comment] = [""] * respondents
        return DemoWave(pd.DataFrame(data), dict(self.truth))


def demo_wave(
    survey: Survey,
    baselines: Mapping[str, float],
    areas: Sequence[AreaRef] = (),
    lookup: Mapping[str, str] | None = None,
    respondents: int = DEMO_RESPONDENTS,
    seed: int = DEMO_SEED,
) -> DemoWave:
    """The demo wave of a declared survey: ``baselines`` maps each measure id to its plan
    baseline (percent); a measure without one is set at 50%."""
    return DemoPopulation(survey, baselines, areas, lookup, seed).draw(respondents, seed)
