"""Read a table's files into Arrow, typed by its Table Schema: the one place files are read.

The loader, provenance, build and the exports all read through here, so none of them
imports another to get at the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .dtypes import arrow_schema
from ._package import REBUILD
from .errors import NotBuilt
from .model import package

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pyarrow as pa

    from .model import Package, Table


BLOCK_SIZE = 8 << 20  # bytes of CSV parsed as one piece


def read_csv_bytes(raw: bytes, parse_options: Any, convert_options: Any, block_size: int | None = None) -> pa.Table:
    """Parse CSV bytes with Arrow in blocks, on every core where that is safe.

    A row longer than a block is an error in Arrow (never a wrong parse); the bytes are then
    parsed again as one block, so a cell of any size is read. Raises ``pyarrow.ArrowInvalid``
    for bytes that are not CSV of the given options.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    # pyarrow before 23 can hang when a read on several threads meets an error (a row longer than a block).
    threads = int(pa.__version__.split(".")[0]) >= 23

    def parse(size: int) -> pa.Table:
        return pcsv.read_csv(pa.py_buffer(raw), read_options=pcsv.ReadOptions(block_size=size, use_threads=threads),
                             parse_options=parse_options, convert_options=convert_options)

    first = block_size or BLOCK_SIZE
    if first <= len(raw):
        try:
            return parse(first)
        except pa.ArrowInvalid:
            pass  # a row longer than a block, or not CSV: the one-block read below tells which
    return parse(len(raw) + 1)


def read_csv_arrow(csv_path: Path | IO[bytes], table: Table) -> pa.Table:
    """Read a table's CSV (a path or a binary stream) into Arrow with the types of its schema (empty cell = null)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    schema = arrow_schema(table)
    raw = csv_path.read_bytes() if isinstance(csv_path, Path) else csv_path.read()

    def read(types: dict[str, pa.DataType]) -> pa.Table:
        return read_csv_bytes(raw, pcsv.ParseOptions(newlines_in_values=True), pcsv.ConvertOptions(
            column_types=types, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
            include_columns=schema.names))

    try:
        arrow = read({f.name: f.type for f in schema})
    except pa.ArrowInvalid:
        # Table Schema allows a sign on a number ("+365"), which Arrow's CSV parser refuses:
        # read the numbers as text, drop the sign, then cast (still an error for what is no number).
        numeric = {f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)}
        arrow = read({f.name: pa.string() if f.name in numeric else f.type for f in schema})
        for name in numeric:
            signless = pc.replace_substring_regex(arrow[name], r"^\+", "")
            arrow = arrow.set_column(arrow.schema.get_field_index(name), name, signless)
    return arrow.cast(schema)


def read_csv_text(csv_path: Path | IO[bytes], table: Table) -> pa.Table:
    """Read a table's CSV (a path or a binary stream) with every column as text, as the file
    holds it (empty cell = ``""``), whatever its schema's types and constraints."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    raw = csv_path.read_bytes() if isinstance(csv_path, Path) else csv_path.read()
    return read_csv_bytes(
        raw,
        pcsv.ParseOptions(newlines_in_values=True),
        pcsv.ConvertOptions(
            column_types={name: pa.string() for name in table.field_names},
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=table.field_names,
        ),
    )


def read_arrow(name: str, root: Path | None = None, columns: Sequence[str] | None = None) -> pa.Table:
    """Read table ``name`` as Arrow: from Parquet when built, else from its CSV."""
    return read_table(package(root), name, columns)


def read_table(model: Package, name: str, columns: Sequence[str] | None = None) -> pa.Table:
    """Read table ``name`` of an already built model (saves rebuilding it once per table)."""
    import pyarrow.parquet as pq

    parquet_path = model.parquet_path(name)
    if parquet_path.is_file():
        # ParquetFile reads one file directly; pq.read_table would go through pyarrow.dataset,
        # which imports pandas, and the Polars path must not.
        with pq.ParquetFile(parquet_path) as parquet:
            return parquet.read(columns=list(columns) if columns is not None else None)
    csv_path = model.csv_path(name)
    if model.table(name).derived and not csv_path.is_file():
        raise NotBuilt(f"{name} is generated and not built in {model.root}: {REBUILD}")
    arrow = read_csv_arrow(csv_path, model.table(name))
    return arrow.select(list(columns)) if columns is not None else arrow


def same_content(a: pa.Table, b: pa.Table) -> bool:
    """Equal column names, types and values (dictionaries compared by their values)."""
    import pyarrow as pa

    if a.schema.names != b.schema.names or a.num_rows != b.num_rows:
        return False
    for x, y in zip(a.columns, b.columns, strict=False):
        if x.type != y.type:
            return False
        if pa.types.is_dictionary(x.type):
            x, y = x.cast(x.type.value_type), y.cast(y.type.value_type)
        if not x.equals(y):
            return False
    return True
