"""SQL over the bundled Parquet files, with DuckDB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _package
from .errors import NotBuilt, require

if TYPE_CHECKING:
    import duckdb


# The timeline of alliance_data.timeline() as a view over the table views, so connect()
# costs no more than the views themselves (a test checks the two give the same rows).
TIMELINE_SQL = """
create or replace view timeline as
with dated as (
    select date, 'event' as what, 'events' as "table", event_id as record_id, cast(kind as varchar) as kind,
           cast(evidence as varchar) as evidence, summary from events
    union all
    select signed, 'signed', 'agreements', agreement_id, cast(kind as varchar), cast(evidence as varchar), title
    from agreements where signed is not null
    union all
    select start, 'start', 'agreements', agreement_id, cast(kind as varchar), cast(evidence as varchar), title
    from agreements where start is not null
    union all
    select "end", 'end', 'agreements', agreement_id, cast(kind as varchar), cast(evidence as varchar), title
    from agreements where "end" is not null
    union all
    select coalesce(stated_on, split_part(period, '/', 1)), 'observation', 'observations', observation_id,
           cast(indicator as varchar), cast(evidence as varchar),
           cast(indicator as varchar) || ' ' || period || ': ' || cast(value as varchar) || ' ' || cast(unit as varchar)
           || ' (' || cast(qualifier as varchar) || ')'
    from observations
)
select date, case length(date) when 4 then 'year' when 7 then 'month' else 'day' end as precision,
       what, "table", record_id, kind, evidence, summary
from dated order by date, "table", record_id, what
"""


def connect(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """Return a DuckDB connection with every table as a view over its Parquet file, and
    ``timeline`` (see :func:`alliance_data.timeline`) as a view.

    Parameters
    ----------
    database : str, default ":memory:"
        Where DuckDB keeps its own state; the data stays in the bundled files.

    Returns
    -------
    duckdb.DuckDBPyConnection

    Raises
    ------
    MissingDependency
        If DuckDB is not installed (an ``ImportError`` too); install it with ``pip install "alliance-data[duckdb]"``.

    Raises
    ------
    NotBuilt
        If a Parquet file is missing (an unbuilt checkout: run ``alliance-data build .``).

    Examples
    --------
    >>> import alliance_data
    >>> con = alliance_data.connect()
    >>> con.execute("select count(*) from agreements").fetchone()[0] > 0
    True
    """
    duckdb = require("duckdb", "duckdb", "alliance_data.connect()")
    connection = duckdb.connect(database)
    # Names and file paths only: no schema is needed, so none is parsed. One script, not a
    # call per view: each call into DuckDB has a fixed cost that showed in the benchmark.
    views = []
    for name in _package.table_names():
        path = _package.table_path(name, "parquet")
        if not path.is_file():
            connection.close()
            raise NotBuilt(f"{path.name} is not built: run `alliance-data build .` in {path.parent.parent} (it validates, then regenerates)")
        parquet = str(path).replace("'", "''")
        views.append(f"create or replace view {name} as select * from read_parquet('{parquet}');")
    connection.execute("\n".join([*views, TIMELINE_SQL]))
    return connection  # type: ignore[no-any-return]  # duckdb is imported by name, so typed Any here
