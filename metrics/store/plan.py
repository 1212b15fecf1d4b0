"""The plan in force, as tables the other areas join to (wards, themes, indicators, ...), and
the store's key-value ``meta`` (which plan, which demo seed)."""

from __future__ import annotations

import pandas as pd

from metrics.plan.model import Plan, iter_indicator_rows
from metrics.store.engine import Connection, Store
from metrics.store.schema import PLAN_TABLES


def sync_plan(store: Store, plan: Plan) -> None:
    """Replace the plan tables with the plan in force, in one transaction."""
    with store.transaction() as con:
        for table in PLAN_TABLES:
            con.execute(f"DELETE FROM {table}")
        con.executemany(
            "INSERT INTO wards VALUES (?, ?, ?, ?)",
            [[w.code, w.name, w.population, w.population_source] for w in plan.wards],
        )
        con.executemany("INSERT INTO themes VALUES (?, ?, ?)", [[t.id, t.name, i] for i, t in enumerate(plan.themes)])
        con.executemany(
            "INSERT INTO objectives VALUES (?, ?, ?, ?)",
            [[o.id, o.theme_id, o.text, i] for i, o in enumerate(plan.objectives)],
        )
        con.executemany(
            "INSERT INTO measures VALUES (?, ?, ?, ?)",
            [[m.id, t.id, m.text, i] for t in plan.themes for i, m in enumerate(t.measures)],
        )
        con.executemany(
            "INSERT INTO subgroups VALUES (?, ?, ?)", [[s.id, s.name, s.short_name] for s in plan.subgroups]
        )
        con.executemany(
            "INSERT INTO actions VALUES (?, ?, ?, ?, ?)",
            [[a.id, a.owner, a.kind, list(a.objective_ids), a.text] for a in plan.actions],
        )
        rows = pd.DataFrame(list(iter_indicator_rows(plan)))
        con.register("incoming_indicators", rows)
        con.execute("INSERT INTO indicators SELECT * FROM incoming_indicators")
        write_meta(con, "plan_path", str(plan.path))
        write_meta(con, "partnership", plan.partnership.name)


def meta(store: Store) -> dict[str, str]:
    """Every key and value of the store's ``meta`` table."""
    with store.connect() as con:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())


def set_meta(store: Store, key: str, value: str) -> None:
    """Set one ``meta`` key, in its own transaction."""
    with store.transaction() as con:
        write_meta(con, key, value)


def write_meta(con: Connection, key: str, value: str) -> None:
    """Set one ``meta`` key inside a transaction another write has open."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
