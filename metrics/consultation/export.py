"""The consultation record as a workbook for officers: the formal record an engagement plan
promises (each activity's date, type, participants and feedback), the comments with their codes,
the counts, the findings and what was done.

Never the original of a comment: only its redacted text leaves the coding page. Officers' notes
are exported redacted too. Every text cell a spreadsheet would run as a formula is quoted
(``metrics.spreadsheet.safe_cell``), and every row invented for the demo says so.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from metrics import spreadsheet
from metrics.consultation.coding import CodingFrame, code_counts
from metrics.consultation.record import Record
from metrics.consultation.redaction import redacted_text

DEMO_WORD = "demo (invented)"


def _demo(flag: bool) -> str:
    return DEMO_WORD if flag else ""


def record_sheets(
    record: Record, frame: CodingFrame, theme_names: Mapping[str, str], area_names: Mapping[str, str]
) -> dict[str, tuple[tuple[str, ...], list[tuple[object, ...]]]]:
    """Sheet name -> (headings, rows) of the exported record, every text redacted."""
    c = record.consultation
    area = lambda code: area_names.get(code, code) if code else ""  # noqa: E731
    about = [
        ("Title", c.title),
        ("Start", c.start.isoformat()),
        ("End", c.end.isoformat()),
        ("Weeks", c.weeks),
        ("Purpose", c.purpose),
        ("Plan it informs", c.plan_title),
        ("Survey responses reported", c.responses_reported if c.responses_reported is not None else ""),
        *(("Emerging theme", t) for t in c.emerging_themes),
        ("Source of these facts", c.source),
        ("Contains demo data", "yes: rows marked demo are invented" if record.has_demo else "no"),
    ]
    activities = [
        (a.id, a.date.isoformat(), a.type.value, a.audience, area(a.area), a.participants, a.note, _demo(a.demo))
        for a in record.activities
    ]
    comments = [
        (x.id, x.activity_id, x.redacted, area(x.area), x.group or "", "; ".join(x.codes), _demo(x.demo))
        for x in record.comments
    ]
    counts = code_counts(record.comments, record.activities, frame, dict(theme_names))
    coding = [(r.theme, r.code_id, r.code, r.comments) for r in counts.itertuples()]
    findings = [
        (f.id, f.statement, "; ".join(f.priority_ids), "; ".join(f.action_refs), f.source, _demo(f.demo))
        for f in record.findings
    ]
    done = [
        (a.id, a.finding_id, a.text, a.when.isoformat() if a.when else "", _demo(a.demo)) for a in record.actions_taken
    ]
    sheets: dict[str, tuple[tuple[str, ...], list[tuple[object, ...]]]] = {
        "About": (("Item", "Value"), about),
        "Activities": (("Id", "Date", "Type", "Audience", "Area", "Participants", "Note", "Demo"), activities),
        "Comments": (("Id", "Activity", "Comment (redacted)", "Area", "Group", "Codes", "Demo"), comments),
        "Coding": (("Theme", "Code id", "Code", "Comments"), coding),
        "Findings": (("Id", "Finding", "Priorities", "Board actions", "Source", "Demo"), findings),
        "We did": (("Id", "Finding", "What was done", "When", "Demo"), done),
    }
    return {name: (head, [_safe(row) for row in rows]) for name, (head, rows) in sheets.items()}


def _safe(row: Sequence[object]) -> tuple[object, ...]:
    return tuple(spreadsheet.safe_cell(redacted_text(v) if isinstance(v, str) else v) for v in row)


def record_xlsx(
    record: Record, frame: CodingFrame, theme_names: Mapping[str, str], area_names: Mapping[str, str]
) -> bytes:
    """The exported record as an .xlsx workbook, one sheet per part."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (head, rows) in record_sheets(record, frame, theme_names, area_names).items():
        sheet = book.create_sheet(name)
        sheet.append(list(head))
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
