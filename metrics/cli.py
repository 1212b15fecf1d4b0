"""The command line: the same operations the dashboard offers, for scripts and analysts."""

from __future__ import annotations

import argparse
import sys

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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except (PlanError, StoreError, AssessmentFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
