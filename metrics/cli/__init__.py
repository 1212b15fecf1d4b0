"""The command line: the same operations the dashboard offers, for scripts and analysts.

One module per area of the work adds its sub-commands (``register(commands)``); this module
builds the parser from them, runs the chosen command and is the last boundary for errors: an
expected error is one line on standard error and exit 1, an unforeseen fault a message and a
reference (the traceback goes to the fault log), never a traceback on the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import logging
import os
import sys
import tempfile
from pathlib import Path

from metrics import access
from metrics.board import actions as board_actions
from metrics.board.assessment import AssessmentFileError
from metrics.cli import areas, board, compare, consultation, plan, police, returns, store, survey
from metrics.cli.common import EXIT_FAULT, FAULT_LOG_ENV, FAULT_LOG_NAME, PLAN_FILE
from metrics.compare import CompareError
from metrics.consultation.record import ConsultationError
from metrics.pack import PackError
from metrics.plan.model import DATABASE_ENV, PlanError, load_plan
from metrics.plan.names import UnknownNameError
from metrics.police import uk as police_uk
from metrics.quarters import PeriodError
from metrics.returns import ReturnError
from metrics.store import StoreError
from metrics.survey.importing import SurveyError

# The modules whose register(commands) adds sub-commands, in the order help lists them.
COMMAND_MODULES = (plan, board, returns, police, compare, survey, consultation, areas, store)

# Errors a person can put right: one line on standard error, exit 1.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
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
    CompareError,
    SurveyError,
    ConsultationError,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics",
        description=(
            f"Community Safety Partnership performance store. The plan comes from {PLAN_FILE}; "
            f"the DuckDB store from the plan's settings (or {DATABASE_ENV})."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
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
    except EXPECTED_ERRORS as exc:
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
