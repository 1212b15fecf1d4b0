"""Reading an .xlsx return by scanning its parts, never trusting what it declares about itself.

A workbook is a zip of XML parts. This module reads the parts it needs with a streaming XML
parser (expat) and keeps only the cells that hold something, so:

- the sheet's declared ``<dimension>`` is ignored: every ``<row>`` and ``<c>`` is read where it
  is, and nothing is padded out to a declared size (one cell at XFD1048576 cannot make a
  million empty rows);
- every read is bounded before it is held: rows, columns, cell length and cells in all, with
  the limits from the plan's ``settings.returns``; the first cell beyond a limit stops the read
  with a message naming the cell and the limit;
- active content is refused with its reason: macro projects, embedded and ActiveX objects,
  links to other workbooks, data connections, and any formula other than plain arithmetic on
  the sheet's own cells with a saved result;
- a damaged part (bad XML, a missing shared string, a numeric cell holding text or NaN) is a
  located problem, never a traceback; XML with a DOCTYPE (entity expansion) is refused.

The zip's members were checked against their declared sizes before this module is called
(:mod:`metrics.returns.reading`), and zipfile never inflates a member beyond its declared size.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from xml.parsers import expat

from metrics.plan.model import ReturnSettings

CHUNK = 64 * 1024  # bytes fed to the XML parser at a time
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Parts that carry active content, by where a workbook keeps them, and why each is refused.
ACTIVE_PARTS = (
    ("vbaproject", "a macro project (VBA)"),
    ("xl/embeddings/", "an embedded object (another file inside the workbook)"),
    ("xl/activex/", "an ActiveX control"),
    ("xl/externallinks/", "a link to another workbook or a DDE link"),
    ("xl/connections.xml", "a data connection that fetches data from outside the workbook"),
    ("xl/querytables/", "a query that fetches data from outside the workbook"),
    ("xl/macrosheets/", "an Excel 4.0 macro sheet"),
    ("customui/", "a custom ribbon that can call macros"),
)
# Entries a part other than a sheet's cells may list (relationships, sheets, styles, merged
# ranges): far above any real workbook's (Excel itself allows 64,000 styles), far below what
# would hold memory.
MAX_PART_ENTRIES = 100_000
SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")  # what Excel makes of a typed URL or email
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
# Plain arithmetic: numbers, this sheet's cell references, + - * / ^ % and brackets.
_REFERENCE = re.compile(r"\$?[A-Z]{1,3}\$?\d+")
_ARITHMETIC = re.compile(r"^[\d.\s+\-*/^%()]*$")
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_1904_EPOCH = datetime(1904, 1, 1)
# Built-in number formats that show a date or time (ECMA-376 18.8.30).
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(45, 48)) | set(range(27, 37)) | set(range(50, 59))


class Refused(Exception):
    """The whole workbook is refused; ``problem`` and ``expected`` say why, ``cell`` where."""

    def __init__(self, problem: str, expected: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.expected = expected
        self.sheet = sheet
        self.cell = cell


@dataclass(frozen=True)
class CellProblem:
    """A cell that cannot be read as it stands; held in the cell's place and turned into a
    located message once the header (and so the column's name) is known."""

    problem: str
    expected: str
    seen: str | None = None


@dataclass
class RawSheet:
    """The cells of one sheet that hold something: row number -> column index (0-based) -> value."""

    name: str
    cells: dict[int, dict[int, object]] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)  # merged ranges, e.g. 'J2:J4'
    hidden: bool = False


def column_letter(index: int) -> str:
    """'A' for column 0, 'AB' for column 27."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _local(name: str) -> str:
    """An element or attribute name without its namespace (expat gives 'uri name')."""
    return name.rsplit(" ", 1)[-1]


def _no_doctype(*_args: object) -> None:
    raise Refused(
        "a part of the workbook declares a DOCTYPE, which Excel never writes and which can expand to "
        "gigabytes when read (an XML 'entity' attack), so it was not read",
        "an .xlsx saved by Excel, LibreOffice or the template",
    )


def _parse(archive: zipfile.ZipFile, name: str, start: Callable, end: Callable, text: Callable | None) -> None:
    """Stream one part of the zip through expat with the given handlers."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _bounded(count: int, what: str) -> None:
    """Refuse a part listing more entries than any real workbook does."""
    if count >= MAX_PART_ENTRIES:
        raise Refused(
            f"the workbook lists more than {MAX_PART_ENTRIES:,} {what}, far more than any real workbook",
            "the template saved by Excel or LibreOffice",
        )


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str, str]]:
    """A part's relationships: id -> (type's last word, target part or URL, target mode)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in archive.namelist():
        return {}
    out: dict[str, tuple[str, str, str]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship":
            a = {_local(k): v for k, v in attrs.items()}
            mode = a.get("TargetMode", "Internal")
            target = a.get("Target", "")
            if mode != "External":
                inside = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                target = posixpath.normpath(inside)
            _bounded(len(out), "relationships")
            out[a.get("Id", "")] = (a.get("Type", "").rsplit("/", 1)[-1], target, mode)

    _parse(archive, rels_name, start, lambda _t: None, None)
    return out


class _Text:
    """Character data collected up to a bound: beyond it only the length is counted."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.parts: list[str] = []
        self.length = 0

    def add(self, data: str) -> None:
        if self.length <= self.bound:
            self.parts.append(data[: self.bound + 1 - self.length])
        self.length += len(data)

    @property
    def value(self) -> str:
        return "".join(self.parts)

    @property
    def too_long(self) -> bool:
        return self.length > self.bound


@dataclass(frozen=True)
class _LongText:
    length: int


class Workbook:
    """The parts of one workbook this reader needs, read on demand and bounded."""

    def __init__(self, archive: zipfile.ZipFile, limits: ReturnSettings) -> None:
        self.archive = archive
        self.limits = limits
        self.names = {n.lower(): n for n in archive.namelist()}
        self.cells_read = 0
        self._refuse_active_parts()
        self.sheets = self._sheet_list()
        self.strings = self._shared_strings()
        self.date_styles, self.epoch = self._styles()

    # --- the workbook's parts ------------------------------------------------------------------
    def _refuse_active_parts(self) -> None:
        for lower, original in self.names.items():
            for marker, what in ACTIVE_PARTS:
                if marker in lower:
                    raise Refused(
                        f"the workbook contains {what} ('{original}'); files with active content are not accepted",
                        "the template saved as a plain .xlsx workbook (not .xlsm), with no macros, embedded objects "
                        "or links to other files; copy the figures into a fresh template if need be",
                    )

    def _sheet_list(self) -> dict[str, tuple[str, str, bool]]:
        """Sheet name -> (kind: worksheet/chartsheet/..., part, hidden)."""
        if "xl/workbook.xml" not in self.names:
            raise Refused("the workbook has no workbook part (xl/workbook.xml)", "an .xlsx saved by Excel")
        rels = _rels(self.archive, "xl/workbook.xml")
        for kind, target, mode in rels.values():
            if mode == "External" or kind in ("externalLink", "vbaProject"):
                raise Refused(
                    f"the workbook links to something outside it ({kind}: '{target[:120]}')",
                    "a workbook with no links to other files; copy the figures into a fresh template",
                )
        sheets: dict[str, tuple[str, str, bool]] = {}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "sheet":
                a = {_local(k): v for k, v in attrs.items()}
                kind, target, _mode = rels.get(a.get("id", ""), ("missing", "", ""))
                _bounded(len(sheets), "sheets")
                sheets[a.get("name", "")] = (kind, target, a.get("state", "visible") != "visible")

        _parse(self.archive, self.names["xl/workbook.xml"], start, lambda _t: None, None)
        self._date1904 = False

        def flag(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "workbookPr":
                self._date1904 = {_local(k): v for k, v in attrs.items()}.get("date1904") in ("1", "true")

        _parse(self.archive, self.names["xl/workbook.xml"], flag, lambda _t: None, None)
        return sheets

    def _shared_strings(self) -> list[str | _LongText]:
        part = self.names.get("xl/sharedstrings.xml")
        strings: list[str | _LongText] = []
        if part is None:
            return strings
        state: dict[str, object] = {"text": None, "in_t": False, "phonetic": 0}
        bound = self.limits.max_cell_chars

        def start(tag: str, _attrs: dict[str, str]) -> None:
            name = _local(tag)
            if name == "si":
                if len(strings) >= self.limits.max_cells:
                    raise Refused(
                        f"the workbook holds more than {self.limits.max_cells:,} pieces of text",
                        f"a return of at most {self.limits.max_cells:,} filled-in cells (settings.returns.max_cells)",
                    )
                state["text"] = _Text(bound)
            elif name == "rPh":
                state["phonetic"] = int(state["phonetic"]) + 1  # type: ignore[call-overload]
            elif name == "t":
                state["in_t"] = True

        def end(tag: str) -> None:
            name = _local(tag)
            if name == "si":
                text = state["text"]
                assert isinstance(text, _Text)
                strings.append(_LongText(text.length) if text.too_long else text.value)
            elif name == "rPh":
                state["phonetic"] = int(state["phonetic"]) - 1  # type: ignore[call-overload]
            elif name == "t":
                state["in_t"] = False

        def chars(data: str) -> None:
            if state["in_t"] and not state["phonetic"] and isinstance(state["text"], _Text):
                state["text"].add(data)

        _parse(self.archive, part, start, end, chars)
        return strings

    def _styles(self) -> tuple[set[int], datetime]:
        """Which cell styles show a date (so a number in them is a date), and the date epoch."""
        epoch = EXCEL_1904_EPOCH if self._date1904 else EXCEL_EPOCH
        part = self.names.get("xl/styles.xml")
        if part is None:
            return set(), epoch
        custom: dict[int, str] = {}
        formats: list[int] = []
        depth = {"cellXfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            name = _local(tag)
            a = {_local(k): v for k, v in attrs.items()}
            if name == "numFmt":
                _bounded(len(custom), "number formats")
                custom[int(a.get("numFmtId", "0") or 0)] = a.get("formatCode", "")[:200]
            elif name == "cellXfs":
                depth["cellXfs"] = True
            elif name == "xf" and depth["cellXfs"]:
                _bounded(len(formats), "cell styles")
                formats.append(int(a.get("numFmtId", "0") or 0))

        def end(tag: str) -> None:
            if _local(tag) == "cellXfs":
                depth["cellXfs"] = False

        _parse(self.archive, part, start, end, None)
        dates = {i for i, f in enumerate(formats) if f in _BUILTIN_DATE_FORMATS or _is_date_code(custom.get(f, ""))}
        return dates, epoch

    # --- one sheet -------------------------------------------------------------------------------
    def sheet(self, name: str) -> RawSheet:
        """The cells of the named sheet that hold something, bounded by the plan's limits."""
        kind, part, hidden = self.sheets[name]
        if kind != "worksheet":
            what = {"chartsheet": "a chart sheet", "dialogsheet": "a dialog sheet"}.get(kind, f"a '{kind}' part")
            raise Refused(
                f"the sheet '{name}' is {what}, not a table of cells",
                f"the template's '{name}' sheet, a table with a header row",
                sheet=name,
            )
        actual = self.names.get(part.lower())
        if actual is None:
            raise Refused(
                f"the sheet '{name}' is missing from the file ({part})",
                "an .xlsx saved by Excel",
                sheet=name,
            )
        for kind_, target, mode in _rels(self.archive, actual).values():
            external = mode == "External"
            if kind_ == "hyperlink" and external and target.lower().startswith(SAFE_LINK_SCHEMES):
                continue  # a typed web address or email, turned into a link by Excel: a click is needed
            if external or kind_ in ("oleObject", "control", "externalLink"):
                raise Refused(
                    f"the sheet '{name}' links to something outside the workbook ({kind_}: '{target[:120]}')",
                    "links only to web pages (http/https) or email addresses, or none; remove the link and save again",
                    sheet=name,
                )
        scan = _SheetScan(self, name)
        try:
            _parse(self.archive, actual, scan.start, scan.end, scan.chars)
        except expat.ExpatError as exc:
            raise Refused(
                f"the '{name}' sheet is damaged: its XML breaks off or is malformed "
                f"(line {exc.lineno}, character {exc.offset} of {actual})",
                "an .xlsx saved by Excel or LibreOffice; open it, save it again and re-upload",
                sheet=name,
            ) from exc
        except zipfile.BadZipFile as exc:
            raise Refused(
                f"the '{name}' sheet is damaged: its packed bytes do not match the zip's own check",
                "an .xlsx saved by Excel or LibreOffice; open it, save it again and re-upload",
                sheet=name,
            ) from exc
        return RawSheet(name, scan.cells, scan.merged, hidden)


def _is_date_code(code: str) -> bool:
    """Does a custom number format show a date or time? (Letters outside quotes and brackets.)"""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return bool(re.search(r"[dmyhs]", bare)) and "general" not in bare


def plain_arithmetic(formula: str) -> bool:
    """A formula of numbers, this sheet's cell references and arithmetic only: no function, no
    other sheet or file, no name. Anything else may fetch, run or hide something."""
    return bool(_ARITHMETIC.match(_REFERENCE.sub("0", formula.upper())))


class _SheetScan:
    """expat handlers that keep a sheet's non-empty cells, checking each bound as it goes."""

    def __init__(self, book: Workbook, name: str) -> None:
        self.book = book
        self.name = name
        self.limits = book.limits
        self.cells: dict[int, dict[int, object]] = {}
        self.merged: list[str] = []
        self.shared_ok: dict[str, bool] = {}  # shared formula id -> its master formula is plain
        self.row = 0
        self.col = -1
        self.cell: dict[str, str] | None = None
        self.text: _Text | None = None
        self.value: str | None = None
        self.formula: str | None = None
        self.formula_attrs: dict[str, str] = {}
        self.inline: list[str] = []
        self.into: str | None = None  # 'v', 'f' or 't' while inside one of them

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        a = {_local(k): v for k, v in attrs.items()}
        if name == "row":
            self.row = int(a["r"]) if a.get("r", "").isdigit() else self.row + 1
            self.col = -1
        elif name == "c":
            ref = _CELL_REF.match(a.get("r", ""))
            if ref:
                self.col, self.row = column_index(ref.group(1)), int(ref.group(2)) or self.row
            else:
                self.col += 1
            self.cell = a
            self.value = self.formula = None
            self.formula_attrs = {}
            self.inline = []
        elif name in ("v", "f", "t") and self.cell is not None:
            self.into = name
            self.text = _Text(self.limits.max_cell_chars)
            if name == "f":
                self.formula_attrs = a
        elif name == "mergeCell" and a.get("ref"):
            _bounded(len(self.merged), "merged ranges")
            self.merged.append(a["ref"][:40])

    def chars(self, data: str) -> None:
        if self.into is not None and self.text is not None:
            self.text.add(data)

    def end(self, tag: str) -> None:
        name = _local(tag)
        if name in ("v", "f", "t") and self.into == name and self.text is not None:
            if self.text.too_long:
                text: str = "\0too long\0" + str(self.text.length)
            else:
                text = self.text.value
            if name == "v":
                self.value = text
            elif name == "f":
                self.formula = text
            else:
                self.inline.append(text)
            self.into, self.text = None, None
        elif name == "c" and self.cell is not None:
            value = self._cell_value()
            self.cell = None
            if value is None or value == "":
                return  # an empty (perhaps formatted) cell: not held, wherever it is
            self._bound()
            self.cells.setdefault(self.row, {})[self.col] = value

    def _where(self) -> str:
        return f"{column_letter(self.col)}{self.row}"

    def _bound(self) -> None:
        """Refuse the first cell beyond a limit, before it is held."""
        lim = self.limits
        if self.row > lim.max_rows:
            raise Refused(
                f"the sheet has a filled-in cell ({self._where()}) beyond row {lim.max_rows:,}",
                f"a return of at most {lim.max_rows:,} rows per sheet (settings.returns.max_rows); "
                "delete anything far below the table",
                sheet=self.name,
                cell=self._where(),
            )
        if self.col >= lim.max_columns:
            raise Refused(
                f"the sheet has a filled-in cell ({self._where()}) beyond column {column_letter(lim.max_columns - 1)}",
                f"a return of at most {lim.max_columns} columns (settings.returns.max_columns); "
                "delete anything far to the right of the table",
                sheet=self.name,
                cell=self._where(),
            )
        self.book.cells_read += 1
        if self.book.cells_read > lim.max_cells:
            raise Refused(
                f"the workbook holds more than {lim.max_cells:,} filled-in cells (at {self._where()})",
                f"a return of at most {lim.max_cells:,} filled-in cells (settings.returns.max_cells)",
                sheet=self.name,
                cell=self._where(),
            )

    def _long(self, text: str | None) -> CellProblem | None:
        if text is not None and text.startswith("\0too long\0"):
            length = int(text.rsplit("\0", 1)[-1])
            return _too_long(length, self.limits.max_cell_chars)
        return None

    def _cell_value(self) -> object:
        """The cell's value, or a :class:`CellProblem` saying why it cannot be read."""
        assert self.cell is not None
        kind = self.cell.get("t", "n")
        if self.formula is not None or self.formula_attrs:
            problem = self._formula_problem()
            if problem is not None:
                return problem
        for text in (self.value, self.formula, *self.inline):
            if (long := self._long(text)) is not None:
                return long
        if kind == "inlineStr":
            return "".join(self.inline)
        if self.value is None:
            return None
        raw = self.value
        if kind == "s":
            index = int(raw) if raw.strip().isdigit() else -1
            if not 0 <= index < len(self.book.strings):
                return CellProblem(
                    f"the cell refers to shared text number {raw.strip()[:20]}, which the workbook does not hold "
                    "(the file is damaged)",
                    "an .xlsx saved by Excel or LibreOffice; open it, save it again and re-upload",
                )
            text = self.book.strings[index]
            return _too_long(text.length, self.limits.max_cell_chars) if isinstance(text, _LongText) else text
        if kind in ("str", "inlineStr"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return CellProblem(
                "the cell holds a spreadsheet error instead of a value",
                "a number or text typed in, not a formula that fails",
                raw,
            )
        if kind == "d":
            try:
                return datetime.fromisoformat(raw.strip())
            except ValueError:
                return CellProblem("the date cell does not hold a date (the file is damaged)", "a date", raw[:100])
        try:
            number = float(raw)
        except ValueError:
            return CellProblem(
                "the cell is marked as a number but holds text (the file is damaged)",
                "a number, typed into the cell again in Excel",
                raw[:100],
            )
        if not math.isfinite(number):
            return CellProblem("the cell holds a number that is not finite", "a finite number", raw[:100])
        if int(self.cell.get("s", "0") or 0) in self.book.date_styles:
            try:
                return self.book.epoch + timedelta(days=number)
            except OverflowError:
                return CellProblem("the cell holds a date out of range", "a date", raw[:100])
        return int(number) if number.is_integer() and abs(number) < 2**53 else number

    def _formula_problem(self) -> CellProblem | None:
        """None for plain arithmetic with a saved result; otherwise why the formula is refused."""
        formula = self.formula or ""
        kind = self.formula_attrs.get("t", "normal")
        shared = self.formula_attrs.get("si")
        if kind == "shared" and shared is not None:
            if formula:  # the master cell of a shared formula: its followers carry no text
                self.shared_ok[shared] = plain_arithmetic(formula)
            ok = self.shared_ok.get(shared, False)
        else:
            ok = kind == "normal" and plain_arithmetic(formula)
        expected = (
            "a typed-in value, or plain arithmetic on this sheet's cells (e.g. =B2+B3); "
            "copy the cells and paste them back as values (Paste Special > Values)"
        )
        if not ok:
            return CellProblem(
                "the cell holds a formula that can fetch, link or run something when the file is opened, so the "
                "file is refused",
                expected,
                ("=" + formula)[:120] if formula else f"a {kind} formula",
            )
        if self.value is None or self.cell is None or self.cell.get("t", "n") not in ("n", ""):
            return CellProblem("the formula has no saved numeric result", expected, ("=" + formula)[:120])
        return None


def _too_long(length: int, bound: int) -> CellProblem:
    return CellProblem(
        f"the cell holds {length:,} characters, more than the {bound:,} a cell may hold",
        f"at most {bound:,} characters (settings.returns.max_cell_chars); put long notes in a separate document",
    )
