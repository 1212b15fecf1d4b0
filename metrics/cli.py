"""The command line: the same operations the dashboard offers, for scripts and analysts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics.assessment import AssessmentFileError
from metrics.bootstrap import initialise
from metrics.pack import PackError, board_pack, pack_format
from metrics.plan import CONFIG_ENV, DATABASE_ENV, PlanError, load_plan
from metrics.quarters import PeriodError, Quarter
from metrics.store import StoreError, open_store


def _init(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = open_store(plan)
    print(f"Store: {store.path}")

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", flush=True)

    report = initialise(plan, store, with_demo=args.demo, progress=progress)
    for line in report.lines():
        print(line)
    return 0


def _board_pack(args: argparse.Namespace) -> int:
    fmt = pack_format(args.out)
    quarter = Quarter.parse(args.quarter)
    plan = load_plan()
    store = open_store(plan)
    if not store.is_ready():
        raise StoreError(f"The store {store.path} holds no plan yet: run `python -m metrics init --demo` first.")
    data = board_pack(plan, store, quarter, fmt)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Board pack for {quarter.label} written to {out} ({len(data):,} bytes).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics",
        description=(
            "Community Safety Partnership performance store. The plan comes from config.yaml "
            f"(or the file named by {CONFIG_ENV}); the DuckDB store from the plan's settings "
            f"(or {DATABASE_ENV})."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    init = commands.add_parser(
        "init",
        help="create or migrate the store and load the plan and Strategic Assessment (idempotent)",
        description="Create or migrate the store, load the plan and the Strategic Assessment figures.",
    )
    init.add_argument("--demo", action="store_true", help="also load the deterministic demo data")
    init.set_defaults(handler=_init)
    pack = commands.add_parser(
        "board-pack",
        help="write the quarterly board pack (PDF or Word) for a quarter",
        description="Write the board pack: cover, summary with status icons, one section per exception "
        "with its SPC chart and commentary, submission status and data notes.",
    )
    pack.add_argument("--quarter", required=True, help="e.g. '2025/26 Q2' (also '2025-26 Q2', 'Q2 2025/26')")
    pack.add_argument("--out", required=True, help="the file to write: FILE.pdf or FILE.docx")
    pack.set_defaults(handler=_board_pack)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except (PlanError, StoreError, AssessmentFileError, PackError, PeriodError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
