"""The generated files are what build makes: each Parquet file holds its CSV's data, the panels
are what the events, agreements and observations give, CODEBOOK.md is what the schemas give;
and a ``hash`` or ``bytes`` a resource states matches its file."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

from .._package import DESCRIPTOR
from ..arrow_io import same_content
from ..codebook import CODEBOOK
from ..codebook import render as render_codebook
from ..derived import DYAD_YEAR_INPUTS, panels_csv_from
from ..dtypes import arrow_schema
from .dataset import typed_table
from .report import REBUILD, Problem, quote
from .table import CheckedTable


def check_stated(root: Path, table: CheckedTable, resource: dict[str, Any]) -> list[Problem]:
    """A ``hash`` or ``bytes`` the resource states matches the file.

    This repository's descriptor states neither (the content fingerprint and a release's
    SHA256SUMS do that job, and hash lines would make every two edits of a table conflict),
    but a package that states them must be right, as frictionless also checks.
    """
    problems = []
    if "hash" in resource and not _hash_matches(resource["hash"], table.digest, root / table.rel):
        problems.append(Problem(DESCRIPTOR, 0, f"{table.name}.hash", f"does not match {table.rel}: correct it or remove it", "descriptor/hash-mismatch"))
    if "bytes" in resource and resource["bytes"] != table.size:
        problems.append(Problem(DESCRIPTOR, 0, f"{table.name}.bytes", f"is {quote(resource.get('bytes'))}, but {table.rel} has {table.size} bytes: "
                                "correct it or remove it", "descriptor/bytes-mismatch"))
    return problems


def _hash_matches(stated: object, sha256: str, path: Path) -> bool:
    """Whether a resource's ``hash`` fits the file: ``algorithm:hex``, or bare hex meaning MD5."""
    if not isinstance(stated, str):
        return False
    algorithm, _, value = stated.rpartition(":")
    algorithm = algorithm or "md5"
    if algorithm == "sha256":
        return stated == sha256
    if algorithm not in hashlib.algorithms_guaranteed:
        return False
    return hashlib.new(algorithm, path.read_bytes()).hexdigest() == value.lower()


def check_parquet(root: Path, table: CheckedTable) -> list[Problem]:
    """The Parquet file beside a CSV, where there is one, holds exactly the CSV's data."""
    parquet_rel = str(PurePosixPath(table.rel).with_suffix(".parquet"))
    if not (root / parquet_rel).is_file():
        return []  # a package without Parquet (a CSV export, say) is complete; CI checks the repository's
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(root / parquet_rel) as parquet:  # not pq.read_table, which can import pandas
            actual = parquet.read()
    except Exception as error:  # any unreadable file is reported, whatever pyarrow raised
        return [Problem(parquet_rel, 0, "", f"cannot be read ({type(error).__name__}): {REBUILD}", "generated/unreadable", generated=True)]
    try:  # the cells already read, typed as the readers type them: the CSV is not parsed a second time
        expected = typed_table(table).cast(arrow_schema(table.model))
    except ValueError:  # pyarrow's ArrowInvalid included
        return []  # a cell the readers cannot type either (its own checks speak for it), and build will not run
    if not same_content(actual, expected):
        return [Problem(parquet_rel, 0, "", f"does not hold the data of {table.rel}: {REBUILD}", "generated/stale", generated=True)]
    return []


def check_panels(root: Path, tables: dict[str, CheckedTable], built: list[str], clean: bool) -> list[Problem]:
    """The panels on disk are what build derives from the other tables (derived once for all),
    checked only when nothing else (``clean``) is wrong; each needs its inputs in the package."""
    lacking = [name for name in DYAD_YEAR_INPUTS if name not in tables]
    if lacking:
        return [Problem(tables[name].rel, 0, "", f"is derived from {', '.join(lacking)}, which the package lacks or could not read",
                        "generated/inputs-missing") for name in built]
    if not clean:
        return []
    fresh = panels_csv_from({name: tables[name].strings for name in DYAD_YEAR_INPUTS}, root)  # the tables already read
    return [Problem(tables[name].rel, 0, "", f"is not what the events, agreements and observations give (never edit it by hand): {REBUILD}",
                    "generated/stale", generated=True)
            for name in built if (root / tables[name].rel).read_bytes() != fresh.get(tables[name].model.name)]


def check_codebook(root: Path) -> list[Problem]:
    """CODEBOOK.md, where there is one, is what the schemas give."""
    if (root / CODEBOOK).is_file() and (root / CODEBOOK).read_text(encoding="utf-8") != render_codebook(root):
        return [Problem(CODEBOOK, 0, "", f"is not what the schemas give: {REBUILD}", "generated/stale", generated=True)]
    return []
