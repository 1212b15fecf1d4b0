"""Subgroups' quarterly returns: the template, reading and validating a filled-in file, and
submitting it as a new version.

A return is one subgroup's report for one quarter: a figure for each indicator it owns (per
month, quarter or year, as the indicator is recorded; optionally by ward), and a status and
commentary for each action it owns. Leads download a template (Excel, or CSV), fill it in and
upload it. :func:`validate_return` reads the file without touching the store and returns every
problem as a :class:`Message` naming the sheet, row and column, the value seen and what is
expected. :func:`submit` stores an error-free return as the next version, in one transaction,
together with the original file (named by its sha256) and an audit row; a refused attempt adds
only its audit row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from metrics import access
from metrics.plan import Action, Indicator, Plan, ReturnSettings
from metrics.quarters import FinancialYear, PeriodError, Quarter
from metrics.status import Rag, format_value, indicator_status
from metrics.store import RETURN_ROW_COLUMNS, Store

ACTION_STATUSES = ("Not started", "On track", "At risk", "Off track", "Complete")
INDICATORS = "Indicators"
ACTIONS = "Actions"
README = "Read me"
LISTS = "Lists"
CSV_SHEET = "CSV file"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INDICATOR_COLUMNS = (
    "quarter", "indicator_id", "indicator", "unit", "polarity", "period", "last_period", "last_value", "value",
    "ward", "commentary", "contact",
)  # fmt: skip
INDICATOR_REQUIRED = ("quarter", "indicator_id", "period", "value", "ward", "commentary")
ACTION_COLUMNS = ("quarter", "action_id", "action", "last_status", "status", "commentary", "contact")
ACTION_REQUIRED = ("quarter", "action_id", "status", "commentary")
# The CSV alternative holds both tables in one: `section` says which, `id` and `name` stand for
# indicator_id/action_id and indicator/action.
CSV_COLUMNS = (
    "section", "quarter", "id", "name", "unit", "polarity", "period", "last_period", "last_value", "value", "ward",
    "last_status", "status", "commentary", "contact",
)  # fmt: skip
CSV_REQUIRED = ("section", "quarter", "id", "period", "value", "ward", "status", "commentary")
SECTION_INDICATOR = "indicator"
SECTION_ACTION = "action"

COLUMN_HELP = {
    "section": "CSV only: 'indicator' for an indicator's figure, 'action' for an action's progress.",
    "quarter": "The quarter this return is for, e.g. 2025/26 Q1 (filled in; do not change).",
    "indicator_id": "The indicator's id from the plan (filled in; do not change).",
    "action_id": "The action's id from the plan (filled in; do not change).",
    "id": "CSV only: the indicator's or action's id from the plan (filled in; do not change).",
    "indicator": "The indicator's name, for reference.",
    "action": "The action, for reference.",
    "name": "CSV only: the indicator's or action's name, for reference.",
    "unit": "count (a whole number, 0 or more), percent (0 to 100), rate or score.",
    "polarity": "Whether a higher or a lower figure is better.",
    "period": "The month (e.g. Apr 2025), quarter (2025/26 Q1) or financial year (2025/26) the figure covers.",
    "last_period": "The period the reference figure is for.",
    "last_value": "The figure held for the last period, for reference. A big change from it asks for a comment.",
    "value": "Your figure. Leave it blank only if you cannot report it yet (the tracker will show it missing).",
    "ward": "Blank means citywide. For indicators recorded by ward, add rows with a ward name or ONS code.",
    "last_status": "The action's status last quarter, for reference.",
    "status": "One of: " + ", ".join(ACTION_STATUSES) + ".",
    "commentary": "What the board should know. Required in effect when an indicator is off target.",
    "contact": "Who to contact about this row (name or email).",
}

MONTH_FORMATS = ("%b %Y", "%B %Y", "%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls and other old Office files
# Parts of an Office package that hold code: VBA projects, Excel 4.0 macro sheets, ActiveX.
MACRO_PARTS = re.compile(r"(vbaProject\.bin|vbaProjectSignature|/macrosheets/|/activeX/)", re.IGNORECASE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class ReturnError(ValueError):
    """A return cannot be prepared or submitted; the message says why and what to do."""


# --- messages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One problem with a return, in plain words, located by sheet, row and column."""

    severity: str  # "error" (must be fixed) | "warning" (may be submitted with an explanation)
    sheet: str | None
    row: int | None
    column: str | None
    seen: str | None
    problem: str
    expected: str

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"{self.sheet} sheet" if self.sheet not in (CSV_SHEET,) else self.sheet)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts) if parts else "The file"

    @property
    def anchor(self) -> str | None:
        """An id for the preview row the message belongs to, for links from the summary."""
        if self.sheet is None or self.row is None:
            return None
        return f"row-{re.sub(r'[^a-z0-9]+', '-', self.sheet.lower())}-{self.row}"

    @property
    def text(self) -> str:
        seen = "" if self.seen is None else " Seen: blank." if self.seen == "" else f" Seen: '{self.seen}'."
        return f"{self.where}: {self.problem}.{seen} Expected: {self.expected}."

    def __str__(self) -> str:
        return f"{self.severity.capitalize()}: {self.text}"


def _error(sheet, row, column, seen, problem, expected) -> Message:  # noqa: ANN001
    return Message("error", sheet, row, column, seen, problem, expected)


def _warning(sheet, row, column, seen, problem, expected) -> Message:  # noqa: ANN001
    return Message("warning", sheet, row, column, seen, problem, expected)


# --- what a subgroup owes ------------------------------------------------------------------

PERIOD_TYPES = {"monthly": "month", "quarterly": "quarter", "annual": "year"}


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    start: date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%b %Y}"
        if self.kind == "quarter":
            return Quarter.of(self.start).label
        return FinancialYear.of(self.start).label

    def previous(self) -> Period:
        """The period a figure is compared with: the month three months before (the same
        month of last quarter), the previous quarter, or the previous year."""
        if self.kind == "month":
            index = self.start.year * 12 + self.start.month - 1 - 3
            return Period("month", date(index // 12, index % 12 + 1, 1))
        if self.kind == "quarter":
            return Period("quarter", Quarter.of(self.start).previous().start)
        return Period("year", date(self.start.year - 1, 4, 1))


def owed_periods(ind: Indicator, quarter: Quarter) -> list[Period]:
    """The periods an indicator's figure is owed for in a quarter's return: its three months,
    the quarter, or (annual indicators, in the Q4 return only) the financial year."""
    if ind.frequency == "monthly":
        return [Period("month", m) for m in quarter.months()]
    if ind.frequency == "quarterly":
        return [Period("quarter", quarter.start)]
    return [Period("year", quarter.year.start)] if quarter.number == 4 else []


def owed_indicators(plan: Plan, subgroup_id: str, quarter: Quarter) -> list[Indicator]:
    return [i for i in plan.indicators if i.owner == subgroup_id and owed_periods(i, quarter)]


def owed_actions(plan: Plan, subgroup_id: str) -> list[Action]:
    return [a for a in plan.actions if a.owner == subgroup_id]


def _stored_value(values: pd.DataFrame, ind: Indicator, period: Period, ward: str | None) -> float | None:
    rows = values[
        (values["indicator_id"] == ind.id)
        & (values["period_type"] == period.kind)
        & (values["period_start"] == pd.Timestamp(period.start))
    ]
    rows = rows[rows["ward_code"].isna()] if ward is None else rows[rows["ward_code"] == ward]
    return None if rows.empty else float(rows["value"].iloc[0])


# --- the template --------------------------------------------------------------------------


def template_rows(plan: Plan, store: Store, subgroup_id: str, quarter: Quarter) -> tuple[list[dict], list[dict]]:
    """The rows a subgroup's template holds for a quarter: one per indicator and period owed
    (citywide), with last period's figure for reference, and one per action with last
    quarter's status."""
    plan.subgroup(subgroup_id)  # raises KeyError for an unknown subgroup
    values = store.indicator_values()
    progress = store.action_progress(quarter.previous().start).set_index("action_id")
    indicators = []
    for ind in owed_indicators(plan, subgroup_id, quarter):
        for period in owed_periods(ind, quarter):
            last = period.previous()
            indicators.append(
                {
                    "quarter": quarter.label,
                    "indicator_id": ind.id,
                    "indicator": ind.name,
                    "unit": ind.unit,
                    "polarity": f"{ind.polarity} is better",
                    "period": period.label,
                    "last_period": last.label,
                    "last_value": _stored_value(values, ind, last, None),
                    "value": None,
                    "ward": None,
                    "commentary": None,
                    "contact": None,
                }
            )
    actions = []
    for action in owed_actions(plan, subgroup_id):
        actions.append(
            {
                "quarter": quarter.label,
                "action_id": action.id,
                "action": action.text,
                "last_status": progress.loc[action.id, "status"] if action.id in progress.index else None,
                "status": None,
                "commentary": None,
                "contact": None,
            }
        )
    return indicators, actions


def template_filename(plan: Plan, subgroup_id: str, quarter: Quarter, suffix: str) -> str:
    fy = quarter.year.label.replace("/", "-")
    return f"return-{subgroup_id}-{fy}-Q{quarter.number}{suffix}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula


def spreadsheet_safe(value: object) -> object:
    """A cell for a downloaded spreadsheet: text that a spreadsheet would run as a formula
    (starting = + - @ tab or CR; plan text can) gets a leading apostrophe; numbers, and text that
    is a number such as '-3', stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value.strip()):
        return "'" + value
    return value


def template_csv(plan: Plan, store: Store, subgroup_id: str, quarter: Quarter) -> bytes:
    """The template as one CSV (UTF-8 with a byte-order mark, so Excel opens it correctly)."""
    return rows_csv(*template_rows(plan, store, subgroup_id, quarter))


def rows_csv(indicators: list[dict], actions: list[dict]) -> bytes:
    """Indicator and action rows (as :func:`template_rows` gives them) as the CSV return."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for r in indicators:
        writer.writerow(
            {
                **{k: spreadsheet_safe(v) for k, v in r.items()},
                "section": SECTION_INDICATOR,
                "id": spreadsheet_safe(r["indicator_id"]),
                "name": spreadsheet_safe(r["indicator"]),
                "last_value": _cell_text(r["last_value"]),
                "value": _cell_text(r["value"]),
            }
        )
    for r in actions:
        safe = {k: spreadsheet_safe(v) for k, v in r.items()}
        writer.writerow({**safe, "section": SECTION_ACTION, "id": safe["action_id"], "name": safe["action"]})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(plan: Plan, store: Store, subgroup_id: str, quarter: Quarter) -> bytes:
    """The template as an Excel workbook: a read-me sheet, an Indicators and an Actions sheet
    with Excel data-validation lists (status, ward) and number checks, and a hidden Lists sheet."""
    return rows_xlsx(plan, subgroup_id, quarter, *template_rows(plan, store, subgroup_id, quarter))


def rows_xlsx(plan: Plan, subgroup_id: str, quarter: Quarter, indicators: list[dict], actions: list[dict]) -> bytes:
    """Indicator and action rows (as :func:`template_rows` gives them) as the Excel return."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    subgroup = plan.subgroup(subgroup_id)
    wb = Workbook()
    readme = wb.active
    readme.title = README
    lines = [
        (f"{plan.partnership.name}: quarterly return", True),
        (f"Subgroup: {subgroup.name} ({subgroup_id})", False),
        (f"Quarter: {quarter.label} ({quarter.months_label})", False),
        ("", False),
        ("How to fill it in", True),
        ("1. On the Indicators sheet, enter each figure in 'value' and any commentary.", False),
        ("2. For indicators recorded by ward you may add rows: copy a row and fill in 'ward'.", False),
        ("3. On the Actions sheet, choose each action's status from the list and add commentary.", False),
        ("4. Save as .xlsx (or use the CSV template) and upload it on the dashboard's Upload a return page,", False),
        ("   or run: python -m metrics import-return FILE --subgroup S --quarter Q", False),
        ("Nothing is stored until the file passes every check and you confirm it. A resubmission", False),
        ("makes a new version; earlier versions are kept.", False),
        ("", False),
        ("Columns", True),
    ]
    for text, bold in lines:
        readme.append([spreadsheet_safe(text)])
        if bold:
            readme.cell(readme.max_row, 1).font = Font(bold=True, size=12)
    for name in dict.fromkeys((*INDICATOR_COLUMNS, *ACTION_COLUMNS)):
        required = " (required)" if name in INDICATOR_REQUIRED or name in ACTION_REQUIRED else ""
        readme.append([name + required, COLUMN_HELP[name]])
    readme.column_dimensions["A"].width = 28
    readme.column_dimensions["B"].width = 110

    lists = wb.create_sheet(LISTS)
    lists.append(["ward", "status"])
    ward_names = [w.name for w in plan.wards]
    for i in range(max(len(ward_names), len(ACTION_STATUSES))):
        lists.append(
            [
                spreadsheet_safe(ward_names[i]) if i < len(ward_names) else None,
                ACTION_STATUSES[i] if i < len(ACTION_STATUSES) else None,
            ]
        )
    lists.sheet_state = "hidden"

    header_fill = PatternFill("solid", fgColor="DDE5F0")
    input_fill = PatternFill("solid", fgColor="FFF7D6")

    def table(title: str, columns: tuple[str, ...], rows: list[dict], inputs: tuple[str, ...]):  # noqa: ANN202
        ws = wb.create_sheet(title)
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for r in rows:
            ws.append([spreadsheet_safe(r.get(c)) for c in columns])
        for col_index, name in enumerate(columns, start=1):
            letter = ws.cell(1, col_index).column_letter
            ws.column_dimensions[letter].width = {"indicator": 45, "action": 60, "commentary": 50}.get(name, 14)
            if name in inputs:
                for row in range(2, len(rows) + 2):
                    ws.cell(row, col_index).fill = input_fill
            if name in ("action", "indicator", "commentary"):
                for row in range(2, len(rows) + 2):
                    ws.cell(row, col_index).alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "C2"
        return ws

    last_row = 500  # validation also covers rows a lead adds (ward breakdowns)
    ind_ws = table(INDICATORS, INDICATOR_COLUMNS, indicators, ("value", "ward", "commentary", "contact"))
    col = {name: ind_ws.cell(1, i + 1).column_letter for i, name in enumerate(INDICATOR_COLUMNS)}
    ward_list = DataValidation(
        type="list",
        formula1=f"={LISTS}!$A$2:$A${len(ward_names) + 1}",
        allow_blank=True,
        showErrorMessage=False,  # an ONS code typed in is accepted too
        promptTitle="Ward",
        prompt="Blank means citywide",
    )
    ward_list.add(f"{col['ward']}2:{col['ward']}{last_row}")
    ind_ws.add_data_validation(ward_list)
    for row_number, r in enumerate(indicators, start=2):
        cell = f"{col['value']}{row_number}"
        if r["unit"] == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error, dv.errorTitle = "A count is a whole number, 0 or more.", "Count"
        elif r["unit"] == "percent":
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
            dv.error, dv.errorTitle = "A percentage is between 0 and 100.", "Percentage"
        else:
            dv = DataValidation(type="decimal", allow_blank=True, operator="greaterThanOrEqual", formula1="-1E+300")
            dv.error, dv.errorTitle = "Enter a number.", "Number"
        dv.showErrorMessage = True
        dv.add(cell)
        ind_ws.add_data_validation(dv)

    act_ws = table(ACTIONS, ACTION_COLUMNS, actions, ("status", "commentary", "contact"))
    status_col = act_ws.cell(1, ACTION_COLUMNS.index("status") + 1).column_letter
    status_list = DataValidation(
        type="list", formula1=f"={LISTS}!$B$2:$B${len(ACTION_STATUSES) + 1}", allow_blank=True, showErrorMessage=True
    )
    status_list.error = "Choose one of: " + ", ".join(ACTION_STATUSES)
    status_list.add(f"{status_col}2:{status_col}{last_row}")
    act_ws.add_data_validation(status_list)

    wb.move_sheet(LISTS, offset=2)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading a file ------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the user sees it, cells)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm_header(value: object) -> str:
    return re.sub(r"\s+", "_", _cell_text(value).lower())


def _mb(n: int | float) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _unopenable(filename: str, detail: str) -> Message:
    """The error for an .xlsx that zipfile or openpyxl cannot open."""
    return _error(
        None,
        None,
        None,
        None,
        f"'{filename}' cannot be opened as an Excel workbook ({detail})",
        "an .xlsx saved by Excel, LibreOffice or the template; save it again and re-upload",
    )


def _read_xlsx(data: bytes, filename: str, limits: ReturnSettings, messages: list[Message]) -> list[_Sheet] | None:
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
            _error(
                None,
                None,
                None,
                f"{_mb(len(data))} that inflates to {_mb(inflated)}",
                f"'{filename}' inflates to {_mb(inflated)} when opened ({inflated / compressed:.0f} times its "
                "packed size), which is how a 'zip bomb' looks, so it was not opened",
                f"a workbook that opens to at most {limits.max_unzipped_mb:g} MB and at most "
                f"{limits.max_compression_ratio:g} times its packed size; start again from the template",
            )
        )
        return None
    macros = [m.filename for m in members if MACRO_PARTS.search(m.filename)]
    if macros:
        # A return is figures and words; a workbook carrying macros (an .xlsm renamed, or
        # Excel 4.0 macro sheets) is refused so the stored original never carries code.
        messages.append(
            _error(
                None,
                None,
                None,
                ", ".join(macros[:3]),
                f"'{filename}' contains macros, which a return must not carry, so it was not opened",
                "the template saved as 'Excel Workbook (.xlsx)', not as a macro-enabled workbook",
            )
        )
        return None
    # zipfile never inflates a member beyond the size its header declares (checked above).
    from openpyxl import load_workbook

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
                _error(
                    None,
                    None,
                    None,
                    ", ".join(wb.sheetnames),
                    f"the workbook has no sheet named {' or '.join(repr(m) for m in missing)}",
                    f"the template's sheets '{INDICATORS}' and '{ACTIONS}' (do not rename them)",
                )
            )
        for name in (INDICATORS, ACTIONS):
            if name not in wb.sheetnames:
                continue
            rows = list(wb[name].iter_rows(values_only=True))
            header = [_norm_header(c) for c in rows[0]] if rows else []
            body = [(i + 2, list(r)) for i, r in enumerate(rows[1:])]
            sheets.append(_Sheet(name, header, body))
    finally:
        wb.close()
    return sheets


def _decode_csv(data: bytes, filename: str, messages: list[Message]) -> str | None:
    """UTF-8 (with or without a byte-order mark) is read as is. Anything else that decodes as
    Windows-1252 (what Excel's plain "CSV (Comma delimited)" writes in the UK) is read with a
    warning naming where non-ASCII characters were found, so the lead can check them in the
    preview; UTF-16 ("Unicode Text") and undecodable bytes are refused."""
    if data.startswith(UTF16_BOMS):
        messages.append(
            _error(
                None,
                None,
                None,
                "UTF-16 (Excel 'Unicode Text')",
                f"'{filename}' is not in a text encoding we read",
                "a CSV saved as 'CSV UTF-8 (Comma delimited)'",
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_at = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)  # utf-8-sig skips the mark
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[:bad_at].count(b"\n") + 1
        messages.append(
            _error(
                CSV_SHEET,
                line,
                None,
                " ".join(f"0x{b:02X}" for b in data[bad_at : bad_at + 1]),
                f"'{filename}' is neither UTF-8 nor Windows-1252 text (byte {bad_at + 1})",
                "a CSV saved as 'CSV UTF-8 (Comma delimited)'",
            )
        )
        return None
    lines = [i + 1 for i, ln in enumerate(text.splitlines()) if any(ord(ch) > 127 for ch in ln)]
    shown = ", ".join(map(str, lines[:8])) + (" …" if len(lines) > 8 else "")
    messages.append(
        _warning(
            CSV_SHEET,
            lines[0] if lines else None,
            None,
            "Windows-1252 text",
            f"'{filename}' is not UTF-8; it was read as Windows-1252 (Excel's 'CSV (Comma delimited)'). "
            f"Check the accented letters and symbols in row(s) {shown} of the preview",
            "a CSV saved as 'CSV UTF-8 (Comma delimited)', which keeps every character exactly",
        )
    )
    return text


def _read_csv(data: bytes, filename: str, messages: list[Message]) -> list[_Sheet] | None:
    text = _decode_csv(data, filename, messages)
    if text is None:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        messages.append(
            _error(
                CSV_SHEET,
                None,
                None,
                None,
                f"'{filename}' is not a readable CSV ({exc})",
                "comma-separated values as in the template",
            )
        )
        return None
    header = [_norm_header(c) for c in rows[0]] if rows else []
    return [_Sheet(CSV_SHEET, header, [(i + 2, list(r)) for i, r in enumerate(rows[1:])])]


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
        if b"\x00" in data[:4096] and not data.startswith(UTF16_BOMS)
        else "text"
    )
    if suffix == ".xlsx" and not data.startswith(ZIP_MAGIC):
        messages.append(
            _error(
                None,
                None,
                None,
                f"{looks} named .xlsx",
                f"'{filename}' is named .xlsx but its content is {looks}",
                "an Excel workbook saved as .xlsx, or a CSV file named .csv",
            )
        )
        return False
    if suffix == ".csv" and looks not in ("text",):
        messages.append(
            _error(
                None,
                None,
                None,
                f"{looks} named .csv",
                f"'{filename}' is named .csv but its content is {looks}",
                "a CSV file saved as 'CSV UTF-8 (Comma delimited)', or an .xlsx named .xlsx",
            )
        )
        return False
    return True


# --- validation ----------------------------------------------------------------------------


@dataclass
class ParsedReturn:
    """A file read against a subgroup and quarter: its messages, and (when it has no errors)
    the rows that would be stored. Reading it changes nothing in the store."""

    filename: str
    sha256: str
    size_bytes: int
    subgroup_id: str
    quarter: Quarter
    messages: list[Message] = field(default_factory=list)
    indicator_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    action_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    preview: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.severity == "error"]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self.messages if m.severity == "warning"]

    def summary(self) -> str:
        if not self.messages:
            return f"'{self.filename}' passed every check."
        return f"'{self.filename}' has {len(self.errors)} error(s) and {len(self.warnings)} warning(s)."


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = _cell_text(value).replace("\u00a0", "").replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", ""))


def _parse_period(value: object, ind: Indicator) -> date | None:
    """The start of the period a cell names, in the indicator's frequency."""
    kind = PERIOD_TYPES[ind.frequency]
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return date(day.year, day.month, 1) if kind == "month" else None
    text = _cell_text(value)
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


def _period_example(ind: Indicator, quarter: Quarter) -> str:
    owed = owed_periods(ind, quarter)
    if owed:
        return " or ".join(p.label for p in owed)
    return f"the financial year {quarter.year.label}, in the Q4 return"


class _Validator:
    def __init__(self, plan: Plan, store: Store, subgroup_id: str, quarter: Quarter, parsed: ParsedReturn) -> None:
        self.plan = plan
        self.subgroup = plan.subgroup(subgroup_id)
        self.quarter = quarter
        self.parsed = parsed
        self.messages = parsed.messages
        self.indicators = {i.id: i for i in plan.indicators}
        self.actions = {a.id: a for a in plan.actions}
        self.wards = {w.code.lower(): w.code for w in plan.wards} | {w.name.lower(): w.code for w in plan.wards}
        values = store.indicator_values()
        owned = [i.id for i in plan.indicators if i.owner == subgroup_id]
        self.values = values[values["indicator_id"].isin(owned)]  # warnings look only at these
        self.limits = plan.settings.returns
        self.ind_rows: list[dict] = []
        self.act_rows: list[dict] = []
        self.row_messages: dict[tuple[str, int], list[Message]] = {}

    def add(self, message: Message) -> None:
        self.messages.append(message)
        if message.sheet is not None and message.row is not None:
            self.row_messages.setdefault((message.sheet, message.row), []).append(message)

    # one sheet ------------------------------------------------------------------------------
    def sheet(self, sheet: _Sheet, kind: str | None) -> None:
        """kind: 'indicator' or 'action' for a workbook sheet; None for the CSV (per row)."""
        required = {SECTION_INDICATOR: INDICATOR_REQUIRED, SECTION_ACTION: ACTION_REQUIRED, None: CSV_REQUIRED}[kind]
        if not sheet.header or all(h == "" for h in sheet.header):
            return  # an empty sheet; the file-level check reports an empty file
        missing = [c for c in required if c not in sheet.header]
        if missing:
            self.add(
                _error(
                    sheet.name,
                    1,
                    ", ".join(missing),
                    ", ".join(h for h in sheet.header if h),
                    f"required column(s) {', '.join(repr(m) for m in missing)} missing from the header row",
                    f"the template's header row: {', '.join(required)} (and the reference columns)",
                )
            )
            return
        index = {h: i for i, h in enumerate(sheet.header) if h}
        preview = []
        for number, cells in sheet.rows:
            if all(_cell_text(c) == "" for c in cells):
                continue
            row = {h: (cells[i] if i < len(cells) else None) for h, i in index.items()}
            section = kind
            if kind is None:
                section = _cell_text(row.get("section")).lower()
                row["indicator_id" if section == SECTION_INDICATOR else "action_id"] = row.get("id")
            preview.append({"row": number, **{h: _cell_text(v) for h, v in row.items()}})
            if not self.quarter_cell(sheet.name, number, row):
                continue  # the row's other cells are checked against its own quarter once that is fixed
            if section == SECTION_INDICATOR:
                self.indicator_row(sheet.name, number, row)
            elif section == SECTION_ACTION:
                self.action_row(sheet.name, number, row)
            else:
                self.add(
                    _error(
                        sheet.name,
                        number,
                        "section",
                        _cell_text(row.get("section")),
                        "the section is not one we know",
                        "'indicator' or 'action'",
                    )
                )
        self.parsed.preview[sheet.name] = pd.DataFrame(preview)

    def quarter_cell(self, sheet: str, number: int, row: dict) -> bool:
        """Whether the row is for the chosen quarter (a blank cell means it is)."""
        text = _cell_text(row.get("quarter"))
        if not text:
            return True  # a row added by hand may leave it blank: the chosen quarter applies
        try:
            q = Quarter.parse(text)
        except PeriodError as exc:
            self.add(_error(sheet, number, "quarter", text, str(exc).rstrip("."), f"{self.quarter.label}"))
            return False
        if q != self.quarter:
            self.add(
                _error(
                    sheet,
                    number,
                    "quarter",
                    text,
                    f"this row is for {q.label} but the return was chosen for {self.quarter.label}",
                    f"{self.quarter.label}, or choose {q.label} when uploading",
                )
            )
            return False
        return True

    def owned(self, sheet: str, number: int, row: dict, kind: str) -> Indicator | Action | None:
        """The row's indicator or action, if the plan has it and this subgroup reports it."""
        key = f"{kind}_id"
        item_id = _cell_text(row.get(key))
        items = self.indicators if kind == SECTION_INDICATOR else self.actions
        item = items.get(item_id)
        column = "id" if sheet == CSV_SHEET else key
        mine = self.subgroup.id
        owned = ", ".join(i.id for i in items.values() if i.owner == mine) or "none"
        if item is None:
            problem = f"no {kind} in the plan has this id"
            self.add(_error(sheet, number, column, item_id, problem, f"one of {mine}'s {kind} ids: {owned}"))
            return None
        if item.owner != mine:
            owner = self.plan.subgroup(item.owner)
            problem = f"{kind} '{item_id}' is reported by {owner.name}, not {self.subgroup.name}"
            expected = f"only {mine}'s {kind}s ({owned}); remove the row, or upload it in {owner.id}'s return"
            self.add(_error(sheet, number, column, item_id, problem, expected))
            return None
        return item

    def indicator_row(self, sheet: str, number: int, row: dict) -> None:
        ind = self.owned(sheet, number, row, SECTION_INDICATOR)
        if ind is None:
            return
        period_cell = row.get("period")
        start = _parse_period(period_cell, ind)
        owed = owed_periods(ind, self.quarter)
        if start is None or all(p.start != start for p in owed):
            self.add(
                _error(
                    sheet,
                    number,
                    "period",
                    _cell_text(period_cell),
                    f"this is not a period '{ind.name}' ({ind.frequency}) is reported for in {self.quarter.label}",
                    _period_example(ind, self.quarter),
                )
            )
            return
        ward_text = _cell_text(row.get("ward"))
        ward = None
        if ward_text:
            ward = self.wards.get(ward_text.lower())
            if ward is None:
                self.add(
                    _error(
                        sheet,
                        number,
                        "ward",
                        ward_text,
                        "this is not one of the partnership's wards",
                        "a ward name such as Foleshill or its ONS code such as E05001222; blank means citywide",
                    )
                )
                return
            if not ind.ward_detail:
                self.add(
                    _error(
                        sheet,
                        number,
                        "ward",
                        ward_text,
                        f"'{ind.name}' is not recorded by ward",
                        "a blank ward (citywide)",
                    )
                )
                return
        raw = row.get("value")
        value = None
        if _cell_text(raw) != "":
            value = _number(raw)
            unit_words = {"count": "a whole number, 0 or more", "percent": "a percentage from 0 to 100"}
            expect = unit_words.get(ind.unit, "a number")
            if value is None:
                self.add(
                    _error(
                        sheet,
                        number,
                        "value",
                        _cell_text(raw),
                        "the value is not a number",
                        f"{expect}, for example {'42' if ind.unit == 'count' else '12.5'}, or blank",
                    )
                )
                return
            if ind.unit == "count" and value < 0:
                self.add(
                    _error(
                        sheet,
                        number,
                        "value",
                        _cell_text(raw),
                        f"'{ind.name}' is a count and cannot be negative",
                        expect,
                    )
                )
                return
            if ind.unit == "count" and not value.is_integer():
                self.add(
                    _error(sheet, number, "value", _cell_text(raw), f"'{ind.name}' is a count of whole things", expect)
                )
                return
            if ind.unit == "percent" and not 0 <= value <= 100:
                self.add(
                    _error(
                        sheet,
                        number,
                        "value",
                        _cell_text(raw),
                        f"'{ind.name}' is a percentage and must lie between 0 and 100",
                        expect,
                    )
                )
                return
        self.ind_rows.append(
            {
                "sheet": sheet,
                "row_number": number,
                "indicator_id": ind.id,
                "period_type": PERIOD_TYPES[ind.frequency],
                "period_start": start,
                "ward_code": ward,
                "value": value,
                "commentary": _cell_text(row.get("commentary")) or None,
                "contact": _cell_text(row.get("contact")) or None,
            }
        )

    def action_row(self, sheet: str, number: int, row: dict) -> None:
        action = self.owned(sheet, number, row, SECTION_ACTION)
        if action is None:
            return
        status_text = _cell_text(row.get("status"))
        status = None
        if status_text:
            status = next((s for s in ACTION_STATUSES if s.lower() == status_text.lower()), None)
            if status is None:
                self.add(
                    _error(
                        sheet,
                        number,
                        "status",
                        status_text,
                        "this is not one of the action statuses",
                        "one of: " + ", ".join(ACTION_STATUSES),
                    )
                )
                return
        self.act_rows.append(
            {
                "sheet": sheet,
                "row_number": number,
                "action_id": action.id,
                "status": status,
                "commentary": _cell_text(row.get("commentary")) or None,
                "contact": _cell_text(row.get("contact")) or None,
            }
        )

    # across rows ----------------------------------------------------------------------------
    def duplicates(self) -> None:
        seen: dict[tuple, int] = {}
        for r in self.ind_rows:
            key = (r["indicator_id"], r["period_start"], r["ward_code"])
            if key in seen:
                where = self.plan.ward_names().get(r["ward_code"], "citywide")
                self.add(
                    _error(
                        r["sheet"],
                        r["row_number"],
                        "id" if r["sheet"] == CSV_SHEET else "indicator_id",
                        r["indicator_id"],
                        f"a second row for the same indicator, period and ward ({where}); row "
                        f"{seen[key]} already gives it",
                        "one row per indicator, period and ward: delete one",
                    )
                )
            else:
                seen[key] = r["row_number"]
        seen_actions: dict[str, int] = {}
        for r in self.act_rows:
            if r["action_id"] in seen_actions:
                self.add(
                    _error(
                        r["sheet"],
                        r["row_number"],
                        "id" if r["sheet"] == CSV_SHEET else "action_id",
                        r["action_id"],
                        f"a second row for the same action; row {seen_actions[r['action_id']]} already gives it",
                        "one row per action: delete one",
                    )
                )
            else:
                seen_actions[r["action_id"]] = r["row_number"]

    def warnings(self) -> None:
        rows = pd.DataFrame(self.ind_rows)
        sheet_for_missing = INDICATORS if CSV_SHEET not in self.parsed.preview else CSV_SHEET
        # Owed figures left blank or without a row.
        for ind in owed_indicators(self.plan, self.subgroup.id, self.quarter):
            for period in owed_periods(ind, self.quarter):
                given = [
                    r
                    for r in self.ind_rows
                    if r["indicator_id"] == ind.id and r["period_start"] == period.start and r["ward_code"] is None
                ]
                if given and given[0]["value"] is not None:
                    continue
                row = given[0]["row_number"] if given else None
                self.add(
                    _warning(
                        sheet_for_missing,
                        row,
                        "value",
                        "" if given else None,
                        f"no figure for '{ind.name}' for {period.label}" + ("" if given else " (no row for it)"),
                        "a figure; if it cannot be reported yet, explain why when submitting "
                        "(the tracker will show it as missing)",
                    )
                )
        act_sheet = ACTIONS if CSV_SHEET not in self.parsed.preview else CSV_SHEET
        for action in owed_actions(self.plan, self.subgroup.id):
            given = [r for r in self.act_rows if r["action_id"] == action.id]
            if given and given[0]["status"]:
                continue
            self.add(
                _warning(
                    act_sheet,
                    given[0]["row_number"] if given else None,
                    "status",
                    "" if given else None,
                    f"no status for action '{action.id}'" + ("" if given else " (no row for it)"),
                    "one of: " + ", ".join(ACTION_STATUSES),
                )
            )
        if rows.empty:
            return
        valued = rows[rows["value"].notna()]
        # Large changes on the last period.
        for r in valued.itertuples(index=False):
            ind = self.indicators[r.indicator_id]
            period = Period(r.period_type, r.period_start)
            last = _stored_value(self.values, ind, period.previous(), r.ward_code)
            if last is None or last == 0:
                continue
            change = (r.value - last) / abs(last) * 100
            if abs(change) > self.limits.change_warning_pct:
                self.add(
                    _warning(
                        r.sheet,
                        r.row_number,
                        "value",
                        _cell_text(r.value),
                        f"'{ind.name}' changed by {change:+.0f}% on {period.previous().label} "
                        f"({format_value(last, ind.unit)})",
                        f"a change within ±{self.limits.change_warning_pct:g}%, or a check that the "
                        "figure is right and an explanation in 'commentary'",
                    )
                )
        # Off-target indicators without commentary: status computed with this return's figures.
        incoming = valued.assign(period_start=pd.to_datetime(valued["period_start"]), is_demo=False, source="return")[
            ["indicator_id", "period_type", "period_start", "ward_code", "value", "is_demo", "source"]
        ]
        merged = pd.concat([self._without(incoming), incoming], ignore_index=True)
        for ind_id, group in rows.groupby("indicator_id", sort=False):
            ind = self.indicators[ind_id]
            if group["value"].isna().all() or group["commentary"].notna().any():
                continue
            status = indicator_status(self.plan, ind, merged, self.quarter)
            if status.rag is Rag.OFF_TARGET:
                first = group.iloc[0]
                self.add(
                    _warning(
                        first["sheet"],
                        int(first["row_number"]),
                        "commentary",
                        "",
                        f"'{ind.name}' is off target with these figures "
                        f"({format_value(status.value.value, ind.unit)} against "
                        f"{format_value(status.target, ind.unit)}) and has no commentary",
                        "a comment for the board: why, and what is being done",
                    )
                )

    def _without(self, incoming: pd.DataFrame) -> pd.DataFrame:
        keys = ["indicator_id", "period_type", "period_start", "ward_code"]
        marked = self.values.merge(incoming[keys].assign(_hit=True), on=keys, how="left")
        return self.values[marked["_hit"].isna().to_numpy()]

    def finish(self) -> None:
        self.parsed.indicator_rows = pd.DataFrame(self.ind_rows, columns=list(RETURN_ROW_COLUMNS[INDICATORS]))
        self.parsed.action_rows = pd.DataFrame(self.act_rows, columns=list(RETURN_ROW_COLUMNS[ACTIONS]))
        for name, frame in self.parsed.preview.items():
            if frame.empty:
                continue
            frame["messages"] = [
                " ".join(f"{m.severity.capitalize()}: {m.problem}." for m in self.row_messages.get((name, r), []))
                for r in frame["row"]
            ]


def validate_return(
    plan: Plan, store: Store, content: bytes, filename: str, subgroup_id: str, quarter: Quarter
) -> ParsedReturn:
    """Read and check a return without changing anything in the store."""
    try:
        plan.subgroup(subgroup_id)
    except KeyError as exc:
        known = ", ".join(s.id for s in plan.subgroups)
        raise ReturnError(f"There is no subgroup {subgroup_id!r} in the plan; use one of: {known}.") from exc
    limits = plan.settings.returns
    name = Path(filename).name or "upload"
    parsed = ParsedReturn(name, hashlib.sha256(content).hexdigest(), len(content), subgroup_id, quarter)
    messages = parsed.messages
    suffix = Path(name).suffix.lower()
    if len(content) > limits.max_file_mb * 1_000_000:
        messages.append(
            _error(
                None,
                None,
                None,
                _mb(len(content)),
                f"'{name}' is too large to accept",
                f"a file of at most {limits.max_file_mb:g} MB; a return is normally well under 1 MB",
            )
        )
        return parsed
    if suffix not in (".xlsx", ".csv"):
        hint = " (an Excel 97-2003 workbook: open it and save it as .xlsx)" if suffix == ".xls" else ""
        messages.append(
            _error(
                None,
                None,
                None,
                suffix or "no extension",
                f"'{name}' is not a type we read{hint}",
                "an Excel workbook (.xlsx) or a CSV file (.csv), as downloaded from the template",
            )
        )
        return parsed
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        messages.append(
            _error(
                None,
                None,
                None,
                f"{len(content)} bytes",
                f"'{name}' is empty",
                "the template filled in with this quarter's figures",
            )
        )
        return parsed
    if not _sniff(content, name, suffix, messages):
        return parsed
    sheets = _read_xlsx(content, name, limits, messages) if suffix == ".xlsx" else _read_csv(content, name, messages)
    if sheets is None:
        return parsed
    validator = _Validator(plan, store, subgroup_id, quarter, parsed)
    for sheet in sheets:
        kind = None if sheet.name == CSV_SHEET else (SECTION_INDICATOR if sheet.name == INDICATORS else SECTION_ACTION)
        validator.sheet(sheet, kind)
    data_rows = sum(len(f) for f in parsed.preview.values())
    if data_rows == 0 and not parsed.errors:
        messages.append(
            _error(
                None,
                None,
                None,
                "no rows",
                f"'{name}' holds no figures or action updates",
                "the template's rows, filled in with this quarter's figures",
            )
        )
        return parsed
    validator.duplicates()
    if not parsed.errors:
        validator.warnings()
    validator.finish()
    return parsed


# --- submitting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    outcome: str  # accepted | rejected | duplicate
    version: int | None
    message: str

    @property
    def stored(self) -> bool:
        return self.outcome == "accepted"


REFUSED = "refused"  # the audit outcome of an attempt by someone not allowed to submit


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def board_rows(plan: Plan, parsed: ParsedReturn, submitted_by: str, is_demo: bool) -> dict[str, pd.DataFrame]:
    """What an accepted return puts in the tables the board's pages read."""
    subgroup = plan.subgroup(parsed.subgroup_id)
    source = f"{subgroup.short_name} quarterly return, {parsed.quarter.label}"
    if is_demo:
        source = f"Demo data: {source}"
    rows = parsed.indicator_rows
    valued = rows[rows["value"].notna()]
    values = pd.DataFrame(
        {
            "indicator_id": valued["indicator_id"],
            "period_type": valued["period_type"],
            "period_start": pd.to_datetime(valued["period_start"]),
            "ward_code": valued["ward_code"],
            "value": valued["value"].astype(float),
            "is_demo": is_demo,
            "source": source,
        }
    )
    notes = []
    for ind_id, group in rows[rows["commentary"].notna()].groupby("indicator_id", sort=False):
        texts = list(dict.fromkeys(group.sort_values("ward_code", na_position="first")["commentary"]))
        notes.append(
            {
                "indicator_id": ind_id,
                "quarter_start": pd.Timestamp(parsed.quarter.start),
                "text": " ".join(texts),
                "author": submitted_by,
                "is_demo": is_demo,
            }
        )
    acts = parsed.action_rows[parsed.action_rows["status"].notna()]
    progress = pd.DataFrame(
        {
            "action_id": acts["action_id"],
            "quarter_start": pd.Timestamp(parsed.quarter.start),
            "status": acts["status"],
            "commentary": acts["commentary"],
            "is_demo": is_demo,
        }
    )
    return {"indicator_values": values, "commentary": pd.DataFrame(notes), "action_progress": progress}


def submit(
    plan: Plan,
    store: Store,
    parsed: ParsedReturn,
    content: bytes,
    submitted_by: access.User,
    explanation: str | None = None,
    is_demo: bool = False,
    at: datetime | None = None,
) -> Outcome:
    """Store a validated return as the next version, or refuse it. Either way the attempt is
    audited: a refused one (errors, unexplained warnings) or the same file as the latest
    version adds one audit row and changes nothing else.

    ``submitted_by`` is the signed-in person (or the command line's operator); the permission
    rule is asked again here, whatever the page showed, and a refusal raises
    :class:`access.AccessDenied` with nothing stored."""
    if not isinstance(submitted_by, access.User):
        raise TypeError("submit() takes the submitting access.User (the signed-in person or access.operator())")
    who = submitted_by.label.strip()
    if not who:
        raise ReturnError("Say who is submitting the return (a name), so the audit log can record it.")
    quarter_start = str(parsed.quarter.start)
    audit = {
        "attempted_at": at or _now(),
        "sha256": parsed.sha256,
        "filename": parsed.filename,
        "size_bytes": parsed.size_bytes,
        "submitted_by": who,
        "subgroup_id": parsed.subgroup_id,
        "quarter_start": quarter_start,
        "version": None,
        "is_demo": is_demo,
    }
    if not access.can(submitted_by, access.Action.SUBMIT_RETURN, parsed.subgroup_id):
        # Whatever the page showed: a refused attempt is audited (who tried, for what) and
        # nothing else is stored, not even the file.
        try:
            access.require(submitted_by, access.Action.SUBMIT_RETURN, parsed.subgroup_id)
        except access.AccessDenied as exc:
            store.record_return_attempt(audit | {"outcome": REFUSED, "reasons": str(exc)})
            raise
    if hashlib.sha256(content).hexdigest() != parsed.sha256:
        raise ReturnError("The file changed after it was checked; check it again before submitting.")
    explanation = (explanation or "").strip() or None
    reasons = [str(m) for m in parsed.errors]
    if not reasons and parsed.warnings and not explanation:
        reasons = [f"{len(parsed.warnings)} warning(s) were not explained; give an explanation to submit with them"]
        reasons += [str(m) for m in parsed.warnings]
    if reasons:
        store.record_return_attempt(audit | {"outcome": "rejected", "reasons": "\n".join(reasons)})
        if parsed.errors:
            why = f"the file has {len(parsed.errors)} error(s), listed with its messages; fix them and submit again"
        else:
            why = f"{len(parsed.warnings)} warning(s) were not explained; give an explanation to store it with them"
        return Outcome("rejected", None, f"Not stored: {why}. The attempt is recorded in the audit log.")
    latest = store.latest_submission(parsed.subgroup_id, quarter_start)
    if latest is not None and latest["sha256"] == parsed.sha256:
        message = (
            f"This file is identical to version {latest['version']} of {parsed.subgroup_id}'s {parsed.quarter.label} "
            f"return, submitted by {latest['submitted_by']} on {pd.Timestamp(latest['submitted_at']):%d %b %Y %H:%M} "
            "UTC; nothing new was stored."
        )
        store.record_return_attempt(
            audit | {"outcome": "duplicate", "version": int(latest["version"]), "reasons": message}
        )
        return Outcome("duplicate", int(latest["version"]), message)
    warnings = "\n".join(str(m) for m in parsed.warnings) or None
    submission = {
        "subgroup_id": parsed.subgroup_id,
        "quarter_start": quarter_start,
        "sha256": parsed.sha256,
        "filename": parsed.filename,
        "submitted_by": who,
        "submitted_at": audit["attempted_at"],
        "warnings": warnings,
        "explanation": explanation,
        "is_demo": is_demo,
    }
    rows = parsed.indicator_rows.assign(period_start=lambda f: pd.to_datetime(f["period_start"]))
    version = store.submit_return(submission, content, rows, parsed.action_rows, board_rows(plan, parsed, who, is_demo))
    return Outcome(
        "accepted",
        version,
        f"Stored as version {version} of {plan.subgroup(parsed.subgroup_id).name}'s {parsed.quarter.label} "
        "return. The board's pages show the new figures now.",
    )


# --- comparing versions --------------------------------------------------------------------


def compare_versions(store: Store, plan: Plan, subgroup_id: str, quarter: Quarter, old: int, new: int) -> pd.DataFrame:
    """What changed between two stored versions: one row per indicator figure or action whose
    value, status or commentary differs (added, removed or changed)."""
    start = str(quarter.start)
    old_ind, old_act = store.submission_rows(subgroup_id, start, old)
    new_ind, new_act = store.submission_rows(subgroup_id, start, new)
    names = plan.ward_names()
    out = []

    def ind_key(r: pd.Series) -> tuple:
        return (
            r["indicator_id"],
            Period(r["period_type"], pd.Timestamp(r["period_start"]).date()).label,
            names.get(r["ward_code"], "citywide") if isinstance(r["ward_code"], str) else "citywide",
        )

    def index(frame: pd.DataFrame, key) -> dict:  # noqa: ANN001
        return {key(r): r for _, r in frame.iterrows()}

    for kind, a, b, key, fields in (
        ("indicator", old_ind, new_ind, ind_key, ("value", "commentary")),
        ("action", old_act, new_act, lambda r: (r["action_id"], "", ""), ("status", "commentary")),
    ):
        before, after = index(a, key), index(b, key)
        for k in dict.fromkeys([*before, *after]):
            for f in fields:
                x = before[k][f] if k in before else None
                y = after[k][f] if k in after else None
                x = None if x is None or (isinstance(x, float) and math.isnan(x)) else x
                y = None if y is None or (isinstance(y, float) and math.isnan(y)) else y
                if x != y:
                    out.append(
                        {
                            "item": k[0],
                            "period": k[1],
                            "ward": k[2],
                            "field": f,
                            f"version {old}": x,
                            f"version {new}": y,
                            "kind": kind,
                        }
                    )
    return pd.DataFrame(out, columns=["kind", "item", "period", "ward", "field", f"version {old}", f"version {new}"])


def messages_text(messages: Iterable[Message]) -> str:
    return "\n".join(str(m) for m in messages)
