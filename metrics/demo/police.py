"""Demo police.uk data: a deterministic generator of street-level rows in exactly the police.uk
format, and an ONS-layout LSOA to area lookup, for the plan's own areas with made-up LSOAs
(codes E0199xxxx, which ONS never issued, and names starting "DEMO").

Only indicators the plan links to police.uk data (``police_uk:`` on an indicator) give rows.
The counts come from their demo series (metrics/demo/series.py): each area's monthly count of an
indicator linked to all crime becomes that many rows split across police.uk crime types; an
indicator linked to named crime types becomes rows of those types (a type already counted by
an all-crime indicator is not counted twice). Anti-social behaviour rows have a blank Crime ID,
as in real files. So the area explorer and the theme pages agree in the demo. A few rows with
no location and a few in a neighbouring area are added, as real files have them; they are
counted by the import, never placed in an area.

The rows are staged straight into the real import (:func:`metrics.police.uk.import_demo_frame`:
the same lookup join, month replacement, summary and coverage as a file import), or written as
monthly CSV files (:func:`write_demo_files`) for benchmarks and for checking the two agree.

Where the plan's areas are in the reference geography, the other partnerships of its force(s)
get demo counts too (:func:`demo_peer_frame`), so "How we compare" shows in the demo, marked demo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics.areas import load_reference
from metrics.demo.series import round_to_total
from metrics.plan.model import Indicator, Plan
from metrics.police.peers import own_partnerships
from metrics.police.uk import DEMO_FORCE, STREET_COLUMNS
from metrics.store import police as police_store

DEMO_LAD = ("E08999999", "Demo area (generated)")
LSOA_PEOPLE = 1_700  # roughly the residents of one LSOA, to give each area a plausible number of LSOAs
MIN_LSOAS = 6  # an area with no population in the plan gets this many demo LSOAs
DEFAULT_AREA_PEOPLE = 18_000  # the residents assumed for an area with no population, for its LSOA count
# police.uk crime types (other than ASB) and the demo share of each in total recorded crime.
CRIME_MIX = {
    "Violence and sexual offences": 36,
    "Public order": 10,
    "Criminal damage and arson": 9,
    "Shoplifting": 9,
    "Other theft": 8,
    "Vehicle crime": 8,
    "Burglary": 6,
    "Drugs": 3,
    "Other crime": 3,
    "Robbery": 2,
    "Bicycle theft": 2,
    "Theft from the person": 2,
    "Possession of weapons": 2,
}
ASB = "Anti-social behaviour"
OUTCOMES = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Offender given a caution",
    "Awaiting court outcome",
)
NO_LOCATION_SHARE = 0.004
OUTSIDE_SHARE = 0.01
# A point in England to scatter demo coordinates around: the map never uses them (it draws the
# plan's boundaries or tiles), but a download of incidents should look like real rows.
DEMO_CENTRE = (-1.5, 52.5)


def demo_lsoas(plan: Plan) -> pd.DataFrame:
    """The demo lookup rows: a number of made-up LSOAs per area of the plan (more for areas
    with more residents where a population is configured)."""
    rows = []
    for i, ward in enumerate(plan.wards, start=1):
        n = max(MIN_LSOAS, round((ward.population or DEFAULT_AREA_PEOPLE) / LSOA_PEOPLE))
        for j in range(1, n + 1):
            rows.append(
                {
                    "LSOA21CD": f"E0199{i:02d}{j:02d}",
                    "LSOA21NM": f"DEMO {ward.name} {j:02d}",
                    "WD24CD": ward.code,
                    "WD24NM": ward.name,
                    "LAD24CD": DEMO_LAD[0],
                    "LAD24NM": DEMO_LAD[1],
                }
            )
    return pd.DataFrame(rows)


def demo_street_frame(plan: Plan, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo street rows (police.uk columns) and the demo lookup, from the demo series of the
    indicators the plan links to police.uk data. No rows when it links none."""
    lookup = demo_lsoas(plan)
    rng = np.random.default_rng(plan.settings.demo_seed)
    counts = _counts(plan, values, rng)
    if counts.empty:
        return pd.DataFrame(columns=list(STREET_COLUMNS)), lookup
    # One row per record, as an index into `counts` (the area-month-type counts repeated), then
    # an LSOA of the row's area each: the rows are built as indexes and taken once, as Arrow.
    row = np.repeat(np.arange(len(counts)), counts["n"].to_numpy())
    offsets = rng.random(len(row))
    area_of_count, areas = pd.factorize(counts["ward_code"])
    per_area = lookup.groupby("WD24CD", sort=False).indices
    choices = [per_area[code] for code in areas]
    first = np.cumsum([0, *(len(c) for c in choices)])[:-1]
    sizes = np.array([len(c) for c in choices])
    area = area_of_count[row]
    pick = np.concatenate(choices)[first[area] + (offsets * sizes[area]).astype(np.int64)]
    placed = _Rows(
        month=_strings(counts["month"]).take(row),
        crime_type=_strings(counts["crime_type"]).take(row),
        lsoa_code=_strings(lookup["LSOA21CD"]).take(pick),
        lsoa_name=_strings(lookup["LSOA21NM"]).take(pick),
    )
    rows = placed.then(_unplaced(placed.month, rng))
    return _street_frame(rows, rng, len(plan.wards)), lookup


@dataclass(frozen=True)
class _Rows:
    """The demo records' month, crime type and LSOA (code and name; null for no location), as
    Arrow string arrays of one length."""

    month: pa.Array
    crime_type: pa.Array
    lsoa_code: pa.Array
    lsoa_name: pa.Array

    def then(self, more: _Rows) -> _Rows:
        """These rows followed by ``more``."""
        return _Rows(*(pa.concat_arrays([getattr(self, f.name), getattr(more, f.name)]) for f in fields(self)))


def _strings(values: pd.Series) -> pa.Array:
    return pa.array(values.tolist(), pa.string())


def write_demo_files(plan: Plan, values: pd.DataFrame, folder: Path) -> tuple[list[Path], Path]:
    """Write the demo lookup and one street file per month in the archive's layout
    (``street/<yyyy-mm>/<yyyy-mm>-demo-street.csv``); returns (street files, lookup file)."""
    folder.mkdir(parents=True, exist_ok=True)
    frame, lookup = demo_street_frame(plan, values)
    lookup_path = folder / "demo_lsoa21_to_ward24.csv"
    lookup.to_csv(lookup_path, index=False)
    files = police_store.write_monthly_csvs(frame, "Month", lambda m: folder / "street" / m / f"{m}-demo-street.csv")
    return files, lookup_path


def _linked_types(plan: Plan) -> list[tuple[Indicator, list[str]]]:
    """Each police-linked indicator with the crime types its demo rows take: all crime types
    for an all-crime link, else its own types not already counted by an earlier indicator."""
    counted: set[str] = set()
    out: list[tuple[Indicator, list[str]]] = []
    ordered = sorted(plan.police_indicators, key=lambda i: not i.police_uk.all_crime)
    for ind in ordered:
        link = ind.police_uk
        types = list(CRIME_MIX) if link.all_crime else [t for t in link.crime_types if t not in counted]
        types = [t for t in types if t not in counted]
        counted.update(types)
        if types:
            out.append((ind, types))
    return out


def _area_rows(plan: Plan, ind: Indicator, values: pd.DataFrame) -> pd.DataFrame:
    """The indicator's monthly demo counts per area: its own area series where it is recorded
    by area, else its whole-area months split across the areas by population."""
    mine = values[(values["indicator_id"] == ind.id) & (values["period_type"] == "month")]
    by_area = mine[mine["ward_code"].notna()]
    if not by_area.empty:
        return by_area[["period_start", "ward_code", "value"]]
    weights = [float(w.population or DEFAULT_AREA_PEOPLE) for w in plan.wards]
    rows = []
    for r in mine[mine["ward_code"].isna()].itertuples():
        for ward, n in zip(plan.wards, round_to_total(weights, int(r.value)), strict=True):
            rows.append({"period_start": r.period_start, "ward_code": ward.code, "value": float(n)})
    return pd.DataFrame(rows, columns=["period_start", "ward_code", "value"])


def _counts(plan: Plan, values: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """month, ward_code, crime_type, n: each area-month's demo count of each police-linked
    indicator split across its crime types (adding up exactly)."""
    out: list[tuple[str, str, str, int]] = []
    for ind, types in _linked_types(plan):
        mix = [CRIME_MIX.get(t, 1) for t in types]
        for r in _area_rows(plan, ind, values).itertuples():
            month = pd.Timestamp(r.period_start).strftime("%Y-%m")
            if len(types) == 1:  # nothing to split (and no draw, so other series keep their numbers)
                out.append((month, r.ward_code, types[0], int(r.value)))
                continue
            weights = [m * w for m, w in zip(mix, rng.uniform(0.8, 1.2, len(types)), strict=True)]
            for crime_type, n in zip(types, round_to_total(weights, int(r.value)), strict=True):
                out.append((month, r.ward_code, crime_type, n))
    return pd.DataFrame(out, columns=["month", "ward_code", "crime_type", "n"])


def _unplaced(months: pa.Array, rng: np.random.Generator) -> _Rows:
    """A few records with no location and a few in a neighbouring area, per month."""
    found, n = np.unique(np.asarray(months.to_pylist(), dtype=object), return_counts=True)
    parts: list[tuple[str, np.ndarray, str | None, str | None]] = []
    for month, count in zip(found.tolist(), n.tolist(), strict=True):
        for share, code, name in (
            (NO_LOCATION_SHARE, None, None),
            (OUTSIDE_SHARE, "E01999999", "DEMO Neighbouring area 01"),
        ):
            k = math.ceil(count * share)
            parts.append((month, rng.choice(list(CRIME_MIX), k), code, name))
    return _Rows(
        month=pa.array([m for m, types, _, _ in parts for _ in types], pa.string()),
        crime_type=pa.array(np.concatenate([types for _, types, _, _ in parts]).tolist(), pa.string()),
        lsoa_code=pa.array([c for _, types, c, _ in parts for _ in types], pa.string()),
        lsoa_name=pa.array([x for _, types, _, x in parts for _ in types], pa.string()),
    )


def _hex_ids(raw: bytes, n: int) -> pa.Array:
    """n 64-character lowercase hex strings, one per 32 bytes of ``raw`` (as ``raw.hex()`` cut in 64s)."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    b = np.frombuffer(raw, dtype=np.uint8).reshape(n, 32)
    text = np.empty((n, 64), dtype=np.uint8)
    text[:, 0::2], text[:, 1::2] = digits[b >> 4], digits[b & 15]
    offsets = pa.py_buffer(np.arange(0, 64 * (n + 1), 64, dtype=np.int32).tobytes())
    return pa.StringArray.from_buffers(n, offsets, pa.py_buffer(text.tobytes()))


def _code_number(codes: pa.Array, start: int) -> np.ndarray:
    """The two digits at ``start`` of each LSOA code, as a number (0 where there is none)."""
    digits = pc.utf8_slice_codeunits(codes, start, start + 2)
    return pd.to_numeric(digits.to_pandas(), errors="coerce").fillna(0).to_numpy()


def _street_frame(rows: _Rows, rng: np.random.Generator, areas: int) -> pd.DataFrame:
    """The rows in police.uk's columns, with made-up ids, coordinates around DEMO_CENTRE (each
    area at its own angle) and outcomes; blank cells null, as a file import reads them."""
    n = len(rows.month)
    is_asb = pc.equal(rows.crime_type, ASB)
    placed = pc.is_valid(rows.lsoa_code).to_numpy(zero_copy_only=False)
    ids = _hex_ids(rng.bytes(32 * n), n)
    ward_no, lsoa_no = _code_number(rows.lsoa_code, 5), _code_number(rows.lsoa_code, 7)
    angle = ward_no / max(areas, 1) * 2 * np.pi
    lon = DEMO_CENTRE[0] + 0.04 * np.cos(angle) + 0.004 * np.cos(lsoa_no) + rng.normal(0, 0.002, n)
    lat = DEMO_CENTRE[1] + 0.025 * np.sin(angle) + 0.003 * np.sin(lsoa_no) + rng.normal(0, 0.0015, n)
    outcome = pa.array(OUTCOMES).take(rng.integers(0, len(OUTCOMES), n))
    streets = pa.array([*(f"On or near Demo Street {k}" for k in range(1, 60)), "No location"])
    street = streets.take(np.where(placed, rng.integers(1, 60, n) - 1, len(streets) - 1))
    missing = pa.nulls(n, pa.string())
    force = pa.array([DEMO_FORCE]).take(np.zeros(n, dtype=np.int64))
    table = pa.table(
        {
            "Crime ID": pc.if_else(is_asb, missing, ids),
            "Month": rows.month,
            "Reported by": force,
            "Falls within": force,
            "Longitude": pa.array(np.round(lon, 6), mask=~placed),
            "Latitude": pa.array(np.round(lat, 6), mask=~placed),
            "Location": street,
            "LSOA code": rows.lsoa_code,
            "LSOA name": rows.lsoa_name,
            "Crime type": rows.crime_type,
            "Last outcome category": pc.if_else(is_asb, missing, outcome),
            "Context": missing,
        }
    )
    return table.select(list(STREET_COLUMNS)).to_pandas()


PEER_SEED_OFFSET = 22  # the peers' draws use their own stream, so adding them changed no other demo figure
PEER_LEVEL_SD = 0.25  # how far a demo peer's level sits from the partnership's (log scale): some differ, most not


def demo_peer_frame(plan: Plan, street: pd.DataFrame) -> pd.DataFrame:
    """Demo counts for the other partnerships of the plan's force(s) (from the reference
    geography): each month and crime type of the demo rows, scaled to the peer's Census 2021
    residents, at a level of its own and with Poisson noise. Columns as police_peer_month
    (month YYYY-MM); empty when the plan's areas are not in the reference."""
    columns = ["month", "force", "partnership_code", "partnership_name", "crime_type", "incidents"]
    reference = load_reference()
    forces = reference.forces_for_wards([w.code for w in plan.wards])
    own = set(own_partnerships(plan))
    population = sum(w.population or 0 for w in plan.wards) or sum(reference.partnership_residents(own).values())
    if not forces or not own or street.empty or not population:
        return pd.DataFrame(columns=columns)
    names = {f.police_uk_name for f in forces}
    others = [p for p in reference.partnerships() if p.code not in own and names & {f.police_uk_name for f in p.forces}]
    residents = reference.partnership_residents([p.code for p in others])
    counts = street.groupby(["Month", "Crime type"]).size()
    rng = np.random.default_rng(plan.settings.demo_seed + PEER_SEED_OFFSET)
    rows = []
    for p in others:
        if p.code not in residents:
            continue
        force = next(f.police_uk_name for f in p.forces if f.police_uk_name in names)
        level = math.exp(rng.normal(0.0, PEER_LEVEL_SD)) * residents[p.code] / population
        drawn = rng.poisson(counts.to_numpy() * level)
        rows += [
            (month, force, p.code, p.name, crime_type, int(n))
            for (month, crime_type), n in zip(counts.index, drawn, strict=True)
            if n > 0
        ]
    return pd.DataFrame(rows, columns=columns)
