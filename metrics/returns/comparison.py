"""Comparing two stored versions of a return: what was added, removed or changed."""

from __future__ import annotations

import math

import pandas as pd

from metrics.plan.model import Plan
from metrics.plan.words import area_words
from metrics.quarters import Quarter
from metrics.returns.obligations import Period
from metrics.store import Store
from metrics.store import returns as return_store


def compare_versions(store: Store, plan: Plan, subgroup_id: str, quarter: Quarter, old: int, new: int) -> pd.DataFrame:
    """What changed between two stored versions: one row per indicator figure or action whose
    value, status or commentary differs (added, removed or changed)."""
    start = str(quarter.start)
    old_ind, old_act = return_store.submission_rows(store, subgroup_id, start, old)
    new_ind, new_act = return_store.submission_rows(store, subgroup_id, start, new)
    names = plan.ward_names()
    whole = area_words(plan).whole
    out = []

    def ind_key(r: pd.Series) -> tuple:
        return (
            r["indicator_id"],
            Period(r["period_type"], pd.Timestamp(r["period_start"]).date()).label,
            names.get(r["ward_code"], whole) if isinstance(r["ward_code"], str) else whole,
        )

    def index(frame: pd.DataFrame, key) -> dict:  # noqa: ANN001
        return {key(r): r for _, r in frame.iterrows()}

    for kind, a, b, key, fields in (
        ("indicator", old_ind, new_ind, ind_key, ("value", "commentary")),
        ("action", old_act, new_act, lambda r: (r["action_id"], "", ""), ("status", "commentary")),
    ):
        before, after = index(a, key), index(b, key)
        for k in dict.fromkeys([*before, *after]):
            for f in fields:
                x = before[k][f] if k in before else None
                y = after[k][f] if k in after else None
                x = None if x is None or (isinstance(x, float) and math.isnan(x)) else x
                y = None if y is None or (isinstance(y, float) and math.isnan(y)) else y
                if x != y:
                    out.append(
                        {
                            "item": k[0],
                            "period": k[1],
                            "ward": k[2],
                            "field": f,
                            f"version {old}": x,
                            f"version {new}": y,
                            "kind": kind,
                        }
                    )
    return pd.DataFrame(out, columns=["kind", "item", "period", "ward", "field", f"version {old}", f"version {new}"])
