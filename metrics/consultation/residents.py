""" "What residents told us": the board pack's section on the latest consultation, built from
the public summary (so it holds nothing the public summary may not) plus, for the board, each
finding's linked board actions and whether they are overdue.

A finding's statement, its priorities and what was done come redacted from
:func:`metrics.consultation.from_plan.summary_for`; the action references are the board's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from metrics.consultation.followup import ActionLike, overdue_findings
from metrics.consultation.from_plan import summary_for
from metrics.consultation.record import Record
from metrics.consultation.summary import DEMO_MARK

if TYPE_CHECKING:
    from metrics.plan.model import Plan

TITLE = "What residents told us"
HEADINGS = ["Residents told us", "Priorities it informs", "Board actions", "What we did"]
TOP_CODES = 5  # the most raised codes named in the section's opening line


@dataclass(frozen=True)
class ResidentsSection:
    title: str
    intro: list[str]
    rows: list[list[str]]
    has_demo: bool


def residents_section(plan: Plan, record: Record, actions: Iterable[ActionLike], as_of: date) -> ResidentsSection:
    """The section for one consultation, as at the meeting's day ``as_of``."""
    public = summary_for(plan, record)
    behind = {f.finding.id: f for f in overdue_findings(record.findings, actions, as_of)}
    c = record.consultation
    intro = [
        f"{public.title.removeprefix('What residents told us: ')}: {c.start.day} {c.start:%B %Y} to "
        f"{c.end.day} {c.end:%B %Y} ({c.weeks} weeks)"
        + (f"; {c.responses_reported:,} survey responses reported in {c.source}." if c.responses_reported else ".")
    ]
    raised = sorted(public.said_rows, key=lambda r: -int(r[2].split()[0].replace(",", "")))[:TOP_CODES]
    if raised:
        counts = "; ".join(f"{label} ({n.removesuffix(DEMO_MARK)})" for _, label, n in raised)
        intro.append(f"Most raised: {counts}.")
    rows = []
    for f, section in zip(record.findings, public.findings, strict=True):
        follow = behind.get(f.id)
        refs = [f"{r} (overdue)" if follow and r in follow.overdue else r for r in f.action_refs]
        refs += [f"{r} (not in the action log)" for r in (follow.missing if follow else ()) if r not in f.action_refs]
        rows.append(
            [
                section.statement.shown + (f" [{section.source}]" if section.source else ""),
                "; ".join(section.priorities) or "none linked",
                ", ".join(refs) or "none linked",
                "; ".join(d.shown for d in section.done) or "not yet recorded",
            ]
        )
    if public.has_demo:
        intro.append(
            "DEMO DATA: the activities, comments, codes, links to priorities and actions and what was done are "
            "invented, marked (demo); the dates, responses and emerging themes are as published."
        )
    if behind:
        intro.append(f"{len(behind)} finding(s) have a linked board action overdue, marked below.")
    return ResidentsSection(TITLE, intro, rows, public.has_demo)
