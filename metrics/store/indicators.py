"""The performance figures the board reads: indicator values, Strategic Assessment figures,
commentary and action progress, and the demo load that replaces every demo row at once."""

from __future__ import annotations

import pandas as pd

from metrics.store._keyed import ACTION_PROGRESS, COMMENTARY, INDICATOR_VALUES
from metrics.store.engine import Connection, Store, now
from metrics.store.plan import write_meta
from metrics.store.returns import delete_demo_returns
from metrics.store.schema import DATA_TABLES


# --- writes ------------------------------------------------------------------------------------
def replace_sa_figures(store: Store, figures: pd.DataFrame) -> int:
    """Store assessment figures, replacing the real figures held for the same assessment years
    (demo figures are left to :func:`load_demo`)."""
    with store.transaction() as con:
        assessments = sorted(figures["assessment"].unique())
        con.executemany("DELETE FROM sa_figures WHERE assessment = ? AND NOT is_demo", [[a] for a in assessments])
        return _insert_sa_figures(con, figures)


def _insert_sa_figures(con: Connection, figures: pd.DataFrame) -> int:
    con.register("incoming_sa", figures)
    con.execute(
        """INSERT INTO sa_figures
           SELECT assessment, period_start::DATE, period_end::DATE, category, measure,
                  ward_code, value, unit, change_pct, share_pct, note, source, is_demo,
                  position
           FROM incoming_sa"""
    )
    return len(figures)


def replace_values(store: Store, values: pd.DataFrame) -> int:
    """Store indicator values; a row for the same indicator, period and ward replaces the
    one held."""
    with store.transaction() as con:
        return INDICATOR_VALUES.replace(con, values)


def replace_action_progress(store: Store, progress: pd.DataFrame) -> int:
    """Store action statuses; a row for the same action and quarter replaces the one held."""
    with store.transaction() as con:
        return ACTION_PROGRESS.replace(con, progress)


def replace_commentary(store: Store, notes: pd.DataFrame) -> int:
    """Store indicator commentary; a note for the same indicator and quarter replaces the one held."""
    with store.transaction() as con:
        return COMMENTARY.replace(con, notes)


def load_demo(
    store: Store,
    values: pd.DataFrame,
    commentary: pd.DataFrame,
    progress: pd.DataFrame,
    sa_figures: pd.DataFrame,
    seed: int,
) -> None:
    """Replace all demo rows (and the demo returns) with a freshly generated set, in one
    transaction. Real rows (is_demo false) are never touched."""
    with store.transaction() as con:
        for table in DATA_TABLES:
            con.execute(f"DELETE FROM {table} WHERE is_demo")
        delete_demo_returns(con)
        INDICATOR_VALUES.replace(con, values)
        if not commentary.empty:
            COMMENTARY.replace(con, commentary)
        if not progress.empty:
            ACTION_PROGRESS.replace(con, progress)
        if not sa_figures.empty:
            _insert_sa_figures(con, sa_figures)
        write_meta(con, "demo_seed", str(seed))
        write_meta(con, "demo_loaded_at", now().isoformat(timespec="seconds"))


# --- reads -------------------------------------------------------------------------------------
def values(store: Store) -> pd.DataFrame:
    """Every stored indicator value (small: one row per indicator, period and ward)."""
    with store.connect() as con:
        frame = con.execute(
            """SELECT indicator_id, period_type, period_start, ward_code, value, is_demo, source
               FROM indicator_values
               ORDER BY indicator_id, period_start, ward_code NULLS FIRST"""
        ).df()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def action_progress(store: Store, quarter_start: pd.Timestamp | str) -> pd.DataFrame:
    """Each action's latest reported status at or before the quarter."""
    with store.connect() as con:
        return ACTION_PROGRESS.latest_at(con, quarter_start)


def commentary(store: Store, quarter_start: pd.Timestamp | str) -> pd.DataFrame:
    """Each indicator's latest commentary at or before the quarter."""
    with store.connect() as con:
        return COMMENTARY.latest_at(con, quarter_start)


def sa_figures(store: Store) -> pd.DataFrame:
    """The Strategic Assessment figures with their area names, newest assessment first."""
    with store.connect() as con:
        return con.execute(
            """SELECT f.*, w.ward_name
               FROM sa_figures AS f LEFT JOIN wards AS w USING (ward_code)
               ORDER BY f.period_start DESC, f.ward_code NULLS FIRST, f.position"""
        ).df()
