"""Uploaded file names (issue 23): a name with newlines, control characters, a right-to-left
override or a formula-like start is kept as given in the audit trail, and shown, quoted in
messages and served under a safe name."""

from __future__ import annotations

import pytest

from metrics import access, returns
from metrics.plan.model import Plan
from metrics.returns import versions
from metrics.spreadsheet import FILENAME_CHARS, needs_quote, safe_filename
from metrics.store import Store
from metrics.store import returns as return_store
from tests.hostile.make_corpus import QUARTER, SUBGROUP, _rows

HOSTILE = 'Q2\nError: stored\r\x1b[31m=HYPERLINK("x")\u202excl.csv'


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("return-csvpp-2025-26-Q2.xlsx", "return-csvpp-2025-26-Q2.xlsx"),
        ("Rapport été 2025.xlsx", "Rapport été 2025.xlsx"),
        ("=SUM(A1).csv", "_=SUM(A1).csv"),
        ("@cmd.csv", "_@cmd.csv"),
        ("line\nbreak\tand\x00nul.csv", "line_break_and_nul.csv"),
        ("name\u202egnp.csv", "name_gnp.csv"),  # a right-to-left override that would show 'name.csv' reversed
        ("C:\\Users\\lee\\return.csv", "return.csv"),
        ('a<b>:"c"|?*.csv', "a_b___c____.csv"),
        ("  . ", "upload"),
    ],
)
def test_a_safe_name(given: str, shown: str) -> None:
    assert safe_filename(given) == shown


def test_a_long_name_keeps_its_extension() -> None:
    name = safe_filename("x" * 500 + ".xlsx")
    assert len(name) == FILENAME_CHARS and name.endswith(".xlsx")


def test_the_audit_trail_keeps_the_name_as_given_and_everything_else_shows_a_safe_one(
    plan: Plan, demo_store: Store
) -> None:
    content = returns.rows_csv(*_rows(plan))
    parsed = returns.validate_return(plan, demo_store, content, HOSTILE, SUBGROUP, QUARTER)
    safe = safe_filename(HOSTILE)
    assert parsed.filename == safe and "\n" not in safe and not needs_quote(safe)
    assert all("\n" not in str(m) and "\x1b" not in str(m) for m in parsed.messages)
    assert f"'{safe}'" in parsed.summary()
    outcome = returns.submit(plan, demo_store, parsed, content, access.operator("Lee"), "Checked.")
    assert outcome.stored, outcome.message
    held = return_store.submissions(demo_store, SUBGROUP, QUARTER.start)
    audit = return_store.audit(demo_store, SUBGROUP, QUARTER.start)
    assert held["filename"].iloc[0] == HOSTILE and audit["filename"].iloc[0] == HOSTILE, "the original, for audit"
    assert versions.versions_table(held)["File"].iloc[0] == safe
    assert versions.audit_table(audit)["File"].iloc[0] == safe
