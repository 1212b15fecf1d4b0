"""What the Consultation page does to the store, each step checked against the person's role
again here (``metrics.access``), so a crafted request cannot go round the page.

- Reading comments as written (originals and marked names), coding a comment, marking names and
  deleting originals need ``code_comments`` (the analyst's).
- Importing activities and comments needs ``record_consultation`` (the board officer's).
An import either stores everything it read or, with any problem, nothing (one transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from metrics import access
from metrics.consultation.coding import CodingFrame
from metrics.consultation.importing import Imported, Problem, read_activities, read_comments
from metrics.consultation.record import Activity, Comment, ConsultationError, Record
from metrics.consultation.redaction import mark_names
from metrics.store import Store
from metrics.store import consultation as consultation_store


def _record(store: Store, consultation_id: str, originals: bool) -> Record:
    record = consultation_store.load_record(store, consultation_id, originals=originals)
    if record is None:
        raise ConsultationError(f"No consultation {consultation_id!r} is recorded; choose one that is.")
    return record


def with_originals(store: Store, user: access.User | None, consultation_id: str) -> Record:
    """The record with each comment's original and marked names, for the coding page."""
    access.require(user, access.Action.CODE_COMMENTS)
    return _record(store, consultation_id, originals=True)


def code_comment(
    store: Store,
    user: access.User | None,
    consultation_id: str,
    comment: Comment,
    codes: Sequence[str],
    names: Iterable[str] = (),
) -> Comment:
    """Store a comment's codes (and any names newly marked, redacting them); returns it."""
    access.require(user, access.Action.CODE_COMMENTS)
    updated = mark_names(comment, names).coded(tuple(codes))
    consultation_store.update_comment(store, consultation_id, updated)
    return updated


def delete_originals(
    store: Store, user: access.User | None, consultation_id: str, comment_ids: Sequence[str] | None = None
) -> int:
    """Delete comments' originals (all of the consultation's when no ids are given)."""
    access.require(user, access.Action.CODE_COMMENTS)
    return consultation_store.delete_originals(store, consultation_id, comment_ids)


def choose_quotes(
    store: Store, user: access.User | None, consultation_id: str, quotes: Sequence[tuple[str, str]]
) -> None:
    """Store the example quotes the analyst chose ((code id, comment id) pairs)."""
    access.require(user, access.Action.CODE_COMMENTS)
    consultation_store.set_quotes(store, consultation_id, quotes)


def import_file(
    store: Store,
    user: access.User | None,
    consultation_id: str,
    content: bytes,
    filename: str,
    *,
    kind: str,
    areas: Mapping[str, str],
    frame: CodingFrame,
) -> Imported[Activity] | Imported[Comment]:
    """Read activities (``kind='activities'``) or comments from a file and add them to the
    record; any problem (or an id the record already holds) stores nothing."""
    access.require(user, access.Action.RECORD_CONSULTATION)
    record = _record(store, consultation_id, originals=True)
    if kind == "activities":
        got: Imported = read_activities(content, filename, areas=areas, consultation=record.consultation)
        existing = {a.id for a in record.activities}
    else:
        ids = [a.id for a in record.activities]
        got = read_comments(content, filename, activity_ids=ids, areas=areas, frame=frame)
        existing = {c.id for c in record.comments}
    clashes = [i.id for i in got.items if i.id in existing]
    if clashes:
        problem = Problem(
            file=filename,
            problem=f"{len(clashes)} id(s) are in the record already ({', '.join(clashes[:5])})",
            fix="new ids for new rows, or leave the id column out so the rows are numbered",
        )
        return Imported((), (problem,))
    if got.ok:
        if kind == "activities":
            record = replace(record, activities=record.activities + tuple(got.items))
        else:
            record = replace(record, comments=record.comments + tuple(got.items))
        consultation_store.save_record(store, record)
    return got
