"""An Excel workbook: an about sheet, the codebook, then every table and ``agreements_wide``.

Where Excel cannot hold something, the workbook is refused rather than cut, and nothing is
dropped silently.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import _package, derived
from .._io import write_bytes_atomic
from ..errors import CannotRepresent, require
from ..model import Package, package
from .frames import frames

if TYPE_CHECKING:
    import pandas as pd

    from .frames import Frames

EXCEL_CELL = 32767  # characters in one cell
EXCEL_SHEET = 31  # characters in a sheet name


def _about(model: Package, root: Path | None) -> pd.DataFrame:
    """The about sheet: version, licence, fingerprint, how to cite."""
    import pandas as pd

    from ..cite import citation

    cite = citation()
    return pd.DataFrame([
        ("title", model.title), ("data version", model.version),
        ("licence", ", ".join(lic["name"] for lic in model.licenses)),
        ("fingerprint", _package.fingerprint(root)), ("how to cite", cite.text), ("BibTeX", cite.bibtex),
        ("sheets", "codebook: every column; then one sheet per table, named as the table (cut to 31 characters)"),
    ], columns=["item", "value"])


def _codebook(model: Package, root: Path | None) -> pd.DataFrame:
    """The codebook sheet: every column with its type, description and allowed values."""
    import pandas as pd

    codebook = []
    for table in model.tables:
        for f in table.fields:
            allowed = "; ".join(f"{k}: {v}" for k, v in f.enum_descriptions.items())
            codebook.append((table.name, f.name, f.type, f.description, allowed))
    wide_descriptions = derived.agreements_wide_descriptions(root)
    codebook += [(derived.AGREEMENTS_WIDE, column, "", text, "") for column, text in wide_descriptions.items()]
    return pd.DataFrame(codebook, columns=["table", "field", "type", "description", "allowed values"])


def _check_cells(name: str, frame: pd.DataFrame) -> None:
    """Refuse a text cell longer than Excel holds, naming its line in the CSV."""
    import pandas as pd

    for column in frame.columns:
        if frame[column].dtype == "string" or isinstance(frame[column].dtype, pd.CategoricalDtype):
            lengths = frame[column].astype("string").str.len()
            if (lengths > EXCEL_CELL).any():
                row = int(lengths.idxmax()) + 2
                raise CannotRepresent(f"{name}.csv:{row}: {column}: a cell of {int(lengths.max())} characters is longer "
                                      f"than Excel holds ({EXCEL_CELL}); use the CSV, Parquet or SQLite files")


def xlsx_bytes(root: Path | None = None, tables: Frames | None = None) -> bytes:
    """One workbook: an ``about`` sheet (version, licence, fingerprint, how to cite), a
    ``codebook`` sheet (every column with its type, description and allowed values), then a
    sheet per table. Refuses a cell longer than Excel holds rather than cutting it.

    Parameters
    ----------
    root : Path, optional
        The data package; by default the bundled data.
    tables : iterable, optional
        The frames of :func:`frames`, when the caller has them already (the release writes the
        Stata files from the same frames); by default read here.

    Returns
    -------
    bytes
        The ``.xlsx`` file.

    Raises
    ------
    CannotRepresent
        A cell is longer than Excel holds, or two tables' sheet names are the same once cut.
    """
    import pandas as pd

    model = package(root)
    sheets: dict[str, pd.DataFrame] = {"about": _about(model, root), "codebook": _codebook(model, root)}
    for name, frame, _ in frames(root) if tables is None else tables:
        sheet = name[:EXCEL_SHEET]
        if sheet in sheets:  # validate refuses such names; never let one sheet silently replace another
            raise CannotRepresent(f"{name}: its sheet name {sheet!r} (cut to {EXCEL_SHEET} characters) is taken; rename the table")
        _check_cells(name, frame)
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
    """Write the workbook to the file ``out``.

    Parameters
    ----------
    out : Path
        The ``.xlsx`` file to write.
    root : Path, optional
        The data package; by default the bundled data.

    Returns
    -------
    list of Path
        The file written.
    """
    require("openpyxl", "xlsx", "the Excel export")
    write_bytes_atomic(Path(out), xlsx_bytes(root))
    return [Path(out)]
