"""Stata files: every table plus the flat ``agreements_wide``, typed and labelled from the
Table Schemas. Where Stata cannot hold something, the rule is stated here and in the README,
and nothing is dropped silently."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from .. import _package
from .._io import write_bytes_atomic
from ..errors import CannotRepresent
from .frames import frames

if TYPE_CHECKING:
    import pandas as pd

    from .frames import Frames

STATA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
# A file's header carries a time stamp: a fixed one (as the release zips' entries have) makes the
# bytes depend on the data alone, so two exports of one version are the same file.
TIME_STAMP = datetime.datetime(2000, 1, 1)
STATA_LABEL = 80  # characters in a variable or data label
STATA_STR = 2045  # longer text is written as strL, Stata's long-string type
STATA_EXACT = 2**53  # the largest integer a Stata double (Stata has no 64-bit integer) holds exactly


def stata_names(columns: list[str]) -> dict[str, str]:
    """Stata names for columns: up to 32 letters, digits or underscores, not starting with a
    digit and not a word Stata reserves (``end`` becomes ``_end``); a longer or odd name is
    cut and, if that collides, numbered. The variable label keeps the original name.

    Parameters
    ----------
    columns : list of str
        The column names, in order.

    Returns
    -------
    dict
        Each column's Stata name.
    """
    from pandas.io.stata import StataParser

    reserved = StataParser().RESERVED_WORDS
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = column if STATA_NAME.match(column) else re.sub(r"[^A-Za-z0-9_]", "_", column)
        if not re.match(r"^[A-Za-z_]", name) or name in reserved:
            name = "_" + name
        name = name[:32]
        number = 1
        while name in taken:
            suffix = f"_{number}"
            name, number = name[:32 - len(suffix)] + suffix, number + 1
        taken.add(name)
        names[column] = name
    return names


def _label(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _refuse_inexact(column: pd.Series, where: str) -> None:
    """Stata has no 64-bit integer: a double holds integers exactly up to 2**53, and no further."""
    too_big = (column.abs() > STATA_EXACT).fillna(False)
    if too_big.any():
        row = int(too_big.to_numpy().argmax()) + 2
        raise CannotRepresent(f"{where} (line {row}): {column.iloc[row - 2]} is larger than the "
                              f"integers a Stata file holds exactly ({STATA_EXACT:,}); use the CSV, Parquet or SQLite files")


def stata_bytes(frame: pd.DataFrame, descriptions: dict[str, str], data_label: str) -> bytes:
    """One table as a Stata 14+ (format 118, UTF-8) file: enums as labelled integers with a
    value label per allowed value, a variable label from each description, optional
    integers as doubles (Stata's missing ``.``), missing text as empty strings, text longer
    than 2,045 bytes as strL.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, typed as :func:`~alliance_data.export.frames.frames` gives it.
    descriptions : dict
        Each column's description (its variable label).
    data_label : str
        The file's data label.

    Returns
    -------
    bytes
        The ``.dta`` file.

    Raises
    ------
    CannotRepresent
        An integer is larger than a Stata double holds exactly.
    """
    import pandas as pd

    frame = frame.copy()
    names = stata_names(list(frame.columns))
    labels = {}
    for column in frame.columns:
        text = descriptions.get(column, "")
        if names[column] != column:
            text = f"{column}: {text}"
        labels[names[column]] = _label(text, STATA_LABEL)
        dtype = frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            continue
        if str(dtype) == "Int64":
            _refuse_inexact(frame[column], f"{data_label}: {column}")
            frame[column] = frame[column].astype("float64")
        elif not pd.api.types.is_numeric_dtype(dtype):
            frame[column] = frame[column].astype("object").where(frame[column].notna(), "").astype(str)
    frame = frame.rename(columns=names)
    long_text = [c for c in frame.columns if frame[c].dtype == object and frame[c].str.encode("utf-8").str.len().max() > STATA_STR]
    buffer = io.BytesIO()
    frame.to_stata(buffer, write_index=False, version=118, variable_labels=labels, convert_strl=long_text,
                   data_label=_label(data_label, STATA_LABEL), time_stamp=TIME_STAMP)
    return buffer.getvalue()


def export_stata(out: Path, root: Path | None = None) -> list[Path]:
    """Write one ``<table>.dta`` per table, and ``agreements_wide.dta``, to the folder ``out``.

    Tables are read and written one at a time, so memory holds one table, not all of them.

    Parameters
    ----------
    out : Path
        The folder to write to (made if missing).
    root : Path, optional
        The data package; by default the bundled data.

    Returns
    -------
    list of Path
        The files written.
    """
    version = _package.data_version(root)
    written = []
    for name, frame, descriptions in frames(root):
        path = Path(out) / f"{name}.dta"
        write_bytes_atomic(path, stata_bytes(frame, descriptions, f"alliance-data {version}: {name}"))
        written.append(path)
    return written


def stata_zip(root: Path | None = None, tables: Frames | None = None) -> bytes:
    """The Stata files of every table in one zip, for the release set.

    Parameters
    ----------
    root : Path, optional
        The data package; by default the bundled data.
    tables : iterable, optional
        The frames of :func:`frames`, when the caller has them already (the release writes
        the workbook from the same frames); by default read here, one at a time.

    Returns
    -------
    bytes
        The zip, one ``.dta`` per table in the folder ``alliance-data-<version>-stata``.
    """
    version = _package.data_version(root)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame, descriptions in frames(root) if tables is None else tables:
            info = zipfile.ZipInfo(f"alliance-data-{version}-stata/{name}.dta", date_time=(2000, 1, 1, 0, 0, 0))
            archive.writestr(info, stata_bytes(frame, descriptions, f"alliance-data {version}: {name}"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
