"""A survey measure's areas in a proportion funnel (issue 22 item 4): limits worked by hand on
the arcsine scale, suppressed areas left out and named."""

from __future__ import annotations

import math

import pytest

from metrics.compare import Judgement, survey_area_comparison
from metrics.survey.estimates import Estimate


def _area(name: str, percent: float | None, base: int, *, suppressed: bool = False) -> Estimate:
    return Estimate("unsafe", "area", name, percent, None, None, base, float(base), suppressed)


def test_areas_are_judged_against_limits_worked_by_hand_and_small_ones_left_out() -> None:
    # Centre (0.5*100 + 0.7*100 + 0.9*400) / 600 = 0.8. At n = 100 the 99.8% limits are
    # sin^2(asin(sqrt 0.8) -/+ 3.0902 / (2 * 10)) = 0.6641 and 0.9074; at n = 400, 0.7349 and 0.8580.
    areas = [
        _area("Low", 50.0, 100),
        _area("Middle", 70.0, 100),
        _area("High", 90.0, 400),
        _area("Small", None, 12, suppressed=True),
    ]
    found = survey_area_comparison(areas)
    assert found.funnel is not None and found.funnel.centre == pytest.approx(0.8)
    limits = {u.label: u.limits for u in found.funnel.units}
    assert (limits["Low"].lower_998, limits["Low"].upper_998) == pytest.approx((0.66414, 0.90744), abs=1e-4)
    assert (limits["High"].lower_998, limits["High"].upper_998) == pytest.approx((0.73487, 0.85799), abs=1e-4)
    assert found.judgements == {"Low": Judgement.LOWER, "Middle": Judgement.WITHIN, "High": Judgement.HIGHER}
    assert found.left_out == ("Small",)
    assert found.judgement("Small") == "left out: too few responses"
    assert found.judgement("High") == "higher than expected"
    assert math.isclose(found.funnel.units[0].proportion, 0.5)


def test_fewer_than_two_areas_with_a_figure_are_not_compared() -> None:
    found = survey_area_comparison([_area("Only", 60.0, 200), _area("Small", None, 3, suppressed=True)])
    assert found.funnel is None and found.judgements == {}
    assert found.judgement("Only") == "not compared: too few areas with a figure"
    assert found.judgement("Small") == "left out: too few responses"
