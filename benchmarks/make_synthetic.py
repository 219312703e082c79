"""Make a synthetic data package with the real schemas, valid keys and N rows in total.

    python benchmarks/make_synthetic.py --rows 1000000 --out /tmp/synthetic-1m

The package validates: every foreign key resolves, every fact row has a supporting
citation, and every rule holds. Use it to measure validation at scale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from alliance_data import _package, derived

# Share of the total rows each table gets; citations match the fact rows one to one.
SHARES = {
    "sources": 0.04, "actors": 0.04, "agreements": 0.08, "agreement_parties": 0.14,
    "events": 0.04, "event_actors": 0.05, "trade_items": 0.05, "trade_item_codes": 0.08,
    "settlement_methods": 0.01, "frictions": 0.01, "friction_actors": 0.02, "observations": 0.10, "votes": 0.02,
}
FACT_TABLES = ["actors", "agreements", "events", "trade_items", "settlement_methods", "frictions", "observations", "votes"]
STATES = [("IRN", "Iran", 630), ("RUS", "Russia", 365)]


def ids(prefix: str, n: int) -> pa.Array:
    return pa.array(np.char.add(f"{prefix}-", np.char.zfill(np.arange(n).astype(str), 7)))


def const(value: str, n: int) -> pa.Array:
    return pa.array(np.full(n, value, dtype=object), type=pa.string())


def pick(keys: pa.Array, n: int, step: int = 1) -> pa.Array:
    return keys.take(pa.array((np.arange(n) * step) % len(keys)))


def make_tables(total: int) -> dict[str, dict[str, pa.Array]]:
    # The CAMEO code list and the 27-year panel have fixed sizes; the rest share what is left.
    cameo = pcsv.read_csv(_package.table_path("cameo_codes", "csv"), convert_options=pcsv.ConvertOptions(
        column_types={name: pa.string() for name in ("cameo_code", "description", "root_code", "quad_class", "goldstein")}))
    total = max(total - cameo.num_rows - 3 * (derived.LAST_YEAR - derived.FIRST_YEAR + 1), 100)  # both panels
    n = {t: max(2, int(total * s)) for t, s in SHARES.items()}
    n["actors"] = max(n["actors"], len(STATES) + 2)
    t: dict[str, dict[str, pa.Array]] = {}
    source_ids = ids("source", n["sources"])
    t["publishers"] = {
        "publisher_id": pa.array(["synthetic-wire", "synthetic-paper"]), "name": pa.array(["Synthetic Wire", "Synthetic Paper"]),
        "kind": pa.array(["wire", "newspaper"]), "country_id": const("", 2), "notes": const("", 2),
    }
    t["sources"] = {
        "source_id": source_ids, "kind": const("news_report", n["sources"]),
        "title": pa.array(np.char.add("Synthetic source ", np.arange(n["sources"]).astype(str))),
        "publisher_id": const("synthetic-wire", n["sources"]), "relays": const("", n["sources"]),
        "url": pa.array(np.char.add("https://example.org/", source_ids.to_numpy(zero_copy_only=False).astype(str))),
        "published": const("2020-02-29", n["sources"]), "language": const("en", n["sources"]),
        "reliability": const("standard", n["sources"]), "notes": const("", n["sources"]),
    }
    others = n["actors"] - len(STATES)
    actor_ids = pa.concat_arrays([pa.array([s[0] for s in STATES]), ids("actor", others)])
    t["actors"] = {
        "actor_id": actor_ids,
        "name": pa.concat_arrays([pa.array([s[1] for s in STATES]), pa.array(np.char.add("Synthetic actor ", np.arange(others).astype(str)))]),
        "kind": pa.concat_arrays([const("state", len(STATES)), const("company", others)]),
        "iso3": pa.concat_arrays([pa.array([s[0] for s in STATES]), const("", others)]),
        "cow_code": pa.concat_arrays([pa.array([str(s[2]) for s in STATES]), const("", others)]),
        "parent_id": pa.concat_arrays([const("", len(STATES)), pick(pa.array([s[0] for s in STATES]), others)]),
        "notes": const("", n["actors"]),
    }
    agreement_ids = ids("agreement", n["agreements"])
    na = n["agreements"]
    t["agreements"] = {
        "agreement_id": agreement_ids,
        "title": pa.array(np.char.add("Synthetic agreement ", np.arange(na).astype(str))),
        "kind": const("intergovernmental_agreement", na), "domain": const("trade", na), "status": const("signed", na),
        "evidence": const("reported", na), "signed": const("2023-05", na), "start": const("2023-05-17", na),
        "end": const("2024", na), "value_low": const("1000000", na), "value_high": const("1500000", na),
        "value_currency": const("EUR", na), "value_qualifier": const("range", na), "quantity": const("", na),
        "quantity_unit": const("", na), "quantity_qualifier": const("", na), "atop_id": const("", na),
        "part_of": const("", na), "summary": const("A synthetic arrangement for benchmarks.", na), "notes": const("", na),
    }
    npart = min(n["agreement_parties"], na * n["actors"])
    t["agreement_parties"] = {
        "agreement_id": pick(agreement_ids, npart),
        "actor_id": actor_ids.take(pa.array((np.arange(npart) // na) % n["actors"])),
        "role": const("party", npart), "notes": const("", npart),
    }
    ne = n["events"]
    event_ids = ids("event", ne)
    t["events"] = {
        "event_id": event_ids, "date": const("2024-02-29", ne), "date_end": const("", ne), "kind": const("announced", ne),
        "cameo_code": const("057", ne), "domain": const("trade", ne), "evidence": const("reported", ne),
        "agreement_id": pick(agreement_ids, ne), "friction_id": const("", ne), "reports_event_id": const("", ne),
        "sets_status": const("signed", ne),
        "value_low": const("", ne), "value_high": const("", ne), "value_currency": const("", ne), "value_qualifier": const("", ne),
        "quantity": const("", ne), "quantity_unit": const("", ne), "quantity_qualifier": const("", ne),
        "summary": const("A synthetic step.", ne), "notes": const("", ne),
    }
    nea = min(n["event_actors"], ne * n["actors"])
    t["event_actors"] = {
        "event_id": pick(event_ids, nea), "actor_id": actor_ids.take(pa.array((np.arange(nea) // ne) % n["actors"])),
        "role": const("participant", nea),
    }
    t["cameo_codes"] = {name: cameo[name].combine_chunks() for name in cameo.column_names}
    nt = n["trade_items"]
    item_ids = ids("item", nt)
    t["trade_items"] = {
        "item_id": item_ids, "name": pa.array(np.char.add("Good ", np.arange(nt).astype(str))), "category": const("grain", nt),
        "exporter_id": const("RUS", nt), "importer_id": const("IRN", nt), "agreement_id": pick(agreement_ids, nt),
        "evidence": const("reported", nt), "notes": const("", nt),
    }
    nc = n["trade_item_codes"]
    t["trade_item_codes"] = {
        "item_id": pick(item_ids, nc),
        "hs_code": pa.array(np.char.zfill(((np.arange(nc) // nt) % 1_000_000).astype(str), 6)),
        "covers": const("a synthetic code", nc),
    }
    nm = n["settlement_methods"]
    t["settlement_methods"] = {
        "method_id": ids("method", nm), "name": pa.array(np.char.add("Method ", np.arange(nm).astype(str))),
        "kind": const("national_currency", nm), "currency_code": const("RUB", nm), "agreement_id": pick(agreement_ids, nm),
        "evidence": const("reported", nm), "summary": const("A synthetic method.", nm),
    }
    nf = n["frictions"]
    friction_ids = ids("friction", nf)
    t["frictions"] = {
        "friction_id": friction_ids, "title": pa.array(np.char.add("Friction ", np.arange(nf).astype(str))),
        "kind": const("mistrust", nf), "evidence": const("reported", nf), "summary": const("A synthetic tension.", nf),
    }
    nfa = min(n["friction_actors"], nf * n["actors"])
    t["friction_actors"] = {
        "friction_id": pick(friction_ids, nfa), "actor_id": actor_ids.take(pa.array((np.arange(nfa) // nf) % n["actors"])),
        "role": const("side", nfa),
    }
    no = n["observations"]
    t["observations"] = {
        "observation_id": ids("observation", no), "indicator": const("bilateral_trade_turnover", no),
        "period": const("2024-01/2024-09", no), "value": const("3.3", no), "unit": const("usd_billion", no),
        "qualifier": const("exact", no), "flow": const("turnover", no), "exporter_id": const("", no), "importer_id": const("", no),
        "stated_by": const("", no), "stated_on": const("", no), "statistic": const("russian_customs", no),
        "year_basis": const("calendar", no), "evidence": const("reported", no), "notes": const("", no),
    }
    nv = n["votes"]
    t["votes"] = {
        "vote_id": ids("vote", nv), "body": const("un_general_assembly", nv), "symbol": const("", nv), "date": const("2022-03-02", nv),
        "subject": const("a synthetic resolution", nv), "subject_id": const("RUS", nv), "voter_id": const("IRN", nv),
        "vote": const("abstain", nv), "outcome": const("adopted", nv), "tally_yes": const("141", nv), "tally_no": const("5", nv),
        "tally_abstain": const("35", nv), "event_id": pick(event_ids, nv), "evidence": const("reported", nv), "notes": const("", nv),
    }
    t["retired_ids"] = {name: pa.array([], pa.string()) for name in ("record_table", "record_id", "retired_in", "replaced_by", "reason")}
    record_table, record_id = [], []
    for table in FACT_TABLES:
        key = next(iter(t[table]))
        record_table.append(const(table, len(t[table][key])))
        record_id.append(t[table][key])
    record_table_all, record_id_all = pa.concat_arrays(record_table), pa.concat_arrays(record_id)
    ncit = len(record_id_all)
    cited = pick(source_ids, ncit)
    t["citations"] = {
        "record_table": record_table_all, "record_id": record_id_all, "source_id": cited,
        "locator": pa.array(np.char.add("https://example.org/", cited.to_numpy(zero_copy_only=False).astype(str))),
        "stance": const("supports", ncit), "note": const("", ncit),
    }
    return t


def write_package(tables: dict[str, dict[str, pa.Array]], out: Path) -> int:
    root = _package.data_root()
    descriptor = json.loads((root / _package.DESCRIPTOR).read_text(encoding="utf-8"))
    if out.exists():
        shutil.rmtree(out)
    (out / "tables").mkdir(parents=True)
    shutil.copytree(root / "schemas", out / "schemas")
    rows = 0
    generated = _package.derived_names(root)
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] not in generated]  # derived below
    for resource in descriptor["resources"]:
        columns = tables[resource["name"]]
        table = pa.table(columns) if columns else pa.table({})
        names = [f["name"] for f in json.loads((root / resource["schema"]).read_text(encoding="utf-8"))["fields"]]
        table = table.select(names)
        path = out / resource["path"]
        # Quoted only where needed (the CAMEO descriptions hold commas).
        body = pa.BufferOutputStream()
        pcsv.write_csv(table, body, write_options=pcsv.WriteOptions(quoting_style="needed", include_header=False))
        data = (",".join(names) + "\n").encode("utf-8") + body.getvalue().to_pybytes()
        path.write_bytes(data)
        resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        resource["bytes"] = len(data)
        rows += table.num_rows
    descriptor["name"] = "alliance-data-synthetic"
    (out / _package.DESCRIPTOR).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    panels = derived.panels_csv(out)  # built from the tables above
    for resource in _package.derived_resources(out):
        data = panels[resource["name"]]
        (out / resource["path"]).write_bytes(data)
        rows += data.count(b"\n") - 1
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="rows in total, across all tables")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced if it exists)")
    args = parser.parse_args(argv)
    rows = write_package(make_tables(args.rows), args.out)
    print(f"wrote {rows} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
