"""The command line: the same operations the dashboard offers, for scripts and analysts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics import police_uk
from metrics.assessment import AssessmentFileError
from metrics.bootstrap import initialise
from metrics.plan import CONFIG_ENV, DATABASE_ENV, PlanError, load_plan
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


def _progress_bar(fraction: float, message: str) -> None:
    """A one-line progress bar on the terminal (redrawn in place), plain lines when piped."""
    width = 30
    filled = int(round(fraction * width))
    bar = f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {message}"
    if sys.stdout.isatty():
        print(f"\r{bar[:120]:<120}", end="" if fraction < 1 else "\n", flush=True)
    else:
        print(bar, flush=True)


def _import_police(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = open_store(plan)
    initialise(plan, store)  # the store must exist and hold the plan's wards
    report = police_uk.import_street_files(
        store, plan, args.paths, lookup_path=args.lookup, skip_bad=args.skip_bad, progress=_progress_bar
    )
    for line in report.lines():
        print(line)
    return 0


def _ward_summary(args: argparse.Namespace) -> int:
    plan = load_plan()
    unknown = [w for w in args.ward or [] if w not in plan.ward_names()]
    if unknown:
        raise police_uk.PoliceDataError(
            f"unknown ward code(s): {', '.join(unknown)}. The partnership's wards are: "
            + ", ".join(f"{c} ({n})" for c, n in plan.ward_names().items())
        )
    frame = police_uk.ward_summary(open_store(plan), args.from_month, args.to_month, args.ward or (), args.type or ())
    out = Path(args.out)
    out.write_bytes(police_uk.to_csv_bytes(frame))
    print(f"Wrote {len(frame):,} rows ({int(frame['count'].sum()):,} incidents) to {out}.")
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
    police = commands.add_parser(
        "import-police",
        help="import police.uk street-level crime CSVs (files or monthly archive folders)",
        description=(
            "Import police.uk street-level files (<yyyy-mm>-<force>-street.csv), mapping each record to a "
            "ward through the LSOA to ward lookup. Re-importing a month replaces it. Prints a coverage report."
        ),
    )
    police.add_argument("paths", nargs="+", metavar="PATH", help="street CSV files or folders (one folder per month)")
    police.add_argument(
        "--lookup", metavar="FILE", help="ONS LSOA to electoral ward lookup CSV (stored for later imports)"
    )
    police.add_argument(
        "--skip-bad", action="store_true", help="import the good files when some are bad (default: import none)"
    )
    police.set_defaults(handler=_import_police)
    summary = commands.add_parser(
        "ward-summary",
        help="write month x ward x crime-type counts to CSV",
        description="Write the monthly ward x crime-type counts the ward explorer shows (month, ward_code, "
        "ward_name, crime_type, count).",
    )
    summary.add_argument("--from", dest="from_month", metavar="YYYY-MM", help="first month")
    summary.add_argument("--to", dest="to_month", metavar="YYYY-MM", help="last month")
    summary.add_argument("--ward", nargs="+", metavar="CODE", help="ONS ward codes (default: all)")
    summary.add_argument("--type", nargs="+", metavar="NAME", help="police.uk crime types (default: all)")
    summary.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV file to write")
    summary.set_defaults(handler=_ward_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except (PlanError, StoreError, AssessmentFileError, police_uk.PoliceDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
