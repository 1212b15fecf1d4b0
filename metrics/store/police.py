"""police.uk street-level crime: staging the monthly files, replacing a force's months,
rebuilding the monthly ward summary, the LSOA lookup, and the reads the explorer, the
coverage report and the command line use.

An import runs on one connection (:func:`street_import`): the files are staged into a
temporary table outside any transaction (a failed read in DuckDB aborts the transaction it is
in, and a bad file must not stop the good ones when the user chose to skip it), then stored in
one transaction. The format checks and the words of every message are in
:mod:`metrics.police.uk`; this module only speaks SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from metrics.store.engine import Connection, Store, in_transaction, now
from metrics.store.schema import POLICE_TABLES

# The schema DuckDB reads a street file with: no sniffing, every file read the same way.
STREET_SCHEMA: tuple[tuple[str, str], ...] = (
    ("crime_id", "VARCHAR"),
    ("month", "VARCHAR"),
    ("reported_by", "VARCHAR"),
    ("falls_within", "VARCHAR"),
    ("longitude", "DOUBLE"),
    ("latitude", "DOUBLE"),
    ("location", "VARCHAR"),
    ("lsoa_code", "VARCHAR"),
    ("lsoa_name", "VARCHAR"),
    ("crime_type", "VARCHAR"),
    ("last_outcome", "VARCHAR"),
    ("context", "VARCHAR"),
)


@dataclass(frozen=True)
class ForceMonth:
    """One force's month as imported: rows read and where they went."""

    force: str
    month: str  # YYYY-MM
    rows_read: int
    stored: int
    no_location: int
    outside_area: int


@dataclass(frozen=True)
class ImportRecord:
    """One import, as logged in police_imports."""

    files: int
    rows_read: int
    stored: int
    no_location: int
    outside_area: int
    skipped_files: str | None  # why each skipped file was skipped, one per line
    is_demo: bool


@dataclass(frozen=True)
class SummaryBounds:
    """What the monthly area summary holds."""

    first: date | None  # the first month held (None: no police.uk data yet)
    last: date | None  # the last month held
    crime_types: tuple[str, ...]  # the crime types held, in order
    is_demo: bool  # whether any of it is demo data


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _read_sql(paths: Sequence[Path]) -> str:
    """DuckDB's reader over one or more street files with the exact police.uk schema, each row
    tagged with the file it came from."""
    columns = "{" + ", ".join(f"{_literal(n)}: {_literal(t)}" for n, t in STREET_SCHEMA) + "}"
    listing = "[" + ", ".join(_literal(str(p)) for p in paths) + "]"
    return (
        f"SELECT * EXCLUDE (filename), filename AS source_file FROM read_csv({listing}, "
        f"columns={columns}, header=true, delim=',', quote='\"', escape='\"', auto_detect=false, "
        "strict_mode=true, encoding='utf-8', null_padding=false, filename=true)"
    )


class StreetImport:
    """One import's connection and its staged rows (a temporary table only it can see)."""

    def __init__(self, con: Connection) -> None:
        self._con = con
        con.execute(
            "CREATE TEMP TABLE staged (" + ", ".join(f"{n} {t}" for n, t in STREET_SCHEMA) + ", source_file VARCHAR)"
        )
        # Rows read but not staged (an archive's rows outside the area, or with no location), counted
        # by force and month, so the coverage report and the month rule see them as a file's rows.
        con.execute(
            """CREATE TEMP TABLE staged_skipped (falls_within VARCHAR, month VARCHAR, source_file VARCHAR,
               no_location BIGINT, outside_area BIGINT)"""
        )
        # An archive's rows outside the area with a location, counted by LSOA and crime type (the
        # peers' counts; a loose file's are in ``staged`` itself).
        con.execute(
            """CREATE TEMP TABLE staged_outside (falls_within VARCHAR, month VARCHAR, lsoa_code VARCHAR,
               crime_type VARCHAR, incidents BIGINT, source_file VARCHAR)"""
        )
        con.execute(
            """CREATE TEMP VIEW staged_months AS
               SELECT DISTINCT falls_within, month, source_file FROM staged
               UNION SELECT falls_within, month, source_file FROM staged_skipped"""
        )

    # --- staging, outside any transaction ----------------------------------------------------
    def stage(self, files: Sequence[Path]) -> str | None:
        """Read street files into the staged rows; on failure stage none of them and return
        DuckDB's message (a statement outside a transaction stores nothing when it fails)."""
        try:
            self._con.execute("INSERT INTO staged " + _read_sql(files))
        except duckdb.Error as exc:
            return str(exc)
        return None

    def stage_frame(self, frame: pd.DataFrame | pa.Table, source: str) -> None:
        """Stage rows already in memory (the demo's, or an archive member's as Arrow), columns as
        STREET_SCHEMA, tagged with ``source`` as their file: the same rows a file with that
        content would stage."""
        names = [n for n, _ in STREET_SCHEMA]
        self._con.register("incoming_street", frame.select(names) if isinstance(frame, pa.Table) else frame[names])
        try:
            casts = ", ".join(f"CAST({n} AS {t})" for n, t in STREET_SCHEMA)
            self._con.execute(f"INSERT INTO staged SELECT {casts}, ? FROM incoming_street", [source])
        finally:
            self._con.unregister("incoming_street")

    def stage_skipped(self, counts: pd.DataFrame, source: str) -> None:
        """Count rows read but not staged: ``counts`` has falls_within, month, no_location and
        outside_area, one row per force and month of the file ``source``."""
        self._con.register("incoming_skipped", counts[["falls_within", "month", "no_location", "outside_area"]])
        try:
            self._con.execute(
                """INSERT INTO staged_skipped SELECT falls_within, month, ?, no_location, outside_area
                   FROM incoming_skipped""",
                [source],
            )
        finally:
            self._con.unregister("incoming_skipped")

    def stage_outside(self, counts: pd.DataFrame, source: str) -> None:
        """Count an archive member's rows outside the area by LSOA: ``counts`` has month,
        falls_within, lsoa_code, crime_type and incidents."""
        columns = ["falls_within", "month", "lsoa_code", "crime_type", "incidents"]
        self._con.register("incoming_outside", counts[columns])
        try:
            self._con.execute(
                """INSERT INTO staged_outside SELECT falls_within, month, lsoa_code, crime_type, incidents, ?
                   FROM incoming_outside""",
                [source],
            )
        finally:
            self._con.unregister("incoming_outside")

    def drop_bad_months(self, pattern: str) -> dict[str, str | None]:
        """Unstage every file with a Month not matching ``pattern``; returns file -> a bad Month."""
        wrong = self._con.execute(
            """SELECT source_file, any_value(month) FROM staged_months
               WHERE month IS NULL OR NOT regexp_full_match(month, ?) GROUP BY 1""",
            [pattern],
        ).fetchall()
        for source, _month in wrong:
            self._con.execute("DELETE FROM staged WHERE source_file = ?", [source])
            self._con.execute("DELETE FROM staged_skipped WHERE source_file = ?", [source])
            self._con.execute("DELETE FROM staged_outside WHERE source_file = ?", [source])
        return dict(wrong)

    def shared_force_months(self) -> list[tuple[str, str, list[str]]]:
        """Each (force, month) that more than one staged file holds, with those files in order."""
        rows = self._con.execute(
            """SELECT falls_within, month, list(DISTINCT source_file ORDER BY source_file) FROM staged_months
               GROUP BY ALL HAVING count(DISTINCT source_file) > 1 ORDER BY 1, 2"""
        ).fetchall()
        return [(force, month, list(files)) for force, month, files in rows]

    def unstage(self, sources: Sequence[str]) -> None:
        """Drop the staged rows of the given files."""
        self._con.execute("DELETE FROM staged WHERE list_contains(?::VARCHAR[], source_file)", [list(sources)])
        self._con.execute("DELETE FROM staged_skipped WHERE list_contains(?::VARCHAR[], source_file)", [list(sources)])
        self._con.execute("DELETE FROM staged_outside WHERE list_contains(?::VARCHAR[], source_file)", [list(sources)])

    # --- storing, in one transaction ----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[StreetImport]:
        """Everything stored inside the block is stored, or on any error nothing is."""
        with in_transaction(self._con):
            yield self

    def delete_demo(self) -> int:
        """Remove the demo police rows; returns the demo incidents removed."""
        return _delete_demo(self._con)

    def store_lookup(self, rows: pd.DataFrame, source: str, is_demo: bool) -> int:
        """Add LSOAs (lsoa_code, lsoa_name, ward_code, ward_name, lad_name), replacing any held
        for the same LSOA codes."""
        frame = rows.assign(source=source, is_demo=is_demo, loaded_at=now())
        self._con.register("incoming_lookup", frame)
        self._con.execute("DELETE FROM lsoa_wards WHERE lsoa_code IN (SELECT lsoa_code FROM incoming_lookup)")
        self._con.execute(
            """INSERT INTO lsoa_wards SELECT lsoa_code, lsoa_name, ward_code, ward_name, lad_name,
               source, is_demo, loaded_at FROM incoming_lookup"""
        )
        self._con.unregister("incoming_lookup")
        return len(frame)

    def lookup_size(self) -> int:
        """LSOAs in the stored lookup, as this import sees it."""
        return self._con.execute("SELECT count(*) FROM lsoa_wards").fetchone()[0]

    def replace_months(self, is_demo: bool) -> list[ForceMonth]:
        """Replace every (force, month) present in the staged rows: incidents (sorted by ward
        and month, so ward and month filters skip row groups) and the per-month counts."""
        con = self._con
        counts = con.execute(
            """SELECT force, month, sum(rows_read) AS rows_read, sum(stored) AS stored,
                      sum(no_location) AS no_location, sum(outside_area) AS outside_area,
                      string_agg(DISTINCT source_file, ', ' ORDER BY source_file) AS source_file
               FROM (
                   SELECT s.falls_within AS force, s.month,
                          count(*) AS rows_read,
                          count(*) FILTER (WHERE l.ward_code IS NOT NULL) AS stored,
                          count(*) FILTER (WHERE coalesce(trim(s.lsoa_code), '') = '') AS no_location,
                          count(*) FILTER (WHERE coalesce(trim(s.lsoa_code), '') <> '' AND l.ward_code IS NULL)
                              AS outside_area,
                          parse_filename(s.source_file) AS source_file
                   FROM staged AS s LEFT JOIN lsoa_wards AS l ON l.lsoa_code = trim(s.lsoa_code)
                   GROUP BY ALL
                   UNION ALL
                   SELECT falls_within, month, no_location + outside_area, 0, no_location, outside_area,
                          parse_filename(source_file)
                   FROM staged_skipped
               )
               GROUP BY ALL ORDER BY force, month"""
        ).df()
        con.execute(
            """DELETE FROM police_incidents AS t USING (SELECT DISTINCT falls_within, month FROM staged_months) AS s
               WHERE t.falls_within = s.falls_within AND t.month = (s.month || '-01')::DATE"""
        )
        con.execute(
            """DELETE FROM police_months AS t USING (SELECT DISTINCT falls_within, month FROM staged_months) AS s
               WHERE t.force = s.falls_within AND t.month = (s.month || '-01')::DATE"""
        )
        con.execute(
            """INSERT INTO police_incidents
               SELECT l.ward_code, (s.month || '-01')::DATE, s.crime_type, nullif(s.crime_id, ''),
                      s.falls_within, s.reported_by, s.longitude, s.latitude, s.location,
                      trim(s.lsoa_code), s.lsoa_name, s.last_outcome, s.context, ?
               FROM staged AS s JOIN lsoa_wards AS l ON l.lsoa_code = trim(s.lsoa_code)
               ORDER BY 1, 2""",
            [is_demo],
        )
        con.register("incoming_months", counts)
        con.execute(
            """INSERT INTO police_months SELECT force, (month || '-01')::DATE, rows_read, stored,
               no_location, outside_area, source_file, ?, ? FROM incoming_months""",
            [is_demo, now()],
        )
        con.unregister("incoming_months")
        return [
            ForceMonth(r.force, r.month, int(r.rows_read), int(r.stored), int(r.no_location), int(r.outside_area))
            for r in counts.itertuples()
        ]

    def rebuild_summary(self, months: Sequence[str]) -> None:
        """The monthly ward x crime-type counts for the months (YYYY-MM) touched, from the
        stored incidents."""
        firsts = sorted({f"{m}-01" for m in months})
        self._con.execute("DELETE FROM police_ward_month WHERE month IN (SELECT unnest(?::DATE[]))", [firsts])
        self._con.execute(
            """INSERT INTO police_ward_month
               SELECT month, ward_code, crime_type, count(*)::INTEGER, bool_or(is_demo)
               FROM police_incidents WHERE month IN (SELECT unnest(?::DATE[]))
               GROUP BY ALL ORDER BY ward_code, month, crime_type""",
            [firsts],
        )

    def replace_peer_months(self, partnerships: pd.DataFrame, own: Sequence[str], is_demo: bool) -> int:
        """Replace the peers' counts for every (force, month) staged: the staged rows outside the
        stored lookup, placed in partnerships by ``partnerships`` (lsoa_code, partnership_code,
        partnership_name, force_name) where the row's force polices that partnership, leaving out
        the partnerships in ``own``. Returns the incidents counted."""
        con = self._con
        con.execute(
            """DELETE FROM police_peer_month AS t USING (SELECT DISTINCT falls_within, month FROM staged_months) AS s
               WHERE t.force = s.falls_within AND t.month = (s.month || '-01')::DATE"""
        )
        con.register("incoming_partnerships", partnerships)
        try:
            con.execute(
                """INSERT INTO police_peer_month
                   WITH outside AS (
                       SELECT s.falls_within, s.month, trim(s.lsoa_code) AS lsoa_code, s.crime_type,
                              count(*) AS incidents
                       FROM staged AS s ANTI JOIN lsoa_wards AS l ON l.lsoa_code = trim(s.lsoa_code)
                       WHERE coalesce(trim(s.lsoa_code), '') <> ''
                       GROUP BY ALL
                       UNION ALL
                       SELECT falls_within, month, lsoa_code, crime_type, incidents FROM staged_outside
                   )
                   SELECT (o.month || '-01')::DATE, o.falls_within, p.partnership_code, p.partnership_name,
                          o.crime_type, sum(o.incidents)::INTEGER, ?
                   FROM outside AS o
                   JOIN incoming_partnerships AS p ON p.lsoa_code = o.lsoa_code AND p.force_name = o.falls_within
                   WHERE NOT list_contains(?::VARCHAR[], p.partnership_code) AND o.crime_type IS NOT NULL
                   GROUP BY ALL ORDER BY 3, 1, 5""",
                [is_demo, list(own)],
            )
        finally:
            con.unregister("incoming_partnerships")
        firsts = "SELECT DISTINCT (month || '-01')::DATE FROM staged_months"
        return con.execute(
            f"SELECT coalesce(sum(incidents), 0) FROM police_peer_month WHERE month IN ({firsts})"
        ).fetchone()[0]

    def store_demo_peers(self, rows: pd.DataFrame) -> int:
        """Add demo counts for other partnerships (month YYYY-MM, force, partnership_code,
        partnership_name, crime_type, incidents), flagged demo; returns the incidents."""
        self._con.register("incoming_peers", rows)
        try:
            self._con.execute(
                """INSERT INTO police_peer_month SELECT (month || '-01')::DATE, force, partnership_code,
                   partnership_name, crime_type, incidents::INTEGER, true FROM incoming_peers"""
            )
        finally:
            self._con.unregister("incoming_peers")
        return int(rows["incidents"].sum())

    def record(self, entry: ImportRecord) -> None:
        """Log the import in police_imports."""
        self._con.execute(
            "INSERT INTO police_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                now(),
                entry.files,
                entry.rows_read,
                entry.stored,
                entry.no_location,
                entry.outside_area,
                entry.skipped_files,
                entry.is_demo,
            ],
        )


@contextmanager
def street_import(store: Store) -> Iterator[StreetImport]:
    """One import's connection, with DuckDB free to read and insert in parallel without keeping
    file order (several times faster at force scale); the setting is restored afterwards, as it
    is global to the process's DuckDB instance."""
    with store.connect() as con:
        con.execute("SET preserve_insertion_order = false")
        try:
            yield StreetImport(con)
        finally:
            con.execute("RESET preserve_insertion_order")


def _delete_demo(con: Connection) -> int:
    removed = con.execute("SELECT count(*) FROM police_incidents WHERE is_demo").fetchone()[0]
    for table in POLICE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE is_demo")
    return removed


def delete_demo(store: Store) -> int:
    """Remove the demo police rows in one transaction (before a fresh demo import, so demo and
    real incidents are never added together); returns the demo incidents removed."""
    with store.transaction() as con:
        return _delete_demo(con)


# --- reads -------------------------------------------------------------------------------------
def month_counts(store: Store) -> pd.DataFrame:
    """Per force and month (YYYY-MM) held: rows read, stored, no location, outside the area."""
    with store.connect() as con:
        return con.execute(
            """SELECT force, strftime(month, '%Y-%m') AS month, rows_read, stored, no_location, outside_area
               FROM police_months ORDER BY force, month"""
        ).df()


def lookup_size(store: Store) -> int:
    """LSOAs in the stored LSOA to area lookup."""
    with store.connect() as con:
        return con.execute("SELECT count(*) FROM lsoa_wards").fetchone()[0]


def lookup_rows(store: Store) -> pd.DataFrame:
    """The stored LSOA to area lookup, by LSOA code."""
    with store.connect() as con:
        return con.execute(
            "SELECT lsoa_code, lsoa_name, ward_code, ward_name, lad_name, source, is_demo FROM lsoa_wards ORDER BY 1"
        ).df()


def summary_bounds(store: Store) -> SummaryBounds:
    """First and last month held, the crime types, and whether any of it is demo data."""
    with store.connect() as con:
        first, last, demo = con.execute(
            "SELECT min(month), max(month), coalesce(bool_or(is_demo), false) FROM police_ward_month"
        ).fetchone()
        types = [r[0] for r in con.execute("SELECT DISTINCT crime_type FROM police_ward_month ORDER BY 1").fetchall()]
    return SummaryBounds(first, last, tuple(types), bool(demo))


def ward_summary(
    store: Store,
    first: str | None = None,
    last: str | None = None,
    wards: Sequence[str] = (),
    crime_types: Sequence[str] = (),
) -> pd.DataFrame:
    """Month x area x crime-type counts (month as YYYY-MM) from the monthly summary, between
    the first days of two months (``YYYY-MM-01``, either open); wards and types empty means all.
    Inside :meth:`Store.session` it runs on the held connection."""
    where, params = ["true"], []
    if first:
        where.append("s.month >= ?::DATE")
        params.append(first)
    if last:
        where.append("s.month <= ?::DATE")
        params.append(last)
    if wards:
        where.append("list_contains(?::VARCHAR[], s.ward_code)")  # 1 ms less than IN (SELECT unnest(?))
        params.append(list(wards))
    if crime_types:
        where.append("list_contains(?::VARCHAR[], s.crime_type)")
        params.append(list(crime_types))
    sql = f"""SELECT strftime(s.month, '%Y-%m') AS month, s.ward_code, w.ward_name, s.crime_type,
                     s.incidents AS count
              FROM police_ward_month AS s JOIN wards AS w USING (ward_code)
              WHERE {" AND ".join(where)}
              ORDER BY s.month, w.ward_name, s.crime_type"""
    with store.connect() as con:
        return con.execute(sql, params).df()


def incident_monthly_counts(store: Store, wards: Sequence[str], first: str, last: str) -> pd.DataFrame:
    """Area-filtered monthly counts straight from the incidents, between the first days of two
    months (``YYYY-MM-01``). The incidents are stored sorted by area and month, so the filter
    reads only the row groups it needs."""
    with store.connect() as con:
        return con.execute(
            """SELECT ward_code, month, crime_type, count(*) AS count FROM police_incidents
               WHERE ward_code IN (SELECT unnest(?::VARCHAR[])) AND month BETWEEN ?::DATE AND ?::DATE
               GROUP BY ALL ORDER BY ALL""",
            [list(wards), first, last],
        ).df()


def peer_summary(
    store: Store,
    first: str | None = None,
    last: str | None = None,
    crime_types: Sequence[str] = (),
    forces: Sequence[str] = (),
) -> pd.DataFrame:
    """The peers' counts: month (YYYY-MM), partnership_code, partnership_name, crime_type, count
    and is_demo, between the first days of two months (either open); types and forces (a file's
    "Falls within") empty mean all."""
    where, params = ["true"], []
    if forces:
        where.append("list_contains(?::VARCHAR[], force)")
        params.append(list(forces))
    if first:
        where.append("month >= ?::DATE")
        params.append(first)
    if last:
        where.append("month <= ?::DATE")
        params.append(last)
    if crime_types:
        where.append("list_contains(?::VARCHAR[], crime_type)")
        params.append(list(crime_types))
    sql = f"""SELECT strftime(month, '%Y-%m') AS month, partnership_code, any_value(partnership_name)
                     AS partnership_name, crime_type, sum(incidents)::BIGINT AS count, bool_or(is_demo) AS is_demo
              FROM police_peer_month WHERE {" AND ".join(where)}
              GROUP BY month, partnership_code, crime_type ORDER BY month, partnership_code, crime_type"""
    with store.connect() as con:
        return con.execute(sql, params).df()


def incident_rows(store: Store) -> pd.DataFrame:
    """Area, month, crime type and demo flag of every stored incident (large: for checks and
    the benchmark's in-memory baseline, never for a page)."""
    with store.connect() as con:
        return con.execute("SELECT ward_code, month, crime_type, is_demo FROM police_incidents").df()


# --- writing street files (the demo data) ------------------------------------------------------
def write_monthly_csvs(frame: pd.DataFrame, month_column: str, path_for: Callable[[str], Path]) -> list[Path]:
    """Write ``frame`` as one CSV per value of ``month_column``, with a header row, to the path
    ``path_for(month)`` gives; returns the paths in month order. DuckDB, in its own in-memory
    database, writes the files several times faster than pandas."""
    files: list[Path] = []
    con = duckdb.connect()
    try:
        con.register("rows_to_write", frame)
        for month in sorted(frame[month_column].unique()):
            path = path_for(month)
            path.parent.mkdir(parents=True, exist_ok=True)
            con.execute(
                f'COPY (SELECT * FROM rows_to_write WHERE "{month_column}" = ?) TO {_literal(str(path))} '
                "(HEADER, DELIMITER ',')",
                [month],
            )
            files.append(path)
    finally:
        con.close()
    return files
