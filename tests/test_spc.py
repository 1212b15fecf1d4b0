"""The XmR chart and its rules, table-driven: every rule, every edge the issue lists."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.board.spc import (
    BEYOND_LIMITS,
    RUN,
    TREND,
    TWO_IN_THREE,
    Assurance,
    SpcRules,
    Variation,
    assurance,
    mean_moving_range,
    variation,
    xmr,
)

ONLY = {
    BEYOND_LIMITS: dict(beyond_limits=True, trend_length=0, two_in_three=False, run_length=0),
    TREND: dict(beyond_limits=False, trend_length=7, two_in_three=False, run_length=0),
    TWO_IN_THREE: dict(beyond_limits=False, trend_length=0, two_in_three=True, run_length=0),
    RUN: dict(beyond_limits=False, trend_length=0, two_in_three=False, run_length=7),
}


def frame(values, targets=None) -> pd.DataFrame:
    out = pd.DataFrame({"period": [f"P{i:02d}" for i in range(len(values))], "value": values})
    if targets is not None:
        out["target"] = targets
    return out


def flagged(chart) -> dict[int, str]:
    return {i: r for i, r in enumerate(chart.points["rule"]) if r}


# (case, values, rule under test or None for all rules, expected {point index: rule})
RULE_CASES = [
    ("beyond upper limit", [10, 11] * 5 + [10, 25], BEYOND_LIMITS, {11: BEYOND_LIMITS}),
    ("beyond lower limit", [10, 11] * 5 + [10, -3], BEYOND_LIMITS, {11: BEYOND_LIMITS}),
    ("a point on a limit is not beyond it", [10, 12] * 6, BEYOND_LIMITS, {}),
    ("run of 7 below then 7 above", [5, 6] * 3 + [5] + [8, 9] * 3 + [8], RUN, {i: RUN for i in range(14)}),
    ("run of 6 is not a run", [5, 6, 5, 6, 5, 6, 9, 8, 9, 8, 9, 8], RUN, {}),
    ("a point on the mean breaks a run", [6] * 6 + [7] + [8] * 6, RUN, {}),
    ("rising trend of 7", [4, 6, 4, 6, 1, 2, 3, 4, 5, 6, 7], TREND, {i: TREND for i in range(4, 11)}),
    ("falling trend of 7", [4, 6, 4, 6, 7, 6, 5, 4, 3, 2, 1], TREND, {i: TREND for i in range(4, 11)}),
    ("an equal value breaks a trend", [4, 6, 4, 6, 1, 2, 3, 3, 4, 5, 6], TREND, {}),
    ("six rising points are not a trend", [4, 6, 4, 6, 4, 1, 2, 3, 4, 5, 6], TREND, {}),
    (
        "two of three beyond 2 sigma, same side",
        [0, 1] * 10 + [3.2, 0, 3.2],
        TWO_IN_THREE,
        {20: TWO_IN_THREE, 22: TWO_IN_THREE},
    ),
    ("two of three on opposite sides do not count", [0, 1] * 10 + [3.2, 0, -2], TWO_IN_THREE, {}),
    ("all equal: no signal of any kind", [5.0] * 12, None, {}),
    (
        "precedence: beyond limits over trend",
        [5, 9] * 4 + [1, 2, 3, 4, 5, 6, 40],
        None,
        {**{i: TREND for i in range(8, 14)}, 14: BEYOND_LIMITS},
    ),
]


@pytest.mark.parametrize(("case", "values", "rule", "expected"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_rules(case, values, rule, expected):
    rules = SpcRules(screen_moving_ranges=False, **(ONLY[rule] if rule else {}))
    chart = xmr(frame(values), "lower", rules)
    assert chart.has_limits
    assert flagged(chart) == expected


def test_limits_are_mean_plus_minus_2_66_mean_moving_range():
    chart = xmr(frame([10, 12, 11, 13, 12, 14]), rules=SpcRules(screen_moving_ranges=False))
    mr_bar = (2 + 1 + 2 + 1 + 2) / 5
    row = chart.points.iloc[0]
    assert row["mean"] == pytest.approx(12)
    assert row["upper"] == pytest.approx(12 + 2.66 * mr_bar)
    assert row["lower"] == pytest.approx(12 - 2.66 * mr_bar)
    assert math.isnan(chart.points["moving_range"].iloc[0])
    assert chart.points["moving_range"].iloc[1] == 2


@pytest.mark.parametrize(
    ("screen", "expected_mr_bar"),
    [(False, (9 * 1 + 20) / 10), (True, 1.0)],
    ids=["unscreened", "screened"],
)
def test_screening_removes_large_moving_ranges_from_the_mean_moving_range_only(screen, expected_mr_bar):
    ranges = pd.Series([float("nan")] + [1.0] * 9 + [20.0])
    assert mean_moving_range(ranges, screen) == pytest.approx(expected_mr_bar)
    values = [10, 11] * 5 + [31]
    chart = xmr(frame(values), rules=SpcRules(screen_moving_ranges=screen))
    # the point stays in the mean either way
    assert chart.points["mean"].iloc[0] == pytest.approx(sum(values) / len(values))


def test_screening_can_reveal_a_signal():
    values = [10, 11] * 6 + [30, 10]
    plain = xmr(frame(values), rules=SpcRules(screen_moving_ranges=False, **ONLY[BEYOND_LIMITS]))
    screened = xmr(frame(values), rules=SpcRules(screen_moving_ranges=True, **ONLY[BEYOND_LIMITS]))
    assert plain.points["upper"].iloc[0] > screened.points["upper"].iloc[0]
    assert flagged(screened) == {12: BEYOND_LIMITS}


@pytest.mark.parametrize(
    ("n", "has_limits", "provisional", "why"),
    [
        (0, False, False, "Only 0 points"),
        (1, False, False, "Only 1 point:"),
        (5, False, False, "need at least 6"),
        (6, True, True, "fewer than 12"),
        (11, True, True, "fewer than 12"),
        (12, True, False, ""),
    ],
)
def test_too_few_points_and_provisional_limits(n, has_limits, provisional, why):
    chart = xmr(frame([10 + (i % 3) for i in range(n)]), "lower", SpcRules(min_points=6, provisional_below=12))
    assert chart.has_limits is has_limits
    assert chart.provisional is provisional
    assert why in chart.reason
    if not has_limits:
        assert variation(chart) is Variation.TOO_FEW
        assert assurance(chart, 5) is Assurance.NONE
        assert chart.points["upper"].isna().all()


def test_rebasing_recalculates_from_the_declared_point():
    values = [10, 11] * 6 + [20, 21] * 6
    periods = frame(values)["period"]
    plain = xmr(frame(values), "lower", SpcRules())
    rebased = xmr(frame(values), "lower", SpcRules(rebase_at=(periods[12],)))
    assert plain.points["segment"].nunique() == 1
    assert len(flagged(plain)) == 24  # one mean across a step change: every point signals
    assert list(rebased.points["segment"]) == [0] * 12 + [1] * 12
    assert rebased.points["mean"].iloc[0] == pytest.approx(10.5)
    assert rebased.points["mean"].iloc[-1] == pytest.approx(20.5)
    assert flagged(rebased) == {}
    assert rebased.pending_rebase == ()


@pytest.mark.parametrize(("after", "rebased"), [(2, False), (6, False), (11, False), (12, True)])
def test_a_rebase_waits_until_its_limits_would_not_be_provisional(after, rebased):
    values = [10, 11] * 6 + [20, 21] * 6
    values = values[: 12 + after]
    periods = frame(values)["period"]
    chart = xmr(frame(values), "lower", SpcRules(min_points=6, provisional_below=12, rebase_at=(periods[12],)))
    assert chart.points["segment"].nunique() == (2 if rebased else 1)
    assert chart.pending_rebase == (() if rebased else (periods[12],))
    assert not chart.provisional


def test_improvement_and_concern_on_one_series():
    values = [5, 6] * 3 + [5] + [8, 9] * 3 + [8]  # a low run then a high run
    lower_is_better = xmr(frame(values), "lower", SpcRules(**ONLY[RUN]))
    assert set(lower_is_better.points["signal"].iloc[:7]) == {"improvement"}
    assert set(lower_is_better.points["signal"].iloc[7:]) == {"concern"}
    assert variation(lower_is_better) is Variation.CONCERN_HIGH
    assert variation(lower_is_better, ["P00", "P01"]) is Variation.IMPROVEMENT_LOW
    higher_is_better = xmr(frame(values), "higher", SpcRules(**ONLY[RUN]))
    assert variation(higher_is_better) is Variation.IMPROVEMENT_HIGH
    neutral = xmr(frame(values), None, SpcRules(**ONLY[RUN]))
    assert variation(neutral) is Variation.NEITHER_HIGH
    assert assurance(neutral, 7) is Assurance.NONE


def test_common_cause_when_nothing_signals():
    assert variation(xmr(frame([10, 12, 11, 13, 12, 11, 10, 12]), "lower")) is Variation.COMMON


# (polarity, target, expected): the limits of [10, 12] * 6 are 11 ± 5.32
ASSURANCE_CASES = [
    ("higher", 5, Assurance.PASS),
    ("higher", 17, Assurance.FAIL),
    ("higher", 11, Assurance.HIT_AND_MISS),
    ("lower", 17, Assurance.PASS),
    ("lower", 5, Assurance.FAIL),
    ("lower", 11, Assurance.HIT_AND_MISS),
    ("lower", 11 + 2.66 * 2, Assurance.HIT_AND_MISS),  # a target on a limit can be hit or missed
    ("lower", None, Assurance.NONE),
]


@pytest.mark.parametrize(("polarity", "target", "expected"), ASSURANCE_CASES)
def test_assurance(polarity, target, expected):
    chart = xmr(frame([10, 12] * 6), polarity, SpcRules(screen_moving_ranges=False))
    assert assurance(chart, target) is expected


def test_assurance_uses_the_latest_target_by_default_and_all_equal_series():
    chart = xmr(frame([5.0] * 12, targets=[9.0] * 11 + [4.0]), "lower")
    assert chart.points["upper"].iloc[-1] == chart.points["lower"].iloc[-1] == 5.0
    assert assurance(chart) is Assurance.FAIL
    assert variation(chart) is Variation.COMMON


def test_gaps_are_left_out():
    chart = xmr(frame([10, None, 12, 11, 13, 12, 14]))
    assert len(chart.points) == 6
    assert chart.points["moving_range"].iloc[1] == 2
