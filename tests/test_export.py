"""Exports for people who do not use Python: SQLite with Datasette, and the release set."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

import alliance_data
from alliance_data.cli import main
from conftest import DATA, REPO, copy_data, source_copy


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    pytest.importorskip("sqlite_utils")
    out = tmp_path_factory.mktemp("sqlite") / "alliance.db"
    assert main(["export", "--format", "sqlite", "--out", str(out)]) == 0
    return out


def test_sqlite_passes_its_own_checks_and_holds_every_row(database: Path) -> None:
    con = sqlite3.connect(database)
    assert con.execute("pragma foreign_key_check").fetchall() == []
    assert con.execute("pragma integrity_check").fetchall() == [("ok",)]
    for name in alliance_data.tables():
        assert con.execute(f"select count(*) from {name}").fetchone()[0] == len(alliance_data.load(name))


def test_sqlite_declares_keys_types_and_indexes(database: Path) -> None:
    con = sqlite3.connect(database)
    columns = {row[1]: row for row in con.execute("pragma table_info(agreements)")}
    assert columns["agreement_id"][5] == 1, "primary key"
    assert columns["quantity"][2] == "INTEGER" and columns["value_low"][2] == "REAL" and columns["title"][2] == "TEXT"
    assert columns["title"][3] == 1, "required columns are NOT NULL"
    parties_key = [row[1] for row in sorted(con.execute("pragma table_info(agreement_parties)"), key=lambda r: r[5]) if row[5]]
    assert parties_key == ["agreement_id", "actor_id", "role"]
    foreign = {(row[3], row[2], row[4]) for row in con.execute("pragma foreign_key_list(agreement_parties)")}
    assert foreign == {("agreement_id", "agreements", "agreement_id"), ("actor_id", "actors", "actor_id"),
                       ("role", "codes_agreement_parties_role", "code")}, "the schema's keys, and the enum's allowed values"
    money = dict(con.execute("select agreement_id, value_low from agreements_money"))
    assert money["gazprom-nioc-memorandum-2022"] == "USD 40,000,000,000"
    meanings = dict(con.execute("select code, meaning from codes_evidence"))
    assert meanings["alleged"].startswith("claimed by an interested party")
    assert ("parent_id", "actors", "actor_id") in {(r[3], r[2], r[4]) for r in con.execute("pragma foreign_key_list(actors)")}
    indexed = {row[2] for name, in con.execute("select name from sqlite_master where type = 'index' and tbl_name = 'agreement_parties'")
               for row in con.execute(f"pragma index_info('{name}')")}
    assert {"agreement_id", "actor_id"} <= indexed


def test_sqlite_full_text_search(database: Path) -> None:
    con = sqlite3.connect(database)
    hits = con.execute("select a.agreement_id from agreements_fts f join agreements a on a.rowid = f.rowid "
                       "where agreements_fts match 'gazprom'").fetchall()
    assert ("gazprom-nioc-memorandum-2022",) in hits


def test_datasette_metadata_describes_everything(database: Path, descriptor: dict) -> None:
    metadata = json.loads((database.parent / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] == descriptor["title"] and metadata["license"] == "CC-BY-4.0"
    tables = metadata["databases"]["alliance"]["tables"]
    assert list(tables)[:len(alliance_data.tables())] == alliance_data.tables()
    con = sqlite3.connect(database)
    shown = {name for (name,) in con.execute("select name from sqlite_master where type in ('table', 'view') "
                                             "and name not like '%_fts%' and name not like 'sqlite_%'")}
    assert shown == set(tables), "every table and view in the browser has a title and description"
    assert all(tables[name]["description"] for name in shown)
    assert tables["agreements_wide"]["columns"]["n_sources"] and "party" in tables["agreements_wide"]["columns"]
    for name, table in list(tables.items())[:len(alliance_data.tables())]:
        schema = json.loads((DATA / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert table["description"].startswith(schema["description"])
        money = f"{name}_money"
        assert (money in table["description"]) == (money in shown), "a table points to its money view"
        assert table["columns"] == {f["name"]: f["description"] for f in schema["fields"]}
        assert table["facets"] == [f["name"] for f in schema["fields"] if "enum" in f.get("constraints", {})]
    codes = [name for name in tables if name.startswith("codes_")]
    assert codes and all(tables[name].get("hidden") for name in codes), "code tables stay off the index page"
    assert not any(tables[name].get("hidden") for name in alliance_data.tables())
    assert descriptor["version"] in metadata["description"] and "METHODS.md" in metadata["description"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_datasette_serves_a_join_and_a_search(database: Path) -> None:
    pytest.importorskip("datasette")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(database), "-m", str(database.parent / "metadata.json"),
         "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # at most about 20 seconds to start
            try:
                get_json(f"{base}/-/versions.json")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("datasette did not start")
        sql = ("select a.title, p.actor_id, p.role from agreements a join agreement_parties p using (agreement_id) "
               "where a.agreement_id = 'gazprom-nioc-memorandum-2022' order by p.actor_id")
        rows = get_json(f"{base}/alliance.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"}))
        assert [r["actor_id"] for r in rows] == ["gazprom", "nioc"]
        found = get_json(f"{base}/alliance/agreements.json?" + urllib.parse.urlencode({"_search": "Hamadan", "_shape": "array"}))
        assert [r["agreement_id"] for r in found] == ["hamadan-airbase-strikes-2016"]
        stemmed = get_json(f"{base}/alliance/agreements.json?" + urllib.parse.urlencode({"_search": "drone", "_shape": "array"}))
        assert {"iran-drone-supply-to-russia", "alabuga-drone-production"} <= {r["agreement_id"] for r in stemmed}
        by_year = get_json(f"{base}/alliance/events_by_year.json?_shape=array")
        assert by_year and {"year", "quad_class", "events", "goldstein_sum"} <= set(by_year[0])
        cited = get_json(f"{base}/alliance/sources_for_a_record.json?" + urllib.parse.urlencode(
            {"record_table": "agreements", "record_id": "gazprom-nioc-memorandum-2022", "_shape": "array"}))
        assert "dates_differently" in {r["stance"] for r in cited}
        took_part = get_json(f"{base}/alliance/everything_an_actor_took_part_in.json?" + urllib.parse.urlencode({"actor_id": "gazprom", "_shape": "array"}))
        assert {"agreement", "event"} <= {r["what"] for r in took_part}
        page = urllib.request.urlopen(f"{base}/alliance/agreements/gazprom-nioc-memorandum-2022", timeout=10).read().decode()
        assert "agreements_citations" in page, "a record's page leads to its citations"
        cites = get_json(f"{base}/alliance/agreements_citations.json?" + urllib.parse.urlencode(
            {"record_id": "gazprom-nioc-memorandum-2022", "_shape": "array", "_labels": "on"}))
        assert cites and all(c["source_id"] for c in cites)
        source_page = urllib.request.urlopen(f"{base}/alliance/sources/upstream-1263083", timeout=10).read().decode()
        assert "agreements_citations" in source_page, "and a source's page back to what it backs"
        labelled = get_json(f"{base}/alliance/agreements.json?_facet=evidence&_size=0")
        results = labelled["facet_results"].get("results", labelled["facet_results"])
        labels = {v["label"] for v in results["evidence"]["results"]}
        assert any(label.startswith("confirmed: ") and "two independent sources" in label for label in labels), \
            "a facet shows the meaning beside the code"
        facets = get_json(f"{base}/alliance/agreements.json?_size=0")
        assert "domain" in facets.get("facet_results", {}).get("results", facets.get("facet_results", {}))
        for table, column in (("agreements_citations", "stance"), ("agreements_wide", "evidence")):
            shown = get_json(f"{base}/alliance/{table}.json?_size=0")
            values = shown["facet_results"].get("results", shown["facet_results"])[column]["results"]
            assert values and all(": " in v["label"] for v in values), f"{table}.{column} facets show each code's meaning"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_sqlite_export_without_sqlite_utils(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setitem(sys.modules, "sqlite_utils", None)
    assert main(["export", "--format", "sqlite", "--out", str(tmp_path / "x.db")]) == 2
    assert 'pip install "alliance-data[sqlite]"' in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_release_set_is_complete_and_its_sums_are_right(tmp_path: Path, descriptor: dict) -> None:
    pytest.importorskip("sqlite_utils")
    pytest.importorskip("hatchling")
    version = descriptor["version"]
    out = tmp_path / "release"
    # From a checkout as git holds it: no generated file yet, so the release builds them.
    source = source_copy(tmp_path / "checkout")
    assert not (source / "tables" / "dyad_year.csv").exists()
    assert main(["export", "--format", "release", "--source", str(source), "--out", str(out)]) == 0
    expected = {
        f"alliance_data-{version}-py3-none-any.whl", f"alliance_data-{version}.tar.gz",
        "alliance-data-csv.zip", "alliance-data.db", "metadata.json", "FINGERPRINT", "SHA256SUMS",
        "alliance-data-stata.zip", "alliance-data.xlsx",
        *(f"{name}.parquet" for name in [*alliance_data.tables(), "agreements_wide"]),
    }
    if importlib.util.find_spec("matplotlib") and importlib.util.find_spec("networkx"):
        expected |= {"partnership-network.svg", "timeline.svg", "votes.svg", "coverage.svg", "figures.json"}
    assert {p.name for p in out.iterdir()} == expected
    # The README's Download section names exactly these files (the wheel and sdist by pattern).
    readme = (REPO / "README.md").read_text(encoding="utf-8").split("## Download", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([^`]+)`", "\n".join(line.split("|")[1] for line in readme.splitlines() if line.startswith("| `"))))
    named = {n.replace(version, "<version>") for n in expected if not n.endswith(".parquet")}
    assert named <= listed, sorted(named - listed)
    assert "<table>.parquet" in listed and "<version>" not in " ".join(n for n in listed if not n.startswith("alliance_data-"))
    workflow = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8") if (REPO / ".github").is_dir() else "release/*"
    assert "release/*" in workflow  # the release job uploads every file the export makes
    sums = dict(reversed(line.split("  ")) for line in (out / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == expected - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert (out / "FINGERPRINT").read_text().split()[0] == alliance_data.fingerprint()
    with zipfile.ZipFile(out / "alliance-data-csv.zip") as archive:
        assert {f"alliance-data-{version}/{n}" for n in ("LICENSE", "README.md", "CODEBOOK.md")} <= set(archive.namelist())
        archive.extractall(tmp_path / "unzipped")
    assert main(["validate", str(tmp_path / "unzipped" / f"alliance-data-{version}")]) == 0
    readme = (tmp_path / "unzipped" / f"alliance-data-{version}" / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert images and all((tmp_path / "unzipped" / f"alliance-data-{version}" / image).is_file() for image in images)


def test_release_needs_a_source_checkout(tmp_path: Path) -> None:
    assert main(["export", "--format", "release", "--out", str(tmp_path)]) == 2
    assert main(["export", "--format", "release", "--source", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    # A data package without pyproject.toml is no checkout: a usage error, told by its class.
    from alliance_data.errors import DataPackageError
    from alliance_data.export import export_release

    data = copy_data(tmp_path / "data", parquet=False)
    with pytest.raises(DataPackageError, match="source checkout"):
        export_release(tmp_path / "out", data)
    assert main(["export", "--format", "release", "--source", str(data), "--out", str(tmp_path / "o2")]) == 2


def test_exports_refuse_paths_that_leave_the_package(tmp_path: Path, capsys) -> None:
    import shutil

    source = tmp_path / "source"
    shutil.copytree(DATA / "schemas", source / "schemas")
    shutil.copytree(DATA / "tables", source / "tables")
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "../outside/secret.csv"
    (source / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csv").write_text("not data\n", encoding="utf-8")
    from alliance_data.export import export_csv, export_parquet

    for fmt, writer in (("csv", export_csv), ("parquet", export_parquet)):
        out = tmp_path / f"out-{fmt}"
        # The command validates the checkout first, and refuses it...
        assert main(["export", "--format", fmt, "--source", str(source), "--out", str(out)]) == 1
        assert "leaves the package folder" in capsys.readouterr().out
        assert not out.exists()
        # ...and the exporters refuse the path themselves when called directly.
        with pytest.raises(alliance_data.AllianceDataError, match="leaves the package folder"):
            writer(out, source)
        assert not any(p.name == "secret.csv" for p in out.rglob("*")) if out.exists() else True


def test_sqlite_export_refuses_a_dangling_reference_and_leaves_nothing(tmp_path: Path, capsys) -> None:
    pytest.importorskip("sqlite_utils")
    source = source_copy(tmp_path / "checkout")
    parties = source / "tables" / "agreement_parties.csv"
    lines = parties.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, "no-such-agreement,IRN,supplier,\n")
    parties.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["export", "--format", "sqlite", "--source", str(source), "--out", str(out / "x.db")]) == 1
    captured = capsys.readouterr()
    assert "tables/agreement_parties.csv:2" in captured.out and "agreement_id" in captured.out
    assert "nothing was exported" in captured.err
    assert not out.exists() or list(out.iterdir()) == [], "no database, finished or not"


def test_export_from_a_checkout_builds_it_first(tmp_path: Path) -> None:
    pytest.importorskip("sqlite_utils")
    source = source_copy(tmp_path / "checkout")
    assert not (source / "tables" / "dyad_year.csv").exists()
    out = tmp_path / "out" / "x.db"
    assert main(["export", "--format", "sqlite", "--source", str(source), "--out", str(out)]) == 0
    con = sqlite3.connect(out)
    assert con.execute("select count(*) from dyad_year").fetchone()[0] == len(alliance_data.load("dyad_year"))


def test_sqlite_export_checks_keys_even_without_the_command(tmp_path: Path) -> None:
    pytest.importorskip("sqlite_utils")
    from alliance_data.export import ExportError, export_sqlite

    source = source_copy(tmp_path / "checkout")
    assert main(["build", str(source)]) == 0
    for path in (source / "tables").glob("agreement_parties.*"):
        path.unlink()
    shutil.copy(DATA / "tables" / "agreement_parties.csv", source / "tables" / "agreement_parties.csv")
    with (source / "tables" / "agreement_parties.csv").open("a", encoding="utf-8") as handle:
        handle.write("no-such-agreement,IRN,supplier,\n")
    with pytest.raises(ExportError, match="agreement_parties"):
        export_sqlite(tmp_path / "out" / "x.db", source)
    assert list((tmp_path / "out").iterdir()) == []


def _content(database: Path) -> dict[str, list]:
    """Every object's SQL and every table's rows with the type of each value (1 and 1.0 differ)."""
    con = sqlite3.connect(database)
    content: dict[str, list] = {"sqlite_master": con.execute("select type, name, tbl_name, sql from sqlite_master order by rowid").fetchall()}
    for (name,) in con.execute("select name from sqlite_master where type = 'table' and sql not like '%WITHOUT ROWID%'").fetchall():
        content[name] = [tuple((type(v).__name__, v) for v in row) for row in con.execute(f"select rowid, * from [{name}] order by rowid")]
    con.close()
    return content


def test_sqlite_export_reads_csv_in_blocks_and_parquet_in_batches_alike(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("sqlite_utils")
    import alliance_data.arrow_io as arrow_io
    from alliance_data.export import export_sqlite

    built = copy_data(tmp_path / "built")
    path = built / "tables" / "events.csv"
    long_note = 'a "quoted" word, a comma, ' * 400 + "the end"  # longer than a block below
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[len(rows) // 2]["notes"] = long_note
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert main(["build", str(built)]) == 0
    from_csv = copy_data(tmp_path / "csv", parquet=False)
    shutil.copy(path, from_csv / "tables" / "events.csv")
    shutil.copy(built / "tables" / "dyad_year.csv", from_csv / "tables" / "dyad_year.csv")
    shutil.copy(built / "tables" / "dyad_year_directed.csv", from_csv / "tables" / "dyad_year_directed.csv")
    monkeypatch.setattr(arrow_io, "BLOCK_SIZE", 4096)  # many blocks, and rows longer than some of them
    monkeypatch.setattr(arrow_io, "BATCH_ROWS", 97)  # many batches of each table
    assert arrow_io.longest_row(path) > 4096
    export_sqlite(tmp_path / "a" / "x.db", built)
    export_sqlite(tmp_path / "b" / "x.db", from_csv)
    content = _content(tmp_path / "a" / "x.db")
    assert content == _content(tmp_path / "b" / "x.db")
    assert ("str", long_note) in {cell for row in content["events"] for cell in row}
    assert len(content["citations"]) == len(alliance_data.load("citations")) > 97


def test_longest_row_counts_a_quoted_newline_inside_its_row(tmp_path: Path) -> None:
    from alliance_data.arrow_io import longest_row

    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\n1,"x\ny ""z"""\n22,3')  # rows of 4, 14 and 4 bytes (the last with no newline)
    assert longest_row(path) == 14
    assert longest_row(path, chunk=3) == 14  # a quote or a row split between pieces


def test_sqlite_agreements_wide_is_the_derived_table(tmp_path: Path) -> None:
    pytest.importorskip("sqlite_utils")
    from alliance_data import derived
    from alliance_data.export import export_sqlite

    root = copy_data(tmp_path / "package", parquet=False)
    parties = root / "tables" / "agreement_parties.csv"
    header, *lines = parties.read_text(encoding="utf-8").splitlines(keepends=True)
    parties.write_text(header + "".join(reversed(lines)), encoding="utf-8")  # the lists come out sorted all the same
    export_sqlite(tmp_path / "out" / "x.db", root)
    con = sqlite3.connect(tmp_path / "out" / "x.db")
    cursor = con.execute("select * from agreements_wide order by rowid")
    wide = derived.agreements_wide(root)
    assert [d[0] for d in cursor.description] == wide.column_names
    expected = [tuple(row.values()) for row in wide.to_pylist()]
    found = cursor.fetchall()
    assert [tuple(map(type, row)) for row in found] == [tuple(map(type, row)) for row in expected]
    assert found == expected
    assert any(row and "; " in str(row) for row in found), "some role lists more than one actor"


def test_agreements_wide_lists_every_party_by_role_and_counts_sources() -> None:
    from alliance_data import derived

    wide = derived.agreements_wide().to_pylist()
    agreements = alliance_data.load("agreements")
    assert [row["agreement_id"] for row in wide] == list(agreements["agreement_id"])
    parties = alliance_data.load("agreement_parties")
    citations = alliance_data.load("citations")
    roles = [str(role) for role in parties["role"].cat.categories]
    for row in wide:
        mine = parties[parties["agreement_id"] == row["agreement_id"]]
        for role in roles:
            actors = sorted(mine.loc[mine["role"] == role, "actor_id"])
            assert row[role] == ("; ".join(actors) if actors else None), (row["agreement_id"], role)
        backing = citations[(citations["record_table"] == "agreements") & (citations["record_id"] == row["agreement_id"])
                            & (citations["stance"] == "supports")]
        assert row["n_sources"] == backing["source_id"].nunique()
    csv_rows = list(csv.DictReader(io.StringIO(derived.agreements_wide_csv().decode("utf-8"))))
    assert [r["agreement_id"] for r in csv_rows] == [row["agreement_id"] for row in wide]
    source_rows = csv.DictReader(io.StringIO((DATA / "tables" / "agreements.csv").read_text(encoding="utf-8")))
    written = {a["agreement_id"]: a["value_low"] for a in source_rows}
    assert all(r["value_low"] == written[r["agreement_id"]] for r in csv_rows), "numbers as written in the CSV"
