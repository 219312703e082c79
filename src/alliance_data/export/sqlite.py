"""The tables as one SQLite database, with a Datasette ``metadata.json`` beside it.

Rows are read and inserted a batch at a time, all in one transaction, and what is derived
from them is derived by SQLite: memory holds one batch of a table, never a table, so it does
not grow with the number of rows.
"""

from __future__ import annotations

import graphlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import derived
from .._io import write_text_atomic
from ..arrow_io import iter_batches
from ..dtypes import sqlite_type
from ..errors import ExportError, require
from ..model import Field, Package, Table, package
from ..rules import FACT_TABLES
from .datasette import DATASETTE_METADATA, code_table_name, code_tables, datasette_metadata, has_money

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pyarrow as pa

SQLITE_NAME = "alliance-data.db"
# A table's foreign keys as sqlite-utils wants them: (column, other table, other column).
ForeignKeys = list[tuple[str, str, str]]


def _free_text(field: Field) -> bool:
    return field.type == "string" and field.enum is None and field.pattern is None and field.format is None


def _foreign_keys(table: Table) -> ForeignKeys:
    return [(field, fk.resource, target) for fk in table.foreign_keys for field, target in zip(fk.fields, fk.reference, strict=False)]


def _load_order(tables: dict[str, Table]) -> list[str]:
    """The tables in an order where each comes after the tables its foreign keys point to."""
    return list(graphlib.TopologicalSorter(
        {name: {other for _, other, _ in _foreign_keys(t) if other != name} for name, t in tables.items()}
    ).static_order())


def _create_tables(db: Any, tables: dict[str, Table], order: list[str], codes: dict[str, Any], wide: dict[str, type]) -> dict[str, ForeignKeys]:
    """Create the code tables, the package's tables and ``agreements_wide``, empty (sqlite-utils
    writes their SQL); return each one's foreign keys."""
    foreign_of: dict[str, ForeignKeys] = {}
    # The codebook's allowed values as small tables that enum columns point to: Datasette
    # then shows each code's meaning beside it, in facets and on every page.
    for name in codes:
        db.table(name).create({"code": str, "meaning": str, "label": str}, pk="code")
        foreign_of[name] = []
    for name in order:
        table = tables[name]
        key = table.primary_key
        foreign_of[name] = _foreign_keys(table) + [
            (f.name, code_table_name(name, f.name, tables), "code") for f in table.fields if f.enum_descriptions]
        db.table(name).create({f.name: sqlite_type(f) for f in table.fields}, pk=key[0] if len(key) == 1 else tuple(key),
                              foreign_keys=foreign_of[name], not_null={f.name for f in table.fields if f.required} | set(key))
    foreign_of[derived.AGREEMENTS_WIDE] = [("agreement_id", "agreements", "agreement_id")] + [
        (c, name, key) for c, name, key in foreign_of.get("agreements", []) if c in wide and key == "code"]
    db.table(derived.AGREEMENTS_WIDE).create(wide, pk="agreement_id", foreign_keys=foreign_of[derived.AGREEMENTS_WIDE])
    return foreign_of


def _roles(model: Package) -> list[str]:
    return [str(role) for role in model.table("agreement_parties").field("role").enum or ()]


def _wide_columns(model: Package) -> dict[str, type]:
    """The columns of ``agreements_wide`` (:func:`derived.agreements_wide`), in order, each with its type."""
    agreements, roles = model.table("agreements"), _roles(model)
    return {name: str if name in roles else int if name == "n_sources" else sqlite_type(agreements.field(name))
            for name in derived.agreements_wide_descriptions(model.root)}


def _insert_wide(db: Any, model: Package, columns: list[str]) -> None:
    """``agreements_wide`` from the rows just loaded, as :func:`derived.agreements_wide` makes it
    (tests/test_export.py holds the two equal): each role's actors sorted and joined by ``; ``,
    the distinct sources supporting the agreement counted. SQLite groups the rows, so no table
    is read into memory for it."""
    roles = _roles(model)
    by_role = ", ".join(f"group_concat(CASE WHEN role = ? THEN actor_id END, '; ') AS [{role}]" for role in roles)
    value = ({name: f"a.[{name}]" for name in derived.WIDE_AGREEMENT_FIELDS} | {role: f"p.[{role}]" for role in roles}
             | {"n_sources": "coalesce(s.n_sources, 0)"})
    # Rows enter each group in the order of the inner query, so each list comes out sorted.
    db.conn.execute(
        f"INSERT INTO [{derived.AGREEMENTS_WIDE}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"SELECT {', '.join(value[c] for c in columns)} FROM agreements a "
        f"LEFT JOIN (SELECT agreement_id, {by_role} FROM (SELECT agreement_id, role, actor_id FROM agreement_parties "
        "ORDER BY agreement_id, actor_id) GROUP BY agreement_id) p ON p.agreement_id = a.agreement_id "
        "LEFT JOIN (SELECT record_id, count(DISTINCT source_id) AS n_sources FROM citations "
        "WHERE record_table = 'agreements' AND stance = 'supports' GROUP BY record_id) s ON s.record_id = a.agreement_id "
        "ORDER BY a.rowid", roles)


def _create_citation_tables(db: Any, tables: dict[str, Table], foreign_of: dict[str, ForeignKeys]) -> dict[str, str]:
    """Each fact table's citations again, keyed to its rows: Datasette then links a record's page to
    its citations, and each citation to its source (and a source back to what it backs). Returns
    the citation table of each fact table."""
    citation_tables = {}
    for fact in FACT_TABLES:
        if fact in tables and "citations" in tables:
            name = citation_tables[fact] = f"{fact}_citations"
            foreign_of[name] = [("record_id", fact, tables[fact].primary_key[0]), ("source_id", "sources", "source_id")] + [
                (c, code_table, key) for c, code_table, key in foreign_of["citations"] if c == "stance" and key == "code"]
            db.table(name).create({"record_id": str, "source_id": str, "locator": str, "stance": str, "note": str},
                                  pk=("record_id", "source_id", "locator"), foreign_keys=foreign_of[name])
    return citation_tables


def _python_values(column: Any) -> list[Any]:
    """A column's values as Python objects; an enum column as plain text first, because
    converting a dictionary column cell by cell is tens of times slower."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return list(column.to_pylist())


def _insert(db: Any, name: str, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    db.conn.executemany(f"INSERT INTO [{name}] ({', '.join(f'[{n}]' for n in names)}) "
                        f"VALUES ({', '.join('?' for _ in names)})", rows)


def _insert_batches(db: Any, name: str, batches: Iterable[pa.RecordBatch]) -> None:
    """Insert the rows of each batch in turn, column by column from Arrow: only one batch's
    values are Python objects at a time."""
    for batch in batches:
        _insert(db, name, batch.schema.names, zip(*(_python_values(column) for column in batch.columns), strict=False))


def _insert_rows(db: Any, model: Package, order: list[str], codes: dict[str, Any], wide: list[str], citation_tables: dict[str, str]) -> None:
    """Every row in one transaction (sqlite-utils' insert_all would commit each batch). Keys are
    checked once at the end, not row by row, so rows load in any order (an agreement may be
    part of one listed after it)."""
    with db.conn:
        for name, rows in codes.items():
            _insert(db, name, ["code", "meaning", "label"], [(r["code"], r["meaning"], r["label"]) for r in rows])
        for name in order:
            _insert_batches(db, name, iter_batches(model, name))
        _insert_wide(db, model, wide)
        for fact, name in citation_tables.items():
            db.conn.execute(f"INSERT INTO [{name}] SELECT record_id, source_id, locator, stance, note "
                            "FROM citations WHERE record_table = ?", (fact,))


def _add_money_views(db: Any, tables: dict[str, Table], order: list[str]) -> None:
    """Money as money: a view per table with values, amounts written with thousands separators."""
    for name in order:
        fields = set(tables[name].field_names)
        if has_money(tables[name]):
            id_column = tables[name].primary_key[0]
            label = "title" if "title" in fields else "summary"
            db.create_view(f"{name}_money", (
                f"select [{id_column}], [{label}], value_currency || ' ' || printf('%,d', cast(value_low as integer)) as value_low, "
                f"value_currency || ' ' || printf('%,d', cast(value_high as integer)) as value_high, value_qualifier "
                f"from [{name}] where value_low is not null order by [{name}].value_high desc"))


def _add_indexes_and_search(db: Any, tables: dict[str, Table], foreign_of: dict[str, ForeignKeys]) -> None:
    """An index on each foreign key and full-text search over each table's free text, built over the loaded rows."""
    for name, keys in foreign_of.items():
        for column, _, _ in keys:
            db.table(name).create_index([column])
        # Words, not identifiers: a column that points to another table is not searched.
        pointers = {column for column, _, _ in keys}
        text = [f.name for f in tables[name].fields if _free_text(f) and f.name not in pointers] if name in tables else []
        if text:
            # porter: English stemming, so a search for drone finds drones
            db.table(name).enable_fts(text, create_triggers=False, tokenize="porter")


def _write_database(db: Any, model: Package) -> list[tuple[Any, ...]]:
    """Create, fill and index every table; return the rows whose foreign keys dangle."""
    tables = {table.name: table for table in model.tables}
    order = _load_order(tables)
    wide = _wide_columns(model)
    codes = code_tables(tables)
    foreign_of = _create_tables(db, tables, order, codes, wide)
    citation_tables = _create_citation_tables(db, tables, foreign_of)
    _insert_rows(db, model, order, codes, list(wide), citation_tables)
    _add_money_views(db, tables, order)
    _add_indexes_and_search(db, tables, foreign_of)
    dangling: list[tuple[Any, ...]] = db.conn.execute("PRAGMA foreign_key_check").fetchall()
    return dangling


def export_sqlite(out: Path, root: Path | None = None) -> list[Path]:
    """Write the tables to one SQLite file, with a Datasette ``metadata.json`` beside it.

    Every table has its primary key, foreign keys, typed columns, an index on each
    foreign key and full-text search over its free-text columns. The rows are read and
    inserted a batch at a time, in one transaction, into a temporary file that is renamed
    into place once every foreign key is found to resolve.

    Parameters
    ----------
    out : Path
        The database file to write (its folder is made if missing).
    root : Path, optional
        The data package to export; by default the bundled data.

    Returns
    -------
    list of Path
        The database and its ``metadata.json``.

    Raises
    ------
    ExportError
        A row names a record that does not exist, or the database could not be written.
    MissingDependency
        sqlite-utils is not installed (the ``sqlite`` extra).
    """
    sqlite_utils = require("sqlite_utils", "sqlite", "the SQLite export")
    out.parent.mkdir(parents=True, exist_ok=True)
    model = package(root)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    try:
        db = sqlite_utils.Database(temporary)
        dangling = _write_database(db, model)
        db.close()
        if dangling:
            table, rowid, parent, _ = dangling[0]
            raise ExportError(f"{len(dangling)} row(s) name a record that does not exist, the first in table "
                              f"{table} (row {rowid}), which points to {parent}; run alliance-data validate")
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except sqlite3.Error as error:  # "database or disk is full" and the like: name the file
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"{out}: the SQLite database could not be written ({error})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    metadata = out.parent / DATASETTE_METADATA
    write_text_atomic(metadata, json.dumps(datasette_metadata(out.stem, root), indent=2, ensure_ascii=False) + "\n")
    return [out, metadata]
