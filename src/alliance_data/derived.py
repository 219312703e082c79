"""Tables derived from the canonical CSVs: the Iran–Russia dyad-year panel and agreement
status on a date.

Plain Python over the CSV rows (the data is a few thousand rows), so the validator can
recompute the panel without pandas. ``alliance-data build`` writes the panel; ``validate``
fails when the file on disk is not what these functions derive.
"""

from __future__ import annotations

import calendar
import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import package

if TYPE_CHECKING:
    import pyarrow as pa

DYAD_YEAR = "dyad_year"
# The tables the panel is derived from.
DYAD_YEAR_INPUTS = ("actors", "cameo_codes", "events", "event_actors", "agreements", "agreement_parties", "observations")
FIRST_YEAR, LAST_YEAR = 1989, 2026
COW = {"RUS": 365, "IRN": 630}
# A state the panel puts on its successor's side: the Soviet Union's years (1989-1991) are Russia's
# (COW code 365 for both, as in the Correlates of War state list).
SUCCESSOR = {"SUN": "RUS"}
QUAD_CLASSES = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
DOMAINS = ("military", "arms_technology", "trade", "energy", "transport", "finance", "diplomacy", "nuclear", "space")
# Roles in which an actor takes part in an event, as opposed to being named in it.
ACTING_ROLES = {"source", "target", "participant", "host", "supplier", "recipient"}
FROM_ROLES = {"source", "supplier"}
TO_ROLES = {"target", "recipient"}
IN_FORCE = {"in_force", "active"}
EVIDENCE_ORDER = ("confirmed", "reported", "disputed", "alleged", "expected", "denied")
QUALIFIER_ORDER = ("exact", "approximate", "at_least", "more_than", "up_to", "range")

Rows = list[dict[str, str]]


def read_rows(name: str, root: Path | None = None) -> Rows:
    """Rows of table ``name`` as dicts of text (empty cell = ``""``), from its CSV."""
    with open(package(root).csv_path(name), newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        cells = [row for row in reader if row]
    if any(len(row) != len(header) for row in cells):  # a ragged row: pad or keep extras as csv.DictReader does
        with open(package(root).csv_path(name), newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    return [dict(zip(header, row)) for row in cells]


def period_end(date: str) -> str:
    """The last day of a partial date's period: ``2019`` → ``2019-12-31``, ``2019-02`` → ``2019-02-28``.

    Examples
    --------
    >>> period_end("2024-02")
    '2024-02-29'
    >>> period_end("2019-06-30")
    '2019-06-30'
    """
    if len(date) == 4:
        return f"{date}-12-31"
    if len(date) == 7:
        year, month = int(date[:4]), int(date[5:7])
        return f"{date}-{calendar.monthrange(year, month)[1]:02d}"
    return date


def side_of(actors: Rows) -> dict[str, str]:
    """Map each actor to the state it belongs to, following ``parent_id`` (``putin`` → ``RUS``);
    the Soviet Union maps to Russia, its successor on the panel's 365 side."""
    parent = {a["actor_id"]: a["parent_id"] for a in actors}
    sides: dict[str, str] = {}
    for actor in parent:
        seen, node = set(), actor
        while parent.get(node) and node not in seen:
            seen.add(node)
            node = parent[node]
        sides[actor] = SUCCESSOR.get(node, node)
    return sides


def statuses_on(date: str, agreements: Rows, events: Rows) -> list[dict[str, str]]:
    """Each agreement's status on ``date``: the status set by its latest event whose whole
    period has ended by then (an event dated ``2019-06`` counts from 2019-06-30).

    A partial ``date`` means the end of its period. Agreements with no such event get an
    empty status. Ties on one date go to the event listed later in ``events``' id order.
    """
    cutoff = period_end(date)
    latest: dict[str, tuple[str, str, str]] = {}
    for event in sorted(events, key=lambda e: (period_end(e["date"]), e["event_id"])):
        if event["sets_status"] and event["agreement_id"] and period_end(event["date"]) <= cutoff:
            latest[event["agreement_id"]] = (event["sets_status"], event["event_id"], event["date"])
    out = []
    for agreement in agreements:
        status, event_id, event_date = latest.get(agreement["agreement_id"], ("", "", ""))
        out.append({"agreement_id": agreement["agreement_id"], "title": agreement["title"], "status": status,
                    "status_event_id": event_id, "status_date": event_date})
    return out


def _pick(observations: Rows, actor_kind: dict[str, str]) -> tuple[dict[str, str] | None, int]:
    """The observation the panel reports when several give a figure for one year, and how many there were.

    Preference: better evidence; a figure not stated by a single person (an official
    series before a leader's round number); a plainer qualifier; then the id.
    """
    if not observations:
        return None, 0
    def rank(o: dict[str, str]) -> tuple[int, int, int, str]:
        return (EVIDENCE_ORDER.index(o["evidence"]), actor_kind.get(o["stated_by"]) == "person",
                QUALIFIER_ORDER.index(o["qualifier"]), o["observation_id"])
    return min(observations, key=rank), len(observations)


def _in_force_at_year_ends(agreements: Rows, events: Rows) -> dict[int, int]:
    """For each panel year, how many of ``agreements`` are in force or active at its end:
    :func:`statuses_on` for every year-end, in one pass over the events sorted once."""
    wanted = {a["agreement_id"] for a in agreements}
    ordered = sorted((period_end(e["date"]), e["event_id"], e) for e in events
                     if e["sets_status"] and e["agreement_id"] in wanted)
    status: dict[str, str] = {}
    counts: dict[int, int] = {}
    position = 0
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        cutoff = period_end(str(year))
        while position < len(ordered) and ordered[position][0] <= cutoff:
            event = ordered[position][2]
            status[event["agreement_id"]] = event["sets_status"]
            position += 1
        counts[year] = sum(value in IN_FORCE for value in status.values())
    return counts


def dyad_year(root: Path | None = None) -> list[dict[str, Any]]:
    """Derive the Iran–Russia dyad-year panel, one row per year 1989–2026, from the events,
    their actors, the CAMEO codes, the agreements and the observations.

    The rules are in the codebook (``dyad_year``): an event counts for the year of its
    ``date`` when an actor of each side acts in it (roles source, target, participant,
    host, supplier, recipient); it is directed when one side is source or supplier and the
    other target or recipient.
    """
    actors = read_rows("actors", root)
    sides = side_of(actors)
    actor_kind = {a["actor_id"]: a["kind"] for a in actors}
    cameo = {c["cameo_code"]: c for c in read_rows("cameo_codes", root)}
    roles: dict[str, list[tuple[str, str]]] = {}
    for link in read_rows("event_actors", root):
        roles.setdefault(link["event_id"], []).append((sides.get(link["actor_id"], link["actor_id"]), link["role"]))
    events = read_rows("events", root)
    agreements = read_rows("agreements", root)
    parties: dict[str, set[str]] = {}
    for party in read_rows("agreement_parties", root):
        parties.setdefault(party["agreement_id"], set()).add(sides.get(party["actor_id"], party["actor_id"]))
    bilateral = [a for a in agreements if {"IRN", "RUS"} <= parties.get(a["agreement_id"], set())]
    observations = read_rows("observations", root)
    # Everything is grouped by year once, so the panel costs one pass over each table.
    events_of: dict[str, list[dict[str, str]]] = {}
    for event in events:
        events_of.setdefault(event["date"][:4], []).append(event)
    turnover_of: dict[str, list[dict[str, str]]] = {}
    share_of: dict[str, list[dict[str, str]]] = {}
    for o in observations:
        if o["indicator"] == "bilateral_trade_turnover" and o["unit"] == "usd_billion":
            turnover_of.setdefault(o["period"], []).append(o)
        elif o["indicator"] == "national_currency_settlement_share" and "/" not in o["period"]:
            share_of.setdefault(o["period"][:4], []).append(o)
    in_force_at_end = _in_force_at_year_ends(bilateral, events)

    panel: list[dict[str, Any]] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        row: dict[str, Any] = {"ccode1": COW["RUS"], "ccode2": COW["IRN"], "year": year}
        counts: dict[str, int] = dict.fromkeys(QUAD_CLASSES, 0) | {f"events_{d}": 0 for d in DOMAINS}
        weights: list[float] = []
        rus_to_irn = irn_to_rus = 0
        for event in events_of.get(str(year), []):
            acting = [(side, role) for side, role in roles.get(event["event_id"], []) if role in ACTING_ROLES]
            if not ({"IRN", "RUS"} <= {side for side, _ in acting}):
                continue
            code = cameo[event["cameo_code"]]
            counts[code["quad_class"]] += 1
            counts[f"events_{event['domain']}"] += 1
            weights.append(float(code["goldstein"]))
            senders = {side for side, role in acting if role in FROM_ROLES}
            receivers = {side for side, role in acting if role in TO_ROLES}
            rus_to_irn += "RUS" in senders and "IRN" in receivers
            irn_to_rus += "IRN" in senders and "RUS" in receivers
        row["events"] = len(weights)
        row.update(counts)
        row["goldstein_sum"] = round(sum(weights), 2)
        row["goldstein_mean"] = round(sum(weights) / len(weights), 3) if weights else None
        row["events_rus_to_irn"] = rus_to_irn
        row["events_irn_to_rus"] = irn_to_rus
        row["agreements_signed"] = sum(a["signed"][:4] == str(year) for a in bilateral)
        row["agreements_in_force"] = in_force_at_end[year]
        turnover, n_turnover = _pick(turnover_of.get(str(year), []), actor_kind)
        row["trade_turnover_usd_bn"] = float(turnover["value"]) if turnover else None
        row["trade_turnover_observation_id"] = turnover["observation_id"] if turnover else None
        row["trade_turnover_observations"] = n_turnover
        share, n_share = _pick(share_of.get(str(year), []), actor_kind)
        row["currency_share_pct"] = float(share["value"]) if share else None
        row["currency_share_observation_id"] = share["observation_id"] if share else None
        row["currency_share_observations"] = n_share
        panel.append(row)
    return panel


def dyad_year_csv(root: Path | None = None) -> bytes:
    """The panel as the CSV bytes ``build`` writes (columns in the order of its schema)."""
    columns = package(root).table(DYAD_YEAR).field_names
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    for row in dyad_year(root):
        writer.writerow({k: ("" if v is None else _text(v)) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


AGREEMENTS_WIDE = "agreements_wide"
WIDE_AGREEMENT_FIELDS = ["agreement_id", "title", "kind", "domain", "status", "evidence", "signed", "start", "end",
                         "value_low", "value_high", "value_currency", "value_qualifier"]


def agreements_wide(root: Path | None = None) -> pa.Table:
    """One row per agreement, in the order of ``agreements``, with its parties by role and
    its number of sources, as an Arrow table (each column's description in its metadata).

    The agreement's own columns keep their types (enums dictionary-encoded); a role's column lists
    the actors in that role, sorted and separated by ``; `` (null where there are none);
    ``n_sources`` counts the distinct sources whose citations support the agreement.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrow_io import read_arrow

    model = package(root)
    roles = model.table("agreement_parties").field("role")
    agreements = read_arrow("agreements", root, columns=WIDE_AGREEMENT_FIELDS)
    columns = dict(zip(agreements.column_names, agreements.columns))  # enums stay dictionary-encoded
    ids = columns["agreement_id"]
    # Each role's actors, sorted and joined per agreement (Arrow sorts strings by code point, as sorted() does).
    parties = read_arrow("agreement_parties", root, columns=["agreement_id", "role", "actor_id"])
    parties = parties.set_column(1, "role", parties["role"].cast(pa.string()))
    parties = parties.sort_by([("agreement_id", "ascending"), ("role", "ascending"), ("actor_id", "ascending")])
    for role in (str(r) for r in roles.enum or ()):
        in_role = parties.filter(pc.equal(parties["role"], role))
        grouped = in_role.group_by("agreement_id", use_threads=False).aggregate([("actor_id", "list")])
        joined = pc.binary_join(grouped["actor_id_list"], "; ")
        columns[role] = pc.take(joined, pc.index_in(ids, value_set=grouped["agreement_id"]))
    cites = read_arrow("citations", root, columns=["record_table", "record_id", "source_id", "stance"])
    supporting = cites.filter(pc.and_(pc.equal(cites["record_table"].cast(pa.string()), "agreements"),
                                      pc.equal(cites["stance"].cast(pa.string()), "supports")))
    counted = supporting.group_by("record_id").aggregate([("source_id", "count_distinct")])
    found = pc.take(counted["source_id_count_distinct"], pc.index_in(ids, value_set=counted["record_id"]))
    columns["n_sources"] = pc.fill_null(found, 0).cast(pa.int64())
    described = agreements_wide_descriptions(root)
    schema = pa.schema([pa.field(name, column.type, metadata={"description": described[name]})
                        for name, column in columns.items()], metadata={"description": AGREEMENTS_WIDE_DESCRIPTION})
    return pa.table(list(columns.values()), schema=schema)


def agreements_wide_csv(root: Path | None = None) -> bytes:
    """``agreements_wide`` as CSV bytes: numbers written as in the CSVs (no ``.0``), null as empty."""
    table = agreements_wide(root)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    texts = [["" if v is None else _text(v) for v in column.to_pylist()] for column in table.columns]
    writer.writerows(zip(*texts))
    return buffer.getvalue().encode("utf-8")


AGREEMENTS_WIDE_DESCRIPTION = ("One row per agreement with its parties by role (actor ids separated by '; ') "
                               "and its number of sources; generated from agreements, agreement_parties and citations.")


def agreements_wide_descriptions(root: Path | None = None) -> dict[str, str]:
    """The description of each column of ``agreements_wide``, in order (no data is read)."""
    model = package(root)
    described = {f.name: f.description for f in model.table("agreements").fields}
    roles = model.table("agreement_parties").field("role")
    descriptions = {k: described[k] for k in WIDE_AGREEMENT_FIELDS}
    descriptions |= {str(role): f"Actors whose role is {role}: {roles.enum_descriptions.get(str(role), '')}" for role in roles.enum or ()}
    descriptions["n_sources"] = "Distinct sources whose citations support the agreement."
    return descriptions
