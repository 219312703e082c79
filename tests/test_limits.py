"""No crash on size or depth: each limit is a one-line refusal naming the file, within seconds
and bounded memory (the validator refuses before it reads what is too big)."""

from __future__ import annotations

import json
from pathlib import Path

from alliance_data import validate
from alliance_data.cli import main
from alliance_data.validator import MAX_COLUMNS, MAX_TABLE_BYTES
from conftest import read_rows, write_rows
from test_validate import copy_csv_package


def _refused(root: Path, path: str, code: str, capsys) -> None:
    problems = [(p.path, p.code) for p in validate(root).problems]
    assert (path, code) in problems, problems
    assert main(["validate", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "internal error" not in out + err and "Traceback" not in out + err


def test_a_table_larger_than_the_limit_is_refused_unread(tmp_path: Path, capsys) -> None:
    root = copy_csv_package(tmp_path / "package", only="frictions")
    with open(root / "tables" / "frictions.csv", "r+b") as handle:  # sparse: no disk is used
        handle.seek(MAX_TABLE_BYTES + 1)
        handle.write(b"\n")
    _refused(root, "tables/frictions.csv", "file/too-large", capsys)


def test_a_schema_of_thousands_of_columns_is_refused(tmp_path: Path, capsys) -> None:
    root = copy_csv_package(tmp_path / "package", only="frictions")
    path = root / "schemas" / "frictions.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"] += [{"name": f"column_{i}", "type": "string"} for i in range(MAX_COLUMNS * 20)]
    path.write_text(json.dumps(schema), encoding="utf-8")
    _refused(root, "schemas/frictions.schema.json", "schema/too-many-fields", capsys)


def test_a_descriptor_nested_too_deep_is_refused(tmp_path: Path, capsys) -> None:
    root = copy_csv_package(tmp_path / "package", only="frictions")
    text = (root / "datapackage.json").read_text(encoding="utf-8").rstrip()
    (root / "datapackage.json").write_text(text[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    _refused(root, "datapackage.json", "json/too-deep", capsys)


def test_a_schema_nested_past_the_stated_limit_is_refused(tmp_path: Path, capsys) -> None:
    from alliance_data.validator import MAX_DEPTH

    root = copy_csv_package(tmp_path / "package", only="frictions")
    path = root / "schemas" / "frictions.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    nested: list = []
    inner = nested
    for _ in range(MAX_DEPTH + 5):
        inner.append([])
        inner = inner[0]
    schema["fields"][0]["example"] = nested
    path.write_text(json.dumps(schema), encoding="utf-8")
    _refused(root, "schemas/frictions.schema.json", "json/too-deep", capsys)


def test_an_integer_beyond_64_bits_is_refused(tmp_path: Path, capsys) -> None:
    root = copy_csv_package(tmp_path / "package", only="votes")
    path = root / "tables" / "votes.csv"
    rows = read_rows(path)
    rows[0]["tally_yes"] = "123456789012345678901"  # 21 digits, and no maximum in the schema
    rows[1]["tally_yes"] = "000000000000000000000141"  # long, but a small number: fine
    write_rows(path, rows, list(rows[0]))
    problems = [(p.path, p.line, p.field, p.code) for p in validate(root).problems]
    assert ("tables/votes.csv", 2, "tally_yes", "cell/integer-range") in problems, problems
    assert not any(p[:3] == ("tables/votes.csv", 3, "tally_yes") for p in problems), problems


def test_a_full_disk_names_the_file_it_could_not_write(tmp_path: Path, monkeypatch, capsys) -> None:
    import errno

    from alliance_data import _io

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_io.os, "fsync", full)
    out = tmp_path / "csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and str(out) in err and "internal error" not in err
    assert not list(out.rglob("*.tmp")), "no half-written file is left behind"


def test_a_duplicated_enum_value_is_refused_before_any_export(tmp_path: Path, capsys) -> None:
    root = copy_csv_package(tmp_path / "package", only="frictions")
    path = root / "schemas" / "frictions.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if "enum" in f.get("constraints", {}))
    field["constraints"]["enum"].append(field["constraints"]["enum"][0])
    path.write_text(json.dumps(schema), encoding="utf-8")
    _refused(root, "schemas/frictions.schema.json", "schema/duplicate-enum", capsys)


def test_an_integer_stata_cannot_hold_exactly_is_refused(tmp_path: Path) -> None:
    import pandas as pd
    import pytest

    from alliance_data import CannotRepresent
    from alliance_data.export import stata_bytes

    frame = pd.DataFrame({"id": ["a", "b"], "n": pd.array([1, 2**60], dtype="Int64")})
    with pytest.raises(CannotRepresent, match="line 3"):
        stata_bytes(frame, {}, "t")
    frame["n"] = pd.array([1, 2**53], dtype="Int64")  # still exact: written, and read back equal
    path = tmp_path / "t.dta"
    path.write_bytes(stata_bytes(frame, {}, "t"))
    pyreadstat = pytest.importorskip("pyreadstat")
    back, _ = pyreadstat.read_dta(str(path))
    assert int(back["n"][1]) == 2**53


def test_a_long_cell_on_a_row_with_a_missing_cell_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package", only="frictions")
    path = root / "tables" / "frictions.csv"
    rows = read_rows(path)
    rows[3]["summary"] = "word " * 40_000 + "end"  # about 200 KB
    rows[3]["title"] = ""  # required, missing
    write_rows(path, rows, list(rows[0]))
    problems = [(p.path, p.line, p.field, p.code) for p in validate(root).problems]
    assert ("tables/frictions.csv", 5, "title", "cell/required") in problems, problems
