"""A stored return, as a person reads it: the list of versions held for a subgroup and
quarter, and one version's figures with their periods and areas named. Pure functions on the
frames the store returns (``Store.submissions`` and ``Store.submission_rows``)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from metrics.returns import Period

VERSION_COLUMNS = ("version", "latest", "submitted", "submitted_by", "filename", "explanation", "demo")
WHOLE_AREA = "the whole area"  # a figure with no area code, where the caller gives no plan's words


def versions_table(held: pd.DataFrame) -> pd.DataFrame:
    """The versions stored (``Store.submissions`` for one subgroup and quarter), latest first
    as stored: version, whether it is the latest, when, by whom, the file, the explanation
    given for warnings, and whether it is demo data."""
    return held.assign(
        submitted=held["submitted_at"].dt.strftime("%d %b %Y %H:%M"),
        latest=held["is_latest"].map({True: "latest", False: ""}),
        demo=held["is_demo"].map({True: "demo", False: ""}),
    )[list(VERSION_COLUMNS)]


def version_figures(
    indicator_rows: pd.DataFrame, area_names: Mapping[str, str], whole: str = WHOLE_AREA
) -> pd.DataFrame:
    """One version's indicator rows (``Store.submission_rows``) as read: the file's row, the
    indicator, the period in words ('Jul 2025', '2025/26 Q2'), the area named (or ``whole``,
    the plan's words for its whole area, where no code is given or the code is not in the
    plan), value, commentary, contact."""
    return pd.DataFrame(
        {
            "row": indicator_rows["row_number"],
            "indicator": indicator_rows["indicator_id"],
            "period": [
                Period(kind, pd.Timestamp(start).date()).label
                for kind, start in zip(indicator_rows["period_type"], indicator_rows["period_start"], strict=True)
            ],
            "ward": [
                area_names.get(code, whole) if isinstance(code, str) else whole for code in indicator_rows["ward_code"]
            ],
            "value": indicator_rows["value"],
            "commentary": indicator_rows["commentary"].fillna(""),
            "contact": indicator_rows["contact"].fillna(""),
        }
    )


def version_actions(action_rows: pd.DataFrame) -> pd.DataFrame:
    """One version's action rows as read: blanks for missing text, without the sheet name."""
    return action_rows.drop(columns=["sheet"]).fillna("")
