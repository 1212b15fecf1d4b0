"""Reading an uploaded return into sheets of cells, bounded before anything is inflated: the
size limit, the file type (by extension and by content), zip members checked before openpyxl
opens a workbook, and a CSV's text encoding. Every refusal is a :class:`Message` for the whole
file. Also how one cell reads as text, a number, a period (in an indicator's frequency) or an
action status, for the rules."""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.parsers import expat

from metrics.plan.model import Indicator, ReturnSettings
from metrics.quarters import FinancialYear, PeriodError, Quarter
from metrics.returns.layout import (
    ACTION_COLUMNS,
    ACTION_STATUSES,
    ACTIONS,
    CSV_COLUMNS,
    CSV_SHEET,
    INDICATOR_COLUMNS,
    INDICATORS,
)
from metrics.returns.messages import ERROR, WARNING, Message
from metrics.returns.obligations import PERIOD_TYPES
from metrics.returns.workbook import CellProblem, Refused, Workbook, column_index, column_letter
from metrics.spreadsheet import formula_like

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls and other old Office files
# An Office file saved with a password is an OLE container holding this stream (UTF-16 name).
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
HEADER_SEARCH_ROWS = 10  # the header row is looked for among the first filled-in rows
HEADER_MIN_COLUMNS = 3  # ... as a row naming at least this many of the template's columns
# Parts of an Office package that hold code: VBA projects, Excel 4.0 macro sheets, ActiveX.
MACRO_PARTS = re.compile(r"(vbaProject\.bin|vbaProjectSignature|/macrosheets/|/activeX/)", re.IGNORECASE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"
SNIFF_BYTES = 4096  # a NUL byte this early means binary content, not text
ENCODING_ROWS_SHOWN = 8  # rows with non-ASCII characters named in the Windows-1252 warning
MONTH_FORMATS = ("%b %Y", "%B %Y", "%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y")
_KNOWN_COLUMNS = set(INDICATOR_COLUMNS) | set(ACTION_COLUMNS) | set(CSV_COLUMNS)
# A number as people type it: thousands separators, a sign, a leading point ('.5').
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")


@dataclass
class Sheet:
    """One table of a return as read: its header (normalised) and its rows of raw cells."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the user sees it, cells)
    header_row: int = 1  # where the header was found (rows above it are refused, never dropped)
    bad_rows: set[int] = field(default_factory=set)  # rows with a cell that could not be read


def cell_text(value: object) -> str:
    """A cell as the text a lead sees: dates as ISO dates, whole floats without '.0', trimmed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- a cell as a number, a period or a status -------------------------------------------


def number(value: object) -> float | None:
    """A cell as a number ('1,234', '12.5%', ' 7 ' are numbers), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    # A non-breaking space or a thin space between thousands; a minus sign pasted from Word.
    text = cell_text(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("\u2212", "-")
    if text.endswith("%"):
        text = text[:-1]
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", ""))


def parse_period(value: object, ind: Indicator) -> date | None:
    """The start of the period a cell names, in the indicator's frequency."""
    kind = PERIOD_TYPES[ind.frequency]
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return date(day.year, day.month, 1) if kind == "month" else None
    text = cell_text(value)
    if kind == "month":
        for fmt in MONTH_FORMATS:
            try:
                day = datetime.strptime(text, fmt).date()
                return date(day.year, day.month, 1)
            except ValueError:
                continue
        return None
    try:
        return Quarter.parse(text).start if kind == "quarter" else FinancialYear.parse(text).start
    except PeriodError:
        return None


def action_status(text: str) -> str | None:
    """The action status a cell names, in the plan's spelling (any case), or None."""
    return next((s for s in ACTION_STATUSES if s.lower() == text.lower()), None)


def _norm_header(value: object) -> str:
    return re.sub(r"\s+", "_", cell_text(value).lower())


def _megabytes(n: int | float) -> str:
    """A size in bytes as '1.2 MB', as the size messages word it."""
    return f"{n / 1_000_000:.1f} MB"


def size_problem(size: int, name: str, limits: ReturnSettings) -> Message | None:
    """The refusal for a file over the size limit, or None. Checked on every path (the page and
    the command line) before the file is read, whatever the browser widget allowed."""
    if size <= limits.max_file_mb * 1_000_000:
        return None
    return Message(
        severity=ERROR,
        seen=_megabytes(size),
        problem=f"'{name}' is too large to accept",
        expected=f"a file of at most {limits.max_file_mb:g} MB; a return is normally well under 1 MB",
    )


def read_sheets(content: bytes, name: str, limits: ReturnSettings, messages: list[Message]) -> list[Sheet] | None:
    """The sheets of an uploaded file, or None when it cannot be read (the reason is added to
    ``messages``). A CSV gives one sheet; a workbook its Indicators and Actions sheets. Cells
    that cannot be read are added to ``messages`` with their place, and their rows marked bad."""
    suffix = Path(name).suffix.lower()
    if (too_large := size_problem(len(content), name, limits)) is not None:
        messages.append(too_large)
        return None
    if suffix not in (".xlsx", ".csv"):
        hint = (
            " (an Excel 97-2003 workbook: open it and save it as .xlsx)"
            if suffix == ".xls"
            else " (a macro-enabled workbook: macros are not accepted; save it as a plain .xlsx)"
            if suffix in MACRO_SUFFIXES
            else ""
        )
        messages.append(
            Message(
                severity=ERROR,
                seen=suffix or "no extension",
                problem=f"'{name}' is not a type we read{hint}",
                expected="an Excel workbook (.xlsx) or a CSV file (.csv), as downloaded from the template",
            )
        )
        return None
    if not content.strip(b" \t\r\n" + UTF8_BOM):
        messages.append(
            Message(
                severity=ERROR,
                seen=f"{len(content)} bytes",
                problem=f"'{name}' is empty",
                expected="the template filled in with this quarter's figures",
            )
        )
        return None
    if not _sniff(content, name, suffix, messages):
        return None
    read = _read_xlsx if suffix == ".xlsx" else _read_csv
    return read(content, name, limits, messages)


def _unopenable(filename: str, detail: str) -> Message:
    """The error for an .xlsx that cannot be opened as a workbook."""
    return Message(
        severity=ERROR,
        seen=None,
        problem=f"'{filename}' cannot be opened as an Excel workbook ({detail})",
        expected="an .xlsx saved by Excel, LibreOffice or the template; save it again and re-upload",
    )


def _refusal(filename: str, refused: Refused) -> Message:
    """A refused workbook as a message, located at the cell where the read stopped."""
    row = column = None
    if refused.cell:
        ref = re.match(r"([A-Z]+)(\d+)$", refused.cell)
        if ref:
            column, row = ref.group(1), int(ref.group(2))
    return Message(
        severity=ERROR,
        sheet=refused.sheet,
        row=row,
        column=column,
        problem=f"'{filename}': {refused.problem}",
        expected=refused.expected,
    )


def _read_xlsx(data: bytes, filename: str, limits: ReturnSettings, messages: list[Message]) -> list[Sheet] | None:
    """Check the zip's members before anything is inflated, then scan the two sheets."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        messages.append(_unopenable(filename, str(exc)))
        return None
    inflated = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    bound = limits.max_unzipped_mb * 1_000_000
    if inflated > bound or inflated / compressed > limits.max_compression_ratio:
        messages.append(
            Message(
                severity=ERROR,
                seen=f"{_megabytes(len(data))} that inflates to {_megabytes(inflated)}",
                problem=f"'{filename}' inflates to {_megabytes(inflated)} when opened "
                f"({inflated / compressed:.0f} times its packed size), which is how a 'zip bomb' looks, "
                "so it was not opened",
                expected=f"a workbook that opens to at most {limits.max_unzipped_mb:g} MB and at most "
                f"{limits.max_compression_ratio:g} times its packed size; start again from the template",
            )
        )
        return None
    macros = [m.filename for m in members if MACRO_PARTS.search(m.filename)]
    if macros:
        # A return is figures and words; a workbook carrying macros (an .xlsm renamed, or
        # Excel 4.0 macro sheets) is refused so the stored original never carries code.
        messages.append(
            Message(
                severity=ERROR,
                seen=", ".join(macros[:3]),
                problem=f"'{filename}' contains macros, which a return must not carry, so it was not opened",
                expected="the template saved as 'Excel Workbook (.xlsx)', not as a macro-enabled workbook",
            )
        )
        return None
    if "xl/workbook.xml" not in {m.filename.lower() for m in members}:
        messages.append(_unopenable(filename, "it is a zip file but holds no workbook"))
        return None
    # zipfile never inflates a member beyond the size its header declares (checked above).
    try:
        book = Workbook(archive, limits)
        missing = [n for n in (INDICATORS, ACTIONS) if n not in book.sheets]
        if missing:
            messages.append(
                Message(
                    severity=ERROR,
                    seen=", ".join(book.sheets),
                    problem=f"the workbook has no sheet named {' or '.join(repr(m) for m in missing)}",
                    expected=f"the template's sheets '{INDICATORS}' and '{ACTIONS}' (do not rename them)",
                )
            )
        raw = [book.sheet(n) for n in (INDICATORS, ACTIONS) if n in book.sheets]
    except Refused as refused:
        messages.append(_refusal(filename, refused))
        return None
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        # Damaged XML or a member whose bytes do not match its header (zipfile's CRC check).
        messages.append(_unopenable(filename, f"a damaged part: {exc}"))
        return None
    sheets = []
    for sheet in raw:
        if sheet.hidden:
            messages.append(
                Message(
                    severity=ERROR,
                    sheet=sheet.name,
                    problem=f"the '{sheet.name}' sheet is hidden, so whoever checks the workbook in Excel does not "
                    "see the figures it would submit",
                    expected="the sheet visible: right-click a sheet tab, choose Unhide, and save",
                )
            )
        sheets.append(_table(sheet.name, sheet.cells, sheet.merged, messages))
    return sheets


# --- from cells to a table ----------------------------------------------------------------------


def _table(name: str, cells: dict[int, dict[int, object]], merged: list[str], messages: list[Message]) -> Sheet:
    """A sheet's filled-in cells as a table: the header is the first row that names template
    columns (rows above it are refused, never dropped), every row below it is read whatever
    gaps lie between, and a cell that cannot be read is named with its row and column."""
    numbers = sorted(cells)
    filled = [
        n for n in numbers if any(not isinstance(v, CellProblem) and cell_text(v) != "" for v in cells[n].values())
    ]
    header_row = next((n for n in filled[:HEADER_SEARCH_ROWS] if _names_columns(cells[n])), filled[0] if filled else 1)
    width = max((max(cells[n]) + 1 for n in numbers if cells[n]), default=0)
    header_cells = cells.get(header_row, {})
    header = [_norm_header(header_cells.get(i)) for i in range(max(header_cells, default=-1) + 1)]
    sheet = Sheet(name, header, [], header_row=header_row)

    def problem(row: int, col: int, what: str, expected: str, seen: str | None = None) -> None:
        column = header[col] if col < len(header) and header[col] else column_letter(col)
        messages.append(
            Message(severity=ERROR, sheet=name, row=row, column=column, seen=seen, problem=what, expected=expected)
        )
        sheet.bad_rows.add(row)

    seen_names: dict[str, int] = {}
    for i, h in enumerate(header):
        if h and h in seen_names:
            problem(
                header_row,
                i,
                f"the column '{h}' appears twice in the header row (columns {column_letter(seen_names[h])} and "
                f"{column_letter(i)}), so it is not clear which holds the figures",
                "each of the template's columns once; delete the extra column",
            )
        seen_names.setdefault(h, i)
    for n in numbers:
        row = cells[n]
        if n < header_row:
            if n in filled:
                col = min(row)
                problem(
                    n,
                    col,
                    f"this row lies above the header row (row {header_row}), so it would not be read",
                    "the header row first, then the figures below it; delete or move this row",
                    cell_text(row[col])[:100],
                )
            continue
        values: list[object] = [None] * max(width, len(header))
        for col, value in row.items():
            if isinstance(value, CellProblem):
                problem(n, col, value.problem, value.expected, value.seen)
                continue
            text = value if isinstance(value, str) else None
            if text is not None and formula_like(text):
                problem(
                    n,
                    col,
                    "the cell holds text a spreadsheet would run as a formula, so the file is refused",
                    "text that does not start with '=' (or with + - @ followed by a function); "
                    "put a word or a space before it",
                    text[:120],
                )
                continue
            if n > header_row and (col >= len(header) or not header[col]) and cell_text(value) != "":
                problem(
                    n,
                    col,
                    f"a value in column {column_letter(col)}, which has no header, so it would not be read "
                    "(in a CSV, often a comma inside a cell that is not in quotes)",
                    "values only under the template's headers; text with commas in quotes",
                    cell_text(value)[:100],
                )
                continue
            values[col] = value
        if n > header_row:
            sheet.rows.append((n, values))
    for ref in merged:
        bounds = re.match(r"([A-Z]+)(\d+):([A-Z]+)(\d+)$", ref)
        if bounds and int(bounds.group(4)) >= header_row:
            problem(
                max(int(bounds.group(2)), header_row),
                column_index(bounds.group(1)),
                f"the cells {ref} are merged, so only the first of them holds a value and the others would "
                "read as blank",
                "no merged cells in the table: select them and choose Unmerge Cells",
            )
    return sheet


def _names_columns(row: dict[int, object]) -> bool:
    """Does a row name the template's columns (so it is the header row)? At least three of
    them, 'quarter' among them: a data row may hold a word like 'indicator', never 'quarter'."""
    names = {_norm_header(v) for v in row.values() if not isinstance(v, CellProblem)}
    return "quarter" in names and len(names & _KNOWN_COLUMNS) >= HEADER_MIN_COLUMNS


def _decode_csv(data: bytes, filename: str, messages: list[Message]) -> str | None:
    """UTF-8 (with or without a byte-order mark) is read as is. Anything else that decodes as
    Windows-1252 (what Excel's plain "CSV (Comma delimited)" writes in the UK) is read with a
    warning naming where non-ASCII characters were found, so the lead can check them in the
    preview; UTF-16 ("Unicode Text") and undecodable bytes are refused."""
    utf8_csv = "a CSV saved as 'CSV UTF-8 (Comma delimited)'"
    if data.startswith(UTF16_BOMS):
        messages.append(
            Message(
                severity=ERROR,
                seen="UTF-16 (Excel 'Unicode Text')",
                problem=f"'{filename}' is not in a text encoding we read",
                expected=utf8_csv,
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_at = exc.start + (len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0)  # utf-8-sig skips the mark
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        messages.append(
            Message(
                severity=ERROR,
                sheet=CSV_SHEET,
                row=data[:bad_at].count(b"\n") + 1,
                seen=" ".join(f"0x{b:02X}" for b in data[bad_at : bad_at + 1]),
                problem=f"'{filename}' is neither UTF-8 nor Windows-1252 text (byte {bad_at + 1})",
                expected=utf8_csv,
            )
        )
        return None
    lines = [i + 1 for i, ln in enumerate(text.splitlines()) if any(ord(ch) > 127 for ch in ln)]
    shown = ", ".join(map(str, lines[:ENCODING_ROWS_SHOWN])) + (" …" if len(lines) > ENCODING_ROWS_SHOWN else "")
    messages.append(
        Message(
            severity=WARNING,
            sheet=CSV_SHEET,
            row=lines[0] if lines else None,
            seen="Windows-1252 text",
            problem=f"'{filename}' is not UTF-8; it was read as Windows-1252 (Excel's 'CSV (Comma delimited)'). "
            f"Check the accented letters and symbols in row(s) {shown} of the preview",
            expected="a CSV saved as 'CSV UTF-8 (Comma delimited)', which keeps every character exactly",
        )
    )
    return text


def _read_csv(data: bytes, filename: str, limits: ReturnSettings, messages: list[Message]) -> list[Sheet] | None:
    """Read the CSV row by row, refusing it at the first row or cell beyond a limit (named)."""
    text = _decode_csv(data, filename, messages)
    if text is None:
        return None
    cells: dict[int, dict[int, object]] = {}
    total = 0
    reader = csv.reader(io.StringIO(text, newline=""))
    row_number = 0

    def refuse(problem: str, expected: str, row: int | None = None, column: str | None = None) -> None:
        messages.append(
            Message(severity=ERROR, sheet=CSV_SHEET, row=row, column=column, problem=problem, expected=expected)
        )

    try:
        for record in reader:
            row_number += 1
            kept = {i: v for i, v in enumerate(record) if v.strip() != ""}
            if not kept:
                continue
            last = max(kept)
            if row_number > limits.max_rows:
                refuse(
                    f"'{filename}' has a filled-in row beyond row {limits.max_rows:,}",
                    f"a return of at most {limits.max_rows:,} rows (settings.returns.max_rows)",
                    row_number,
                )
                return None
            if last >= limits.max_columns:
                refuse(
                    f"'{filename}' has a value beyond column {column_letter(limits.max_columns - 1)}",
                    f"a return of at most {limits.max_columns} columns (settings.returns.max_columns)",
                    row_number,
                    column_letter(last),
                )
                return None
            total += len(kept)
            if total > limits.max_cells:
                refuse(
                    f"'{filename}' holds more than {limits.max_cells:,} filled-in cells",
                    f"a return of at most {limits.max_cells:,} filled-in cells (settings.returns.max_cells)",
                    row_number,
                )
                return None
            cells[row_number] = {
                i: (_long_cell(len(v), limits.max_cell_chars) if len(v) > limits.max_cell_chars else v)
                for i, v in kept.items()
            }
    except csv.Error as exc:
        if "field larger" in str(exc):  # the csv module's own bound (128 kB), below ours in memory
            refuse(
                f"a cell holds more than {csv.field_size_limit():,} characters",
                f"at most {limits.max_cell_chars:,} characters a cell (settings.returns.max_cell_chars)",
                reader.line_num or None,
            )
            return None
        refuse(
            f"'{filename}' is not a readable CSV ({exc})",
            "comma-separated values as in the template, saved as 'CSV UTF-8 (Comma delimited)'",
            reader.line_num or None,
        )
        return None
    return [_table(CSV_SHEET, cells, [], messages)]


def _long_cell(length: int, bound: int) -> CellProblem:
    return CellProblem(
        f"the cell holds {length:,} characters, more than the {bound:,} a cell may hold",
        f"at most {bound:,} characters (settings.returns.max_cell_chars); put long notes in a separate document",
    )


def _sniff(data: bytes, filename: str, suffix: str, messages: list[Message]) -> bool:
    """Is the content what the extension says? A renamed file gets a message saying what it is."""
    looks = (
        "an Excel workbook (.xlsx)"
        if data.startswith(ZIP_MAGIC)
        else "a password-protected (encrypted) workbook"
        if data.startswith(OLE_MAGIC) and ENCRYPTED_MARK in data
        else "an old Excel 97-2003 workbook (.xls)"
        if data.startswith(OLE_MAGIC)
        else "a PDF"
        if data.startswith(b"%PDF")
        else "binary data"
        if b"\x00" in data[:SNIFF_BYTES] and not data.startswith(UTF16_BOMS)
        else "text"
    )
    if suffix == ".xlsx" and not data.startswith(ZIP_MAGIC):
        encrypted = looks.startswith("a password")
        messages.append(
            Message(
                severity=ERROR,
                seen=f"{looks} named .xlsx",
                problem=f"'{filename}' is a password-protected workbook, which cannot be read"
                if encrypted
                else f"'{filename}' is named .xlsx but its content is {looks}",
                expected="the workbook without a password: in Excel, File > Info > Protect Workbook > Encrypt with "
                "Password, clear the password and save"
                if encrypted
                else "an Excel workbook saved as .xlsx, or a CSV file named .csv",
            )
        )
        return False
    if suffix == ".csv" and looks not in ("text",):
        messages.append(
            Message(
                severity=ERROR,
                seen=f"{looks} named .csv",
                problem=f"'{filename}' is named .csv but its content is {looks}",
                expected="a CSV file saved as 'CSV UTF-8 (Comma delimited)', or an .xlsx named .xlsx",
            )
        )
        return False
    return True
