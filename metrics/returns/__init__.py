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

One module per job, and this file names the public API a page or script uses:

- ``layout``: the file's sheets, columns and help text; the action statuses
- ``messages``: :class:`Message` (named fields only), :class:`ReturnError`, ``messages_text``
- ``obligations``: what a subgroup owes in a quarter (``owed_*``, :class:`Period`)
- ``template``: the template's rows, as .xlsx or .csv
- ``reading``: a file to sheets of cells, bounded (size, type, zip members, encoding)
- ``rules``: the row rules (``ROW_RULES``) and the context they are handed
- ``return_rules``: the rules across rows (``RETURN_RULES``): duplicates and warnings
- ``validation``: :func:`validate_return` and :class:`ParsedReturn`
- ``submission``: :func:`submit`, :func:`board_rows`, :class:`Outcome`
- ``comparison``: :func:`compare_versions`
"""

from __future__ import annotations

from metrics.returns.comparison import compare_versions
from metrics.returns.layout import ACTION_STATUSES, CSV_SHEET
from metrics.returns.messages import Message, ReturnError, messages_text, sheet_anchor
from metrics.returns.obligations import PERIOD_TYPES, Period, owed_actions, owed_indicators, owed_periods
from metrics.returns.submission import REFUSED, Outcome, board_rows, submit
from metrics.returns.template import (
    XLSX_MIME,
    rows_csv,
    rows_xlsx,
    template_csv,
    template_filename,
    template_rows,
    template_xlsx,
)
from metrics.returns.validation import ParsedReturn, oversized_return, validate_return

__all__ = [
    "ACTION_STATUSES",
    "CSV_SHEET",
    "PERIOD_TYPES",
    "REFUSED",
    "XLSX_MIME",
    "Message",
    "Outcome",
    "ParsedReturn",
    "Period",
    "ReturnError",
    "board_rows",
    "compare_versions",
    "messages_text",
    "oversized_return",
    "owed_actions",
    "owed_indicators",
    "owed_periods",
    "rows_csv",
    "rows_xlsx",
    "sheet_anchor",
    "submit",
    "template_csv",
    "template_filename",
    "template_rows",
    "template_xlsx",
    "validate_return",
]
