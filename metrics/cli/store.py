"""Commands for the store as a whole: backup, restore, export (see metrics/store/backup.py and
metrics/store/warehouse.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from metrics.cli.common import existing_store
from metrics.plan.model import load_plan
from metrics.store import open_store
from metrics.store.backup import backup, restore
from metrics.store.warehouse import export


def _backup(args: argparse.Namespace) -> int:
    plan = load_plan()
    report = backup(existing_store(plan), args.out, plan_file=plan.path, keep=args.keep)
    for line in report.lines():
        print(line)
    return 0


def _restore(args: argparse.Namespace) -> int:
    plan = load_plan()
    # The one command besides init that may create the store: restoring onto a new computer.
    report = restore(Path(args.file), open_store(plan).path, plan_file=plan.path)
    for line in report.lines():
        print(line)
    return 0


def _export(args: argparse.Namespace) -> int:
    plan = load_plan()
    report = export(existing_store(plan), args.out, include_personal_data=args.include_personal_data)
    for line in report.lines():
        print(line)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add backup, restore and export."""
    save = commands.add_parser(
        "backup",
        help="write a consistent snapshot of the store (safe while the dashboard runs)",
        description="Write a snapshot of the store (a zip holding a DuckDB copy and a manifest of its tables, "
        "rows, checksums and time), taken in one transaction under the store's lock, so it is consistent "
        "while the dashboard runs and writes.",
    )
    save.add_argument(
        "--out", required=True, metavar="FILE", help="the snapshot file, or a folder (ending in /) to name it in"
    )
    save.add_argument(
        "--keep", type=int, metavar="N", help="then keep only the newest N snapshots of this store in that folder"
    )
    save.set_defaults(handler=_backup)
    back = commands.add_parser(
        "restore",
        help="replace the store with a snapshot, once its manifest and checksums check",
        description="Check a snapshot (its manifest, file checksum, every table's rows and checksum), refuse one "
        "from a newer schema, migrate an older one, and only then replace the store in one step, keeping the "
        "store it replaced beside it. A failed restore leaves the store as it was.",
    )
    back.add_argument("file", help="the snapshot file written by `backup`")
    back.set_defaults(handler=_restore)
    out = commands.add_parser(
        "export",
        help="write every table as Parquet with a data dictionary (for a warehouse)",
        description="Write every table of the store as Parquet, with a data dictionary (tables, columns, meaning, "
        "units, codes) as CSV and JSON. Columns holding personal data are left out unless asked for.",
    )
    out.add_argument("--out", required=True, metavar="FOLDER", help="a new (or empty) folder to write to")
    out.add_argument(
        "--include-personal-data",
        action="store_true",
        help="also export the columns naming people (submitters, authors, contacts, original files)",
    )
    out.set_defaults(handler=_export)
