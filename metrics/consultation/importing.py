"""Activities and comments from a CSV or Excel (.xlsx) file, with every problem in one round.

Each problem names the file, row and column, the value seen, what is wrong and how to fix it.
If there is any problem, nothing is returned: a half-read record would be worse than none.

Hostile text is handled as the project's returns handle it: a cell a spreadsheet would run as a
formula (``metrics.spreadsheet.formula_like``) is refused with its location; a cell longer than
``Limits.max_cell_chars`` is refused; control characters are refused. Markup and scripts are
kept as the text they are (a resident may quote '<b>'): every page, export and summary escapes
what it shows, and exports quote formula-like text (``spreadsheet.safe_cell``). The file itself
is bounded before it is opened: its size, and for .xlsx its unzipped size, compression ratio and
macros, so a zip bomb or a macro workbook is refused before openpyxl reads it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Generic, TypeVar

from metrics import spreadsheet
from metrics.consultation.coding import CodingFrame
from metrics.consultation.record import Activity, ActivityType, Comment, Consultation
from metrics.consultation.redaction import redacted_comment

T = TypeVar("T")
ZIP_MAGIC = b"PK\x03\x04"
MACRO_PARTS = re.compile(r"(vbaProject\.bin|/macrosheets/|/activeX/)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, line feed and return are text
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%d-%m-%Y")
CODE_SEPARATORS = re.compile(r"[;,]")
WHOLE_AREA_WORDS = ("", "all", "whole", "whole area", "all areas", "-")

# The headers each file needs, and other spellings people use for them.
ACTIVITY_COLUMNS = ("id", "date", "type", "audience", "area", "participants", "note")
ACTIVITY_REQUIRED = ("date", "type", "audience")
COMMENT_COLUMNS = ("id", "activity", "comment", "area", "group", "codes")
COMMENT_REQUIRED = ("activity", "comment")
_SYNONYMS = {
    "activity type": "type",
    "kind": "type",
    "number of participants": "participants",
    "people": "participants",
    "notes": "note",
    "activity id": "activity",
    "text": "comment",
    "feedback": "comment",
    "ward": "area",
    "code": "codes",
}
# Other words for each activity type, as officers write them.
_TYPE_WORDS = {
    "survey": ActivityType.ONLINE_SURVEY,
    "online": ActivityType.ONLINE_SURVEY,
    "questionnaire": ActivityType.ONLINE_SURVEY,
    "event": ActivityType.PUBLIC_EVENT,
    "forum": ActivityType.FORUM_VISIT,
    "email": ActivityType.EMAIL_OR_LETTER,
    "letter": ActivityType.EMAIL_OR_LETTER,
    "meeting": ActivityType.STAKEHOLDER_MEETING,
}


@dataclass(frozen=True)
class Limits:
    """How big a file and its cells may be."""

    max_file_bytes: int = 5 * 1024 * 1024  # refused before it is read
    max_unzipped_bytes: int = 50 * 1024 * 1024  # an .xlsx whose parts inflate beyond this (zip bomb)
    max_compression_ratio: float = 100.0  # ... or inflate more than this many times
    max_rows: int = 20_000  # a consultation of thousands of comments fits; a runaway sheet does not
    max_columns: int = 30
    max_cell_chars: int = 10_000  # a long email fits; a pasted book does not
    per_kind: int = 10  # located problems listed per kind; the rest are counted


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with an imported file, located, with how to fix it."""

    file: str
    problem: str
    fix: str
    row: int | None = None
    column: str | None = None
    seen: str | None = None

    @property
    def text(self) -> str:
        where = ", ".join(p for p in (f"'{self.file}'", f"row {self.row}" if self.row else "", self.column or "") if p)
        seen = "" if self.seen is None else " Seen: blank." if self.seen == "" else f" Seen: '{self.seen[:80]}'."
        return f"{where}: {self.problem}.{seen} To fix: {self.fix}."

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Imported(Generic[T]):
    """What a file gave: its items, or (if anything was wrong) no items and every problem."""

    items: tuple[T, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _bounded(problems: list[Problem], per_kind: int) -> tuple[Problem, ...]:
    """At most ``per_kind`` problems of each kind (same column and wording), then a count."""

    def kind(p: Problem) -> tuple[str | None, str]:
        return (p.column, re.sub(r"'[^']*'|\d[\d,.]*", "…", p.problem))

    counts = Counter(kind(p) for p in problems)
    shown: Counter[tuple[str | None, str]] = Counter()
    out = []
    for p in problems:
        k = kind(p)
        shown[k] += 1
        if shown[k] <= per_kind:
            out.append(p)
        elif shown[k] == counts[k]:
            out.append(
                Problem(
                    file=p.file,
                    column=p.column,
                    problem=f"{counts[k] - per_kind:,} more problems like the one above, not listed one by one",
                    fix=p.fix,
                )
            )
    return tuple(out)


# --- the file as a table of cells ----------------------------------------------------------


@dataclass
class _Table:
    columns: dict[str, int]  # known column name -> index
    rows: list[tuple[int, list[object], set[str]]]  # (row number, cells, columns already refused)


def _cell_problem(value: object, limits: Limits) -> tuple[str, str] | None:
    if not isinstance(value, str):
        return None
    if len(value) > limits.max_cell_chars:
        return (
            f"the cell holds {len(value):,} characters, more than the {limits.max_cell_chars:,} a cell may hold",
            f"shorten it to at most {limits.max_cell_chars:,} characters, or keep the long text in a separate document",
        )
    if spreadsheet.formula_like(value):
        return (
            "the cell holds text a spreadsheet would run as a formula, so the file is refused",
            "text that does not start with '=' (or with + - @ followed by a function); put a word or a space before it",
        )
    if _CONTROL.search(value):
        return (
            "the cell holds a control character (an invisible code, not text)",
            "retype the cell, or paste it as plain text",
        )
    return None


def _raw_rows(content: bytes, filename: str, limits: Limits, fail: Callable[[str, str], None]) -> list | None:
    suffix = PurePath(filename).suffix.lower()
    if len(content) > limits.max_file_bytes:
        fail(
            f"the file is {len(content) / 1e6:.1f} MB, more than the {limits.max_file_bytes / 1e6:.1f} MB allowed",
            "split it into smaller files, or remove what is not activities or comments",
        )
        return None
    if suffix == ".xlsx":
        return _xlsx_rows(content, limits, fail)
    if suffix == ".csv":
        if b"\x00" in content[:4096]:
            fail("the file is named .csv but holds binary data", "save it as 'CSV UTF-8 (Comma delimited)'")
            return None
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            fail(
                f"the file is not UTF-8 text (byte {exc.start:,} cannot be read)",
                "save it as 'CSV UTF-8 (Comma delimited)' in Excel, or as UTF-8 in another program",
            )
            return None
        try:
            return list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            fail(f"the file is not readable CSV ({exc})", "save it again as 'CSV UTF-8 (Comma delimited)'")
            return None
    fail(
        f"a '{suffix or 'no extension'}' file cannot be read",
        "a CSV file (.csv, saved as CSV UTF-8) or an Excel workbook (.xlsx)",
    )
    return None


def _xlsx_rows(content: bytes, limits: Limits, fail: Callable[[str, str], None]) -> list | None:
    if not content.startswith(ZIP_MAGIC):
        fail("the file is named .xlsx but is not an Excel workbook", "save it from Excel as 'Excel Workbook (.xlsx)'")
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        fail("the workbook is damaged and cannot be opened", "save it again from Excel as .xlsx")
        return None
    inflated = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if inflated > limits.max_unzipped_bytes or inflated / packed > limits.max_compression_ratio:
        fail(
            "the workbook inflates far beyond its size when opened, so it is refused unread",
            "save the sheet again from Excel as a new .xlsx, or as CSV UTF-8",
        )
        return None
    if any(MACRO_PARTS.search(i.filename) for i in infos):
        fail("the workbook holds macros or controls, which are not opened", "save it as .xlsx (no macros), or as CSV")
        return None
    import openpyxl  # only when an .xlsx is read

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        fail(f"the workbook cannot be read ({type(exc).__name__})", "save it again from Excel as .xlsx, or as CSV")
        return None
    try:
        sheet = book.worksheets[0]
        rows = []
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > limits.max_rows + 1 and any(v not in (None, "") for v in row):
                fail(f"the sheet has filled-in rows beyond row {limits.max_rows + 1:,}", "split it into several files")
                return None
            rows.append(list(row[: limits.max_columns + 1]))
        return rows
    finally:
        book.close()


def _table(
    content: bytes, filename: str, known: tuple[str, ...], required: tuple[str, ...], limits: Limits,
    problems: list[Problem],
) -> _Table | None:  # fmt: skip
    def fail(problem: str, fix: str, row: int | None = None, column: str | None = None) -> None:
        problems.append(Problem(file=filename, problem=problem, fix=fix, row=row, column=column))

    raw = _raw_rows(content, filename, limits, fail)
    if raw is None:
        return None
    numbered = [(n, r) for n, r in enumerate(raw, start=1) if any(v not in (None, "") for v in r)]
    if not numbered:
        fail("the file is empty", f"a header row naming the columns ({', '.join(known)}), then one row each")
        return None
    if len(numbered) > limits.max_rows + 1:
        fail(f"the file has {len(numbered) - 1:,} rows, more than the {limits.max_rows:,} allowed", "split it")
        return None
    header_row, header = numbered[0]
    columns: dict[str, int] = {}
    for i, value in enumerate(header):
        name = " ".join(str(value or "").split()).lower()
        name = _SYNONYMS.get(name, name)
        if name in known:
            if name in columns:
                fail(f"two columns are headed '{name}'", "keep one of them", header_row, column_letter(i))
            columns.setdefault(name, i)
    missing = [c for c in required if c not in columns]
    if missing:
        fail(
            f"the header row (row {header_row}) has no column {', '.join(repr(m) for m in missing)}",
            f"a first row naming the columns: {', '.join(known)} (required: {', '.join(required)})",
            header_row,
        )
        return None
    rows = []
    for n, r in numbered[1:]:
        refused: set[str] = set()
        for name, i in columns.items():
            value = r[i] if i < len(r) else None
            found = _cell_problem(value, limits)
            if found:
                refused.add(name)
                problems.append(
                    Problem(
                        file=filename, row=n, column=f"'{name}' ({column_letter(i)})", problem=found[0], fix=found[1],
                        seen=str(value)[:80],
                    )
                )  # fmt: skip
        rows.append((n, list(r), refused))
    return _Table(columns, rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def activity_type(text: str) -> ActivityType | None:
    """The activity type a cell names: its value ('forum visit') or a common word for it."""
    words = " ".join(text.lower().replace("_", " ").split())
    for t in ActivityType:
        if words == t.value:
            return t
    return _TYPE_WORDS.get(words)


def _area(text: str, areas: Mapping[str, str]) -> tuple[bool, str | None]:
    """(understood, area code) for an area cell: a code or name of the plan, or blank for all."""
    if text.lower() in WHOLE_AREA_WORDS:
        return True, None
    by_name = {name.lower(): code for code, name in areas.items()}
    if text in areas:
        return True, text
    code = by_name.get(text.lower())
    return (code is not None), code


def read_activities(
    content: bytes,
    filename: str,
    *,
    areas: Mapping[str, str],
    consultation: Consultation | None = None,
    limits: Limits = Limits(),
) -> Imported[Activity]:
    """Activities from a file with a header row (date, type, audience; optional id, area,
    participants, note). ``areas`` maps the plan's area codes to names: a cell may give either."""
    problems: list[Problem] = []
    table = _table(content, filename, ACTIVITY_COLUMNS, ACTIVITY_REQUIRED, limits, problems)
    out: list[Activity] = []
    seen_ids: dict[str, int] = {}
    if table is not None:
        col = table.columns
        refused: set[str] = set()

        def cell(r: list[object], name: str) -> object:
            i = col.get(name)
            return r[i] if i is not None and i < len(r) else None

        def bad(n: int, name: str, value: object, problem: str, fix: str) -> None:
            if name in refused:  # the cell has its message already
                return
            where = f"'{name}' ({column_letter(col[name])})"
            problems.append(Problem(file=filename, row=n, column=where, problem=problem, fix=fix, seen=_text(value)))

        for n, r, refused in table.rows:
            ok = not refused
            when = _date(cell(r, "date"))
            if when is None:
                ok = False
                bad(n, "date", cell(r, "date"), "this is not a date", "a date such as 2024-07-10 or 10/07/2024")
            elif consultation and not consultation.start <= when <= consultation.end:
                ok = False
                bad(
                    n, "date", cell(r, "date"),
                    f"the date is outside the consultation "
                    f"({consultation.start:%d %b %Y} to {consultation.end:%d %b %Y})",
                    "the date the activity took place, or correct the consultation's dates first",
                )  # fmt: skip
            kind = activity_type(_text(cell(r, "type")))
            if kind is None:
                ok = False
                bad(n, "type", cell(r, "type"), "this is not an activity type",
                    "one of: " + ", ".join(t.value for t in ActivityType))  # fmt: skip
            audience = _text(cell(r, "audience"))
            if not audience:
                ok = False
                bad(n, "audience", "", "the audience is blank", "who took part, e.g. 'Residents' association'")
            known, area = _area(_text(cell(r, "area")), areas)
            if not known:
                ok = False
                bad(n, "area", cell(r, "area"), "this is not one of the plan's areas",
                    "an area code or name from the plan, or blank for the whole area")  # fmt: skip
            participants: int | None = None
            raw = _text(cell(r, "participants")).replace(",", "")
            if raw:
                if raw.isdigit():
                    participants = int(raw)
                else:
                    ok = False
                    bad(n, "participants", cell(r, "participants"), "this is not a whole number of people",
                        "a whole number such as 12, or blank if not counted")  # fmt: skip
            ident = _text(cell(r, "id")) or f"A{n:04d}"
            if ident in seen_ids:
                ok = False
                bad(n, "id", ident, f"the id is used already on row {seen_ids[ident]}", "a different id for each row")
            seen_ids.setdefault(ident, n)
            if ok and when is not None and kind is not None:
                out.append(Activity(ident, when, kind, audience, area, participants, _text(cell(r, "note"))))
    if problems:
        return Imported((), _bounded(problems, limits.per_kind))
    return Imported(tuple(out), ())


def read_comments(
    content: bytes,
    filename: str,
    *,
    activity_ids: Iterable[str],
    areas: Mapping[str, str],
    frame: CodingFrame | None = None,
    groups: Iterable[str] | None = None,
    limits: Limits = Limits(),
) -> Imported[Comment]:
    """Comments from a file with a header row (activity, comment; optional id, area, group,
    codes separated by ';'). Each comment is redacted as it is read (see ``redaction``)."""
    problems: list[Problem] = []
    table = _table(content, filename, COMMENT_COLUMNS, COMMENT_REQUIRED, limits, problems)
    out: list[Comment] = []
    known_activities = set(activity_ids)
    known_groups = None if groups is None else {g.lower(): g for g in groups}
    seen_ids: dict[str, int] = {}
    if table is not None:
        col = table.columns
        refused: set[str] = set()

        def cell(r: list[object], name: str) -> str:
            i = col.get(name)
            return _text(r[i]) if i is not None and i < len(r) else ""

        def bad(n: int, name: str, value: str, problem: str, fix: str) -> None:
            if name in refused:  # the cell has its message already
                return
            where = f"'{name}' ({column_letter(col[name])})"
            problems.append(Problem(file=filename, row=n, column=where, problem=problem, fix=fix, seen=value))

        for n, r, refused in table.rows:
            ok = not refused
            activity = cell(r, "activity")
            if activity not in known_activities:
                ok = False
                bad(n, "activity", activity, "no activity has this id",
                    "the id of an activity already recorded (import the activities first)")  # fmt: skip
            text = cell(r, "comment")
            if not text:
                ok = False
                bad(n, "comment", "", "the comment is blank", "the comment's text, or delete the row")
            known, area = _area(cell(r, "area"), areas)
            if not known:
                ok = False
                bad(n, "area", cell(r, "area"), "this is not one of the plan's areas",
                    "an area code or name from the plan, or blank if not known")  # fmt: skip
            group = cell(r, "group") or None
            if group and known_groups is not None:
                if group.lower() not in known_groups:
                    ok = False
                    bad(n, "group", group, "this is not one of the declared groups",
                        "one of: " + ", ".join(sorted(known_groups.values())))  # fmt: skip
                else:
                    group = known_groups[group.lower()]
            codes = tuple(c.strip() for c in CODE_SEPARATORS.split(cell(r, "codes")) if c.strip())
            if codes and frame is not None:
                unknown = [c for c in codes if c not in frame.ids()]
                if unknown:
                    ok = False
                    bad(n, "codes", ", ".join(unknown), "these codes are not in the coding frame",
                        "code ids from the frame separated by ';', or blank to code on the page")  # fmt: skip
            ident = cell(r, "id") or f"C{n:05d}"
            if ident in seen_ids:
                ok = False
                bad(n, "id", ident, f"the id is used already on row {seen_ids[ident]}", "a different id for each row")
            seen_ids.setdefault(ident, n)
            if ok:
                out.append(redacted_comment(ident, activity, text, area=area, codes=codes, group=group))
    if problems:
        return Imported((), _bounded(problems, limits.per_kind))
    return Imported(tuple(out), ())
