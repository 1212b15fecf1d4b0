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
SURVEY = _c("The survey, as declared in the plan's surveys")
WAVE = _c("The wave's label, as given at import (e.g. 2025)")
CONSULTATION = _c("The consultation", codes="consultations.consultation_id")

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
            "outcome": _c("What happened", codes="accepted, rejected, duplicate, refused (checked by the store)"),
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
    "police_peer_month": Table(
        "police.uk incidents of the force's other partnerships (peers), counted by month, partnership and crime "
        "type from the imported files' rows outside this partnership",
        {
            "month": _c("First day of the month", "date"),
            "force": _c("Police force whose file the rows came from (its 'Falls within')"),
            "partnership_code": _c("The other partnership's ONS code (Community Safety Partnership, December 2024)"),
            "partnership_name": _c("The other partnership's name"),
            "crime_type": _c("police.uk crime type"),
            "incidents": _c("Incidents", "count"),
            "is_demo": DEMO,
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
    "survey_waves": Table(
        "One row per imported wave of a resident survey the plan declares: its file, who imported it, the weighting",
        {
            "survey_id": SURVEY,
            "wave": WAVE,
            "period_start": _c("First day of the quarter the wave's figures are reported in (NULL: none)", "date"),
            "filename": _c("Name of the file imported"),
            "sha256": _c("SHA-256 of the file's bytes (hex)"),
            "respondents": _c("Respondents read", "count"),
            "design_effect": _c("Kish design effect of the weights (1: unweighted)", "ratio"),
            "effective_base": _c("Kish effective base of the whole wave", "respondents"),
            "weight_cap": _c("Largest weight allowed, as a multiple of the mean, before trimming", "ratio"),
            "trimmed": _c("Respondents whose weight was trimmed to the cap", "count"),
            "weighting": _c("How the wave was weighted: the margins raked to, in words"),
            "imported_by": _c("Who imported it", personal=True),
            "imported_at": _c("When", "UTC timestamp"),
            "is_demo": DEMO,
        },
    ),
    "survey_respondents": Table(
        "One row per respondent of a wave and their weight (deleted with the wave)",
        {
            "survey_id": SURVEY,
            "wave": WAVE,
            "row_number": _c("Row of the imported file the respondent came from", "number"),
            "weight": _c("Respondent's weight after raking and trimming (mean 1)", "ratio"),
        },
    ),
    "survey_answers": Table(
        "Respondents' answers to the declared columns only, one row per respondent and key (deleted with the wave)",
        {
            "survey_id": SURVEY,
            "wave": WAVE,
            "row_number": _c("The respondent", codes="survey_respondents.row_number"),
            "key": _c("The declared column: the respondent id, area, a demographic or measure id, or the comment"),
            "value": _c("The respondent's answer, as the file gives it (value labels applied)", personal=True),
        },
    ),
    "survey_estimates": Table(
        "Weighted estimates of each measure of a wave, for the whole area, each area and each declared group",
        {
            "survey_id": SURVEY,
            "wave": WAVE,
            "measure": _c("The survey measure, as declared in the plan's surveys"),
            "group_kind": _c("What the row describes", codes="all (the whole area), area, or a demographic's id"),
            "group_name": _c("The area's code or the group's answer ('all' for the whole area)"),
            "estimate": _c("Weighted share answering as the measure counts (NULL: too few responses)", "%"),
            "lower": _c("Lower end of the 95% interval (Wilson on the effective base; NULL when suppressed)", "%"),
            "upper": _c("Upper end of the 95% interval (NULL when suppressed)", "%"),
            "unweighted_base": _c("Respondents who gave an answer that counts in the base", "respondents"),
            "effective_base": _c("Kish effective base of those respondents", "respondents"),
            "suppressed": _c("True when the base is below settings.survey.min_base: shown as too few responses"),
            "position": POSITION,
        },
    ),
    "consultations": Table(
        "One row per consultation: what it asked, when, which plan it informs, and the facts a published record states",
        {
            "consultation_id": CONSULTATION,
            "title": _c("Title"),
            "start_date": _c("First day", "date"),
            "end_date": _c("Last day", "date"),
            "purpose": _c("What it asked residents and partners"),
            "plan_title": _c("The plan it informs"),
            "responses_reported": _c("Survey responses a published document reports (NULL: none reported)", "count"),
            "emerging_themes": _c("What that document says residents said, one entry per theme", "list"),
            "source": _c("The published document those facts come from"),
            "is_demo": DEMO,
        },
    ),
    "consultation_activities": Table(
        "Each event or period of a consultation: the formal record (date, type, participants)",
        {
            "consultation_id": CONSULTATION,
            "activity_id": _c("The activity, unique within its consultation"),
            "activity_date": _c("When it took place (its first day)", "date"),
            "kind": _c(
                "How people were heard",
                codes="online survey, workshop, public event, forum visit, email or letter, stakeholder meeting",
            ),
            "audience": _c("Who took part (a group or forum, not people)"),
            "area_code": AREA,
            "participants": _c("People who took part (NULL: not counted)", "count"),
            "note": _c("Officers' note, never published"),
            "is_demo": DEMO,
        },
    ),
    "consultation_comments": Table(
        "Each free-text comment, redacted: what every page but the coding page and every export shows",
        {
            "consultation_id": CONSULTATION,
            "comment_id": _c("The comment, unique within its consultation"),
            "activity_id": _c("The activity it came in through", codes="consultation_activities.activity_id"),
            "redacted": _c("The comment with names, contact details and marked names replaced"),
            "area_code": AREA,
            "group_name": _c("A declared group of the author (an age band, say), where known"),
            "codes": _c("Codes from the coding frame, in the order the analyst chose", "list"),
            "original_deleted": _c("True once the original text was deleted (only the redacted text remains)"),
            "is_demo": DEMO,
            "position": POSITION,
        },
    ),
    "consultation_originals": Table(
        "The original text of each comment and the names marked in it, for the analyst role only; deletable",
        {
            "consultation_id": CONSULTATION,
            "comment_id": _c("The comment", codes="consultation_comments.comment_id"),
            "original": _c("The comment as written", personal=True),
            "marked_names": _c("Names the analyst marked for redaction", "list", personal=True),
        },
    ),
    "consultation_findings": Table(
        "Main findings of a consultation, linked to the plan's priorities and the board's actions",
        {
            "consultation_id": CONSULTATION,
            "finding_id": _c("The finding, unique within its consultation"),
            "statement": _c("What residents said (the 'you said')"),
            "priority_ids": _c("Priorities it informs", "list", codes="objectives.objective_id"),
            "action_refs": _c("Board actions that follow it up", "list", codes="board_actions.reference"),
            "source": _c("Where the statement is published, when it is a published fact"),
            "is_demo": DEMO,
            "position": POSITION,
        },
    ),
    "consultation_actions_taken": Table(
        "What the partnership did about a finding: the 'we did' of 'you said, we did'",
        {
            "consultation_id": CONSULTATION,
            "taken_id": _c("The entry, unique within its consultation"),
            "finding_id": _c("The finding", codes="consultation_findings.finding_id"),
            "text": _c("What was done"),
            "taken_on": _c("When (NULL: not dated)", "date"),
            "is_demo": DEMO,
            "position": POSITION,
        },
    ),
    "consultation_quotes": Table(
        "Comments chosen to illustrate a code in the public summary (their redacted text only)",
        {
            "consultation_id": CONSULTATION,
            "code_id": _c("The code of the coding frame"),
            "comment_id": _c("The comment", codes="consultation_comments.comment_id"),
            "position": POSITION,
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
