"""The template a subgroup fills in: one row per indicator figure and period owed (with last
period's figure for reference) and one per action (with last quarter's status), written as an
Excel workbook (read-me, data-validation lists, number checks) or as one CSV."""

from __future__ import annotations

import csv
import io

from metrics.board.action_log import load as load_action_log
from metrics.board.actions import owed_in_return
from metrics.plan.model import Plan
from metrics.plan.words import AreaWords, area_words
from metrics.quarters import Quarter
from metrics.returns.layout import (
    ACTION_COLUMNS,
    ACTION_REQUIRED,
    ACTION_STATUSES,
    ACTIONS,
    COLUMN_HELP,
    CSV_COLUMNS,
    CSV_REQUIRED,
    INDICATOR_COLUMNS,
    INDICATOR_REQUIRED,
    INDICATORS,
    LISTS,
    README,
    SECTION_ACTION,
    SECTION_INDICATOR,
    cell_words,
    plan_words,
)
from metrics.returns.obligations import owed_actions, owed_indicators, owed_periods, stored_value
from metrics.returns.reading import cell_text
from metrics.spreadsheet import safe_cell
from metrics.store import Store
from metrics.store import indicators as indicator_store

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VALIDATED_ROWS = 500  # Excel's validation also covers rows a lead adds (ward breakdowns)
INDICATOR_INPUTS = ("value", "ward", "commentary", "contact")  # shaded: the cells a lead fills in
ACTION_INPUTS = ("status", "commentary", "contact")
BOARD_ROW_PREFIX = "Board action"  # how a board action's row reads in the 'action' column


def template_rows(plan: Plan, store: Store, subgroup_id: str, quarter: Quarter) -> tuple[list[dict], list[dict]]:
    """The rows a subgroup's template holds for a quarter: one per indicator and period owed
    (the whole area), with last period's figure for reference, one per action with last
    quarter's status, and one per open board action the subgroup owns (raised at an earlier
    meeting) with its current status."""
    plan.subgroup(subgroup_id)  # raises KeyError for an unknown subgroup
    values = indicator_store.values(store)
    progress = indicator_store.action_progress(store, quarter.previous().start).set_index("action_id")
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
                    "last_value": stored_value(values, ind, last, None),
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
    # The board's open actions the subgroup owns follow its plan actions, in the same columns:
    # the reference in action_id, a status and a note (see the read-me).
    for view in owed_in_return(load_action_log(store), subgroup_id, quarter):
        actions.append(
            {
                "quarter": quarter.label,
                "action_id": view.reference,
                "action": f"{BOARD_ROW_PREFIX} due {view.due.label}: {view.action.text}",
                "last_status": view.status.word,
                "status": None,
                "commentary": None,
                "contact": None,
            }
        )
    return indicators, actions


def template_filename(plan: Plan, subgroup_id: str, quarter: Quarter, suffix: str) -> str:
    """The download's name, e.g. return-<subgroup>-2025-26-Q2.xlsx."""
    fy = quarter.year.label.replace("/", "-")
    return f"return-{subgroup_id}-{fy}-Q{quarter.number}{suffix}"


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
                **{k: safe_cell(v) for k, v in r.items()},
                "section": SECTION_INDICATOR,
                "id": safe_cell(r["indicator_id"]),
                "name": safe_cell(r["indicator"]),
                "last_value": safe_cell(cell_text(r["last_value"])),
                "value": safe_cell(cell_text(r["value"])),
            }
        )
    for r in actions:
        safe = {k: safe_cell(v) for k, v in r.items()}
        writer.writerow({**safe, "section": SECTION_ACTION, "id": safe["action_id"], "name": safe["action"]})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(plan: Plan, store: Store, subgroup_id: str, quarter: Quarter) -> bytes:
    """The template as an Excel workbook: a read-me sheet, an Indicators and an Actions sheet
    with Excel data-validation lists (status, ward) and number checks, and a hidden Lists sheet."""
    return rows_xlsx(plan, subgroup_id, quarter, *template_rows(plan, store, subgroup_id, quarter))


def rows_xlsx(plan: Plan, subgroup_id: str, quarter: Quarter, indicators: list[dict], actions: list[dict]) -> bytes:
    """Indicator and action rows (as :func:`template_rows` gives them) as the Excel return."""
    from openpyxl import Workbook  # only when a workbook is written: openpyxl is slow to import

    wb = Workbook()
    _readme_sheet(wb.active, plan, subgroup_id, quarter)
    ward_names = [w.name for w in plan.wards]
    lists = wb.create_sheet(LISTS)
    lists.append(["ward", "status"])
    for i in range(max(len(ward_names), len(ACTION_STATUSES))):
        lists.append(
            [
                safe_cell(ward_names[i]) if i < len(ward_names) else None,
                ACTION_STATUSES[i] if i < len(ACTION_STATUSES) else None,
            ]
        )
    lists.sheet_state = "hidden"
    sheet = _table(wb, INDICATORS, INDICATOR_COLUMNS, indicators, INDICATOR_INPUTS)
    _indicator_validation(sheet, indicators, ward_names, area_words(plan))
    _action_validation(_table(wb, ACTIONS, ACTION_COLUMNS, actions, ACTION_INPUTS))
    wb.move_sheet(LISTS, offset=2)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _readme_sheet(readme, plan: Plan, subgroup_id: str, quarter: Quarter) -> None:  # noqa: ANN001
    """The read-me: who and when the return is for, how to fill it in, and every column."""
    from openpyxl.styles import Font

    subgroup = plan.subgroup(subgroup_id)
    readme.title = README
    lines = [
        (f"{plan.partnership.name}: quarterly return", True),
        (f"Subgroup: {subgroup.name} ({subgroup_id})", False),
        (f"Quarter: {quarter.label} ({quarter.months_label})", False),
        ("", False),
        ("How to fill it in", True),
        ("1. On the Indicators sheet, enter each figure in 'value' and any commentary.", False),
        (
            f"2. For indicators recorded by {plan.partnership.area_singular} you may add rows: copy a row and "
            "fill in 'ward'.",
            False,
        ),
        ("3. On the Actions sheet, choose each action's status from the list and add commentary.", False),
        ("   Board actions (an action_id like A-2025/26-Q2-03) are the actions the board asked of you:", False),
        ("   give each a status (Not started or Open; On track, At risk, Off track or In progress; Complete", False),
        ("   or Done) and a progress note. Done needs a note saying what was done; an action past its due", False),
        ("   quarter needs a note saying why and when. Only the board drops an action.", False),
        ("4. Save as .xlsx (or use the CSV template) and upload it on the dashboard's Upload a return page,", False),
        ("   or run: python -m metrics import-return FILE --subgroup S --quarter Q", False),
        ("Nothing is stored until the file passes every check and you confirm it. A resubmission", False),
        ("makes a new version; earlier versions are kept.", False),
        ("", False),
        ("Columns", True),
    ]
    for text, bold in lines:
        readme.append([safe_cell(text)])
        if bold:
            readme.cell(readme.max_row, 1).font = Font(bold=True, size=12)
    heading = readme.max_row + 1
    for row in readme_columns(plan):
        readme.append(list(row))
    for cell in readme[heading]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (16, 22, 16, 22, 60, 60, 60), strict=True):
        readme.column_dimensions[letter].width = width


README_HEADINGS = (
    "Column",
    "Sheet",
    "Must the column be there?",
    "Must you fill it?",
    "If left blank",
    "What it may hold",
    "What it is",
)


def readme_columns(plan: Plan) -> list[tuple[str, ...]]:
    """The Read me's table of columns, headings first: one row per column of the workbook and
    the CSV, generated from :data:`~metrics.returns.layout.CELLS` (the declaration the checks
    follow) and the required header columns, in the plan's words."""
    words = plan_words(plan.partnership)
    sheets: dict[str, list[str]] = {}
    for sheet, columns in ((INDICATORS, INDICATOR_COLUMNS), (ACTIONS, ACTION_COLUMNS), ("CSV", CSV_COLUMNS)):
        for name in columns:
            sheets.setdefault(name, []).append(sheet)
    required = {
        INDICATORS: INDICATOR_REQUIRED,
        ACTIONS: ACTION_REQUIRED,
        "CSV": CSV_REQUIRED,
    }
    rows = [README_HEADINGS]
    for name, where in sheets.items():
        cell = cell_words(name, plan.partnership)
        needed = [s for s in where if name in required[s]]
        there = "yes" if needed == where else f"in {', '.join(needed)}" if needed else "no"
        rows.append(
            (name, ", ".join(where), there, cell.must_fill, cell.blank, cell.allowed, COLUMN_HELP[name].format(**words))
        )
    return rows


def _table(wb, title: str, columns: tuple[str, ...], rows: list[dict], inputs: tuple[str, ...]):  # noqa: ANN001, ANN202
    """A sheet of rows under a bold header, the cells a lead fills in shaded."""
    from openpyxl.styles import Alignment, Font, PatternFill

    header_fill = PatternFill("solid", fgColor="DDE5F0")
    input_fill = PatternFill("solid", fgColor="FFF7D6")
    ws = wb.create_sheet(title)
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for r in rows:
        ws.append([safe_cell(r.get(c)) for c in columns])
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


def _indicator_validation(ind_ws, indicators: list[dict], ward_names: list[str], words: AreaWords) -> None:  # noqa: ANN001
    """Excel's own checks on the Indicators sheet: a ward list, and each value by its unit."""
    from openpyxl.worksheet.datavalidation import DataValidation

    col = {name: ind_ws.cell(1, i + 1).column_letter for i, name in enumerate(INDICATOR_COLUMNS)}
    ward_list = DataValidation(
        type="list",
        formula1=f"={LISTS}!$A$2:$A${len(ward_names) + 1}",
        allow_blank=True,
        showErrorMessage=False,  # an ONS code typed in is accepted too
        promptTitle=words.One,
        prompt=f"Blank means {words.whole}",
    )
    ward_list.add(f"{col['ward']}2:{col['ward']}{VALIDATED_ROWS}")
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


def _action_validation(act_ws) -> None:  # noqa: ANN001
    """Excel's own check on the Actions sheet: the status from the list."""
    from openpyxl.worksheet.datavalidation import DataValidation

    status_col = act_ws.cell(1, ACTION_COLUMNS.index("status") + 1).column_letter
    status_list = DataValidation(
        type="list", formula1=f"={LISTS}!$B$2:$B${len(ACTION_STATUSES) + 1}", allow_blank=True, showErrorMessage=True
    )
    status_list.error = "Choose one of: " + ", ".join(ACTION_STATUSES)
    status_list.add(f"{status_col}2:{status_col}{VALIDATED_ROWS}")
    act_ws.add_data_validation(status_list)
