"""Areas: the reference geography of England and Wales that ships with the project, and setting
up a partnership from it.

This package owns the compact copy of ONS's public lookups under data/reference/ (built by
scripts/build-reference; "Source: Office for National Statistics licensed under the Open
Government Licence v.3.0"): which Community Safety Partnerships there are, which local
authorities, 2024 wards and LSOAs (2021, and 2011 as police.uk's older files use) each covers,
which police force(s) police it with their data.police.uk ids, and each ward's Census 2021
usual residents. From these it writes a starter plan file for any partnership
(:func:`plan_text`). It reads Parquet with pandas and holds no SQL and no plan model.
"""

from __future__ import annotations

from metrics.areas.new_plan import STARTER_INDICATORS, plan_text
from metrics.areas.next_steps import next_steps
from metrics.areas.reference import (
    CREDIT,
    POPULATION_SOURCE,
    Authority,
    Coverage,
    Force,
    Partnership,
    Reference,
    UnknownAreaError,
    load_reference,
)

__all__ = [
    "CREDIT",
    "POPULATION_SOURCE",
    "STARTER_INDICATORS",
    "Authority",
    "Coverage",
    "Force",
    "Partnership",
    "Reference",
    "UnknownAreaError",
    "load_reference",
    "next_steps",
    "plan_text",
]
