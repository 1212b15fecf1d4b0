"""Commands for the plan and the store's set-up: init, check-config, plan-schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics.bootstrap import initialise
from metrics.cli.common import DEFAULT_PLAN_FILE
from metrics.plan.model import PlanError, config_path, load_plan, summary_lines
from metrics.plan.schema import json_schema_text
from metrics.police import peers
from metrics.store import open_store


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


def _check_config(args: argparse.Namespace) -> int:
    path = Path(args.file).resolve() if args.file else config_path()
    plan = load_plan(path)  # a PlanError lists every problem and main() exits 1
    if problems := peers.group_problems(plan):  # a declared comparator group, against the reference
        raise PlanError(path, problems)
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


def register(commands: argparse._SubParsersAction) -> None:
    """Add init, check-config and plan-schema."""
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
        description="Write the JSON Schema of the plan file, generated from metrics/plan/schema.py.",
    )
    schema.add_argument("--out", metavar="FILE", help="the file to write (default: standard output)")
    schema.set_defaults(handler=_plan_schema)
