"""The Datasette view of the SQLite export: its metadata (titles, descriptions, facets, canned
queries), and the code tables and money views the database carries for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import derived
from ..model import Table, package
from ..rules import FACT_TABLES

DATASETTE_METADATA = "metadata.json"
MONEY_COLUMNS = ("value_low", "value_high", "value_currency", "value_qualifier")


def has_money(table: Table) -> bool:
    """Whether a table states values in a currency (and so gets a ``<table>_money`` view)."""
    return set(MONEY_COLUMNS) <= set(table.field_names)


def code_table_name(table: str, field: str, tables: dict[str, Table]) -> str:
    """``codes_<field>`` when every table's field of that name allows the same values, else
    ``codes_<table>_<field>``."""
    lists = {json.dumps(dict(f.enum_descriptions), sort_keys=True) for t in tables.values() for f in t.fields
             if f.name == field and f.enum_descriptions}
    return f"codes_{field}" if len(lists) == 1 else f"codes_{table}_{field}"


def code_tables(tables: dict[str, Table]) -> dict[str, list[dict[str, str]]]:
    """Every enum's values with their meanings, one small table per list of values."""
    out: dict[str, list[dict[str, str]]] = {}
    for name, table in tables.items():
        for f in table.fields:
            if f.enum_descriptions:
                out.setdefault(code_table_name(name, f.name, tables),
                               [{"code": str(code), "meaning": str(text), "label": f"{code}: {text}"}
                                for code, text in f.enum_descriptions.items()])
    return out


def datasette_metadata(database: str, root: Path | None = None) -> dict[str, Any]:
    """Datasette's metadata for the database: title, licence, sources, every table's and
    column's description, facets on the enum columns.

    Parameters
    ----------
    database : str
        The database's name in Datasette (its file name without the suffix).
    root : Path, optional
        The data package; by default the bundled data.

    Returns
    -------
    dict
        The metadata, ready for ``json.dumps``.
    """
    model = package(root)
    meta = model.descriptor
    licence = (model.licenses or ({},))[0]
    tables: dict[str, Any] = {}
    for table in model.tables:
        label = next((f for f in table.field_names if f in ("title", "name")), None)
        money = f" The {table.name}_money view shows its values as money." if has_money(table) else ""
        tables[table.name] = {
            "title": table.title,
            "description": table.description + money,
            "columns": {f.name: f.description for f in table.fields},
            "facets": [f.name for f in table.fields if f.enum is not None],
            **({"label_column": label} if label else {}),
        }
    for name in code_tables({table.name: table for table in model.tables}):
        # Hidden from the index page (reachable by address and through every enum column's link).
        tables[name] = {"title": f"Allowed values: {name.removeprefix('codes_')}", "label_column": "label", "hidden": True,
                        "description": "The codebook's allowed values of an enum column and what each means."}
    tables[derived.AGREEMENTS_WIDE] = {"title": "Agreements, one row each, with their parties by role",
                                       "description": derived.AGREEMENTS_WIDE_DESCRIPTION,
                                       "columns": derived.agreements_wide_descriptions(root), "label_column": "title",
                                       "facets": [f for f in derived.WIDE_AGREEMENT_FIELDS if f in tables["agreements"]["facets"]]}
    for table in model.tables:
        if has_money(table):
            tables[f"{table.name}_money"] = {
                "title": f"{table.title}: values as money",
                "description": f"The {table.name} rows that state a value, largest first, each amount with its currency "
                               f"and thousands separators; the numbers themselves are in {table.name}.value_low and value_high.",
            }
    for fact in FACT_TABLES:
        if fact in tables:
            tables[f"{fact}_citations"] = {
                "title": f"Citations of {fact}",
                "facets": ["stance"],
                "description": f"The rows of citations whose record_table is {fact}, linked to the {fact} record and to the source.",
            }
    return {
        "title": meta["title"],
        "description": (f"{meta.get('description', '')} Data version {meta['version']}. How it is made, how certainty is "
                        "graded and what the counts can and cannot show: METHODS.md in the repository and in every "
                        "release's CSV zip; every column: CODEBOOK.md."),
        "license": licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "source": "; ".join(s.get("title", "") for s in meta.get("sources", [])),
        "databases": {database: {"source": f"alliance-data {meta['version']}", "tables": tables, "queries": CANNED_QUERIES}},
    }


# Questions a reader of the browser view asks most, as Datasette canned queries.
CANNED_QUERIES = {
    "sources_for_a_record": {
        "title": "Sources for a record",
        "description": "Every citation of one record (table and id), with its source, where to look and its stance.",
        "sql": ("select c.record_table, c.record_id, c.stance, c.locator, c.note, s.source_id, s.title, p.name as publisher, "
                "s.relays, s.url, s.published, s.reliability from citations c join sources s using (source_id) "
                "left join publishers p using (publisher_id) "
                "where c.record_table = :record_table and c.record_id = :record_id order by c.stance, s.source_id"),
    },
    "everything_an_actor_took_part_in": {
        "title": "Everything an actor took part in",
        "description": "The agreements, events and frictions one actor (actor_id, such as RUS or gazprom) has a part in.",
        "sql": ("select 'agreement' as what, p.agreement_id as id, a.title as about, p.role, a.signed as date "
                "from agreement_parties p join agreements a using (agreement_id) where p.actor_id = :actor_id "
                "union all select 'event', e.event_id, e.summary, ea.role, e.date from event_actors ea "
                "join events e using (event_id) where ea.actor_id = :actor_id "
                "union all select 'friction', f.friction_id, f.title, fa.role, null from friction_actors fa "
                "join frictions f using (friction_id) where fa.actor_id = :actor_id order by date"),
    },
    "events_by_year": {
        "title": "Events by year",
        "description": ("Every event of the events table by year and CAMEO quad class, with their Goldstein sum: all actors and "
                        "evidence levels. The dyad_year panel counts fewer (only events both sides take part in, confirmed or "
                        "reported, no reports of an act already counted, no status steps); see its codebook entry."),
        "sql": ("select substr(e.date, 1, 4) as year, c.quad_class, count(*) as events, round(sum(c.goldstein), 1) as goldstein_sum "
                "from events e join cameo_codes c using (cameo_code) group by year, c.quad_class order by year, c.quad_class"),
    },
}
