"""Commands for police.uk data: import-police, ward-summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics import access
from metrics.bootstrap import initialise
from metrics.cli.common import EXIT_EMPTY, area_choices, progress_bar, ready_store, resolve_all
from metrics.plan.model import load_plan
from metrics.plan.names import Choices
from metrics.plan.words import area_words
from metrics.police import uk as police_uk
from metrics.police.export import area_export
from metrics.store import open_store, schema
from metrics.store import plan as plan_store
from metrics.store import police as police_store


def _import_police(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = open_store(plan)
    # The store must exist and hold the plan's areas. A ready store only needs the plan synced
    # (one transaction); init's all-or-nothing copy of the whole store is for creating it.
    if schema.is_ready(store):
        plan_store.sync_plan(store, plan)
    else:
        initialise(plan, store)
    report = police_uk.import_street_files(
        store,
        plan,
        args.paths,
        lookup_path=args.lookup,
        skip_bad=args.skip_bad,
        progress=progress_bar,
        by=access.operator(),
    )
    for line in report.lines():
        print(line)
    return 0


def _ward_summary(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = ready_store(plan)
    held = police_store.summary_bounds(store)
    type_choices = Choices.of("crime type", [(t, (t,)) for t in held.crime_types])
    wards, types = resolve_all((area_choices(plan), args.ward or []), (type_choices, args.type or []))
    if args.from_month and args.to_month and args.from_month > args.to_month:
        raise police_uk.PoliceDataError(f"--from {args.from_month} is after --to {args.to_month}; swap them.")
    frame = police_uk.ward_summary(store, args.from_month, args.to_month, wards, types)
    if frame.empty:
        held_text = "no police.uk data is stored (run import-police)"
        if held.first is not None:
            held_text = f"the store holds {held.first:%Y-%m} to {held.last:%Y-%m}"
        print(
            f"No rows match: months {args.from_month or 'first'} to {args.to_month or 'last'}, "
            f"{area_words(plan).many} {', '.join(wards) or 'all'}, crime types {', '.join(types) or 'all'}; "
            f"{held_text}. Nothing was written to {args.out}.",
            file=sys.stderr,
        )
        return EXIT_EMPTY
    first = args.from_month or f"{held.first:%Y-%m}"
    last = args.to_month or f"{held.last:%Y-%m}"
    flagged = police_uk.coverage(store).frame
    flagged = {r.month: f"{r.force}: {r.problem}" for r in flagged[flagged["problem"] != ""].itertuples()}
    export = area_export(
        plan,
        frame,
        first=first,
        last=last,
        chosen=wards,
        crime_types=types,
        held=(f"{held.first:%Y-%m}", f"{held.last:%Y-%m}"),
        flagged=flagged,
        is_demo=held.is_demo,
    )
    out = Path(args.out)
    out.write_bytes(export.xlsx_bytes() if out.suffix.lower() == ".xlsx" else export.csv_bytes())
    demo = " DEMO DATA (generated, not real records)." if held.is_demo else ""
    print(f"Wrote {len(frame):,} rows ({int(frame['count'].sum()):,} incidents) to {out}.{demo}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add import-police and ward-summary."""
    police = commands.add_parser(
        "import-police",
        help="import police.uk street-level crime CSVs (files or monthly archive folders)",
        description=(
            "Import police.uk street-level files (<yyyy-mm>-<force>-street.csv), mapping each record to one "
            "of the plan's areas through the ONS lookup from LSOAs to those areas. Re-importing a month "
            "replaces it. Prints a coverage report."
        ),
    )
    police.add_argument("paths", nargs="+", metavar="PATH", help="street CSV files or folders (one folder per month)")
    police.add_argument(
        "--lookup",
        metavar="FILE",
        help="the ONS lookup from LSOAs to the plan's areas: a CSV with an LSOA code column (such as LSOA21CD) "
        "and an area code column (such as WD24CD) holding the codes the plan gives its areas (stored for later "
        "imports)",
    )
    police.add_argument(
        "--skip-bad", action="store_true", help="import the good files when some are bad (default: import none)"
    )
    police.set_defaults(handler=_import_police)
    summary = commands.add_parser(
        "ward-summary",
        help="write month x area x crime-type counts and rates to CSV or Excel",
        description="Write the monthly area x crime-type counts the explorer shows, with each area's "
        "population, whether it is an estimate, and the rate per 1,000 residents (columns: month, ward_code "
        "and ward_name for the plan's area, crime_type, count, population, population_is_estimate, "
        "rate_per_1000_residents), after a header block of '#' lines (filter, source, coverage, time of "
        "export, demo flag; read it with pandas.read_csv(FILE, comment='#')) or, for .xlsx, an About sheet. "
        "Names and codes are matched in any case; options add up when repeated. Exit status: 0 written; "
        f"{EXIT_EMPTY} nothing matched (said on standard error, nothing written); 1 a bad argument.",
    )
    summary.add_argument("--from", dest="from_month", metavar="YYYY-MM", help="first month")
    summary.add_argument("--to", dest="to_month", metavar="YYYY-MM", help="last month")
    # action="extend": `--ward A --ward B` and `--ward A B` both mean A and B
    summary.add_argument(
        "--ward",
        "--area",
        dest="ward",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="one or more of the plan's areas, each by its name or code as the plan lists them, any case "
        "(default: all areas)",
    )
    summary.add_argument(
        "--type", action="extend", nargs="+", metavar="NAME", help="police.uk crime types, any case (default: all)"
    )
    summary.add_argument("--out", required=True, metavar="FILE", help="the file to write: FILE.csv or FILE.xlsx")
    summary.set_defaults(handler=_ward_summary)
