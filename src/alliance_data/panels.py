"""The Iran–Russia dyad-year panels, derived from Arrow tables of the canonical CSVs.

The inputs are the tables as read from their CSVs, either every column as text (as the
validator reads them: an empty cell is ``""``) or typed (as ``arrow_io`` reads them: an empty
cell is null, enums dictionary-encoded). The work over their rows is vectorised with
pyarrow.compute and numpy. Plain Python runs per panel year, over what that year reports: it
adds the Goldstein weights as the panels always have (in the order of ``events``), so every
figure is the same float, and the files the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _columns as col
from .status import FORMAL, Rows, coverage_through, in_force_on, period_end

if TYPE_CHECKING:
    import pyarrow as pa

    from ._columns import Array

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
# Evidence in the headline counts; `claimed` columns hold the rest; `denied` never counts.
HEADLINE = ("confirmed", "reported")
# Steps in an agreement's life after its signature: counted apart, outside the Goldstein sums
# (CAMEO has no code for ratification or entry into force; coded as a signature they would
# count one treaty many times).
STATUS_STEPS = {"approved", "ratified", "entered_into_force", "extended"}
ARMS = {"arms_transfer", "licensed_production", "technology_assistance"}
EVIDENCE_ORDER = ("confirmed", "reported", "disputed", "alleged", "expected", "denied")
QUALIFIER_ORDER = ("exact", "approximate", "at_least", "more_than", "up_to", "range")
RELIABILITY_ORDER = ("official", "standard", "state", "weak")
STATISTIC_ORDER = ("russian_customs", "other_official", "iranian_customs", "iran_tpo", "official_statement", "research", "media_estimate", "")
YEARS = [str(year) for year in range(FIRST_YEAR, LAST_YEAR + 1)]
YEAR_ENDS = [period_end(year) for year in YEARS]
Tables = Mapping[str, "pa.Table"]


def side_of(actors: Rows) -> dict[str, str]:
    """Map each actor to the state it belongs to, following ``parent_id`` (``putin`` → ``RUS``);
    the Soviet Union maps to Russia, its successor on the panel's 365 side."""
    return _sides({a["actor_id"]: a["parent_id"] for a in actors})


def _sides(parent: dict[str, str]) -> dict[str, str]:
    sides: dict[str, str] = {}
    for actor in parent:
        seen, node = set(), actor
        while parent.get(node) and node not in seen:
            seen.add(node)
            node = parent[node]
        sides[actor] = SUCCESSOR.get(node, node)
    return sides


def _year(values: pa.Array) -> Array:
    """The panel year (0 for 1989) of each date or period, from its first four characters; -1 outside the panel."""
    import pyarrow.compute as pc

    return col.position(pc.utf8_slice_codeunits(values, 0, 4), YEARS)


def _per_year(years: Array, where: Array | None = None) -> list[int]:
    """How many rows (those ``where`` selects) fall in each panel year."""
    import numpy as np

    selected = years >= 0 if where is None else where & (years >= 0)
    return [int(n) for n in np.bincount(years[selected], minlength=len(YEARS))]


def _side(actor_ids: pa.Array, sides: dict[str, str]) -> pa.Array:
    """The side of each actor; an id the actors table lacks is its own side."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.coalesce(col.take(pa.array(list(sides.values()), pa.string()), col.position(actor_ids, list(sides))), actor_ids)


def _running_total(weights: list[float]) -> float:
    # Added one at a time, as the panels always have been (sum() compensates rounding from Python 3.12 on).
    total = 0.0
    for weight in weights:
        total += weight
    return total


def _mean(weights: list[float]) -> float | None:
    return round(sum(weights) / len(weights), 3) if weights else None


class _Sources:
    """The sources, one per id (a dict of them keeps the last row of an id), with the outlet each
    stands for and its standing."""

    def __init__(self, tables: Tables) -> None:
        import numpy as np
        import pyarrow.compute as pc

        sources, publishers = tables["sources"], tables["publishers"]
        rows = col.dict_rows(col.text(sources, "source_id"))
        column = {c: col.text(sources, c).take(rows) for c in ("source_id", "publisher_id", "relays", "published", "reliability")}
        self.ids = column["source_id"]
        self.original = pc.if_else(pc.equal(column["relays"], ""), column["publisher_id"], column["relays"])
        kept = col.dict_rows(col.text(publishers, "publisher_id"))
        kind = col.take(col.text(publishers, "kind").take(kept), col.position(self.original, col.text(publishers, "publisher_id").take(kept)), "")
        official = col.among(column["reliability"], "standard") & col.among(kind, {"official", "intergovernmental"})
        self.standing = np.where(official, 0, col.place(column["reliability"], RELIABILITY_ORDER))
        self.published = _per_year(_year(column["published"]))
        # The distinct dates in the order the rows give them, so ties resolve as over the rows.
        self.through = coverage_through({"published": v} for v in pc.unique(column["published"]).to_pylist())

    def original_of(self, source_ids: pa.Array) -> pa.Array:
        """The outlet each source stands for (the one it relays, else its publisher); an unknown id stands for itself."""
        import pyarrow.compute as pc

        return pc.coalesce(col.take(self.original, col.position(source_ids, self.ids)), source_ids)

    def standing_of(self, source_ids: pa.Array) -> Array:
        """Each source's place in :data:`RELIABILITY_ORDER` (a standard source of an official publisher first); unknown last."""
        import numpy as np

        rows = col.position(source_ids, self.ids)
        return np.where(rows >= 0, self.standing[rows], len(RELIABILITY_ORDER))


def _supporting(tables: Tables, record_table: str) -> tuple[pa.Array, pa.Array]:
    """The record ids and source ids of the citations that support a record of ``record_table``."""
    import pyarrow as pa

    citations = tables["citations"]
    keep = pa.array(col.among(col.text(citations, "record_table"), record_table) & col.among(col.text(citations, "stance"), "supports"))
    return col.text(citations, "record_id").filter(keep), col.text(citations, "source_id").filter(keep)


class _Events:
    """What the panels count of each event, one entry per row of ``events``; and, per panel year,
    the acts counted (dyadic events that are not status steps), in the order of ``events``."""

    def __init__(self, tables: Tables, sides: dict[str, str]) -> None:
        import numpy as np

        events, links = tables["events"], tables["event_actors"]
        self.ids = col.text(events, "event_id")
        at, first = col.position(col.text(links, "event_id"), self.ids), col.position(self.ids, self.ids)
        side, role = _side(col.text(links, "actor_id"), sides), col.text(links, "role")

        def takes_part(state: str, roles: set[str]) -> Array:  # rows of one id share their actors
            return col.any_in(at, col.among(side, state) & col.among(role, roles), len(self.ids))[first]

        evidence = col.text(events, "evidence")
        self.year = _year(col.text(events, "date"))
        counted = (takes_part("RUS", ACTING_ROLES) & takes_part("IRN", ACTING_ROLES) & (self.year >= 0)
                   & ~col.among(evidence, "denied") & col.among(col.text(events, "reports_event_id"), ""))
        self.to = {"RUS": takes_part("RUS", FROM_ROLES) & takes_part("IRN", TO_ROLES),
                   "IRN": takes_part("IRN", FROM_ROLES) & takes_part("RUS", TO_ROLES)}
        self.group = np.where(col.among(evidence, "confirmed"), 0, np.where(col.among(evidence, "reported"), 1, 2))  # 2: claimed
        step = col.among(col.text(events, "kind"), STATUS_STEPS)
        self.steps = _per_year(self.year, counted & step & (self.group < 2))
        acts = counted & ~step
        self.headline = acts & (self.group < 2)
        self.weight, self.quad = _codes(tables["cameo_codes"], col.text(events, "cameo_code"), acts, self.headline)
        domain = col.text(events, "domain")
        self.domain = col.position(domain, list(DOMAINS))
        unknown = np.flatnonzero(self.headline & (self.domain < 0))
        if len(unknown):  # a count the panel has no column for
            raise KeyError(f"events_{domain[int(unknown[0])].as_py()}")
        rows = np.flatnonzero(acts)
        rows = rows[np.argsort(self.year[rows], kind="stable")]
        bounds = np.searchsorted(self.year[rows], np.arange(len(YEARS) + 1))
        self.acts_of = [rows[bounds[k]:bounds[k + 1]] for k in range(len(YEARS))]

    def columns(self, k: int) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """The event columns of panel year ``k``, and of each side's directed row."""
        import numpy as np

        rows = self.acts_of[k]
        group, weight, quad = self.group[rows], self.weight[rows], self.quad[rows]
        head = group < 2
        headline = weight[head].tolist()
        out: dict[str, Any] = {"events": len(headline), "events_confirmed": int((group == 0).sum()),
                               "events_reported": int((group == 1).sum()), "events_claimed": int((~head).sum())}
        out |= dict(zip(QUAD_CLASSES, np.bincount(quad[head], minlength=len(QUAD_CLASSES)).tolist(), strict=True))
        out |= {f"events_{d}": n for d, n in zip(DOMAINS, np.bincount(self.domain[rows][head], minlength=len(DOMAINS)).tolist(), strict=True)}
        out |= {"goldstein_sum": round(sum(headline), 2), "goldstein_mean": _mean(headline),
                "goldstein_sum_confirmed": round(_running_total(weight[group == 0].tolist()), 2),
                "goldstein_sum_claimed": round(_running_total(weight[group == 2].tolist()), 2), "status_steps": self.steps[k]}
        sent = {}
        for side, to in self.to.items():
            mine = to[rows]
            weights = weight[mine & head].tolist()
            sent[side] = {"events": len(weights), "events_claimed": int((mine & ~head).sum()),
                          **dict(zip(QUAD_CLASSES, np.bincount(quad[mine & head], minlength=len(QUAD_CLASSES)).tolist(), strict=True)),
                          "goldstein_sum": round(sum(weights), 2), "goldstein_mean": _mean(weights)}
        out["events_rus_to_irn"], out["events_irn_to_rus"] = sent["RUS"]["events"], sent["IRN"]["events"]
        return out, sent

    def cited(self, tables: Tables, sources: _Sources) -> list[int]:
        """For each panel year, the distinct outlets (a copy counts as the one it relays) whose
        sources support its headline acts."""
        import pyarrow as pa
        import pyarrow.compute as pc

        record, source = _supporting(tables, "events")
        relevant = pc.is_in(record, value_set=self.ids.filter(pa.array(self.headline)))
        record, original = record.filter(relevant), sources.original_of(source.filter(relevant))
        counts = []
        for rows in self.acts_of:
            acts = self.ids.take(pa.array(rows[self.headline[rows]], pa.int64()))
            counts.append(pc.count_distinct(original.filter(pc.is_in(record, value_set=acts))).as_py())
        return counts


def _codes(cameo: pa.Table, codes: pa.Array, acts: Array, headline: Array) -> tuple[Array, Array]:
    """The Goldstein weight and quad class (its place in QUAD_CLASSES) of each act's CAMEO code
    (0 and -1 for a row that is not an act). Every act must have a known code, and every
    headline act one of the four quad classes."""
    import numpy as np

    # A dict keeps a code's last row; only the weights of codes acts use are read (a float each).
    known = dict(zip(col.text(cameo, "cameo_code").to_pylist(),
                     zip(cameo["goldstein"].to_pylist(), col.text(cameo, "quad_class").to_pylist(), strict=False), strict=False))
    at = col.position(codes, list(known))
    unknown = np.flatnonzero(acts & (at < 0))
    if len(unknown):
        raise KeyError(codes[int(unknown[0])].as_py())
    rows = list(known.values())
    used = set(np.unique(at[acts]).tolist())
    weight_of = np.array([float(rows[p][0]) if p in used else 0.0 for p in range(len(rows))], dtype="float64")
    quad_of = np.array([QUAD_CLASSES.index(q) if q in QUAD_CLASSES else -1 for _, q in rows], dtype="int64")
    weight, quad = np.zeros(len(acts)), np.full(len(acts), -1, dtype="int64")
    weight[acts], quad[acts] = weight_of[at[acts]], quad_of[at[acts]]
    unknown = np.flatnonzero(headline & (quad < 0))
    if len(unknown):  # a count the panel has no column for
        raise KeyError(rows[int(at[unknown[0]])][1])
    return weight, quad


def _figures(tables: Tables, sources: _Sources) -> dict[str, list[tuple[dict[str, Any] | None, int]]]:
    """For each panel year, the trade turnover and the currency share the panel reports, and how many figures there were.

    A year's turnover is a calendar-year figure in billions of dollars; a target or a forecast
    (``expected``) and a ``denied`` figure are no figure for the year.
    """
    import numpy as np
    import pyarrow.compute as pc

    observations = tables["observations"]
    indicator, period = col.text(observations, "indicator"), col.text(observations, "period")
    usable = ~col.among(col.text(observations, "evidence"), {"expected", "denied"})
    turnover = (usable & col.among(indicator, "bilateral_trade_turnover") & col.among(col.text(observations, "unit"), "usd_billion")
                & col.among(col.text(observations, "year_basis"), {"", "calendar"}))
    share = usable & col.among(indicator, "national_currency_settlement_share") & ~pc.match_substring(period, "/").to_numpy(zero_copy_only=False)
    return {"trade_turnover": _chosen(tables, sources, np.where(turnover, col.position(period, YEARS), -1)),
            "currency_share": _chosen(tables, sources, np.where(share, _year(period), -1))}


def _chosen(tables: Tables, sources: _Sources, year: Array) -> list[tuple[dict[str, Any] | None, int]]:
    """The observation the panel reports for each year (those with ``year`` -1 are not candidates), and how many there were.

    Preference: the most reliable supporting source (an official record, then a standard
    outlet, a state outlet, a weak one); then better evidence; then the statistic (Russian
    customs, another official series, Iranian statistics, an official's statement, research,
    a media estimate); then a plainer qualifier; then the id; then the first row.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    observations = tables["observations"]
    rows = np.flatnonzero(year >= 0)
    column = {c: col.text(observations, c).take(pa.array(rows, pa.int64()))
              for c in ("observation_id", "evidence", "statistic", "qualifier")}
    ids = column["observation_id"]
    record, source = _supporting(tables, "observations")
    at = col.position(record, ids)
    best = np.full(len(rows), len(RELIABILITY_ORDER), dtype="int64")
    np.minimum.at(best, at[at >= 0], sources.standing_of(source)[at >= 0])
    ranks = pa.table({"year": year[rows], "standing": best[col.position(ids, ids)],
                      "evidence": col.place(column["evidence"], EVIDENCE_ORDER),
                      "statistic": col.place(column["statistic"], STATISTIC_ORDER),
                      "qualifier": col.place(column["qualifier"], QUALIFIER_ORDER), "id": ids, "row": np.arange(len(rows))})
    order = pc.sort_indices(ranks, sort_keys=[(c, "ascending") for c in ranks.column_names]).to_numpy()
    firsts = np.searchsorted(year[rows][order], np.arange(len(YEARS)))
    counts = np.bincount(year[rows], minlength=len(YEARS))
    out: list[tuple[dict[str, Any] | None, int]] = []
    for k, n in enumerate(counts.tolist()):
        if not n:
            out.append((None, 0))
            continue
        i = int(order[firsts[k]])
        out.append(({"value": float(observations["value"][int(rows[i])].as_py()), "qualifier": column["qualifier"][i].as_py(),
                     "statistic": column["statistic"][i].as_py() or None, "observation_id": ids[i].as_py()}, n))
    return out


def _agreement_counts(tables: Tables, sides: dict[str, str], through: str) -> dict[str, list[int]]:
    """Per panel year: agreements signed (top-level, with both states as parties or members),
    formal agreements in force and arms transfers active at the year's end."""
    agreements, parties = tables["agreements"], tables["agreement_parties"]
    ids = col.text(agreements, "agreement_id")
    at, first = col.position(col.text(parties, "agreement_id"), ids), col.position(ids, ids)
    side, role = _side(col.text(parties, "actor_id"), sides), col.text(parties, "role")

    def both_sides(roles: set[str]) -> Array:  # rows of one id share their parties
        in_role = col.among(role, roles)
        return (col.any_in(at, in_role & col.among(side, "IRN"), len(ids)) & col.any_in(at, in_role & col.among(side, "RUS"), len(ids)))[first]

    kind = col.text(agreements, "kind")
    top_level = col.among(col.text(agreements, "part_of"), "") & col.among(col.text(agreements, "evidence"), HEADLINE)
    formal = col.among(kind, FORMAL) & both_sides({"party"})
    arms = col.among(kind, ARMS) & both_sides({"supplier", "recipient", "producer", "party"})
    return {"agreements_signed": _per_year(_year(col.text(agreements, "signed")), top_level & both_sides({"party", "member"})),
            "agreements_in_force": in_force_on(YEAR_ENDS, tables, formal, through),
            "arms_transfers_active": in_force_on(YEAR_ENDS, tables, arms, through)}


def _partial(year: int, through: str) -> int:
    """1 for a year the data covers only in part (the newest source is dated inside it)."""
    return int(through[:4] == str(year) and period_end(through) < f"{year}-12-31")


def panels_from(tables: Tables) -> dict[str, list[dict[str, Any]]]:
    """Derive both panels from the tables of :data:`DYAD_YEAR_INPUTS`, as read from their CSVs
    (text or typed): ``dyad_year`` (one row per year 1989–2026) and ``dyad_year_directed`` (two
    rows per year, 365→630 and 630→365).

    The rules are in the codebook: an event counts for the year of its ``date`` when an actor of
    each side takes part in it (source, target, participant, host, supplier, recipient,
    beneficiary; the Soviet Union on Russia's side); a report of an act the data holds
    (``reports_event_id``) and a denied event never count; ratification, approval, entry into
    force and extension are status steps, counted apart and outside the Goldstein sums; the
    headline columns count confirmed and reported events, ``*_claimed`` alleged, disputed and
    expected ones.
    """
    actors = tables["actors"]
    sides = _sides(dict(zip(col.text(actors, "actor_id").to_pylist(), col.text(actors, "parent_id").to_pylist(), strict=False)))
    sources = _Sources(tables)
    events = _Events(tables, sides)
    cited = events.cited(tables, sources)
    agreements = _agreement_counts(tables, sides, sources.through)
    figures = _figures(tables, sources)
    undirected: list[dict[str, Any]] = []
    directed: list[dict[str, Any]] = []
    for k, year in enumerate(range(FIRST_YEAR, LAST_YEAR + 1)):
        partial = _partial(year, sources.through)
        counts, sent = events.columns(k)
        row = {"ccode1": COW["RUS"], "ccode2": COW["IRN"], "year": year, "partial_year": partial,
               "coverage_through": sources.through, **counts, "sources_cited": cited[k], "sources_published": sources.published[k]}
        row |= {name: per_year[k] for name, per_year in agreements.items()}
        for prefix, found in figures.items():
            chosen, n = found[k]
            value = "usd_bn" if prefix == "trade_turnover" else "pct"
            row[f"{prefix}_{value}"] = chosen["value"] if chosen else None
            row |= {f"{prefix}_{c}": chosen[c] if chosen else None for c in ("qualifier", "statistic", "observation_id")}
            row[f"{prefix}_observations"] = n
        undirected.append(row)
        for side, other in (("RUS", "IRN"), ("IRN", "RUS")):
            directed.append({"ccode1": COW[side], "ccode2": COW[other], "year": year, "partial_year": partial, **sent[side]})
    directed.sort(key=lambda r: (r["ccode1"], r["ccode2"], r["year"]))  # in primary-key order, like every table
    return {DYAD_YEAR: undirected, DYAD_YEAR_DIRECTED: directed}
