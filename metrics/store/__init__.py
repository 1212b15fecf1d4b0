"""The store: the only place that speaks SQL.

- :mod:`~metrics.store.engine`: :class:`Store` (one DuckDB file, attached per operation to the
  process's in-memory instance), locking and :class:`StoreBusyError`, the fingerprint pages
  key their caches to, sessions and transactions;
- :mod:`~metrics.store.schema`: numbered migrations applied by record, table lists, schema
  version, readiness, row counts and checksums;
- one module per area, as functions taking a :class:`Store` and returning frozen records or
  DataFrames: :mod:`~metrics.store.plan` (the plan tables, meta),
  :mod:`~metrics.store.indicators` (indicator values, Strategic Assessment figures,
  commentary, action progress, the demo load), :mod:`~metrics.store.returns` (quarterly
  returns: versions, rows, original files, audit), :mod:`~metrics.store.actions` (the board's
  action log), :mod:`~metrics.store.police` (police.uk street-level crime) and
  :mod:`~metrics.store.survey` (resident survey waves, respondents and estimates).

Callers import an area module under a name that says it is the store's, e.g.
``from metrics.store import returns as return_store``.
"""

from __future__ import annotations

from metrics.plan.model import Plan
from metrics.store import actions, indicators, plan, police, returns, schema, survey
from metrics.store.engine import LOCK_WAIT_SECONDS, Store, StoreBusyError, StoreError

__all__ = [
    "LOCK_WAIT_SECONDS",
    "Store",
    "StoreBusyError",
    "StoreError",
    "actions",
    "indicators",
    "open_store",
    "plan",
    "police",
    "returns",
    "schema",
    "survey",
]


def open_store(plan_in_force: Plan) -> Store:
    """The store the plan's settings (or CSP_DB) point at."""
    return Store(plan_in_force.settings.database)
