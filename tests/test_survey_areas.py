"""A survey measure's areas in a proportion funnel (issue 22 item 4): limits worked by hand on
the arcsine scale, suppressed areas left out and named."""

from __future__ import annotations

import math

import numpy as np
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


def test_the_funnel_picture_draws_the_limits_worked_by_hand_and_names_the_areas_outside() -> None:
    """The figure's centre line, its 99.8% limit lines at n = 100 and 400 (the values worked
    above, in percent), one marker per area at its effective base, shaped by judgement, the
    areas outside named on the picture, and the small area nowhere."""
    from metrics.compare.figure import proportion_funnel_figure

    found = survey_area_comparison(
        [
            _area("Low", 50.0, 100),
            _area("Middle", 70.0, 100),
            _area("High", 90.0, 400),
            _area("Small", None, 12, suppressed=True),
        ]
    )
    assert found.funnel is not None
    figure = proportion_funnel_figure(found.funnel, measure="Do not feel safe at night", many="wards")
    traces = {t.name: t for t in figure.data}
    assert list(traces["Average of the wards compared: 80.0%"].y) == pytest.approx([80.0] * 80)
    upper, lower = traces["99.8% limits"], next(t for t in figure.data if t.legendgroup == "99.8%" and not t.showlegend)
    for n, (low, high) in ((100, (66.414, 90.744)), (400, (73.487, 85.799))):  # the lines pass through them
        assert np.interp(n, lower.x, lower.y) == pytest.approx(low, abs=0.05), n
        assert np.interp(n, upper.x, upper.y) == pytest.approx(high, abs=0.05), n
    markers = {t.name: t for t in figure.data if t.mode == "markers+text"}
    assert list(markers["Higher than expected (above the 99.8% limit)"].text) == ["High"]
    assert list(markers["Lower than expected (below the 99.8% limit)"].text) == ["Low"]
    assert list(markers["Within expected range"].text) == [""] and list(markers["Within expected range"].x) == [100.0]
    assert markers["Higher than expected (above the 99.8% limit)"].marker.symbol == "triangle-up"
    assert all("Small" not in str(t.hovertext) for t in figure.data)
