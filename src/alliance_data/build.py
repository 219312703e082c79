"""Build the generated files from the CSVs: Parquet, resource hashes and sizes, codebook.

Invalid data is refused before anything is written, and every write is atomic.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from . import _package, codebook
from ._io import write_bytes_atomic, write_text_atomic
from .validate import Report, validate


class BuildRefused(Exception):
    """The data has problems; nothing was written."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.problems)} problems; nothing was written")
        self.report = report


def parquet_bytes(csv_path: Path, table_schema: dict) -> bytes:
    """Return the Parquet file of one table: schema-typed, zstd, no index, reproducible."""
    import pyarrow.parquet as pq

    from .load import read_csv_arrow

    buffer = io.BytesIO()
    pq.write_table(read_csv_arrow(csv_path, table_schema), buffer, compression="zstd", write_statistics=True)
    return buffer.getvalue()


def build(path: str | Path = ".") -> list[Path]:
    """Validate the package at ``path``, then write its Parquet files, the ``hash`` and
    ``bytes`` of each resource in ``datapackage.json``, and ``CODEBOOK.md``.

    Returns the files whose content changed. Raises :class:`BuildRefused` if the data
    has problems other than stale generated files.
    """
    root = Path(path)
    report = validate(root)
    if any(not p.generated for p in report.problems):
        raise BuildRefused(report)
    _package._read_descriptor.cache_clear()
    descriptor = json.loads((root / _package.DESCRIPTOR).read_text(encoding="utf-8"))
    outputs: dict[Path, bytes] = {}
    for resource in descriptor["resources"]:
        csv_path = root / resource["path"]
        data = csv_path.read_bytes()
        resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        resource["bytes"] = len(data)
        table_schema = json.loads((root / resource["schema"]).read_text(encoding="utf-8"))
        outputs[csv_path.with_suffix(".parquet")] = parquet_bytes(csv_path, table_schema)
    outputs[root / _package.DESCRIPTOR] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    changed = [p for p, data in outputs.items() if not p.is_file() or p.read_bytes() != data]
    for p in changed:
        write_bytes_atomic(p, outputs[p])
    _package._read_descriptor.cache_clear()
    book = root / codebook.CODEBOOK
    text = codebook.render(root)
    if not book.is_file() or book.read_text(encoding="utf-8") != text:
        write_text_atomic(book, text)
        changed.append(book)
    return changed
