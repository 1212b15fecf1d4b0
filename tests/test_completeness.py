"""Complete-quarter honesty: a quarter with only some returns in says so, lists what is awaited
by owner, and the board opens on the latest complete quarter (the plan's threshold)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from metrics.board.completeness import default_quarter, quarter_completeness
from metrics.board.status import available_quarters
from metrics.quarters import Quarter
from metrics.store import Store
from metrics.store import indicators as indicator_store

Q2 = Quarter.parse("2025/26 Q2")
Q3 = Quarter.parse("2025/26 Q3")


@pytest.fixture(scope="module")
def one_return_in(plan, demo_template) -> pd.DataFrame:
    """The demo's values, plus Q3 for one subgroup's monthly and quarterly indicators only: the
    state after the first Q3 return arrives (its Q2 figures moved on a quarter)."""
    values = indicator_store.values(Store(demo_template))
    owner = plan.indicator("asb_incidents").owner
    mine = {i.id for i in plan.indicators if i.owner == owner and i.frequency != "annual"}
    q2 = values[
        values["indicator_id"].isin(mine)
        & (values["period_start"] >= pd.Timestamp(Q2.start))
        & (values["period_type"] != "year")
    ].copy()
    q2["period_start"] = q2["period_start"] + pd.DateOffset(months=3)
    return pd.concat([values, q2], ignore_index=True)


def test_a_partial_quarter_counts_what_has_a_figure_and_names_the_awaited_by_owner(plan, one_return_in) -> None:
    done = quarter_completeness(plan, one_return_in, Q3)
    annual = sum(1 for i in plan.indicators if i.frequency == "annual")  # their latest year still reads
    owner = plan.indicator("asb_incidents").owner
    given = sum(1 for i in plan.indicators if i.owner == owner and i.frequency != "annual")
    assert done.total == len(plan.indicators) == 25
    assert done.reported == given + annual < done.total
    assert done.is_partial
    assert done.headline.startswith(f"Partial quarter: {done.reported} of 25 indicators have a figure for 2025/26 Q3")
    awaited = {a.owner_id for a in done.awaited}
    assert owner not in awaited and awaited
    names = [n for a in done.awaited for n in a.indicators]
    assert len(names) == done.awaited_count
    assert all(n in {i.name for i in plan.indicators} for n in names), "names, not ids"
    assert done.label() == f"2025/26 Q3 (partial, {done.reported} of 25)"


def test_the_board_opens_on_the_latest_complete_quarter(plan, one_return_in) -> None:
    held = available_quarters(one_return_in)
    assert held[-1] == Q3
    assert default_quarter(plan, one_return_in, held) == Q2
    full = quarter_completeness(plan, one_return_in, Q2)
    assert not full.is_partial and full.awaited == () and full.label() == "2025/26 Q2"
    assert full.headline == "Complete quarter: 25 of 25 indicators have a figure for 2025/26 Q2."


@pytest.mark.parametrize(("share", "opens_on"), [(0.8, Q2), (0.2, Q3), (1.0, Q2)])
def test_the_threshold_comes_from_the_plan(plan, one_return_in, share: float, opens_on: Quarter) -> None:
    lowered = replace(plan, settings=replace(plan.settings, complete_quarter_share=share))
    assert default_quarter(lowered, one_return_in, available_quarters(one_return_in)) == opens_on


def test_the_plan_file_declares_the_threshold_with_a_default(plan) -> None:
    from metrics.plan.schema import SettingsSection

    assert plan.settings.complete_quarter_share == SettingsSection.model_fields["complete_quarter_share"].default
    assert 0 < plan.settings.complete_quarter_share <= 1
