"""The shape of a Table Schema, checked before any data is read, so that checking the data
cannot trip over it: fields, types, constraints, primary and foreign keys."""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import key_names
from .profile import (CONSTRAINT_KEYWORDS, FIELD_KEYWORDS, FOREIGN_KEY_KEYWORDS, REFERENCE_KEYWORDS, SCHEMA_KEYWORDS,
                      TYPE_SHAPES, unknown_keywords)
from .report import Problem, quote

MAX_COLUMNS = 1000  # a header with more columns is refused before its rows are parsed
UNKNOWN = "schema/unknown-keyword"


def schema_problems(rel: str, schema: Any, resource_names: set[str]) -> list[Problem]:
    """Problems with a Table Schema itself (``rel``), whose foreign keys may name ``resource_names``."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        return [Problem(rel, 0, "fields", "a Table Schema needs a non-empty list of fields", "schema/no-fields")]
    if len(schema["fields"]) > MAX_COLUMNS:
        return [Problem(rel, 0, "fields", f"has {len(schema['fields']):,} fields, more than the {MAX_COLUMNS:,} a table here may have",
                        "schema/too-many-fields")]
    problems = unknown_keywords(rel, "", schema, SCHEMA_KEYWORDS, UNKNOWN)
    if "missingValues" in schema and schema["missingValues"] != [""]:
        problems.append(Problem(rel, 0, "missingValues", f"{quote(schema['missingValues'])} is not supported: only an empty cell is missing here "
                                "(the standard's default, [\"\"]); write missing values as empty cells", "schema/missing-values"))
    key = schema.get("primaryKey")
    if not (isinstance(key, str) or (isinstance(key, list) and key and all(isinstance(k, str) for k in key))):
        problems.append(Problem(rel, 0, "primaryKey", "every table here needs a primary key: a field name or a list of them", "schema/no-primary-key"))
    for number, fk in enumerate(schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys", []), list) else []):
        problems += unknown_keywords(rel, f"foreignKeys[{number}].", fk, FOREIGN_KEY_KEYWORDS, UNKNOWN)
        if isinstance(fk, dict):
            problems += unknown_keywords(rel, f"foreignKeys[{number}].reference.", fk.get("reference"), REFERENCE_KEYWORDS, UNKNOWN)
    names = []
    for number, f in enumerate(schema["fields"]):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            problems.append(Problem(rel, 0, f"fields[{number}]", "a field needs a name", "schema/unnamed-field"))
            continue
        names.append(f["name"])
        problems += _field_problems(rel, f)
    if len(set(names)) != len(names):
        problems.append(Problem(rel, 0, "fields", "field names must be unique", "schema/duplicate-field"))
    for key in key_names(schema.get("primaryKey", [])):
        if key not in names:
            problems.append(Problem(rel, 0, "primaryKey", f"{quote(key)} is not a field", "schema/unknown-field"))
    return problems + _foreign_key_problems(rel, schema, names, resource_names)


def _field_problems(rel: str, f: dict[str, Any]) -> list[Problem]:
    """Problems with one named field: its keywords, its type and its constraints."""
    name = f["name"]
    problems = unknown_keywords(rel, f"{name}.", f, FIELD_KEYWORDS, UNKNOWN)
    problems += unknown_keywords(rel, f"{name}.constraints.", f.get("constraints"), CONSTRAINT_KEYWORDS, UNKNOWN)
    if f.get("type", "string") not in TYPE_SHAPES and f.get("type") != "boolean":
        problems.append(Problem(rel, 0, name, f"type {quote(f.get('type'))} is not one of {', '.join([*TYPE_SHAPES, 'boolean'])}", "schema/unknown-type"))
    constraints = f.get("constraints", {})
    if not isinstance(constraints, dict):
        return [*problems, Problem(rel, 0, name, "constraints must be an object", "schema/invalid-constraints")]
    if "enum" in constraints and not isinstance(constraints["enum"], list):
        problems.append(Problem(rel, 0, name, "enum must be a list", "schema/invalid-enum"))
    elif "enum" in constraints:
        texts = [json.dumps(v, sort_keys=True) for v in constraints["enum"]]
        twice = sorted({t for t in texts if texts.count(t) > 1})
        if twice:  # an export would make two codes of one value (a Stata label, a code table row)
            problems.append(Problem(rel, 0, name, f"enum lists {', '.join(twice)} more than once: list each value once", "schema/duplicate-enum"))
    if "pattern" in constraints:
        why = _regex_problem(constraints["pattern"])
        if why:
            problems.append(Problem(rel, 0, name, f"pattern {quote(constraints['pattern'])} {why}", "schema/invalid-pattern"))
    for bound in ("minimum", "maximum"):
        if bound in constraints and not _is_number(constraints[bound]):
            problems.append(Problem(rel, 0, name, f"{bound} {quote(constraints[bound])} must be a number", "schema/invalid-bound"))
    for bound in ("minLength", "maxLength"):
        if bound in constraints and not (isinstance(constraints[bound], int) and not isinstance(constraints[bound], bool) and constraints[bound] >= 0):
            problems.append(Problem(rel, 0, name, f"{bound} {quote(constraints[bound])} must be a whole number, 0 or more", "schema/invalid-bound"))
    return problems


def _foreign_key_problems(rel: str, schema: dict[str, Any], names: list[str], resource_names: set[str]) -> list[Problem]:
    """Each foreign key has fields of this schema and reference fields, and refers to a resource of the package."""
    problems = []
    for fk in schema.get("foreignKeys", []):
        fields = fk.get("fields") if isinstance(fk, dict) else None
        fields = [fields] if isinstance(fields, str) else fields
        reference = fk.get("reference", {}) if isinstance(fk, dict) else {}
        if not fields or not isinstance(reference, dict) or not reference.get("fields"):
            problems.append(Problem(rel, 0, "foreignKeys", "each foreign key needs fields and reference.fields", "schema/invalid-foreign-key"))
            continue
        problems += [Problem(rel, 0, "foreignKeys", f"{quote(name)} is not a field", "schema/unknown-field") for name in fields if name not in names]
        if reference.get("resource") and reference["resource"] not in resource_names:
            problems.append(Problem(rel, 0, "foreignKeys", f"refers to {quote(reference['resource'])}, which is not a resource of the package",
                                    "schema/unknown-resource"))
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf")


def _regex_problem(pattern: Any) -> str | None:
    """Why a pattern cannot be used (Python's and pyarrow's regular expression engines both run it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(pattern, str):
        return "must be a string"
    try:
        re.compile(pattern)
        pc.match_substring_regex(pa.nulls(1, pa.string()), f"^(?:{pattern})$")  # compiles it, builds nothing
    except (re.error, pa.ArrowInvalid) as error:
        return f"is not a regular expression this validator can run (no look-arounds or back-references): {error}"
    return None
