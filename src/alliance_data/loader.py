"""Load the tables into pandas, typed by their Table Schemas."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from . import _package
from .arrow_io import read_table
from .dtypes import to_pandas
from .errors import require
from .model import package

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from .model import Package, Table


def tables() -> list[str]:
    """Return the names of the tables, in the order of ``datapackage.json``.

    Examples
    --------
    >>> import alliance_data
    >>> "agreements" in alliance_data.tables()
    True
    """
    return package().table_names


def path(name: str, format: Literal["csv", "parquet"] = "parquet") -> Path:
    """Return the path of a bundled table file.

    Parameters
    ----------
    name : str
        A table name, one of :func:`tables`.
    format : {"parquet", "csv"}
        Which file to return.

    Returns
    -------
    pathlib.Path
        The file inside the installed package (or the repository, for a checkout).
    """
    return _package.table_path(name, format)


@overload
def load(name: str, *, columns: Sequence[str] | None = ..., validate: bool = ..., with_sources: bool = ...,
         backend: Literal["pandas"] = ...) -> pd.DataFrame: ...
@overload
def load(name: str, *, columns: Sequence[str] | None = ..., validate: bool = ..., with_sources: bool = ...,
         backend: Literal["polars"]) -> pl.DataFrame: ...
def load(
    name: str,
    *,
    columns: Sequence[str] | None = None,
    validate: bool = False,
    with_sources: bool = False,
    backend: Literal["pandas", "polars"] = "pandas",
) -> pd.DataFrame | pl.DataFrame:
    """Load one table as a DataFrame.

    Parameters
    ----------
    name : str
        A table name, one of :func:`tables`.
    columns : sequence of str, optional
        Read only these columns.
    validate : bool, default False
        Check the frame against :func:`schema` before returning it (pandas only).
    with_sources : bool, default False
        Add a ``citations`` column: for each row, the list of its citations, each with
        ``source_id``, ``title``, ``url``, ``locator`` and ``stance``; and a
        ``corroborating_sources`` column: how many independent originals (a relay
        counts as the outlet it relays) other than the founding article support the row, so
        ``frame[frame.corroborating_sources > 0]`` keeps the corroborated rows. Only for
        the tables that carry citations.
    backend : {"pandas", "polars"}, default "pandas"
        Return a pandas or a Polars DataFrame (``pip install "alliance-data[polars]"``).

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        Enums as ``category`` (Polars: ``Enum``) with the schema's categories, optional
        integers as ``Int64``, text as ``string`` (Polars: ``String``), numbers as
        ``float64``. Partial dates stay text at their precision; use :func:`year` to
        filter by year.

    Raises
    ------
    KeyError
        If ``name`` is not a table; the message lists the valid names.

    Examples
    --------
    >>> import alliance_data
    >>> agreements = alliance_data.load("agreements")
    >>> bool((agreements["evidence"] == "confirmed").any())
    True
    """
    return _load(package(), name, columns, validate, with_sources, backend)


def _load(model: Package, name: str, columns: Sequence[str] | None, validate: bool, with_sources: bool, backend: str) -> Any:
    table_model = model.table(name)
    if backend not in ("pandas", "polars"):
        raise ValueError(f"backend must be 'pandas' or 'polars', not {backend!r}")
    for column in columns or ():
        table_model.field(column)  # a KeyError naming the columns
    parquet_path = model.parquet_path(name)
    if backend == "polars" and not (validate or with_sources) and parquet_path.is_file():
        return _read_polars(parquet_path, table_model, columns)
    table = read_table(model, name) if (validate or with_sources) else read_table(model, name, columns)
    if with_sources:
        from .provenance import citation_lists, corroboration_counts

        key = table_model.primary_key[0]
        table = table.append_column("citations", citation_lists(name, table[key]))
        table = table.append_column("corroborating_sources", corroboration_counts(name, table[key]))
    if backend == "polars":
        if validate:
            raise ValueError("validate=True works with the pandas backend")
        return _to_polars(table, table_model, columns, with_sources)
    if validate:
        from .pandera_schema import schema

        frame = to_pandas(table.drop_columns(["citations", "corroborating_sources"]) if with_sources else table, table_model.fields)
        schema(name).validate(frame, lazy=True)
    frame = to_pandas(table, table_model.fields)
    if columns is not None:
        frame = frame[list(columns) + (["citations", "corroborating_sources"] if with_sources else [])]
    return frame


def _read_polars(parquet_path: Path, table_model: Table, columns: Sequence[str] | None) -> pl.DataFrame:
    """A table straight from its Parquet file with Polars' own reader (no pyarrow, no pandas)."""
    polars = require("polars", "polars", 'backend="polars"')
    frame = polars.read_parquet(parquet_path, columns=list(columns) if columns is not None else None)
    casted: pl.DataFrame = frame.with_columns(**_enum_casts(frame.columns, table_model))
    return casted


def _enum_casts(names: list[str], table_model: Table) -> dict[str, Any]:
    """Each enum column as pl.Enum with the schema's values, in the schema's order."""
    import polars as pl

    return {name: pl.col(name).cast(pl.String).cast(pl.Enum([str(v) for v in values]))
            for name, values in table_model.enums.items() if name in names}


def _to_polars(table: pa.Table, table_model: Table, columns: Sequence[str] | None, with_sources: bool) -> pl.DataFrame:
    polars = require("polars", "polars", 'backend="polars"')
    frame: pl.DataFrame = polars.from_arrow(table)
    assert isinstance(frame, polars.DataFrame)  # a table, not one column, goes in
    casts = _enum_casts(frame.columns, table_model)
    frame = frame.with_columns(**casts) if casts else frame
    if columns is not None:
        frame = frame.select([*columns, *(["citations", "corroborating_sources"] if with_sources else [])])
    return frame


def load_all() -> dict[str, pd.DataFrame]:
    """Load every table; return a dict from table name to DataFrame."""
    model = package()  # built once, not once per table
    return {name: _load(model, name, None, False, False, "pandas") for name in model.table_names}


def year(values: pd.Series) -> pd.Series:
    """Return the year (``Int64``) of partial dates or periods such as ``2023-05``.

    Examples
    --------
    >>> import alliance_data
    >>> agreements = alliance_data.load("agreements")
    >>> recent = agreements[alliance_data.year(agreements["signed"]) >= 2023]
    """
    return values.astype("string").str.slice(0, 4).astype("Int64")
