"""The codebook: every table, what one row is, and every field with its type,
constraints, allowed values and their meaning, all read from the Table Schemas."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import package

if TYPE_CHECKING:
    import pandas as pd

    from .model import Field, Package, Table

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
    return {field: f"{fk.resource}.{target}" for fk in table.foreign_keys for field, target in zip(fk.fields, fk.reference, strict=False)}


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
        "How the data is made, how certainty is graded, how events are coded and what the panels can and cannot "
        "show: `METHODS.md` (in the repository and in every release's CSV zip).",
        "",
    ]
    out += _tables(model, root) + _agreements_wide(root) + _rules()
    return "\n".join(out)


def _tables(model: Package, root: Path | None) -> list[str]:
    """A section per table: its fields, then the meaning of each enum value."""
    out: list[str] = []
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
    return out


def _agreements_wide(root: Path | None) -> list[str]:
    """The flat agreements table the exports carry."""
    from .derived import AGREEMENTS_WIDE, AGREEMENTS_WIDE_DESCRIPTION, agreements_wide_descriptions

    out = [f"## {AGREEMENTS_WIDE} (in the exports)", "", AGREEMENTS_WIDE_DESCRIPTION, "", "Primary key: agreement_id.", "",
            "| field | description |", "|---|---|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in (f"`{column}`", text)) + " |"
            for column, text in agreements_wide_descriptions(root).items()]
    out.append("")
    return out


def _rules() -> list[str]:
    """What validate checks beyond the schemas, CAMEO coding, and how the derived tables are made."""
    from .rules import FACT_TABLES, ROW_RULES

    return [
        "## Rules beyond the schemas",
        "",
        "Checked by `alliance-data validate`, as Table Schema cannot state them:",
        "",
        "- Partial dates and periods are real calendar dates (`2023-02-30` and `2023-13` are refused).",
        f"- Every row of {', '.join(f'`{t}`' for t in FACT_TABLES)} has at least one citation with stance `supports`.",
        "- Each citation's `record_table` and `record_id` name an existing record.",
        "- `confirmed` rests on an official record (a government's or an international body's own publication, "
        "possibly reproduced by a research site) or on two independent originals of standard reliability: a source "
        "counts as the outlet it relays, two items of one outlet count once, state or state-aligned outlets, weak "
        "sources and the founding article do not count.",
        "- A source's `reliability` follows its publishers: `weak` where the publisher is an aggregator or reference "
        "site, `state` where the publisher or the outlet it relays is state or state-aligned, `standard` otherwise.",
        "- A `disputed` or `denied` row cites the other side (`contradicts`, `values_differently` or `dates_differently`); "
        "no actor both claims and denies one fact; every event has an actor, and a directed one a source other than "
        "its target; no status is set before the agreement's signature; no `confirmed` event is dated after the newest "
        "source; a missing vote says why in its notes; only the Security Council has a veto.",
        "- No id of an earlier release (`releases/ids-<version>.json`) disappears without a row in `retired_ids`; "
        "`cameo_codes` is the code lists kept in `codelists/cameo`.",
        "- `dyad_year` and `dyad_year_directed` are exactly what `alliance-data build` derives from the other tables (see below).",
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
        "- The Soviet Union stands on Russia's side (COW 365) for 1989–1991. An organisation counts for neither side, "
        "even one a side leads (the EAEU, the SCO).",
        "- `dyad_year`: an event counts for the year of its `date` when an actor of each side takes part in it (roles "
        "source, target, participant, host, supplier, recipient, beneficiary; claimants, deniers and observers do not "
        "count). Left out: a report of an act the data holds (`events.reports_event_id`: the act counts, once), every "
        "`denied` event, and status steps (kinds approved, ratified, entered_into_force, extended), which are counted "
        "apart in `status_steps` and stay outside the Goldstein sums, so a treaty's signature is its one 057 act. The "
        "headline columns (`events`, quad classes, domains, `goldstein_sum`, directed counts) count `confirmed` and "
        "`reported` events; `events_claimed` and `goldstein_sum_claimed` count `alleged`, `disputed` and `expected` ones; "
        "`events_confirmed` and `goldstein_sum_confirmed` allow a confirmed-only series. An event is directed "
        "Russia→Iran when a Russian actor is source or supplier and an Iranian actor target, recipient or beneficiary "
        "(an act in Iran's favour counts the same whichever of the two it is coded), and the other way round. "
        "`agreements_signed` counts top-level agreements (no `part_of`) of `confirmed` or `reported` evidence with "
        "parties or members on both sides; `agreements_in_force` formal agreements (treaty, intergovernmental, trade "
        "agreement, memorandum, contract) with both states as parties, in force or active at the year's end by "
        "`status_as_of`; `arms_transfers_active` arms transfers, licensed production and technology assistance "
        "between the sides active then. The year's trade turnover is a calendar-year figure (Iranian-year statistics "
        "are never used here), never a target or forecast (`expected`); where several give it, the panel takes the "
        "one whose best supporting source is most reliable (an official record, a standard outlet, a state outlet, "
        "a weak source), then the better evidence, then the statistic (Russian customs, another official series, "
        "Iranian statistics, an official's statement, research, a media estimate), then the plainer qualifier, then "
        "the first id; it keeps the figure's qualifier and statistic and says how many figures there were.",
        "- Coverage: counts reflect what was collected as well as what happened. `sources_cited` (distinct originals "
        "behind the year's headline events) and `sources_published` (sources dated in the year) say how much was "
        "collected; `coverage_through` is the newest source's date and `partial_year` marks the year it falls in.",
        "- `dyad_year_directed`: the same rules, two rows a year (365→630 and 630→365).",
        "- `status_as_of(date)`: the status set by the agreement's latest dated step whose whole period has ended by "
        "`date`: an event that sets one (`events.sets_status`) or, where no event does, the agreement's own `signed` "
        "(signed), `start` (in force for a formal agreement, active otherwise) and `end` (ended or completed). A step "
        "known as `2019-06` counts from 2019-06-30; a partial `date` means the end of its period. From the newest "
        "source's date on it is `agreements.status`, the status as of the newest source (which may be `unknown`).",
        "- `corroborating_sources` (`load(..., with_sources=True)`): independent originals that support a row, "
        "leaving out the founding article: a source counts as the outlet it relays (`sources.relays`), else as its "
        "publisher, and two items of one outlet count once. `alliance-data info` shows how many "
        "rows of each table rest on the article alone.",
        "",
    ]
