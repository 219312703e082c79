"""The house has no circle and no arrow up: the import graph of the package (every relative
import, those inside functions included; only type-checking imports left out) has no cycle,
and no module imports one that the documented order puts after it:

    errors, _io, progress, rules → _package → model → dtypes → arrow_io → _columns → status → panels
    → derived, codebook, semantics (what the data gives) → validator → build
    → the readers (loader, pandera_schema, provenance, history, fulltext, sql, cite, diff)
    → the writers (export, researchers, figures) → cli, __init__ → _entry → __main__
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
    {"export", "researchers", "figures"},
    {"cli", "__init__"},
    {"_entry"},
    {"__main__"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports_of(path: Path) -> set[str]:
    """The package modules ``path`` imports, at module level or inside functions."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            return  # never executed: annotations only
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module.split(".")[0]] if node.module else [alias.name for alias in node.names])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


GRAPH = {path.stem: imports_of(path) for path in SRC.glob("*.py")}


def test_every_module_has_a_layer() -> None:
    assert set(GRAPH) == set(LAYER), sorted(set(GRAPH) ^ set(LAYER))


def test_no_module_imports_one_after_it() -> None:
    upward = [(m, d) for m, deps in GRAPH.items() for d in deps if LAYER[d] > LAYER[m]]
    assert not upward, upward


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
    named = set(re.findall(r"`([a-z_]+)\.py`", text))
    assert named and named <= {p.stem for p in SRC.glob("*.py")} | {"hatch_build", "make_synthetic", "run", "conftest"}, named - set(GRAPH)
