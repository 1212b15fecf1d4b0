"""Demo data: deterministic, consistent with the plan's real figures, complete, flagged, and
with genuine exceptions for the board to see."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.board.assessment import read_assessment_csv
from metrics.board.status import Rag, summarise
from metrics.bootstrap import initialise
from metrics.demo import series as demo
from metrics.quarters import Quarter, quarter_range
from metrics.store import Store, schema
from metrics.store import indicators as indicator_store


@pytest.fixture(scope="module")
def generated(plan):
    sa = read_assessment_csv(plan.settings.strategic_assessment_file, plan)
    return demo.generate(plan, sa)


def test_generation_is_deterministic(plan, generated) -> None:
    sa = read_assessment_csv(plan.settings.strategic_assessment_file, plan)
    again = demo.generate(plan, sa)
    pd.testing.assert_frame_equal(generated.values, again.values)
    pd.testing.assert_frame_equal(generated.commentary, again.commentary)
    pd.testing.assert_frame_equal(generated.action_progress, again.action_progress)
    pd.testing.assert_frame_equal(generated.ward_volumes, again.ward_volumes)


def test_two_fresh_stores_hold_the_same_data(plan, demo_template, tmp_path) -> None:
    """A fresh store holds what the session's store (built the same way) holds: one more build,
    not two."""
    store = Store(tmp_path / "a.duckdb")
    initialise(plan, store, with_demo=True)
    pd.testing.assert_frame_equal(indicator_store.values(store), indicator_store.values(Store(demo_template)))


def _year_total(values: pd.DataFrame, indicator: str, start: str, ward: str | None = None) -> float:
    rows = values[
        (values.indicator_id == indicator)
        & (values.period_start >= start)
        & (values.period_start < pd.Timestamp(start) + pd.DateOffset(years=1))
    ]
    rows = rows[rows.ward_code.isna()] if ward is None else rows[rows.ward_code == ward]
    return float(rows["value"].sum())


def test_totals_match_the_strategic_assessment(generated) -> None:
    v = generated.values
    assert _year_total(v, "total_recorded_crime", "2023-04-01") == 38508
    assert _year_total(v, "total_recorded_crime", "2023-04-01", "E05001228") == 8209  # St Michael's
    assert _year_total(v, "total_recorded_crime", "2023-04-01", "E05001222") == 3496  # Foleshill
    previous = _year_total(v, "total_recorded_crime", "2022-04-01")
    assert (38508 - previous) / previous * 100 == pytest.approx(-10.1, abs=0.01)
    asb_now, asb_before = _year_total(v, "asb_incidents", "2023-04-01"), _year_total(v, "asb_incidents", "2022-04-01")
    assert (asb_now - asb_before) / asb_before * 100 == pytest.approx(22.6, abs=0.1)
    assert _year_total(v, "modern_slavery_cases", "2023-04-01") == 124


def test_survey_baselines_are_stored_as_real(generated) -> None:
    v = generated.values
    real = v[~v.is_demo]
    assert set(real.indicator_id) == {
        "unsafe_at_night",
        "crime_not_reported",
        "victim_or_knew_victim",
        "nothing_would_happen",
    }
    assert real.set_index("indicator_id").loc["unsafe_at_night", "value"] == 63.2
    assert (v[v.is_demo]["source"] == demo.DEMO_SOURCE).all()


def test_every_indicator_covers_every_period(plan, generated) -> None:
    v = generated.values
    quarters = quarter_range(Quarter(2022, 1), Quarter(2025, 2))
    for ind in plan.indicators:
        rows = v[(v.indicator_id == ind.id) & v.ward_code.isna()]
        expected = {"monthly": 3 * len(quarters), "quarterly": len(quarters), "annual": 3}[ind.frequency]
        assert len(rows) == expected, ind.id
        if ind.ward_detail:
            wards = v[(v.indicator_id == ind.id) & v.ward_code.notna()]
            assert wards.ward_code.nunique() == 18
            by_month = wards.groupby("period_start")["value"].sum()
            city = rows.set_index("period_start")["value"]
            pd.testing.assert_series_equal(by_month.sort_index(), city.sort_index(), check_names=False)


def test_percentages_stay_in_range(plan, generated) -> None:
    v = generated.values.merge(pd.DataFrame({"indicator_id": [i.id for i in plan.indicators if i.is_percent]}))
    assert v["value"].between(0, 100).all()


def test_latest_quarter_has_genuine_exceptions(plan, generated) -> None:
    statuses = summarise(plan, generated.values, Quarter(2025, 2))
    rags = {s.indicator.id: s.rag for s in statuses}
    assert rags["serious_youth_violence"] is Rag.OFF_TARGET
    assert rags["asb_incidents"] is Rag.OFF_TARGET
    assert rags["prevent_referrals"] is Rag.OFF_TARGET
    assert rags["city_centre_crime"] is Rag.AHEAD
    on = sum(1 for r in rags.values() if r in (Rag.ON_TARGET, Rag.NEAR_TARGET))
    assert on >= len(rags) / 3, "most indicators should be unremarkable"


def test_reinit_keeps_real_and_demo_rows(demo_store: Store, plan) -> None:
    before = schema.checksums(demo_store)
    initialise(plan, demo_store, with_demo=True)
    after = schema.checksums(demo_store)
    for table in ("indicator_values", "action_progress", "commentary"):
        assert after[table] == before[table]
    sa = indicator_store.sa_figures(demo_store)
    assert sa.is_demo.sum() == 16 and (~sa.is_demo).sum() == 23
    assert after["sa_figures"] == before["sa_figures"]


@pytest.mark.parametrize(
    ("weights", "total", "expected"),
    [
        ([1.0, 1.0, 1.0], 10, [4, 3, 3]),  # the one unit left over goes to the first largest remainder
        ([0.5, 0.25, 0.25], 4, [2, 1, 1]),  # exact shares need no rounding
        ([2.0, 1.0], 0, [0, 0]),  # nothing to split
        ([0.0, 0.0], 5, [0, 0]),  # no weight to split by
        ([0.7, 0.2, 0.1], 3, [2, 1, 0]),  # 2.1, 0.6, 0.3: the spare unit goes to 0.6
    ],
)
def test_round_to_total_keeps_the_sum(weights: list[float], total: int, expected: list[int]) -> None:
    parts = demo.round_to_total(weights, total)
    assert parts == expected
    assert sum(parts) == max(total, 0) or sum(weights) <= 0
