"""Commentary and action progress as records read by key (metrics.board.updates): what the
pages read in place of the store's column names, from a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from metrics import ActionProgress, Commentary, Quarter, commentary_by_indicator, progress_by_action
from metrics.store import Store, indicators, schema


def test_the_latest_commentary_and_progress_by_key(tmp_path: Path) -> None:
    store = Store(tmp_path / "csp.duckdb")
    schema.migrate(store)
    indicators.replace_commentary(
        store,
        pd.DataFrame(
            [
                {"indicator_id": "asb_incidents", "quarter_start": pd.Timestamp(q), "text": t, "author": a,
                 "is_demo": False}
                for q, t, a in (("2025-04-01", "first", "lead"), ("2025-07-01", "second", None))
            ]
        ),
    )  # fmt: skip
    indicators.replace_action_progress(
        store,
        pd.DataFrame(
            [{"action_id": "ct_pspo", "quarter_start": pd.Timestamp("2025-04-01"), "status": "At risk",
              "commentary": None, "is_demo": True}]
        ),
    )  # fmt: skip
    q2 = Quarter(2025, 2)
    notes = commentary_by_indicator(indicators.commentary(store, str(q2.start)))
    assert notes == {"asb_incidents": Commentary("asb_incidents", q2, "second", None, False)}
    progress = progress_by_action(indicators.action_progress(store, str(q2.start)))
    assert progress == {"ct_pspo": ActionProgress("ct_pspo", Quarter(2025, 1), "At risk", None, True)}
    assert commentary_by_indicator(indicators.commentary(store, "2025-01-01")) == {}
