"""Vectorised helpers over Arrow arrays of text cells: distinct values, numbers written one way,
bounds, NFC, and repeats (with the line each repeat first appeared on)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .profile import TYPE_SHAPES
from .table import CheckedTable, Collector, column

if TYPE_CHECKING:
    import pyarrow as pa


def distinct(values: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """The distinct values of a column and each row's index into them.

    Checking distinct values pays off for columns that repeat (enums, dates, codes);
    for a column of mostly different values (identifiers, titles), judged from its
    first rows, the rows themselves are checked and the indices are None.
    """
    sample = values.slice(0, 2000)
    if len(sample) > 100 and len(sample.unique()) > 0.5 * len(sample):
        return values, None
    encoded = values.dictionary_encode()
    return encoded.dictionary, encoded.indices


def canonical_numbers(values: pa.Array, kind: str) -> pa.Array:
    """Each well-formed number written one way (``01`` and ``+1`` as ``1``); other text as it is.

    Runs over distinct values, which are few in a column of numbers that repeat.
    """
    import pyarrow as pa

    shape = re.compile(TYPE_SHAPES[kind][0] or "")
    out = []
    for text in values.to_pylist():
        if text is None or not shape.match(text):
            out.append(text)
        elif kind == "integer":
            out.append(str(int(text)))
        else:
            out.append(repr(float(text)))
    return pa.array(out, pa.string())


def beyond(values: pa.Array, bound: float | int, kind: str, lower: bool) -> pa.Array:
    """Per value, whether it lies beyond ``bound``. Compared as floats, which is exact for
    numbers and for integers of up to 15 digits; longer integers are compared exactly in Python."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    compare = pc.less if lower else pc.greater
    flags = pc.fill_null(compare(pc.cast(values, pa.float64()), float(bound)), False)
    if kind == "number":
        return flags
    long = pc.fill_null(pc.greater(pc.utf8_length(values), 15), False)
    if abs(bound) < 2**53 and not pc.any(long).as_py():
        return flags
    out = flags.to_numpy(zero_copy_only=False).copy()
    for i in np.flatnonzero(pc.or_(long, pa.array([abs(bound) >= 2**53] * len(values))).to_numpy(zero_copy_only=False)):
        text = values[int(i)].as_py()
        out[i] = text not in (None, "") and (int(text) < bound if lower else int(text) > bound)
    return pa.array(out, pa.bool_())


def not_nfc(values: pa.Array) -> pa.Array:
    """Flag the values that are not NFC-normalized Unicode.

    Only non-ASCII values can be, and they are few, so Python's own ``unicodedata``
    judges them (pyarrow's utf8_normalize gives NFD for NFC in some versions).
    """
    import unicodedata

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    flags = np.zeros(len(values), dtype=bool)
    non_ascii = pc.indices_nonzero(pc.invert(pc.string_is_ascii(values))).to_numpy()
    if len(non_ascii):
        texts = pc.take(values, pa.array(non_ascii)).to_pylist()
        flags[non_ascii] = [not unicodedata.is_normalized("NFC", text) for text in texts]
    return pa.array(flags)


def has_repeats(rows: pa.Array, values: pa.Array, indices: pa.Array | None) -> bool:
    """Whether a non-empty value occurs twice among ``rows`` (given as distinct ``values`` and ``indices``)."""
    import pyarrow.compute as pc

    if indices is None:
        filled = pc.filter(rows, pc.not_equal(rows, ""))
        return len(pc.unique(filled)) < len(filled)
    empty = pc.index(values, "").as_py()
    empty_rows = 0 if empty < 0 else pc.sum(pc.equal(indices, empty)).as_py()
    return bool(len(values) - (empty >= 0) < len(rows) - empty_rows)


def compared_joined(table: CheckedTable, names: Sequence[str]) -> pa.Array:
    """Several key fields' cells joined per row by the unit separator, each as its type compares
    it (from the codes the cell checks keep: "01" and "1" are one integer, "TRUE" and "true" one boolean)."""
    import pyarrow.compute as pc

    def compared(name: str) -> pa.Array:
        if name not in table.codes:
            return column(table.strings, name)
        values, indices = table.codes[name]
        return values if indices is None else pc.take(values, indices)

    if len(names) == 1:
        return compared(names[0])
    return pc.binary_join_element_wise(*[compared(n) for n in names], "\x1f")


def composite_repeats(table: CheckedTable, names: list[str]) -> bool:
    """Whether some combination of the fields repeats, from their dictionary codes.

    The codes of the fields are packed into one integer per row (mixed radix), which
    is far cheaper to check than joined strings; very wide keys fall back to strings.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    radix = [len(table.codes[n][0]) for n in names]
    if float(np.prod([float(r) for r in radix])) >= 2.0**62 or any(table.codes[n][1] is None for n in names):
        keys = compared_joined(table, names)  # very wide, or a field of mostly different values
        return len(pc.unique(keys)) < len(keys)
    packed = np.zeros(table.strings.num_rows, dtype=np.int64)
    for name, size in zip(names, radix, strict=False):
        packed = packed * size + table.codes[name][1].to_numpy(zero_copy_only=False).astype(np.int64)
    return len(pc.unique(pa.array(packed))) < len(packed)


def duplicates(collect: Collector, label: str, code: str, values: pa.Array, filled: pa.Array, describe: Callable[[int], str]) -> None:
    """Flag every repeat of a value, naming the line where it first appears."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(values)
    if n < 2:
        return
    # A stable sort keeps equal values in row order, so each group's first row is the original.
    order = pc.sort_indices(values).to_numpy()
    ordered = values.take(pa.array(order))
    same = pc.equal(ordered.slice(1), ordered.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    starts = np.r_[True, ~same]
    first_in_sorted = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    first_row = np.empty(n, dtype=np.int64)
    first_row[order] = order[first_in_sorted]
    repeat = np.zeros(n, dtype=bool)
    repeat[order[~starts]] = True
    bad = pc.and_(pa.array(repeat), filled)
    lines = collect.lines
    collect.rows(label, code, bad, lambda i: f"{describe(i)} (first on line {int(lines[first_row[i]])})")
