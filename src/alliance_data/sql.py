"""SQL over the bundled Parquet files, with DuckDB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _package

if TYPE_CHECKING:
    import duckdb


def connect(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """Return a DuckDB connection with every table as a view over its Parquet file, and
    ``timeline`` (see :func:`alliance_data.timeline`) as a table.

    Parameters
    ----------
    database : str, default ":memory:"
        Where DuckDB keeps its own state; the data stays in the bundled files.

    Returns
    -------
    duckdb.DuckDBPyConnection

    Raises
    ------
    ImportError
        If DuckDB is not installed; install it with ``pip install "alliance-data[duckdb]"``.

    Examples
    --------
    >>> import alliance_data
    >>> con = alliance_data.connect()
    >>> con.execute("select count(*) from agreements").fetchone()[0] > 0
    True
    """
    try:
        import duckdb
    except ImportError:
        raise ImportError(
            'alliance_data.connect() needs DuckDB: pip install "alliance-data[duckdb]"'
        ) from None
    connection = duckdb.connect(database)
    for name in _package.table_names():
        parquet = str(_package.table_path(name, "parquet")).replace("'", "''")
        connection.execute(f"create or replace view {name} as select * from read_parquet('{parquet}')")
    import pyarrow as pa

    from .history import TIMELINE_COLUMNS, timeline_rows

    line = pa.Table.from_pylist(timeline_rows(), schema=pa.schema([(c, pa.string()) for c in TIMELINE_COLUMNS]))
    connection.register("timeline_rows", line)
    connection.execute("create or replace table timeline as select * from timeline_rows")
    connection.unregister("timeline_rows")
    return connection
