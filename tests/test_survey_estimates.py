"""Survey weights, estimates, intervals and judgements against reference values.

Reference values were computed once on the fixed data below with established implementations
and are hard-coded here (neither library is needed to run the tests):

- Wilson intervals: statsmodels 0.15.0, ``statsmodels.stats.proportion.proportion_confint(count,
  nobs, alpha=0.05, method="wilson")``, with count = p * n_eff and nobs = n_eff for weighted data;
- Newcombe differences: statsmodels 0.15.0, ``confint_proportions_2indep(count_after, n_after,
  count_before, n_before, method="newcomb", compare="diff")``;
- raked weights: samplics 0.6 ``SampleWeight().rake(np.ones(12), margins, control=...)`` with
  tol=ctrl_tol=1e-12, rounded to 6 decimals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from metrics.survey import (
    AreaRef,
    Change,
    Demographic,
    Estimate,
    Measure,
    Survey,
    TargetVerdict,
    check_table,
    compare_waves,
    demo_wave,
    design_effect,
    difference_interval,
    estimates_frame,
    format_estimate,
    frame_table,
    judge_target,
    kish_effective_base,
    rake,
    survey_estimates,
    survey_from_dict,
    wilson_interval,
)
from metrics.survey.estimates import COLUMNS, estimate_measure

FIXTURE = Path(__file__).parent / "fixtures" / "survey" / "resident.yaml"
RESIDENT = survey_from_dict(yaml.safe_load(FIXTURE.read_text(encoding="utf-8")))
AREAS = (
    AreaRef("E05900001", "Northfield", 30000),
    AreaRef("E05900002", "Southgate", 25000),
    AreaRef("E05900003", "Eastbrook", 25000),
    AreaRef("E05900004", "Westmere", 20000),
)
MEASURE = Measure("unsafe", "Unsafe at night", "Q", counts=("Disagree",), other=("Agree",), leaves_base=("Don't know",))

# samplics 0.6 raking of 12 respondents (3 young, 4 mid, 5 old; sexes below) to age 40/35/25 and
# sex 52/48 percent (see the module docstring).
AGES = ["young"] * 3 + ["mid"] * 4 + ["old"] * 5
SEXES = ["F", "M", "F", "F", "M", "M", "F", "F", "M", "F", "M", "F"]
SAMPLICS_WEIGHTS = [
    1.434441,
    1.931117,
    1.434441,
    0.895045,
    1.204955,
    1.204955,
    0.895045,
    0.527009,
    0.709486,
    0.527009,
    0.709486,
    0.527009,
]
COUNTING = [0, 1, 3, 4, 7, 10]  # the respondents answering "Disagree"
SMALL = Survey(
    "small",
    "Twelve respondents",
    (MEASURE,),
    demographics=(
        Demographic("age", "Age", ("young", "mid", "old"), {"young": 40, "mid": 35, "old": 25}),
        Demographic("sex", "Sex", ("F", "M"), {"F": 52, "M": 48}),
    ),
)


def small_frame() -> pd.DataFrame:
    answers = ["Disagree" if i in COUNTING else "Agree" for i in range(12)]
    return pd.DataFrame({"age": AGES, "sex": SEXES, "unsafe": answers}, dtype="string")


@pytest.mark.parametrize(
    ("p", "n", "lower", "upper"),
    [
        (0.632, 696, 0.5955382908287943, 0.6670126022115064),
        (440 / 696, 696, 0.5957249003513857, 0.6671917898230707),
        (0.6, 696, 0.5631513539882147, 0.6357508377089827),
        (0.0, 60, 0.0, 0.060171852142089886),  # stays sensible at 0%: no zero-width interval
        (1 / 80, 80, 0.0022099755204522745, 0.06746270077668667),
        (0.02, 120.5, 0.006098858846727329, 0.0635597964629577),  # a fractional (effective) base
    ],
)
def test_wilson_interval_matches_statsmodels(p: float, n: float, lower: float, upper: float) -> None:
    assert wilson_interval(p, n) == pytest.approx((lower, upper), abs=1e-12)


def test_the_696_response_example() -> None:
    """The plan's 2024 survey: 696 responses, a proportion near 60% is +-3.6 points."""
    lower, upper = wilson_interval(0.6, 696)
    assert round(100 * (upper - lower) / 2, 1) == 3.6
    answers = pd.Series(["Disagree"] * 440 + ["Agree"] * 256 + ["Don't know"] * 20, dtype="string")
    estimate = estimate_measure(answers, pd.Series(np.ones(716)), MEASURE)
    assert estimate.unweighted_base == 696 and estimate.effective_base == pytest.approx(696)
    assert format_estimate(estimate) == "63.2% (59.6-66.7%), 696 responses"


def test_kish_effective_base_and_design_effect_by_hand() -> None:
    # weights 1, 1, 2, 4: (sum w)^2 / sum w^2 = 64 / 22; deff = 4 * 22 / 64 = 1 + var/mean^2 = 1 + 1.5/4
    assert kish_effective_base([1, 1, 2, 4]) == pytest.approx(64 / 22)
    assert design_effect([1, 1, 2, 4]) == pytest.approx(1.375)
    assert kish_effective_base(np.ones(10)) == pytest.approx(10) and design_effect(np.ones(10)) == 1


def test_raking_reproduces_samplics_weights_and_the_margins() -> None:
    weighted = rake(small_frame(), SMALL)
    assert weighted.weights.to_numpy() == pytest.approx(SAMPLICS_WEIGHTS, abs=1e-5)
    for check in weighted.report.margins:
        assert check.weighted_share == pytest.approx(check.population_share, abs=1e-6), check
    report = weighted.report
    assert report.variables == ("age", "sex") and report.converged and report.trimmed == 0
    assert report.design_effect == pytest.approx(1.1825383331282449, abs=1e-5)
    assert report.effective_base == pytest.approx(10.147662586341388, abs=1e-4)
    assert report.summary().startswith("Raked to age, sex: design effect 1.18, effective base 10 of 12")


def test_weighted_estimate_uses_wilson_on_the_effective_base() -> None:
    frame = small_frame()
    estimate = estimate_measure(frame["unsafe"], pd.Series(SAMPLICS_WEIGHTS), MEASURE, min_base=1)
    assert estimate.estimate == pytest.approx(55.85045097507516, abs=1e-9)
    assert estimate.effective_base == pytest.approx(10.147662586341388, abs=1e-9)
    assert (estimate.lower, estimate.upper) == pytest.approx((28.173029293548585, 80.31476643651587), abs=1e-9)


def test_trimming_caps_weights_and_says_the_margin_is_missed() -> None:
    frame = pd.DataFrame({"age": ["young"] + ["old"] * 59, "unsafe": ["Agree"] * 60}, dtype="string")
    survey = Survey(
        "t", "Trim", (MEASURE,), demographics=(Demographic("age", "Age", ("young", "old"), {"young": 30, "old": 70}),)
    )
    report = rake(frame, survey).report
    assert report.trimmed == 1 and report.largest == pytest.approx(5.0, abs=0.01)
    assert any("the cap of 5 stops an exact fit" in note for note in report.notes), report.notes


def test_not_stated_keeps_its_sample_share_and_an_empty_category_is_noted() -> None:
    frame = pd.DataFrame(
        {"age": ["young", "young", "Prefer not to say", "old"] * 10 + ["old"] * 10, "unsafe": ["Agree"] * 50},
        dtype="string",
    )
    survey = Survey(
        "t", "Not stated", (MEASURE,),
        demographics=(Demographic("age", "Age", ("young", "mid", "old"), {"young": 40, "mid": 20, "old": 40}),),
    )  # fmt: skip
    weighted = rake(frame, survey)
    shares = {c.category: c.weighted_share for c in weighted.report.margins}
    assert shares["(not stated)"] == pytest.approx(10 / 50)
    assert shares["young"] == pytest.approx(0.8 * 0.5) and shares["old"] == pytest.approx(0.8 * 0.5)
    assert any("No respondent in age 'mid'" in note for note in weighted.report.notes)


def test_suppression_below_min_base_shows_no_figure() -> None:
    few = pd.Series(["Disagree"] * 20 + ["Agree"] * 29 + ["Don't know"] * 5, dtype="string")
    estimate = estimate_measure(few, pd.Series(np.ones(54)), MEASURE)
    assert estimate.suppressed and estimate.unweighted_base == 49
    assert (estimate.estimate, estimate.lower, estimate.upper) == (None, None, None)
    assert format_estimate(estimate) == "too few responses (fewer than 50)"
    enough = pd.Series(["Disagree"] * 20 + ["Agree"] * 30, dtype="string")
    assert not estimate_measure(enough, pd.Series(np.ones(50)), MEASURE).suppressed
    assert judge_target(estimate, 60, "lower") == TargetVerdict.TOO_FEW


def wave(p: float, n_eff: float) -> Estimate:
    return Estimate("unsafe", "all", "All", 100 * p, None, None, round(n_eff), n_eff, False)


def test_change_between_waves_uses_newcombe_on_both_effective_bases() -> None:
    before = wave(0.632, 580.4)
    noise, real = wave(0.581, 612.7), wave(0.55, 612.7)
    assert difference_interval(before, noise)[1:] == pytest.approx((-10.59493755486545, 0.4467101570372445), abs=1e-9)
    assert difference_interval(before, real)[1:] == pytest.approx((-13.70415793702068, -2.6174982645525834), abs=1e-9)
    assert compare_waves(before, noise, "lower") == Change.NO_CHANGE  # 5.1 points of noise
    assert compare_waves(before, real, "lower") == Change.BETTER
    assert compare_waves(before, real, "higher") == Change.WORSE
    assert compare_waves(before, wave(0.62, 400), "higher") == Change.NO_CHANGE


def test_target_is_met_or_missed_only_when_the_interval_is_on_one_side() -> None:
    estimate = Estimate("unsafe", "all", "All", 63.2, 59.6, 66.7, 696, 696.0, False)
    assert judge_target(estimate, 58, "lower") == TargetVerdict.MISSED
    assert judge_target(estimate, 70, "lower") == TargetVerdict.MET
    assert judge_target(estimate, 62, "lower") == TargetVerdict.NOT_DISTINGUISHABLE
    assert judge_target(estimate, 58, "higher") == TargetVerdict.MET
    assert judge_target(estimate, 70, "higher") == TargetVerdict.MISSED


@pytest.fixture(scope="module")
def demo_estimates() -> tuple:
    baselines = {"unsafe_at_night": 63.2, "victim_or_know": 43.8}
    generated = demo_wave(RESIDENT, baselines, AREAS)
    reading = check_table(frame_table(generated.frame, "demo.csv"), RESIDENT, AREAS)
    weighted = rake(reading.respondents, RESIDENT, AREAS)
    return generated, reading, weighted, survey_estimates(reading.respondents, weighted.weights, RESIDENT, AREAS)


def test_demo_wave_is_flagged_and_weighting_corrects_its_age_bias(demo_estimates: tuple) -> None:
    generated, reading, weighted, estimates = demo_estimates
    assert generated.demo and "Demonstration data" in generated.note
    assert reading.ok and len(reading.respondents) == 700
    old = (reading.respondents["age_band"] == "55+").mean()
    assert old > 0.45  # 32% of the population; older residents answer more often
    weighted_old = weighted.weights[reading.respondents["age_band"] == "55+"].sum() / weighted.weights.sum()
    assert weighted_old == pytest.approx(
        0.32 * (1 - (reading.respondents["age_band"] == "Prefer not to say").mean()), abs=1e-4
    )
    overall = {e.measure: e for e in estimates if e.group_kind == "all"}
    for measure_id, truth in generated.truth.items():
        answers = reading.respondents[measure_id]
        counts = answers.isin(RESIDENT.measure(measure_id).counts).sum()
        unweighted = (
            100 * counts / answers.isin(RESIDENT.measure(measure_id).counts + RESIDENT.measure(measure_id).other).sum()
        )
        assert abs(overall[measure_id].estimate - truth) < abs(unweighted - truth), measure_id
        assert overall[measure_id].lower < truth < overall[measure_id].upper


def test_estimates_table_lists_every_area_and_group(demo_estimates: tuple) -> None:
    *_, estimates = demo_estimates
    table = estimates_frame(estimates, "resident", "2025 (demo)")
    assert tuple(table.columns) == COLUMNS
    kinds = table.groupby("measure")["group_kind"].value_counts().unstack()
    assert kinds.loc["unsafe_at_night"].to_dict() == {"age_band": 3, "all": 1, "area": 4, "sex": 2}
    suppressed = table[table["suppressed"]]
    assert suppressed["estimate"].isna().all()
    assert (table.loc[~table["suppressed"], "unweighted_base"] >= 50).all()
