"""Commands for consultations: consultation export (the formal record, for officers) and
consultation summary (the public summary, as HTML or PDF)."""

from __future__ import annotations

import argparse
from pathlib import Path

from metrics.cli.common import ready_store
from metrics.consultation import export, from_plan, summary
from metrics.consultation.record import ConsultationError, Record
from metrics.plan.model import Plan, load_plan
from metrics.store import consultation as consultation_store

SUMMARY_SUFFIXES = (".html", ".pdf")


def _record(args: argparse.Namespace) -> tuple[Plan, Record]:
    plan = load_plan()
    store = ready_store(plan)
    cid = from_plan.choose(consultation_store.consultation_ids(store), args.id)
    record = consultation_store.load_record(store, cid)  # redacted comments only, never originals
    if record is None:  # deleted between the two reads
        raise ConsultationError(f"The consultation {cid!r} is no longer in the store; run the command again.")
    return plan, record


def _write(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise ConsultationError(f"--out {out}: name the file .xlsx (one sheet per part of the record).")
    plan, record = _record(args)
    data = export.record_xlsx(
        record, from_plan.coding_frame(plan), {t.id: t.name for t in plan.themes}, plan.ward_names()
    )
    _write(out, data)
    demo = " It contains demo data, marked as such." if record.has_demo else ""
    print(f"Consultation record '{record.consultation.title}' written to {out} ({len(data):,} bytes).{demo}")
    return 0


def _summary(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in SUMMARY_SUFFIXES:
        raise ConsultationError(f"--out {out}: name the file .html or .pdf.")
    plan, record = _record(args)
    public = from_plan.summary_for(plan, record)
    data = summary.summary_html(public).encode("utf-8") if suffix == ".html" else summary.summary_pdf(public)
    _write(out, data)
    demo = " It contains demo data, marked as such." if public.has_demo else ""
    print(f"Public summary of '{record.consultation.title}' written to {out} ({len(data):,} bytes).{demo}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add consultation export and consultation summary."""
    parser = commands.add_parser(
        "consultation",
        help="a consultation's record (export) or its public summary",
        description="Write a consultation's formal record for officers, or its public summary for the website.",
    )
    sub = parser.add_subparsers(dest="consultation_command", metavar="ACTION", required=True)
    ex = sub.add_parser(
        "export",
        help="write the consultation record (.xlsx): activities, redacted comments, codes, findings, what was done",
    )
    ex.add_argument("--out", required=True, help="the file to write: FILE.xlsx")
    ex.add_argument("--id", help="the consultation's id (default: the latest)")
    ex.set_defaults(handler=_export)
    su = sub.add_parser(
        "summary", help="write the public summary (.html or .pdf): no personal data, no internal commentary"
    )
    su.add_argument("--out", required=True, help="the file to write: FILE.html or FILE.pdf")
    su.add_argument("--id", help="the consultation's id (default: the latest)")
    su.set_defaults(handler=_summary)
