"""Commands for quarterly returns: template, import-return."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from metrics import access
from metrics.cli.common import (
    EXIT_DUPLICATE,
    EXIT_REFUSED,
    EXIT_STORED,
    READ_CHUNK,
    add_subgroup_and_quarter,
    ready_store,
    subgroup_choices,
)
from metrics.plan.model import Plan, load_plan
from metrics.quarters import Quarter
from metrics.returns import (
    ParsedReturn,
    ReturnError,
    oversized_return,
    submit,
    template_csv,
    template_xlsx,
    validate_return,
)
from metrics.store import Store


def _return_context(args: argparse.Namespace) -> tuple[Plan, Store, str, Quarter]:
    """The plan, a ready store, the subgroup and the quarter a returns command names."""
    plan = load_plan()
    (subgroup,) = subgroup_choices(plan).resolve([args.subgroup])
    quarter = Quarter.parse(args.quarter)
    return plan, ready_store(plan), subgroup, quarter


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


def register(commands: argparse._SubParsersAction) -> None:
    """Add template and import-return."""
    template = commands.add_parser(
        "template",
        help="write a subgroup's quarterly return template (.xlsx or .csv)",
        description="Write the template a subgroup fills in for a quarter: its indicators (with last "
        "period's figure) and actions. The file type follows --out's extension.",
    )
    add_subgroup_and_quarter(template)
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
    add_subgroup_and_quarter(imp)
    imp.add_argument("--dry-run", action="store_true", help="check only; store nothing (not even an audit row)")
    imp.add_argument("--user", default=None, help="who is submitting (default: your login name)")
    imp.add_argument("--explanation", default=None, help="why the file's warnings may stand (stored with it)")
    imp.set_defaults(handler=_import_return, user=None)
