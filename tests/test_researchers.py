"""Stata and Excel exports, read back by readers other than the writer (pyreadstat, openpyxl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import alliance_data
from alliance_data.cli import main
from conftest import DATA

pyreadstat = pytest.importorskip("pyreadstat")
openpyxl = pytest.importorskip("openpyxl")

SCHEMAS = {p.name.removesuffix(".schema.json"): json.loads(p.read_text(encoding="utf-8")) for p in (DATA / "schemas").glob("*.schema.json")}


@pytest.fixture(scope="module")
def stata_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("stata")
    assert main(["export", "--format", "stata", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_stata_file_has_rows_types_and_labels(stata_folder: Path, name: str) -> None:
    frame, meta = pyreadstat.read_dta(str(stata_folder / f"{name}.dta"))
    expected = alliance_data.load(name)
    assert len(frame) == len(expected)
    for field in SCHEMAS[name]["fields"]:
        column = "_" + field["name"] if field["name"] == "end" else field["name"]
        assert column in meta.column_names, column
        label = meta.column_names_to_labels[column]
        if column != field["name"]:  # a renamed variable's label starts with its original name
            assert label.startswith(f"{field['name']}: ")
            label = label.split(": ", 1)[1]
        assert label and label[:20] == " ".join(field["description"].split())[:20]
        enum = field.get("constraints", {}).get("enum")
        if enum:  # a value label for every allowed value
            assert set(meta.variable_value_labels[column].values()) == {str(v) for v in enum}
        if field["type"] in ("integer", "number"):
            assert meta.readstat_variable_types[column] in ("double", "int32", "int16", "int8", "float")


def test_stata_files_depend_on_the_data_alone(stata_folder: Path) -> None:
    """The header's time stamp is fixed, so exporting again gives the same bytes."""
    from alliance_data.export.stata import TIME_STAMP

    # Format 118 writes the stamp as text in its header: "01 Jan 2000 00:00", after its length.
    stamp = f"{TIME_STAMP:%d %b %Y %H:%M}".encode()
    for name in ("actors", "votes"):
        header = (stata_folder / f"{name}.dta").read_bytes()[:400]
        assert b"<timestamp>" + bytes([len(stamp)]) + stamp in header


def test_agreements_wide_in_stata(stata_folder: Path) -> None:
    frame, meta = pyreadstat.read_dta(str(stata_folder / "agreements_wide.dta"))
    agreements = alliance_data.load("agreements")
    assert len(frame) == len(agreements)
    row = frame.set_index("agreement_id").loc["iran-drone-supply-to-russia"]
    assert "IRN" in row["supplier"].split("; ") and "RUS" in row["recipient"].split("; ")
    assert row["n_sources"] >= 2
    evidence = next(f for f in SCHEMAS["agreements"]["fields"] if f["name"] == "evidence")
    assert set(meta.variable_value_labels["evidence"].values()) == set(evidence["constraints"]["enum"]), "enums labelled here too"


def test_workbook_sheets_codebook_and_about(tmp_path: Path) -> None:
    out = tmp_path / "alliance.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[:2] == ["about", "codebook"]
    assert set(book.sheetnames[2:]) == set(SCHEMAS) | {"agreements_wide"}
    for name in SCHEMAS:
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == [f["name"] for f in SCHEMAS[name]["fields"]]
        assert len(rows) - 1 == len(alliance_data.load(name))
    about = dict(book["about"].iter_rows(min_row=2, values_only=True))
    assert about["data version"] == alliance_data.data_version()
    assert about["fingerprint"] == alliance_data.fingerprint() and "CC-BY-4.0" in about["licence"]
    codebook = list(book["codebook"].iter_rows(min_row=2, values_only=True))
    assert sum(len(s["fields"]) for s in SCHEMAS.values()) <= len(codebook)


def test_stata_names_are_made_legal() -> None:
    from alliance_data.export import stata_names

    names = stata_names(["end", "a" * 40, "a" * 33, "9lives", "ok"])
    assert names["end"] == "_end" and names["ok"] == "ok" and names["9lives"] == "_9lives"
    assert len(set(names.values())) == 5 and all(len(n) <= 32 for n in names.values())
