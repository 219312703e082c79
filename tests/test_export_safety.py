"""Exports never run, lose or change data: no text reaches a workbook as a formula, and a
table whose name or path would collide with something an export or build makes is refused
by validate with the reason, before any export meets it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from alliance_data import validate
from test_validate import copy_csv_package

FORMULA = '=HYPERLINK("http://127.0.0.1/x","click")'


def _descriptor(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def _save(root: Path, descriptor: dict) -> None:
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def test_no_text_becomes_a_formula_in_the_workbook(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from alliance_data.export import xlsx_bytes

    root = copy_csv_package(tmp_path / "package")
    descriptor = _descriptor(root)
    descriptor["title"] = FORMULA
    _save(root, descriptor)
    schema_path = root / "schemas" / "frictions.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"][1]["description"] = "=1+1"
    schema["fields"][2]["enumDescriptions"] = {k: "=SUM(A1:A9)" for k in schema["fields"][2]["enumDescriptions"]}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(root)))
    formulas = [(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas
    texts = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "=1+1" in texts  # kept, as text


def _add_table(root: Path, name: str, path: str | None = None) -> None:
    descriptor = _descriptor(root)
    entry = dict(next(r for r in descriptor["resources"] if r["name"] == "frictions"))
    entry.update(name=name, path=path or f"tables/{name}.csv", schema=f"schemas/{name}.schema.json")
    descriptor["resources"].append(entry)
    _save(root, descriptor)
    (root / "schemas" / f"{name}.schema.json").write_bytes((root / "schemas" / "frictions.schema.json").read_bytes())
    target = root / entry["path"]
    if target.suffix == ".csv" and not target.exists():
        target.write_bytes((root / "tables" / "frictions.csv").read_bytes())


@pytest.mark.parametrize(("name", "path", "code"), [
    ("codebook", None, "descriptor/reserved-name"),
    ("about", None, "descriptor/reserved-name"),
    ("agreements_wide", None, "descriptor/reserved-name"),
    ("events_citations", None, "descriptor/reserved-name"),
    ("sqlite_master", None, "descriptor/reserved-name"),
    ("codes_kind", None, "descriptor/reserved-name"),
    ("agreements_money", None, "descriptor/reserved-name"),
    ("friction_actors_and_a_very_long_tail", None, "descriptor/sheet-name-clash"),
    ("frictions_copy", "tables/frictions.csv", "descriptor/duplicate-path"),
    ("frictions_parquet", "tables/frictions.parquet", "descriptor/not-csv"),
    ("panel", "tables/dyad_year.csv", "descriptor/generated-path"),  # the generated panel's file
])
def test_a_table_that_would_collide_is_refused(tmp_path: Path, name: str, path: str | None, code: str) -> None:
    root = copy_csv_package(tmp_path / "package")
    (root / "schemas" / "derived.json").write_bytes((Path(__file__).resolve().parents[1] / "schemas" / "derived.json").read_bytes()) \
        if (Path(__file__).resolve().parents[1] / "schemas" / "derived.json").is_file() else None
    # As the checkout holds it: the descriptor leaves the generated panels to schemas/derived.json
    # (the installed data's descriptor lists them, which would make a panel's path a plain duplicate).
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if not r["name"].startswith("dyad_year")]
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    for panel in ("dyad_year", "dyad_year_directed"):
        (root / "tables" / f"{panel}.csv").unlink(missing_ok=True)
    if name == "friction_actors_and_a_very_long_tail":
        _add_table(root, "friction_actors_and_a_very_long_name_too")  # 31 characters shared with the next
    _add_table(root, name, path)
    problems = [(p.path, p.field, p.code) for p in validate(root).problems]
    assert ("datapackage.json", name, code) in problems, problems


def test_a_generated_table_cannot_be_redefined(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    derived = Path(__file__).resolve().parents[1] / "schemas" / "derived.json"
    if not derived.is_file():
        pytest.skip("needs the repository's schemas/derived.json")
    (root / "schemas" / "derived.json").write_bytes(derived.read_bytes())
    _add_table(root, "dyad_year", "tables/my_panel.csv")
    problems = [(p.path, p.field, p.code) for p in validate(root).problems]
    assert ("datapackage.json", "dyad_year", "descriptor/generated-redefined") in problems, problems
