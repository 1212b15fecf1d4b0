"""SPC on the plan's indicators and the exception report built from it, on the demo store."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.board.exceptions import (
    Category,
    classify,
    exception_report,
    proposed_actions,
    review_all,
    spc_series,
    spc_status,
)
from metrics.board.spc import Assurance, Variation
from metrics.board.status import Rag, indicator_status
from metrics.quarters import Quarter

Q2 = Quarter.parse("2025/26 Q2")


@pytest.fixture(scope="module")
def values(demo_template):
    from metrics.store import Store
    from metrics.store import indicators as indicator_store

    return indicator_store.values(Store(demo_template))


def test_monthly_indicators_are_charted_by_month_with_last_years_month_as_target(plan, values):
    ind = plan.indicator("asb_incidents")
    series = spc_series(ind, values, Q2)
    assert series["period"].iloc[-1] == "Sep 2025"
    assert len(series) == 42  # April 2022 to September 2025
    sept_last_year = series.loc[series["period"] == "Sep 2024", "value"].iloc[0]
    assert series["target"].iloc[-1] == pytest.approx(sept_last_year)
    assert series["target"].iloc[:12].isna().all()  # the first year has no year before it
    status = spc_status(plan, ind, values, Q2)
    assert status.periods == ("Jul 2025", "Aug 2025", "Sep 2025")
    assert status.chart.pending_rebase == ("Apr 2025",)  # six months since the plan began: not yet


def test_quarterly_and_annual_series(plan, values):
    quarterly = spc_series(plan.indicator("prevent_referrals"), values, Q2)
    assert list(quarterly["period"].iloc[[0, -1]]) == ["2022/23 Q1", "2025/26 Q2"]
    annual = [i for i in plan.indicators if i.frequency == "annual"][0]
    status = spc_status(plan, annual, values, Q2)
    assert status.variation is Variation.TOO_FEW
    assert status.assurance is Assurance.NONE


CLASSIFY = [
    (Rag.OFF_TARGET, Variation.CONCERN_HIGH, Assurance.HIT_AND_MISS, Category.ATTENTION, 0),
    (Rag.ON_TARGET, Variation.CONCERN_LOW, Assurance.HIT_AND_MISS, Category.ATTENTION, 1),
    (Rag.NEAR_TARGET, Variation.COMMON, Assurance.FAIL, Category.ATTENTION, 2),
    (Rag.OFF_TARGET, Variation.TOO_FEW, Assurance.NONE, Category.ATTENTION, 3),
    (Rag.ON_TARGET, Variation.IMPROVEMENT_HIGH, Assurance.PASS, Category.IMPROVEMENT, 10),
    (Rag.AHEAD, Variation.TOO_FEW, Assurance.NONE, Category.IMPROVEMENT, 11),
    (Rag.OFF_TARGET, Variation.COMMON, Assurance.HIT_AND_MISS, Category.NOISE, 20),
    (Rag.AHEAD, Variation.COMMON, Assurance.HIT_AND_MISS, Category.NOISE, 20),
    (Rag.ON_TARGET, Variation.COMMON, Assurance.PASS, Category.NONE, 30),
    (Rag.ON_TARGET, Variation.NEITHER_HIGH, Assurance.NONE, Category.NONE, 30),
]


@pytest.mark.parametrize(("rag", "var", "ass", "category", "severity"), CLASSIFY)
def test_classify(plan, values, rag, var, ass, category, severity):
    from dataclasses import replace

    ind = plan.indicator("asb_incidents")
    status = replace(indicator_status(plan, ind, values, Q2), rag=rag)
    spc = replace(spc_status(plan, ind, values, Q2), variation=var, assurance=ass)
    got_category, got_severity, reasons = classify(status, spc)
    assert (got_category, got_severity) == (category, severity)
    assert bool(reasons) == (category is not Category.NONE)


def test_spc_separates_signal_from_noise_in_the_demo(plan, values, demo_template):
    from metrics.store import Store
    from metrics.survey.results import board_figures

    # judged as the pages judge them: a survey measure (the demo wave's) by its interval
    reviews = review_all(plan, values, Q2, None, board_figures(plan, Store(demo_template)))
    rag_flags = [r for r in reviews if r.status.rag.is_exception]
    report = exception_report(reviews)
    noise = [r for r in reviews if r.category is Category.NOISE]
    assert len(rag_flags) == 11
    # every RAG flag is either reported with a statistical reason or set aside as noise
    assert {r.indicator.id for r in rag_flags} <= {r.indicator.id for r in report + noise}
    assert noise and all(r.spc.variation is Variation.COMMON for r in noise)
    assert [r.severity for r in report] == sorted(r.severity for r in report)
    asb = next(r for r in report if r.indicator.id == "asb_incidents")
    assert asb.category is Category.ATTENTION
    assert "Sep 2025 (1,864) is a special cause of concern: a point beyond the process limits" in asb.sentence


def test_proposed_actions_are_the_owners_open_actions_under_the_objective(plan, demo_template):
    from metrics.store import Store
    from metrics.store import indicators as indicator_store

    ind = plan.indicator("asb_incidents")
    progress = indicator_store.action_progress(Store(demo_template), str(Q2.start))
    actions = proposed_actions(plan, ind, progress)
    owned = {a.id for a in plan.actions_for_objective(ind.objective_id) if a.owner == ind.owner}
    complete = set(progress.loc[progress["status"] == "Complete", "action_id"])
    assert complete & owned, "the demo has a completed action under this priority (the case being tested)"
    assert set(actions["action_id"]) == owned - complete and set(actions["action_id"])
    assert "Complete" not in set(actions["status"])
    assert proposed_actions(plan, ind, pd.DataFrame(columns=progress.columns))["status"].eq("No update").all()
