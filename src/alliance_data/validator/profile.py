"""This repository's profile of the Data Package and Table Schema standards: the keywords it
allows, the keys it refuses because a reader would fetch something, the fixed values of a
resource, the types a field may have and how each is written, and the names the exports take.
"""

from __future__ import annotations

from typing import Any

from .._package import DESCRIPTOR
from .report import Problem, quote

# The keywords this repository's profile allows: the Data Package and Table Schema
# standards' own, plus `enumDescriptions` (the meaning of each allowed value). Anything
# else is a typo that would silently switch a check off, so it is an error.
PACKAGE_KEYWORDS = {"profile", "name", "id", "title", "description", "homepage", "version", "created",
                    "keywords", "licenses", "contributors", "sources", "image", "resources"}
RESOURCE_KEYWORDS = {"name", "path", "schema", "profile", "title", "description", "format", "mediatype", "encoding",
                     "bytes", "hash", "sources", "licenses", "type"}
SCHEMA_KEYWORDS = {"fields", "primaryKey", "foreignKeys", "missingValues", "title", "description"}
FIELD_KEYWORDS = {"name", "type", "format", "title", "description", "constraints", "rdfType", "example",
                  "trueValues", "falseValues", "enumDescriptions"}
CONSTRAINT_KEYWORDS = {"required", "unique", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum"}
FOREIGN_KEY_KEYWORDS = {"fields", "reference"}
REFERENCE_KEYWORDS = {"resource", "fields"}
# Keys a reader dereferences (and frictionless would fetch, were they remote): never honoured here.
FETCHED_KEYS = {
    "$ref": "is a JSON reference; this package holds its descriptors whole, so nothing is looked up elsewhere",
    "$schema": "names a profile to fetch; this package's profile is fixed (remove it)",
    "dialect": "is not supported: every table is comma-separated UTF-8 CSV with double quotes (RFC 4180); remove it",
    "scheme": "is not supported: tables are files inside the package folder; remove it",
    "compression": "is not supported: tables are plain CSV files; remove it",
}
PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
FIXED_VALUES = {"format": {"csv"}, "mediatype": {"text/csv"}, "encoding": {"utf-8"}, "type": {"table"}}
# The form a non-empty cell of each type must have, and how a message names it.
TYPE_SHAPES = {
    "string": (None, ""),
    "integer": (r"^[+-]?[0-9]+$", "an integer"),
    # Table Schema also allows NaN, INF and -INF; no figure here is one, so they are refused.
    "number": (r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$", "a finite number (NaN and infinities are not figures)"),
    "date": (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "a date written YYYY-MM-DD"),
    "year": (r"^[0-9]{4}$", "a year written YYYY"),
}
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
# Names the exports give their own tables, sheets and views: a table of that name would replace one.
RESERVED_NAMES = {"about", "codebook", "agreements_wide", "timeline", "dated"}
RESERVED_PREFIXES = ("sqlite_", "codes_")
RESERVED_SUFFIXES = ("_citations", "_money")
EXCEL_SHEET = 31


def unknown_keywords(rel: str, where: str, value: Any, allowed: set[str], code: str) -> list[Problem]:
    """Keywords outside this repository's profile, each with the nearest allowed one as a hint."""
    import difflib

    if not isinstance(value, dict):
        return []
    problems = []
    for key in value:
        if key in allowed:
            continue
        near = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6) or \
            [k for k in sorted(allowed) if k.lower() == key.lower()]
        hint = f": did you mean {near[0]}?" if near else f"; allowed here: {', '.join(sorted(allowed))}"
        problems.append(Problem(rel, 0, f"{where}{key}" if where else key, f"is not a keyword of this profile{hint}", code))
    return problems


def fetched_references(rel: str, value: Any, code: str, where: str = "") -> list[Problem]:
    """Every key in a descriptor or schema that would make a reader fetch or open something
    outside the package: ``$ref``, ``$schema``, ``dialect`` and friends anywhere, and a
    ``profile`` that is not one of the standard's registered names."""
    problems: list[Problem] = []
    if isinstance(value, list):
        for number, item in enumerate(value):
            named = where == "resources" and isinstance(item, dict) and isinstance(item.get("name"), str)
            problems += fetched_references(rel, item, code, item["name"] if named else f"{where}[{number}]")
    if not isinstance(value, dict):
        return problems
    for key, item in value.items():
        label = f"{where}.{key}" if where else str(key)
        if key in FETCHED_KEYS:
            problems.append(Problem(rel, 0, label, FETCHED_KEYS[key], code))
        elif key == "profile" and item not in PROFILES:
            problems.append(Problem(rel, 0, label, f"{quote(item)} is not a registered profile name ({', '.join(sorted(PROFILES))}): "
                                    "a URL or a path would be fetched, so it is refused", code))
        elif isinstance(item, (dict, list)) and key not in ("enumDescriptions", "example"):
            problems += fetched_references(rel, item, code, label)
    return problems


def fixed_values(label: str, resource: dict[str, Any]) -> list[Problem]:
    """A resource's format, media type, encoding and type, where given, are the ones this package reads."""
    return [Problem(DESCRIPTOR, 0, f"{label}.{key}", f"{quote(resource[key])} is not supported: use {' or '.join(sorted(allowed))}",
                    "descriptor/unsupported-value")
            for key, allowed in FIXED_VALUES.items()
            if key in resource and str(resource[key]).lower() not in allowed]


def name_clash(label: str, resource: dict[str, Any], seen: set[str], generated: list[dict[str, Any]]) -> Problem | None:
    """Why a table's name or path would collide with something an export or build makes, if it would."""
    def clash(message: str, code: str) -> Problem:
        return Problem(DESCRIPTOR, 0, label, message, code)

    if label in RESERVED_NAMES or label.startswith(RESERVED_PREFIXES) or label.endswith(RESERVED_SUFFIXES):
        return clash("name is taken by what the exports make (the workbook's about and codebook sheets, agreements_wide, "
                     "the SQLite citation tables, code tables, money and timeline views, SQLite's own tables): rename the table",
                     "descriptor/reserved-name")
    for other in seen:
        if other[:EXCEL_SHEET] == label[:EXCEL_SHEET]:
            return clash(f"its first {EXCEL_SHEET} characters, a workbook sheet's name, are those of {other}: rename one of them",
                         "descriptor/sheet-name-clash")
    path = str(resource.get("path", ""))
    if not path.endswith(".csv"):
        return clash(f"path {quote(path)}: a table here is a .csv file", "descriptor/not-csv")
    for entry in generated:
        if entry.get("path") == path and entry.get("name") != label:
            return clash(f"path {quote(path)} is the file build generates for {entry.get('name')}: pick another path", "descriptor/generated-path")
    return None
