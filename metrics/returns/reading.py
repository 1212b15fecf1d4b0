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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from metrics.plan import Indicator, ReturnSettings
from metrics.quarters import FinancialYear, PeriodError, Quarter
from metrics.returns.layout import ACTION_STATUSES, ACTIONS, CSV_SHEET, INDICATORS
from metrics.returns.messages import ERROR, WARNING, Message
from metrics.returns.obligations import PERIOD_TYPES

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls and other old Office files
# Parts of an Office package that hold code: VBA projects, Excel 4.0 macro sheets, ActiveX.
MACRO_PARTS = re.compile(r"(vbaProject\.bin|vbaProjectSignature|/macrosheets/|/activeX/)", re.IGNORECASE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"
SNIFF_BYTES = 4096  # a NUL byte this early means binary content, not text
ENCODING_ROWS_SHOWN = 8  # rows with non-ASCII characters named in the Windows-1252 warning
MONTH_FORMATS = ("%b %Y", "%B %Y", "%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y")
# A number as people type it: thousands separators, a sign, a leading point ('.5').
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")


@dataclass
class Sheet:
    """One table of a return as read: its header (normalised) and its rows of raw cells."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the user sees it, cells)


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
    text = cell_text(value).replace("\u00a0", "").replace(" ", "")
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


def read_sheets(content: bytes, name: str, limits: ReturnSettings, messages: list[Message]) -> list[Sheet] | None:
    """The sheets of an uploaded file, or None when it cannot be read (the reason is added to
    ``messages``). A CSV gives one sheet; a workbook its Indicators and Actions sheets."""
    suffix = Path(name).suffix.lower()
    if len(content) > limits.max_file_mb * 1_000_000:
        messages.append(
            Message(
                severity=ERROR,
                seen=_megabytes(len(content)),
                problem=f"'{name}' is too large to accept",
                expected=f"a file of at most {limits.max_file_mb:g} MB; a return is normally well under 1 MB",
            )
        )
        return None
    if suffix not in (".xlsx", ".csv"):
        hint = " (an Excel 97-2003 workbook: open it and save it as .xlsx)" if suffix == ".xls" else ""
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
    return _read_xlsx(content, name, limits, messages) if suffix == ".xlsx" else _read_csv(content, name, messages)


def _unopenable(filename: str, detail: str) -> Message:
    """The error for an .xlsx that zipfile or openpyxl cannot open."""
    return Message(
        severity=ERROR,
        seen=None,
        problem=f"'{filename}' cannot be opened as an Excel workbook ({detail})",
        expected="an .xlsx saved by Excel, LibreOffice or the template; save it again and re-upload",
    )


def _read_xlsx(data: bytes, filename: str, limits: ReturnSettings, messages: list[Message]) -> list[Sheet] | None:
    """Check the zip's members before openpyxl inflates anything, then read the two sheets."""
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
    # zipfile never inflates a member beyond the size its header declares (checked above).
    from openpyxl import load_workbook  # only when a workbook is read: openpyxl is slow to import

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        messages.append(_unopenable(filename, f"{type(exc).__name__}: {exc}"))
        return None
    sheets = []
    try:
        missing = [n for n in (INDICATORS, ACTIONS) if n not in wb.sheetnames]
        if missing:
            messages.append(
                Message(
                    severity=ERROR,
                    seen=", ".join(wb.sheetnames),
                    problem=f"the workbook has no sheet named {' or '.join(repr(m) for m in missing)}",
                    expected=f"the template's sheets '{INDICATORS}' and '{ACTIONS}' (do not rename them)",
                )
            )
        for name in (INDICATORS, ACTIONS):
            if name not in wb.sheetnames:
                continue
            rows = list(wb[name].iter_rows(values_only=True))
            header = [_norm_header(c) for c in rows[0]] if rows else []
            body = [(i + 2, list(r)) for i, r in enumerate(rows[1:])]
            sheets.append(Sheet(name, header, body))
    finally:
        wb.close()
    return sheets


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


def _read_csv(data: bytes, filename: str, messages: list[Message]) -> list[Sheet] | None:
    text = _decode_csv(data, filename, messages)
    if text is None:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        messages.append(
            Message(
                severity=ERROR,
                sheet=CSV_SHEET,
                problem=f"'{filename}' is not a readable CSV ({exc})",
                expected="comma-separated values as in the template",
            )
        )
        return None
    header = [_norm_header(c) for c in rows[0]] if rows else []
    return [Sheet(CSV_SHEET, header, [(i + 2, list(r)) for i, r in enumerate(rows[1:])])]


def _sniff(data: bytes, filename: str, suffix: str, messages: list[Message]) -> bool:
    """Is the content what the extension says? A renamed file gets a message saying what it is."""
    looks = (
        "an Excel workbook (.xlsx)"
        if data.startswith(ZIP_MAGIC)
        else "an old Excel 97-2003 workbook (.xls)"
        if data.startswith(OLE_MAGIC)
        else "a PDF"
        if data.startswith(b"%PDF")
        else "binary data"
        if b"\x00" in data[:SNIFF_BYTES] and not data.startswith(UTF16_BOMS)
        else "text"
    )
    if suffix == ".xlsx" and not data.startswith(ZIP_MAGIC):
        messages.append(
            Message(
                severity=ERROR,
                seen=f"{looks} named .xlsx",
                problem=f"'{filename}' is named .xlsx but its content is {looks}",
                expected="an Excel workbook saved as .xlsx, or a CSV file named .csv",
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
