"""Commands for the board: board-pack, actions list."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from metrics.board import action_log
from metrics.board import actions as board_actions
from metrics.cli.common import add_quarter, ready_store, subgroup_choices
from metrics.pack import board_pack, pack_format
from metrics.plan.model import load_plan
from metrics.police import uk as police_uk
from metrics.quarters import Quarter


def _board_pack(args: argparse.Namespace) -> int:
    fmt = pack_format(args.out)
    quarter = Quarter.parse(args.quarter)
    plan = load_plan()
    store = ready_store(plan)
    data = board_pack(plan, store, quarter, fmt)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Board pack for {quarter.label} written to {out} ({len(data):,} bytes).")
    return 0


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
    shown = board_actions.filtered(plan, action_log.load(ready_store(plan)), filters, as_of)
    import pandas as pd  # only here: the other commands do not need it at start-up

    frame = pd.DataFrame(board_actions.log_rows(plan, shown, as_of), columns=list(board_actions.LOG_COLUMNS))
    # Formula-safe like every export: people's words can start with = + - @.
    data = police_uk.to_csv_bytes(frame) if suffix == ".csv" else police_uk.to_xlsx_bytes(frame, sheet="action log")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Wrote {len(frame)} board action(s) to {out} (overdue as at {when}).")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add board-pack and actions."""
    pack = commands.add_parser(
        "board-pack",
        help="write the quarterly board pack (PDF or Word) for a quarter",
        description="Write the board pack: cover, summary with status icons, one section per exception "
        "with its SPC chart and commentary, submission status and data notes.",
    )
    add_quarter(pack)
    pack.add_argument("--out", required=True, help="the file to write: FILE.pdf or FILE.docx")
    pack.set_defaults(handler=_board_pack)

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
