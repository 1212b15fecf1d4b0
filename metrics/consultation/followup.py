"""Following up "you said, we did": each finding's linked board actions, and the findings whose
linked actions are overdue, for Plan on a Page and the Exception report.

Works on anything with ``reference`` and ``is_overdue(as_of)`` (the action log's views), so the
rules of what is overdue stay with the action log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from metrics.consultation.record import Finding, Record

LINKS_PER_FINDING = 2  # the demo links each finding to at most this many board actions


class ActionLike(Protocol):
    @property
    def reference(self) -> str: ...

    def is_overdue(self, as_of: date) -> bool: ...


@dataclass(frozen=True)
class FindingFollowUp:
    """A finding with its linked board actions that are overdue on a day."""

    finding: Finding
    overdue: tuple[str, ...]  # references of linked actions overdue
    missing: tuple[str, ...]  # linked references the action log does not hold


def overdue_findings(findings: Iterable[Finding], actions: Iterable[ActionLike], as_of: date) -> list[FindingFollowUp]:
    """The findings with at least one linked board action overdue on ``as_of`` (or linked to
    a reference the log does not hold, which needs putting right just as much)."""
    by_ref = {a.reference: a for a in actions}
    out = []
    for f in findings:
        overdue = tuple(r for r in f.action_refs if r in by_ref and by_ref[r].is_overdue(as_of))
        missing = tuple(r for r in f.action_refs if r not in by_ref)
        if overdue or missing:
            out.append(FindingFollowUp(f, overdue, missing))
    return out


def link_actions(record: Record, objective_of: Mapping[str, str | None], limit: int = LINKS_PER_FINDING) -> Record:
    """The record with each finding linked to board actions on its priorities: ``objective_of``
    maps an action's reference to the plan objective it arises from (None: not one objective).
    Used by the demo; an officer links findings by hand."""
    findings: list[Finding] = []
    for f in record.findings:
        refs: Sequence[str] = [r for r, o in objective_of.items() if o is not None and o in f.priority_ids][:limit]
        findings.append(replace(f, action_refs=tuple(refs)))
    return replace(record, findings=tuple(findings))
