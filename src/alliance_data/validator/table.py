"""A table as the checks see it (its text cells, physical lines and what passed), and the
collector that turns flagged rows into problems, listing at most :data:`MAX_PER_FIELD` of a kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING

from .report import MAX_PER_FIELD, Problem

if TYPE_CHECKING:

    import numpy as np
    import pyarrow as pa

    from ..model import Table


@dataclass
class CheckedTable:
    """One table read as text cells, with what its checks found."""

    name: str
    rel: str
    model: Table  # the schema, typed: built once its shape has been checked
    strings: pa.Table
    lines: np.ndarray
    valid: dict[str, pa.Array | None]  # per column, per row: the cell passed its checks (None: all did)
    problems: list[Problem]
    digest: str = ""  # sha256 of the file as read
    size: int = 0
    codes: dict[str, tuple[pa.Array, pa.Array]] = dataclass_field(default_factory=dict)  # distinct values, row indices


class Collector:
    """Collects problems for one column, listing at most MAX_PER_FIELD of each kind."""

    def __init__(self, out: list[Problem], rel: str, lines: np.ndarray) -> None:
        self.out, self.rel, self.lines = out, rel, lines

    def rows(self, field_name: str, code: str, bad: pa.Array, describe: Callable[..., str]) -> None:
        """A problem with ``code`` for each row flagged in ``bad``, described by ``describe(row)``."""
        import numpy as np
        import pyarrow.compute as pc

        bad = pc.fill_null(bad, False)
        if not pc.any(bad).as_py():
            return
        indices = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
        for i in indices[:MAX_PER_FIELD]:
            self.out.append(Problem(self.rel, int(self.lines[i]), field_name, describe(int(i)), code))
        if len(indices) > MAX_PER_FIELD:
            rest = len(indices) - MAX_PER_FIELD
            self.out.append(Problem(self.rel, int(self.lines[indices[MAX_PER_FIELD]]), field_name, f"... and {rest} more like the above", code, more=rest))


def column(strings: pa.Table, name: str) -> pa.Array:
    """One column of text cells as a single array."""
    import pyarrow as pa

    return strings[name].combine_chunks() if strings.num_rows else pa.array([], pa.string())
