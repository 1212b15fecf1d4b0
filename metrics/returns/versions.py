"""A stored return, as a person reads it: the list of versions held for a subgroup and
quarter, one version's figures and actions, what changed between two versions, and the audit
log, each with the headings a lead would write, figures as the indicator's unit shows them
(counts as whole numbers) and changes as "31 -> 29 (-2)". Pure functions on the frames the
store returns (``submissions``, ``submission_rows``, ``audit``) and :func:`compare_versions`.
"""

from __future__ import annotations

import math

import pandas as pd

from metrics.board.status import format_value
from metrics.plan.model import Plan, Unit
from metrics.plan.words import area_words
from metrics.returns import Period

VERSION_COLUMNS = (
    "Version", "Latest", "Submitted (UTC)", "Submitted by", "File", "Explanation for warnings", "Demo",
)  # fmt: skip
AUDIT_COLUMNS = ("Attempted (UTC)", "Outcome", "Version", "Submitted by", "File", "File fingerprint", "Reasons")
BLANK = "blank"  # how a figure or text left out of a version reads in a comparison
ARROW = "->"
FIELD_WORDS = {"value": "Figure", "commentary": "Commentary", "status": "Status"}


def whole_area(plan: Plan) -> str:
    """How a figure with no area code is labelled, as everywhere else: 'all of the city' in the
    plan's words (the comparison's rows say the same)."""
    return area_words(plan).whole


def _time(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column).dt.strftime("%d %b %Y %H:%M")


def _whole(value: object) -> str:
    """A version number as a whole number, or blank (a refused attempt has none)."""
    return "" if value is None or pd.isna(value) else str(int(value))


def versions_table(held: pd.DataFrame) -> pd.DataFrame:
    """The versions stored (``submissions`` for one subgroup and quarter), latest first as
    stored: version, whether it is the latest, when, by whom, the file, the explanation given
    for warnings, and whether it is demo data."""
    return pd.DataFrame(
        {
            "Version": [_whole(v) for v in held["version"]],
            "Latest": held["is_latest"].map({True: "latest", False: ""}),
            "Submitted (UTC)": _time(held["submitted_at"]),
            "Submitted by": held["submitted_by"],
            "File": held["filename"],
            "Explanation for warnings": held["explanation"].fillna(""),
            "Demo": held["is_demo"].map({True: "demo", False: ""}),
        },
        columns=list(VERSION_COLUMNS),
    )


def figure_text(value: object, unit: str) -> str:
    """A stored figure as its indicator shows it (a count as a whole number); blank as 'blank'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return BLANK
    return format_value(float(value), unit)


def change_text(old: object, new: object, unit: str) -> str:
    """A figure's change in a lead's words: '31 -> 29 (-2)', 'blank -> 29', '31 -> blank'."""
    before, after = figure_text(old, unit), figure_text(new, unit)
    if BLANK in (before, after):
        return f"{before} {ARROW} {after}"
    diff = float(new) - float(old)  # type: ignore[arg-type]
    step = f"{diff:+,.0f}" if unit == Unit.COUNT else f"{diff:+,.1f}"
    return f"{before} {ARROW} {after} ({step})"


def version_figures(indicator_rows: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """One version's indicator rows (``submission_rows``) as read: the file's row, the
    indicator's name, the period in words ('Jul 2025', '2025/26 Q2'), the area named (or the
    whole area where no code is given, or the code is not in the plan), the figure as its unit
    shows it, commentary, contact."""
    names, indicators = plan.ward_names(), {i.id: i for i in plan.indicators}
    area = plan.partnership.area_singular.capitalize()
    units = [indicators[i].unit if i in indicators else "" for i in indicator_rows["indicator_id"]]
    return pd.DataFrame(
        {
            "Row in file": indicator_rows["row_number"].astype(int),
            "Indicator": [indicators[i].name if i in indicators else i for i in indicator_rows["indicator_id"]],
            "Period": [
                Period(kind, pd.Timestamp(start).date()).label
                for kind, start in zip(indicator_rows["period_type"], indicator_rows["period_start"], strict=True)
            ],
            area: [
                names.get(code, whole_area(plan)) if isinstance(code, str) else whole_area(plan)
                for code in indicator_rows["ward_code"]
            ],
            "Figure": [figure_text(v, u) for v, u in zip(indicator_rows["value"], units, strict=True)],
            "Commentary": indicator_rows["commentary"].fillna(""),
            "Contact": indicator_rows["contact"].fillna(""),
        }
    )


def version_actions(action_rows: pd.DataFrame) -> pd.DataFrame:
    """One version's action rows as read: the file's row, the action, its status, commentary
    and contact (blanks for missing text)."""
    return pd.DataFrame(
        {
            "Row in file": action_rows["row_number"].astype(int),
            "Action": action_rows["action_id"],
            "Status": action_rows["status"].fillna(""),
            "Commentary": action_rows["commentary"].fillna(""),
            "Contact": action_rows["contact"].fillna(""),
        }
    )


def changes_table(diff: pd.DataFrame, plan: Plan, old: int, new: int) -> pd.DataFrame:
    """What changed between two versions (:func:`compare_versions`) in a lead's words: the
    indicator's name or the action, period, area, what changed, both versions, and the change
    ('31 -> 29 (-2)' for a figure)."""
    indicators = {i.id: i for i in plan.indicators}
    area = plan.partnership.area_singular.capitalize()
    rows = []
    for _, r in diff.iterrows():
        ind = indicators.get(r["item"]) if r["kind"] == "indicator" else None
        unit = ind.unit if ind else ""
        x, y = r[f"version {old}"], r[f"version {new}"]
        if r["field"] == "value":
            before, after, change = figure_text(x, unit), figure_text(y, unit), change_text(x, y, unit)
        else:
            before, after = ("" if v is None or pd.isna(v) else str(v) for v in (x, y))
            change = "added" if not before else "removed" if not after else "changed"
        rows.append(
            {
                "Indicator or action": ind.name if ind else r["item"],
                "Period": r["period"],
                area: r["ward"],  # compare_versions names the area, or the whole area, in the plan's words
                "What changed": FIELD_WORDS.get(r["field"], r["field"]),
                f"Version {old}": before,
                f"Version {new}": after,
                "Change": change,
            }
        )
    columns = ["Indicator or action", "Period", area, "What changed", f"Version {old}", f"Version {new}", "Change"]
    return pd.DataFrame(rows, columns=columns)


def audit_table(audit: pd.DataFrame) -> pd.DataFrame:
    """Every attempt to submit (``audit``), newest first as stored, in a lead's words."""
    return pd.DataFrame(
        {
            "Attempted (UTC)": _time(audit["attempted_at"]),
            "Outcome": audit["outcome"],
            "Version": [_whole(v) for v in audit["version"]],
            "Submitted by": audit["submitted_by"],
            "File": audit["filename"],
            "File fingerprint": audit["sha256"].str.slice(0, 16),
            "Reasons": audit["reasons"].fillna(""),
        },
        columns=list(AUDIT_COLUMNS),
    )
