"""The full export for a council's warehouse (metrics/store/warehouse.py) and the data
dictionary it carries (metrics/store/dictionary.py): every table and column of the real schema
is described, every table is written as Parquet row for row, and personal data is left out
unless asked for."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from metrics.store import Store, StoreError, schema
from metrics.store.dictionary import DICTIONARY, personal_columns
from metrics.store.warehouse import DICTIONARY_CSV, DICTIONARY_JSON, export


@pytest.fixture(scope="module")
def store(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("export") / "store.duckdb"
    shutil.copy(demo_template, path)
    return Store(path)


def _schema_columns(store: Store) -> dict[str, list[str]]:
    with store.connect() as con:
        rows = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() ORDER BY table_name, column_index"
        ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def test_every_table_and_column_of_the_schema_is_described(tmp_path: Path) -> None:
    fresh = Store(tmp_path / "fresh.duckdb")
    schema.migrate(fresh)
    real = _schema_columns(fresh)
    undocumented = [
        f"{table}.{column}"
        for table, cols in real.items()
        for column in cols
        if table not in DICTIONARY or column not in DICTIONARY[table].columns
    ]
    assert undocumented == [], "describe these in metrics/store/dictionary.py"
    stale = [
        f"{table}.{column}"
        for table, doc in DICTIONARY.items()
        for column in doc.columns
        if column not in real.get(table, [])
    ]
    assert stale == [], "these are described in metrics/store/dictionary.py but no longer in the schema"
    empty = [f"{t}.{c}" for t, doc in DICTIONARY.items() for c, col in doc.columns.items() if not col.meaning.strip()]
    assert empty == [] and all(doc.description for doc in DICTIONARY.values())


def test_the_people_who_submit_write_and_are_contacts_are_personal_data() -> None:
    personal = personal_columns()
    assert personal["return_indicator_rows"] == ("contact",)
    assert personal["return_submissions"] == ("submitted_by",)
    assert "content" in personal["return_files"], "the original files name their contacts"
    assert "indicators" not in personal and "indicator_values" not in personal


def test_export_writes_every_table_row_for_row_without_personal_data(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path / "warehouse")
    folder = tmp_path / "warehouse"
    tables = _schema_columns(store)
    assert sorted(p.name for p in folder.glob("*.parquet")) == sorted(f"{t}.parquet" for t in tables)
    assert report.rows == schema.table_counts(store)
    personal = personal_columns()
    con = duckdb.connect()
    for table, columns in tables.items():
        kept = [c for c in columns if c not in personal.get(table, ())]
        exported = con.execute(f"SELECT * FROM '{folder / table}.parquet' ORDER BY ALL").fetchall()
        described = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM '{folder / table}.parquet'").fetchall()]
        assert described == kept, table
        with store.connect() as live:
            select = ", ".join(f'"{c}"' for c in kept)
            assert exported == live.execute(f'SELECT {select} FROM "{table}" ORDER BY ALL').fetchall(), table
    assert report.left_out == personal
    assert "--include-personal-data" in "\n".join(report.lines())
    assert list(folder.parent.iterdir()) == [folder], "no working folder left beside it"


def test_the_dictionary_travels_with_the_files(store: Store, tmp_path: Path) -> None:
    export(store, tmp_path / "out")
    with open(tmp_path / "out" / DICTIONARY_CSV, encoding="utf-8") as f:
        entries = list(csv.DictReader(f))
    assert {(e["table"], e["column"]) for e in entries} == {
        (t, c) for t, cols in _schema_columns(store).items() for c in cols if c not in personal_columns().get(t, ())
    }
    unit = next(e for e in entries if (e["table"], e["column"]) == ("indicators", "unit"))
    assert unit["codes"] == "count, percent, rate, score" and unit["type"] == "VARCHAR"
    body = json.loads((tmp_path / "out" / DICTIONARY_JSON).read_text())
    assert body["personal_data_included"] is False and body["schema_version"] == schema.LATEST_VERSION
    assert body["tables"]["police_incidents"]["columns"]["latitude"]["unit"] == "degrees (WGS84)"


def test_personal_data_only_when_asked(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path / "all", include_personal_data=True)
    assert report.left_out == {}
    con = duckdb.connect()
    contacts = con.execute(
        f"SELECT count(contact) FROM '{tmp_path / 'all' / 'return_indicator_rows.parquet'}'"
    ).fetchone()
    assert contacts[0] > 0
    assert json.loads((tmp_path / "all" / DICTIONARY_JSON).read_text())["personal_data_included"] is True


def test_export_refuses_a_folder_that_holds_files_and_a_missing_store(store: Store, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(StoreError, match="not an empty folder"):
        export(store, tmp_path / "full")
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
    with pytest.raises(StoreError, match="run `python -m metrics init` first"):
        export(Store(tmp_path / "none.duckdb"), tmp_path / "x")
    (tmp_path / "empty").mkdir()
    assert export(store, tmp_path / "empty").rows
