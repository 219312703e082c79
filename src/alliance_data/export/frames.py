"""Every table as a typed pandas frame, for the formats written through pandas (Stata, Excel)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import derived
from ..model import package

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import pandas as pd

    # What frames() yields: each table's name, its frame and its columns' descriptions.
    Frames = Iterable[tuple[str, pd.DataFrame, dict[str, str]]]


def frames(root: Path | None = None) -> Iterator[tuple[str, pd.DataFrame, dict[str, str]]]:
    """Every table and ``agreements_wide`` as typed pandas frames, one at a time.

    One at a time, so that a writer that is done with a table lets it go before the next is read.

    Parameters
    ----------
    root : Path, optional
        The data package; by default the bundled data.

    Yields
    ------
    tuple of (str, pandas.DataFrame, dict)
        The table's name, its frame and each column's description, in the package's order,
        ``agreements_wide`` last.
    """
    from ..arrow_io import read_arrow
    from ..dtypes import to_pandas

    model = package(root)
    for table in model.tables:
        yield table.name, to_pandas(read_arrow(table.name, root), table.fields), {f.name: f.description for f in table.fields}
    wide = derived.agreements_wide(root)
    descriptions = {f.name: f.metadata[b"description"].decode() for f in wide.schema}
    # The agreement's own fields: its enums keep every category, hence their Stata value labels.
    yield derived.AGREEMENTS_WIDE, to_pandas(wide, model.table("agreements").fields), descriptions
