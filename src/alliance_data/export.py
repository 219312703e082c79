"""Copies of the data for people who do not use Python: CSV, Parquet, SQLite with a
Datasette view, and the versioned set of files attached to each release."""

from __future__ import annotations

import graphlib
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from .errors import ExportError, require
from . import _package, derived
from ._io import write_bytes_atomic, write_text_atomic
from .dtypes import sqlite_type
from .model import Field, Table, package
from .progress import Stage, silent

SQLITE_NAME = "alliance-data.db"
DATASETTE_METADATA = "metadata.json"
FINGERPRINT = "FINGERPRINT"
CHECKSUMS = "SHA256SUMS"
# Fixed time stamp for zip entries, so that the same data gives the same archive.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def export_csv(out: Path, root: Path | None = None) -> list[Path]:
    """Write a complete CSV data package (datapackage.json, schemas/, tables/) to ``out``,
    and beside it ``agreements_wide.csv`` (one row per agreement, parties by role)."""
    model = package(root)
    files: dict[str, Path] = {_package.DERIVED: model.root / _package.DERIVED}
    for table in model.tables:
        for rel in (table.schema_path, table.path):
            files[rel] = model.root / rel
    for rel, source in files.items():
        write_bytes_atomic(out / rel, source.read_bytes())
    write_bytes_atomic(out / _package.DESCRIPTOR, _package.built_descriptor(root))
    files[_package.DESCRIPTOR] = out / _package.DESCRIPTOR
    write_bytes_atomic(out / f"{derived.AGREEMENTS_WIDE}.csv", derived.agreements_wide_csv(root))
    return [out / rel for rel in files] + [out / f"{derived.AGREEMENTS_WIDE}.csv"]


def export_parquet(out: Path, root: Path | None = None) -> list[Path]:
    """Write one Parquet file per table, ``<table>.parquet``, to ``out``."""
    from .build import parquet_bytes
    from .arrow_io import read_arrow

    written = []
    model = package(root)
    for name in model.table_names:
        parquet = model.parquet_path(name)
        data = parquet.read_bytes() if parquet.is_file() else parquet_bytes(read_arrow(name, root))
        write_bytes_atomic(out / f"{name}.parquet", data)
        written.append(out / f"{name}.parquet")
    wide = derived.agreements_wide(root)
    write_bytes_atomic(out / f"{derived.AGREEMENTS_WIDE}.parquet", parquet_bytes(wide))
    return [*written, out / f"{derived.AGREEMENTS_WIDE}.parquet"]


def _free_text(field: Field) -> bool:
    return field.type == "string" and field.enum is None and field.pattern is None and field.format is None


def _foreign_keys(table: Table) -> list[tuple[str, str, str]]:
    """Foreign keys as sqlite-utils wants them: (column, other table, other column)."""
    return [(field, fk.resource, target) for fk in table.foreign_keys for field, target in zip(fk.fields, fk.reference, strict=False)]


def _python_values(column: Any) -> list[Any]:
    """A column's values as Python objects; an enum column as plain text first, because
    converting a dictionary column cell by cell is tens of times slower."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return list(column.to_pylist())


MONEY_COLUMNS = ("value_low", "value_high", "value_currency", "value_qualifier")


def has_money(table: Table) -> bool:
    """Whether a table states values in a currency (and so gets a ``<table>_money`` view)."""
    return set(MONEY_COLUMNS) <= set(table.field_names)


def code_table_name(table: str, field: str, tables: dict[str, Table]) -> str:
    """``codes_<field>`` when every table's field of that name allows the same values, else
    ``codes_<table>_<field>``."""
    lists = {json.dumps(dict(f.enum_descriptions), sort_keys=True) for t in tables.values() for f in t.fields
             if f.name == field and f.enum_descriptions}
    return f"codes_{field}" if len(lists) == 1 else f"codes_{table}_{field}"


def code_tables(tables: dict[str, Table]) -> dict[str, list[dict[str, str]]]:
    """Every enum's values with their meanings, one small table per list of values."""
    out: dict[str, list[dict[str, str]]] = {}
    for name, table in tables.items():
        for f in table.fields:
            if f.enum_descriptions:
                out.setdefault(code_table_name(name, f.name, tables),
                               [{"code": str(code), "meaning": str(text), "label": f"{code}: {text}"}
                                for code, text in f.enum_descriptions.items()])
    return out


def export_sqlite(out: Path, root: Path | None = None) -> list[Path]:
    """Write the tables to one SQLite file, with a Datasette ``metadata.json`` beside it.

    Every table has its primary key, foreign keys, typed columns, an index on each
    foreign key and full-text search over its free-text columns. The database is
    written in one transaction to a temporary file, then renamed into place.
    """
    sqlite_utils = require("sqlite_utils", "sqlite", "the SQLite export")
    import pyarrow as pa

    from .arrow_io import read_arrow

    out.parent.mkdir(parents=True, exist_ok=True)
    tables_by_name = {table.name: table for table in package(root).tables}
    order = list(graphlib.TopologicalSorter(
        {name: {other for _, other, _ in _foreign_keys(s) if other != name} for name, s in tables_by_name.items()}
    ).static_order())
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    try:
        db = sqlite_utils.Database(temporary)
        wide = derived.agreements_wide(root)
        wide_types = {f.name: (float if pa.types.is_floating(f.type) else int if pa.types.is_integer(f.type) else str) for f in wide.schema}
        foreign_of: dict[str, list[tuple[str, str, str]]] = {}
        # The codebook's allowed values as small tables that enum columns point to: Datasette
        # then shows each code's meaning beside it, in facets and on every page.
        codes = code_tables(tables_by_name)
        for name in codes:
            db.table(name).create({"code": str, "meaning": str, "label": str}, pk="code")
            foreign_of[name] = []
        # The tables next (sqlite-utils writes their SQL)...
        for name in order:
            table = tables_by_name[name]
            columns = {f.name: sqlite_type(f) for f in table.fields}
            key = table.primary_key
            required = {f.name for f in table.fields if f.required}
            foreign_of[name] = _foreign_keys(table) + [
                (f.name, code_table_name(name, f.name, tables_by_name), "code") for f in table.fields if f.enum_descriptions]
            db.table(name).create(columns, pk=key[0] if len(key) == 1 else tuple(key), foreign_keys=foreign_of[name],
                                  not_null=required | set(key))
        foreign_of[derived.AGREEMENTS_WIDE] = [("agreement_id", "agreements", "agreement_id")] + [
            (c, name, key) for c, name, key in foreign_of.get("agreements", []) if c in wide.column_names and key == "code"]
        db.table(derived.AGREEMENTS_WIDE).create(wide_types, pk="agreement_id", foreign_keys=foreign_of[derived.AGREEMENTS_WIDE])
        # Each fact table's citations again, keyed to its rows: Datasette then links a record's page to
        # its citations, and each citation to its source (and a source back to what it backs).
        from .rules import FACT_TABLES

        citation_tables = {}
        for fact in FACT_TABLES:
            if fact in tables_by_name and "citations" in tables_by_name:
                name = citation_tables[fact] = f"{fact}_citations"
                foreign_of[name] = [("record_id", fact, tables_by_name[fact].primary_key[0]), ("source_id", "sources", "source_id")] + [
                    (c, code_table, key) for c, code_table, key in foreign_of["citations"] if c == "stance" and key == "code"]
                db.table(name).create({"record_id": str, "source_id": str, "locator": str, "stance": str, "note": str},
                                      pk=("record_id", "source_id", "locator"), foreign_keys=foreign_of[name])

        def insert(name: str, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
            db.conn.executemany(f"INSERT INTO [{name}] ({', '.join(f'[{n}]' for n in names)}) "
                                f"VALUES ({', '.join('?' for _ in names)})", rows)

        # ...then every row in one transaction (sqlite-utils' insert_all would commit each batch),
        # column by column from Arrow. Keys are checked once at the end, not row by row, so rows
        # load in any order (an agreement may be part of one listed after it).
        with db.conn:
            for name, rows in codes.items():
                insert(name, ["code", "meaning", "label"], [(r["code"], r["meaning"], r["label"]) for r in rows])
            for name in order:
                arrow = read_arrow(name, root)
                insert(name, arrow.column_names, zip(*(_python_values(column) for column in arrow.columns), strict=False))
            insert(derived.AGREEMENTS_WIDE, wide.column_names, zip(*(_python_values(column) for column in wide.columns), strict=False))
            for fact, name in citation_tables.items():
                db.conn.execute(f"INSERT INTO [{name}] SELECT record_id, source_id, locator, stance, note "
                                "FROM citations WHERE record_table = ?", (fact,))
        # Money as money: a view per table with values, amounts written with thousands separators.
        for name in order:
            fields = set(tables_by_name[name].field_names)
            if has_money(tables_by_name[name]):
                id_column = tables_by_name[name].primary_key[0]
                label = "title" if "title" in fields else "summary"
                db.create_view(f"{name}_money", (
                    f"select [{id_column}], [{label}], value_currency || ' ' || printf('%,d', cast(value_low as integer)) as value_low, "
                    f"value_currency || ' ' || printf('%,d', cast(value_high as integer)) as value_high, value_qualifier "
                    f"from [{name}] where value_low is not null order by [{name}].value_high desc"))
        # ...and the indexes and full-text search over the loaded rows.
        for name in foreign_of:
            for column, _, _ in foreign_of[name]:
                db.table(name).create_index([column])
            # Words, not identifiers: a column that points to another table is not searched.
            pointers = {column for column, _, _ in foreign_of[name]}
            text = [f.name for f in tables_by_name[name].fields if _free_text(f) and f.name not in pointers] if name in tables_by_name else []
            if text:
                # porter: English stemming, so a search for drone finds drones
                db.table(name).enable_fts(text, create_triggers=False, tokenize="porter")
        dangling = db.conn.execute("PRAGMA foreign_key_check").fetchall()
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


def datasette_metadata(database: str, root: Path | None = None) -> dict[str, Any]:
    """Datasette's metadata for the database: title, licence, sources, every table's and
    column's description, facets on the enum columns."""
    model = package(root)
    meta = model.descriptor
    licence = (model.licenses or ({},))[0]
    tables: dict[str, Any] = {}
    for table in model.tables:
        label = next((f for f in table.field_names if f in ("title", "name")), None)
        money = f" The {table.name}_money view shows its values as money." if has_money(table) else ""
        tables[table.name] = {
            "title": table.title,
            "description": table.description + money,
            "columns": {f.name: f.description for f in table.fields},
            "facets": [f.name for f in table.fields if f.enum is not None],
            **({"label_column": label} if label else {}),
        }
    from .rules import FACT_TABLES

    for name in code_tables({table.name: table for table in model.tables}):
        # Hidden from the index page (reachable by address and through every enum column's link).
        tables[name] = {"title": f"Allowed values: {name.removeprefix('codes_')}", "label_column": "label", "hidden": True,
                        "description": "The codebook's allowed values of an enum column and what each means."}
    tables[derived.AGREEMENTS_WIDE] = {"title": "Agreements, one row each, with their parties by role",
                                       "description": derived.AGREEMENTS_WIDE_DESCRIPTION,
                                       "columns": derived.agreements_wide_descriptions(root), "label_column": "title",
                                       "facets": [f for f in derived.WIDE_AGREEMENT_FIELDS if f in tables["agreements"]["facets"]]}
    for table in model.tables:
        if has_money(table):
            tables[f"{table.name}_money"] = {
                "title": f"{table.title}: values as money",
                "description": f"The {table.name} rows that state a value, largest first, each amount with its currency "
                               f"and thousands separators; the numbers themselves are in {table.name}.value_low and value_high.",
            }
    for fact in FACT_TABLES:
        if fact in tables:
            tables[f"{fact}_citations"] = {
                "title": f"Citations of {fact}",
                "facets": ["stance"],
                "description": f"The rows of citations whose record_table is {fact}, linked to the {fact} record and to the source.",
            }
    return {
        "title": meta["title"],
        "description": (f"{meta.get('description', '')} Data version {meta['version']}. How it is made, how certainty is "
                        "graded and what the counts can and cannot show: METHODS.md in the repository and in every "
                        "release's CSV zip; every column: CODEBOOK.md."),
        "license": licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "source": "; ".join(s.get("title", "") for s in meta.get("sources", [])),
        "databases": {database: {"source": f"alliance-data {meta['version']}", "tables": tables, "queries": CANNED_QUERIES}},
    }


# Questions a reader of the browser view asks most, as Datasette canned queries.
CANNED_QUERIES = {
    "sources_for_a_record": {
        "title": "Sources for a record",
        "description": "Every citation of one record (table and id), with its source, where to look and its stance.",
        "sql": ("select c.record_table, c.record_id, c.stance, c.locator, c.note, s.source_id, s.title, p.name as publisher, "
                "s.relays, s.url, s.published, s.reliability from citations c join sources s using (source_id) "
                "left join publishers p using (publisher_id) "
                "where c.record_table = :record_table and c.record_id = :record_id order by c.stance, s.source_id"),
    },
    "everything_an_actor_took_part_in": {
        "title": "Everything an actor took part in",
        "description": "The agreements, events and frictions one actor (actor_id, such as RUS or gazprom) has a part in.",
        "sql": ("select 'agreement' as what, p.agreement_id as id, a.title as about, p.role, a.signed as date "
                "from agreement_parties p join agreements a using (agreement_id) where p.actor_id = :actor_id "
                "union all select 'event', e.event_id, e.summary, ea.role, e.date from event_actors ea "
                "join events e using (event_id) where ea.actor_id = :actor_id "
                "union all select 'friction', f.friction_id, f.title, fa.role, null from friction_actors fa "
                "join frictions f using (friction_id) where fa.actor_id = :actor_id order by date"),
    },
    "events_by_year": {
        "title": "Events by year",
        "description": ("Every event of the events table by year and CAMEO quad class, with their Goldstein sum: all actors and "
                        "evidence levels. The dyad_year panel counts fewer (only events both sides take part in, confirmed or "
                        "reported, no reports of an act already counted, no status steps); see its codebook entry."),
        "sql": ("select substr(e.date, 1, 4) as year, c.quad_class, count(*) as events, round(sum(c.goldstein), 1) as goldstein_sum "
                "from events e join cameo_codes c using (cameo_code) group by year, c.quad_class order by year, c.quad_class"),
    },
}


def _zip_of_csv_package(root: Path, version: str) -> bytes:
    buffer = io.BytesIO()
    folder = f"alliance-data-{version}"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        names = [_package.DESCRIPTOR, _package.DERIVED]
        for table in package(root).tables:
            names += [table.schema_path, table.path]
        # What a reader of the zip alone needs: the licence, the README and the codebook.
        names += [rel for rel in ("LICENSE", "LICENSE-DATA", "README.md", "CODEBOOK.md", "METHODS.md", "CITATION.cff") if (root / rel).is_file()]
        for rel in sorted(names):
            info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = _package.built_descriptor(root) if rel == _package.DESCRIPTOR else (root / rel).read_bytes()
            archive.writestr(info, data)
    return buffer.getvalue()


RELEASE_STAGES = 9


def export_release(out: Path, root: Path, on_stage: Stage = silent) -> list[Path]:
    """Write the release set of a source checkout to ``out``: the wheel and sdist, a zip of
    the CSV package, every Parquet file, the SQLite database with its Datasette metadata,
    the Stata zip and the workbook, the figures (with the figures extra), the content
    ``FINGERPRINT`` of the data, and ``SHA256SUMS`` over them all.

    The checkout is built first (``alliance-data build``), since its generated files are
    not committed; invalid data is refused before anything is written to ``out``.
    """
    from .build import build
    from .errors import BuildRefused

    if not (root / "pyproject.toml").is_file():
        raise ExportError(f"{root}: a release is built from a source checkout (with pyproject.toml); use --source")
    on_stage("build the checkout")
    try:
        build(root)
    except BuildRefused as refused:
        raise ExportError(f"{root}: the data has {len(refused.report.problems)} problems; run alliance-data validate {root}") from None
    version = _package.data_version(root)
    out.mkdir(parents=True, exist_ok=True)
    on_stage("wheel and sdist")
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run([sys.executable, "-m", "hatchling", "build", "-d", scratch], cwd=root, capture_output=True, text=True)
        if result.returncode != 0:
            raise ExportError(f"building the wheel and sdist failed (is hatchling installed?): {result.stderr.strip()[-400:]}")
        for built in sorted(Path(scratch).iterdir()):
            write_bytes_atomic(out / built.name, built.read_bytes())
    # Stable names (no version in them), so .../releases/latest/download/<name> always works;
    # the wheel and the sdist carry the version in their names, as packaging requires.
    on_stage("CSV zip")
    write_bytes_atomic(out / "alliance-data-csv.zip", _zip_of_csv_package(root, version))
    on_stage("Parquet files")
    export_parquet(out, root)
    on_stage("SQLite database")
    export_sqlite(out / SQLITE_NAME, root)
    from . import researchers

    on_stage("Stata files")
    write_bytes_atomic(out / "alliance-data-stata.zip", researchers.stata_zip(root))
    on_stage("workbook")
    write_bytes_atomic(out / "alliance-data.xlsx", researchers.xlsx_bytes(root))
    on_stage("figures")
    try:
        from . import figures

        figures.render(root, out)
    except ImportError:
        pass  # without matplotlib and networkx (the figures extra) a release has no pictures
    on_stage("fingerprint and checksums")
    write_text_atomic(out / FINGERPRINT, f"{_package.fingerprint(root)}  alliance-data {version}\n")
    files = sorted(p for p in out.iterdir() if p.is_file() and p.name != CHECKSUMS)
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files)
    write_text_atomic(out / CHECKSUMS, sums)
    return [*files, out / CHECKSUMS]
