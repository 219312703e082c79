"""Build the generated files from the CSVs: the dyad-year panel, Parquet files, the codebook.

Invalid data is refused before anything is written, and every write is atomic. The panel and
the Parquet files are not committed (the repository ignores them, and the wheel build makes
them afresh), so two pull requests editing one table never conflict on them; ``CODEBOOK.md``
depends on the schemas alone and is committed.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _package, codebook, derived
from ._io import remove_leftovers, write_files_atomic
from .progress import Stage, silent
from .errors import BuildRefused
from .arrow_io import read_csv_arrow, same_content
from .model import package
from .validator import validate

if TYPE_CHECKING:
    import pyarrow as pa


def parquet_bytes(table: pa.Table) -> bytes:
    """Return the Parquet file of one Arrow table: zstd, no index, reproducible."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", write_statistics=True)
    return buffer.getvalue()


def _parquet_is_current(path: Path, table: pa.Table) -> bool:
    """Whether the Parquet file at ``path`` holds ``table``: same schema, metadata and values.

    Compared by content, not bytes, since the bytes embed the writer's version: a
    rebuild with another pyarrow leaves a current file alone.
    """
    import pyarrow.parquet as pq

    if not path.is_file():
        return False
    try:
        existing = pq.read_table(path)
    except Exception:  # unreadable: rebuild it
        return False
    return existing.schema.equals(table.schema, check_metadata=True) and same_content(existing, table)


def build(path: str | Path = ".", on_stage: Stage = silent) -> list[Path]:
    """Validate the package at ``path``, then write the derived dyad-year panel, a Parquet
    file beside each CSV, and ``CODEBOOK.md``. ``datapackage.json`` is never rewritten.

    Returns the files whose content changed. Raises :class:`BuildRefused` if the data
    has problems other than stale generated files.
    """
    root = Path(path)
    descriptor_path = root / _package.DESCRIPTOR
    for folder in {root, *(root / Path(r["path"]).parent for r in _resources(descriptor_path))}:
        remove_leftovers(folder)  # what an interrupted build left behind is never shipped
    on_stage("validate")
    report = validate(root, freshness=False)  # what validate would compare, build makes afresh below
    if any(not p.generated for p in report.problems):
        raise BuildRefused(report)
    # Everything is computed first, then written all at once: a failure or Ctrl-C midway
    # leaves every file as it was.
    model = package(root)
    on_stage("panels")
    # The panels' inputs are read once, typed: the panels are derived from them, and their Parquet files written.
    inputs = {name: read_csv_arrow(model.csv_path(name), model.table(name)) for name in derived.DYAD_YEAR_INPUTS}
    fresh = {model.csv_path(name): data for name, data in derived.panels_csv_from(inputs, root).items()}
    outputs: dict[Path, bytes] = dict(fresh)
    for table_model in model.tables:
        on_stage(f"Parquet {table_model.name}")
        csv_path = model.csv_path(table_model.name)
        table = inputs.pop(table_model.name, None)
        if table is None:  # not an input of the panels: read now
            table = read_csv_arrow(io.BytesIO(fresh.get(csv_path) or csv_path.read_bytes()), table_model)
        parquet_path = model.parquet_path(table_model.name)
        if not _parquet_is_current(parquet_path, table):
            outputs[parquet_path] = parquet_bytes(table)
    on_stage("codebook")
    outputs[root / codebook.CODEBOOK] = codebook.render(root).encode("utf-8")
    changed = [p for p, data in outputs.items() if not p.is_file() or p.read_bytes() != data]
    write_files_atomic({p: outputs[p] for p in changed})
    return changed


def _resources(descriptor_path: Path) -> list[dict[str, Any]]:
    """The resources of a descriptor whose paths are safe to look beside, for tidying up."""
    try:
        resources = json.loads(descriptor_path.read_text(encoding="utf-8")).get("resources", [])
    except (OSError, ValueError, AttributeError):
        return []
    root = descriptor_path.parent
    return [r for r in resources if isinstance(r, dict) and _package.safe_relative_path(root, r.get("path"), "path")[1] is None]
