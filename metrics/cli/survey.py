"""Commands for resident surveys: import-survey, survey-results, delete-survey-wave."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics import access
from metrics.cli.common import EXIT_REFUSED, EXIT_STORED, ready_store
from metrics.plan.model import load_plan
from metrics.police.uk import to_csv_bytes, to_xlsx_bytes
from metrics.store import survey as survey_store
from metrics.survey.importing import SurveyError, declared_survey, import_wave
from metrics.survey.results import results_table

RESULTS_SUFFIXES = (".csv", ".xlsx")


def _import_survey(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = ready_store(plan)
    user = access.operator(args.user)
    access.require(user, access.Action.IMPORT_SURVEY)
    path = Path(args.file)
    if not path.is_file():
        raise SurveyError(f"{path}: no such file; give the wave's respondent file (.csv, .xlsx or .sav)")
    if not args.dry_run and survey_store.wave_exists(store, args.survey, args.wave):
        raise SurveyError(
            f"survey {args.survey!r} already has a wave {args.wave!r}; an administrator can delete it first "
            "(delete-survey-wave), or import under another wave label"
        )
    outcome = import_wave(plan, store, path, args.survey, args.wave, user.label, dry_run=args.dry_run)
    stream = sys.stdout if outcome.reading.ok else sys.stderr
    for line in outcome.lines():
        print(line, file=stream)
    return EXIT_STORED if outcome.reading.ok else EXIT_REFUSED


def _survey_results(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = ready_store(plan)
    out = Path(args.out)
    if out.suffix.lower() not in RESULTS_SUFFIXES:
        raise SurveyError(f"--out {out}: name the file .csv or .xlsx")
    if args.survey:
        declared_survey(plan, args.survey)
    table = results_table(store, args.survey, args.wave)
    if table.empty:
        what = f"wave {args.wave!r}" if args.wave else "any wave"
        raise SurveyError(f"no survey estimates are stored for {what}; import a wave first (import-survey)")
    if table["is_demo"].any():
        print("Note: demo waves (invented respondents) are included and marked in the is_demo column.")
    if out.suffix.lower() == ".csv":
        out.write_bytes(to_csv_bytes(table))
    else:
        out.write_bytes(to_xlsx_bytes(table, "Survey results"))
    print(f"{len(table)} estimates ({table['wave'].nunique()} waves) written to {out}.")
    return 0


def _delete_wave(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = ready_store(plan)
    access.require(access.operator(args.user), access.Action.DELETE_SURVEY_WAVE)
    declared_survey(plan, args.survey)
    deleted = survey_store.delete_wave(store, args.survey, args.wave)
    print(f"Deleted wave {args.wave!r} of {args.survey}: {deleted} respondents, its estimates and indicator values.")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add import-survey, survey-results and delete-survey-wave."""
    imp = commands.add_parser(
        "import-survey",
        help="read a survey wave's respondent file (.csv, .xlsx, .sav), weight it and store it",
        description="Check a wave's respondent file against the plan's survey declaration, reporting every "
        "problem with its column and rows; weight it to the declared margins, compute the estimates and "
        "store the wave (only the declared columns). Nothing is stored on any problem.",
    )
    imp.add_argument("file", help="the respondent-level file: CSV, Excel (.xlsx) or SPSS (.sav)")
    imp.add_argument("--survey", required=True, help="the survey's id in the plan")
    imp.add_argument("--wave", required=True, help="the wave's label, naming its period where it can (2025)")
    imp.add_argument("--dry-run", action="store_true", help="check and estimate only; store nothing")
    imp.add_argument("--user", help="who imports it (default: the operating-system user)")
    imp.set_defaults(handler=_import_survey)
    results = commands.add_parser(
        "survey-results",
        help="write the stored survey estimates (.csv or .xlsx); never respondent rows",
        description="Write one row per survey, wave, measure and group: estimate, 95%% interval, unweighted "
        "and effective bases, and whether it is suppressed (too few responses).",
    )
    results.add_argument("--survey", help="only this survey (default: every survey)")
    results.add_argument("--wave", help="only this wave (default: every wave)")
    results.add_argument("--out", required=True, metavar="FILE", help="the .csv or .xlsx file to write")
    results.set_defaults(handler=_survey_results)
    delete = commands.add_parser(
        "delete-survey-wave",
        help="delete a stored survey wave: its respondents, estimates and indicator values (administrator)",
        description="Delete a survey wave whole, in one transaction: respondents' answers are personal data.",
    )
    delete.add_argument("--survey", required=True, help="the survey's id in the plan")
    delete.add_argument("--wave", required=True, help="the wave's label")
    delete.add_argument("--user", help="who deletes it (default: the operating-system user)")
    delete.set_defaults(handler=_delete_wave)
