"""The data dictionary: what every table and column of the store means, its units and codes,
and which columns hold personal data.

Written as data, so that the full export (:mod:`metrics.store.warehouse`) can hand it to a
council's warehouse beside the Parquet files, and a test can check it against the real schema:
a table or column added by a migration without a line here fails the suite.

"Area" below is the plan's own unit of geography (``areas`` in the plan: wards, districts,
neighbourhoods); its table keeps the name ``wards`` and its code column ``ward_code``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column: what it means, its unit, the codes it may hold, whether it is personal data."""

    meaning: str
    unit: str = ""
    codes: str = ""
    personal: bool = False


@dataclass(frozen=True)
class Table:
    """One table: what a row is, and its columns."""

    description: str
    columns: dict[str, Column] = field(default_factory=dict)


def _c(meaning: str, unit: str = "", codes: str = "", personal: bool = False) -> Column:
    return Column(meaning, unit, codes, personal)


DEMO = _c(
    "True when the row was generated for demonstration (not real data); flagged wherever shown", codes="true, false"
)
QUARTER = _c("First day of the financial quarter the row belongs to", "date")
SUBGROUP = _c("The delivery subgroup, as declared in the plan's subgroups", codes="subgroups.subgroup_id")
INDICATOR = _c("The indicator, as declared in the plan", codes="indicators.indicator_id")
AREA = _c("The area's code (NULL: the whole partnership area)", codes="wards.ward_code")
POSITION = _c("Order in which the plan lists it (0 first)", "number")
RETURN_VERSION = _c("Version of the subgroup's return for the quarter (1 first; a resubmission adds one)", "number")
SHEET = _c("Sheet of the uploaded workbook the row came from ('CSV file' for a CSV upload)")
ROW_NUMBER = _c("Row of that sheet or file, as the submitter sees it", "number")
CONTACT = _c("Contact named against the row in the return", personal=True)
ACTION_STATUS = _c(
    "Progress reported for the action", codes="Not started, On track, At risk, Off track, Complete (or NULL)"
)
SHA256 = _c("SHA-256 of the uploaded file's bytes (hex): names the file in return_files")
BOARD_STATUS = "open, in_progress, done, dropped"

DICTIONARY: dict[str, Table] = {
    "schema_migrations": Table(
        "One row per schema migration applied to the store",
        {
            "version": _c("Migration number", "number"),
            "name": _c("What the migration added"),
            "applied_at": _c("When it was applied", "UTC timestamp"),
        },
    ),
    "meta": Table(
        "Settings the store records about itself",
        {
            "key": _c("Setting name", codes="plan_path, partnership, demo_seed, demo_loaded_at"),
            "value": _c("Setting value, as text"),
        },
    ),
    "wards": Table(
        "The plan's areas (wards, districts ...): one row per area",
        {
            "ward_code": _c("The area's code (e.g. an ONS GSS code)"),
            "ward_name": _c("The area's name"),
            "population": _c("Resident population used for rates", "people"),
            "population_source": _c("Where the population figure comes from"),
        },
    ),
    "themes": Table(
        "The plan's strategic themes (priorities)",
        {"theme_id": _c("Theme identifier"), "name": _c("Theme name"), "position": POSITION},
    ),
    "objectives": Table(
        "The plan's objectives, each under a theme",
        {
            "objective_id": _c("Objective identifier"),
            "theme_id": _c("The theme", codes="themes.theme_id"),
            "text": _c("The objective as the plan words it"),
            "position": POSITION,
        },
    ),
    "measures": Table(
        "The plan's measures of success, each under a theme",
        {
            "measure_id": _c("Measure identifier"),
            "theme_id": _c("The theme", codes="themes.theme_id"),
            "text": _c("The measure as the plan words it"),
            "position": POSITION,
        },
    ),
    "subgroups": Table(
        "The partnership's delivery subgroups, which submit quarterly returns",
        {"subgroup_id": _c("Subgroup identifier"), "name": _c("Full name"), "short_name": _c("Short name")},
    ),
    "actions": Table(
        "The plan's actions (strategies and plans the partnership delivers)",
        {
            "action_id": _c("Action identifier"),
            "owner": _c("Subgroup or organisation responsible"),
            "kind": _c("Kind of action", codes="strategy, plan"),
            "objective_ids": _c("Objectives the action serves (a list)", codes="objectives.objective_id"),
            "text": _c("The action as the plan words it"),
        },
    ),
    "indicators": Table(
        "The plan's performance indicators, with baseline, target and tolerance",
        {
            "indicator_id": _c("Indicator identifier"),
            "theme_id": _c("The theme", codes="themes.theme_id"),
            "measure_id": _c("The measure it evidences", codes="measures.measure_id"),
            "objective_id": _c("The objective it evidences", codes="objectives.objective_id"),
            "name": _c("Indicator name"),
            "unit": _c("Unit of its values", codes="count, percent, rate, score"),
            "polarity": _c("Which direction is better", codes="higher, lower"),
            "owner": _c("Subgroup or organisation that reports it"),
            "frequency": _c("How often values are reported", codes="monthly, quarterly, annual"),
            "aggregation": _c("How values combine into a quarter or year", codes="sum, mean"),
            "source": _c("Where the figures come from"),
            "ward_detail": _c("True when values are also reported per area", codes="true, false"),
            "ward_code": _c(
                "The one area the indicator is about (NULL: the whole partnership)", codes="wards.ward_code"
            ),
            "baseline_value": _c("Baseline figure", "the indicator's unit"),
            "baseline_period": _c("Period of the baseline"),
            "baseline_source": _c("Where the baseline comes from"),
            "target_rule": _c("How the target is set", codes="same_period_last_year, fixed, none"),
            "target_value": _c("Fixed target (target_rule fixed)", "the indicator's unit"),
            "target_change_pct": _c("Change sought on the same period last year", "percent"),
            "tolerance_value": _c("How far from target still counts as on track", "see tolerance_kind"),
            "tolerance_kind": _c("Unit of the tolerance", codes="percent (of the target), points (of the unit)"),
        },
    ),
    "sa_figures": Table(
        "Figures quoted from the Strategic Assessment (the partnership's annual needs assessment)",
        {
            "assessment": _c("Which assessment (its year, e.g. 2023/24)"),
            "period_start": _c("First day of the period the figure covers", "date"),
            "period_end": _c("Last day of that period", "date"),
            "category": _c("Crime or harm category"),
            "measure": _c("What was measured within the category"),
            "ward_code": AREA,
            "value": _c("The figure", "see unit"),
            "unit": _c("Unit of value (crimes, incidents, offences, cases ...)"),
            "change_pct": _c("Change on the previous period", "percent"),
            "share_pct": _c("Share of the category total", "percent"),
            "note": _c("The assessment's own words about the figure"),
            "source": _c("Document the figure is quoted from"),
            "is_demo": DEMO,
            "position": POSITION,
        },
    ),
    "indicator_values": Table(
        "Indicator figures: one row per indicator, period and area",
        {
            "indicator_id": INDICATOR,
            "period_type": _c("Length of the period", codes="month, quarter, year"),
            "period_start": _c("First day of the period", "date"),
            "ward_code": AREA,
            "value": _c("The figure", "the indicator's unit (indicators.unit)"),
            "is_demo": DEMO,
            "source": _c("Where the figure came from (a return, an import, a survey ...)"),
            "loaded_at": _c("When it was stored", "UTC timestamp"),
        },
    ),
    "action_progress": Table(
        "Progress of the plan's actions each quarter, as reported",
        {
            "action_id": _c("The action", codes="actions.action_id"),
            "quarter_start": QUARTER,
            "status": ACTION_STATUS,
            "commentary": _c("What the subgroup said about progress"),
            "is_demo": DEMO,
            "updated_at": _c("When it was stored", "UTC timestamp"),
        },
    ),
    "commentary": Table(
        "Commentary on an indicator's quarter",
        {
            "indicator_id": INDICATOR,
            "quarter_start": QUARTER,
            "text": _c("The commentary"),
            "author": _c("Who wrote it", personal=True),
            "is_demo": DEMO,
            "created_at": _c("When it was stored", "UTC timestamp"),
        },
    ),
    "return_files": Table(
        "Every uploaded return file, as uploaded (a file uploaded twice is held once)",
        {
            "sha256": SHA256,
            "size_bytes": _c("Size of the file", "bytes"),
            "content": _c("The file's bytes (includes the contacts the return names)", personal=True),
            "first_stored_at": _c("When it was first uploaded", "UTC timestamp"),
        },
    ),
    "return_submissions": Table(
        "Accepted quarterly returns: one row per subgroup, quarter and version",
        {
            "subgroup_id": SUBGROUP,
            "quarter_start": QUARTER,
            "version": RETURN_VERSION,
            "sha256": SHA256,
            "filename": _c("Name of the uploaded file, as given"),
            "submitted_by": _c("Who submitted it", personal=True),
            "submitted_at": _c("When", "UTC timestamp"),
            "warnings": _c("Warnings the submitter explained, one per line"),
            "explanation": _c("The submitter's explanation of the warnings"),
            "is_demo": DEMO,
        },
    ),
    "return_indicator_rows": Table(
        "Indicator rows of each accepted return version, as submitted",
        {
            "subgroup_id": SUBGROUP,
            "quarter_start": QUARTER,
            "version": RETURN_VERSION,
            "sheet": SHEET,
            "row_number": ROW_NUMBER,
            "indicator_id": INDICATOR,
            "period_type": _c("Length of the period", codes="month, quarter, year"),
            "period_start": _c("First day of the period", "date"),
            "ward_code": AREA,
            "value": _c("The figure (NULL: not reported)", "the indicator's unit"),
            "commentary": _c("Commentary given with the row"),
            "contact": CONTACT,
        },
    ),
    "return_action_rows": Table(
        "Action rows of each accepted return version, as submitted",
        {
            "subgroup_id": SUBGROUP,
            "quarter_start": QUARTER,
            "version": RETURN_VERSION,
            "sheet": SHEET,
            "row_number": ROW_NUMBER,
            "action_id": _c(
                "The plan action or board action reported on", codes="actions.action_id, board_actions.reference"
            ),
            "status": ACTION_STATUS,
            "commentary": _c("Commentary given with the row"),
            "contact": CONTACT,
        },
    ),
    "return_audit": Table(
        "Every attempt to submit a return, accepted or not",
        {
            "attempted_at": _c("When", "UTC timestamp"),
            "sha256": SHA256,
            "filename": _c("Name of the uploaded file, as given"),
            "size_bytes": _c("Size of the file", "bytes"),
            "submitted_by": _c("Who tried to submit it", personal=True),
            "subgroup_id": SUBGROUP,
            "quarter_start": QUARTER,
            "outcome": _c("What happened", codes="accepted, rejected, duplicate"),
            "version": _c("Version stored (NULL unless accepted)", "number"),
            "reasons": _c("Why it was refused, or the warnings explained, one per line"),
            "is_demo": DEMO,
        },
    ),
    "police_incidents": Table(
        "Street-level crime and anti-social behaviour from police.uk, one row per incident in the partnership",
        {
            "ward_code": _c("Area the incident's LSOA lies in", codes="wards.ward_code"),
            "month": _c("First day of the month recorded", "date"),
            "crime_type": _c("police.uk crime type (e.g. Anti-social behaviour, Burglary)"),
            "crime_id": _c("police.uk crime ID (NULL for anti-social behaviour)"),
            "falls_within": _c("Force whose area the incident falls within"),
            "reported_by": _c("Force that reported it"),
            "longitude": _c("Approximate location (anonymised by police.uk)", "degrees (WGS84)"),
            "latitude": _c("Approximate location (anonymised by police.uk)", "degrees (WGS84)"),
            "location": _c("police.uk's description of the location (e.g. On or near a street)"),
            "lsoa_code": _c("Lower layer super output area code", codes="lsoa_wards.lsoa_code"),
            "lsoa_name": _c("LSOA name"),
            "last_outcome": _c("police.uk's last outcome category"),
            "context": _c("police.uk's context field"),
            "is_demo": DEMO,
        },
    ),
    "lsoa_wards": Table(
        "Which area each LSOA lies in, for placing police.uk incidents",
        {
            "lsoa_code": _c("Lower layer super output area code"),
            "lsoa_name": _c("LSOA name"),
            "ward_code": _c("The area it lies in", codes="wards.ward_code"),
            "ward_name": _c("That area's name"),
            "lad_name": _c("Local authority district"),
            "source": _c("Lookup file it came from"),
            "is_demo": DEMO,
            "loaded_at": _c("When it was stored", "UTC timestamp"),
        },
    ),
    "police_ward_month": Table(
        "police.uk incidents counted by month, area and crime type",
        {
            "month": _c("First day of the month", "date"),
            "ward_code": _c("The area", codes="wards.ward_code"),
            "crime_type": _c("police.uk crime type"),
            "incidents": _c("Incidents", "count"),
            "is_demo": DEMO,
        },
    ),
    "police_months": Table(
        "Each force's month of police.uk data imported: what was read and kept",
        {
            "force": _c("Police force"),
            "month": _c("First day of the month", "date"),
            "rows_read": _c("Rows in the file", "count"),
            "stored": _c("Incidents stored", "count"),
            "no_location": _c("Rows without a location (not stored)", "count"),
            "outside_area": _c("Rows outside the partnership (not stored)", "count"),
            "source_file": _c("File imported"),
            "is_demo": DEMO,
            "imported_at": _c("When", "UTC timestamp"),
        },
    ),
    "police_imports": Table(
        "Each police.uk import run",
        {
            "imported_at": _c("When", "UTC timestamp"),
            "files": _c("Files read", "count"),
            "rows_read": _c("Rows read", "count"),
            "stored": _c("Incidents stored", "count"),
            "no_location": _c("Rows without a location", "count"),
            "outside_area": _c("Rows outside the partnership", "count"),
            "skipped_files": _c("Files skipped and why, one per line"),
            "is_demo": DEMO,
        },
    ),
    "board_actions": Table(
        "Actions and decisions the board recorded (never changed after recording)",
        {
            "reference": _c("Reference, A-<year>-Q<n>-<sequence> of the quarter reviewed (e.g. A-2025/26-Q2-03)"),
            "raised_quarter": _c("First day of the quarter reviewed at the meeting", "date"),
            "sequence": _c("Number within that quarter", "number"),
            "kind": _c("Kind", codes="action, decision"),
            "text": _c("What the board decided"),
            "source_kind": _c("What it arose from", codes="indicator, priority (an objective), theme"),
            "source_id": _c(
                "Which one", codes="indicators.indicator_id, objectives.objective_id or themes.theme_id, by source_kind"
            ),
            "raised_by": _c("Who recorded it", personal=True),
            "raised_at": _c("When", "UTC timestamp"),
            "is_demo": DEMO,
        },
    ),
    "board_action_updates": Table(
        "Every change to a board action, its recording included; its state is its latest row",
        {
            "reference": _c("The board action", codes="board_actions.reference"),
            "number": _c("Change number for the action (1: recorded)", "number"),
            "recorded_at": _c("When", "UTC timestamp"),
            "author": _c("Who made the change", personal=True),
            "quarter_start": QUARTER,
            "status": _c("Status after the change", codes=BOARD_STATUS),
            "note": _c("Why (needed to close an action)"),
            "owner": _c("New owner subgroup (NULL: unchanged)", codes="subgroups.subgroup_id"),
            "due_quarter": _c("New due quarter's first day (NULL: unchanged)", "date"),
            "via": _c("Where the change was made", codes="board, return"),
            "return_subgroup": _c("Subgroup whose return made it (via return)", codes="subgroups.subgroup_id"),
            "return_version": _c("That return's version (via return)", "number"),
            "is_demo": DEMO,
        },
    ),
}


def personal_columns() -> dict[str, tuple[str, ...]]:
    """Table -> its columns holding personal data (tables without any are left out)."""
    out = {}
    for name, table in DICTIONARY.items():
        found = tuple(c for c, col in table.columns.items() if col.personal)
        if found:
            out[name] = found
    return out
