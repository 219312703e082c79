"""The codebook: every table, what one row is, and every field with its type,
constraints, allowed values and their meaning, all read from the Table Schemas."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import package

if TYPE_CHECKING:
    import pandas as pd

    from .model import Field, Table

CODEBOOK = "CODEBOOK.md"


def _constraints(field: Field, primary_key: tuple[str, ...]) -> str:
    parts = []
    if field.required or field.name in primary_key:
        parts.append("required")
    if field.unique:
        parts.append("unique")
    if field.pattern is not None:
        parts.append(f"pattern `{field.pattern}`")
    if field.minimum is not None:
        parts.append(f"minimum {field.minimum}")
    if field.maximum is not None:
        parts.append(f"maximum {field.maximum}")
    if field.format is not None:
        parts.append(f"format {field.format}")
    return "; ".join(parts)


def _references(table: Table) -> dict[str, str]:
    return {field: f"{fk.resource}.{target}" for fk in table.foreign_keys for field, target in zip(fk.fields, fk.reference)}


def _rows(name: str, root: Path | None = None) -> list[dict[str, Any]]:
    table = package(root).table(name)
    refs = _references(table)
    rows = []
    for f in table.fields:
        values = dict(f.enum_descriptions) or {v: "" for v in f.enum or ()}
        rows.append({
            "field": f.name,
            "type": f.type,
            "constraints": _constraints(f, table.primary_key),
            "references": refs.get(f.name, ""),
            "values": "; ".join(f"{k}: {v}" if v else k for k, v in values.items()),
            "description": f.description,
        })
    return rows


def describe(name: str) -> pd.DataFrame:
    """Return the codebook of one table as a DataFrame, one row per field.

    Columns: ``field``, ``type``, ``constraints``, ``references`` (the table and field a
    foreign key points at), ``values`` (each allowed value with its meaning) and
    ``description``.
    """
    import pandas as pd

    return pd.DataFrame(_rows(name)).astype("string")


def render(root: Path | None = None) -> str:
    """Return the Markdown codebook of the package at ``root`` (default: bundled)."""
    model = package(root)
    out = [
        f"# Codebook: {model.title}",
        "",
        f"Data version {model.version}. Generated from `schemas/` by `alliance-data build`; do not edit by hand.",
        "",
    ]
    for table in model.tables:
        name = table.name
        key = ", ".join(table.primary_key)
        out += [f"## {name}", "", table.description, "", f"Primary key: {key}.", ""]
        out += ["| field | type | constraints | references | description |", "|---|---|---|---|---|"]
        enums = []
        for row in _rows(name, root):
            cells = [f"`{row['field']}`", row["type"], row["constraints"], row["references"], row["description"]]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
            if row["values"]:
                enums.append(row["field"])
        for f in table.fields:
            if f.name in enums:
                out += ["", f"Values of `{f.name}`:", ""]
                out += [f"- `{k}`: {v}" for k, v in f.enum_descriptions.items()]
        out.append("")
    from .derived import AGREEMENTS_WIDE, AGREEMENTS_WIDE_DESCRIPTION, agreements_wide_descriptions
    from .rules import FACT_TABLES, ROW_RULES

    out += [f"## {AGREEMENTS_WIDE} (in the exports)", "", AGREEMENTS_WIDE_DESCRIPTION, "", "Primary key: agreement_id.", "",
            "| field | description |", "|---|---|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in (f"`{column}`", text)) + " |"
            for column, text in agreements_wide_descriptions(root).items()]
    out.append("")

    out += [
        "## Rules beyond the schemas",
        "",
        "Checked by `alliance-data validate`, as Table Schema cannot state them:",
        "",
        "- Partial dates and periods are real calendar dates (`2023-02-30` and `2023-13` are refused).",
        f"- Every row of {', '.join(f'`{t}`' for t in FACT_TABLES)} has at least one citation with stance `supports`.",
        "- Each citation's `record_table` and `record_id` name an existing record.",
        "- A fact whose supporting sources are all `weak` or `state` is not `confirmed`.",
        "- `dyad_year` is exactly what `alliance-data build` derives from the other tables (see below).",
        *[f"- `{rule.table}.{rule.field}`: {rule.requirement}." for rule in ROW_RULES],
        "- File hygiene: UTF-8 without BOM, LF line endings, no spaces around a value, no control characters, "
        "NFC Unicode, no text cell starting with `=`, `+`, `-` or `@`.",
        "",
        "## Coding events with CAMEO",
        "",
        "Each event carries the most specific CAMEO code (version 1.1b3; Event Data Project, Pennsylvania State "
        "University; source `cameo-codebook-1-1b3`) that its sources support: a signature or ratification step is "
        "057 (sign formal agreement), a visit 042 (the visitor is `source`, the host `target`) and a meeting elsewhere "
        "044, a joint exercise or arms transfer 062 (cooperate militarily), a satellite launch, fuel delivery or "
        "trade step 061 (cooperate economically), a veto 129, a summons of an envoy 114 (complain officially), "
        "a statement defending the other side 052. Where a finer code would need more than the sources say, the "
        "broader code is used. The Goldstein weight (-10 to +10) and the quad class come from `cameo_codes` "
        "(source `gdelt-cameo-lookups`).",
        "",
        "## How the derived tables are made",
        "",
        "- Sides: an actor belongs to the state its `parent_id` chain ends in (a minister to IRN or RUS).",
        "- `dyad_year`: an event counts for the year of its `date` when an actor of each side acts in it (roles "
        "source, target, participant, host, supplier, recipient; claimants, deniers, observers and beneficiaries "
        "do not count). It is directed Russia→Iran when a Russian actor is source or supplier and an Iranian "
        "actor target or recipient, and the other way round. Quad classes and Goldstein weights come from the "
        "event's CAMEO code. `agreements_signed` and `agreements_in_force` count agreements with parties on both "
        "sides. Where several observations give the year's trade turnover or currency share, the panel takes the "
        "one with the best evidence, then not stated by a single person, then with the plainest qualifier, then "
        "the first id, and says how many there were.",
        "- `status_as_of(date)`: the status set (`events.sets_status`) by the agreement's latest event whose whole "
        "period has ended by `date` (an event known as `2019-06` counts from 2019-06-30; a partial `date` means the "
        "end of its period). Missing where no dated event sets one. `agreements.status` is the status as of the "
        "newest source and may be `unknown`.",
        "- `corroborating_sources` (`load(..., with_sources=True)`): independent originals that support a row, "
        "leaving out the founding article: a source counts as the outlet it relays (`sources.relays`), else as its "
        "publisher, and two items of one outlet count once. `alliance-data info` shows how many "
        "rows of each table rest on the article alone.",
        "",
    ]
    return "\n".join(out)
