"""UK financial-year quarters and periods (Q1 is April-June).

A quarter is written ``2025/26 Q1``; ``2025-26 Q1`` and ``Q1 2025/26`` are accepted too.
Financial years are written ``2025/26``. Monthly figures are keyed by the first day of the
month, quarterly ones by the first day of the quarter, annual ones by 1 April.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

QUARTER_FORMATS = "'2025/26 Q1', '2025-26 Q1' or 'Q1 2025/26'"

_FY = r"(?P<y1>\d{4})\s*[/-]\s*(?P<y2>\d{2}|\d{4})"
_Q = r"Q(?P<q>\d)"
_QUARTER_PATTERNS = (
    re.compile(rf"^\s*{_FY}\s+{_Q}\s*$", re.IGNORECASE),
    re.compile(rf"^\s*{_Q}\s+{_FY}\s*$", re.IGNORECASE),
)
_YEAR_PATTERN = re.compile(rf"^\s*{_FY}\s*$")


class PeriodError(ValueError):
    """A quarter or financial year written in a form we cannot read."""


def _start_year(y1: str, y2: str, text: str, what: str) -> int:
    start = int(y1)
    end = int(y2) if len(y2) == 4 else (start // 100) * 100 + int(y2)
    if len(y2) == 2 and end < start:
        end += 100
    if end != start + 1:
        raise PeriodError(
            f"{what} {text!r}: the financial year must run from one year to the next, "
            f"for example {start}/{(start + 1) % 100:02d}."
        )
    return start


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A UK financial year, 1 April to 31 March, named by the year it starts in."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        match = _YEAR_PATTERN.match(str(text))
        if not match:
            raise PeriodError(f"Financial year {text!r} is not in a form we read: write it as '2025/26'.")
        return cls(_start_year(match["y1"], match["y2"], text, "Financial year"))

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter: ``Quarter(2025, 1)`` is April-June 2025, ``2025/26 Q1``."""

    start_year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise PeriodError(f"Quarter number {self.number} must be 1, 2, 3 or 4.")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read '2025/26 Q1', '2025-26 Q1' or 'Q1 2025/26'; say what is wrong otherwise."""
        raw = str(text)
        for pattern in _QUARTER_PATTERNS:
            match = pattern.match(raw)
            if match:
                number = int(match["q"])
                if number not in (1, 2, 3, 4):
                    raise PeriodError(
                        f"Quarter {raw!r}: Q{number} does not exist; quarters are Q1 (April-June) "
                        "to Q4 (January-March)."
                    )
                return cls(_start_year(match["y1"], match["y2"], raw, "Quarter"), number)
        raise PeriodError(
            f"Quarter {raw!r} is not in a form we read: write it as {QUARTER_FORMATS} "
            "(UK financial-year quarters, Q1 is April-June)."
        )

    @classmethod
    def of(cls, day: date) -> Quarter:
        fy = FinancialYear.of(day)
        return cls(fy.start_year, (day.month - 4) % 12 // 3 + 1)

    @property
    def year(self) -> FinancialYear:
        return FinancialYear(self.start_year)

    @property
    def label(self) -> str:
        return f"{self.year.label} Q{self.number}"

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        nxt = self.next().start
        return date.fromordinal(nxt.toordinal() - 1)

    @property
    def months_label(self) -> str:
        first, last = self.months()[0], self.months()[-1]
        return f"{first:%b} - {last:%b %Y}"

    def months(self) -> list[date]:
        """First day of each of the quarter's three months."""
        s = self.start
        return [date(s.year + (s.month - 1 + i) // 12, (s.month - 1 + i) % 12 + 1, 1) for i in range(3)]

    def shift(self, quarters: int) -> Quarter:
        index = self.start_year * 4 + (self.number - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    def next(self) -> Quarter:
        return self.shift(1)

    def previous(self) -> Quarter:
        return self.shift(-1)

    def year_earlier(self) -> Quarter:
        return self.shift(-4)

    def __str__(self) -> str:
        return self.label


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    out: list[Quarter] = []
    q = first
    while q <= last:
        out.append(q)
        q = q.next()
    return out
