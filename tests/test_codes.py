"""Problem codes are a public contract: one registry (CODES) gives each its meaning, every code
the checks can emit is in it and every code in it is emitted by some check, and CONTRIBUTING.md
lists exactly the same codes with the same meanings."""

from __future__ import annotations

import ast
import re

from alliance_data.rules import ROW_RULES
from alliance_data.validator import CODES
from conftest import REPO

SRC = REPO / "src" / "alliance_data"
# Where problems are made: the validator's checks and the rules it runs (not the registry itself).
CHECKS = [*sorted(p for p in (SRC / "validator").glob("*.py") if p.name != "report.py"), SRC / "rules.py", SRC / "semantics.py"]
GROUPS = {code.partition("/")[0] for code in CODES}
LOOKS_LIKE_A_CODE = re.compile(rf"^({'|'.join(sorted(GROUPS))})/[a-z][a-z0-9-]*$")


def codes_in_source() -> dict[str, set[str]]:
    """Every string literal of the checking modules that has the form of a code, by module."""
    found: dict[str, set[str]] = {}
    for path in CHECKS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and LOOKS_LIKE_A_CODE.match(node.value):
                found.setdefault(node.value, set()).add(path.name)
    return found


def test_each_code_is_a_group_and_a_kind_with_a_one_line_meaning() -> None:
    for code, meaning in CODES.items():
        assert re.fullmatch(r"[a-z]+/[a-z][a-z0-9-]*", code), code
        assert meaning and "\n" not in meaning and meaning == meaning.strip(), code


def test_every_code_the_checks_name_is_registered() -> None:
    unregistered = {code: sorted(where) for code, where in codes_in_source().items() if code not in CODES}
    assert not unregistered, unregistered


def test_every_registered_code_is_named_by_a_check() -> None:
    assert set(CODES) - set(codes_in_source()) == set(), "a registered code no check emits"


def test_row_rules_carry_registered_codes() -> None:
    assert {rule.code for rule in ROW_RULES} <= set(CODES)


def test_contributing_lists_exactly_the_registry() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("\n## Problem codes\n", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^\| `([^`]+)` \| (.+) \|$", section, flags=re.MULTILINE))
    assert listed == CODES
