"""SQL, Polars, provenance, row-level diffs and figures, against the bundled data."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import alliance_data
from alliance_data.cli import main
from alliance_data.diff import diff, render_text
from conftest import DATA, REPO, read_rows, write_rows

FACT_TABLES = ["actors", "agreements", "events", "trade_items", "settlement_methods", "frictions", "observations"]


# --- SQL -------------------------------------------------------------------------------

def test_connect_gives_every_table_as_a_view() -> None:
    pytest.importorskip("duckdb")
    con = alliance_data.connect()
    for name in alliance_data.tables():
        assert con.execute(f"select count(*) from {name}").fetchone()[0] == len(alliance_data.load(name))


def test_sql_join_of_agreements_parties_and_sources() -> None:
    pytest.importorskip("duckdb")
    con = alliance_data.connect()
    rows = con.execute("""
        select a.title, p.actor_id, p.role, pub.name, c.locator
        from agreements a
        join agreement_parties p using (agreement_id)
        join citations c on c.record_table = 'agreements' and c.record_id = a.agreement_id
        join sources s using (source_id)
        join publishers pub using (publisher_id)
        where a.agreement_id = 'gazprom-nioc-memorandum-2022'
    """).fetchall()
    assert {r[1] for r in rows} == {"gazprom", "nioc"}
    assert "Upstream" in {r[3] for r in rows}


def test_connect_without_duckdb_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(ImportError, match=r'pip install "alliance-data\[duckdb\]"'):
        alliance_data.connect()


# --- Polars ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", alliance_data.tables())
def test_polars_backend_has_the_same_columns_and_types(name: str) -> None:
    pl = pytest.importorskip("polars")
    frame = alliance_data.load(name, backend="polars")
    pandas_frame = alliance_data.load(name)
    assert frame.columns == list(pandas_frame.columns)
    assert frame.height == len(pandas_frame)
    for column, dtype in pandas_frame.dtypes.items():
        polars_type = frame.schema[column]
        if isinstance(dtype, pd.CategoricalDtype):
            assert polars_type == pl.Enum(list(dtype.categories))
        elif dtype == pd.Int64Dtype():
            assert polars_type == pl.Int64
        elif dtype == "float64":
            assert polars_type == pl.Float64
        else:
            assert polars_type == pl.String
    assert frame.to_pandas()[frame.columns[0]].tolist() == pandas_frame[frame.columns[0]].tolist()


def test_polars_backend_without_polars(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"alliance-data\[polars\]"):
        alliance_data.load("actors", backend="polars")


# --- provenance ------------------------------------------------------------------------

def test_sources_for_a_record() -> None:
    found = alliance_data.sources_for("agreements", "treaty-2025-comprehensive-strategic-partnership")
    assert {"source_id", "locator", "stance", "title", "url", "publisher_id", "relays"} <= set(found.columns)
    assert "Art. 3" in set(found["locator"])
    assert set(found["stance"]) == {"supports", "dates_differently"}
    citations = alliance_data.load("citations")
    expected = citations[(citations["record_table"] == "agreements")
                         & (citations["record_id"] == "treaty-2025-comprehensive-strategic-partnership")]
    assert len(found) == len(expected)


def test_sources_for_unknown_records_and_tables() -> None:
    with pytest.raises(KeyError, match="no record"):
        alliance_data.sources_for("agreements", "no-such-agreement")
    with pytest.raises(ValueError, match="the cited tables are"):
        alliance_data.sources_for("citations", "x")


@pytest.mark.parametrize("name", FACT_TABLES)
def test_load_with_sources_adds_each_rows_citations(name: str) -> None:
    frame = alliance_data.load(name, with_sources=True)
    key = frame.columns[0]
    assert list(frame.columns[-2:]) == ["citations", "corroborating_sources"]
    assert frame["citations"].dtype != object
    citations = alliance_data.load("citations")
    citations = citations[citations["record_table"] == name]
    for record_id, cited in zip(frame[key], frame["citations"], strict=False):
        expected = citations.loc[citations["record_id"] == record_id, "source_id"]
        assert sorted(c["source_id"] for c in cited) == sorted(expected)


def test_with_sources_works_with_polars_and_columns() -> None:
    pytest.importorskip("polars")
    frame = alliance_data.load("frictions", backend="polars", with_sources=True, columns=["friction_id", "kind"])
    assert frame.columns == ["friction_id", "kind", "citations", "corroborating_sources"]
    assert all(len(c) >= 1 for c in frame["citations"].to_list())


# --- diff ------------------------------------------------------------------------------

def two_copies(tmp_path: Path) -> tuple[Path, Path]:
    """Two CSV copies of the package, old and new, to edit and compare."""
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        shutil.copy2(DATA / "datapackage.json", folder)
        shutil.copytree(DATA / "schemas", folder / "schemas")
        shutil.copytree(DATA / "tables", folder / "tables", ignore=shutil.ignore_patterns("*.parquet"))
    return old, new


def edited_copy(tmp_path: Path) -> tuple[Path, Path, str]:
    old, new = two_copies(tmp_path)
    path = new / "tables" / "frictions.csv"
    rows = read_rows(path)
    fields = list(rows[0])
    rows[0]["evidence"] = "alleged"
    removed = rows.pop(1)["friction_id"]
    rows.append({"friction_id": "zz-new-friction", "title": "A new one", "kind": "competition", "evidence": "reported", "summary": "New."})
    write_rows(path, rows, fields)
    return old, new, removed


def test_diff_lists_rows_added_removed_and_changed(tmp_path: Path) -> None:
    old, new, removed = edited_copy(tmp_path)
    (change,) = diff(old, new)
    assert change.table == "frictions"
    assert change.added == ["zz-new-friction"]
    assert change.removed == [removed]
    first = read_rows(old / "tables" / "frictions.csv")[0]
    assert change.changed == {first["friction_id"]: {"evidence": (first["evidence"], "alleged")}}
    assert diff(old, old) == []


def test_diff_says_what_replaced_a_retired_id(tmp_path: Path) -> None:
    old, new, removed = edited_copy(tmp_path)
    kept = read_rows(new / "tables" / "frictions.csv")[0]["friction_id"]
    path = new / "tables" / "retired_ids.csv"
    rows = read_rows(path)
    fields = list(rows[0]) if rows else ["record_table", "record_id", "retired_in", "replaced_by", "reason"]
    rows.append({"record_table": "frictions", "record_id": removed, "retired_in": "9.9.9", "replaced_by": kept, "reason": "one friction"})
    write_rows(path, rows, fields)
    change = next(c for c in diff(old, new) if c.table == "frictions")
    assert change.retired == {removed: f"retired in 9.9.9, merged into {kept}: one friction"}
    assert f"  - {removed} (retired in 9.9.9, merged into {kept}: one friction)" in render_text(diff(old, new))


def test_diff_command_text_and_json(tmp_path: Path, capsys) -> None:
    old, new, removed = edited_copy(tmp_path)
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "frictions: 1 added, 1 removed, 1 changed" in out
    assert "  + zz-new-friction" in out and f"  - {removed}" in out
    assert re.search(r'evidence: "[a-z]+" -> "alleged"', out), out
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["frictions"]["added"] == ["zz-new-friction"]
    assert main(["diff", str(old), str(tmp_path / "nowhere")]) == 2


# --- figures ---------------------------------------------------------------------------

def test_figures_command_draws_both_pictures(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("networkx")
    from alliance_data.figures import DOMAIN_COLOURS, UNDRAWN_EVIDENCE, data_fingerprint

    assert main(["figures", str(DATA), "--out", str(tmp_path / "a")]) == 0
    network = (tmp_path / "a" / "partnership-network.svg").read_text(encoding="utf-8")
    timeline = (tmp_path / "a" / "timeline.svg").read_text(encoding="utf-8")
    assert network.startswith("<?xml") and "<svg" in network and "<svg" in timeline
    agreements = alliance_data.load("agreements")
    drawn = agreements[~agreements["evidence"].astype(str).isin(sorted(UNDRAWN_EVIDENCE))]
    for domain in set(drawn["domain"].astype(str)):  # every domain drawn in its colour
        assert DOMAIN_COLOURS[domain] in network, domain
    for domain in set(agreements["domain"].astype(str)) - set(drawn["domain"].astype(str)):
        assert DOMAIN_COLOURS[domain] not in network, f"{domain}: only unsure links, none drawn"
    assert "Goldstein" in timeline and "material conflict" in timeline
    # The same data and libraries draw the same bytes (the SVG carries no date or random ids): the
    # README's images, drawn by the release process in another process and on another day, compare.
    readme = REPO / "docs" / "readme"
    drawn_with = json.loads((readme / "figures.json").read_text(encoding="utf-8"))
    import matplotlib

    if drawn_with["fingerprint"] == alliance_data.fingerprint() and drawn_with["matplotlib"] == matplotlib.__version__:
        for name in ("timeline.svg", "coverage.svg"):
            assert (tmp_path / "a" / name).read_bytes() == (readme / name).read_bytes(), name
    stamp = json.loads((tmp_path / "a" / "figures.json").read_text(encoding="utf-8"))
    assert stamp["data_sha256"] == data_fingerprint(DATA), "the stamp names the data drawn from"


def test_diff_of_edited_cells_only(tmp_path: Path) -> None:
    """Rows in the same order with one cell changed: the fast path gives the same answer."""
    from alliance_data.diff import diff

    old, new = two_copies(tmp_path)
    path = new / "tables" / "events.csv"
    rows = read_rows(path)
    rows[3]["notes"] = "an edited note"
    write_rows(path, rows, list(rows[0]))
    (change,) = diff(old, new)
    assert change.table == "events" and not change.added and not change.removed
    assert change.changed == {rows[3]["event_id"]: {"notes": (read_rows(old / "tables" / "events.csv")[3]["notes"], "an edited note")}}


def test_diff_reads_rows_longer_than_a_block_and_refuses_what_is_not_utf8(tmp_path: Path, monkeypatch, capsys) -> None:
    import alliance_data.arrow_io as arrow_io

    monkeypatch.setattr(arrow_io, "BLOCK_SIZE", 4096)  # many blocks, and one row longer than a block
    old, new = two_copies(tmp_path)
    path = new / "tables" / "events.csv"
    rows = read_rows(path)
    long_note = "line one, \"quoted\"\n" * 800
    rows[-1]["notes"] = long_note
    rows[0]["summary"] = "An edited summary."
    write_rows(path, rows, list(rows[0]))
    (change,) = diff(old, new)
    before = read_rows(old / "tables" / "events.csv")
    assert change.changed == {rows[0]["event_id"]: {"summary": (before[0]["summary"], "An edited summary.")},
                              rows[-1]["event_id"]: {"notes": (before[-1]["notes"], long_note)}}
    (new / "tables" / "frictions.csv").write_bytes((old / "tables" / "frictions.csv").read_bytes() + b"caf\xe9,x\n")
    assert main(["diff", str(old), str(new)]) == 1
    assert "frictions.csv: is not valid UTF-8" in capsys.readouterr().err
    (new / "schemas" / "frictions.schema.json").write_text("{not json", encoding="utf-8")
    assert main(["diff", str(old), str(new)]) == 1
    assert "frictions.schema.json: cannot be read as JSON" in capsys.readouterr().err


def test_diff_notes_a_new_column_and_its_filled_cells(tmp_path: Path) -> None:
    old, new = two_copies(tmp_path)
    path = new / "tables" / "frictions.csv"
    rows = read_rows(path)
    fields = [*rows[0], "extra"]
    for row in rows:
        row["extra"] = ""
    rows[2]["extra"] = "filled"
    write_rows(path, rows, fields)
    (change,) = diff(old, new)
    assert change.note.startswith("columns changed from ") and change.note.endswith(",extra")
    assert change.changed == {rows[2]["friction_id"]: {"extra": ("", "filled")}}
    assert not change.added and not change.removed
