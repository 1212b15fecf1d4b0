"""Reading a survey wave: respondent-level CSV, Excel (.xlsx) or SPSS (.sav) into one row per
respondent, checked against the plan's declaration.

:func:`read_survey` never stops at the first problem: it returns every :class:`Problem` at
once, each with its file, column and rows, so the analyst fixes the file in one round. The
frame it returns holds only the declared columns (personal data minimisation), renamed to
stable keys: ``respondent``, ``area`` (the plan's area code), each demographic's id, each
measure's id (the canonical declared answer, or blank) and ``comment``.

SPSS files are read with pyreadstat with their value labels applied, so "Strongly disagree" is
read, not the code 5 it is stored as.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics.survey.declaration import AreaKind, AreaRef, Survey

SUFFIXES = (".csv", ".xlsx", ".sav")
SIMILARITY = 0.6  # difflib's ratio below which a label is not offered as "did you mean"
ROWS_LISTED = 5  # rows named in one problem before "and N more"
MAX_RESPONDENTS = 500_000  # far above any local survey; a file beyond it is not a respondent file
MAX_FILE_MB = 100  # a local survey's export is a few MB; a larger file is refused before parsing


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a survey file, with where it is and how to fix it."""

    file: str
    message: str
    column: str | None = None
    rows: tuple[int, ...] = ()
    row_word: str = "row"  # "row" for CSV and Excel (header is row 1), "case" for SPSS

    def __str__(self) -> str:
        where = [self.file]
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:ROWS_LISTED])
            more = len(self.rows) - ROWS_LISTED
            plural = "s" if len(self.rows) > 1 else ""
            where.append(f"{self.row_word}{plural} {shown}" + (f" and {more} more" if more > 0 else ""))
        return f"{', '.join(where)}: {self.message}"


class SurveyFileError(ValueError):
    """The file cannot be read at all (unknown type, unreadable, empty)."""


@dataclass(frozen=True)
class Table:
    """A file's header and cells as text, with how its rows are numbered."""

    file: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_word: str = "row"
    first_row: int = 2  # the number the first respondent's row carries in the file


@dataclass(frozen=True)
class SurveyReading:
    """A read wave: its respondents (declared columns only) and every problem found."""

    file: str
    respondents: pd.DataFrame
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when the file has no problem and may be stored."""
        return not self.problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):  # platform exports: UTF-8 (maybe with BOM) or Excel's
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(path: Path | str, name: str | None = None) -> Table:
    """A survey file's header and cells as text (SPSS value labels applied)."""
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SurveyFileError(f"{name}: a survey file must be {', '.join(SUFFIXES)}, not {suffix or 'no suffix'!r}")
    try:
        size_mb = path.stat().st_size / 1_000_000
    except OSError as error:
        raise SurveyFileError(f"{name}: cannot be read ({error.strerror})") from error
    if size_mb > MAX_FILE_MB:
        raise SurveyFileError(f"{name}: {size_mb:.0f} MB is more than {MAX_FILE_MB} MB; is this a respondent file?")
    try:
        if suffix == ".sav":
            import pyreadstat

            frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
            header = [str(c) for c in frame.columns]
            cells = [[_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
            return Table(name, tuple(header), tuple(map(tuple, cells)), "case", 1)
        lines = _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    except SurveyFileError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure becomes one clear message
        raise SurveyFileError(f"{name}: cannot be read as {suffix} ({type(error).__name__}: {error})") from error
    lines = [line for line in lines if any(_text(c) for c in line)] if lines else []
    if not lines:
        raise SurveyFileError(f"{name}: the file is empty; the first row must name the columns")
    header = tuple(_text(c) for c in lines[0])
    width = len(header)
    rows = tuple(tuple(_text(c) for c in line[:width]) + ("",) * (width - len(line)) for line in lines[1:])
    return Table(name, header, rows)


def frame_table(frame: pd.DataFrame, name: str) -> Table:
    """A frame already in memory (a generated wave) as a :class:`Table`, numbered as a CSV."""
    rows = tuple(tuple(_text(v) for v in row) for row in frame.itertuples(index=False, name=None))
    return Table(name, tuple(str(c) for c in frame.columns), rows)


def _suggest(value: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    folded = {c.casefold(): c for c in choices}
    near = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=SIMILARITY)
    if not near:  # a shortened or lengthened name ("Age" for "Age band") is a near miss too
        near = [c for c in folded if c and (c in value.casefold() or value.casefold() in c)][:1]
    return f"; did you mean {folded[near[0]]!r}?" if near else "."


def _normalise_postcode(text: str) -> str:
    return "".join(text.split()).upper()


def read_lookup(path: Path | str) -> dict[str, str]:
    """A lookup CSV (first column LSOA code or postcode, second column the plan's area code)."""
    rows = _read_csv(Path(path))
    return {_normalise_postcode(r[0]): r[1].strip() for r in rows[1:] if len(r) >= 2 and r[0].strip()}


class _Checker:
    """Collects the problems of one table against one declaration."""

    def __init__(self, table: Table, survey: Survey) -> None:
        self.table = table
        self.survey = survey
        self.problems: list[Problem] = []
        self.index = {c.casefold(): i for i, c in reversed(list(enumerate(table.header)))}

    def problem(self, message: str, column: str | None = None, rows: Sequence[int] = ()) -> None:
        self.problems.append(Problem(self.table.file, message, column, tuple(rows), self.table.row_word))

    def column(self, name: str) -> list[str] | None:
        """The cells of a declared column, or None (and a problem) when the file lacks it."""
        i = self.index.get(name.strip().casefold())
        if i is None:
            hint = _suggest(name, self.table.header)
            fix = "Rename the file's column, or change the survey's declaration."
            self.problem(f"the declared column {name!r} is missing{hint} {fix}", name)
            return None
        return [row[i] for row in self.table.rows]

    def labels(self, column: str, cells: list[str], declared: Sequence[str], what: str) -> list[str]:
        """Each cell as its canonical declared label ("" for blank); undeclared labels reported."""
        canonical = {d.casefold(): d for d in declared}
        out: list[str] = []
        bad: dict[str, list[int]] = {}
        for offset, cell in enumerate(cells):
            if not cell:
                out.append("")
                continue
            label = canonical.get(" ".join(cell.split()).casefold())
            if label is None:
                bad.setdefault(cell, []).append(self.table.first_row + offset)
                label = ""
            out.append(label)
        for value, rows in bad.items():
            listed = ", ".join(repr(d) for d in declared)
            self.problem(
                f"answer {value!r} is not declared for {what}{_suggest(value, declared)} "
                f"Declared: {listed}. Correct the file, or declare the answer in the plan.",
                column,
                rows,
            )
        return out

    def areas(self, cells: list[str], areas: Sequence[AreaRef], lookup: Mapping[str, str] | None) -> list[str]:
        """Each cell as a plan area code ("" for blank); areas not in the plan reported."""
        area = self.survey.area
        assert area is not None
        by_code = {a.code.casefold(): a.code for a in areas}
        if area.kind == AreaKind.NAME:
            known = {n.casefold(): a.code for a in areas for n in (a.name, *a.aliases)}
            choices = [a.name for a in areas]
        elif area.kind == AreaKind.CODE:
            known, choices = by_code, [a.code for a in areas]
        else:
            known = {k.casefold(): by_code.get(v.casefold(), "") for k, v in (lookup or {}).items()}
            choices = []
        out: list[str] = []
        bad: dict[str, list[int]] = {}
        for offset, cell in enumerate(cells):
            key = _normalise_postcode(cell) if area.kind in (AreaKind.LSOA, AreaKind.POSTCODE) else cell
            code = known.get(" ".join(key.split()).casefold(), "") if cell else ""
            if cell and not code:
                bad.setdefault(cell, []).append(self.table.first_row + offset)
            out.append(code)
        for value, rows in bad.items():
            where = "in the lookup file" if choices == [] else "one of the plan's areas"
            self.problem(
                f"{area.kind} {value!r} is not {where}{_suggest(value, choices)} "
                "Correct it, or leave it blank to count the respondent only in the whole-area figures.",
                area.column,
                rows,
            )
        return out


def check_table(
    table: Table,
    survey: Survey,
    areas: Sequence[AreaRef] = (),
    lookup: Mapping[str, str] | None = None,
) -> SurveyReading:
    """Check a read table against the declaration; keep only the declared columns."""
    check = _Checker(table, survey)
    data: dict[str, list[str]] = {}
    if not table.rows:
        check.problem("the file has a header but no respondents")
    if len(table.rows) > MAX_RESPONDENTS:
        check.problem(f"{len(table.rows)} rows is more than {MAX_RESPONDENTS}: is this a respondent file?")
    if survey.respondent and (cells := check.column(survey.respondent)) is not None:
        seen: dict[str, list[int]] = {}
        for offset, cell in enumerate(cells):
            seen.setdefault(cell, []).append(table.first_row + offset)
        for value, rows in seen.items():
            if not value or len(rows) > 1:
                what = "is blank" if not value else f"{value!r} appears {len(rows)} times"
                check.problem(
                    f"the respondent id {what}; each respondent needs one row and one id", survey.respondent, rows
                )
        data["respondent"] = cells
    if survey.area and (cells := check.column(survey.area.column)) is not None:
        data["area"] = check.areas(cells, areas, lookup)
    for demo in survey.demographics:
        if (cells := check.column(demo.column)) is not None:
            data[demo.id] = check.labels(demo.column, cells, demo.categories + demo.not_stated, f"{demo.id!r}")
    for measure in survey.measures:
        if (cells := check.column(measure.question)) is not None:
            data[measure.id] = check.labels(measure.question, cells, measure.answers, f"measure {measure.id!r}")
    if survey.comment and (cells := check.column(survey.comment)) is not None:
        data["comment"] = cells
    frame = pd.DataFrame(data, dtype="string") if data else pd.DataFrame()
    return SurveyReading(table.file, frame, tuple(check.problems))


def read_survey(
    path: Path | str,
    survey: Survey,
    areas: Sequence[AreaRef] = (),
    lookup: Mapping[str, str] | None = None,
    name: str | None = None,
) -> SurveyReading:
    """Read a wave's file and check it against ``survey``: every problem at once, located.

    ``areas`` are the plan's areas; ``lookup`` maps LSOA codes or postcodes to area codes when
    the declaration's area column holds those. A file that cannot be read at all comes back as
    one problem, not an exception.
    """
    try:
        table = read_table(path, name)
    except SurveyFileError as error:
        file = name or Path(path).name
        return SurveyReading(file, pd.DataFrame(), (Problem(file, str(error).removeprefix(f"{file}: ")),))
    return check_table(table, survey, areas, lookup)
