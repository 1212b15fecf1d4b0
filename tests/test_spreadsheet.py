"""The one rule for what a downloaded or shown cell may start with (metrics/spreadsheet.py): text
a spreadsheet would run as a formula gets a leading apostrophe; numbers and text that is wholly
a number stay as they are. Also the narrower refusal of uploaded cells, which must never let
through what the download rule would not quote."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics import spreadsheet
from metrics.spreadsheet import formula_like, safe_cell, safe_frame

QUOTED = "quoted"
KEPT = "kept"

# (cell, what the rule does with it, why)
CELLS = [
    # formulas and attacks
    ("=1+1", QUOTED, "starts a formula"),
    ('=HYPERLINK("http://evil.example","x")', QUOTED, "fetches a web address"),
    ("-2+3+cmd|' /C calc'!A0", QUOTED, "a DDE link behind a number-like start"),
    ("@SUM(A1)", QUOTED, "'@' runs a function"),
    ("+Sheet2!A1", QUOTED, "reads another sheet"),
    ("-E3", QUOTED, "a cell reference, not an exponent"),
    ("\t=1", QUOTED, "a tab some programs drop before the '='"),
    ("\rCR", QUOTED, "a carriage return"),
    ("\tTAB", QUOTED, "a tab"),
    (" =1+1", QUOTED, "judged by its first character after blanks"),
    ("\n@x", QUOTED, "judged by its first character after blanks"),
    # starts like a number but is not wholly one
    ("+44 7700 900123", QUOTED, "blanks inside: a spreadsheet would try a formula"),
    ("-2+3", QUOTED, "arithmetic, not a number"),
    ("-", QUOTED, "a sign alone"),
    ("--", QUOTED, "two signs"),
    ("+", QUOTED, "a sign alone"),
    ("+-3", QUOTED, "two signs"),
    ("-1.2.3", QUOTED, "two decimal points"),
    ("-1,2000", QUOTED, "commas not in threes"),
    ("-3 ", QUOTED, "a trailing blank: wholly a number means nothing else"),
    (" -3", QUOTED, "a leading blank: wholly a number means nothing else"),
    ("-inf", QUOTED, "a word, not a number to a spreadsheet"),
    ("-nan", QUOTED, "a word, not a number to a spreadsheet"),
    ("-\u0661\u0662", QUOTED, "Arabic-Indic digits: a spreadsheet reads ASCII digits"),
    ("- see notes", QUOTED, "prose after a dash is still not a number"),
    # wholly a number: a spreadsheet reads it as the number, never runs it
    ("-3", KEPT, "a negative number"),
    ("+4.5", KEPT, "a signed decimal"),
    ("-1,200", KEPT, "thousands in threes"),
    ("-1,234,567.89", KEPT, "thousands and a fraction"),
    ("-.5", KEPT, "a bare fraction"),
    ("+1e3", KEPT, "an exponent"),
    ("-2.5E-4", KEPT, "an exponent with its own sign"),
    ("-12.5%", KEPT, "a percentage"),
    # text that does not start a formula
    ("1e3", KEPT, "does not start with a formula character"),
    ("1-2", KEPT, "does not start with a formula character"),
    ("a=b", KEPT, "'=' not first"),
    ("lead@example.org", KEPT, "'@' not first"),
    ("plain", KEPT, "text"),
    ("", KEPT, "empty"),
    # not text
    (7, KEPT, "an integer"),
    (-8, KEPT, "a negative integer"),
    (-2.5, KEPT, "a float"),
    (None, KEPT, "an empty cell"),
    (True, KEPT, "a boolean"),
]


@pytest.mark.parametrize(("cell", "outcome", "why"), CELLS, ids=[repr(c[0]) for c in CELLS])
def test_the_one_rule(cell: object, outcome: str, why: str) -> None:
    expected = spreadsheet.QUOTE + cell if outcome == QUOTED else cell
    assert safe_cell(cell) == expected, why
    if outcome == KEPT:
        assert safe_cell(cell) is cell, "kept cells are the same object, not a copy"


@pytest.mark.parametrize("text", [c for c, *_ in CELLS if isinstance(c, str)])
def test_what_an_upload_may_hold_is_quoted_when_downloaded(text: str) -> None:
    """The upload refusal is narrower on purpose ('+44 7700 900123' is a telephone number), but
    whatever it calls a formula the download rule quotes too: the two never disagree that way."""
    if formula_like(text):
        assert safe_cell(text) == spreadsheet.QUOTE + text


def test_safe_frame_quotes_text_and_leaves_numbers_dates_and_the_original() -> None:
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "-5", "\tx", "plain", None],
            "n": [1.5, -2.0, 3.0, 4.0, 5.0],
            "i": [-1, 2, 3, 4, 5],
            "when": pd.to_datetime(["2025-04-01"] * 5),
            "mixed": ["-2+3", 7, None, "+4.5", "@x"],
        }
    )
    shown = safe_frame(frame)
    assert shown["text"].tolist()[:4] == ["'=1+1", "-5", "'\tx", "plain"] and pd.isna(shown["text"].iloc[4])
    assert shown["mixed"].tolist() == ["'-2+3", 7, None, "+4.5", "'@x"]
    pd.testing.assert_series_equal(shown["n"], frame["n"])
    pd.testing.assert_series_equal(shown["i"], frame["i"])
    pd.testing.assert_series_equal(shown["when"], frame["when"])
    assert shown["text"].dtype == frame["text"].dtype, "a text column stays a text column"
    assert frame["text"][0] == "=1+1", "the original frame is left alone"
