"""Demo police.uk files: a deterministic generator that writes street-level CSVs in exactly the
police.uk format, and an ONS-layout LSOA to ward lookup, for the partnership's real wards with
made-up LSOAs (codes E0199xxxx, which ONS never issued, and names starting "DEMO").

The counts come from the demo indicator series (metrics/demo.py): each ward's monthly total
recorded crime becomes that many crime rows split across police.uk crime types, and its monthly
ASB incidents become anti-social behaviour rows with a blank Crime ID, so the ward explorer and
the theme pages agree in the demo. A few rows with no location and a few in a neighbouring
area are added, as real files have them; they are counted by the import, never placed in wards.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.demo import round_to_total
from metrics.plan import Plan
from metrics.police_uk import DEMO_FORCE, STREET_COLUMNS
from metrics.store import police as police_store

DEMO_LAD = ("E08999999", "Demo area (generated)")
LSOA_PEOPLE = 1_700  # roughly the residents of one LSOA, to give each ward a plausible number of LSOAs
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
CENTRE = (-1.5106, 52.4068)  # Coventry city centre, for plausible demo coordinates


def demo_lsoas(plan: Plan) -> pd.DataFrame:
    """The demo lookup rows: a number of made-up LSOAs per real ward (more for wards with
    more residents where a population is configured)."""
    rows = []
    for i, ward in enumerate(plan.wards, start=1):
        n = max(6, round((ward.population or 18_000) / LSOA_PEOPLE))
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


def write_demo_files(plan: Plan, values: pd.DataFrame, folder: Path) -> tuple[list[Path], Path]:
    """Write the demo lookup and one street file per month in the archive's layout
    (``street/<yyyy-mm>/<yyyy-mm>-demo-street.csv``); returns (street files, lookup file)."""
    folder.mkdir(parents=True, exist_ok=True)
    lookup = demo_lsoas(plan)
    lookup_path = folder / "demo_lsoa21_to_ward24.csv"
    lookup.to_csv(lookup_path, index=False)
    rng = np.random.default_rng(plan.settings.demo_seed)
    counts = _counts(values, rng)
    # One row per record: the ward-month-type counts repeated, then an LSOA of the ward each.
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
    frame = _street_frame(rows, rng).replace({"": None})
    files = police_store.write_monthly_csvs(frame, "Month", lambda m: folder / "street" / m / f"{m}-demo-street.csv")
    return files, lookup_path


def _counts(values: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """month, ward_code, crime_type, n: each ward-month's demo total recorded crime split across
    the crime types (adding up exactly), and its ASB incidents."""
    wards = values[values["ward_code"].notna()]
    types = list(CRIME_MIX)
    out: list[tuple[str, str, str, int]] = []
    for r in wards[wards["indicator_id"] == "total_recorded_crime"].itertuples():
        month = pd.Timestamp(r.period_start).strftime("%Y-%m")
        weights = [CRIME_MIX[t] * w for t, w in zip(types, rng.uniform(0.8, 1.2, len(types)), strict=True)]
        for crime_type, n in zip(types, round_to_total(weights, int(r.value)), strict=True):
            out.append((month, r.ward_code, crime_type, n))
    for r in wards[wards["indicator_id"] == "asb_incidents"].itertuples():
        out.append((pd.Timestamp(r.period_start).strftime("%Y-%m"), r.ward_code, ASB, int(r.value)))
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


def _street_frame(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(rows)
    is_asb = (rows["crime_type"] == ASB).to_numpy()
    placed = (rows["lsoa_code"] != "").to_numpy()
    hexed = rng.bytes(32 * n).hex()
    ids = np.array([hexed[i : i + 64] for i in range(0, 64 * n, 64)], dtype=object)
    ids[is_asb] = None
    ward_no = pd.to_numeric(rows["lsoa_code"].str[5:7], errors="coerce").fillna(0).to_numpy()
    lsoa_no = pd.to_numeric(rows["lsoa_code"].str[7:9], errors="coerce").fillna(0).to_numpy()
    angle = ward_no / 18 * 2 * np.pi
    lon = CENTRE[0] + 0.04 * np.cos(angle) + 0.004 * np.cos(lsoa_no) + rng.normal(0, 0.002, n)
    lat = CENTRE[1] + 0.025 * np.sin(angle) + 0.003 * np.sin(lsoa_no) + rng.normal(0, 0.0015, n)
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
