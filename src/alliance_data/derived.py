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
DYAD_YEAR_DIRECTED = "dyad_year_directed"
# The tables the panels are derived from.
DYAD_YEAR_INPUTS = ("publishers", "sources", "citations", "actors", "cameo_codes", "events", "event_actors", "agreements",
                    "agreement_parties", "observations")
FIRST_YEAR, LAST_YEAR = 1989, 2026
COW = {"RUS": 365, "IRN": 630}
# A state the panel puts on its successor's side: the Soviet Union's years (1989-1991) are Russia's
# (COW code 365 for both, as in the Correlates of War state list).
SUCCESSOR = {"SUN": "RUS"}
QUAD_CLASSES = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
DOMAINS = ("military", "arms_technology", "trade", "energy", "transport", "finance", "diplomacy", "nuclear", "space")
# Roles in which an actor takes part in an event, as opposed to being named in it (an observer).
# A state an act favours (beneficiary) takes part as much as one it is aimed at (target).
ACTING_ROLES = {"source", "target", "participant", "host", "supplier", "recipient", "beneficiary"}
FROM_ROLES = {"source", "supplier"}
TO_ROLES = {"target", "recipient", "beneficiary"}
IN_FORCE = {"in_force", "active"}
# Evidence in the headline counts; `claimed` columns hold the rest; `denied` never counts.
HEADLINE = ("confirmed", "reported")
CLAIMED = ("alleged", "disputed", "expected")
# Steps in an agreement's life after its signature: counted apart, outside the Goldstein sums
# (CAMEO has no code for ratification or entry into force; coded as a signature they would
# count one treaty many times).
STATUS_STEPS = {"approved", "ratified", "entered_into_force", "extended"}
# Agreements counted as "in force": formal agreements with parties on both sides.
FORMAL = {"treaty", "intergovernmental_agreement", "trade_agreement", "memorandum", "contract"}
ARMS = {"arms_transfer", "licensed_production", "technology_assistance"}
EVIDENCE_ORDER = ("confirmed", "reported", "disputed", "alleged", "expected", "denied")
QUALIFIER_ORDER = ("exact", "approximate", "at_least", "more_than", "up_to", "range")
RELIABILITY_ORDER = ("official", "standard", "state", "weak")
STATISTIC_ORDER = ("russian_customs", "other_official", "iranian_customs", "iran_tpo", "official_statement", "research", "media_estimate", "")

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
    return [dict(zip(header, row, strict=False)) for row in cells]


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


def dated_statuses(agreement: dict[str, str]) -> list[tuple[str, str]]:
    """The statuses an agreement's own dates give: ``signed`` from its signature, in force (a
    formal agreement) or active (any other) from its start, ended from its end."""
    steps = []
    if agreement.get("signed"):
        steps.append((agreement["signed"], "signed"))
    if agreement.get("start"):
        steps.append((agreement["start"], "in_force" if agreement.get("kind") in FORMAL else "active"))
    if agreement.get("end"):
        steps.append((agreement["end"], "completed" if agreement.get("status") == "completed" else "ended"))
    return steps


def statuses_on(date: str, agreements: Rows, events: Rows, through: str = "") -> list[dict[str, str]]:
    """Each agreement's status on ``date``: the status set by its latest dated step whose whole
    period has ended by then (a step dated ``2019-06`` counts from 2019-06-30). Steps are the
    events that set a status (``events.sets_status``) and, where no event of the same date
    does, the agreement's own ``signed``, ``start`` and ``end`` dates.

    A partial ``date`` means the end of its period. Agreements with no such step get an
    empty status. Ties on one date go to an event before a date of the agreement, then to the
    event listed later in ``events``' id order. From ``through`` (the newest source's date) on,
    the status is the agreement's own ``status``, which is the status as of the newest source.
    """
    cutoff = period_end(date)
    newest = bool(through) and cutoff >= period_end(through)
    steps = status_steps(agreements, events)
    out = []
    for agreement in agreements:
        status, event_id, event_date = _status_by(steps.get(agreement["agreement_id"], []), cutoff)
        if newest and agreement.get("status") and agreement["status"] != status:  # as of the newest source
            status, event_id, event_date = agreement["status"], "", ""
        out.append({"agreement_id": agreement["agreement_id"], "title": agreement["title"], "status": status,
                    "status_event_id": event_id, "status_date": event_date})
    return out


Step = tuple[str, int, str, str, str]  # (end of its period, 1 for an event, event id, status, date)


def status_steps(agreements: Rows, events: Rows) -> dict[str, list[Step]]:
    """Each agreement's dated steps, sorted: the events that set its status, and its own dates."""
    steps: dict[str, list[Step]] = {}
    for event in events:
        if event["sets_status"] and event["agreement_id"]:
            steps.setdefault(event["agreement_id"], []).append(
                (period_end(event["date"]), 1, event["event_id"], event["sets_status"], event["date"]))
    for agreement in agreements:
        for when, status in dated_statuses(agreement):
            steps.setdefault(agreement["agreement_id"], []).append((period_end(when), 0, "", status, when))
    for listed in steps.values():
        listed.sort()
    return steps


def _status_by(steps: list[Step], cutoff: str) -> tuple[str, str, str]:
    """The status, setting event and date of the latest step whose period has ended by ``cutoff``."""
    import bisect

    reached = bisect.bisect_right([step[0] for step in steps], cutoff)
    if not reached:
        return "", "", ""
    _, _, event_id, status, date = steps[reached - 1]
    return status, event_id, date


def _pick(observations: Rows, standing: dict[str, int]) -> tuple[dict[str, str] | None, int]:
    """The observation the panel reports when several give a figure for one year, and how many there were.

    Preference: the most reliable supporting source (an official record, then a standard
    outlet, a state outlet, a weak one); then better evidence; then the statistic (Russian
    customs, another official series, Iranian statistics, an official's statement, research,
    a media estimate); then a plainer qualifier; then the id.
    """
    if not observations:
        return None, 0

    def rank(o: dict[str, str]) -> tuple[int, int, int, int, str]:
        return (standing.get(o["observation_id"], len(RELIABILITY_ORDER)), EVIDENCE_ORDER.index(o["evidence"]),
                STATISTIC_ORDER.index(o.get("statistic", "")), QUALIFIER_ORDER.index(o["qualifier"]), o["observation_id"])
    return min(observations, key=rank), len(observations)


def _in_force_at_year_ends(agreements: Rows, events: Rows, through: str) -> dict[int, int]:
    """For each panel year, how many of ``agreements`` are in force or active at its end, by
    :func:`statuses_on`'s rule; the steps are gathered and sorted once for all years."""
    steps = status_steps(agreements, events)
    newest = period_end(through) if through else ""
    counts: dict[int, int] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        cutoff = period_end(str(year))
        statuses = [a["status"] if newest and cutoff >= newest and a.get("status")
                    else _status_by(steps.get(a["agreement_id"], []), cutoff)[0] for a in agreements]
        counts[year] = sum(status in IN_FORCE for status in statuses)
    return counts


def coverage_through(sources: Any) -> str:
    """The last date the data covers: the newest ``published`` date of its sources."""
    published = [s["published"] for s in sources if s["published"]]
    return max(published, key=period_end) if published else ""


class _Inputs:
    """What both panels are derived from, read once."""

    def __init__(self, root: Path | None) -> None:
        actors = read_rows("actors", root)
        self.sides = side_of(actors)
        self.cameo = {c["cameo_code"]: c for c in read_rows("cameo_codes", root)}
        self.roles: dict[str, list[tuple[str, str]]] = {}
        for link in read_rows("event_actors", root):
            self.roles.setdefault(link["event_id"], []).append((self.sides.get(link["actor_id"], link["actor_id"]), link["role"]))
        self.events = read_rows("events", root)
        self.agreements = read_rows("agreements", root)
        self.parties: dict[str, set[tuple[str, str]]] = {}
        for party in read_rows("agreement_parties", root):
            self.parties.setdefault(party["agreement_id"], set()).add((self.sides.get(party["actor_id"], party["actor_id"]), party["role"]))
        self.observations = read_rows("observations", root)
        kinds = {p["publisher_id"]: p["kind"] for p in read_rows("publishers", root)}
        self.sources = {s["source_id"]: s for s in read_rows("sources", root)}
        self.original = {sid: s["relays"] or s["publisher_id"] for sid, s in self.sources.items()}
        self.standing = {sid: 0 if s["reliability"] == "standard" and kinds.get(self.original[sid]) in ("official", "intergovernmental")
                         else RELIABILITY_ORDER.index(s["reliability"]) for sid, s in self.sources.items()}
        self.backing: dict[tuple[str, str], list[str]] = {}
        for c in read_rows("citations", root):
            if c["stance"] == "supports":
                self.backing.setdefault((c["record_table"], c["record_id"]), []).append(c["source_id"])
        self.coverage_through = coverage_through(self.sources.values())


def _dyadic(inputs: _Inputs, event: dict[str, str]) -> tuple[set[str], set[str]] | None:
    """The sides sending and receiving a dyadic event, or None when it is not one the panel counts:
    both sides must act in it, it is no report of an act the data holds, and it is not denied."""
    if event["evidence"] == "denied" or event.get("reports_event_id"):
        return None
    acting = [(side, role) for side, role in inputs.roles.get(event["event_id"], []) if role in ACTING_ROLES]
    if not {"IRN", "RUS"} <= {side for side, _ in acting}:
        return None
    return ({side for side, role in acting if role in FROM_ROLES}, {side for side, role in acting if role in TO_ROLES})


def _partial(year: int, through: str) -> int:
    """1 for a year the data covers only in part (the newest source is dated inside it)."""
    return int(through[:4] == str(year) and period_end(through) < f"{year}-12-31")


def _both_sides(parties: set[tuple[str, str]], roles: set[str]) -> bool:
    return {"IRN", "RUS"} <= {side for side, role in parties if role in roles}


def panels(root: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Derive both panels, one pass over the inputs: ``dyad_year`` (one row per year 1989–2026)
    and ``dyad_year_directed`` (two rows per year, 365→630 and 630→365).

    The rules are in the codebook: an event counts for the year of its ``date`` when an actor of
    each side takes part in it (source, target, participant, host, supplier, recipient,
    beneficiary; the Soviet Union on Russia's side); a report of an act the data holds
    (``reports_event_id``) and a denied event never count; ratification, approval, entry into
    force and extension are status steps, counted apart and outside the Goldstein sums; the
    headline columns count confirmed and reported events, ``*_claimed`` alleged, disputed and
    expected ones.
    """
    inputs = _Inputs(root)
    undirected: list[dict[str, Any]] = []
    directed: list[dict[str, Any]] = []
    events_of: dict[str, list[dict[str, str]]] = {}
    for event in inputs.events:
        events_of.setdefault(event["date"][:4], []).append(event)
    published_in: dict[str, int] = {}
    for source in inputs.sources.values():
        if source["published"]:
            published_in[source["published"][:4]] = published_in.get(source["published"][:4], 0) + 1
    turnover_of: dict[str, list[dict[str, str]]] = {}
    share_of: dict[str, list[dict[str, str]]] = {}
    for o in inputs.observations:
        calendar_year = len(o["period"]) == 4 and o.get("year_basis", "") in ("", "calendar")
        if o["evidence"] in ("expected", "denied"):  # a target or a forecast is no figure for the year
            continue
        if o["indicator"] == "bilateral_trade_turnover" and o["unit"] == "usd_billion" and calendar_year:
            turnover_of.setdefault(o["period"], []).append(o)
        elif o["indicator"] == "national_currency_settlement_share" and "/" not in o["period"]:
            share_of.setdefault(o["period"][:4], []).append(o)
    standing = {o["observation_id"]: min((inputs.standing.get(s, len(RELIABILITY_ORDER)) for s in inputs.backing.get(("observations", o["observation_id"]), [])),
                                         default=len(RELIABILITY_ORDER)) for o in inputs.observations}
    top_level = [a for a in inputs.agreements if not a["part_of"] and a["evidence"] in HEADLINE]
    signed_by_year: dict[str, int] = {}
    for a in top_level:
        if a["signed"] and _both_sides(inputs.parties.get(a["agreement_id"], set()), {"party", "member"}):
            signed_by_year[a["signed"][:4]] = signed_by_year.get(a["signed"][:4], 0) + 1
    formal = [a for a in inputs.agreements if a["kind"] in FORMAL and _both_sides(inputs.parties.get(a["agreement_id"], set()), {"party"})]
    arms = [a for a in inputs.agreements if a["kind"] in ARMS
            and _both_sides(inputs.parties.get(a["agreement_id"], set()), {"supplier", "recipient", "producer", "party"})]
    in_force_at_end = _in_force_at_year_ends(formal, inputs.events, inputs.coverage_through)
    arms_at_end = _in_force_at_year_ends(arms, inputs.events, inputs.coverage_through)

    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        partial = _partial(year, inputs.coverage_through)
        row: dict[str, Any] = {"ccode1": COW["RUS"], "ccode2": COW["IRN"], "year": year, "partial_year": partial,
                               "coverage_through": inputs.coverage_through}
        counts: dict[str, int] = dict.fromkeys(QUAD_CLASSES, 0) | {f"events_{d}": 0 for d in DOMAINS}
        by_evidence = {"confirmed": 0, "reported": 0, "claimed": 0}
        weights = {"confirmed": 0.0, "reported": 0.0, "claimed": 0.0}
        headline: list[float] = []
        steps = 0
        sent: dict[str, dict[str, Any]] = {side: {"events": 0, "claimed": 0, "weights": [], **dict.fromkeys(QUAD_CLASSES, 0)} for side in COW}
        originals: set[str] = set()
        for event in events_of.get(str(year), []):
            ends = _dyadic(inputs, event)
            if ends is None:
                continue
            group = event["evidence"] if event["evidence"] in HEADLINE else "claimed"
            if event["kind"] in STATUS_STEPS:
                steps += group != "claimed"
                continue
            code = inputs.cameo[event["cameo_code"]]
            weight = float(code["goldstein"])
            by_evidence[group] += 1
            weights[group] += weight
            senders, receivers = ends
            for side, other in (("RUS", "IRN"), ("IRN", "RUS")):
                if side in senders and other in receivers:
                    if group == "claimed":
                        sent[side]["claimed"] += 1
                    else:
                        sent[side]["events"] += 1
                        sent[side][code["quad_class"]] += 1
                        sent[side]["weights"].append(weight)
            if group == "claimed":
                continue
            counts[code["quad_class"]] += 1
            counts[f"events_{event['domain']}"] += 1
            headline.append(weight)
            originals |= {inputs.original.get(s, s) for s in inputs.backing.get(("events", event["event_id"]), [])}
        row["events"] = len(headline)
        row["events_confirmed"] = by_evidence["confirmed"]
        row["events_reported"] = by_evidence["reported"]
        row["events_claimed"] = by_evidence["claimed"]
        row.update(counts)
        row["goldstein_sum"] = round(sum(headline), 2)
        row["goldstein_mean"] = round(sum(headline) / len(headline), 3) if headline else None
        row["goldstein_sum_confirmed"] = round(weights["confirmed"], 2)
        row["goldstein_sum_claimed"] = round(weights["claimed"], 2)
        row["status_steps"] = steps
        row["events_rus_to_irn"] = sent["RUS"]["events"]
        row["events_irn_to_rus"] = sent["IRN"]["events"]
        row["sources_cited"] = len(originals)
        row["sources_published"] = published_in.get(str(year), 0)
        row["agreements_signed"] = signed_by_year.get(str(year), 0)
        row["agreements_in_force"] = in_force_at_end[year]
        row["arms_transfers_active"] = arms_at_end[year]
        for prefix, found in (("trade_turnover", turnover_of), ("currency_share", share_of)):
            chosen, n = _pick(found.get(str(year), []), standing)
            value = "usd_bn" if prefix == "trade_turnover" else "pct"
            row[f"{prefix}_{value}"] = float(chosen["value"]) if chosen else None
            row[f"{prefix}_qualifier"] = chosen["qualifier"] if chosen else None
            row[f"{prefix}_statistic"] = (chosen.get("statistic") or None) if chosen else None
            row[f"{prefix}_observation_id"] = chosen["observation_id"] if chosen else None
            row[f"{prefix}_observations"] = n
        undirected.append(row)
        for side, other in (("RUS", "IRN"), ("IRN", "RUS")):
            out = sent[side]
            directed.append({"ccode1": COW[side], "ccode2": COW[other], "year": year, "partial_year": partial,
                             "events": out["events"], "events_claimed": out["claimed"],
                             **{q: out[q] for q in QUAD_CLASSES},
                             "goldstein_sum": round(sum(out["weights"]), 2),
                             "goldstein_mean": round(sum(out["weights"]) / len(out["weights"]), 3) if out["weights"] else None})
    directed.sort(key=lambda r: (r["ccode1"], r["ccode2"], r["year"]))  # in primary-key order, like every table
    return {DYAD_YEAR: undirected, DYAD_YEAR_DIRECTED: directed}


def dyad_year(root: Path | None = None) -> list[dict[str, Any]]:
    """The non-directed Iran–Russia panel, one row per year 1989–2026 (see :func:`panels`)."""
    return panels(root)[DYAD_YEAR]


def panels_csv(root: Path | None = None) -> dict[str, bytes]:
    """Both panels as the CSV bytes ``build`` writes (columns in the order of their schemas),
    for the panels the package describes."""
    model = package(root)
    out = {}
    for name, rows in panels(root).items():
        if name not in model.table_names:
            continue
        columns = model.table(name).field_names
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else _text(v)) for k, v in row.items()})
        out[name] = buffer.getvalue().encode("utf-8")
    return out


def dyad_year_csv(root: Path | None = None) -> bytes:
    """The non-directed panel as CSV bytes."""
    return panels_csv(root)[DYAD_YEAR]


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
    columns = dict(zip(agreements.column_names, agreements.columns, strict=False))  # enums stay dictionary-encoded
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
    writer.writerows(zip(*texts, strict=False))
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
