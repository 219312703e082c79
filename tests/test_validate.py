"""alliance-data validate: every constraint, hygiene rule, package rule and unsafe descriptor.

The constraint tests are generated from the schemas: each breaks a copy of the package
in exactly one way and checks that the validator names the file, line, field and problem
code, and that frictionless, the independent reference, reaches the same verdict.
Tests match problem codes, not the wording of messages.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_data import validate
from alliance_data.validator import INVISIBLE, CannotValidate
from alliance_data.validator.report import REBUILD
from conftest import DATA, REPO, read_rows, snapshot, write_rows

DESCRIPTOR = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
SCHEMAS = {r["name"]: json.loads((DATA / r["schema"]).read_text(encoding="utf-8")) for r in DESCRIPTOR["resources"]}
ROWS = {name: read_rows(DATA / "tables" / f"{name}.csv") for name in SCHEMAS}


def copy_csv_package(target: Path, only: str | None = None) -> Path:
    """The package without its Parquet files, so only the CSVs are in play; with ``only``,
    just that table and the tables its foreign keys reach (a smaller package to check)."""
    keep = set(SCHEMAS)
    if only is not None:
        keep, todo = set(), [only]
        while todo:
            name = todo.pop()
            if name not in keep:
                keep.add(name)
                todo += [fk["reference"].get("resource") or name for fk in SCHEMAS[name].get("foreignKeys", [])]
    target.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in keep]
    (target / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (target / "schemas").mkdir()
    (target / "tables").mkdir()
    for name in keep:
        shutil.copy2(DATA / "schemas" / f"{name}.schema.json", target / "schemas" / f"{name}.schema.json")
        shutil.copy2(DATA / "tables" / f"{name}.csv", target / "tables" / f"{name}.csv")
    return target


def edit(root: Path, table: str, changes: dict[int, dict[str, str]]) -> None:
    path = root / "tables" / f"{table}.csv"
    rows = read_rows(path)
    for index, values in changes.items():
        rows[index].update(values)
    write_rows(path, rows, [f["name"] for f in SCHEMAS[table]["fields"]])


def primary_key(table: str) -> list[str]:
    return SCHEMAS[table]["primaryKey"]


def filled_rows(table: str, field: str) -> list[int]:
    return [i for i, row in enumerate(ROWS[table]) if row[field]]


def constraint_cases():
    """One case per distinct constraint of every schema: (table, row, field label, changes, code).

    Fields of one type that declare the same constraint with the same value, in any table (the
    panel's integer counts, each required and at least 0; the slug pattern of every id) are one
    check of the validator, so the first such field stands for the others.
    """
    seen: set[tuple[str, str, str]] = set()
    for case in _all_constraint_cases():
        table, _, field, _, _ = case.values
        kind = case.id.rsplit("-", 1)[-1] if "." in case.id else case.id
        f = next((x for x in SCHEMAS[table]["fields"] if x["name"] == field), {})
        # One check of the validator stands for every field, in any table, of the same type with the
        # same constraint and value (the same code path); enums, keys and foreign keys stay per table.
        signature = ("", kind, json.dumps([f.get("type"), f.get("constraints", {}).get(kind)], sort_keys=True))
        if kind in ("required", "type", "minimum", "maximum", "pattern") and signature in seen:
            continue
        seen.add(signature)
        yield case


def _all_constraint_cases():
    for table, schema in SCHEMAS.items():
        if len(ROWS[table]) < 2:  # a table too small to break in every way (none is, once data is in)
            continue
        key = primary_key(table)
        for f in schema["fields"]:
            name, c = f["name"], f.get("constraints", {})
            if c.get("required") or name in key:
                yield pytest.param(table, 0, name, {0: {name: ""}}, "cell/required", id=f"{table}.{name}-required")
            if f["type"] in ("integer", "number"):
                yield pytest.param(table, 0, name, {0: {name: "twelve"}}, "cell/type", id=f"{table}.{name}-type")
            if "enum" in c:
                yield pytest.param(table, 0, name, {0: {name: "not_allowed"}}, "cell/enum", id=f"{table}.{name}-enum")
            if "pattern" in c:
                yield pytest.param(table, 0, name, {0: {name: "Not A Valid Value!"}}, "cell/pattern", id=f"{table}.{name}-pattern")
            rows = filled_rows(table, name) or [0]
            if "minimum" in c:
                yield pytest.param(table, rows[0], name, {rows[0]: {name: str(c["minimum"] - 1)}}, "cell/minimum", id=f"{table}.{name}-minimum")
            if "maximum" in c:
                yield pytest.param(table, rows[0], name, {rows[0]: {name: str(c["maximum"] + 1)}}, "cell/maximum", id=f"{table}.{name}-maximum")
            if (c.get("unique") or key == [name]) and len(rows) > 1:
                first, second = rows[0], rows[1]
                code = "key/duplicate" if key == [name] else "cell/unique"
                yield pytest.param(table, second, name, {second: {name: ROWS[table][first][name]}}, code, id=f"{table}.{name}-unique")
        if len(key) > 1:
            yield pytest.param(table, 1, ",".join(key), {1: {k: ROWS[table][0][k] for k in key}}, "key/duplicate", id=f"{table}-primary-key")
        for fk in schema.get("foreignKeys", []):
            field = fk["fields"]
            row = (filled_rows(table, field) or [0])[0]
            yield pytest.param(table, row, field, {row: {field: "no-such-record"}}, "key/dangling", id=f"{table}.{field}-foreign-key")


def frictionless_valid(root: Path, table: str | None = None) -> bool:
    """frictionless's verdict on the package, or on one table of it (foreign keys included)."""
    from frictionless import Package

    package = Package(str(root / "datapackage.json"))
    if table is None:
        return package.validate().valid
    return package.get_resource(table).validate().valid


def test_the_untouched_package_is_valid_for_both(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    report = validate(root)
    assert report.valid, [str(p) for p in report.problems]
    assert frictionless_valid(root)


@pytest.mark.parametrize(("table", "row", "field", "changes", "code"), list(constraint_cases()))
def test_each_constraint_is_enforced_and_named_to_the_cell(tmp_path: Path, table: str, row: int, field: str, changes, code: str) -> None:
    root = copy_csv_package(tmp_path / "package", only=table)
    edit(root, table, changes)
    report = validate(root)
    found = [(p.path, p.line, p.field, p.code) for p in report.problems]
    assert (f"tables/{table}.csv", row + 2, field, code) in found, [str(p) for p in report.problems]
    # Only the edited table is read: one table's verdict is what the edit can change.
    assert frictionless_valid(root, table) is False, "frictionless must reach the same verdict"


# --- package rules ---------------------------------------------------------------------

def problems_after(tmp_path: Path, table: str, changes) -> list[tuple[str, int, str, str]]:
    """Each problem after the edit as (path, line, field, code)."""
    root = copy_csv_package(tmp_path / "package")
    edit(root, table, changes)
    return located(validate(root).problems)


def located(problems) -> list[tuple[str, int, str, str]]:
    return [(p.path, p.line, p.field, p.code) for p in problems]


def row_of(table: str, field: str, value: str) -> int:
    return next(i for i, row in enumerate(ROWS[table]) if row[field] == value)


def test_a_record_that_loses_its_citations_is_named(tmp_path: Path) -> None:
    """The message itself names the file, line, field and value, and says what to do (a promise to users)."""
    root = copy_csv_package(tmp_path / "package")
    path = root / "tables" / "citations.csv"
    rows = [r for r in read_rows(path) if r["record_id"] != "yak130-delivery-2023"]
    write_rows(path, rows, list(rows[0]))
    line = row_of("agreements", "agreement_id", "yak130-delivery-2023") + 2
    problems = [str(p) for p in validate(root).problems]
    assert (f"tables/agreements.csv:{line}: agreement_id: \"yak130-delivery-2023\" has no supporting citation: "
            "add a row to tables/citations.csv [evidence/uncited]") in problems


def test_a_citation_of_a_missing_record(tmp_path: Path) -> None:
    problems = problems_after(tmp_path, "citations", {0: {"record_id": "no-such-actor"}})
    assert ("tables/citations.csv", 2, "record_id", "citation/unknown-record") in problems


@pytest.mark.parametrize(
    ("table", "key", "value", "changes", "field", "code"),
    [
        ("actors", "actor_id", "IRN", {"iso3": "IRQ"}, "iso3", "row/state-codes"),
        ("actors", "actor_id", "IRN", {"cow_code": "365"}, "cow_code", "code/cow"),
        ("actors", "actor_id", "gazprom", {"iso3": "XXX"}, "iso3", "code/country"),
        ("settlement_methods", "method_id", "gold", {"currency_code": "ABC"}, "currency_code", "code/currency"),
        ("settlement_methods", "method_id", "barter", {"currency_code": "USD"}, "currency_code", "row/settlement-currency"),
        ("agreements", "agreement_id", "s300-delivery-2016", {"end": "2016-03"}, "end", "row/ends-before-start"),
        ("agreements", "agreement_id", "s300-delivery-2016", {"value_low": "950000000"}, "value_high", "row/value-order"),
        ("agreements", "agreement_id", "s300-delivery-2016", {"value_currency": ""}, "value_low", "row/value-incomplete"),
        ("agreements", "agreement_id", "s300-delivery-2016", {"signed": "2007-02-29"}, "signed", "cell/date"),
        ("agreements", "agreement_id", "su35-purchase", {"signed": "2023-13"}, "signed", "cell/date"),
        ("agreements", "agreement_id", "ruble-rial-trade-agreement-2023", {"evidence": "confirmed"}, "evidence", "evidence/too-strong"),
        ("sources", "source_id", "tass-1940345", {"language": "zz"}, "language", "code/language"),
        ("trade_items", "item_id", "saffron-irn-rus", {"importer_id": "IRN"}, "importer_id", "row/same-trade-parties"),
        ("observations", "observation_id", "trade-turnover-2023", {"period": "2023-02-30/2023-04"}, "period", "cell/date"),
        ("observations", "observation_id", "trade-turnover-2023", {"flow": ""}, "flow", "row/trade-flow"),
        ("observations", "observation_id", "corridor-cargo-instc-2022", {"flow": "turnover"}, "flow", "row/trade-flow"),
    ],
)
def test_rules_table_schema_cannot_state(tmp_path: Path, table, key, value, changes, field, code) -> None:
    row = row_of(table, key, value)
    problems = problems_after(tmp_path, table, {row: changes})
    assert (f"tables/{table}.csv", row + 2, field, code) in problems, problems


def test_stale_generated_files_ask_for_a_build(package_copy: Path) -> None:
    edit(package_copy, "frictions", {0: {"summary": "A reworded summary."}})
    (problem,) = validate(package_copy).problems
    assert (problem.path, problem.line, problem.field, problem.code) == ("tables/frictions.parquet", 0, "", "generated/stale")
    assert problem.generated and problem.message.endswith(REBUILD)


def test_a_signed_number_is_a_number_as_for_frictionless(package_copy: Path) -> None:
    """Table Schema reads "+365" as 365: valid, built and loaded, in a column the row rules read too."""
    from alliance_data.arrow_io import read_arrow
    from alliance_data.build import build

    row = row_of("actors", "actor_id", "RUS")
    edit(package_copy, "actors", {row: {"cow_code": "+365"}})
    assert validate(package_copy).valid and frictionless_valid(package_copy, "actors")
    (package_copy / "tables" / "actors.parquet").unlink()  # the streaming reader of the CSV, as the SQLite export uses
    from alliance_data.arrow_io import iter_batches
    from alliance_data.model import package

    streamed = [row for batch in iter_batches(package(package_copy), "actors", 7) for row in batch.to_pylist()]
    assert {r["actor_id"]: r["cow_code"] for r in streamed if r["actor_id"] == "RUS"} == {"RUS": 365}
    build(package_copy)
    assert validate(package_copy).valid
    actors = read_arrow("actors", package_copy, columns=["actor_id", "cow_code"]).to_pylist()
    assert {"actor_id": "RUS", "cow_code": 365} in actors


def test_a_bad_cell_in_a_built_table_is_named_not_a_crash(package_copy: Path) -> None:
    path = package_copy / "tables" / "dyad_year.csv"
    rows = read_rows(path)
    rows[0]["events"] = "x"
    write_rows(path, rows, list(rows[0]))
    found = located(validate(package_copy).problems)
    assert ("tables/dyad_year.csv", 2, "events", "cell/type") in found, found


def test_a_stated_hash_or_size_must_match_like_frictionless(package_copy: Path) -> None:

    data = (package_copy / "tables" / "sources.csv").read_bytes()
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    at = {r["name"]: i for i, r in enumerate(descriptor["resources"])}
    descriptor["resources"][at["sources"]].update(hash="sha256:" + hashlib.sha256(data).hexdigest(), bytes=len(data))
    descriptor["resources"][at["actors"]].update(hash=hashlib.md5((package_copy / "tables" / "actors.csv").read_bytes()).hexdigest())
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert validate(package_copy).valid, "a right sha256, size and bare (MD5) hash pass"
    descriptor["resources"][at["sources"]]["bytes"] += 1
    descriptor["resources"][at["actors"]]["hash"] = "md5:" + "0" * 32
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    problems = located(validate(package_copy).problems)
    assert ("datapackage.json", 0, "sources.bytes", "descriptor/bytes-mismatch") in problems, problems
    assert ("datapackage.json", 0, "actors.hash", "descriptor/hash-mismatch") in problems, problems


# --- file hygiene ----------------------------------------------------------------------

def raw_edit(root: Path, table: str, transform) -> None:
    path = root / "tables" / f"{table}.csv"
    path.write_bytes(transform(path.read_bytes()))


@pytest.mark.parametrize(
    ("transform", "line", "code"),
    [
        (lambda b: b"\xef\xbb\xbf" + b, "1", "file/bom"),
        (lambda b: b.replace(b"\n", b"\r\n"), "1", "file/line-endings"),
        (lambda b: b.rstrip(b"\n"), "last", "file/final-newline"),
        (lambda b: b.replace(b"Russia keeps", b"Russia k\xe9eps"), "russia", "file/encoding"),
        (lambda b: b.replace(b"mistrust,reported,Iranian hardliners", b"mistrust,reported,extra,Iranian hardliners"), "hardliners", "file/row-width"),
        (lambda b: b.replace(b"friction_id,title", b"title,friction_id"), "1", "file/header"),
    ],
    ids=["bom", "crlf", "final-newline", "encoding", "ragged-row", "header-order"],
)
def test_file_problems_are_named_to_the_line(tmp_path: Path, transform, line: str, code: str) -> None:
    root = copy_csv_package(tmp_path / "package")
    lines = (root / "tables" / "frictions.csv").read_bytes().rstrip(b"\n").split(b"\n")
    line_of = {name: 1 + next(i for i, line in enumerate(lines) if marker in line)
               for name, marker in (("russia", b"Russia keeps"), ("hardliners", b"mistrust,reported,Iranian hardliners"))}
    line_of |= {"1": 1, "last": len(lines)}
    raw_edit(root, "frictions", transform)
    problems = located(validate(root).problems)
    assert ("tables/frictions.csv", line_of[line], "", code) in problems, problems


def test_a_ragged_row_says_how_many_cells_it_has(tmp_path: Path) -> None:
    """The message names the file and line and says what is wrong with the row (a promise to users)."""
    root = copy_csv_package(tmp_path / "package")
    raw_edit(root, "frictions", lambda b: b.replace(b"mistrust,reported,Iranian hardliners", b"mistrust,reported,extra,Iranian hardliners"))
    line = 1 + next(i for i, text in enumerate((root / "tables" / "frictions.csv").read_bytes().split(b"\n")) if b",extra," in text)
    problems = [str(p) for p in validate(root).problems]
    assert f"tables/frictions.csv:{line}: has 6 cells but the header has 5: check the commas and quotes [file/row-width]" in problems, problems


def test_a_line_break_inside_a_cell_shifts_the_lines_that_follow(tmp_path: Path) -> None:
    problems = problems_after(tmp_path, "frictions", {0: {"summary": "two\nlines"}, 2: {"kind": "rivalry"}})
    assert ("tables/frictions.csv", 2, "summary", "cell/control-character") in problems, problems
    # row 2 (third data row) starts on line 4, and one line later for the break in row 0
    assert ("tables/frictions.csv", 5, "kind", "cell/enum") in problems, problems


def tiny_package(root: Path, text: str) -> Path:
    """A one-table package whose single text cell is ``text``."""
    root.mkdir(parents=True, exist_ok=True)
    schema = {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}},
                         {"name": "text", "type": "string"}], "primaryKey": ["id"]}
    (root / "notes.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    quoted = '"' + text.replace('"', '""') + '"'  # written by hand: csv.writer refuses NUL on Python 3.10
    (root / "notes.csv").write_bytes(f"id,text\na,{quoted}\n".encode())
    data = (root / "notes.csv").read_bytes()
    descriptor = {"name": "tiny", "version": "1.0.0", "resources": [
        {"name": "notes", "path": "notes.csv", "schema": "notes.schema.json",
         "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def test_a_key_of_several_fields_compares_each_by_its_type_like_frictionless(tmp_path: Path) -> None:
    """1 and 01 are one integer in a key of two fields too, as in a key of one."""
    root = tmp_path / "package"
    root.mkdir()
    schema = {"fields": [{"name": "n", "type": "integer"}, {"name": "tag", "type": "string"}], "primaryKey": ["n", "tag"]}
    (root / "pairs.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (root / "pairs.csv").write_text("n,tag\n1,x\n01,x\n2,x\n", encoding="utf-8")
    descriptor = {"name": "pairs", "version": "1.0.0", "resources": [{"name": "pairs", "path": "pairs.csv", "schema": "pairs.schema.json"}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert ("pairs.csv", 3, "n,tag", "key/duplicate") in located(validate(root).problems)
    assert frictionless_valid(root) is False


def hygiene_codes(tmp_path: Path, text: str) -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        return [p.code for p in validate(tiny_package(Path(folder), text)).problems]


clean_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Zs"), blacklist_characters="=+-@"),
    min_size=1,
).map(lambda s: unicodedata.normalize("NFC", s)).filter(lambda s: not re.search(INVISIBLE, s))  # hidden text is refused
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(clean_text, clean_text)
def test_clean_text_passes(tmp_path: Path, head: str, tail: str) -> None:
    assert hygiene_codes(tmp_path, f"{head} {tail}") == []


@HYPOTHESIS
@given(clean_text, st.sampled_from([" ", "\u00a0", "\t"]), st.booleans())
def test_surrounding_whitespace_is_refused(tmp_path: Path, text: str, space: str, leading: bool) -> None:
    value = space + text if leading else text + space
    assert "cell/whitespace" in hygiene_codes(tmp_path, value)


@HYPOTHESIS
@given(clean_text, st.characters(min_codepoint=0, max_codepoint=31).filter(lambda c: c not in "\n\r"), clean_text)
def test_control_characters_are_refused(tmp_path: Path, head: str, control: str, tail: str) -> None:
    assert "cell/control-character" in hygiene_codes(tmp_path, head + control + tail)


@HYPOTHESIS
@given(st.sampled_from("=+-@"), clean_text)
def test_spreadsheet_formulas_are_refused(tmp_path: Path, sign: str, text: str) -> None:
    assert "cell/formula" in hygiene_codes(tmp_path, sign + text)


@HYPOTHESIS
@given(st.sampled_from(["e\u0301", "a\u0308", "n\u0303", "A\u030a"]), clean_text)
def test_decomposed_unicode_is_refused(tmp_path: Path, decomposed: str, text: str) -> None:
    assert "cell/not-nfc" in hygiene_codes(tmp_path, text + decomposed)


# --- descriptors -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("path", "/etc/hostname", "is absolute"),
        ("path", "../outside.csv", "leaves the package folder"),
        ("path", "tables/../../outside.csv", "leaves the package folder"),
        ("path", "https://example.org/data.csv", "is a URL"),
        ("path", "C:\\data\\frictions.csv", "is absolute"),
        ("path", ["tables/a.csv", "tables/b.csv"], "must be a relative path"),
        ("schema", "/etc/hostname", "is absolute"),
        ("schema", "../outside.schema.json", "leaves the package folder"),
        ("schema", "https://example.org/schema.json", "is a URL"),
    ],
)
def test_unsafe_descriptor_paths_are_refused_unread(tmp_path: Path, key: str, value, reason: str) -> None:
    root = copy_csv_package(tmp_path / "package")
    (tmp_path / "outside.csv").write_text("friction_id,title\nx,y\n", encoding="utf-8")
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][[r["name"] for r in descriptor["resources"]].index("frictions")][key] = value
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    report = validate(root)
    problems = [p for p in report.problems if p.path == "datapackage.json" and p.field == "frictions"]
    assert [p.code for p in problems] == ["descriptor/unsafe-path"]
    assert reason in problems[0].message, "the reason names what is unsafe about the path"
    assert report.tables == len(SCHEMAS) - 1, "the refused resource is never read"


def test_a_misspelled_keyword_is_named_with_the_nearest_one(tmp_path: Path) -> None:
    """The message names the file and the keyword, and suggests the right one (a promise to users)."""
    root = copy_csv_package(tmp_path / "package", only="frictions")
    path = root / "schemas" / "frictions.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["primarykey"] = schema.pop("primaryKey")
    path.write_text(json.dumps(schema), encoding="utf-8")
    problems = [str(p) for p in validate(root).problems]
    assert "schemas/frictions.schema.json: primarykey: is not a keyword of this profile: did you mean primaryKey? [schema/unknown-keyword]" in problems


def test_invalid_json_is_reported_with_its_position(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    text = (root / "datapackage.json").read_text(encoding="utf-8")
    (root / "datapackage.json").write_text(text.replace('"version": "', '"version" "', 1), encoding="utf-8")
    (problem,) = validate(root).problems
    assert (problem.path, problem.line, problem.code) == ("datapackage.json", 3, "json/invalid")


def test_a_broken_schema_file_is_reported(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    (root / "schemas" / "frictions.schema.json").write_text('{"fields": [}', encoding="utf-8")
    problems = located(validate(root).problems)
    assert ("schemas/frictions.schema.json", 1, "", "json/invalid") in problems, problems


def test_nothing_to_validate(tmp_path: Path) -> None:
    with pytest.raises(CannotValidate):
        validate(tmp_path / "nowhere")
    with pytest.raises(CannotValidate):
        validate(tmp_path)


# --- the report and the files ----------------------------------------------------------

def test_report_is_sorted_without_duplicates_and_leaves_files_alone(package_copy: Path) -> None:
    edit(package_copy, "agreements", {3: {"status": "signd", "domain": "outer_space"}, 1: {"evidence": "sure"}})
    before = snapshot(package_copy)
    report = validate(package_copy)
    assert snapshot(package_copy) == before
    keys = [(p.path, p.line, p.field, p.message) for p in report.problems]
    assert keys == sorted(set(keys))
    assert [(p.line, p.field) for p in report.problems[:3]] == [(3, "evidence"), (5, "domain"), (5, "status")]


def test_synthetic_packages_validate(tmp_path: Path) -> None:
    """benchmarks/make_synthetic.py makes valid packages of the asked size, for the benchmarks."""
    import subprocess
    import sys

    out = tmp_path / "synthetic"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "make_synthetic.py"), "--rows", "3000", "--out", str(out)],
                   check=True, capture_output=True)
    report = validate(out)
    assert report.valid, [str(p) for p in report.problems[:5]]
    assert 2900 <= report.rows <= 3100
    assert frictionless_valid(out)


def test_composite_and_self_referencing_foreign_keys(tmp_path: Path) -> None:
    """The shipped schemas have no composite foreign key; a small package exercises one."""
    root = tmp_path / "composite"
    (root / "schemas").mkdir(parents=True)
    (root / "tables").mkdir()
    places = {"fields": [{"name": "country", "type": "string"}, {"name": "city", "type": "string"},
                         {"name": "part_of_city", "type": "string"}],
              "primaryKey": ["country", "city"],
              "foreignKeys": [{"fields": ["country", "part_of_city"], "reference": {"resource": "", "fields": ["country", "city"]}}]}
    visits = {"fields": [{"name": "visit", "type": "string"}, {"name": "country", "type": "string"}, {"name": "city", "type": "string"}],
              "primaryKey": ["visit"],
              "foreignKeys": [{"fields": ["country", "city"], "reference": {"resource": "places", "fields": ["country", "city"]}}]}
    (root / "schemas" / "places.json").write_text(json.dumps(places), encoding="utf-8")
    (root / "schemas" / "visits.json").write_text(json.dumps(visits), encoding="utf-8")
    (root / "tables" / "places.csv").write_text("country,city,part_of_city\nIRN,Tehran,\nIRN,Rey,Tehran\nRUS,Kazan,Moscow\n", encoding="utf-8")
    (root / "tables" / "visits.csv").write_text("visit,country,city\nv1,IRN,Tehran\nv2,RUS,Tehran\n", encoding="utf-8")
    descriptor = {"name": "composite", "version": "1.0.0", "resources": [
        {"name": "places", "path": "tables/places.csv", "schema": "schemas/places.json"},
        {"name": "visits", "path": "tables/visits.csv", "schema": "schemas/visits.json"}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    found = {(p.path, p.line, p.field) for p in validate(root).problems if p.code == "key/dangling"}
    # As in frictionless, a key counts as missing only when all its fields are empty:
    # ("IRN", "") on line 2 must exist too.
    assert found == {("tables/places.csv", 2, "country,part_of_city"), ("tables/places.csv", 4, "country,part_of_city"),
                     ("tables/visits.csv", 3, "country,city")}
    assert frictionless_valid(root) is False
