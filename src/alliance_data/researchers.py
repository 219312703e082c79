"""Exports for the tools researchers open: Stata files and an Excel workbook.

Both carry every table plus the flat ``agreements_wide``, typed and labelled from the
Table Schemas. Where a format cannot hold something, the rule is stated here and in the
README, and nothing is dropped silently.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _package, derived
from .model import package
from ._io import write_bytes_atomic
from .errors import CannotRepresent, require

if TYPE_CHECKING:
    import pandas as pd

STATA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
STATA_LABEL = 80  # characters in a variable or data label
STATA_STR = 2045  # longer text is written as strL, Stata's long-string type
EXCEL_CELL = 32767  # characters in one cell
EXCEL_SHEET = 31  # characters in a sheet name
STATA_EXACT = 2**53  # the largest integer a Stata double (Stata has no 64-bit integer) holds exactly


def frames(root: Path | None = None) -> dict[str, tuple[pd.DataFrame, dict[str, str]]]:
    """Every table and ``agreements_wide`` as typed pandas frames, with each column's description."""
    from .dtypes import to_pandas
    from .arrow_io import read_arrow

    model = package(root)
    out: dict[str, tuple[pd.DataFrame, dict[str, str]]] = {}
    for table in model.tables:
        out[table.name] = (to_pandas(read_arrow(table.name, root), table.fields), {f.name: f.description for f in table.fields})
    wide = derived.agreements_wide(root)
    descriptions = {f.name: f.metadata[b"description"].decode() for f in wide.schema}
    # The agreement's own fields: its enums keep every category, hence their Stata value labels.
    wide_frame = to_pandas(wide, model.table("agreements").fields)
    out[derived.AGREEMENTS_WIDE] = (wide_frame, descriptions)
    return out


def stata_names(columns: list[str]) -> dict[str, str]:
    """Stata names for columns: up to 32 letters, digits or underscores, not starting with a
    digit and not a word Stata reserves (``end`` becomes ``_end``); a longer or odd name is
    cut and, if that collides, numbered. The variable label keeps the original name."""
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


def stata_bytes(frame: pd.DataFrame, descriptions: dict[str, str], data_label: str) -> bytes:
    """One table as a Stata 14+ (format 118, UTF-8) file: enums as labelled integers with a
    value label per allowed value, a variable label from each description, optional
    integers as doubles (Stata's missing ``.``), missing text as empty strings, text longer
    than 2,045 bytes as strL."""
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
            # Stata has no 64-bit integer: a double holds integers exactly up to 2**53, and no further.
            too_big = frame[column].abs() > STATA_EXACT
            if too_big.fillna(False).any():
                row = int(too_big.fillna(False).to_numpy().argmax()) + 2
                raise CannotRepresent(f"{data_label}: {column} (line {row}): {frame[column].iloc[row - 2]} is larger than the "
                                      f"integers a Stata file holds exactly ({STATA_EXACT:,}); use the CSV, Parquet or SQLite files")
            frame[column] = frame[column].astype("float64")
        elif not pd.api.types.is_numeric_dtype(dtype):
            frame[column] = frame[column].astype("object").where(frame[column].notna(), "").astype(str)
    frame = frame.rename(columns=names)
    long_text = [c for c in frame.columns if frame[c].dtype == object and frame[c].str.encode("utf-8").str.len().max() > STATA_STR]
    buffer = io.BytesIO()
    frame.to_stata(buffer, write_index=False, version=118, variable_labels=labels, convert_strl=long_text,
                   data_label=_label(data_label, STATA_LABEL))
    return buffer.getvalue()


def export_stata(out: Path, root: Path | None = None) -> list[Path]:
    """Write one ``<table>.dta`` per table, and ``agreements_wide.dta``, to the folder ``out``."""
    version = _package.data_version(root)
    written = []
    for name, (frame, descriptions) in frames(root).items():
        path = Path(out) / f"{name}.dta"
        write_bytes_atomic(path, stata_bytes(frame, descriptions, f"alliance-data {version}: {name}"))
        written.append(path)
    return written


def stata_zip(root: Path | None = None) -> bytes:
    """The Stata files of every table in one zip, for the release set."""
    version = _package.data_version(root)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (frame, descriptions) in frames(root).items():
            info = zipfile.ZipInfo(f"alliance-data-{version}-stata/{name}.dta", date_time=(2000, 1, 1, 0, 0, 0))
            archive.writestr(info, stata_bytes(frame, descriptions, f"alliance-data {version}: {name}"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def xlsx_bytes(root: Path | None = None) -> bytes:
    """One workbook: an ``about`` sheet (version, licence, fingerprint, how to cite), a
    ``codebook`` sheet (every column with its type, description and allowed values), then a
    sheet per table. Refuses a cell longer than Excel holds rather than cutting it."""
    import pandas as pd

    from .cite import citation

    model = package(root)
    cite = citation()
    about = pd.DataFrame([
        ("title", model.title), ("data version", model.version),
        ("licence", ", ".join(lic["name"] for lic in model.licenses)),
        ("fingerprint", _package.fingerprint(root)), ("how to cite", cite.text), ("BibTeX", cite.bibtex),
        ("sheets", "codebook: every column; then one sheet per table, named as the table (cut to 31 characters)"),
    ], columns=["item", "value"])
    codebook = []
    for table in model.tables:
        for f in table.fields:
            allowed = "; ".join(f"{k}: {v}" for k, v in f.enum_descriptions.items())
            codebook.append((table.name, f.name, f.type, f.description, allowed))
    wide_descriptions = derived.agreements_wide_descriptions(root)
    codebook += [(derived.AGREEMENTS_WIDE, column, "", text, "") for column, text in wide_descriptions.items()]
    sheets: dict[str, pd.DataFrame] = {"about": about, "codebook": pd.DataFrame(codebook, columns=["table", "field", "type", "description", "allowed values"])}
    for name, (frame, _) in frames(root).items():
        sheet = name[:EXCEL_SHEET]
        if sheet in sheets:  # validate refuses such names; never let one sheet silently replace another
            raise CannotRepresent(f"{name}: its sheet name {sheet!r} (cut to {EXCEL_SHEET} characters) is taken; rename the table")
        for column in frame.columns:
            if frame[column].dtype == "string" or isinstance(frame[column].dtype, pd.CategoricalDtype):
                lengths = frame[column].astype("string").str.len()
                if (lengths > EXCEL_CELL).any():
                    row = int(lengths.idxmax()) + 2
                    raise CannotRepresent(f"{name}.csv:{row}: {column}: a cell of {int(lengths.max())} characters is longer "
                                          f"than Excel holds ({EXCEL_CELL}); use the CSV, Parquet or SQLite files")
        sheets[sheet] = frame
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            frame.to_excel(writer, sheet_name=sheet, index=False)
            writer.sheets[sheet].freeze_panes = "A2"
            _as_text(writer.sheets[sheet])
    return buffer.getvalue()


def _as_text(sheet: Any) -> None:
    """Store every cell openpyxl took for a formula (text starting with ``=``) as the text it is:
    nothing from the data, a description or a name ever runs in a reader's spreadsheet."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def export_xlsx(out: Path, root: Path | None = None) -> list[Path]:
    """Write the workbook to the file ``out``."""
    require("openpyxl", "xlsx", "the Excel export")
    write_bytes_atomic(Path(out), xlsx_bytes(root))
    return [Path(out)]

