"""Benchmark the police.uk path at force scale (run on demand, not in CI).

    python bench/ward_query.py [--rows N] [--months M] [--page-rows 100000]

Generates synthetic police.uk street files (N rows over M months, in Coventry's demo LSOAs,
with some no-location and out-of-area rows), then prints, each against a baseline measured in
the same run:

1. the import (metrics.police.uk.import_street_files) vs DuckDB's own read_csv of the same
   files into a table (target: at most 2x);
2. the ward-filtered monthly aggregation through the project's queries (the summary table the
   pages read, and the incidents table sorted by ward and month) vs the same aggregation in
   pandas on the same data held in memory (target: at least 20x faster);
3. the ward explorer's AppTest rerun on a ward change vs a page that runs only that query
   (target: at most 1.5x), at --page-rows incidents and at N, to show the page time is flat.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from metrics.bootstrap import initialise  # noqa: E402
from metrics.demo.police import demo_lsoas  # noqa: E402
from metrics.plan.model import load_plan  # noqa: E402
from metrics.police import uk as police_uk  # noqa: E402
from metrics.store import Store, schema  # noqa: E402
from metrics.store import police as police_store  # noqa: E402

TYPES = [
    "Anti-social behaviour",
    "Violence and sexual offences",
    "Public order",
    "Criminal damage and arson",
    "Shoplifting",
    "Other theft",
    "Vehicle crime",
    "Burglary",
    "Drugs",
    "Other crime",
    "Robbery",
    "Bicycle theft",
    "Theft from the person",
    "Possession of weapons",
]


def generate(folder: Path, rows: int, months: int, plan) -> list[Path]:  # noqa: ANN001 - Plan
    """One street file per month, written by DuckDB (fast enough for 10M rows)."""
    lookup = demo_lsoas(plan)
    con = duckdb.connect()
    con.register("lsoas", lookup[["LSOA21CD", "LSOA21NM"]].reset_index(drop=True))
    con.execute("CREATE TABLE l AS SELECT row_number() OVER () - 1 AS i, * FROM lsoas")
    con.execute("CREATE TABLE t AS SELECT unnest(?::VARCHAR[]) AS crime_type", [TYPES])
    con.execute("CREATE TABLE ty AS SELECT row_number() OVER () - 1 AS i, crime_type FROM t")
    n_lsoa, per_month = len(lookup), rows // months
    files = []
    start = pd.Period("2023-01", "M")
    for k in range(months):
        month = (start + k).strftime("%Y-%m")
        path = folder / month / f"{month}-bench-street.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"""COPY (
                SELECT CASE WHEN ty.i = 0 THEN NULL ELSE sha256(r::VARCHAR || '{month}') END AS "Crime ID",
                       '{month}' AS "Month", 'Bench Police' AS "Reported by", 'Bench Police' AS "Falls within",
                       CASE WHEN r % 100 = 0 THEN NULL ELSE round(-1.51 + (r % 997) / 20000.0, 6) END AS "Longitude",
                       CASE WHEN r % 100 = 0 THEN NULL ELSE round(52.40 + (r % 991) / 20000.0, 6) END AS "Latitude",
                       CASE WHEN r % 100 = 0 THEN 'No location' ELSE 'On or near Bench Street' END AS "Location",
                       CASE WHEN r % 100 = 0 THEN NULL WHEN r % 50 = 1 THEN 'E01999999' ELSE l.LSOA21CD END
                           AS "LSOA code",
                       CASE WHEN r % 100 = 0 THEN NULL WHEN r % 50 = 1 THEN 'Outside 001A' ELSE l.LSOA21NM END
                           AS "LSOA name",
                       ty.crime_type AS "Crime type",
                       CASE WHEN ty.i = 0 THEN NULL ELSE 'Under investigation' END AS "Last outcome category",
                       NULL AS "Context"
                FROM range({per_month}) AS g(r)
                JOIN l ON l.i = (hash(r, {k}) % {n_lsoa})
                JOIN ty ON ty.i = (hash(r, {k}, 7) % {len(TYPES)})
            ) TO '{path}' (HEADER, DELIMITER ',')"""
        )
        files.append(path)
    con.close()
    return files


def timed(fn, repeat: int = 1) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def raw_read(files: list[Path], db: Path) -> None:
    columns = "{" + ", ".join(f"'{n}': '{t}'" for n, t in police_store.STREET_SCHEMA) + "}"
    listing = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    con = duckdb.connect(str(db))
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv({listing}, columns={columns}, header=true)")
    con.close()


BASELINE_PAGE = """
import streamlit as st
from metrics.police import uk as police_uk
from metrics.store import Store
import os
ward = st.selectbox("Ward", {codes!r})
frame = police_uk.ward_summary(Store(os.environ["CSP_DB"]), {first!r}, {last!r}, [ward])
st.write(int(frame["count"].sum()))
"""


def page_times(db: Path, codes: list[str], first: str, last: str) -> tuple[float, float]:
    """Median rerun after a ward change: the explorer, and a page that runs only the query."""
    from streamlit.testing.v1 import AppTest

    os.environ["CSP_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update({"from": first, "to": last})
    at.run()
    matches = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == "wards"]
    at._page_hash = matches[0]
    at.run()
    explorer = []
    for code in codes[1:]:  # each ward once: no cached answer is reused
        widget = at.multiselect(key="explorer_wards").set_value([code])
        t = time.perf_counter()
        widget.run()
        explorer.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    base = AppTest.from_string(BASELINE_PAGE.format(codes=codes, first=first, last=last), default_timeout=120)
    base.run()
    baseline = []
    for code in codes[1:]:
        widget = base.selectbox[0].set_value(code)
        t = time.perf_counter()
        widget.run()
        baseline.append(time.perf_counter() - t)
    return statistics.median(explorer), statistics.median(baseline)


def build_store(folder: Path, rows: int, months: int, plan) -> tuple[Store, list[Path], float, float]:  # noqa: ANN001
    files = generate(folder / "files", rows, months, plan)
    lookup = folder / "lookup.csv"
    demo_lsoas(plan).to_csv(lookup, index=False)
    raw = timed(lambda: raw_read(files, folder / f"raw-{time.monotonic_ns()}.duckdb"))
    store = Store(folder / "store.duckdb")
    initialise(plan, store)
    imp = timed(lambda: police_uk.import_street_files(store, plan, files, lookup_path=lookup))
    return store, files, raw, imp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--page-rows", type=int, default=100_000, help="the small store for the flatness check")
    args = parser.parse_args()
    plan = load_plan(ROOT / "config.yaml")
    codes = [w.code for w in plan.wards]
    print(f"Machine: {os.cpu_count()} cores, DuckDB {duckdb.__version__}, pandas {pd.__version__}")
    with tempfile.TemporaryDirectory(prefix="ward-bench-") as tmp:
        folder = Path(tmp) / "big"
        t = time.perf_counter()
        store, files, raw, imp = build_store(folder, args.rows, args.months, plan)
        size = sum(f.stat().st_size for f in files) / 1e6
        stored = schema.table_counts(store)["police_incidents"]
        print(
            f"\n{args.rows:,} rows in {len(files)} files ({size:,.0f} MB); {stored:,} stored in wards "
            f"(built in {time.perf_counter() - t:.1f} s)"
        )
        print(f"1. import {imp:.2f} s vs DuckDB read_csv into a table {raw:.2f} s: {imp / raw:.2f}x (target <= 2x)")

        first, last = "2024-01", "2024-12"
        ward = codes[10]
        summary = timed(lambda: police_uk.ward_summary(store, first, last, [ward]), repeat=5)
        incidents = timed(lambda: police_uk.incident_monthly_counts(store, [ward], first, last), repeat=5)
        with store.session():  # the same query on the connection the session holds open
            open_query = timed(lambda: police_uk.ward_summary(store, first, last, [ward]), repeat=5)

        def open_and_close() -> None:
            with store.connect():
                pass

        opening = timed(open_and_close, repeat=5)
        frame = police_store.incident_rows(store)[["ward_code", "month", "crime_type"]]
        lo, hi = pd.Timestamp(f"{first}-01"), pd.Timestamp(f"{last}-01")

        def in_pandas() -> pd.Series:
            sel = frame[(frame["ward_code"] == ward) & (frame["month"] >= lo) & (frame["month"] <= hi)]
            return sel.groupby(["month", "crime_type"]).size()

        pandas_time = timed(in_pandas, repeat=3)
        expected = in_pandas()
        got = police_uk.ward_summary(store, first, last, [ward])
        assert int(got["count"].sum()) == int(expected.sum()), "the project's query and pandas disagree"
        frame = frame.iloc[0:0]  # free the memory before the page timings
        print(
            f"2. ward-filtered monthly aggregation vs pandas on the same data in memory ({pandas_time * 1000:.1f} ms; "
            "target >= 20x faster):\n"
            f"   the project's summary query, opening the store as the pages do: {summary * 1000:.1f} ms "
            f"({pandas_time / summary:.1f}x faster; opening the file alone takes {opening * 1000:.1f} ms)\n"
            f"   the same query on an open connection: {open_query * 1000:.2f} ms "
            f"({pandas_time / open_query:.0f}x faster)\n"
            f"   from the incidents table (sorted by ward and month), opening the store: {incidents * 1000:.1f} ms "
            f"({pandas_time / incidents:.1f}x faster)"
        )
        big_page, big_base = page_times(store.path, codes, first, last)
        sizes = [(stored, big_page, big_base)]
        if args.page_rows < args.rows:
            small_store, *_ = build_store(Path(tmp) / "small", args.page_rows, args.months, plan)
            small_page, small_base = page_times(small_store.path, codes, first, last)
            sizes.insert(0, (schema.table_counts(small_store)["police_incidents"], small_page, small_base))
        for n, page, base in sizes:
            print(
                f"3. explorer rerun on a ward change at {n:,} incidents: {page * 1000:.0f} ms vs query-only page "
                f"{base * 1000:.0f} ms: {page / base:.2f}x (target <= 1.5x)"
            )
        if len(sizes) == 2:
            print(
                f"   page time at {sizes[1][0]:,} vs {sizes[0][0]:,} incidents: {sizes[1][1] / sizes[0][1]:.2f}x "
                "(flat is 1x)"
            )


if __name__ == "__main__":
    main()
