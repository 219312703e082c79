"""Full-text search over every table, offline: SQLite's FTS5 with English stemming."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Literal, overload

from . import derived
from .model import package

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from .model import Table

COLUMNS = ["table", "id", "field", "snippet"]


def _text_fields(table: Table) -> list[str]:
    """The free-text fields of a table: strings that are neither keys, codes, dates nor enums."""
    return [f.name for f in table.fields
            if f.type == "string" and f.name not in table.primary_key and not f.enum and not f.pattern]


def search_rows(query: str) -> list[dict[str, str]]:
    """The matches of ``query`` as dicts (table, id, field, snippet), best first."""
    if not isinstance(query, str) or not query.strip():
        raise ValueError("search needs some words to look for, such as search('drone')")
    connection = sqlite3.connect(":memory:")
    # porter: English stemming (drone finds drones); unicode61: case- and accent-blind words.
    connection.execute("create virtual table cells using fts5(tbl unindexed, id unindexed, field unindexed, body, "
                       "tokenize = 'porter unicode61 remove_diacritics 2')")
    for table in package().tables:
        name, key = table.name, table.primary_key
        if table.derived:  # the panels hold counts, no text to search
            continue
        fields = _text_fields(table)
        if not fields or not key:
            continue
        rows = [(name, ",".join(row[k] for k in key), field, row[field])
                for row in derived.read_rows(name) for field in fields if row[field]]
        connection.executemany("insert into cells values (?, ?, ?, ?)", rows)
    # Each word is quoted, so punctuation in a query is never read as FTS5 syntax.
    words = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
    found = connection.execute(
        "select tbl, id, field, snippet(cells, 3, '[', ']', '…', 12) from cells where cells match ? order by rank, tbl, id, field",
        (words,)).fetchall()
    connection.close()
    return [dict(zip(COLUMNS, row, strict=False)) for row in found]


@overload
def search(query: str, *, backend: Literal["pandas"] = ...) -> pd.DataFrame: ...
@overload
def search(query: str, *, backend: Literal["polars"]) -> pl.DataFrame: ...
def search(query: str, *, backend: Literal["pandas", "polars"] = "pandas") -> pd.DataFrame | pl.DataFrame:
    """Find rows of every table whose text mentions all the words of ``query``.

    English words match their other forms (``drone`` finds "drones", ``sign`` finds
    "signed"); case and accents are ignored. Nothing is fetched: the index is built in
    memory from the bundled tables with SQLite's FTS5, part of Python.

    Parameters
    ----------
    query : str
        One or more words; a row matches when its text holds all of them.
    backend : {"pandas", "polars"}, default "pandas"

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        ``table``, ``id`` (the row's primary key; parts joined by commas), ``field`` and
        ``snippet`` (the matching words in brackets), best matches first.

    Examples
    --------
    >>> import alliance_data
    >>> hits = alliance_data.search("drone")
    >>> "iran-drone-supply-to-russia" in set(hits["id"])
    True
    """
    rows = search_rows(query)
    if backend == "polars":
        import polars as pl

        return pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS})
    if backend != "pandas":
        raise ValueError(f"backend must be 'pandas' or 'polars', not {backend!r}")
    import pandas as pd

    return pd.DataFrame(rows, columns=COLUMNS).astype("string")
