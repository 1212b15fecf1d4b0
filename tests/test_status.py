"""Status rules, table-driven: RAG for each polarity at and across every boundary, missing
values and targets; directions of travel; values for a quarter; the board's sentence."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from metrics.board.status import Direction, Rag, compare, indicator_status, rag_status, target_for, value_for
from metrics.plan.model import Tolerance
from metrics.quarters import Quarter

FIVE_PCT = Tolerance(5, "percent")
TWO_POINTS = Tolerance(2, "points")

RAG_CASES = [
    # lower is better, target 100, tolerance 5% (5)
    ("lower: exactly on target", 100, 100, "lower", FIVE_PCT, Rag.ON_TARGET),
    ("lower: better within tolerance", 96, 100, "lower", FIVE_PCT, Rag.ON_TARGET),
    ("lower: better at the tolerance edge", 95, 100, "lower", FIVE_PCT, Rag.ON_TARGET),
    ("lower: better beyond tolerance", 94.9, 100, "lower", FIVE_PCT, Rag.AHEAD),
    ("lower: worse within tolerance", 103, 100, "lower", FIVE_PCT, Rag.NEAR_TARGET),
    ("lower: worse at the tolerance edge", 105, 100, "lower", FIVE_PCT, Rag.NEAR_TARGET),
    ("lower: worse beyond tolerance", 105.1, 100, "lower", FIVE_PCT, Rag.OFF_TARGET),
    # higher is better
    ("higher: exactly on target", 100, 100, "higher", FIVE_PCT, Rag.ON_TARGET),
    ("higher: better within tolerance", 104, 100, "higher", FIVE_PCT, Rag.ON_TARGET),
    ("higher: better beyond tolerance", 106, 100, "higher", FIVE_PCT, Rag.AHEAD),
    ("higher: worse within tolerance", 96, 100, "higher", FIVE_PCT, Rag.NEAR_TARGET),
    ("higher: worse beyond tolerance", 94, 100, "higher", FIVE_PCT, Rag.OFF_TARGET),
    # percentages with a tolerance in points
    ("points: worse within", 64.5, 63.2, "lower", TWO_POINTS, Rag.NEAR_TARGET),
    ("points: worse beyond", 65.3, 63.2, "lower", TWO_POINTS, Rag.OFF_TARGET),
    ("points: better beyond", 61.1, 63.2, "lower", TWO_POINTS, Rag.AHEAD),
    # a zero target: any count above it is worse, with no room for percent tolerance
    ("zero target, lower", 1, 0, "lower", FIVE_PCT, Rag.OFF_TARGET),
    ("zero target met", 0, 0, "lower", FIVE_PCT, Rag.ON_TARGET),
    # missing
    ("missing value", None, 100, "lower", FIVE_PCT, Rag.NO_DATA),
    ("missing value (NaN)", float("nan"), 100, "higher", FIVE_PCT, Rag.NO_DATA),
    ("missing target", 90, None, "lower", FIVE_PCT, Rag.NO_TARGET),
]


@pytest.mark.parametrize(
    ("case", "value", "target", "polarity", "tolerance", "expected"), RAG_CASES, ids=[c[0] for c in RAG_CASES]
)
def test_rag_status(case, value, target, polarity, tolerance, expected) -> None:
    assert rag_status(value, target, polarity, tolerance) is expected


def test_exceptions_are_off_target_and_ahead_only() -> None:
    assert {r for r in Rag if r.is_exception} == {Rag.OFF_TARGET, Rag.AHEAD}
    assert all(r.word and r.icon for r in Rag), "each status has a word and an icon, never colour alone"
    assert len({r.icon for r in Rag}) == len(Rag)


@pytest.mark.parametrize(
    ("current", "earlier", "polarity", "points", "direction", "change"),
    [
        (92, 100, "lower", False, Direction.IMPROVING, -8.0),
        (108, 100, "lower", False, Direction.WORSENING, 8.0),
        (108, 100, "higher", False, Direction.IMPROVING, 8.0),
        (100.5, 100, "lower", False, Direction.STEADY, 0.5),
        (65.2, 63.2, "lower", True, Direction.WORSENING, 2.0),
        (63.5, 63.2, "lower", True, Direction.STEADY, 0.3),
        (None, 100, "lower", False, Direction.UNKNOWN, None),
        (5, 0, "lower", False, Direction.WORSENING, None),
        (0, 0, "higher", False, Direction.STEADY, 0.0),
    ],
)
def test_direction_of_travel(current, earlier, polarity, points, direction, change) -> None:
    result = compare(current, earlier, polarity, points, steady_band_pct=1.0)
    assert result.direction is direction
    if change is None:
        assert result.change is None
    else:
        assert result.change == pytest.approx(change)


def _monthly(indicator_id: str, months: dict[str, float], ward: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator_id,
                "period_type": "month",
                "period_start": pd.Timestamp(m),
                "ward_code": ward,
                "value": v,
                "is_demo": False,
            }
            for m, v in months.items()
        ]
    )


def test_monthly_values_add_up_to_the_quarter_and_need_three_months(plan) -> None:
    ind = plan.indicator("asb_incidents")
    values = _monthly("asb_incidents", {"2025-04-01": 100, "2025-05-01": 110, "2025-06-01": 90, "2025-07-01": 50})
    assert value_for(ind, values, Quarter(2025, 1)).value == 300
    partial = value_for(ind, values, Quarter(2025, 2))
    assert partial.value is None and partial.note == "only 1 of 3 months reported"


def test_target_same_period_last_year_with_a_change(plan) -> None:
    ind = replace(
        plan.indicator("asb_incidents"), target=replace(plan.indicator("asb_incidents").target, change_pct=-5)
    )
    values = _monthly("asb_incidents", {"2024-04-01": 100, "2024-05-01": 100, "2024-06-01": 100})
    assert target_for(ind, values, Quarter(2025, 1)) == pytest.approx(285)
    assert target_for(ind, values, Quarter(2025, 2)) is None


def test_annual_indicator_uses_the_latest_year(plan) -> None:
    ind = plan.indicator("unsafe_at_night")
    values = pd.DataFrame(
        [
            {
                "indicator_id": ind.id,
                "period_type": "year",
                "period_start": pd.Timestamp("2023-04-01"),
                "ward_code": None,
                "value": 60.0,
                "is_demo": True,
            },
            {
                "indicator_id": ind.id,
                "period_type": "year",
                "period_start": pd.Timestamp("2024-04-01"),
                "ward_code": None,
                "value": 63.2,
                "is_demo": False,
            },
        ]
    )
    status = indicator_status(plan, ind, values, Quarter(2025, 2))
    assert status.value.value == 63.2 and status.value.label == "2024/25"
    assert status.value.note == "latest annual figure (2024/25)"
    assert status.target == 60.0
    assert status.rag is Rag.OFF_TARGET  # 3.2 points worse, tolerance 2 points
    assert status.sentence == (
        "Residents who do not feel safe at night rose 3.2 points on the previous year "
        "and the figure is 3.2 points above target."
    )


def test_sentence_for_a_count(plan) -> None:
    ind = plan.indicator("asb_incidents")
    values = _monthly(
        ind.id,
        {
            "2024-04-01": 100,
            "2024-05-01": 100,
            "2024-06-01": 100,
            "2025-01-01": 95,
            "2025-02-01": 95,
            "2025-03-01": 95,
            "2025-04-01": 92,
            "2025-05-01": 92,
            "2025-06-01": 92,
        },
    )
    status = indicator_status(plan, ind, values, Quarter(2025, 1))
    assert status.sentence == "ASB incidents fell 8% on the same quarter last year and the figure is 8% below target."
    assert status.rag is Rag.AHEAD
    assert status.vs_previous.direction is Direction.IMPROVING


def test_sentence_without_data(plan) -> None:
    ind = plan.indicator("asb_incidents")
    empty = pd.DataFrame(columns=["indicator_id", "period_type", "period_start", "ward_code", "value", "is_demo"])
    status = indicator_status(plan, ind, empty, Quarter(2025, 1))
    assert status.rag is Rag.NO_DATA
    assert status.sentence == "ASB incidents: no figure for 2025/26 Q1."


def test_ward_scope_only_for_indicators_with_ward_detail(plan) -> None:
    ward = "E05001228"
    ind = plan.indicator("asb_incidents")
    values = pd.concat(
        [
            _monthly(ind.id, {"2025-04-01": 10, "2025-05-01": 10, "2025-06-01": 10}, ward),
            _monthly(ind.id, {"2025-04-01": 100, "2025-05-01": 100, "2025-06-01": 100}),
        ]
    )
    assert indicator_status(plan, ind, values, Quarter(2025, 1), ward).value.value == 30
    assert "in St Michael's" in indicator_status(plan, ind, values, Quarter(2025, 1), ward).sentence
    no_detail = plan.indicator("pact_wards")
    assert indicator_status(plan, no_detail, values, Quarter(2025, 1), ward).ward is None
