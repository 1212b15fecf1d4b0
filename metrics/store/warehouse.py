"""The full export for a council's warehouse (or the next system): every table as Parquet, with
the data dictionary beside it.

All tables are read in one transaction, so the files describe one state of the store even
while the dashboard writes. Columns that hold personal data (:mod:`metrics.store.dictionary`
marks them) are left out unless asked for; the dictionary says which were left out. The files
are written in a working folder beside the destination and renamed into place when complete:
a stopped export leaves no half-filled folder under the name asked for.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from metrics.store import schema
from metrics.store.dictionary import DICTIONARY, Column
from metrics.store.engine import Store, StoreError, in_transaction, now

DICTIONARY_CSV = "dictionary.csv"
DICTIONARY_JSON = "dictionary.json"
UNDOCUMENTED = Column("Not yet described in the data dictionary")  # a store newer than this software


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    rows: dict[str, int]  # table -> rows written
    left_out: dict[str, tuple[str, ...]]  # table -> personal-data columns left out

    def lines(self) -> list[str]:
        out = [
            f"Exported {len(self.rows)} tables ({sum(self.rows.values()):,} rows) as Parquet to {self.folder}, "
            f"with the data dictionary in {DICTIONARY_CSV} and {DICTIONARY_JSON}."
        ]
        if self.left_out:
            columns = sum(len(c) for c in self.left_out.values())
            out.append(
                f"{columns} columns holding personal data were left out "
                f"({', '.join(f'{t}.{c}' for t, cols in sorted(self.left_out.items()) for c in cols)}); "
                "add --include-personal-data to include them."
            )
        else:
            out.append("Personal data is included: keep these files as the data protection policy requires.")
        return out


def export(store: Store, folder: str | Path, include_personal_data: bool = False) -> ExportReport:
    """Write every table of ``store`` to ``folder`` (new, or empty) as ``<table>.parquet``, with
    the data dictionary as CSV and JSON; personal-data columns only if asked."""
    folder = Path(folder)
    if not store.path.exists():
        raise StoreError(f"There is no data store at {store.path} to export: run `python -m metrics init` first.")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StoreError(f"{folder} already exists and is not an empty folder: name a new folder to export to.")
    work = folder.with_name(f"{folder.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.export-tmp")
    work.mkdir(parents=True)
    try:
        version, rows, left_out, entries = _write_tables(store, work, include_personal_data)
        _write_dictionary(work, entries, version, include_personal_data)
        if folder.exists():
            folder.rmdir()
        os.replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ExportReport(folder, rows, left_out)


def _write_tables(
    store: Store, work: Path, include_personal_data: bool
) -> tuple[int, dict[str, int], dict[str, tuple[str, ...]], list[dict[str, str]]]:
    """Each table's Parquet file, in one transaction; returns the schema version, rows per
    table, the columns left out, and one dictionary entry per column written."""
    rows: dict[str, int] = {}
    left_out: dict[str, tuple[str, ...]] = {}
    entries: list[dict[str, str]] = []
    with store.connect() as con, in_transaction(con):
        version = schema.version_on(con)
        columns = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = current_database() ORDER BY table_name, column_index"
        ).fetchall()
        for table in schema.table_names(con):
            doc = DICTIONARY.get(table)
            kept, dropped = [], []
            for _t, name, data_type in (c for c in columns if c[0] == table):
                col = doc.columns.get(name, UNDOCUMENTED) if doc else UNDOCUMENTED
                if col.personal and not include_personal_data:
                    dropped.append(name)
                    continue
                kept.append(name)
                entries.append(_entry(table, doc.description if doc else UNDOCUMENTED.meaning, name, data_type, col))
            if dropped:
                left_out[table] = tuple(dropped)
            target = str(work / f"{table}.parquet").replace("'", "''")
            select = ", ".join(f'"{c}"' for c in kept)
            con.execute(f"COPY (SELECT {select} FROM \"{table}\") TO '{target}' (FORMAT parquet)")
            rows[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return version, rows, left_out, entries


def _entry(table: str, description: str, name: str, data_type: str, col: Column) -> dict[str, str]:
    return {
        "table": table,
        "table_description": description,
        "column": name,
        "type": data_type,
        "meaning": col.meaning,
        "unit": col.unit,
        "codes": col.codes,
        "personal_data": "yes" if col.personal else "no",
    }


def _write_dictionary(work: Path, entries: list[dict[str, str]], version: int, include_personal_data: bool) -> None:
    with open(work / DICTIONARY_CSV, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(entries[0]))
        writer.writeheader()
        writer.writerows(entries)
    tables: dict[str, dict] = {}
    for e in entries:
        table = tables.setdefault(e["table"], {"description": e["table_description"], "file": f"{e['table']}.parquet"})
        table.setdefault("columns", {})[e["column"]] = {
            k: e[k] for k in ("type", "meaning", "unit", "codes", "personal_data")
        }
    body = {
        "exported_at": now().isoformat(timespec="seconds") + "Z",
        "schema_version": version,
        "personal_data_included": include_personal_data,
        "tables": tables,
    }
    (work / DICTIONARY_JSON).write_text(json.dumps(body, indent=2), encoding="utf-8")
