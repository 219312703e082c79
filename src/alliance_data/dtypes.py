"""Arrow, pandas, pandera and SQLite types derived from the model's fields (Stata's follow
the pandas ones).

Every column type in the package comes from here: enums become dictionary-encoded
(pandas ``category``) columns with exactly the schema's categories, integers nullable
``int64``/``Int64``, numbers ``float64``, booleans nullable ``boolean``, dates ``date32``,
everything else string.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd
    import pyarrow as pa

    from .model import Field, Table


def pandas_dtype(field: Field) -> Any:
    """The pandas dtype of a field (what :func:`to_pandas` gives and the pandera schemas
    check): enums ``category`` with every allowed value, integers ``Int64``."""
    import pandas as pd
    import pyarrow as pa

    if field.enum is not None:
        return pd.CategoricalDtype(list(field.enum))
    types = {"integer": pd.Int64Dtype(), "year": pd.Int64Dtype(), "number": "float64", "boolean": pd.BooleanDtype(),
             "date": pd.ArrowDtype(pa.date32())}
    return types.get(field.type, pd.StringDtype("pyarrow"))


def sqlite_type(field: Field) -> type:
    """The Python type sqlite-utils makes a column of (INTEGER, REAL or TEXT)."""
    return {"integer": int, "year": int, "number": float}.get(field.type, str)


def arrow_type(field: Field) -> pa.DataType:
    """Return the Arrow type of a field."""
    import pyarrow as pa

    if field.enum is not None:
        return pa.dictionary(pa.int32(), pa.string())
    types = {"integer": pa.int64(), "year": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32()}
    return types.get(field.type, pa.string())


def arrow_schema(table: Table) -> pa.Schema:
    """Return the Arrow schema of a table: one field per column, described.

    Each field's description is kept in its Arrow field metadata and the whole Table
    Schema in the schema's key/value metadata, so a Parquet file documents itself.
    """
    import pyarrow as pa

    fields = [pa.field(f.name, arrow_type(f), nullable=f.nullable, metadata={"description": f.description})
              for f in table.fields]
    metadata = {"table_schema": json.dumps(dict(table.schema), ensure_ascii=False, sort_keys=True)}
    return pa.schema(fields, metadata=metadata)


def to_pandas(table: pa.Table, fields: Iterable[Field]) -> pd.DataFrame:
    """Convert an Arrow table to pandas with the dtypes its fields imply.

    Enums become ``category`` with every allowed value as a category (not only those
    present), integers nullable ``Int64``, text ``string[pyarrow]``.
    """
    import pandas as pd
    import pyarrow as pa

    string_dtype = pd.StringDtype("pyarrow")
    mapping = {
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.date32(): pd.ArrowDtype(pa.date32()),
        pa.string(): string_dtype,
        pa.large_string(): string_dtype,
    }
    def pandas_type(arrow: pa.DataType) -> Any:
        # Nested columns (lists of citations) stay typed Arrow rather than object.
        return mapping.get(arrow) or (pd.ArrowDtype(arrow) if pa.types.is_nested(arrow) else None)

    frame = table.to_pandas(types_mapper=pandas_type)
    for f in fields:
        if f.enum is not None and f.name in frame.columns:
            frame[f.name] = frame[f.name].cat.set_categories(list(f.enum))
    return frame
