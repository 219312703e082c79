"""Where a fact comes from: the sources and locators behind each record."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .model import package
from .rules import FACT_TABLES, FOUNDING_ARTICLE

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

SOURCE_COLUMNS = ["source_id", "kind", "title", "publisher_id", "relays", "url", "published", "reliability"]


def _cited_sources(table: str, root: Path | None = None) -> pa.Table:
    """Citations of ``table`` joined with their sources, in the order of the citations."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrow_io import read_arrow

    if table not in FACT_TABLES:
        raise ValueError(f"{table!r} has no citations; the cited tables are: {', '.join(FACT_TABLES)}")
    citations = read_arrow("citations", root)
    citations = citations.filter(pc.equal(citations["record_table"].cast(pa.string()), table))
    sources = read_arrow("sources", root, columns=SOURCE_COLUMNS)
    order = pa.array(range(citations.num_rows), pa.int64())
    joined = citations.append_column("_order", order).join(sources, "source_id", join_type="left outer")
    return joined.sort_by("_order").drop_columns(["_order"])


def sources_for(table: str, record_id: str) -> pd.DataFrame:
    """Return the sources behind one record, with where in each source to look.

    Parameters
    ----------
    table : str
        A table with citations: actors, agreements, events, trade_items,
        settlement_methods, frictions or observations.
    record_id : str
        The record's primary key, such as ``"gazprom-nioc-memorandum-2022"``.

    Returns
    -------
    pandas.DataFrame
        One row per citation: ``source_id``, ``locator``, ``stance``, ``note`` and the
        source's ``kind``, ``title``, ``publisher_id``, ``relays`` (the outlet it carries the
        report of), ``url``, ``published`` and ``reliability``.

    Raises
    ------
    KeyError
        If the table holds no record ``record_id``.

    Examples
    --------
    >>> import alliance_data
    >>> found = alliance_data.sources_for("agreements", "gazprom-nioc-memorandum-2022")
    >>> "dates_differently" in set(found["stance"])
    True
    """
    import pyarrow.compute as pc

    from .dtypes import to_pandas
    from .arrow_io import read_arrow

    if table not in FACT_TABLES:
        raise ValueError(f"{table!r} has no citations; the cited tables are: {', '.join(FACT_TABLES)}")
    model = package()
    key = model.table(table).primary_key[0]
    ids = read_arrow(table, columns=[key])[key]
    if not pc.any(pc.equal(ids, record_id)).as_py():
        raise KeyError(f"{table} has no record {record_id!r}")
    cited = _cited_sources(table)
    cited = cited.filter(pc.equal(cited["record_id"], record_id)).drop_columns(["record_table", "record_id"])
    columns = ["source_id", "locator", "stance", "note", *SOURCE_COLUMNS[1:]]
    return to_pandas(cited.select(columns), [*model.table("citations").fields, *model.table("sources").fields])


def citation_lists(table: str, ids: pa.Array, root: Path | None = None) -> pa.Array:
    """For each id, the list of its citations as structs (source, title, url, locator, stance)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cited = _cited_sources(table, root)
    names = ["source_id", "title", "url", "locator", "stance"]
    citation = pc.make_struct(*[cited[n].cast(pa.string()) for n in names], field_names=names)
    # Group by record: sort (stably, keeping citation order), then cut into lists.
    order = pc.sort_indices(cited["record_id"])
    record_ids = pc.take(cited["record_id"], order).combine_chunks()
    counts = pc.value_counts(record_ids)
    offsets = np.concatenate([[0], np.cumsum(counts.field("counts").to_numpy())]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), pc.take(citation, order).combine_chunks())
    position = pc.index_in(ids, value_set=counts.field("values"))
    return pc.take(lists, position)



def corroboration_counts(table: str, ids: pa.Array, root: Path | None = None) -> pa.Array:
    """For each id, how many independent originals other than the founding article support it.

    A source counts as the outlet it relays (a newspaper carrying a wire story counts as the
    wire), else as its publisher; two items of one outlet count once. Only ``supports``
    citations count.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cited = _cited_sources(table, root)
    cited = cited.filter(pc.and_(pc.equal(cited["stance"].cast(pa.string()), "supports"),
                                 pc.not_equal(cited["source_id"], FOUNDING_ARTICLE)))
    publisher = pc.coalesce(cited["relays"], cited["publisher_id"], cited["source_id"])
    pairs = pa.table({"record_id": cited["record_id"], "publisher": publisher}).group_by(["record_id", "publisher"]).aggregate([])
    counts = pairs.group_by("record_id").aggregate([("publisher", "count")])
    position = pc.index_in(ids, value_set=counts["record_id"])
    return pc.fill_null(pc.take(counts["publisher_count"], position), 0).cast(pa.int64())


def resting_on_the_article_alone(root: Path | None = None) -> list[tuple[str, int, int]]:
    """For each fact table: its name, its rows, and how many of them no source but the
    founding article supports (a ``corroborating_sources`` of 0)."""
    import pyarrow.compute as pc

    from .arrow_io import read_arrow

    model = package(root)
    if not {"citations", "sources"} <= set(model.table_names):
        return []
    counts = []
    for table in (t for t in FACT_TABLES if t in model.table_names):
        key = model.table(table).primary_key[0]
        ids = read_arrow(table, root, columns=[key])[key]
        alone = pc.sum(pc.equal(corroboration_counts(table, ids, root), 0)).as_py() or 0
        counts.append((table, len(ids), alone))
    return counts
