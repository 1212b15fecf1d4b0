"""A stored return as a person reads it (metrics/returns/versions.py), from a real demo store:
headings a lead would write, counts as whole numbers, changes as "31 -> 29 (-2)"."""

from __future__ import annotations

import pandas as pd

from metrics import access, returns
from metrics.quarters import Quarter
from metrics.returns import submit, validate_return
from metrics.returns import versions as return_versions
from metrics.store import Store
from metrics.store import returns as return_store

Q2 = Quarter.parse("2025/26 Q2")
MACHINE_WORDS = ("submitted_by", "row_number", "sha256", "is_demo", "ward_code", "indicator_id", "_")


def _no_machine_headings(frame: pd.DataFrame) -> None:
    for heading in frame.columns:
        assert not any(w in heading for w in MACHINE_WORDS), heading
        assert heading[0].isupper(), heading


def test_versions_table(demo_store: Store) -> None:
    held = return_store.submissions(demo_store, "csvpp", str(Q2.start))
    table = return_versions.versions_table(held)
    assert tuple(table.columns) == return_versions.VERSION_COLUMNS
    _no_machine_headings(table)
    first = table.iloc[0]
    assert first["Version"] == "1" and first["Latest"] == "latest" and first["Demo"] == "demo"
    assert first["Submitted (UTC)"] == f"{held.iloc[0]['submitted_at']:%d %b %Y %H:%M}"


def test_version_figures_name_periods_and_areas(plan, demo_store: Store) -> None:
    rows, actions = return_store.submission_rows(demo_store, "csvpp", str(Q2.start), 1)
    some_ward = next(iter(plan.ward_names()))
    rows.loc[1, "ward_code"] = some_ward  # a figure for one area, as a return may give
    rows.loc[2, "ward_code"] = "E99999999"  # a code the plan does not know
    figures = return_versions.version_figures(rows, plan)
    assert list(figures.columns) == ["Row in file", "Indicator", "Period", "Ward", "Figure", "Commentary", "Contact"]
    _no_machine_headings(figures)
    assert figures["Row in file"].tolist() == rows["row_number"].tolist()
    assert figures.loc[0, "Period"] == "Jul 2025" and figures.loc[0, "Ward"] == "all of the city"
    assert figures.loc[1, "Ward"] == plan.ward_names()[some_ward]
    assert figures.loc[2, "Ward"] == "all of the city"
    quarterly = figures[figures["Indicator"] == "First-time entrants to the youth justice system"]
    assert quarterly["Period"].tolist() == ["2025/26 Q2"]
    counts = figures[figures["Indicator"] == "Serious violence offences"]["Figure"]
    assert all(f.replace(",", "").isdigit() for f in counts), "counts as whole numbers, never '31.0'"
    assert not figures["Commentary"].isna().any() and (figures["Commentary"] == "").any()

    shown = return_versions.version_actions(actions)
    _no_machine_headings(shown)
    assert len(shown) == len(actions) and not shown.isna().any().any() and (shown["Contact"] == "").all()


def test_change_text() -> None:
    assert return_versions.change_text(31.0, 29.0, "count") == "31 -> 29 (-2)"
    assert return_versions.change_text(1200.0, 1234.0, "count") == "1,200 -> 1,234 (+34)"
    assert return_versions.change_text(12.5, 13.0, "percent") == "12.5% -> 13.0% (+0.5)"
    assert return_versions.change_text(None, 29.0, "count") == "blank -> 29"


def test_changes_and_audit_in_a_leads_words(plan, demo_store: Store) -> None:
    indicators, actions = returns.template_rows(plan, demo_store, "csvpp", Q2)
    for r in indicators:
        r["value"], r["commentary"] = r["last_value"], "Checked."
    for r in actions:
        r["status"], r["commentary"] = "On track", "Going well."
    fte = next(r for r in indicators if r["indicator_id"] == "first_time_entrants")
    for value, name in ((31, "v2.csv"), (29, "v3.csv")):
        fte["value"] = value
        content = returns.rows_csv(indicators, actions)
        parsed = validate_return(plan, demo_store, content, name, "csvpp", Q2)
        assert submit(plan, demo_store, parsed, content, access.operator("Lead"), "checked").stored
    diff = returns.compare_versions(demo_store, plan, "csvpp", Q2, 2, 3)
    table = return_versions.changes_table(diff, plan, 2, 3)
    _no_machine_headings(table)
    (row,) = table[table["Indicator or action"] == "First-time entrants to the youth justice system"].to_dict("records")
    assert (row["What changed"], row["Version 2"], row["Version 3"], row["Change"]) == ("Figure", "31", "29",
                                                                                        "31 -> 29 (-2)")  # fmt: skip
    assert row["Ward"] == "all of the city"
    audit = return_versions.audit_table(return_store.audit(demo_store, "csvpp", str(Q2.start)))
    _no_machine_headings(audit)
    assert audit["Version"].tolist()[:2] == ["3", "2"]
