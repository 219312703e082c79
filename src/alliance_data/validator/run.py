"""validate(): the steps, in order. Each step is a check of its own module; nothing here
writes a file or touches the network."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .._package import DESCRIPTOR
from ..errors import CannotValidate
from .cells import check_cells
from .dataset import check_code_lists, check_releases, check_rules
from .descriptor import Job, admit, derived_resources, descriptor_problems, listed_generated
from .files import read_json, read_table, stray_files
from .freshness import check_codebook, check_panels, check_parquet, check_stated
from .keys import check_cycles, check_foreign_keys, check_primary_key
from .report import REBUILD, Problem, Report
from .table import CheckedTable


def validate(path: str | Path, *, freshness: bool = True) -> Report:
    """Validate the data package in folder ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        A folder holding ``datapackage.json``, or that file itself.
    freshness : bool, default True
        Whether to check that the generated files (Parquet, panels, codebook) are what build
        makes. ``build`` passes False: it makes them afresh anyway.

    Returns
    -------
    Report
        ``report.problems`` is sorted and free of duplicates; ``report.valid`` says
        whether there are none. Each problem has a code (see ``CODES``).

    Raises
    ------
    CannotValidate
        If there is no such folder or no ``datapackage.json`` in it.
    """
    root = _package_folder(path)
    report = Report(root, [])
    descriptor, problems = read_json(root, DESCRIPTOR)
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if problems or not isinstance(resources, list) or not resources:
        report.problems = problems or [Problem(DESCRIPTOR, 0, "resources", "must be a non-empty list of tables", "descriptor/no-resources")]
        return report
    report.problems += descriptor_problems(descriptor)
    generated, problems = derived_resources(root, resources)
    report.problems += problems
    panel_names = {str(r.get("name")) for r in generated} | listed_generated(root, resources)
    jobs, problems = admit(root, resources + generated, generated)
    report.problems += problems
    tables = _read_tables(root, jobs, [job.label for job in jobs if any(job.resource is r for r in generated) or job.label in panel_names], report)
    check_foreign_keys(tables)
    check_cycles(tables)
    check_rules(tables)
    report.problems += stray_files(root, resources + generated)
    resource_of = {job.label: job.resource for job in jobs}
    for name, table in tables.items():
        if _clean(table.problems):
            table.problems += check_stated(root, table, resource_of[name]) + (check_parquet(root, table) if freshness else [])
        report.problems += table.problems
    built = [name for name in panel_names if name in tables]
    if built:
        report.problems += check_panels(root, tables, built, clean=freshness and _clean(report.problems))
    report.problems += check_releases(root, tables) + check_code_lists(root, tables)
    if freshness and _clean(report.problems):
        report.problems += check_codebook(root)
    report.problems = sorted(set(report.problems))
    return report


def _package_folder(path: str | Path) -> Path:
    root = Path(path)
    if root.is_file() and root.name == DESCRIPTOR:
        root = root.parent
    if not root.exists():
        raise CannotValidate(f"{path}: no such file or folder")
    if not (root / DESCRIPTOR).is_file():
        raise CannotValidate(f"{path}: no {DESCRIPTOR} in this folder")
    return root


def _clean(problems: list[Problem]) -> bool:
    """Whether every problem so far is in a generated file (which build rewrites)."""
    return all(p.generated for p in problems)


def _read_tables(root: Path, jobs: list[Job], derived: list[str], report: Report) -> dict[str, CheckedTable]:
    """Read and check each table's cells, two at a time: the work is in pyarrow, which releases the GIL.
    A wholly derived table's problems are marked generated (build rewrites it)."""
    # What the workers use is imported here, in this thread: imports racing in two threads are
    # slower, and a Ctrl-C landing inside one can leave an import lock held and hang the pool.
    import unicodedata  # noqa: F401

    import numpy  # noqa: F401
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: read_table(root, job.label, job.rel, job.schema), jobs))
        list(pool.map(_check_table, [table for table, _ in results if table is not None]))
    tables: dict[str, CheckedTable] = {}
    for job, (table, problems) in zip(jobs, results, strict=False):
        if job.label in derived:
            problems = [dataclasses.replace(p, generated=True, message=f"{p.message} ({REBUILD})") for p in problems]
            if table is not None:
                table.problems[:] = [dataclasses.replace(p, generated=True) for p in table.problems]
        report.problems.extend(problems)
        if table is not None:
            tables[job.label] = table
            report.tables += 1
            report.rows += table.strings.num_rows
    return tables


def _check_table(table: CheckedTable) -> None:
    check_cells(table)
    check_primary_key(table)
