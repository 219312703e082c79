"""The house has no circle and no arrow up: the import graph of the package (every relative
import, those inside functions included; only type-checking imports left out) has no cycle,
and no module imports one that the documented order puts after it:

    errors, _io, progress, rules → _package → model → dtypes → arrow_io → _columns → status → panels
    → derived, codebook, semantics (what the data gives) → validator → build
    → the readers (loader, pandera_schema, provenance, history, fulltext, sql, cite, diff)
    → the writers (export, researchers, figures) → cli, __init__ → _entry → __main__

The validator is a package whose modules have an order of their own, inside its place above:

    report → table, profile → files, schema, arrays → descriptor, cells, keys, dataset, freshness
    → run → its __init__

so nothing in the validator imports build or anything above it.
"""

from __future__ import annotations

import ast
import re
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
    {"export", "researchers", "figures"},
    {"cli", "__init__"},
    {"_entry"},
    {"__main__"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}
# A subpackage's modules in their order; its __init__ (named as the package) comes after them all.
SUBPACKAGES = {
    "validator": [
        {"report"},
        {"table", "profile"},
        {"files", "schema", "arrays"},
        {"descriptor", "cells", "keys", "dataset", "freshness"},
        {"run"},
    ],
}
INNER = {package: {name: i for i, names in enumerate(layers) for name in names} for package, layers in SUBPACKAGES.items()}


def rank(module: str) -> tuple[int, int]:
    """Where a module stands: its place in LAYERS, then its place inside its subpackage."""
    package, _, inner = module.partition(".")
    return LAYER[package], INNER[package][inner] if inner else len(SUBPACKAGES.get(package, []))


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _node(dotted: str) -> str:
    """A module of the package by its path below alliance_data: ``validator.cells``, ``model``."""
    parts = dotted.split(".")
    return ".".join(parts[:2]) if parts[0] in SUBPACKAGES and len(parts) > 1 else parts[0]


def imports_of(path: Path, package: str = "") -> set[str]:
    """The package modules ``path`` (a module of subpackage ``package``, if given) imports,
    at module level or inside functions."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            return  # never executed: annotations only
        if isinstance(node, ast.ImportFrom) and node.level:
            inside = f"{package}." if package and node.level == 1 else ""  # from .x inside a subpackage stays in it
            names = [node.module] if node.module else [alias.name for alias in node.names]
            found.update(_node(inside + name) for name in names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


GRAPH = {path.stem: imports_of(path) for path in SRC.glob("*.py")}
for _package in SUBPACKAGES:
    GRAPH.update({_package if p.stem == "__init__" else f"{_package}.{p.stem}": imports_of(p, _package)
                  for p in (SRC / _package).glob("*.py")})


def test_every_module_has_a_layer() -> None:
    known = set(LAYER) | {f"{package}.{name}" for package, order in INNER.items() for name in order}
    assert set(GRAPH) == known, sorted(set(GRAPH) ^ known)


def test_no_module_imports_one_after_it() -> None:
    upward = [(m, d) for m, deps in GRAPH.items() for d in deps if rank(d) > rank(m)]
    assert not upward, upward


def test_nothing_in_the_validator_imports_build_or_above() -> None:
    above = {m for m in LAYER if LAYER[m] > LAYER["validator"]}
    reaching = {(m, d) for m, deps in GRAPH.items() if m.partition(".")[0] == "validator" for d in deps if d.partition(".")[0] in above}
    assert not reaching, reaching


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
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    inside = "|".join(SUBPACKAGES)
    named = set(re.findall(rf"`((?:(?:{inside})/)?[a-z_]+)\.py`", text))
    modules = {p.relative_to(SRC).with_suffix("").as_posix() for p in SRC.rglob("*.py")}
    assert named and named <= modules | {"hatch_build", "make_synthetic", "run", "conftest"}, named - modules
