"""Commands for setting up a partnership from public data: new-partnership."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from metrics.areas import load_reference, plan_text
from metrics.cli.common import EXIT_REFUSED, EXIT_STORED


def _new_partnership(args: argparse.Namespace) -> int:
    reference = load_reference()
    partnership = reference.partnership(" ".join(args.name))
    out = Path(args.out)
    if out.exists() and not args.force:
        print(
            f"error: {out} already exists; nothing was written. Choose another file, or add --force to replace it.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if out.is_dir():
        print(f"error: {out} is a folder; give the plan file's name, such as {out / 'plan.yaml'}.", file=sys.stderr)
        return EXIT_REFUSED
    text = plan_text(reference, partnership, date.today())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    wards = reference.wards(partnership)
    forces = ", ".join(f"{f.police_uk_name} ({f.police_uk_id})" for f in partnership.forces)
    print(f"Wrote {out}: {partnership.name} ({partnership.code}).")
    print(
        f"  {len(wards)} wards, {int(wards['usual_residents'].sum()):,} residents (Census 2021); "
        f"{len(partnership.authorities)} local authorit{'y' if len(partnership.authorities) == 1 else 'ies'}; "
        f"police: {forces}."
    )
    coverage = reference.coverage(partnership)
    if partnership.shared:
        print(
            f"  {', '.join(a.name for a in partnership.shared)} is split between partnerships: wards were placed by "
            f"former district (see the comment above the wards; {coverage.straddling} straddle a boundary, "
            f"{coverage.undecided} undecided)."
        )
    print("Next:")
    print(f"  python -m metrics check-config {out}")
    print(f"  CSP_CONFIG={out} make run")
    print(f"  CSP_CONFIG={out} python -m metrics import-police the.zip   (the zip from data.police.uk)")
    return EXIT_STORED


def register(commands: argparse._SubParsersAction) -> None:
    """Add new-partnership."""
    command = commands.add_parser(
        "new-partnership",
        help="write a starter plan file for any Community Safety Partnership in England and Wales",
        description=(
            "Write a plan file for a Community Safety Partnership from the public data shipped with the project "
            "(ONS lookups and Census 2021; Source: Office for National Statistics licensed under the Open "
            "Government Licence v.3.0): its local areas with ONS codes and Census 2021 populations, its police "
            "force(s), and starter police.uk indicators with SPC, owned by one 'Partnership board'. NAME is a "
            "partnership's or a local authority's name or ONS code, in any case. Exit status: 0 written; 1 an "
            "unknown name (with 'did you mean'), or the file exists and --force was not given."
        ),
    )
    command.add_argument("name", nargs="+", metavar="NAME", help="the partnership or local authority (name or code)")
    command.add_argument("--out", required=True, metavar="FILE", help="the plan file to write (YAML)")
    command.add_argument("--force", action="store_true", help="replace FILE if it exists")
    command.set_defaults(handler=_new_partnership)
