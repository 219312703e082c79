"""Shared fixtures: the repository's data package, and a disposable copy of it.

``REPO`` is the source checkout; ``DATA`` is its data package *built* (CSVs plus the generated
panel and Parquet files, which the repository does not commit): the installed wheel's data, or
the checkout itself under an editable install once ``alliance-data build .`` has run.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from alliance_data import _package

REPO = Path(__file__).resolve().parent.parent
DATA = _package.data_root()


def pytest_configure(config) -> None:
    if not (DATA / "tables" / "dyad_year.csv").is_file():
        pytest.exit(f"{DATA} is not built: run alliance-data build {DATA} (or install with pip install '.[test]')", returncode=2)


@pytest.fixture(scope="session")
def descriptor() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[dict[str, str]], fieldnames: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def copy_data(target: Path, *, parquet: bool = True) -> Path:
    """A copy of the built data package (descriptor, schemas, CSVs and, with ``parquet``, the Parquet files)."""
    target.mkdir(parents=True)
    shutil.copy2(DATA / "datapackage.json", target / "datapackage.json")
    shutil.copytree(DATA / "schemas", target / "schemas")
    shutil.copytree(DATA / "tables", target / "tables", ignore=None if parquet else shutil.ignore_patterns("*.parquet"))
    return target


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A copy of the built data package (CSV, Parquet, schemas, descriptor)."""
    return copy_data(tmp_path / "package")


# What the repository generates and git ignores (see .gitignore): never part of a source copy.
GENERATED = ("*.parquet", "dyad_year.csv", "dyad_year_directed.csv", "*.svg", "figures.json")


def source_copy(target: Path) -> Path:
    """A copy of the source checkout as git holds it: no generated files, environments or caches
    (the README figures under docs/readme/, which the release process commits, are kept)."""
    ignored = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.egg-info", ".*_cache", "build", "dist", *GENERATED)

    def ignore(folder: str, names: list[str]) -> set[str]:
        return set() if Path(folder) == REPO / "docs" / "readme" else ignored(folder, names)

    shutil.copytree(REPO, target, ignore=ignore)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pytest_terminal_summary(terminalreporter) -> None:
    """In CI, the time since .ci/run began (install plus tests), above pytest's closing line."""
    import os
    import time

    started = os.environ.get("ALLIANCE_DATA_CI_STARTED")
    if started and started.isdigit():
        terminalreporter.write_line(f"CI total (install and tests): {int(time.time()) - int(started)} s")
