"""What a cell may hold when a spreadsheet opens it: the project's one rule for neutralising
formulas in everything it lets people download (CSV and Excel exports, return templates, and the
tables a page shows, whose own "Download as CSV" exports them), and the narrower question asked
of an uploaded return's cells (does this text call something?).

A spreadsheet runs a cell as a formula when its text starts with one of :data:`FORMULA_STARTS`
(``=``, ``+``, ``-``, ``@``; a leading tab or carriage return is dropped by some programs, which
then see what follows). Such a formula can fetch a web address, read other sheets or, through a
DDE link, start a program on the reader's computer ("CSV injection"). Text that could do so is
written with a leading apostrophe, so it is shown as the text it is.

This module imports nothing from the project: the returns package and police.uk exports both
use it.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# What a spreadsheet may run as a formula when a cell starts with it (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"  # the prefix a spreadsheet reads as "this cell is text"
# Blanks some programs drop before reading a cell, so " =1+1" is judged by its '='.
BLANKS = " \t\r\n"
# Column kinds that cannot hold text (bool, integer, unsigned, float, complex, datetime,
# timedelta): a table's numbers and dates are left as the values they are.
NOT_TEXT_KINDS = "biufcmM"
# An uploaded file's name as shown and served (see safe_filename): characters no file system
# takes or that end a path, and at most this many characters (a name is shown in a table cell).
UNSAFE_IN_NAMES = set('<>:"/\\|?*')
FILENAME_CHARS = 120
# Unicode categories that are not printed text: controls (newlines, tabs, escapes), format
# characters (right-to-left overrides that disguise an extension) and line or paragraph breaks.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}

# Text that is wholly a number as a spreadsheet reads one: an optional sign, digits (grouped by
# commas in threes, as people write thousands, or not grouped), an optional decimal fraction or
# a bare one ('.5'), an optional exponent ('1e3') and an optional trailing percent sign. Nothing
# else: no blanks, no second sign or operator, no letters but the exponent's 'e' after a digit.
# ASCII digits only ('\d' would take other scripts' digits, which a spreadsheet does not read).
WHOLLY_A_NUMBER = re.compile(
    r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?%?",
    re.ASCII,
)

# Text that calls something when a spreadsheet runs it: a function (its bracket right after the
# name, 'SUM('; 'fell (see note)' is prose), another sheet ('Sheet2!A1') or a DDE link ('cmd|').
_CALLS = re.compile(r"[A-Za-z_][\w.]*\(|!|\|")


def is_number_text(text: str) -> bool:
    """Whether text is wholly a number ('-3', '+4.5', '-1,200', '1e3', '-12.5%'): see
    :data:`WHOLLY_A_NUMBER`. '-', '--', '+44 7700 900123' and '-2+3' are not."""
    return WHOLLY_A_NUMBER.fullmatch(text) is not None


def needs_quote(text: str) -> bool:
    """Whether text would be run as a formula by a spreadsheet that opens it: it starts with one of
    :data:`FORMULA_STARTS` (or does so after leading blanks) and is not wholly a number.

    A bare number is safe as it stands: a spreadsheet reads '-3' or '+4.5' as the number it is,
    never runs it; and even a program that evaluated it as a formula would find only a constant,
    with no function, no reference to another cell or sheet and no link to run. Anything more
    ('-2+3', '+44 7700 900123', '-', '--') is quoted: it is not a number, so a spreadsheet would
    try it as a formula, and telling harmless arithmetic from an attack is not a rule worth
    getting wrong."""
    return (text.startswith(FORMULA_STARTS) or text.lstrip(BLANKS).startswith(FORMULA_STARTS)) and not is_number_text(
        text
    )


def safe_cell(value: object) -> object:
    """A cell as it may be written to a downloaded spreadsheet: text a spreadsheet would run as a
    formula (see :func:`needs_quote`) gets a leading apostrophe; numbers, text that is wholly a
    number, other text and empty cells are returned as they are."""
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with every text cell made safe by :func:`safe_cell`, for exporting or for
    showing on a page (a table view's own "Download as CSV" exports what it shows). Number and
    date columns are left as they are; the table given is not changed."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind in NOT_TEXT_KINDS:
            continue
        out[column] = out[column].map(safe_cell)
    return out


def formula_like(text: str) -> bool:
    """Whether an uploaded cell's text would run as a formula that does something, so the return
    holding it is refused: it starts with '=' (after any blanks), or with + - @ and goes on to
    call a function, another sheet or a DDE link.

    Narrower than :func:`needs_quote` on purpose: a lead may write a telephone number
    '+44 7700 900123' or a note '- see notes' in a return, and refusing those would refuse
    honest work. Everything that passes is still quoted by :func:`safe_cell` when it is
    downloaded, so nothing this lets through reaches a spreadsheet as a formula."""
    stripped = text.lstrip(BLANKS)
    if stripped.startswith("="):
        return True
    return stripped[:1] in ("+", "-", "@") and bool(_CALLS.search(stripped))


def safe_filename(name: str, fallback: str = "upload") -> str:
    """An uploaded file's name as it may be shown and served: its last path part, with control
    and format characters (a newline, a right-to-left override) and characters no file system
    takes replaced by '_', a formula-like start (``=HYPERLINK(...)``) made inert by a leading
    '_', and at most :data:`FILENAME_CHARS` characters with its extension kept. The name as
    given is kept unchanged for the audit trail; this is for every other use."""
    base = re.split(r"[/\\]", name)[-1]
    cleaned = "".join(
        "_" if ch in UNSAFE_IN_NAMES or unicodedata.category(ch) in INVISIBLE_CATEGORIES else ch for ch in base
    )
    cleaned = " ".join(cleaned.split()).strip(". ")
    if cleaned.startswith(FORMULA_STARTS):
        cleaned = "_" + cleaned
    if len(cleaned) > FILENAME_CHARS:
        stem, dot, suffix = cleaned.rpartition(".")
        keep = f"{dot}{suffix}" if dot and len(suffix) <= 8 else ""
        cleaned = cleaned[: FILENAME_CHARS - len(keep)] + keep
    return cleaned or fallback
