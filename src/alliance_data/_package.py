"""Find the data package and read its descriptor and Table Schemas.

Only the standard library is used here, so that ``import alliance_data`` stays cheap.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .errors import DataPackageError

DESCRIPTOR = "datapackage.json"
# The tables build generates: described here, not in the descriptor, so a checkout is valid unbuilt.
DERIVED = "schemas/derived.json"
REBUILD = "run `alliance-data build .` (it validates, then regenerates)"


def safe_relative_path(root: Path, value: object, what: str) -> tuple[str, str | None]:
    """Return ``(path, None)`` for a safe path inside ``root``, else ``("", reason)``.

    Refused: anything not a string, URLs, absolute paths, and paths that leave the folder.
    """
    if not isinstance(value, str) or not value:
        return "", f"{what} must be a relative path (a non-empty string), not {json.dumps(value, ensure_ascii=False)}"
    if "://" in value or value.startswith(("http:", "https:", "ftp:", "file:")):
        return "", f"{what} {json.dumps(value, ensure_ascii=False)} is a URL; only files inside the package folder are read"
    if value.startswith(("/", "\\")) or PureWindowsPath(value).drive or PurePosixPath(value).is_absolute():
        return "", f"{what} {json.dumps(value, ensure_ascii=False)} is absolute; use a path relative to the package folder"
    if ".." in PurePosixPath(value.replace("\\", "/")).parts:
        return "", f"{what} {json.dumps(value, ensure_ascii=False)} leaves the package folder"
    resolved = (root / value).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return "", f"{what} {json.dumps(value, ensure_ascii=False)} leaves the package folder"
    return value, None


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


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON file, parsed once per version of the file: a cached copy is used only while
    the file's size and modification time are unchanged, so an edit is always seen."""
    status = path.stat()
    return _parse_json(str(path), status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=64)
def _parse_json(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return parsed


def descriptor(root: Path | None = None) -> dict[str, Any]:
    """Return the parsed ``datapackage.json`` of ``root`` (default: the bundled data)."""
    return _read_json((Path(root) if root is not None else data_root()) / DESCRIPTOR)


def fingerprint(root: Path | None = None) -> str:
    """A content fingerprint of the data: ``sha256:`` over every table's name, CSV bytes and
    Table Schema (as canonical JSON), in the order of ``datapackage.json``.

    The CSVs are canonical already (UTF-8, LF line endings, checked by ``validate``) and the
    schemas are re-serialised with sorted keys, so the fingerprint depends on the data alone:
    not on the platform, the library versions, the Parquet files or the hashes in the
    descriptor. Two copies with the same fingerprint hold the same data.

    Examples
    --------
    >>> import alliance_data
    >>> alliance_data.fingerprint().startswith("sha256:")
    True
    """
    import hashlib

    digest = hashlib.sha256()
    generated = derived_names(root)
    for name in (n for n in table_names(root) if n not in generated):
        schema_text = json.dumps(table_schema(name, root), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        for part in (name.encode("utf-8"), table_path(name, "csv", root).read_bytes(), schema_text.encode("utf-8")):
            digest.update(len(part).to_bytes(8, "big"))  # lengths first, so no two splits give one stream
            digest.update(part)
    return "sha256:" + digest.hexdigest()


def data_version(root: Path | None = None) -> str:
    """Return the version of the data (``version`` in ``datapackage.json``; default: bundled).

    Examples
    --------
    >>> import alliance_data
    >>> alliance_data.data_version() == alliance_data.__version__
    True
    """
    return str(descriptor(root)["version"])


def derived_resources(root: Path | None = None) -> list[dict[str, Any]]:
    """The resource entries of the generated tables (``schemas/derived.json``)."""
    path = (Path(root) if root is not None else data_root()) / DERIVED
    if not path.is_file():
        return []
    return list(_read_json(path).get("resources", []))


def derived_names(root: Path | None = None) -> set[str]:
    """The names of the tables build generates."""
    return {str(r.get("name")) for r in derived_resources(root)}


def resources(root: Path | None = None) -> list[dict[str, Any]]:
    """Every resource entry: the descriptor's, then the generated tables' not already listed there."""
    listed = list(descriptor(root)["resources"])
    names = {r.get("name") for r in listed}
    return listed + [r for r in derived_resources(root) if r.get("name") not in names]


def built_descriptor(root: Path | None = None) -> bytes:
    """The descriptor of a built copy of the package: ``datapackage.json`` with the generated
    tables listed too, so the copy (an export, the wheel's data) is one complete package."""
    meta = dict(descriptor(root))
    meta["resources"] = resources(root)
    return (json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def table_names(root: Path | None = None) -> list[str]:
    """Return the names of the tables: those of ``datapackage.json`` in order, then the generated ones."""
    return [entry["name"] for entry in resources(root)]


def resource(name: str, root: Path | None = None) -> dict[str, Any]:
    """Return the resource entry of table ``name``; raise ``KeyError`` listing valid names."""
    for entry in resources(root):
        if entry["name"] == name:
            return entry
    valid = ", ".join(table_names(root))
    raise KeyError(f"no table named {name!r}; the tables are: {valid}")


def _inside(name: str, key: str, root: Path | None) -> Path:
    """The file a resource's ``path`` or ``schema`` names, refused if it leaves the package."""
    base = Path(root) if root is not None else data_root()
    rel, reason = safe_relative_path(base, resource(name, root).get(key), key)
    if reason:
        raise DataPackageError(f"{base / DESCRIPTOR}: resource {name!r}: {reason}")
    return base / rel



def table_schema(name: str, root: Path | None = None) -> dict[str, Any]:
    """Return the Table Schema of table ``name`` as a dict."""
    return _read_json(_inside(name, "schema", root))


def table_path(name: str, fmt: str = "csv", root: Path | None = None) -> Path:
    """Return the path of table ``name`` in format ``csv`` or ``parquet``."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be 'csv' or 'parquet', not {fmt!r}")
    csv_path = _inside(name, "path", root)
    return csv_path if fmt == "csv" else csv_path.with_suffix(".parquet")
