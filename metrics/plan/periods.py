"""Periods a figure can belong to: a financial year, a calendar year, a quarter, a month or a
date range, each with its first and last day and a label for display.

A plan's baselines come from many sources: the Strategic Assessment counts financial years,
a resident survey a calendar year, a snapshot a month. Each is written as the source gives it:

    2023/24                    financial year (1 April 2023 - 31 March 2024); 2023-24 too
    2024                       calendar year
    2025/26 Q1                 financial-year quarter (April-June 2025)
    2024-03                    month
    2024-01-01..2024-12-31     any date range, both days included
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from metrics.quarters import FinancialYear, PeriodError, Quarter

PERIOD_KINDS = ("financial_year", "calendar_year", "quarter", "month", "range")
PERIOD_FORMATS = (
    "'2023/24' (financial year), '2024' (calendar year), '2025/26 Q1', '2024-03' or '2024-01-01..2024-12-31'"
)
# A regular expression the JSON Schema gives editors; the parser below is the authority.
PERIOD_PATTERN = (
    r"^\s*(\d{4}\s*[/-]\s*\d{2,4}(\s+Q\d)?|Q\d\s+\d{4}\s*[/-]\s*\d{2,4}|\d{4}|\d{4}-\d{2}"
    r"|\d{4}-\d{2}-\d{2}\s*\.\.\s*\d{4}-\d{2}-\d{2})\s*$"
)
_CALENDAR_YEAR = re.compile(r"^\s*(?P<y>\d{4})\s*$")
_MONTH = re.compile(r"^\s*(?P<y>\d{4})-(?P<m>\d{2})\s*$")
_RANGE = re.compile(r"^\s*(?P<a>\d{4}-\d{2}-\d{2})\s*\.\.\s*(?P<b>\d{4}-\d{2}-\d{2})\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A span of days with the kind of period it is and how it is shown."""

    start: date
    end: date
    kind: str  # one of PERIOD_KINDS
    label: str

    @classmethod
    def parse(cls, value: object) -> Period:
        """Read a period written in any of PERIOD_FORMATS (a YAML number like 2024 is a year)."""
        if isinstance(value, bool) or value is None:
            raise PeriodError(f"Period {value!r} is not in a form we read: write it as {PERIOD_FORMATS}.")
        text = str(value).strip()
        if match := _RANGE.match(text):
            try:
                first, last = date.fromisoformat(match["a"]), date.fromisoformat(match["b"])
            except ValueError as exc:
                raise PeriodError(f"Period {text!r}: {exc}; write days as 2024-01-31.") from exc
            if last < first:
                raise PeriodError(f"Period {text!r} ends before it starts; write the earlier day first.")
            return cls(first, last, "range", f"{_day(first)} to {_day(last)}")
        if "Q" in text.upper():
            quarter = Quarter.parse(text)
            return cls(quarter.start, quarter.end, "quarter", quarter.label)
        if match := _CALENDAR_YEAR.match(text):
            year = int(match["y"])
            return cls(date(year, 1, 1), date(year, 12, 31), "calendar_year", str(year))
        if "/" in text:
            fy = FinancialYear.parse(text)
            return cls(fy.start, fy.end, "financial_year", fy.label)
        if match := _MONTH.match(text):
            year, month = int(match["y"]), int(match["m"])
            if 1 <= month <= 12:
                first = date(year, month, 1)
                nxt = date(year + month // 12, month % 12 + 1, 1)
                return cls(first, nxt - timedelta(days=1), "month", first.strftime("%B %Y"))
        try:  # '2023-24' is a financial year written with a dash
            fy = FinancialYear.parse(text)
        except PeriodError:
            raise PeriodError(f"Period {text!r} is not in a form we read: write it as {PERIOD_FORMATS}.") from None
        return cls(fy.start, fy.end, "financial_year", fy.label)

    @property
    def financial_year(self) -> FinancialYear:
        """The financial year holding most of this period (the later one on a tie): where an
        annual figure for it sits among figures kept by financial year."""
        best, best_days = FinancialYear.of(self.start), -1
        for year in range(FinancialYear.of(self.start).start_year, FinancialYear.of(self.end).start_year + 1):
            fy = FinancialYear(year)
            days = (min(self.end, fy.end) - max(self.start, fy.start)).days + 1
            if days >= best_days:
                best, best_days = fy, days
        return best

    def __str__(self) -> str:
        return self.label


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"
