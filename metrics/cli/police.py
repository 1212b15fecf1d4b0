"""Commands for police.uk data: import-police, ward-summary; and the filter (months, areas,
crime types) every police.uk command reads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics import access
from metrics.bootstrap import initialise
from metrics.cli.common import EXIT_EMPTY, area_choices, progress_bar, ready_store, resolve_all
from metrics.plan.model import Plan, load_plan
from metrics.plan.names import Choices
from metrics.plan.words import area_words
from metrics.police import uk as police_uk
from metrics.police.export import AreaExport, ExportScope, area_export
from metrics.store import Store, open_store, schema
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


def police_filter(store: Store, plan: Plan, args: argparse.Namespace) -> ExportScope:
    """What a police.uk command was asked for: its months (--from, --to; default the months held),
    areas (--ward, where the command has it) and crime types (--type), every unknown name of
    every option reported at once; with the months held, the months flagged and the demo flag."""
    held = police_store.summary_bounds(store)
    type_choices = Choices.of("crime type", [(t, (t,)) for t in held.crime_types])
    wards, types = resolve_all((area_choices(plan), getattr(args, "ward", None) or []), (type_choices, args.type or []))
    if args.from_month and args.to_month and args.from_month > args.to_month:
        raise police_uk.PoliceDataError(f"--from {args.from_month} is after --to {args.to_month}; swap them.")
    first_held = None if held.first is None else f"{held.first:%Y-%m}"
    last_held = None if held.last is None else f"{held.last:%Y-%m}"
    coverage = police_uk.coverage(store).frame
    flagged = {r.month: f"{r.force}: {r.problem}" for r in coverage[coverage["problem"] != ""].itertuples()}
    return ExportScope(
        first=args.from_month or first_held or "",
        last=args.to_month or last_held or "",
        chosen=tuple(wards),
        crime_types=tuple(types),
        held=(first_held, last_held),
        flagged=flagged,
        is_demo=held.is_demo,
    )


def held_text(scope: ExportScope) -> str:
    """What the store holds, for a message saying nothing matched."""
    if scope.held[0] is None:
        return "no police.uk data is stored (run import-police)"
    return f"the store holds {scope.held[0]} to {scope.held[1]}"


def _ward_summary(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = ready_store(plan)
    scope = police_filter(store, plan, args)
    wards, types = list(scope.chosen), list(scope.crime_types)
    frame = police_uk.ward_summary(store, args.from_month, args.to_month, wards, types)
    if frame.empty:
        print(
            f"No rows match: months {args.from_month or 'first'} to {args.to_month or 'last'}, "
            f"{area_words(plan).many} {', '.join(wards) or 'all'}, crime types {', '.join(types) or 'all'}; "
            f"{held_text(scope)}. Nothing was written to {args.out}.",
            file=sys.stderr,
        )
        return EXIT_EMPTY
    export = area_export(
        plan,
        frame,
        first=scope.first,
        last=scope.last,
        chosen=wards,
        crime_types=types,
        held=scope.held,
        flagged=scope.flagged,
        is_demo=scope.is_demo,
    )
    out = write_export(export, args.out)
    print(f"Wrote {len(frame):,} rows ({int(frame['count'].sum()):,} incidents) to {out}.{demo_note(scope)}")
    return 0


def write_export(export: AreaExport, path: str) -> Path:
    """A download written where asked: Excel for .xlsx, otherwise CSV."""
    out = Path(path)
    out.write_bytes(export.xlsx_bytes() if out.suffix.lower() == ".xlsx" else export.csv_bytes())
    return out


def demo_note(scope: ExportScope) -> str:
    """What a command says after writing demo figures (nothing for real ones)."""
    return " DEMO DATA (generated, not real records)." if scope.is_demo else ""


def add_period(parser: argparse.ArgumentParser) -> None:
    """--from and --to, the months a police.uk command covers (default: all the months held)."""
    parser.add_argument("--from", dest="from_month", metavar="YYYY-MM", help="first month (default: the first held)")
    parser.add_argument("--to", dest="to_month", metavar="YYYY-MM", help="last month (default: the last held)")


def add_types_and_out(parser: argparse.ArgumentParser) -> None:
    """--type (crime types, repeatable, any case) and --out (the CSV or Excel file to write)."""
    parser.add_argument(
        "--type", action="extend", nargs="+", metavar="NAME", help="police.uk crime types, any case (default: all)"
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="the file to write: FILE.csv or FILE.xlsx")


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
    add_period(summary)
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
    add_types_and_out(summary)
    summary.set_defaults(handler=_ward_summary)
