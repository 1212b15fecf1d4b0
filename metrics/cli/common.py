"""What every command shares: exit codes, the plan file's name in help, a ready store, the
progress bar, and matching the plan's names."""

from __future__ import annotations

import argparse
import sys

from metrics.plan.model import CONFIG_ENV, Plan
from metrics.plan.names import Choices, UnknownNameError
from metrics.store import Store, StoreError, open_store, schema

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


def ready_store(plan: Plan) -> Store:
    """The plan's store, refusing one that has not been set up (every command but init needs it)."""
    store = open_store(plan)
    if not schema.is_ready(store):
        raise StoreError(f"The data store {store.path} is not set up yet: run `python -m metrics init --demo` first.")
    return store


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


def progress_bar(fraction: float, message: str) -> None:
    """A one-line progress bar on the terminal (redrawn in place), plain lines when piped."""
    width = 30
    filled = int(round(fraction * width))
    bar = f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {message}"
    if sys.stdout.isatty():
        print(f"\r{bar[:120]:<120}", end="" if fraction < 1 else "\n", flush=True)
    else:
        print(bar, flush=True)


def add_quarter(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quarter", required=True, help="e.g. '2025/26 Q1', '2025-26 Q1' or 'Q1 2025/26'")


def add_subgroup_and_quarter(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--subgroup", required=True, help="the subgroup's id, name or short name in the plan (any case)"
    )
    add_quarter(command)
