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
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from metrics.compare.areas import COLUMNS, AreaComparison, method_note
from metrics.compare.peers import COLUMNS as PEER_COLUMNS
from metrics.compare.peers import PeerComparison, peer_sentence
from metrics.plan.model import Plan
from metrics.plan.words import area_words
from metrics.spreadsheet import safe_frame

# Written without commas: a header line is one cell (see _header_text).
SOURCE = "data.police.uk street-level crime and anti-social behaviour placed in {areas} by the ONS LSOA lookup"
DEMO_NOTE = "YES - generated demo figures and not real police records: do not quote them"
RATE_PER = 1000  # rates are per 1,000 residents, as the explorer shows them
RATE_DECIMALS = 3  # small areas over one month give small rates: keep enough digits to add up
ABOUT_SHEET = "About"
DATA_SHEET = "Figures"
COMMENT = "#"  # the header block's lines start with it
METHOD_REFERENCE = (
    "funnel plot (Spiegelhalter 2005 Stat Med 24:1185) with exact Poisson limits as in NHS-R FunnelPlotR "
    "and OHID Fingertips; see docs/compare.md"
)


@dataclass(frozen=True)
class ExportScope:
    """What a download covers, for its About lines: the months, the areas and crime types chosen
    (empty: all), the months stored, the months flagged as missing or thin (with why), and
    whether the figures are demo data."""

    first: str
    last: str
    chosen: tuple[str, ...] = ()
    crime_types: tuple[str, ...] = ()
    held: tuple[str | None, str | None] = (None, None)
    flagged: Mapping[str, str] = field(default_factory=dict)
    is_demo: bool = False


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
    estimated = any(wards[c].population_estimated for c in keep if c in wards)
    scope = ExportScope(first, last, tuple(chosen), tuple(crime_types), held, dict(flagged or {}), is_demo)
    about = _about(plan, scope, only_chosen=only_chosen, exported_at=exported_at)
    about += (
        _rates_line(plan, "in the row's month", estimated=estimated),
        ("Rows", f"{len(frame):,} ({int(frame['count'].sum()):,} incidents)"),
    )
    return AreaExport(frame, about)


def _about(
    plan: Plan, scope: ExportScope, *, only_chosen: bool, exported_at: datetime | None
) -> tuple[tuple[str, str], ...]:
    """The lines every police.uk download opens with: partnership, time, demo flag, filter,
    source and data coverage."""
    p = plan.partnership
    names = plan.ward_names()
    chosen, first, last, held = scope.chosen, scope.first, scope.last, scope.held
    areas = ", ".join(names.get(c, c) for c in chosen) if chosen else f"all {p.area_plural}"
    shown = areas if only_chosen or not chosen else f"all {p.area_plural} (chosen: {areas})"
    in_range = sorted((m, why) for m, why in scope.flagged.items() if first <= m <= last)
    coverage = f"months held {held[0] or '?'} to {held[1] or '?'}"
    coverage += "; " + "; ".join(f"{m}: {why}" for m, why in in_range) if in_range else "; no month in range flagged"
    return (
        ("Partnership", p.name),
        ("Exported", f"{(exported_at or datetime.now(UTC)):%Y-%m-%d %H:%M} UTC"),
        ("Demo data", DEMO_NOTE if scope.is_demo else "no"),
        ("Months", f"{first} to {last}"),
        (p.area_plural.capitalize(), shown),
        ("Crime types", ", ".join(scope.crime_types) if scope.crime_types else "all"),
        ("Source", SOURCE.format(areas=p.area_plural)),
        ("Data coverage", coverage),
    )


def comparison_export(
    plan: Plan, comparison: AreaComparison, scope: ExportScope, *, exported_at: datetime | None = None
) -> AreaExport:
    """The comparison of areas as a download: one row per area over the whole period (count,
    residents, rate per 1,000, the count expected at the partnership's rate, the 95% and 99.8%
    limits and the judgement), after the same About lines as the monthly download plus how the
    limits were drawn and which areas were left out."""
    p = plan.partnership
    words = area_words(plan)
    frame = comparison.table[list(COLUMNS)].copy()
    for column in ("rate_per_1000_residents", "expected_count", "lower_99_8", "lower_95", "upper_95", "upper_99_8"):
        frame[column] = frame[column].astype(float).round(RATE_DECIMALS)
    about = _about(plan, scope, only_chosen=False, exported_at=exported_at)
    counts = comparison.counts
    estimated = (frame["population_is_estimate"] == "yes").any()
    about += (
        _rates_line(plan, "over the whole period", estimated=bool(estimated)),
        ("Comparison", method_note(comparison, one=words.one, many=words.many, whole=words.whole)),
        (
            "Judgements",
            "; ".join(f"{n} {j}" for j, n in counts.items())
            + f" (limits per {RATE_PER} residents: lower_99_8 and upper_99_8 decide the judgement)",
        ),
        ("Method", METHOD_REFERENCE),
        (
            "Left out",
            f"{', '.join(comparison.left_out)}: no population in the plan file, so no rate"
            if comparison.left_out
            else "none",
        ),
        ("Rows", f"{len(frame):,} {p.area_plural} ({int(frame['count'].sum()):,} incidents)"),
    )
    return AreaExport(frame, about)


PEER_CENTRE = "all the partnerships compared together"
PEER_SOURCE = (
    "data.police.uk street-level crime: the partnership's incidents as in the area explorer; the other "
    "partnerships' from the same force files placed by the ONS reference geography (LSOA to partnership)"
)


def peer_export(
    plan: Plan,
    comparison: PeerComparison,
    *,
    populations: str,
    is_demo: bool,
    crime_types: Sequence[str] = (),
    group: str = "",
) -> AreaExport:
    """The partnership beside its peers as a table (one row per partnership: count, residents,
    rate per 1,000, the count expected at the rate of all of them together, the 95% and 99.8%
    limits, the judgement): what the Strategic Assessment page shows and ``compare peers``
    writes, after About lines saying what was compared and how."""
    frame = comparison.table[list(PEER_COLUMNS)].copy()
    for column in ("rate_per_1000_residents", "expected_count", "lower_99_8", "lower_95", "upper_95", "upper_99_8"):
        frame[column] = frame[column].astype(float).round(RATE_DECIMALS)
    months = comparison.months
    about = (
        ("Partnership", plan.partnership.name),
        ("Exported", f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"),
        ("Demo data", DEMO_NOTE if is_demo else "no"),
        ("Months", f"{months[0]} to {months[-1]} ({len(months)} held for every partnership)" if months else "none"),
        ("Crime types", ", ".join(crime_types) if crime_types else "all"),
        ("Compared with", group or "the other partnerships of its force"),
        ("Source", PEER_SOURCE),
        ("Residents", populations),
        ("Comparison", peer_sentence(comparison)),
        ("How", method_note(comparison, one="partnership", many="partnerships", whole=PEER_CENTRE)),
        ("Method", METHOD_REFERENCE),
        ("Rows", f"{len(frame):,} partnerships ({int(frame['count'].sum()):,} incidents)"),
    )
    return AreaExport(frame, about)


def _rates_line(plan: Plan, when: str, *, estimated: bool) -> tuple[str, str]:
    """What the rates are, and whether their populations are estimates."""
    source = (
        "populations marked as estimates are NOT official figures (see population_is_estimate)"
        if estimated
        else "populations from the plan file"
    )
    return ("Rates", f"incidents {when} per {RATE_PER} residents of the {plan.partnership.area_singular}; {source}")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
