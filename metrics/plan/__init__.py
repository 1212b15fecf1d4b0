"""The partnership's plan: the one file that makes a partnership (config.yaml, or CSP_CONFIG).

Owns the declared schema of the plan file (``schema``: pydantic models, unknown keys refused,
``plan.schema.json`` generated from them), the checks across the whole file (``checks``), loading
it into the frozen ``Plan`` (``model``), its typed periods (``periods``), the plan's own words for
its area and local areas (``words``), the plan in words before any figure is stored (``outline``)
and matching what a person types to the plan's names (``names``).

Public surface: ``Plan``, ``Indicator``, ``PlanError``, ``load_plan``. Everything else is reached
through its module (``metrics.plan.words.AreaWords``).
"""

from __future__ import annotations

from metrics.plan.model import Indicator, Plan, PlanError, load_plan

__all__ = ["Indicator", "Plan", "PlanError", "load_plan"]
