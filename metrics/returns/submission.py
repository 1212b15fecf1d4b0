"""Submitting a checked return: stored whole as the next version (with the original file, named
by its sha256, and an audit row) in one transaction, or refused with only an audit row; the
same file as the latest version is recognised and stores nothing new."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from metrics import access
from metrics.board.action_log import load as load_action_log
from metrics.board.actions import is_reference, updates_from_return
from metrics.plan.model import Plan
from metrics.returns.messages import ReturnError, audit_summary
from metrics.returns.validation import ParsedReturn
from metrics.store import Store
from metrics.store import returns as return_store
from metrics.store.returns import AuditEntry, AuditOutcome, BoardTables, ReturnSubmission


@dataclass(frozen=True)
class Outcome:
    """What became of a submission, and the sentence that tells the lead."""

    outcome: AuditOutcome  # accepted, rejected or duplicate (a refusal raises AccessDenied)
    version: int | None
    message: str

    @property
    def stored(self) -> bool:
        return self.outcome == AuditOutcome.ACCEPTED


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def board_rows(plan: Plan, parsed: ParsedReturn, submitted_by: str, is_demo: bool) -> BoardTables:
    """What an accepted return puts in the tables the board's pages read."""
    subgroup = plan.subgroup(parsed.subgroup_id)
    source = f"{subgroup.short_name} quarterly return, {parsed.quarter.label}"
    if is_demo:
        source = f"Demo data: {source}"
    rows = parsed.indicator_rows
    valued = rows[rows["value"].notna()]
    values = pd.DataFrame(
        {
            "indicator_id": valued["indicator_id"],
            "period_type": valued["period_type"],
            "period_start": pd.to_datetime(valued["period_start"]),
            "ward_code": valued["ward_code"],
            "value": valued["value"].astype(float),
            "is_demo": is_demo,
            "source": source,
        }
    )
    notes = []
    for ind_id, group in rows[rows["commentary"].notna()].groupby("indicator_id", sort=False):
        texts = list(dict.fromkeys(group.sort_values("ward_code", na_position="first")["commentary"]))
        notes.append(
            {
                "indicator_id": ind_id,
                "quarter_start": pd.Timestamp(parsed.quarter.start),
                "text": " ".join(texts),
                "author": submitted_by,
                "is_demo": is_demo,
            }
        )
    # board actions' rows update the action log (see submit), not the plan actions' progress
    plan_rows = parsed.action_rows[~parsed.action_rows["action_id"].map(is_reference).astype(bool)]
    acts = plan_rows[plan_rows["status"].notna()]
    progress = pd.DataFrame(
        {
            "action_id": acts["action_id"],
            "quarter_start": pd.Timestamp(parsed.quarter.start),
            "status": acts["status"],
            "commentary": acts["commentary"],
            "is_demo": is_demo,
        }
    )
    return BoardTables(indicator_values=values, commentary=pd.DataFrame(notes), action_progress=progress)


REFUSED = AuditOutcome.REFUSED  # the audit outcome of an attempt by someone not allowed to submit


def submit(
    plan: Plan,
    store: Store,
    parsed: ParsedReturn,
    content: bytes | None,
    submitted_by: access.User,
    explanation: str | None = None,
    is_demo: bool = False,
    at: datetime | None = None,
) -> Outcome:
    """Store a validated return as the next version, or refuse it. Either way the attempt is
    audited: a refused one (errors, unexplained warnings) or the same file as the latest
    version adds one audit row and changes nothing else. ``content`` is None only for a file
    refused before it was read (over the size limit), which can only be refused.

    ``submitted_by`` is the signed-in person (or the command line's operator); the permission
    rule is asked again here, whatever the page showed, and a refusal raises
    :class:`access.AccessDenied` with nothing stored but the audit row."""
    if not isinstance(submitted_by, access.User):
        raise TypeError("submit() takes the submitting access.User (the signed-in person or access.operator())")
    who = submitted_by.label.strip()
    if not who:
        raise ReturnError("Say who is submitting the return (a name), so the audit log can record it.")
    quarter_start = parsed.quarter.start
    # The attempt as the audit log records it; the outcome is settled below.
    audit = AuditEntry(
        attempted_at=at or _now(),
        sha256=parsed.sha256,
        filename=parsed.filename,
        size_bytes=parsed.size_bytes,
        submitted_by=who,
        subgroup_id=parsed.subgroup_id,
        quarter_start=quarter_start,
        outcome=AuditOutcome.REJECTED,
        is_demo=is_demo,
    )
    try:
        access.require(submitted_by, access.Action.SUBMIT_RETURN, parsed.subgroup_id)
    except access.AccessDenied as exc:
        # Whatever the page showed: a refused attempt is audited (who tried, for what) and
        # nothing else is stored, not even the file.
        return_store.record_attempt(store, replace(audit, outcome=REFUSED, reasons=str(exc)))
        raise
    if content is None and not parsed.errors:
        raise ReturnError("The file was not read, so it cannot be stored; check it again before submitting.")
    if content is not None and hashlib.sha256(content).hexdigest() != parsed.sha256:
        raise ReturnError("The file changed after it was checked; check it again before submitting.")
    explanation = (explanation or "").strip() or None
    reasons = [str(m) for m in parsed.errors]
    if not reasons and parsed.warnings and not explanation:
        reasons = [f"{len(parsed.warnings)} warning(s) were not explained; give an explanation to submit with them"]
        reasons += [str(m) for m in parsed.warnings]
    if reasons:
        return_store.record_attempt(store, replace(audit, reasons=audit_summary(reasons)))
        if parsed.errors:
            why = f"the file has {parsed.error_count:,} error(s), listed with its messages; fix them and submit again"
        else:
            why = f"{len(parsed.warnings)} warning(s) were not explained; give an explanation to store it with them"
        return Outcome(AuditOutcome.REJECTED, None, f"Not stored: {why}. The attempt is recorded in the audit log.")
    latest = return_store.latest_submission(store, parsed.subgroup_id, quarter_start)
    if latest is not None and latest.sha256 == parsed.sha256:
        message = (
            f"This file is identical to version {latest.version} of {parsed.subgroup_id}'s {parsed.quarter.label} "
            f"return, submitted by {latest.submitted_by} on {pd.Timestamp(latest.submitted_at):%d %b %Y %H:%M} "
            "UTC; nothing new was stored."
        )
        return_store.record_attempt(
            store, replace(audit, outcome=AuditOutcome.DUPLICATE, version=latest.version, reasons=message)
        )
        return Outcome(AuditOutcome.DUPLICATE, latest.version, message)
    warnings = audit_summary(str(m) for m in parsed.warnings) or None
    submission = ReturnSubmission(
        subgroup_id=parsed.subgroup_id,
        quarter_start=quarter_start,
        sha256=parsed.sha256,
        filename=parsed.filename,
        submitted_by=who,
        submitted_at=audit.attempted_at,
        warnings=warnings,
        explanation=explanation,
        is_demo=is_demo,
    )
    assert content is not None  # a file that was not read has errors and was refused above
    rows = parsed.indicator_rows.assign(period_start=lambda f: pd.to_datetime(f["period_start"]))
    board = board_rows(plan, parsed, who, is_demo)
    board_actions = parsed.action_rows[parsed.action_rows["action_id"].map(is_reference).astype(bool)]
    if not board_actions.empty:
        updates = updates_from_return(
            load_action_log(store),
            board_actions.to_dict("records"),
            parsed.subgroup_id,
            parsed.quarter,
            who,
            audit.attempted_at,
            is_demo,
        )
        board = replace(board, board_updates=tuple(updates))
    version = return_store.submit_return(store, submission, content, rows, parsed.action_rows, board)
    return Outcome(
        AuditOutcome.ACCEPTED,
        version,
        f"Stored as version {version} of {plan.subgroup(parsed.subgroup_id).name}'s {parsed.quarter.label} "
        "return. The board's pages show the new figures now.",
    )
