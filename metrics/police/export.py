"""Police.uk downloads that stand on their own: the month x area x crime-type counts with each
area's population, whether that population is an estimate and the rate per 1,000 residents,
and a record of what was exported (filter, source, data coverage, time of export, demo flag).

A CSV carries that record as a header block of lines starting with ``#`` (read it back with
``pandas.read_csv(path, comment="#")``); a workbook carries it on an "About" sheet before the
figures. Both are formula-safe: no cell a spreadsheet opens starts a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from metrics.plan.model import Plan
from metrics.spreadsheet import safe_frame

# Written without commas: a header line is one cell (see _header_text).
SOURCE = "data.police.uk street-level crime and anti-social behaviour placed in {areas} by the ONS LSOA lookup"
DEMO_NOTE = "YES - generated demo figures and not real police records: do not quote them"
RATE_PER = 1000  # rates are per 1,000 residents, as the explorer shows them
RATE_DECIMALS = 3  # small areas over one month give small rates: keep enough digits to add up
ABOUT_SHEET = "About"
DATA_SHEET = "Figures"
COMMENT = "#"  # the header block's lines start with it


@dataclass(frozen=True)
class AreaExport:
    """A download: the figures and the lines that say what they are."""

    frame: pd.DataFrame
    about: tuple[tuple[str, str], ...]  # (label, text), in order

    def csv_bytes(self) -> bytes:
        """The header block, then the figures (text quoted, numbers bare), UTF-8."""
        head = "".join(f"{COMMENT} {label}: {_header_text(text)}\r\n" for label, text in self.about)
        body = io.StringIO()
        safe_frame(self.frame).to_csv(body, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        return (head + body.getvalue()).encode("utf-8")

    def xlsx_bytes(self) -> bytes:
        """A workbook: the About sheet first (label, text), then the figures."""
        about = pd.DataFrame(list(self.about), columns=["about this download", ""])
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            safe_frame(about).to_excel(writer, index=False, sheet_name=ABOUT_SHEET)
            safe_frame(self.frame).to_excel(writer, index=False, sheet_name=DATA_SHEET)
            writer.sheets[ABOUT_SHEET].column_dimensions["A"].width = 26
            writer.sheets[ABOUT_SHEET].column_dimensions["B"].width = 110
        return buffer.getvalue()


def _header_text(text: str) -> str:
    """A header line's text kept to one cell: no line breaks, commas or quotes (a comma would
    start a new cell, which a spreadsheet might read as a formula)."""
    return " ".join(str(text).replace(",", ";").replace('"', "'").split())


def area_export(
    plan: Plan,
    summary: pd.DataFrame,
    *,
    first: str,
    last: str,
    chosen: Sequence[str] = (),
    crime_types: Sequence[str] = (),
    only_chosen: bool = True,
    held: tuple[str | None, str | None] = (None, None),
    flagged: Mapping[str, str] | None = None,
    is_demo: bool = False,
    exported_at: datetime | None = None,
) -> AreaExport:
    """The download for a filter: ``summary`` is the month x area x crime-type counts of the
    period (month, ward_code, ward_name, crime_type, count) for every area; ``chosen`` the
    areas picked (empty: all), kept alone when ``only_chosen``; ``held`` the first and last
    month stored; ``flagged`` the months missing or thin, with why."""
    p = plan.partnership
    wards = {w.code: w for w in plan.wards}
    keep = list(chosen) if chosen and only_chosen else list(wards)
    rows = summary[summary["ward_code"].isin(keep)].reset_index(drop=True)
    population = rows["ward_code"].map(lambda c: wards[c].population if c in wards else None)
    frame = rows.assign(
        population=population.astype("Int64"),
        population_is_estimate=rows["ward_code"].map(
            lambda c: "" if c not in wards or wards[c].population is None else _yes(wards[c].population_estimated)
        ),
        rate_per_1000_residents=[
            None if pd.isna(n) or not n else round(c / n * RATE_PER, RATE_DECIMALS)
            for c, n in zip(rows["count"], population, strict=True)
        ],
    )
    names = plan.ward_names()
    areas = ", ".join(names.get(c, c) for c in chosen) if chosen else f"all {p.area_plural}"
    shown = areas if only_chosen or not chosen else f"all {p.area_plural} (chosen: {areas})"
    estimated = any(wards[c].population_estimated for c in keep if c in wards)
    in_range = sorted((m, why) for m, why in (flagged or {}).items() if first <= m <= last)
    coverage = f"months held {held[0] or '?'} to {held[1] or '?'}"
    coverage += "; " + "; ".join(f"{m}: {why}" for m, why in in_range) if in_range else "; no month in range flagged"
    about = (
        ("Partnership", p.name),
        ("Exported", f"{(exported_at or datetime.now(UTC)):%Y-%m-%d %H:%M} UTC"),
        ("Demo data", DEMO_NOTE if is_demo else "no"),
        ("Months", f"{first} to {last}"),
        (p.area_plural.capitalize(), shown),
        ("Crime types", ", ".join(crime_types) if crime_types else "all"),
        ("Source", SOURCE.format(areas=p.area_plural)),
        ("Data coverage", coverage),
        (
            "Rates",
            f"incidents in the row's month per {RATE_PER} residents of the {p.area_singular}; "
            + (
                "populations marked as estimates are NOT official figures (see population_is_estimate)"
                if estimated
                else "populations from the plan file"
            ),
        ),
        ("Rows", f"{len(frame):,} ({int(frame['count'].sum()):,} incidents)"),
    )
    return AreaExport(frame, about)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
