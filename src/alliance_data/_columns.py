"""Vectorised lookups over Arrow columns of text, as the dicts and loops over rows they replace gave.

A table comes as read from its CSV, either every column as text (an empty cell ``""``) or
typed (an empty cell null, an enum dictionary-encoded): :func:`text` makes either one column
of text. A lookup by id finds the id's last row, as a dict built over the rows keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    import numpy as np
    import pyarrow as pa

    Array = np.ndarray[Any, Any]


def text(table: pa.Table, column: str) -> pa.Array:
    """``column`` of ``table`` as text: ``""`` for an empty cell and for a column the table lacks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column not in table.column_names:
        return pa.array([""] * table.num_rows, pa.string())
    values = table[column].combine_chunks()
    return pc.fill_null(values if values.type == pa.string() else values.cast(pa.string()), "")


def position(keys: pa.Array, among: pa.Array | list[str]) -> Array:
    """Each key's first row in ``among``, -1 where it is not there."""
    import pyarrow as pa
    import pyarrow.compute as pc

    among = among if isinstance(among, pa.Array) else pa.array(among, pa.string())
    found: Array = pc.fill_null(pc.index_in(keys, value_set=among), -1).to_numpy().astype("int64")
    return found


def last_position(keys: pa.Array, among: pa.Array) -> Array:
    """Each key's last row in ``among``, -1 where it is not there."""
    import numpy as np

    found = position(keys, among.take(np.arange(len(among) - 1, -1, -1)))
    return np.where(found >= 0, len(among) - 1 - found, -1)


def dict_rows(ids: pa.Array) -> Array:
    """The rows a dict keyed by ``ids`` keeps: each id's last row, in the order the ids first appear."""
    import numpy as np

    first = position(ids, ids)
    kept: Array = last_position(ids, ids)[first == np.arange(len(ids))]
    return kept


def take(values: pa.Array, rows: Array, default: Any = None) -> pa.Array:
    """``values`` at ``rows`` (numbers), null or ``default`` where a row is -1."""
    import pyarrow as pa
    import pyarrow.compute as pc

    taken = values.take(pa.array(rows, pa.int64(), mask=rows < 0))
    return taken if default is None else pc.fill_null(taken, default)


def among(values: pa.Array, allowed: str | Collection[str]) -> Array:
    """Whether each value is ``allowed`` (one text, or any of a collection), as numpy booleans."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.equal(values, allowed) if isinstance(allowed, str) else pc.is_in(values, value_set=pa.array(sorted(allowed), pa.string()))
    flags: Array = found.to_numpy(zero_copy_only=False)
    return flags


def place(values: pa.Array, order: tuple[str, ...], where: Array | None = None) -> Array:
    """Each value's place in ``order``. A value outside it (in a row ``where`` selects) raises
    ``ValueError``, as ``order.index(value)`` does."""
    import numpy as np

    found = position(values, list(order))
    missing = np.flatnonzero(found < 0 if where is None else where & (found < 0))
    if len(missing):
        raise ValueError(f"{values[int(missing[0])].as_py()!r} is not one of {', '.join(order)}")
    return found


def any_in(groups: Array, where: Array, size: int) -> Array:
    """For each of ``size`` groups, whether ``where`` selects a row of it (``groups``: each row's group, -1 for none)."""
    import numpy as np

    out = np.zeros(size, dtype=bool)
    out[groups[where & (groups >= 0)]] = True
    return out


def each_distinct(values: pa.Array, function: Callable[[str], str]) -> pa.Array:
    """``function`` of each value, called once per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    distinct = pc.unique(values)
    return pa.array([function(v) for v in distinct.to_pylist()], pa.string()).take(pc.index_in(values, value_set=distinct))
