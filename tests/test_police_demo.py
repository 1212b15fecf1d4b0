"""The demo police.uk data staged from memory at first start stores exactly what importing the
same rows written as police.uk files would store; it is made only for linked indicators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from metrics import access
from metrics.demo import police as police_demo
from metrics.demo import series as demo
from metrics.plan.model import Plan
from metrics.police import uk as police_uk
from metrics.store import Store, schema
from metrics.store import plan as plan_store
from metrics.store import police as police_store


def _fresh(plan: Plan, path: Path) -> Store:
    store = Store(path)
    schema.migrate(store)
    plan_store.sync_plan(store, plan)
    return store


def test_fast_demo_import_stores_what_a_file_import_stores(plan: Plan, tmp_path: Path) -> None:
    values = demo.generate(plan).values
    fast = _fresh(plan, tmp_path / "fast.duckdb")
    street, lookup = police_demo.demo_street_frame(plan, values)
    fast_report = police_uk.import_demo_frame(fast, plan, street, lookup)
    slow = _fresh(plan, tmp_path / "slow.duckdb")
    files, lookup_path = police_demo.write_demo_files(plan, values, tmp_path / "files")
    slow_report = police_uk.import_street_files(
        slow, plan, files, lookup_path=lookup_path, is_demo=True, by=access.operator("test")
    )
    assert fast_report.stored == slow_report.stored > 0
    assert (fast_report.rows_read, fast_report.no_location, fast_report.outside_area) == (
        slow_report.rows_read,
        slow_report.no_location,
        slow_report.outside_area,
    )
    pd.testing.assert_frame_equal(police_store.ward_summary(fast), police_store.ward_summary(slow))
    columns = ["ward_code", "month", "crime_type", "is_demo"]
    rows = [police_store.incident_rows(s)[columns].sort_values(columns).reset_index(drop=True) for s in (fast, slow)]
    pd.testing.assert_frame_equal(rows[0], rows[1])
    pd.testing.assert_frame_equal(police_uk.coverage(fast).frame, police_uk.coverage(slow).frame)


def test_the_demo_counts_only_linked_indicators(plan: Plan, other_plan: Plan) -> None:
    values = demo.generate(plan).values
    street, _ = police_demo.demo_street_frame(plan, values)
    placed = street[street["LSOA code"].notna() & ~street["LSOA code"].eq("E01999999")]
    areas = values[values["ward_code"].notna() & values["period_type"].eq("month")]
    linked = {i.id: i for i in plan.police_indicators}
    asb = areas[areas["indicator_id"] == "asb_incidents"]["value"].sum()
    crime = areas[areas["indicator_id"] == "total_recorded_crime"]["value"].sum()
    assert set(linked) == {"total_recorded_crime", "asb_incidents"}
    assert (placed["Crime type"] == police_demo.ASB).sum() == asb
    assert (placed["Crime type"] != police_demo.ASB).sum() == crime
    other_street, _ = police_demo.demo_street_frame(other_plan, demo.generate(other_plan).values)
    assert other_street.empty  # no indicator linked: no police demo
