"""Benchmark the police.uk archive import (run on demand, not in CI).

    python bench/police_zip.py [--rows N] [--months M] [--forces F]

Builds a data.police.uk-shaped zip: M month folders, each holding a street, an outcomes and a
stop-and-search file for F forces, N street rows in all (the whole country for 36 months is
about 20 million rows, 43 forces). The plan is a starter plan written by new-partnership for a
West Midlands partnership; its force's files hold a share of its LSOAs, the rest from all of
England and Wales. Then, each in a fresh process (so each peak memory is its own):

1. the import (``import-police the.zip``: only the plan's force's street files, streamed from
   the zip, the plan's LSOAs kept and the rest counted) into a new store;
2. the loose-file import of the same street files, unpacked, with the same lookup;
3. DuckDB's own ``read_csv`` of the same street files, unpacked, into a table (the baseline).

It prints rows per second and peak resident memory of each, and the ratio lines.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from metrics.areas import load_reference, plan_text  # noqa: E402

PARTNERSHIP = "Coventry"  # any West Midlands partnership: its force's files are the ones read
FORCE_IDS = [
    "west-midlands", "metropolitan", "greater-manchester", "west-yorkshire", "thames-valley", "kent", "essex",
    "hampshire", "lancashire", "merseyside", "south-yorkshire", "avon-and-somerset", "devon-and-cornwall",
    "northumbria", "sussex", "surrey", "staffordshire", "west-mercia", "nottinghamshire", "leicestershire",
    "south-wales", "hertfordshire", "derbyshire", "cheshire", "humberside", "norfolk", "suffolk", "durham",
    "cambridgeshire", "lincolnshire", "northamptonshire", "bedfordshire", "cleveland", "dorset", "gloucestershire",
    "wiltshire", "warwickshire", "north-yorkshire", "cumbria", "dyfed-powys", "gwent", "north-wales", "city-of-london",
]  # fmt: skip
PLAN_SHARE = 0.9  # of the plan's force's rows in the plan's LSOAs (a force covers several partnerships: less)
CRIME_TYPES = ["Anti-social behaviour", "Violence and sexual offences", "Burglary", "Shoplifting", "Vehicle crime"]


def build(folder: Path, rows: int, months: int, forces: int) -> tuple[Path, Path, list[Path]]:
    """The plan, the zip and the plan's force's street files (unpacked, for the baseline)."""
    ref = load_reference()
    partnership = ref.partnership(PARTNERSHIP)
    plan = folder / "plan.yaml"
    plan.write_text(plan_text(ref, partnership, date(2026, 12, 4)), encoding="utf-8")
    ours = ref.lsoas(partnership)["lsoa21_code"].tolist()
    every = ref.lookup["lsoa21_code"].tolist()
    con = duckdb.connect()
    for table, values in (("ours", ours), ("every", every), ("ty", CRIME_TYPES)):
        con.execute(
            f"CREATE TABLE {table} AS SELECT row_number() OVER () - 1 AS i, v AS code "
            "FROM (SELECT unnest(?::VARCHAR[]) AS v)",
            [values],
        )
    per_file = max(1, rows // (months * forces))
    archive = folder / "police.zip"
    plain: list[Path] = []
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for k in range(months):
            month = f"{2023 + k // 12}-{k % 12 + 1:02d}"
            for force in FORCE_IDS[:forces]:
                share = PLAN_SHARE if force == FORCE_IDS[0] else 0.0
                path = folder / "unpacked" / month / f"{month}-{force}-street.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                con.execute(
                    f"""COPY (
                        SELECT sha256(r::VARCHAR || '{month}{force}') AS "Crime ID", '{month}' AS "Month",
                               '{force} Police' AS "Reported by", '{force} Police' AS "Falls within",
                               CASE WHEN r % 50 = 0 THEN NULL ELSE round(-1.5 + (r % 997) / 20000.0, 6) END
                                   AS "Longitude",
                               CASE WHEN r % 50 = 0 THEN NULL ELSE round(52.4 + (r % 991) / 20000.0, 6) END
                                   AS "Latitude",
                               CASE WHEN r % 50 = 0 THEN 'No location' ELSE 'On or near Bench Street' END AS "Location",
                               CASE WHEN r % 50 = 0 THEN NULL
                                    WHEN hash(r, 3) % 1000 < {int(share * 1000)} THEN o.code ELSE e.code END
                                   AS "LSOA code",
                               'Somewhere 001A' AS "LSOA name", ty.code AS "Crime type",
                               'Under investigation' AS "Last outcome category", NULL AS "Context"
                        FROM range({per_file}) AS g(r)
                        JOIN ours AS o ON o.i = hash(r, {k}) % {len(ours)}
                        JOIN every AS e ON e.i = hash(r, {k}, 5) % {len(every)}
                        JOIN ty ON ty.i = hash(r, 7) % {len(CRIME_TYPES)}
                    ) TO '{path}' (HEADER, DELIMITER ',')"""
                )
                zf.write(path, f"{month}/{path.name}")
                zf.writestr(f"{month}/{month}-{force}-outcomes.csv", "Crime ID,Month,Reported by\n")
                zf.writestr(f"{month}/{month}-{force}-stop-and-search.csv", "Type,Date\n")
                if force == FORCE_IDS[0]:
                    plain.append(path)
                else:
                    path.unlink()
    con.close()
    return plan, archive, plain


def child_import(plan: str, db: str, *paths: str) -> dict:
    import os

    os.environ["CSP_CONFIG"] = plan
    from metrics import access
    from metrics.bootstrap import initialise
    from metrics.plan.model import load_plan
    from metrics.police import uk as police_uk
    from metrics.store import Store

    loaded = load_plan(plan)
    store = Store(Path(db))
    initialise(loaded, store)
    start = time.perf_counter()
    lookup = None
    if not paths[0].endswith(".zip"):  # loose files: the same reference lookup, given as a file
        lookup = Path(db).with_suffix(".lookup.csv")
        police_uk.reference_lookup(loaded).rows.to_csv(lookup, index=False)
    report = police_uk.import_street_files(store, loaded, list(paths), lookup_path=lookup, by=access.operator("bench"))
    return {"seconds": time.perf_counter() - start, "rows": report.rows_read, "stored": report.stored}


def child_duckdb(files: list[str], db: str) -> dict:
    from metrics.store import police as police_store  # the same imports as the import's process

    columns = "{" + ", ".join(f"'{n}': '{t}'" for n, t in police_store.STREET_SCHEMA) + "}"
    listing = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    con = duckdb.connect(db)
    con.execute("SET preserve_insertion_order = false")
    start = time.perf_counter()
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv({listing}, columns={columns}, header=true)")
    seconds = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    con.close()
    return {"seconds": seconds, "rows": rows}


def measure(args: list[str]) -> dict:
    run = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise SystemExit(run.stderr)
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="street rows in the zip, all forces")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--forces", type=int, default=43, help="forces in the zip (the plan's is the first)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        out = child_import(*rest) if kind == "import" else child_duckdb(rest[1:], rest[0])
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        plan, archive, plain = build(folder, args.rows, args.months, min(args.forces, len(FORCE_IDS)))
        size = archive.stat().st_size / 2**20
        print(f"Built {archive.name}: {args.rows:,} rows, {args.months} months, {args.forces} forces, {size:,.1f} MB "
              f"({time.perf_counter() - t:.1f} s)")  # fmt: skip
        ours = measure(["import", str(plan), str(folder / "zip.duckdb"), str(archive)])
        loose = measure(["import", str(plan), str(folder / "loose.duckdb"), *map(str, plain)])
        base = measure(["duckdb", str(folder / "raw.duckdb"), *map(str, plain)])
    named = (("zip import", ours), ("loose-file import (unpacked)", loose), ("DuckDB read_csv (unpacked)", base))
    for name, m in named:
        print(
            f"{name}: {m['rows']:,} rows of the plan's force in {m['seconds']:.2f} s = "
            f"{m['rows'] / m['seconds']:,.0f} rows/s; peak memory {m['peak_mb']:,.0f} MB"
        )
    print(f"Stored by the import (the plan's LSOAs): {ours['stored']:,}")
    print(f"ratio time: the zip import takes {ours['seconds'] / base['seconds']:.2f} x DuckDB's read")
    print(f"ratio memory: the zip import peaks at {ours['peak_mb'] / base['peak_mb']:.2f} x DuckDB's read")
    print(f"ratio time: the zip import takes {ours['seconds'] / loose['seconds']:.2f} x the loose-file import")
    print(f"ratio memory: the zip import peaks at {ours['peak_mb'] / loose['peak_mb']:.2f} x the loose-file import")
    return 0


if __name__ == "__main__":
    sys.exit(main())
