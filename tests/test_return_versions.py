"""A stored return as a person reads it (metrics/return_versions.py), from a real demo store."""

from __future__ import annotations

from metrics import return_versions
from metrics.quarters import Quarter
from metrics.store import Store
from metrics.store import returns as return_store

Q2 = Quarter.parse("2025/26 Q2")


def test_versions_table(demo_store: Store) -> None:
    held = return_store.submissions(demo_store, "csvpp", str(Q2.start))
    table = return_versions.versions_table(held)
    assert tuple(table.columns) == return_versions.VERSION_COLUMNS
    first = table.iloc[0]
    assert first["version"] == 1 and first["latest"] == "latest" and first["demo"] == "demo"
    assert first["submitted"] == f"{held.iloc[0]['submitted_at']:%d %b %Y %H:%M}"


def test_version_figures_name_periods_and_areas(plan, demo_store: Store) -> None:
    rows, actions = return_store.submission_rows(demo_store, "csvpp", str(Q2.start), 1)
    some_ward = next(iter(plan.ward_names()))
    rows.loc[1, "ward_code"] = some_ward  # a figure for one area, as a return may give
    rows.loc[2, "ward_code"] = "E99999999"  # a code the plan does not know
    figures = return_versions.version_figures(rows, plan.ward_names())
    assert list(figures.columns) == ["row", "indicator", "period", "ward", "value", "commentary", "contact"]
    assert figures["row"].tolist() == rows["row_number"].tolist()
    assert figures.loc[0, "period"] == "Jul 2025" and figures.loc[0, "ward"] == return_versions.WHOLE_AREA
    assert figures.loc[1, "ward"] == plan.ward_names()[some_ward]
    assert figures.loc[2, "ward"] == return_versions.WHOLE_AREA
    quarterly = figures[figures["indicator"] == "first_time_entrants"]
    assert quarterly["period"].tolist() == ["2025/26 Q2"]
    assert not figures["commentary"].isna().any() and (figures["commentary"] == "").any()

    shown = return_versions.version_actions(actions)
    assert "sheet" not in shown.columns and len(shown) == len(actions)
    assert not shown.isna().any().any() and (shown["contact"] == "").all()
