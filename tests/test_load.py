"""The Python API: tables, types from the schema, Parquet, codebook, citation, versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import alliance_data
from alliance_data.arrow_io import read_csv_arrow
from alliance_data.dtypes import to_pandas
from alliance_data.model import package
from conftest import DATA, REPO

TABLES = alliance_data.tables()


def schema_fields(name: str) -> list[dict]:
    return json.loads((DATA / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))["fields"]


def test_tables_follow_the_descriptor(descriptor: dict) -> None:
    listed = [r["name"] for r in descriptor["resources"]]
    generated = json.loads((DATA / "schemas" / "derived.json").read_text(encoding="utf-8"))["resources"]
    assert listed + [r["name"] for r in generated if r["name"] not in listed] == TABLES


@pytest.mark.parametrize("name", TABLES)
def test_dtypes_come_from_the_schema(name: str) -> None:
    frame = alliance_data.load(name)
    fields = schema_fields(name)
    assert list(frame.columns) == [f["name"] for f in fields]
    assert not any(dtype is object or str(dtype) == "object" for dtype in frame.dtypes), "no object columns"
    for f in fields:
        dtype = frame[f["name"]].dtype
        enum = f.get("constraints", {}).get("enum")
        if enum:
            assert isinstance(dtype, pd.CategoricalDtype)
            assert list(dtype.categories) == enum
        elif f["type"] == "integer":
            assert dtype == pd.Int64Dtype()
        elif f["type"] == "number":
            assert dtype == "float64"
        else:
            assert dtype == pd.StringDtype("pyarrow")
    assert isinstance(frame.index, pd.RangeIndex)


@pytest.mark.parametrize("name", TABLES)
def test_csv_and_parquet_load_to_equal_frames(name: str) -> None:
    table = package(DATA).table(name)
    from_csv = to_pandas(read_csv_arrow(DATA / "tables" / f"{name}.csv", table), table.fields)
    from_parquet = to_pandas(pq.read_table(DATA / "tables" / f"{name}.parquet"), table.fields)
    pd.testing.assert_frame_equal(from_csv, from_parquet)
    pd.testing.assert_frame_equal(from_parquet, alliance_data.load(name))


@pytest.mark.parametrize("name", TABLES)
def test_parquet_files_describe_themselves(name: str) -> None:
    path = DATA / "tables" / f"{name}.parquet"
    file = pq.ParquetFile(path)
    schema = file.schema_arrow
    assert "__index_level_0__" not in schema.names
    assert json.loads(schema.metadata[b"table_schema"])["fields"] == schema_fields(name)
    for f in schema_fields(name):
        field = schema.field(f["name"])
        assert field.metadata[b"description"].decode() == f["description"]
        if "enum" in f.get("constraints", {}):
            assert pa.types.is_dictionary(field.type)
        assert field.nullable == (not f.get("constraints", {}).get("required", False))
    assert file.metadata.row_group(0).column(0).compression == "ZSTD"


def test_columns_and_validate_options() -> None:
    frame = alliance_data.load("agreements", columns=["agreement_id", "status"])
    assert list(frame.columns) == ["agreement_id", "status"]
    assert list(frame["status"].dtype.categories) == schema_fields("agreements")[4]["constraints"]["enum"]
    checked = alliance_data.load("actors", validate=True)
    assert len(checked) == len(alliance_data.load("actors"))
    with pytest.raises(KeyError, match="its columns are"):
        alliance_data.load("agreements", columns=["nope"])


def test_unknown_table_lists_valid_names() -> None:
    with pytest.raises(KeyError) as error:
        alliance_data.load("treaties")
    for name in TABLES:
        assert name in str(error.value)


def test_load_all_returns_every_table() -> None:
    frames = alliance_data.load_all()
    assert list(frames) == TABLES
    assert all(len(f) > 0 for f in frames.values())


def test_year_filters_partial_dates() -> None:
    agreements = alliance_data.load("agreements")
    years = alliance_data.year(agreements["signed"])
    assert years.dtype == pd.Int64Dtype()
    signed_2022 = agreements.loc[(years == 2022).fillna(False), "agreement_id"]
    assert "gazprom-nioc-memorandum-2022" in set(signed_2022)
    assert "alabuga-drone-production" in set(signed_2022)  # a year-only date
    periods = alliance_data.year(alliance_data.load("observations")["period"])
    assert periods.notna().all()


def test_schema_rejects_what_the_table_schema_forbids() -> None:
    import pandera.errors

    actors = alliance_data.load("actors")
    alliance_data.schema("actors").validate(actors)
    broken = actors.copy()
    broken.loc[broken["actor_id"] == "gazprom", "parent_id"] = "nobody"
    with pytest.raises(pandera.errors.SchemaErrors, match="parent_id"):
        alliance_data.schema("actors").validate(broken, lazy=True)
    dates = alliance_data.load("agreements")
    dates.loc[0, "signed"] = "2023-02-30"
    with pytest.raises(pandera.errors.SchemaErrors, match="calendar"):
        alliance_data.schema("agreements").validate(dates, lazy=True)


def test_describe_is_the_codebook_of_one_table() -> None:
    book = alliance_data.describe("agreements")
    assert list(book.columns) == ["field", "type", "constraints", "references", "values", "description"]
    assert list(book["field"]) == [f["name"] for f in schema_fields("agreements")]
    status = book.set_index("field").loc["status", "values"]
    assert "in_force:" in status and "denied:" in status
    assert book.set_index("field").loc["part_of", "references"] == "agreements.agreement_id"


def test_path_points_at_bundled_files() -> None:
    assert alliance_data.path("actors").suffix == ".parquet"
    assert alliance_data.path("actors", format="csv").is_file()
    with pytest.raises(ValueError):
        alliance_data.path("actors", format="xlsx")


def test_versions_and_citation_come_from_one_place(descriptor: dict) -> None:
    assert alliance_data.__version__ == alliance_data.data_version() == descriptor["version"]
    cite = alliance_data.citation()
    assert descriptor["version"] in cite.text and descriptor["title"] in cite.text
    assert cite.bibtex.startswith("@misc{") and f"version = {{{descriptor['version']}}}" in cite.bibtex


def test_citation_cff_matches_the_data(descriptor: dict) -> None:
    cff = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert "type: dataset" in cff
    assert f'version: "{descriptor["version"]}"' in cff
    assert f'title: "{descriptor["title"]}"' in cff
    assert "preferred-citation:" in cff and cff.count(f'version: "{descriptor["version"]}"') == 2
    assert "license: CC-BY-4.0" in cff and "date-released:" in cff and "fingerprint" in cff


def test_public_names_all_resolve() -> None:
    from alliance_data import _EXPORTS

    assert sorted(alliance_data.__all__) == sorted([*_EXPORTS, "__version__"])
    for name in alliance_data.__all__:
        assert getattr(alliance_data, name) is not None


def test_import_is_light() -> None:
    code = (
        "import sys, alliance_data\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'pandera', 'frictionless', 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_duckdb_reads_every_parquet_file() -> None:
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    for name in TABLES:
        path = str(DATA / "tables" / f"{name}.parquet")
        rows = connection.execute("select count(*) from read_parquet(?)", [path]).fetchone()[0]
        assert rows == len(alliance_data.load(name))
        types = dict(connection.execute("select column_name, column_type from (describe select * from read_parquet(?))", [path]).fetchall())
        for f in schema_fields(name):
            expected = {"integer": "BIGINT", "number": "DOUBLE"}.get(f["type"], "VARCHAR")
            assert types[f["name"]] == expected, (name, f["name"], types[f["name"]])


def test_polars_reads_every_parquet_file() -> None:
    pl = pytest.importorskip("polars")
    for name in TABLES:
        frame = pl.read_parquet(DATA / "tables" / f"{name}.parquet")
        assert frame.height == len(alliance_data.load(name))
        for f in schema_fields(name):
            dtype = frame.schema[f["name"]]
            if "enum" in f.get("constraints", {}):
                assert dtype == pl.Categorical
            else:
                assert dtype == {"integer": pl.Int64, "number": pl.Float64}.get(f["type"], pl.String)


def test_rebuilding_gives_the_same_bytes(package_copy: Path) -> None:
    from alliance_data.build import build

    def rebuild() -> dict[str, bytes]:
        for p in (package_copy / "tables").glob("*.parquet"):
            p.unlink()
        build(package_copy)
        return {p.name: p.read_bytes() for p in (package_copy / "tables").glob("*.parquet")}

    first = rebuild()
    assert len(first) == len(TABLES)
    assert rebuild() == first


def test_a_changed_descriptor_is_seen_at_once(tmp_path) -> None:
    """No cache goes stale: reading a package, editing it and reading it again shows the edit."""
    import json
    import os
    import shutil

    from alliance_data import _package
    from conftest import DATA

    shutil.copy2(DATA / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(DATA / "schemas", tmp_path / "schemas")
    assert _package.data_version(tmp_path) == _package.data_version()
    path = tmp_path / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["version"] = "9.9.9"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert _package.data_version(tmp_path) == "9.9.9"
    schema_path = tmp_path / "schemas" / "frictions.schema.json"
    before = _package.table_schema("frictions", tmp_path)["title"]
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["title"] = before + " (edited)"
    schema["fields"][0]["description"] = "An edited description."
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    assert _package.table_schema("frictions", tmp_path)["title"] == before + " (edited)"
    model = package(tmp_path)  # the typed model is never stale either
    assert model.version == "9.9.9" and model.table("frictions").fields[0].description == "An edited description."


def test_fingerprint_follows_the_data_only(tmp_path) -> None:
    import json
    import shutil

    from alliance_data import _package
    from conftest import DATA, REPO

    for name in ("datapackage.json",):
        shutil.copy2(REPO / name, tmp_path / name)
    shutil.copytree(DATA / "schemas", tmp_path / "schemas")
    shutil.copytree(DATA / "tables", tmp_path / "tables", ignore=shutil.ignore_patterns("*.parquet"))
    same = _package.fingerprint(tmp_path)
    assert same == _package.fingerprint(DATA), "Parquet files do not count"
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["hash"] = "sha256:0"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, indent=4), encoding="utf-8")
    schema = tmp_path / "schemas" / "frictions.schema.json"
    schema.write_text(json.dumps(json.loads(schema.read_text(encoding="utf-8")), indent=1), encoding="utf-8")
    assert _package.fingerprint(tmp_path) == same, "hashes and JSON layout do not count"
    table = tmp_path / "tables" / "frictions.csv"
    table.write_bytes(table.read_bytes().replace(b"Division of", b"Division  of", 1))
    assert _package.fingerprint(tmp_path) != same, "one changed cell does"
