"""Financial-year quarters: every accepted spelling, and clear words for the rest."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.quarters import FinancialYear, PeriodError, Quarter, quarter_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/26 Q1", Quarter(2025, 1)),
        ("2025-26 Q1", Quarter(2025, 1)),
        ("Q1 2025/26", Quarter(2025, 1)),
        ("q3 2024-25", Quarter(2024, 3)),
        ("  2024/2025 Q4 ", Quarter(2024, 4)),
        ("1999/00 Q2", Quarter(1999, 2)),
    ],
)
def test_accepted_spellings(text: str, expected: Quarter) -> None:
    assert Quarter.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025 Q1", "not in a form we read: write it as '2025/26 Q1', '2025-26 Q1' or 'Q1 2025/26'"),
        ("2025/27 Q1", "must run from one year to the next, for example 2025/26"),
        ("2025/26 Q5", "Q5 does not exist"),
        ("", "not in a form we read"),
        ("Quarter one", "not in a form we read"),
    ],
)
def test_rejected_spellings_say_why(text: str, message: str) -> None:
    with pytest.raises(PeriodError) as err:
        Quarter.parse(text)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("quarter", "start", "end", "label"),
    [
        (Quarter(2025, 1), date(2025, 4, 1), date(2025, 6, 30), "2025/26 Q1"),
        (Quarter(2025, 3), date(2025, 10, 1), date(2025, 12, 31), "2025/26 Q3"),
        (Quarter(2025, 4), date(2026, 1, 1), date(2026, 3, 31), "2025/26 Q4"),
    ],
)
def test_dates_and_labels(quarter: Quarter, start: date, end: date, label: str) -> None:
    assert (quarter.start, quarter.end, quarter.label) == (start, end, label)
    assert Quarter.of(start) == quarter and Quarter.of(end) == quarter


def test_arithmetic() -> None:
    q = Quarter(2025, 1)
    assert q.previous() == Quarter(2024, 4)
    assert q.year_earlier() == Quarter(2024, 1)
    assert Quarter(2024, 4).next() == q
    assert q.months() == [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
    assert len(quarter_range(Quarter(2022, 1), Quarter(2025, 2))) == 14
    assert FinancialYear.parse("2023/24").end == date(2024, 3, 31)
    assert FinancialYear.of(date(2024, 3, 31)).label == "2023/24"
