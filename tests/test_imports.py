"""The house has no circle and no arrow up: the import graph of the package (every relative
import, those inside functions included; only type-checking imports left out) has no cycle,
and no module imports one that the documented order puts after it:

    errors, _io, progress, rules → _package → model → dtypes → arrow_io → _columns → status → panels
    → derived, codebook, semantics (what the data gives) → validator → build
    → the readers (loader, pandera_schema, provenance, history, fulltext, sql, cite, diff)
    → the writers (the export package, figures) → cli, __init__ → _entry → __main__

A subpackage's modules sit in the package's layer, in an order of their own:

    validator: report → table, profile → files, schema, arrays → descriptor, cells, keys, dataset,
               freshness → run → __init__  (so nothing in the validator imports build or above)
    export: frames, package, datasette → sqlite, stata, workbook → release → __init__
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

SRC = REPO / "src" / "alliance_data"
LAYERS = [
    {"errors", "_io", "progress", "rules"},
    {"_package"},
    {"model"},
    {"dtypes"},
    {"arrow_io"},
    {"_columns"},
    {"status"},
    {"panels"},
    {"derived", "codebook", "semantics"},
    {"validator"},
    {"build"},
    {"loader", "pandera_schema", "provenance", "history", "fulltext", "sql", "cite", "diff"},
    {"export", "figures"},
    {"cli", "__init__"},
    {"_entry"},
    {"__main__"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}
# Each subpackage's modules in their own layers; "__init__" is the package itself.
PACKAGE_LAYERS = {
    "validator": [{"report"}, {"table", "profile"}, {"files", "schema", "arrays"}, {"descriptor", "cells", "keys", "dataset", "freshness"},
                  {"run"}, {"__init__"}],
    "export": [{"frames", "package", "datasette"}, {"sqlite", "stata", "workbook"}, {"release"}, {"__init__"}],
}


def module_name(path: Path) -> str:
    """``export.sqlite`` for export/sqlite.py, ``export`` for export/__init__.py, ``__init__`` for the package's own."""
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if len(parts) > 1 and parts[-1] == "__init__" else parts)


def rank(module: str) -> tuple[int, int]:
    """A module's place: its layer, then its place among its subpackage's modules."""
    top, _, inner = module.partition(".")
    if top not in PACKAGE_LAYERS:
        return LAYER[top], 0
    return LAYER[top], next(i for i, names in enumerate(PACKAGE_LAYERS[top]) if (inner or "__init__") in names)


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports_of(path: Path) -> set[str]:
    """The package modules ``path`` imports, at module level or inside functions."""
    here = path.relative_to(SRC).parent.parts  # the (sub)package the file is in
    found: set[str] = set()

    def target(level: int, names: list[str]) -> str:
        dotted = [*here[:len(here) - (level - 1)], *names]
        # A name in a subpackage is its module when it is one (from .sqlite import x), else the package's.
        return ".".join(dotted[:2]) if len(dotted) > 1 and ".".join(dotted[:2]) in MODULES else dotted[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            return  # never executed: annotations only
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            if node.module:
                found.add(target(node.level, node.module.split(".")))
            else:
                found.update(target(node.level, [alias.name]) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


FILES = sorted(SRC.rglob("*.py"))
MODULES = {module_name(path) for path in FILES}
GRAPH = {module_name(path): imports_of(path) for path in FILES}


def test_every_module_has_a_layer() -> None:
    placed = set(LAYER) | {f"{package}.{name}" for package, layers in PACKAGE_LAYERS.items() for names in layers for name in names
                           if name != "__init__"}
    assert set(GRAPH) == placed, sorted(set(GRAPH) ^ placed)


def test_no_module_imports_one_after_it() -> None:
    upward = [(m, d) for m, deps in GRAPH.items() for d in deps if rank(d) > rank(m)]
    assert not upward, upward


def test_nothing_in_the_validator_imports_build_or_above() -> None:
    above = {m for m in LAYER if LAYER[m] > LAYER["validator"]}
    reaching = {(m, d) for m, deps in GRAPH.items() if m.partition(".")[0] == "validator" for d in deps if d.partition(".")[0] in above}
    assert not reaching, sorted(reaching)


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in sorted(GRAPH.get(module, ())):
            assert state.get(dep) != 1, " -> ".join([*path, module, dep])
            if dep not in state:
                walk(dep, [*path, module])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            walk(module, [])


def test_contributing_names_only_modules_that_exist() -> None:
    import re

    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+(?:/[a-z_]+)?)\.py`", text))
    modules = {p.relative_to(SRC).with_suffix("").as_posix() for p in FILES}
    elsewhere = {"hatch_build", "make_synthetic", "run", "conftest"} | {
        n for n in named if n.startswith(("tests/", "benchmarks/")) and (REPO / f"{n}.py").is_file()}
    assert named and named <= modules | elsewhere, named - modules - elsewhere
