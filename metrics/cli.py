"""The command line: the same operations the dashboard offers, for scripts and analysts."""

from __future__ import annotations

import argparse
import getpass
import hashlib
import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from metrics import access, action_log, board_actions, police_uk
from metrics.area_export import area_export
from metrics.assessment import AssessmentFileError
from metrics.bootstrap import initialise
from metrics.names import Choices, UnknownNameError
from metrics.pack import PackError, board_pack, pack_format
from metrics.plan import CONFIG_ENV, DATABASE_ENV, Plan, PlanError, config_path, load_plan, summary_lines
from metrics.plan_schema import json_schema_text
from metrics.quarters import PeriodError, Quarter
from metrics.returns import (
    ParsedReturn,
    ReturnError,
    oversized_return,
    submit,
    template_csv,
    template_xlsx,
    validate_return,
)
from metrics.store import Store, StoreError, open_store, schema
from metrics.store import plan as plan_store
from metrics.store import police as police_store
from metrics.words import area_words

EXIT_STORED = 0  # stored (or, with --dry-run, valid)
EXIT_REFUSED = 1  # errors, unexplained warnings, or a bad argument: nothing stored
EXIT_DUPLICATE = 3  # the same file as the latest stored version: nothing new stored
EXIT_FAULT = 4  # an unexpected fault: logged in full for the operator (FAULT_LOG_ENV), never a traceback
FAULT_LOG_ENV = "CSP_FAULT_LOG"  # where the command line logs unexpected faults in full
FAULT_LOG_NAME = "metrics-faults.log"  # default: beside the store, else in the temporary folder
READ_CHUNK = 1 << 20  # a return is read (and a large one hashed) a megabyte at a time
EXIT_EMPTY = 5  # the command ran but nothing matched (ward-summary): nothing written
# Help is built before any plan is loaded, so it names the plan file by where it is found and
# speaks of the plan's "areas" (the plan itself says whether they are wards, districts or ...).
DEFAULT_PLAN_FILE = f"config.yaml, or the file {CONFIG_ENV} names"
PLAN_FILE = f"the plan file ({DEFAULT_PLAN_FILE})"


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


def _ready_store(plan: Plan) -> Store:
    """The plan's store, refusing one that has not been set up (the commands below only read it)."""
    store = open_store(plan)
    if not schema.is_ready(store):
        raise StoreError(f"The data store {store.path} is not set up yet: run `python -m metrics init --demo` first.")
    return store


def _board_pack(args: argparse.Namespace) -> int:
    fmt = pack_format(args.out)
    quarter = Quarter.parse(args.quarter)
    plan = load_plan()
    store = _ready_store(plan)
    data = board_pack(plan, store, quarter, fmt)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Board pack for {quarter.label} written to {out} ({len(data):,} bytes).")
    return 0


def _return_context(args: argparse.Namespace) -> tuple[Plan, Store, str, Quarter]:
    """The plan, a ready store, the subgroup and the quarter a returns command names."""
    plan = load_plan()
    (subgroup,) = subgroup_choices(plan).resolve([args.subgroup])
    quarter = Quarter.parse(args.quarter)
    return plan, _ready_store(plan), subgroup, quarter


def subgroup_choices(plan: Plan) -> Choices:
    """A subgroup by its id, name or short name."""
    return Choices.of("subgroup", [(s.id, (s.name, s.short_name)) for s in plan.subgroups])


def resolve_all(*asked: tuple[Choices, list[str]]) -> list[list[str]]:
    """Each option's names resolved; every unknown name of every option reported at once."""
    out, problems = [], []
    for choices, typed in asked:
        try:
            out.append(choices.resolve(typed))
        except UnknownNameError as exc:
            problems.append(str(exc))
    if problems:
        raise UnknownNameError("\n".join(problems))
    return out


def area_choices(plan: Plan) -> Choices:
    """One of the plan's areas by its name or code."""
    return Choices.of(plan.partnership.area_singular, [(w.code, (w.name,)) for w in plan.wards])


def _template(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ReturnError(f"--out {out}: name the file .xlsx (Excel workbook) or .csv (one CSV table).")
    plan, store, subgroup, quarter = _return_context(args)
    build = template_xlsx if suffix == ".xlsx" else template_csv
    out.write_bytes(build(plan, store, subgroup, quarter))
    print(f"Template for {plan.subgroup(subgroup).name}, {quarter.label}: {out}")
    return 0


def _read_return(path: Path, limit_bytes: float) -> tuple[bytes | None, int, str]:
    """The file's bytes (None when it is over the limit: never held, only hashed as it streams
    past), its size and its sha256."""
    digest = hashlib.sha256()
    kept: list[bytes] | None = []
    size = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(READ_CHUNK):
                size += len(chunk)
                digest.update(chunk)
                if kept is not None:
                    kept.append(chunk)
                    if size > limit_bytes:
                        kept = None  # over the limit: stop holding it
    except OSError as exc:
        raise ReturnError(f"{path}: the file cannot be read ({exc.strerror}).") from exc
    return (None if kept is None else b"".join(kept)), size, digest.hexdigest()


def _import_return(args: argparse.Namespace) -> int:
    plan, store, subgroup, quarter = _return_context(args)
    path = Path(args.file)
    if path.is_dir():
        raise ReturnError(f"{path}: this is a folder; give the return file itself.")
    content, size, sha256 = _read_return(path, plan.settings.returns.max_file_mb * 1_000_000)
    parsed: ParsedReturn | None = oversized_return(plan, path.name, size, sha256, subgroup, quarter)
    if parsed is None:
        assert content is not None
        parsed = validate_return(plan, store, content, path.name, subgroup, quarter)
    print(parsed.summary())
    for message in parsed.messages:
        print(message, file=sys.stderr if message.severity == "error" else sys.stdout)
    if args.dry_run:
        print("Dry run: nothing was stored.")
        return EXIT_REFUSED if parsed.errors else EXIT_STORED
    # The command line runs as the operator (an administrator), recorded by name.
    outcome = submit(plan, store, parsed, content, access.operator(args.user), args.explanation)
    print(outcome.message, file=sys.stdout if outcome.stored else sys.stderr)
    if outcome.outcome == "duplicate":
        return EXIT_DUPLICATE
    return EXIT_STORED if outcome.stored else EXIT_REFUSED


def _actions_list(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise board_actions.BoardActionError([f"--out {out}: name the file .csv or .xlsx."])
    plan = load_plan()
    words = {s.word.casefold(): s.key for s in board_actions.BoardStatus} | {
        s.key: s.key for s in board_actions.BoardStatus
    }
    wrong = [w for w in args.status or [] if w.casefold() not in words]
    if wrong:
        known = ", ".join(s.key for s in board_actions.BoardStatus)
        raise board_actions.BoardActionError([f"--status {', '.join(wrong)}: not a status; use one of: {known}."])
    owners = subgroup_choices(plan).resolve(args.owner) if args.owner else []
    filters = board_actions.Filters(
        statuses=tuple(words[w.casefold()] for w in args.status or []),
        owners=tuple(owners),
        overdue_only=args.overdue,
    )
    # Overdue as the board's pages judge it for a meeting, or as at today when none is named.
    meeting = Quarter.parse(args.meeting) if args.meeting else None
    as_of = board_actions.meeting_day(meeting) if meeting else date.today()
    when = f"the meeting reviewing {meeting.label}, {as_of:%d %b %Y}" if meeting else f"{as_of:%d %b %Y}"
    shown = board_actions.filtered(plan, action_log.load(_ready_store(plan)), filters, as_of)
    import pandas as pd  # only here: the other commands do not need it at start-up

    frame = pd.DataFrame(board_actions.log_rows(plan, shown, as_of), columns=list(board_actions.LOG_COLUMNS))
    # Formula-safe like every export: people's words can start with = + - @.
    data = police_uk.to_csv_bytes(frame) if suffix == ".csv" else police_uk.to_xlsx_bytes(frame, sheet="action log")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Wrote {len(frame)} board action(s) to {out} (overdue as at {when}).")
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
        progress=_progress_bar,
        by=access.operator(),
    )
    for line in report.lines():
        print(line)
    return 0


def _ward_summary(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = _ready_store(plan)
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


def _check_config(args: argparse.Namespace) -> int:
    path = Path(args.file).resolve() if args.file else config_path()
    plan = load_plan(path)  # a PlanError lists every problem and main() exits 1
    print(f"{path}: the plan is valid.")
    for line in summary_lines(plan):
        print(f"  {line}")
    return 0


def _plan_schema(args: argparse.Namespace) -> int:
    text = json_schema_text()
    if not args.out:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlanError(out, [f"the schema cannot be written ({exc.strerror}); check the folder exists"]) from exc
    print(f"Plan JSON Schema written to {out}.")
    return 0


def _add_quarter(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quarter", required=True, help="e.g. '2025/26 Q1', '2025-26 Q1' or 'Q1 2025/26'")


def _add_subgroup_and_quarter(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--subgroup", required=True, help="the subgroup's id, name or short name in the plan (any case)"
    )
    _add_quarter(command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics",
        description=(
            f"Community Safety Partnership performance store. The plan comes from {PLAN_FILE}; "
            f"the DuckDB store from the plan's settings (or {DATABASE_ENV})."
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
    check = commands.add_parser(
        "check-config",
        help="check a plan file and summarise it (exit 1 listing every problem)",
        description="Validate a plan file against the declared schema and the whole-file checks, "
        "print a short summary, or exit 1 listing every problem with its key path.",
    )
    check.add_argument("file", nargs="?", help=f"the plan file to check (default: {DEFAULT_PLAN_FILE})")
    check.set_defaults(handler=_check_config)
    schema = commands.add_parser(
        "plan-schema",
        help="write the plan file's JSON Schema (for editors; committed as plan.schema.json)",
        description="Write the JSON Schema of the plan file, generated from metrics/plan_schema.py.",
    )
    schema.add_argument("--out", metavar="FILE", help="the file to write (default: standard output)")
    schema.set_defaults(handler=_plan_schema)
    pack = commands.add_parser(
        "board-pack",
        help="write the quarterly board pack (PDF or Word) for a quarter",
        description="Write the board pack: cover, summary with status icons, one section per exception "
        "with its SPC chart and commentary, submission status and data notes.",
    )
    _add_quarter(pack)
    pack.add_argument("--out", required=True, help="the file to write: FILE.pdf or FILE.docx")
    pack.set_defaults(handler=_board_pack)

    template = commands.add_parser(
        "template",
        help="write a subgroup's quarterly return template (.xlsx or .csv)",
        description="Write the template a subgroup fills in for a quarter: its indicators (with last "
        "period's figure) and actions. The file type follows --out's extension.",
    )
    _add_subgroup_and_quarter(template)
    template.add_argument("--out", required=True, help="the file to write: FILE.xlsx or FILE.csv")
    template.set_defaults(handler=_template)

    imp = commands.add_parser(
        "import-return",
        help="check a filled-in return and store it as the next version",
        description="Check a return exactly as the Upload page does and store it as the next version. "
        f"Exit status: {EXIT_STORED} stored (or valid, with --dry-run); {EXIT_REFUSED} not stored "
        f"(errors, or warnings without --explanation; the attempt is audited); {EXIT_DUPLICATE} the "
        "same file as the latest stored version (nothing new stored).",
    )
    imp.add_argument("file", help="the return: FILE.xlsx or FILE.csv")
    _add_subgroup_and_quarter(imp)
    imp.add_argument("--dry-run", action="store_true", help="check only; store nothing (not even an audit row)")
    imp.add_argument("--user", default=None, help="who is submitting (default: your login name)")
    imp.add_argument("--explanation", default=None, help="why the file's warnings may stand (stored with it)")
    imp.set_defaults(handler=_import_return, user=None)
    actions = commands.add_parser(
        "actions",
        help="the board's action log (list it to a file)",
        description="The board's action log: every action and decision the board recorded, with its status.",
    )
    actions_commands = actions.add_subparsers(dest="actions_command", metavar="ACTION", required=True)
    listing = actions_commands.add_parser(
        "list",
        help="write the action log (filtered) to CSV or Excel",
        description="Write the board's actions, overdue first, with their latest update, to a CSV or Excel file "
        "(text that a spreadsheet would run as a formula is neutralised). Overdue: still open after the "
        "quarter it was due, as at today, or as at the meeting --meeting names (as the dashboard's pages judge it).",
    )
    listing.add_argument(
        "--status",
        nargs="+",
        action="extend",
        metavar="S",
        help="open, in_progress, done, dropped (default: all; repeated options add up)",
    )
    listing.add_argument(
        "--owner",
        nargs="+",
        action="extend",
        metavar="O",
        help="subgroups, each by its name, short name or id, in any case (default: all; repeated options add up)",
    )
    listing.add_argument("--overdue", action="store_true", help="only actions that are overdue")
    listing.add_argument(
        "--meeting",
        metavar="QUARTER",
        help="judge overdue as at the meeting reviewing QUARTER (for example 2025/26 Q2), the day after it "
        "ends, as the dashboard does for that quarter (default: as at today)",
    )
    listing.add_argument("--out", required=True, metavar="FILE", help="the file to write: FILE.csv or FILE.xlsx")
    listing.set_defaults(handler=_actions_list)
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
    return parser


def fault_log_path() -> Path:
    """Where the command line logs unexpected faults in full: CSP_FAULT_LOG, else beside the
    store the plan names, else the temporary folder."""
    if os.environ.get(FAULT_LOG_ENV):
        return Path(os.environ[FAULT_LOG_ENV])
    try:
        return load_plan().settings.database.parent / FAULT_LOG_NAME
    except Exception:  # noqa: BLE001 - a broken plan is reported by the command itself
        return Path(tempfile.gettempdir()) / FAULT_LOG_NAME


class _FaultLog(logging.Handler):
    """Writes the metrics package's errors (with their tracebacks) to the fault log, opened
    only when there is something to write, so an ordinary command creates no file."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            path = fault_log_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never become the fault
            self.handleError(record)


def _log_faults() -> None:
    """Route the metrics package's logged errors to the fault log, not the terminal: the person
    at the terminal gets a message and a reference, the operator the traceback."""
    logger = logging.getLogger("metrics")
    if not any(isinstance(h, _FaultLog) for h in logger.handlers):
        handler = _FaultLog(level=logging.ERROR)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    _log_faults()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    if getattr(args, "command", None) == "import-return" and not args.user:
        args.user = getpass.getuser()
    try:
        return args.handler(args)
    except (
        PlanError,
        StoreError,
        AssessmentFileError,
        PackError,
        PeriodError,
        ReturnError,
        police_uk.PoliceDataError,
        UnknownNameError,
        access.AccessDenied,
        access.RolesError,
        board_actions.BoardActionError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the last boundary: a message and a reference, never a traceback
        reference = hashlib.sha256(repr((type(exc).__name__, str(exc))).encode()).hexdigest()[:12]
        logging.getLogger("metrics.cli").exception("Command %s failed (reference %s)", args.command, reference)
        print(
            f"error: the command stopped at an unexpected fault ({type(exc).__name__}); nothing more was stored. "
            f"The details are logged for the operator in {fault_log_path()} under reference {reference}.",
            file=sys.stderr,
        )
        return EXIT_FAULT
