"""The board's data tables whose rows are replaced by key (indicator values, commentary,
action progress): written by the indicator loads and by an accepted return, read as at a
quarter by the pages and the pack."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.store.engine import Connection, now


@dataclass(frozen=True)
class KeyedTable:
    """A data table whose rows are replaced by key: an incoming row replaces any stored row
    with the same key, so loading the same figures twice never doubles them."""

    table: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    stamp: str  # the timestamp column filled in when the caller gives none
    dates: tuple[str, ...] = ()

    def replace(self, con: Connection, rows: pd.DataFrame) -> int:
        """Store ``rows`` (one column per name in ``columns``) inside the caller's transaction."""
        frame = rows.copy()
        if self.stamp not in frame:
            frame[self.stamp] = now()
        con.register("incoming", frame)

        def incoming(column: str) -> str:
            return f"i.{column}::DATE" if column in self.dates else f"i.{column}"

        match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM {incoming(k)}" for k in self.keys)
        con.execute(f"DELETE FROM {self.table} AS t USING incoming AS i WHERE {match}")
        columns = (*self.columns, self.stamp)
        selected = ", ".join(incoming(c) for c in columns)
        con.execute(f"INSERT INTO {self.table} ({', '.join(columns)}) SELECT {selected} FROM incoming AS i")
        return len(frame)

    def latest_at(self, con: Connection, day: pd.Timestamp | str) -> pd.DataFrame:
        """For each key (less its date), the latest row dated on or before ``day``."""
        dated = self.dates[0]
        group = ", ".join(k for k in self.keys if k != dated)
        return con.execute(
            f"""SELECT {", ".join(self.columns)} FROM {self.table}
                WHERE {dated} <= ?::DATE
                QUALIFY row_number() OVER (PARTITION BY {group} ORDER BY {dated} DESC) = 1""",
            [str(pd.Timestamp(day).date())],
        ).df()


INDICATOR_VALUES = KeyedTable(
    "indicator_values",
    keys=("indicator_id", "period_type", "period_start", "ward_code"),
    columns=("indicator_id", "period_type", "period_start", "ward_code", "value", "is_demo", "source"),
    stamp="loaded_at",
    dates=("period_start",),
)
ACTION_PROGRESS = KeyedTable(
    "action_progress",
    keys=("action_id", "quarter_start"),
    columns=("action_id", "quarter_start", "status", "commentary", "is_demo"),
    stamp="updated_at",
    dates=("quarter_start",),
)
COMMENTARY = KeyedTable(
    "commentary",
    keys=("indicator_id", "quarter_start"),
    columns=("indicator_id", "quarter_start", "text", "author", "is_demo"),
    stamp="created_at",
    dates=("quarter_start",),
)
