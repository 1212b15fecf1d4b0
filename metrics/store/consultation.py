"""Consultations in the store: each consultation, its activities, its comments (redacted), the
originals of comments (for the analyst role only, and deletable), findings, what was done, and
the quotes the analyst chose.

The original text of a comment, and the names the analyst marked in it, live in a table of their
own (``consultation_originals``) so that nothing but the coding page reads them, and deleting
one (or all of a consultation's) leaves the redacted comment, its codes and counts as they were.
Who may read or delete them is decided by ``metrics.access``, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from metrics.consultation.record import (
    ActionTaken,
    Activity,
    ActivityType,
    Comment,
    Consultation,
    Finding,
    Record,
)
from metrics.store.engine import Connection, Store
from metrics.store.schema import CONSULTATION_TABLES

# Every consultation table but the first is keyed by its consultation: deleting one goes through these.
_CHILD_TABLES = CONSULTATION_TABLES[1:]


def _delete(con: Connection, consultation_id: str) -> None:
    for table in (*_CHILD_TABLES, "consultations"):
        con.execute(f"DELETE FROM {table} WHERE consultation_id = ?", [consultation_id])


def save_record(store: Store, record: Record) -> None:
    """Store a whole consultation record, replacing any stored under its id, in one transaction."""
    c = record.consultation
    cid = c.id
    with store.transaction() as con:
        _delete(con, cid)
        con.execute(
            "INSERT INTO consultations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [cid, c.title, c.start, c.end, c.purpose, c.plan_title, c.responses_reported,
             list(c.emerging_themes), c.source, c.demo],
        )  # fmt: skip
        if record.activities:
            con.executemany(
                "INSERT INTO consultation_activities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[cid, a.id, a.date, a.type.value, a.audience, a.area, a.participants, a.note, a.demo]
                 for a in record.activities],
            )  # fmt: skip
        if record.comments:
            con.executemany(
                "INSERT INTO consultation_comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[cid, x.id, x.activity_id, x.redacted, x.area, x.group, list(x.codes), x.original_deleted,
                  x.demo, i] for i, x in enumerate(record.comments)],
            )  # fmt: skip
        kept = [x for x in record.comments if not x.original_deleted]
        if kept:
            con.executemany(
                "INSERT INTO consultation_originals VALUES (?, ?, ?, ?)",
                [[cid, x.id, x.text, list(x.marked_names)] for x in kept],
            )
        if record.findings:
            con.executemany(
                "INSERT INTO consultation_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [[cid, f.id, f.statement, list(f.priority_ids), list(f.action_refs), f.source, f.demo, i]
                 for i, f in enumerate(record.findings)],
            )  # fmt: skip
        if record.actions_taken:
            con.executemany(
                "INSERT INTO consultation_actions_taken VALUES (?, ?, ?, ?, ?, ?, ?)",
                [[cid, a.id, a.finding_id, a.text, a.when, a.demo, i] for i, a in enumerate(record.actions_taken)],
            )
        if record.chosen_quotes:
            con.executemany(
                "INSERT INTO consultation_quotes VALUES (?, ?, ?, ?)",
                [[cid, code, comment, i] for i, (code, comment) in enumerate(dict.fromkeys(record.chosen_quotes))],
            )


def consultation_ids(store: Store) -> list[tuple[str, str, date]]:
    """(id, title, start) of every stored consultation, latest first."""
    with store.connect() as con:
        rows = con.execute("SELECT consultation_id, title, start_date FROM consultations ORDER BY start_date DESC")
        return [tuple(r) for r in rows.fetchall()]  # type: ignore[misc]


def load_record(store: Store, consultation_id: str, *, originals: bool = False) -> Record | None:
    """A stored consultation record, or None. Comments carry only their redacted text unless
    ``originals`` is asked for (the coding page, for the analyst role)."""
    with store.connect() as con:
        head = con.execute("SELECT * FROM consultations WHERE consultation_id = ?", [consultation_id]).fetchone()
        if head is None:
            return None
        args = [consultation_id]
        acts = con.execute(
            "SELECT activity_id, activity_date, kind, audience, area_code, participants, note, is_demo "
            "FROM consultation_activities WHERE consultation_id = ? ORDER BY activity_date, activity_id",
            args,
        ).fetchall()
        comments = con.execute(
            "SELECT comment_id, activity_id, redacted, area_code, group_name, codes, original_deleted, is_demo "
            "FROM consultation_comments WHERE consultation_id = ? ORDER BY position",
            args,
        ).fetchall()
        kept = (
            {r[0]: (r[1], tuple(r[2])) for r in con.execute(
                "SELECT comment_id, original, marked_names FROM consultation_originals WHERE consultation_id = ?", args
            ).fetchall()}
            if originals else {}
        )  # fmt: skip
        findings = con.execute(
            "SELECT finding_id, statement, priority_ids, action_refs, source, is_demo "
            "FROM consultation_findings WHERE consultation_id = ? ORDER BY position",
            args,
        ).fetchall()
        done = con.execute(
            "SELECT taken_id, finding_id, text, taken_on, is_demo "
            "FROM consultation_actions_taken WHERE consultation_id = ? ORDER BY position",
            args,
        ).fetchall()
        quotes = con.execute(
            "SELECT code_id, comment_id FROM consultation_quotes WHERE consultation_id = ? ORDER BY position", args
        ).fetchall()
    _, title, start, end, purpose, plan_title, responses, themes, source, demo = head
    return Record(
        consultation=Consultation(
            consultation_id, title, start, end, purpose, plan_title, responses, tuple(themes), source, demo
        ),
        activities=tuple(Activity(a[0], a[1], ActivityType(a[2]), a[3], a[4], a[5], a[6], a[7]) for a in acts),
        comments=tuple(
            Comment(
                id=x[0],
                activity_id=x[1],
                text=kept.get(x[0], ("", ()))[0],
                redacted=x[2],
                area=x[3],
                group=x[4],
                codes=tuple(x[5]),
                marked_names=kept.get(x[0], ("", ()))[1],
                original_deleted=x[6] or (originals and x[0] not in kept),
                demo=x[7],
            )
            for x in comments
        ),  # fmt: skip
        findings=tuple(Finding(f[0], f[1], tuple(f[2]), tuple(f[3]), f[4], f[5]) for f in findings),
        actions_taken=tuple(ActionTaken(a[0], a[1], a[2], a[3], a[4]) for a in done),
        chosen_quotes=tuple((q[0], q[1]) for q in quotes),
    )


def update_comment(store: Store, consultation_id: str, comment: Comment) -> None:
    """Store a comment's codes, redacted text and marked names (after coding or marking)."""
    with store.transaction() as con:
        con.execute(
            "UPDATE consultation_comments SET codes = ?, redacted = ? WHERE consultation_id = ? AND comment_id = ?",
            [list(comment.codes), comment.redacted, consultation_id, comment.id],
        )
        if not comment.original_deleted:
            con.execute(
                "UPDATE consultation_originals SET marked_names = ? WHERE consultation_id = ? AND comment_id = ?",
                [list(comment.marked_names), consultation_id, comment.id],
            )


def set_quotes(store: Store, consultation_id: str, quotes: Sequence[tuple[str, str]]) -> None:
    """Replace the chosen quotes ((code id, comment id) pairs, in order)."""
    with store.transaction() as con:
        con.execute("DELETE FROM consultation_quotes WHERE consultation_id = ?", [consultation_id])
        for i, (code, comment) in enumerate(dict.fromkeys(quotes)):
            con.execute("INSERT INTO consultation_quotes VALUES (?, ?, ?, ?)", [consultation_id, code, comment, i])


def delete_originals(store: Store, consultation_id: str, comment_ids: Sequence[str] | None = None) -> int:
    """Delete the originals (and marked names) of the given comments, or of all the
    consultation's comments; the redacted comments stay. Returns how many were deleted."""
    where = "consultation_id = ?"
    args: list[object] = [consultation_id]
    if comment_ids is not None:
        if not comment_ids:
            return 0
        where += f" AND comment_id IN ({', '.join('?' for _ in comment_ids)})"
        args += list(comment_ids)
    with store.transaction() as con:
        gone = con.execute(f"SELECT count(*) FROM consultation_originals WHERE {where}", args).fetchone()[0]
        con.execute(f"DELETE FROM consultation_originals WHERE {where}", args)
        con.execute(f"UPDATE consultation_comments SET original_deleted = true WHERE {where}", args)
    return int(gone)


def delete_demo(store: Store) -> None:
    """Remove every demo consultation (with all it holds)."""
    with store.transaction() as con:
        # a real consultation's facts with demo detail around them is demo data as a whole
        ids = [
            r[0]
            for r in con.execute(
                "SELECT consultation_id FROM consultations WHERE is_demo OR consultation_id IN "
                "(SELECT consultation_id FROM consultation_activities WHERE is_demo UNION "
                "SELECT consultation_id FROM consultation_comments WHERE is_demo)"
            ).fetchall()
        ]
        for cid in ids:
            _delete(con, cid)
