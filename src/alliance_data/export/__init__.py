"""Copies of the data for people who do not use Python, one module per format or job.

``package`` writes the CSV data package and Parquet files; ``sqlite`` the SQLite database,
with its Datasette view from ``datasette``; ``stata`` and ``workbook`` the Stata files and
the Excel workbook, from the typed frames of ``frames``; ``release`` the versioned set of
files attached to each release. Every public name is importable from here.
"""

from __future__ import annotations

from ..errors import ExportError
from .datasette import CANNED_QUERIES, DATASETTE_METADATA, MONEY_COLUMNS, code_table_name, code_tables, datasette_metadata, has_money
from .frames import frames
from .package import export_csv, export_parquet
from .release import CHECKSUMS, FINGERPRINT, RELEASE_STAGES, ZIP_TIME, export_release
from .sqlite import SQLITE_NAME, export_sqlite
from .stata import STATA_EXACT, STATA_LABEL, STATA_NAME, STATA_STR, export_stata, stata_bytes, stata_names, stata_zip
from .workbook import EXCEL_CELL, EXCEL_SHEET, export_xlsx, xlsx_bytes

__all__ = [
    "CANNED_QUERIES",
    "CHECKSUMS",
    "DATASETTE_METADATA",
    "EXCEL_CELL",
    "EXCEL_SHEET",
    "FINGERPRINT",
    "MONEY_COLUMNS",
    "RELEASE_STAGES",
    "SQLITE_NAME",
    "STATA_EXACT",
    "STATA_LABEL",
    "STATA_NAME",
    "STATA_STR",
    "ZIP_TIME",
    "ExportError",
    "code_table_name",
    "code_tables",
    "datasette_metadata",
    "export_csv",
    "export_parquet",
    "export_release",
    "export_sqlite",
    "export_stata",
    "export_xlsx",
    "frames",
    "has_money",
    "stata_bytes",
    "stata_names",
    "stata_zip",
    "xlsx_bytes",
]
