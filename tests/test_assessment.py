"""Strategic Assessment rules (metrics/board/assessment.py): a quoted share that disagrees with its count."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.board.assessment import SHARE_MISMATCH_POINTS, ShareMismatch, share_mismatches
from metrics.store import Store
from metrics.store import indicators as indicator_store


def _areas(*rows: tuple[str, float | None, float | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["ward_name", "value", "share_pct"])


@pytest.mark.parametrize(
    ("value", "share", "total", "flagged"),
    [
        (250.0, 25.0, 1000.0, False),  # exactly the quoted share
        (250.0, 26.0, 1000.0, False),  # 1.0 point out: on the tolerance, not beyond it
        (250.0, 26.5, 1000.0, True),  # 1.5 points out
        (250.0, 23.0, 1000.0, True),  # 2 points under
        (250.0, None, 1000.0, False),  # no share quoted: nothing to check
        (None, 25.0, 1000.0, False),  # no count: nothing to check
        (250.0, 40.0, None, False),  # no total: nothing to check
        (250.0, 40.0, 0.0, False),  # a zero total gives no share to compare
    ],
)
def test_share_mismatch_rule(value, share, total, flagged: bool) -> None:
    found = share_mismatches(_areas(("North", value, share)), total)
    assert bool(found) is flagged
    if flagged:
        (m,) = found
        assert m == ShareMismatch("North", value, total, share)
        assert m.computed_pct == pytest.approx(25.0)
        assert m.sentence == (
            f"North: the assessment quotes {share:.1f}% of the total, but 250 of 1,000 is 25.0%. "
            "The count is shown; check the share with the assessment's authors."
        )


def test_share_mismatches_keep_row_order_and_tolerance() -> None:
    areas = _areas(("B", 100.0, 30.0), ("A", 100.0, 10.0), ("C", 100.0, 12.0))
    assert [m.area_name for m in share_mismatches(areas, 1000.0)] == ["B", "C"]
    assert [m.area_name for m in share_mismatches(areas, 1000.0, tolerance=5.0)] == ["B"]
    assert SHARE_MISMATCH_POINTS == 1.0


def test_share_mismatches_on_the_stored_assessment(demo_store: Store) -> None:
    figures = indicator_store.sa_figures(demo_store)
    latest = figures[figures["assessment"] == figures["assessment"].max()]
    areas = latest[latest["ward_code"].notna() & ~latest["is_demo"]]
    measure = areas["measure"].iloc[0]
    whole = latest[latest["ward_code"].isna() & (latest["measure"] == measure)]["value"].dropna()
    found = share_mismatches(areas, whole.iloc[0])
    # The plan's assessment quotes two areas' volumes; one quoted share disagrees with its count.
    assert len(areas) == 2 and len(found) == 1
    (m,) = found
    assert m.quoted_pct == 31.0 and m.computed_pct == pytest.approx(21.3, abs=0.05)
    assert m.area_name in set(areas["ward_name"])
