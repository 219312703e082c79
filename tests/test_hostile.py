"""Hostile and broken contributions: every one ends in named problems and exit 1, never a crash.

Each case edits a copy of the package one way (the classes of the validator issue: CSV
structure, Unicode, keys, values, schema and descriptor typos, stray files) and checks that
`alliance-data validate` names the file, the line and field where there is one, and the
problem's code (a registered one, as every problem's is).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliance_data.cli import main
from alliance_data.validator import CODES, validate
from test_validate import copy_csv_package


def _bytes(table: str, old: bytes, new: bytes):
    def edit(root: Path) -> None:
        path = root / "tables" / f"{table}.csv"
        data = path.read_bytes()
        assert old in data, old
        path.write_bytes(data.replace(old, new, 1))
    return edit


def _schema(table: str, change):
    def edit(root: Path) -> None:
        path = root / "schemas" / f"{table}.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        change(schema)
        path.write_text(json.dumps(schema), encoding="utf-8")
    return edit


def _field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def _text(rel: str, text: str):
    def edit(root: Path) -> None:
        (root / rel).write_text(text, encoding="utf-8")
    return edit


def _blank_line(root: Path) -> None:
    path = root / "tables" / "frictions.csv"
    lines = path.read_bytes().split(b"\n")
    lines.insert(3, b"")
    path.write_bytes(b"\n".join(lines))


def _many_dangling_citations(root: Path) -> None:
    path = root / "tables" / "citations.csv"
    extra = b"".join(b"events,no-such-event-%d,founding-article,x,supports,\n" % i for i in range(3000))
    path.write_bytes(path.read_bytes() + extra)


CASES = {
    # (edit, file named, line (None: any), field, code or codes)
    "stray-cr": (_bytes("frictions", b"mistrust,", b"mist\rrust,"), "tables/frictions.csv", None, "", "file/line-endings"),
    "blank-line": (_blank_line, "tables/frictions.csv", 4, "", "file/blank-line"),
    # The row is named whatever the csv module's field size limit (frictionless raises it for the whole process).
    "cell-past-the-csv-module-limit": (_bytes("frictions", b"Division of the Caspian seabed", b"x" * 200_000 + b'",'), "tables/frictions.csv", None, "", "file/row-width"),
    "huge-value-with-stray-spaces": (_bytes("frictions", b"Division of the Caspian seabed", b" " + b"seabed " * 300_000), "tables/frictions.csv", None, "title", "cell/whitespace"),
    "integer-past-64-bits": (_bytes("actors", b"IRN,Iran,state,IRN,630", b"IRN,Iran,state,IRN,123456789012345678901234"), "tables/actors.csv", None, "cow_code", "cell/integer-range"),
    "zero-width-space": (_bytes("frictions", b"Division of", "Division\u200b of".encode()), "tables/frictions.csv", None, "title", "cell/hidden-character"),
    "right-to-left-override": (_bytes("actors", b"aeoi,", "ae\u202eoi,".encode()), "tables/actors.csv", None, "actor_id", "cell/hidden-character"),
    "nan": (_bytes("cameo_codes", b"verbal_cooperation,0.0\n", b"verbal_cooperation,NaN\n"), "tables/cameo_codes.csv", 2, "goldstein", "cell/type"),
    "infinity": (_bytes("cameo_codes", b"verbal_cooperation,0.0\n", b"verbal_cooperation,-INF\n"), "tables/cameo_codes.csv", 2, "goldstein", "cell/type"),
    "year-0000": (_bytes("events", b",2023-06,,first_observed", b",0000-06,,first_observed"), "tables/events.csv", None, "date", "cell/date"),
    "year-9999": (_bytes("events", b",2023-06,,first_observed", b",9999-06,,first_observed"), "tables/events.csv", None, "date", "cell/date"),
    "parent-is-itself": (_bytes("actors", b"state_institution,,,IRN,", b"state_institution,,,aeoi,"), "tables/actors.csv", None, "parent_id", "key/cycle"),
    "non-numeric-minimum": (_schema("agreements", lambda s: _field(s, "value_low")["constraints"].update(minimum="zero")), "schemas/agreements.schema.json", 0, "value_low", "schema/invalid-bound"),
    "look-ahead-pattern": (_schema("frictions", lambda s: _field(s, "friction_id")["constraints"].update(pattern="^(?=a)[a-z-]+$")), "schemas/frictions.schema.json", 0, "friction_id", "schema/invalid-pattern"),
    "foreign-key-to-a-missing-field": (_schema("events", lambda s: s["foreignKeys"].append({"fields": "agreement_id", "reference": {"resource": "agreements", "fields": "nothing"}})), "schemas/events.schema.json", 0, "foreignKeys", "schema/unknown-field"),
    "misspelled-primarykey": (_schema("frictions", lambda s: s.__setitem__("primarykey", s.pop("primaryKey"))), "schemas/frictions.schema.json", 0, "primarykey", "schema/unknown-keyword"),
    "misspelled-foreignkey": (_schema("events", lambda s: s.__setitem__("foreignKey", s.pop("foreignKeys"))), "schemas/events.schema.json", 0, "foreignKey", "schema/unknown-keyword"),
    "misspelled-constraints": (_schema("frictions", lambda s: _field(s, "kind").__setitem__("constraint", _field(s, "kind").pop("constraints"))), "schemas/frictions.schema.json", 0, "kind.constraint", "schema/unknown-keyword"),
    "duplicate-json-key": (lambda root: (root / "schemas/frictions.schema.json").write_text((root / "schemas/frictions.schema.json").read_text().replace('"title":', '"title": "x", "title":', 1)), "schemas/frictions.schema.json", 0, "title", "json/duplicate-key"),
    "deeply-nested-json": (_text("schemas/frictions.schema.json", "[" * 100_000 + "]" * 100_000), "schemas/frictions.schema.json", 0, "", "json/too-deep"),
    "unknown-resource-keyword": (lambda root: (root / "datapackage.json").write_text((root / "datapackage.json").read_text().replace('"mediatype"', '"mediaType"', 1)), "datapackage.json", 0, "publishers.mediaType", "descriptor/unknown-keyword"),
    "file-not-in-the-descriptor": (_text("tables/extra.csv", "a,b\n1,2\n"), "tables/extra.csv", 0, "", "file/unlisted"),
    "leftover-temporary-file": (_text("tables/.frictions.csv.tmp", "half"), "tables/.frictions.csv.tmp", 0, "", "file/temporary"),
    "empty-csv": (_text("tables/frictions.csv", ""), "tables/frictions.csv", 1, "", "file/header"),
    "binary-csv": (lambda root: (root / "tables" / "frictions.csv").write_bytes(bytes(range(256)) * 50), "tables/frictions.csv", None, "", "file/line-endings"),
    "garbage-parquet-twin": (lambda root: (root / "tables" / "frictions.parquet").write_bytes(b"PAR1garbage"), "tables/frictions.parquet", 0, "", "generated/unreadable"),
    "header-of-many-columns": (_text("tables/frictions.csv", ",".join(f"c{i}" for i in range(50_000)) + "\n"), "tables/frictions.csv", 1, "", "file/header"),
    "unknown-field-type": (_schema("frictions", lambda s: _field(s, "kind").__setitem__("type", "geopoint")), "schemas/frictions.schema.json", 0, "kind", "schema/unknown-type"),
    "symlink-out-of-the-package": (lambda root: (root / "tables" / "frictions.parquet").symlink_to("/etc/hostname"), "tables/frictions.parquet", 0, "", "file/symlink"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_named_not_crashed(tmp_path: Path, name: str, capsys) -> None:
    edit, path, line, field, code = CASES[name]
    codes = (code,) if isinstance(code, str) else code
    root = copy_csv_package(tmp_path / "package")
    edit(root)
    assert main(["validate", str(root), "--format", "json"]) == 1  # the command, as a contributor meets it
    out, err = capsys.readouterr()
    assert "internal error" not in out + err and "Traceback" not in out + err
    problems = json.loads(out)["problems"]
    assert any((p["path"], p["field"]) == (path, field) and p["code"] in codes and line in (None, p["line"]) for p in problems), problems
    assert all(p["code"] in CODES for p in problems), "every code is a registered one"
    assert all(len(p["path"]) + len(p["field"]) + len(p["message"]) < 2000 for p in problems), "every line stays readable"


def test_output_is_bounded_and_the_count_true(tmp_path: Path, capsys) -> None:
    root = copy_csv_package(tmp_path / "package")
    _many_dangling_citations(root)
    report = validate(root)
    assert report.count == 3000
    assert len(report.problems) <= 60
    (summary,) = [p for p in report.problems if p.more]
    assert summary.more == 2950
    assert {p.code for p in report.problems} == {"citation/unknown-record"}, "the summary carries the code of what it stands for"
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith("3000 problems in 1 file")
    assert "... and 2950 more like the above [citation/unknown-record]" in out


def test_a_build_that_fails_midway_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    import shutil

    from alliance_data import _io
    from alliance_data.build import build
    from conftest import DATA, REPO, snapshot

    root = tmp_path / "package"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "CODEBOOK.md", root / "CODEBOOK.md")
    # Two tables edited, so two Parquet files are stale.
    path = root / "tables" / "frictions.csv"
    path.write_bytes(path.read_bytes().replace(b"Division of the Caspian seabed", b"Dividing the Caspian seabed", 1))
    path = root / "tables" / "sources.csv"
    path.write_bytes(path.read_bytes().replace(b"the founding article of this dataset", b"the article this dataset began from", 1))
    (root / "tables" / ".events.csv.abc.tmp").write_bytes(b"left by an earlier interrupted build")
    before = snapshot(root)
    real_stage, calls = _io._stage, []

    def failing_stage(target: Path, data: bytes) -> Path:
        calls.append(target)
        if len(calls) == 2:  # the second of the two files the edit makes stale
            raise OSError(28, "No space left on device")
        return real_stage(target, data)

    monkeypatch.setattr(_io, "_stage", failing_stage)
    with pytest.raises(OSError):
        build(root)
    after = snapshot(root)
    assert len(calls) == 2
    del before["tables/.events.csv.abc.tmp"]  # the leftover of the earlier build is tidied away
    assert after == before, "every file as it was"
    assert not list(root.rglob("*.tmp"))


def test_lines_after_a_blank_line_keep_their_numbers(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    path = root / "tables" / "frictions.csv"
    lines = path.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b",mistrust,", b",rivalry,").replace(b",policy_divergence,", b",rivalry,").replace(b",third_party_relations,", b",rivalry,").replace(b",economic_imbalance,", b",rivalry,")
    assert b",rivalry," in lines[5]
    lines.insert(3, b"")  # the row that said rivalry moves from line 6 to line 7
    path.write_bytes(b"\n".join(lines))
    problems = [(p.path, p.line, p.field, p.code) for p in validate(root).problems]
    assert ("tables/frictions.csv", 4, "", "file/blank-line") in problems
    assert ("tables/frictions.csv", 7, "kind", "cell/enum") in problems, problems


def test_a_valid_cell_larger_than_any_read_block_is_read_everywhere(tmp_path: Path, capsys) -> None:
    from alliance_data.arrow_io import BLOCK_SIZE, read_arrow
    from alliance_data.diff import diff

    root = copy_csv_package(tmp_path / "package")
    before = copy_csv_package(tmp_path / "before")
    path = root / "tables" / "frictions.csv"
    long_title = "Caspian seabed and " * (BLOCK_SIZE // 19) + "more"  # longer than a block of every reader
    path.write_bytes(path.read_bytes().replace(b"Division of the Caspian seabed", long_title.encode(), 1))
    assert main(["validate", str(root)]) == 0
    assert long_title in read_arrow("frictions", root)["title"].to_pylist()  # from the CSV
    assert main(["build", str(root)]) == 0
    assert (root / "tables" / "frictions.parquet").is_file()
    assert long_title in read_arrow("frictions", root)["title"].to_pylist()  # from the Parquet file
    (change,) = diff(before, root)
    assert change.table == "frictions" and len(change.changed) == 1
    out, err = capsys.readouterr()
    assert "internal error" not in out + err
