"""Read a table's files into Arrow, typed by its Table Schema: the one place files are read.

The loader, provenance, build and the exports all read through here, so none of them
imports another to get at the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

from .dtypes import arrow_schema
from .model import package

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pyarrow as pa

    from .model import Package, Table


def read_csv_arrow(csv_path: Path | IO[bytes], table: Table) -> pa.Table:
    """Read a table's CSV (a path or a binary stream) into Arrow with the types of its schema (empty cell = null)."""
    import pyarrow.csv as pcsv

    schema = arrow_schema(table)
    arrow = pcsv.read_csv(
        csv_path,
        read_options=pcsv.ReadOptions(use_threads=True),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types={f.name: f.type for f in schema},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            include_columns=schema.names,
        ),
    )
    return arrow.cast(schema)


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
    arrow = read_csv_arrow(model.csv_path(name), model.table(name))
    return arrow.select(list(columns)) if columns is not None else arrow
