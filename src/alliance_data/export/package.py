"""The data package as files other tools read: a CSV data package and Parquet files."""

from __future__ import annotations

from pathlib import Path

from .. import _package, derived
from .._io import write_bytes_atomic
from ..model import package


def export_csv(out: Path, root: Path | None = None) -> list[Path]:
    """Write a complete CSV data package (datapackage.json, schemas/, tables/) to ``out``,
    and beside it ``agreements_wide.csv`` (one row per agreement, parties by role).

    Parameters
    ----------
    out : Path
        The folder to write to (made if missing).
    root : Path, optional
        The data package to export; by default the bundled data.

    Returns
    -------
    list of Path
        The files written.
    """
    model = package(root)
    files: dict[str, Path] = {_package.DERIVED: model.root / _package.DERIVED}
    for table in model.tables:
        for rel in (table.schema_path, table.path):
            files[rel] = model.root / rel
    for rel, source in files.items():
        write_bytes_atomic(out / rel, source.read_bytes())
    write_bytes_atomic(out / _package.DESCRIPTOR, _package.built_descriptor(root))
    files[_package.DESCRIPTOR] = out / _package.DESCRIPTOR
    write_bytes_atomic(out / f"{derived.AGREEMENTS_WIDE}.csv", derived.agreements_wide_csv(root))
    return [out / rel for rel in files] + [out / f"{derived.AGREEMENTS_WIDE}.csv"]


def export_parquet(out: Path, root: Path | None = None) -> list[Path]:
    """Write one Parquet file per table, ``<table>.parquet``, and ``agreements_wide.parquet`` to ``out``.

    Parameters
    ----------
    out : Path
        The folder to write to (made if missing).
    root : Path, optional
        The data package to export; by default the bundled data.

    Returns
    -------
    list of Path
        The files written.
    """
    from ..arrow_io import read_arrow
    from ..build import parquet_bytes

    written = []
    model = package(root)
    for name in model.table_names:
        parquet = model.parquet_path(name)
        data = parquet.read_bytes() if parquet.is_file() else parquet_bytes(read_arrow(name, root))
        write_bytes_atomic(out / f"{name}.parquet", data)
        written.append(out / f"{name}.parquet")
    wide = derived.agreements_wide(root)
    write_bytes_atomic(out / f"{derived.AGREEMENTS_WIDE}.parquet", parquet_bytes(wide))
    return [*written, out / f"{derived.AGREEMENTS_WIDE}.parquet"]
