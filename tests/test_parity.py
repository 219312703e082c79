"""Differential corpus: on Table Schema edge cases, alliance-data validate reaches frictionless's
verdict, except where this project is deliberately stricter (each such case says why).

Each case is a one-table package: a field definition and the cells of a column.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from alliance_data.validator import validate

# Where the project refuses what Table Schema allows, and why (also in CONTRIBUTING).
STRICTER = {
    "integer-20-digits": "an integer beyond 64 bits, which no copy (Parquet, SQLite, pandas, Stata) can hold",
    "integer-20-digits-at-maximum": "an integer beyond 64 bits, which no copy (Parquet, SQLite, pandas, Stata) can hold",
    "number-nan": "a figure is never NaN",
    "number-infinity": "a figure is never infinite",
    "number-minus-infinity": "a figure is never infinite",
    "integer-arabic-indic-digits": "digits are ASCII, so a value reads the same everywhere",
    "missing-values-na": "only an empty cell is missing, so 'NA' can never hide a value",
    "date-format-dmy": "dates are written one way, YYYY-MM-DD",
    "number-group-char": "numbers are written one way, without thousands separators",
    "pattern-look-ahead": "patterns must run in RE2 as well as Python",
    "dialect-semicolon": "CSV is written one way: commas, double quotes",
    "integer-underscore": "digits only: Python reads 8_000 as 8000, a spreadsheet does not",
}

CASES = {
    # name: (field, cells, extra schema keys, extra resource keys)
    "string-plain": ({"type": "string"}, ["a", "b"], {}, {}),
    "number-nan": ({"type": "number"}, ["1.5", "NaN"], {}, {}),
    "number-infinity": ({"type": "number"}, ["1.5", "INF"], {}, {}),
    "number-minus-infinity": ({"type": "number"}, ["-INF"], {}, {}),
    "number-exponent": ({"type": "number"}, ["1e3", "-2.5E-2"], {}, {}),
    "number-group-char": ({"type": "number", "groupChar": "_"}, ["8_000"], {}, {}),
    "integer-underscore": ({"type": "integer"}, ["8_000"], {}, {}),
    "integer-20-digits": ({"type": "integer"}, ["12345678901234567890"], {}, {}),
    "integer-20-digits-above-maximum": ({"type": "integer", "constraints": {"maximum": 12345678901234567889}}, ["12345678901234567890"], {}, {}),
    "integer-20-digits-at-maximum": ({"type": "integer", "constraints": {"maximum": 12345678901234567890}}, ["12345678901234567890"], {}, {}),
    "integer-plus-sign": ({"type": "integer"}, ["+5"], {}, {}),
    "integer-decimal-point": ({"type": "integer"}, ["5.0"], {}, {}),
    "integer-keys-1-and-01": ({"type": "integer"}, ["1", "01"], {}, {}),
    "integer-unique-1-and-01": ({"type": "integer", "constraints": {"unique": True}}, ["1", "01"], {"primaryKey": ["id"]}, {}),
    "integer-arabic-indic-digits": ({"type": "integer"}, ["٣"], {}, {}),
    "integer-enum": ({"type": "integer", "constraints": {"enum": [1, 2]}}, ["1", "2"], {}, {}),
    "integer-enum-leading-zero": ({"type": "integer", "constraints": {"enum": [1, 2]}}, ["01"], {}, {}),
    "integer-enum-outside": ({"type": "integer", "constraints": {"enum": [1, 2]}}, ["3"], {}, {}),
    "boolean-enum": ({"type": "boolean", "constraints": {"enum": [True]}}, ["true"], {}, {}),
    "string-enum-outside": ({"type": "string", "constraints": {"enum": ["a"]}}, ["b"], {}, {}),
    "missing-values-na": ({"type": "integer"}, ["NA", "3"], {"missingValues": ["", "NA"]}, {}),
    "date-iso": ({"type": "date"}, ["2024-02-29"], {}, {}),
    "date-not-real": ({"type": "date"}, ["2023-02-29"], {}, {}),
    "date-format-dmy": ({"type": "date", "format": "%d/%m/%Y"}, ["29/02/2024"], {}, {}),
    "pattern-anchored": ({"type": "string", "constraints": {"pattern": "[a-z]+"}}, ["abc", "abc1"], {}, {}),
    "pattern-look-ahead": ({"type": "string", "constraints": {"pattern": "(?=a)[a-z]+"}}, ["abc"], {}, {}),
    "min-length": ({"type": "string", "constraints": {"minLength": 3}}, ["ab"], {}, {}),
    "max-length": ({"type": "string", "constraints": {"maxLength": 3}}, ["abcd"], {}, {}),
    "number-below-minimum": ({"type": "number", "constraints": {"minimum": 0}}, ["-0.5"], {}, {}),
    "year-plain": ({"type": "year"}, ["2024"], {}, {}),
    "required-empty": ({"type": "string", "constraints": {"required": True}}, [""], {}, {}),
    "dialect-semicolon": ({"type": "string"}, ["a"], {}, {"dialect": {"delimiter": ";"}}),
}


def package(root: Path, field: dict, cells: list[str], schema_extra: dict, resource_extra: dict) -> Path:
    root.mkdir(parents=True)
    value = {"name": "value", **field}
    schema = {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}}, value],
              "primaryKey": ["id"], **schema_extra}
    if schema.get("primaryKey") == ["id"] and "integer-keys" in root.name:
        schema["primaryKey"] = ["value"]
    (root / "t.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    delimiter = resource_extra.get("dialect", {}).get("delimiter", ",")
    body = f"id{delimiter}value\n" + "".join(f"r{i}{delimiter}{c}\n" for i, c in enumerate(cells))
    (root / "t.csv").write_bytes(body.encode("utf-8"))
    data = (root / "t.csv").read_bytes()
    resource = {"name": "t", "path": "t.csv", "schema": "t.schema.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data), **resource_extra}
    (root / "datapackage.json").write_text(json.dumps({"name": "edge", "version": "1.0.0", "resources": [resource]}), encoding="utf-8")
    return root


def frictionless_verdict(root: Path) -> bool:
    from frictionless import Package

    return Package(str(root / "datapackage.json")).validate().valid


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_verdict_as_frictionless(tmp_path: Path, name: str) -> None:
    root = package(tmp_path / name, *CASES[name])
    ours = validate(root).valid
    theirs = frictionless_verdict(root)
    if name in STRICTER:
        assert theirs and not ours, f"{name}: the project is stricter here ({STRICTER[name]}), so frictionless accepts and we refuse"
    else:
        assert ours == theirs, f"{name}: alliance-data says {'valid' if ours else 'invalid'}, frictionless {'valid' if theirs else 'invalid'}: {[str(p) for p in validate(root).problems]}"


@pytest.mark.parametrize(("child_type", "parent_type"), [("integer", "string"), ("string", "integer"), ("integer", "number"), ("string", "string")])
def test_a_foreign_key_compares_by_type_like_frictionless(tmp_path: Path, child_type: str, parent_type: str) -> None:
    """An integer 1 is not the string "1"; an integer 1 is the number 1."""
    root = tmp_path / "fk"
    root.mkdir()
    parent = {"fields": [{"name": "key", "type": parent_type, "constraints": {"required": True}}], "primaryKey": ["key"]}
    child = {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}}, {"name": "ref", "type": child_type}],
             "primaryKey": ["id"], "foreignKeys": [{"fields": "ref", "reference": {"resource": "parent", "fields": "key"}}]}
    (root / "parent.schema.json").write_text(json.dumps(parent), encoding="utf-8")
    (root / "child.schema.json").write_text(json.dumps(child), encoding="utf-8")
    (root / "parent.csv").write_text("key\n1\n2\n", encoding="utf-8")
    (root / "child.csv").write_text("id,ref\na,1\nb,2\n", encoding="utf-8")
    resources = [{"name": n, "path": f"{n}.csv", "schema": f"{n}.schema.json"} for n in ("parent", "child")]
    (root / "datapackage.json").write_text(json.dumps({"name": "fk", "version": "1.0.0", "resources": resources}), encoding="utf-8")
    ours, theirs = validate(root).valid, frictionless_verdict(root)
    assert ours == theirs, f"{child_type} -> {parent_type}: alliance-data {ours}, frictionless {theirs}"
