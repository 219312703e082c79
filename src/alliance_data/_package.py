"""Find the data package and read its descriptor and Table Schemas.

Only the standard library is used here, so that ``import alliance_data`` stays cheap.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DESCRIPTOR = "datapackage.json"


class DataPackageError(Exception):
    """The data package cannot be read: a missing file or a malformed descriptor."""


def data_root() -> Path:
    """Return the folder that holds the bundled ``datapackage.json``.

    A wheel carries the data inside the package (``alliance_data/_data``); an
    editable install or a source checkout reads it from the repository root.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent.parent):
        if (candidate / DESCRIPTOR).is_file():
            return candidate
    raise DataPackageError(
        f"no {DESCRIPTOR} found in {here / '_data'} or {here.parent.parent}; reinstall alliance-data"
    )


@functools.lru_cache(maxsize=8)
def _read_descriptor(root: Path) -> dict[str, Any]:
    text = (root / DESCRIPTOR).read_text(encoding="utf-8")
    return json.loads(text)


def descriptor(root: Path | None = None) -> dict[str, Any]:
    """Return the parsed ``datapackage.json`` of ``root`` (default: the bundled data)."""
    return _read_descriptor(Path(root) if root is not None else data_root())


def data_version(root: Path | None = None) -> str:
    """Return the version of the data (``version`` in ``datapackage.json``; default: bundled).

    Examples
    --------
    >>> import alliance_data
    >>> alliance_data.data_version() == alliance_data.__version__
    True
    """
    return str(descriptor(root)["version"])


def table_names(root: Path | None = None) -> list[str]:
    """Return the names of the tables, in the order of ``datapackage.json``."""
    return [resource["name"] for resource in descriptor(root)["resources"]]


def resource(name: str, root: Path | None = None) -> dict[str, Any]:
    """Return the resource entry of table ``name``; raise ``KeyError`` listing valid names."""
    for entry in descriptor(root)["resources"]:
        if entry["name"] == name:
            return entry
    valid = ", ".join(table_names(root))
    raise KeyError(f"no table named {name!r}; the tables are: {valid}")


@functools.lru_cache(maxsize=64)
def _read_schema(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def table_schema(name: str, root: Path | None = None) -> dict[str, Any]:
    """Return the Table Schema of table ``name`` as a dict."""
    base = Path(root) if root is not None else data_root()
    return _read_schema(base / resource(name, root)["schema"])


def table_path(name: str, fmt: str = "csv", root: Path | None = None) -> Path:
    """Return the path of table ``name`` in format ``csv`` or ``parquet``."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be 'csv' or 'parquet', not {fmt!r}")
    base = Path(root) if root is not None else data_root()
    csv_path = base / resource(name, root)["path"]
    return csv_path if fmt == "csv" else csv_path.with_suffix(".parquet")
