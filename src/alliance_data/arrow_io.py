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
    from collections.abc import Iterator, Sequence

    import pyarrow as pa

    from .model import Package, Table


BLOCK_SIZE = 8 << 20  # bytes of CSV parsed as one piece
BATCH_ROWS = 10_000  # rows a streaming read hands over at a time


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


def _csv_options(schema: pa.Schema, as_text: frozenset[str] = frozenset()) -> tuple[Any, Any]:
    """How a table's CSV is parsed and converted: the types of its schema (the columns
    ``as_text`` as text), an empty cell null."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    return pcsv.ParseOptions(newlines_in_values=True), pcsv.ConvertOptions(
        column_types={f.name: pa.string() if f.name in as_text else f.type for f in schema},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        include_columns=schema.names,
    )


def _numeric(schema: pa.Schema) -> frozenset[str]:
    """The columns of ``schema`` that hold numbers."""
    import pyarrow as pa

    return frozenset(f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type))


def _without_signs(arrow: pa.Table, names: frozenset[str]) -> pa.Table:
    """``arrow`` with a leading ``+`` dropped from the text of the columns ``names``."""
    import pyarrow.compute as pc

    for name in names:
        arrow = arrow.set_column(arrow.schema.get_field_index(name), name, pc.replace_substring_regex(arrow[name], r"^\+", ""))
    return arrow


def read_csv_arrow(csv_path: Path | IO[bytes], table: Table) -> pa.Table:
    """Read a table's CSV (a path or a binary stream) into Arrow with the types of its schema (empty cell = null)."""
    import pyarrow as pa

    schema = arrow_schema(table)
    raw = csv_path.read_bytes() if isinstance(csv_path, Path) else csv_path.read()
    try:
        arrow = read_csv_bytes(raw, *_csv_options(schema))
    except pa.ArrowInvalid:
        # Table Schema allows a sign on a number ("+365"), which Arrow's CSV parser refuses:
        # read the numbers as text, drop the sign, then cast (still an error for what is no number).
        numeric = _numeric(schema)
        arrow = _without_signs(read_csv_bytes(raw, *_csv_options(schema, numeric)), numeric)
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


def _file_of(model: Package, name: str) -> Path:
    """The file table ``name`` is read from: its Parquet file when built, else its CSV."""
    parquet_path = model.parquet_path(name)
    if parquet_path.is_file():
        return parquet_path
    csv_path = model.csv_path(name)
    if model.table(name).derived and not csv_path.is_file():
        raise NotBuilt(f"{name} is generated and not built in {model.root}: {REBUILD}")
    return csv_path


def read_table(model: Package, name: str, columns: Sequence[str] | None = None) -> pa.Table:
    """Read table ``name`` of an already built model (saves rebuilding it once per table)."""
    import pyarrow.parquet as pq

    path = _file_of(model, name)
    if path == model.parquet_path(name):
        # ParquetFile reads one file directly; pq.read_table would go through pyarrow.dataset,
        # which imports pandas, and the Polars path must not.
        with pq.ParquetFile(path) as parquet:
            return parquet.read(columns=list(columns) if columns is not None else None)
    arrow = read_csv_arrow(path, model.table(name))
    return arrow.select(list(columns)) if columns is not None else arrow


def longest_row(path: Path, chunk: int = 1 << 20) -> int:
    """The length in bytes of the longest row of a CSV file, read a piece at a time.

    A row ends at a newline outside quotes: one after an even number of ``"`` since the
    start of the file (an escaped quote, ``""``, counts twice and so changes nothing).
    """
    import numpy as np

    longest, end, quotes, offset = 0, -1, 0, 0
    with path.open("rb") as stream:
        while data := stream.read(chunk):
            piece = np.frombuffer(data, dtype=np.uint8)
            outside = (np.cumsum(piece == ord('"'), dtype=np.int64) + quotes) % 2 == 0
            ends = np.flatnonzero((piece == ord("\n")) & outside) + offset
            if ends.size:
                longest = max(longest, int(np.diff(ends, prepend=end).max()))
                end = int(ends[-1])
            quotes = 0 if outside[-1] else 1
            offset += len(data)
    return max(longest, offset - 1 - end)


def _csv_batches(csv_path: Path, table: Table, batch_rows: int) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    schema = arrow_schema(table)
    # Arrow parses a block at a time and fails on a row longer than a block: make every row fit.
    block = BLOCK_SIZE + longest_row(csv_path)
    # Numbers are read as text and cast after dropping a sign ("+365"), which Arrow's parser refuses.
    numeric = _numeric(schema)
    reader = pcsv.open_csv(csv_path, pcsv.ReadOptions(block_size=block), *_csv_options(schema, numeric))
    for batch in reader:
        yield from _without_signs(pa.Table.from_batches([batch]), numeric).cast(schema).to_batches(max_chunksize=batch_rows)


def iter_batches(model: Package, name: str, batch_rows: int | None = None) -> Iterator[pa.RecordBatch]:
    """Read table ``name`` a batch of rows at a time, typed as :func:`read_table` types it.

    From Parquet when built, else from its CSV, so that memory holds one batch, never the table.

    Parameters
    ----------
    model : Package
        The package the table belongs to.
    name : str
        The table.
    batch_rows : int, optional
        The most rows in one batch; by default ``BATCH_ROWS``.

    Yields
    ------
    pyarrow.RecordBatch
        The rows, in the order of the file.

    Raises
    ------
    NotBuilt
        The table is generated and has not been built.
    """
    import pyarrow.parquet as pq

    rows = batch_rows or BATCH_ROWS
    path = _file_of(model, name)
    if path == model.parquet_path(name):
        with pq.ParquetFile(path) as parquet:
            yield from parquet.iter_batches(batch_size=rows)
    else:
        yield from _csv_batches(path, model.table(name), rows)


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
