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
from pathlib import Path

import numpy as np
import pandas as pd

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
    # One row per record: the area-month-type counts repeated, then an LSOA of the area each.
    rows = counts.loc[counts.index.repeat(counts["n"])].reset_index(drop=True)
    per_ward = lookup.groupby("WD24CD", sort=False).indices
    offsets = rng.random(len(rows))
    pick = np.empty(len(rows), dtype=np.int64)
    for code, idx in rows.groupby("ward_code", sort=False).indices.items():
        choices = per_ward[code]
        pick[idx] = choices[(offsets[idx] * len(choices)).astype(np.int64)]
    rows["lsoa_code"] = lookup["LSOA21CD"].to_numpy()[pick]
    rows["lsoa_name"] = lookup["LSOA21NM"].to_numpy()[pick]
    rows = pd.concat([rows, _unplaced(rows, rng)], ignore_index=True)
    # Blank cells as a file import reads them (NULL), so both paths store the same rows.
    return _street_frame(rows, rng, len(plan.wards)).replace({"": None}), lookup


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


def _unplaced(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A few records with no location and a few in a neighbouring area, per month."""
    extra = []
    for month, n in rows.groupby("month").size().items():
        for share, code, name in (
            (NO_LOCATION_SHARE, "", ""),
            (OUTSIDE_SHARE, "E01999999", "DEMO Neighbouring area 01"),
        ):
            k = math.ceil(n * share)
            extra.append(
                pd.DataFrame(
                    {
                        "month": month,
                        "ward_code": "",
                        "crime_type": rng.choice(list(CRIME_MIX), k),
                        "n": 1,
                        "lsoa_code": code,
                        "lsoa_name": name,
                    }
                )
            )
    return pd.concat(extra, ignore_index=True)


def _street_frame(rows: pd.DataFrame, rng: np.random.Generator, areas: int) -> pd.DataFrame:
    """The rows in police.uk's columns, with made-up ids, coordinates around DEMO_CENTRE (each
    area at its own angle) and outcomes."""
    n = len(rows)
    is_asb = (rows["crime_type"] == ASB).to_numpy()
    placed = (rows["lsoa_code"] != "").to_numpy()
    hexed = rng.bytes(32 * n).hex()
    ids = np.array([hexed[i : i + 64] for i in range(0, 64 * n, 64)], dtype=object)
    ids[is_asb] = None
    ward_no = pd.to_numeric(rows["lsoa_code"].str[5:7], errors="coerce").fillna(0).to_numpy()
    lsoa_no = pd.to_numeric(rows["lsoa_code"].str[7:9], errors="coerce").fillna(0).to_numpy()
    angle = ward_no / max(areas, 1) * 2 * np.pi
    lon = DEMO_CENTRE[0] + 0.04 * np.cos(angle) + 0.004 * np.cos(lsoa_no) + rng.normal(0, 0.002, n)
    lat = DEMO_CENTRE[1] + 0.025 * np.sin(angle) + 0.003 * np.sin(lsoa_no) + rng.normal(0, 0.0015, n)
    outcome = np.array(OUTCOMES, dtype=object)[rng.integers(0, len(OUTCOMES), n)]
    outcome[is_asb] = None
    street = np.array([f"On or near Demo Street {k}" for k in rng.integers(1, 60, n).tolist()], dtype=object)
    return pd.DataFrame(
        {
            "Crime ID": ids,
            "Month": rows["month"].to_numpy(),
            "Reported by": DEMO_FORCE,
            "Falls within": DEMO_FORCE,
            "Longitude": np.where(placed, np.round(lon, 6), np.nan),
            "Latitude": np.where(placed, np.round(lat, 6), np.nan),
            "Location": np.where(placed, street, "No location"),
            "LSOA code": rows["lsoa_code"].to_numpy(),
            "LSOA name": rows["lsoa_name"].to_numpy(),
            "Crime type": rows["crime_type"].to_numpy(),
            "Last outcome category": outcome,
            "Context": None,
        }
    )[list(STREET_COLUMNS)]


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
