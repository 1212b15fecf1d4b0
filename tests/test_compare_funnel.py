"""The funnel statistics (metrics/compare) against values worked by hand, published chi-square
table values, closed forms and the Poisson sums the exact limits stand for."""

from __future__ import annotations

import math

import numpy as np
import pytest

from metrics.compare import CompareError, Judgement, funnel, proportion_funnel, rate_funnel
from metrics.compare.distributions import gamma_cdf, gamma_quantile, normal_quantile
from metrics.compare.figure import describe, rate_funnel_figure
from metrics.compare.funnel import OUTER_Z, exact_poisson_count_limits, winsorise

# --- the distributions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "df", "table"),
    [
        # chi-square quantiles from any printed table (3 decimals): gamma quantile = chi2 / 2
        (0.95, 1, 3.841),
        (0.025, 10, 3.247),
        (0.975, 10, 20.483),
        (0.025, 20, 9.591),
        (0.975, 20, 34.170),
        (0.001, 20, 5.921),
        (0.999, 22, 48.268),
        (0.999, 30, 59.703),
        (0.025, 100, 74.222),
        (0.975, 100, 129.561),
    ],
)
def test_gamma_quantile_matches_chi_square_tables(p: float, df: int, table: float) -> None:
    assert 2 * gamma_quantile(p, df / 2) == pytest.approx(table, abs=6e-4)


@pytest.mark.parametrize("p", [0.001, 0.025, 0.5, 0.975, 0.999])
def test_gamma_quantile_closed_forms(p: float) -> None:
    # shape 1 is the exponential: P(1, x) = 1 - e^-x, so x = -ln(1 - p)
    assert gamma_quantile(p, 1.0) == pytest.approx(-math.log(1 - p), rel=1e-12)
    # shape 2: P(2, x) = 1 - e^-x (1 + x); the quantile puts it back to p
    x = gamma_quantile(p, 2.0)
    assert 1 - math.exp(-x) * (1 + x) == pytest.approx(p, rel=1e-10)


@pytest.mark.parametrize("shape", [0.05, 0.3, 1.7, 12.0, 250.5, 20_000.0])
def test_gamma_quantile_inverts_the_cdf_at_small_and_large_shapes(shape: float) -> None:
    for p in (0.001, 0.025, 0.975, 0.999):
        assert gamma_cdf(gamma_quantile(p, shape), shape) == pytest.approx(p, rel=1e-9)


def test_normal_quantiles_are_the_familiar_ones() -> None:
    assert normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert normal_quantile(0.999) == pytest.approx(3.090232, abs=1e-6)


def _poisson_cdf(k: int, mean: float) -> float:
    """Pr(X <= k) for X ~ Poisson(mean), by direct summation."""
    return sum(math.exp(-mean) * mean**j / math.factorial(j) for j in range(k + 1))


@pytest.mark.parametrize("k", [1, 3, 10, 40])
def test_exact_limits_are_the_poisson_tail_sums(k: int) -> None:
    """Garwood's definition: at a count of k the lower limit L has Pr(X >= k | L) = alpha/2
    and the upper limit U has Pr(X <= k | U) = alpha/2; the chi-square relation gives both."""
    lim = exact_poisson_count_limits(float(k))
    assert 1 - _poisson_cdf(k - 1, lim.lower_95) == pytest.approx(0.025, rel=1e-9)
    assert _poisson_cdf(k, lim.upper_95) == pytest.approx(0.025, rel=1e-9)
    assert 1 - _poisson_cdf(k - 1, lim.lower_998) == pytest.approx(0.001, rel=1e-9)
    assert _poisson_cdf(k, lim.upper_998) == pytest.approx(0.001, rel=1e-9)


# --- the ratio funnel ----------------------------------------------------------------------------


def test_unadjusted_ratio_limits_at_an_expected_count_of_one() -> None:
    # E = 1: lower = gamma(0.025; 1) = -ln(0.975) = 0.0253178; upper = gamma(0.975; 2) = 5.571643
    # (chi2(0.975; 4) / 2 = 11.143287 / 2); 99.8%: -ln(0.999) = 0.0010005 and chi2(0.999; 4) / 2
    # = 18.466827 / 2 = 9.233413. Ratio limits are these divided by E = 1.
    result = funnel([3.0], [1.0])
    lim = result.units[0].limits
    assert lim.lower_95 == pytest.approx(0.0253178, abs=1e-7)
    assert lim.upper_95 == pytest.approx(5.571643, abs=1e-6)
    assert lim.lower_998 == pytest.approx(0.0010005, abs=1e-7)
    assert lim.upper_998 == pytest.approx(9.233413, abs=1e-6)
    unit = result.units[0]
    assert unit.ratio == 3.0
    # z on the square-root scale: 2 (sqrt 3 - sqrt 1) = 1.464102
    assert unit.z == pytest.approx(1.464102, abs=1e-6)
    assert unit.judgement is Judgement.WITHIN
    assert result.adjusted is False


# The worked overdispersion example: five units whose counts are perfect squares.
OBSERVED = [16, 4, 16, 36, 16]
EXPECTED = [4, 9, 16, 25, 36]


def test_overdispersion_worked_by_hand() -> None:
    # z = 2 (sqrt O - sqrt E): 2(4-2)=4, 2(2-3)=-2, 2(4-4)=0, 2(6-5)=2, 2(4-6)=-4.
    # Winsorising at 10%: sorted -4,-2,0,2,4; the 10% quantile (type 7) sits at position
    # 0.1 x 4 = 0.4: -4 + 0.4 x 2 = -3.2; the 90% one at 3.6: 2 + 0.6 x 2 = 3.2.
    # Winsorised z: 3.2, -2, 0, 2, -3.2; squares 10.24 + 4 + 0 + 4 + 10.24 = 28.48.
    # phi = 28.48 / 5 = 5.696.
    # Weights w = 1 / s^2 = 4E: 16, 36, 64, 100, 144; sum w = 360;
    # sum w^2 = 256 + 1296 + 4096 + 10000 + 20736 = 36384; sum w^2 / sum w = 101.0667.
    # tau2 = (n phi - (n - 1)) / (sum w - sum w^2 / sum w) = (28.48 - 4) / (360 - 101.0667)
    #      = 24.48 / 258.9333 = 0.0945417.
    result = funnel(OBSERVED, EXPECTED, overdispersion=True)
    assert result.phi == pytest.approx(5.696, rel=1e-12)
    assert result.tau2 == pytest.approx(24.48 / (360 - 36384 / 360), rel=1e-12)
    assert result.tau2 == pytest.approx(0.0945417, abs=1e-7)
    assert result.adjusted is True
    # Unit 3 (E = 16): s^2 = 1/64 = 0.015625; s^2 + tau2 = 0.1101667; sqrt = 0.3319137.
    # 95%: (1 +/- 1.959964 x 0.3319137)^2 = 1.650527^2 = 2.724279 and 0.349473^2 = 0.122123.
    # 99.8% upper: (1 + 3.090232 x 0.3319137)^2 = 2.025690^2 = 4.103422; lower: 1 - 1.025690 is
    # below 0, so the limit is 0 (squaring a negative root would wrongly give 0.00066).
    lim = result.units[2].limits
    assert lim.upper_95 == pytest.approx(2.724279, abs=1e-6)
    assert lim.lower_95 == pytest.approx(0.122123, abs=1e-6)
    assert lim.upper_998 == pytest.approx(4.103422, abs=1e-6)
    assert lim.lower_998 == 0.0
    # Unit 1 (O = 16, E = 4, ratio 4): adjusted z = (sqrt 4 - 1) / sqrt(1/16 + tau2)
    # = 1 / sqrt(0.1570417) = 2.523437; its 99.8% upper limit (1 + 3.090232 x 0.3962849)^2
    # = 4.948900, so ratio 4 is within; unadjusted, the exact upper limit chi2(0.999; 10) / 2 / 4
    # = 29.588 / 8 = 3.6985 puts it higher than expected.
    first = result.units[0]
    assert first.z == pytest.approx(2.523437, abs=1e-6)
    assert first.limits.upper_998 == pytest.approx(4.948900, abs=1e-5)
    assert first.judgement is Judgement.WITHIN
    plain = funnel(OBSERVED, EXPECTED)
    assert plain.units[0].limits.upper_998 == pytest.approx(3.6985, abs=1e-4)
    assert plain.units[0].judgement is Judgement.HIGHER
    # phi and tau2 are reported without the adjustment too, but the limits do not use them
    assert plain.phi == pytest.approx(5.696) and plain.adjusted is False


def test_winsorise_uses_type_7_quantiles() -> None:
    assert winsorise(np.array([4.0, -2.0, 0.0, 2.0, -4.0])).tolist() == pytest.approx([3.2, -2, 0, 2, -3.2])


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        ([10, 20, 30, 40], [10, 20, 30, 40]),  # every unit exactly as expected: phi = 0
        # a little scatter, less than chance: z = 2(sqrt O - sqrt E) = 0.25, -0.22, 0.19, -0.15
        ([17.0, 29.0, 52.0, 94.0], [16.0, 30.0, 51.0, 95.0]),
    ],
)
def test_no_overdispersion_gives_the_unadjusted_limits(observed: list[float], expected: list[float]) -> None:
    adjusted = funnel(observed, expected, overdispersion=True)
    plain = funnel(observed, expected)
    assert len(observed) * adjusted.phi <= len(observed) - 1
    assert adjusted.tau2 == 0.0 and adjusted.adjusted is False
    assert [u.limits for u in adjusted.units] == [u.limits for u in plain.units]
    assert [u.z for u in adjusted.units] == [u.z for u in plain.units]


def test_limits_narrow_as_the_expected_count_grows() -> None:
    for overdispersion in (False, True):
        result = funnel(OBSERVED, EXPECTED, overdispersion=overdispersion)
        widths_95 = [result.limits_at(e).upper_95 - result.limits_at(e).lower_95 for e in (2, 5, 20, 100, 1000)]
        widths_998 = [result.limits_at(e).upper_998 - result.limits_at(e).lower_998 for e in (2, 5, 20, 100, 1000)]
        assert widths_95 == sorted(widths_95, reverse=True)
        assert widths_998 == sorted(widths_998, reverse=True)
        assert all(w998 > w95 for w95, w998 in zip(widths_95, widths_998, strict=True))
    # the adjusted limits never come inside the unadjusted ones' normal equivalent: they widen
    wide = funnel(OBSERVED, EXPECTED, overdispersion=True).limits_at(100)
    narrow = funnel(OBSERVED, EXPECTED).limits_at(100)
    assert wide.upper_998 > narrow.upper_998 and wide.lower_998 < narrow.lower_998


def test_bad_input_names_every_unit_at_once() -> None:
    with pytest.raises(CompareError) as caught:
        funnel([1, -1, float("nan")], [0, 1, 2], labels=["North", "South", "East"])
    message = str(caught.value)
    assert "North: the expected count is 0.0" in message
    assert "South: the observed count is -1.0" in message
    assert "East: the observed count is nan" in message
    with pytest.raises(CompareError, match="2 observed counts but 1 expected"):
        funnel([1, 2], [1])


# --- rates per 1,000 ------------------------------------------------------------------------------


def test_rate_funnel_worked_by_hand() -> None:
    # Five areas of 1,000 residents with 3, 8, 9, 25 and 5 incidents: 50 in 5,000 residents,
    # centre 50 / 5000 x 1000 = 10 per 1,000, so each area expects 10 and rates equal counts.
    # Exact limits at E = 10: 99.8% lower chi2(0.001; 20) / 2 = 5.921 / 2 = 2.9605, upper
    # chi2(0.999; 22) / 2 = 48.268 / 2 = 24.134; 95%: 9.591 / 2 = 4.7955 and 36.781 / 2 = 18.390.
    # 25 > 24.134: higher than expected. 3 >= 2.9605: within, though below the 95% limit (the
    # judgement uses 99.8%).
    result = rate_funnel([3, 8, 9, 25, 5], [1000] * 5, labels=list("ABCDE"))
    assert result.centre == pytest.approx(10.0)
    a, _, _, d, _ = result.units
    assert a.expected == pytest.approx(10.0) and a.rate == pytest.approx(3.0)
    assert a.limits.lower_998 == pytest.approx(2.9605, abs=5e-4)
    assert a.limits.upper_998 == pytest.approx(24.134, abs=5e-4)
    assert a.limits.lower_95 == pytest.approx(4.7955, abs=5e-4)
    assert a.limits.upper_95 == pytest.approx(18.390, abs=5e-4)
    assert [u.judgement for u in result.units] == [
        Judgement.WITHIN,
        Judgement.WITHIN,
        Judgement.WITHIN,
        Judgement.HIGHER,
        Judgement.WITHIN,
    ]
    assert a.rate < a.limits.lower_95
    frame = result.frame()
    assert frame.loc[3, "judgement"] == "higher than expected"
    assert list(frame.columns[-5:]) == ["lower_998", "lower_95", "upper_95", "upper_998", "judgement"]


def test_rate_limits_are_count_limits_over_residents() -> None:
    # 2,000 residents, centre 10 per 1,000 (30 incidents in 3,000): E = 20, and the rate limits
    # are the exact count limits at 20, divided by 2,000, times 1,000.
    result = rate_funnel([10, 20], [1000, 2000])
    assert result.centre == pytest.approx(10.0)
    counts = exact_poisson_count_limits(20.0)
    assert result.units[1].limits.upper_998 == pytest.approx(counts.upper_998 / 2000 * 1000, rel=1e-12)
    assert result.units[1].limits.lower_95 == pytest.approx(counts.lower_95 / 2000 * 1000, rel=1e-12)


def test_rate_limits_narrow_with_population() -> None:
    result = rate_funnel([3, 8, 9, 25, 5], [1000] * 5)
    widths = [result.limits_at(p).upper_998 - result.limits_at(p).lower_998 for p in (200, 1000, 5000, 50_000)]
    assert widths == sorted(widths, reverse=True)


def test_rate_funnel_without_any_count_says_so() -> None:
    with pytest.raises(CompareError, match="no area has any count"):
        rate_funnel([0, 0], [100, 200])
    with pytest.raises(CompareError, match="B: the population is 0"):
        rate_funnel([1, 2], [100, 0], labels=["A", "B"])


# --- proportions ----------------------------------------------------------------------------------


def test_proportion_limits_worked_by_hand() -> None:
    # Centre 0.5: asin(sqrt 0.5) = pi/4, and sin^2(pi/4 + d/2) = (1 + sin d) / 2 with
    # d = 2 z s = z / sqrt(n). n = 100: d = 1.959964 / 10 = 0.1959964, sin d = 0.1947440,
    # limits (1 -/+ 0.1947440) / 2 = 0.402628 and 0.597372; 99.8%: sin(0.3090232) = 0.3041283,
    # limits 0.347936 and 0.652064.
    result = proportion_funnel([0.45, 0.55], [100, 100])
    assert result.centre == pytest.approx(0.5)
    lim = result.units[0].limits
    assert lim.lower_95 == pytest.approx(0.402628, abs=1e-6)
    assert lim.upper_95 == pytest.approx(0.597372, abs=1e-6)
    assert lim.lower_998 == pytest.approx(0.347936, abs=1e-6)
    assert lim.upper_998 == pytest.approx(0.652064, abs=1e-6)
    # z = (asin sqrt 0.45 - pi/4) x 2 sqrt 100 = (0.735314 - 0.785398) x 20 = -1.001674
    assert result.units[0].z == pytest.approx(-1.001674, abs=1e-6)


def test_proportion_centre_is_base_weighted_and_effective_base_widens() -> None:
    # centre = (0.2 x 300 + 0.8 x 100) / 400 = 140 / 400 = 0.35
    result = proportion_funnel([0.2, 0.8], [300, 100])
    assert result.centre == pytest.approx(0.35)
    weighted = proportion_funnel([0.2, 0.8], [300, 100], effective_bases=[150, 50])
    assert weighted.centre == pytest.approx(0.35)
    for plain, eff in zip(result.units, weighted.units, strict=True):
        assert eff.limits.upper_998 - eff.limits.lower_998 > plain.limits.upper_998 - plain.limits.lower_998
        assert abs(eff.z) < abs(plain.z)


def test_proportions_at_nought_and_one_stay_on_the_scale() -> None:
    result = proportion_funnel([0.0, 1.0, 0.5, 0.5], [10, 5, 100, 100])
    assert result.units[0].judgement is Judgement.LOWER
    assert all(0.0 <= v <= 1.0 for u in result.units for v in vars(u.limits).values())
    small = result.limits_at(2)
    assert small.lower_998 == 0.0 and small.upper_998 == 1.0  # clipped at the ends of the scale


def test_proportion_overdispersion_widens_and_falls_back() -> None:
    spread = proportion_funnel([0.1, 0.3, 0.5, 0.7, 0.9], [200] * 5, overdispersion=True)
    plain = proportion_funnel([0.1, 0.3, 0.5, 0.7, 0.9], [200] * 5)
    assert spread.adjusted and spread.phi > 1 and spread.tau2 > 0
    # 0.1 on a base of 200 is far below a centre of 0.5 by chance alone, not once areas differ
    assert plain.units[0].judgement is Judgement.LOWER and plain.units[0].z < -OUTER_Z
    assert spread.units[0].judgement is Judgement.WITHIN and spread.units[0].z > -OUTER_Z
    assert spread.limits_at(200).lower_998 < plain.limits_at(200).lower_998
    even = proportion_funnel([0.5, 0.5, 0.5], [200] * 3, overdispersion=True)
    assert not even.adjusted
    assert even.units[0].limits == proportion_funnel([0.5, 0.5, 0.5], [200] * 3).units[0].limits


def test_proportion_input_problems_in_one_message() -> None:
    with pytest.raises(CompareError) as caught:
        proportion_funnel([1.2, 0.5], [10, 10], effective_bases=[5, 20], labels=["X", "Y"])
    assert "X: the proportion is 1.2" in str(caught.value)
    assert "Y: the effective base 20 is larger than the base 10" in str(caught.value)


# --- the figure ----------------------------------------------------------------------------------


def test_figure_names_limits_and_marks_judgements_in_words() -> None:
    result = rate_funnel([3, 8, 9, 25, 5], [1000] * 5, labels=list("ABCDE"))
    fig = rate_funnel_figure(result, one="ward", centre_name="All of the area", highlight=["B"])
    names = [t.name for t in fig.data]
    assert names[0].startswith("All of the area: ")
    assert "95% limits" in names and "99.8% limits" in names
    higher = next(t for t in fig.data if t.name.startswith("Higher than expected"))
    assert list(higher.text) == ["D"] and higher.marker.symbol == "triangle-up"
    within = next(t for t in fig.data if t.name == "Within expected range")
    assert "B" in list(within.text)  # a chosen area is named even inside the limits
    assert "99.8% limits" in within.hovertext[0] and "This ward: within expected range" in within.hovertext[0]
    text = describe(result, many="wards", centre_name="all of the area")
    assert "1 higher than expected: D." in text and "4 within the expected range." in text
