"""Strategic Assessment figures: read and check the CSV of key findings.

Columns: assessment (financial year, e.g. 2023/24), period_start, period_end (YYYY-MM-DD),
category, measure, ward_code (blank = the whole area), value, unit, change_pct (change on the
previous year, per cent), share_pct (share of the total quoted by the assessment), note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics.plan.model import Plan
from metrics.quarters import FinancialYear, PeriodError

SA_COLUMNS = (
    "assessment",
    "period_start",
    "period_end",
    "category",
    "measure",
    "ward_code",
    "value",
    "unit",
    "change_pct",
    "share_pct",
    "note",
)
NUMERIC = ("value", "change_pct", "share_pct")


class AssessmentFileError(ValueError):
    """The assessment CSV cannot be loaded; the message lists each problem by row and column."""


def read_assessment_csv(path: Path, plan: Plan, source: str | None = None) -> pd.DataFrame:
    """Read and check an assessment CSV; rows come back ready for Store.replace_sa_figures."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AssessmentFileError(f"{path}: not UTF-8 text ({exc.reason}); save it as CSV UTF-8.") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AssessmentFileError(f"{path}: not a readable CSV file ({exc}).") from exc
    missing = [c for c in SA_COLUMNS if c not in frame.columns]
    if missing:
        raise AssessmentFileError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must be: {','.join(SA_COLUMNS)}"
        )
    problems: list[str] = []
    wards = set(plan.ward_names())
    for i, row in frame.iterrows():
        line = i + 2  # header is line 1
        try:
            FinancialYear.parse(row["assessment"])
        except PeriodError as exc:
            problems.append(f"row {line}, column assessment: {exc}")
        for col in ("period_start", "period_end"):
            if pd.isna(pd.to_datetime(row[col], errors="coerce", format="%Y-%m-%d")):
                problems.append(f"row {line}, column {col}: {row[col]!r} is not a date written YYYY-MM-DD")
        if row["ward_code"] and row["ward_code"] not in wards:
            problems.append(
                f"row {line}, column ward_code: unknown {plan.partnership.area_singular} {row['ward_code']!r}; "
                f"use a code listed under wards in {plan.path.name}"
            )
        for col in NUMERIC:
            if row[col] and pd.isna(pd.to_numeric(row[col], errors="coerce")):
                problems.append(f"row {line}, column {col}: {row[col]!r} is not a number")
        if not row["measure"].strip():
            problems.append(f"row {line}, column measure: empty; name what the figure measures")
    if problems:
        raise AssessmentFileError(f"{path}:\n" + "\n".join(f"  - {p}" for p in problems))
    out = pd.DataFrame(
        {
            "assessment": frame["assessment"],
            "period_start": pd.to_datetime(frame["period_start"]).dt.date,
            "period_end": pd.to_datetime(frame["period_end"]).dt.date,
            "category": frame["category"],
            "measure": frame["measure"],
            "ward_code": frame["ward_code"].replace("", None),
            "unit": frame["unit"].replace("", None),
            "note": frame["note"].replace("", None),
        }
    )
    for col in NUMERIC:
        out[col] = pd.to_numeric(frame[col].replace("", None), errors="coerce").astype("float64")
    out["source"] = source or f"{plan.partnership.plan_title}: Strategic Assessment key findings"
    out["is_demo"] = False
    out["position"] = range(len(out))  # the file's order is the assessment's order
    return out


SHARE_MISMATCH_POINTS = 1.0  # percentage points: a quoted share further than this from count/total is flagged


@dataclass(frozen=True)
class ShareMismatch:
    """An area whose share of the total, as the assessment quotes it, disagrees with its count."""

    area_name: str
    value: float
    total: float
    quoted_pct: float

    @property
    def computed_pct(self) -> float:
        return self.value / self.total * 100

    @property
    def sentence(self) -> str:
        return (
            f"{self.area_name}: the assessment quotes {self.quoted_pct:.1f}% of the total, but "
            f"{self.value:,.0f} of {self.total:,.0f} is {self.computed_pct:.1f}%. The count is shown; "
            "check the share with the assessment's authors."
        )


def share_mismatches(
    areas: pd.DataFrame, total: float | None, tolerance: float = SHARE_MISMATCH_POINTS
) -> list[ShareMismatch]:
    """Areas (rows with ward_name, value and share_pct, as stored) whose quoted share differs
    from value / total by more than ``tolerance`` points, in the rows' order. Nothing to check
    without a total, or for a row with no quoted share."""
    if total is None or pd.isna(total) or total == 0:
        return []
    out = []
    for r in areas.itertuples(index=False):
        if pd.isna(r.share_pct) or pd.isna(r.value):
            continue
        found = ShareMismatch(r.ward_name, float(r.value), float(total), float(r.share_pct))
        if abs(found.computed_pct - found.quoted_pct) > tolerance:
            out.append(found)
    return out
