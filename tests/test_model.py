"""The one model of the package: what it says is what the schema files say, and modules read it."""

from __future__ import annotations

import json
import re

import pytest

from alliance_data.model import Field, package
from conftest import DATA, REPO


def test_the_model_says_what_the_files_say() -> None:
    model = package(DATA)
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    generated = json.loads((DATA / "schemas" / "derived.json").read_text(encoding="utf-8"))["resources"]
    resources = descriptor["resources"] + [r for r in generated if r["name"] not in {d["name"] for d in descriptor["resources"]}]
    assert model.version == descriptor["version"] and model.title == descriptor["title"]
    assert model.table_names == [r["name"] for r in resources]
    for resource in resources:
        schema = json.loads((DATA / resource["schema"]).read_text(encoding="utf-8"))
        table = model.table(resource["name"])
        assert table.path == resource["path"] and table.field_names == [f["name"] for f in schema["fields"]]
        key = schema["primaryKey"]
        assert list(table.primary_key) == ([key] if isinstance(key, str) else key)
        assert len(table.foreign_keys) == len(schema.get("foreignKeys", []))
        for written, field in zip(schema["fields"], table.fields, strict=False):
            constraints = written.get("constraints", {})
            assert field.type == written.get("type", "string"), (table.name, field.name)
            assert field.required == bool(constraints.get("required")), (table.name, field.name)
            assert field.enum == (tuple(constraints["enum"]) if "enum" in constraints else None)
            assert field.pattern == constraints.get("pattern")
            assert (field.minimum, field.maximum) == (constraints.get("minimum"), constraints.get("maximum"))
            assert dict(field.enum_descriptions) == written.get("enumDescriptions", {})


def test_a_self_reference_points_at_its_own_table() -> None:
    actors = package(DATA).table("actors")
    (parent,) = [fk for fk in actors.foreign_keys if fk.fields == ("parent_id",)]
    assert parent.resource == "actors" and parent.reference == ("actor_id",)


def test_unknown_names_are_listed_in_the_error() -> None:
    model = package(DATA)
    for lookup, wrong, listed in ((model.table, "agreement", "agreements"),
                                  (model.table("events").field, "evnt_id", "event_id")):
        with pytest.raises(KeyError, match=listed):
            lookup(wrong)


def test_a_field_is_typed_from_its_descriptor() -> None:
    field = Field.from_descriptor({"name": "n", "type": "integer", "constraints": {"minimum": 0, "unique": True}})
    assert (field.type, field.minimum, field.maximum, field.unique, field.nullable) == ("integer", 0, None, True, True)


def test_modules_read_schemas_through_the_model() -> None:
    """Outside the reader (_package), the model and the validator's schema check (which checks
    raw schemas before the model is built from them), no module looks inside a schema dict."""
    raw = re.compile(r"""(?<!row)\[["'](fields|constraints|primaryKey|foreignKeys|enumDescriptions)["']\]|\.get\(["'](constraints|enumDescriptions|primaryKey|foreignKeys)["']""")
    offenders = []
    src = REPO / "src" / "alliance_data"
    for path in sorted(src.rglob("*.py")):
        name = path.relative_to(src).as_posix()
        if name in ("_package.py", "model.py", "validator/schema.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if raw.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_every_exception_lives_in_errors_and_has_one_base() -> None:
    """One home for errors: every exception class of the package is defined in errors.py,
    derives from AllianceDataError and is exported; a missing extra is one MissingDependency."""
    import ast

    import alliance_data
    from alliance_data import errors

    src = REPO / "src" / "alliance_data"
    for path in src.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and (b.id.endswith(("Error", "Exception")) or b.id in
                                                       {"AllianceDataError", "DataPackageError", "ExportError"}) for b in node.bases):
                assert path.name == "errors.py", f"{path.name} defines {node.name}"
        if path.name != "errors.py":
            text = path.read_text(encoding="utf-8")
            assert "raise ImportError" not in text, f"{path.name}: a missing extra is MissingDependency, from errors.require"
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == errors.__name__:
            assert issubclass(value, alliance_data.AllianceDataError) and getattr(alliance_data, name) is value, name
    assert issubclass(alliance_data.MissingDependency, ImportError)
    with pytest.raises(alliance_data.MissingDependency, match='pip install "alliance-data\\[nothing\\]"'):
        errors.require("no_such_module_here", "nothing", "this")


def test_the_public_api_takes_options_by_keyword() -> None:
    """load, search and timeline take their options by keyword (typed with overloads on backend)."""
    import inspect

    import alliance_data

    for function in (alliance_data.load, alliance_data.search, alliance_data.timeline):
        parameters = inspect.signature(function).parameters
        assert parameters["backend"].kind is inspect.Parameter.KEYWORD_ONLY, function.__name__
    assert "strict = true" in (REPO / "pyproject.toml").read_text(encoding="utf-8")
