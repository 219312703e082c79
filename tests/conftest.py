"""Shared fixtures: the repository's data package, and a disposable copy of it."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def descriptor() -> dict:
    return json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[dict[str, str]], fieldnames: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A copy of the repository's data package (CSV, Parquet, schemas, descriptor)."""
    target = tmp_path / "package"
    target.mkdir()
    shutil.copy2(REPO / "datapackage.json", target / "datapackage.json")
    shutil.copytree(REPO / "schemas", target / "schemas")
    shutil.copytree(REPO / "tables", target / "tables")
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
