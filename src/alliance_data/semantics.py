"""The dataset's own rules across tables: evidence earned from independent originals,
publishers described once, who claims and who denies, votes, and events that make sense.

Each check is one small function taking the tables' text cells (empty = missing) and
returning :class:`~alliance_data.rules.RowProblem` items; :func:`problems` runs them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from . import _columns as col
from .rules import FACT_TABLES, FOUNDING_ARTICLE, RowProblem

if TYPE_CHECKING:
    import pyarrow as pa

    from ._columns import Array

Tables = dict[str, "pa.Table"]

# Publisher kinds whose own publication is an official record.
OFFICIAL_KINDS = frozenset({"official", "intergovernmental"})
STATE_KINDS = frozenset({"state", "state_aligned"})
WEAK_KINDS = frozenset({"aggregator", "reference"})
# Roles that say an actor acts on another: the two must differ.
DIRECTED = ("source", "target")


def _rows(table: pa.Table, *columns: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Enumerate a table's rows as tuples of the named text columns (missing columns are empty)."""
    present = [table[c].to_pylist() if c in table.column_names else None for c in columns]
    for i in range(table.num_rows):
        yield i, tuple("" if col is None else (col[i] or "") for col in present)


def _where(table: pa.Table, mask: Array, *columns: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """:func:`_rows` over only the rows ``mask`` selects, numbered as in the whole table: the
    selection is made over whole columns, so a large table's other rows never become Python objects."""
    import numpy as np

    picked = np.flatnonzero(mask)
    for i, (_, values) in zip(picked.tolist(), _rows(table.take(picked), *columns), strict=True):
        yield i, values


def expected_reliability(kind: str, relayed_kind: str) -> str:
    """The reliability a source's publishers give it.

    ``weak`` where the publisher is an aggregator or reference site; ``state`` where the
    publisher or the outlet it relays is state or state-aligned (a state agency's copy of a
    wire story, a newspaper's copy of a state agency's); ``standard`` otherwise.

    Examples
    --------
    >>> expected_reliability("newspaper", "state")
    'state'
    >>> expected_reliability("aggregator", "wire")
    'weak'
    >>> expected_reliability("research", "intergovernmental")
    'standard'
    """
    if kind in WEAK_KINDS:
        return "weak"
    return "state" if kind in STATE_KINDS or relayed_kind in STATE_KINDS else "standard"


class SourceFacts:
    """What the evidence rule needs to know of each source: its original outlet and standing.

    A source is an official record when it is of standard reliability and its original (the
    outlet it relays, else its publisher) is a government's or an international body's own
    publication: a UN press release reproduced by a research site counts, a state agency's
    account of a Kremlin statement does not (it is ``state``).
    """

    def __init__(self, tables: Tables) -> None:
        kinds = {pid: kind for _, (pid, kind) in _rows(tables["publishers"], "publisher_id", "kind")} if "publishers" in tables else {}
        self.original: dict[str, str] = {}
        self.official: set[str] = set()
        self.reliability: dict[str, str] = {}
        sources = tables.get("sources")
        if sources is None:
            return
        for _, (sid, publisher, relays, reliability) in _rows(sources, "source_id", "publisher_id", "relays", "reliability"):
            self.original[sid] = relays or publisher or sid
            self.reliability[sid] = reliability
            if reliability == "standard" and kinds.get(self.original[sid]) in OFFICIAL_KINDS:
                self.official.add(sid)


def reliability_follows_publishers(tables: Tables) -> Iterator[RowProblem]:
    """A source's reliability is the one its publisher's and relayed outlet's kinds give."""
    if not {"sources", "publishers"} <= tables.keys():
        return
    kinds = {pid: kind for _, (pid, kind) in _rows(tables["publishers"], "publisher_id", "kind")}
    for row, (publisher, relays, reliability) in _rows(tables["sources"], "publisher_id", "relays", "reliability"):
        if publisher not in kinds or (relays and relays not in kinds):
            continue  # a dangling key is reported by the foreign-key check
        want = expected_reliability(kinds[publisher], kinds.get(relays, ""))
        if reliability != want:
            whose = f"is published by a {kinds[publisher]} publisher" + (f" and relays a {kinds[relays]} outlet" if relays else "")
            yield RowProblem("sources", row, "reliability", f"is '{reliability}' but the source {whose}: use '{want}'", code="evidence/reliability")


def _supporting(tables: Tables, records: set[str]) -> dict[tuple[str, str], list[str]]:
    """The supporting sources of the records with these ids, by (table, record id): one pass over their citations."""

    citations = tables["citations"]
    mask = col.among(col.text(citations, "stance"), "supports") & col.among(col.text(citations, "record_id"), records)
    backing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for _, (record_table, record_id, source_id) in _where(citations, mask, "record_table", "record_id", "source_id"):
        backing[(record_table, record_id)].append(source_id)
    return backing


def independent_originals(source_ids: list[str], facts: SourceFacts) -> int:
    """How many independent originals of standard reliability back a fact.

    A relay counts as the outlet it relays, two items of one outlet count once, and the
    founding article, state or state-aligned outlets and weak sources do not count.
    """
    return len({facts.original[s] for s in source_ids
                if s != FOUNDING_ARTICLE and facts.reliability.get(s) == "standard" and s in facts.original})


def confirmed_is_earned(tables: Tables, keys: dict[str, list[str]]) -> Iterator[RowProblem]:
    """`confirmed` needs an official record or two independent originals."""
    if not {"citations", "sources"} <= tables.keys():
        return
    confirmed = {table: list(_where(tables[table], col.among(col.text(tables[table], "evidence"), "confirmed"), keys[table][0]))
                 for table in FACT_TABLES if table in tables and "evidence" in tables[table].column_names}
    if not any(confirmed.values()):
        return
    facts = SourceFacts(tables)
    backing = _supporting(tables, {record_id for rows in confirmed.values() for _, (record_id,) in rows})
    for table, rows in confirmed.items():
        for row, (record_id,) in rows:
            sources = backing.get((table, record_id), [])
            if not sources or any(s in facts.official for s in sources):
                continue  # an uncited row is reported by the citation check
            n = independent_originals(sources, facts)
            if n < 2:
                yield RowProblem(table, row, "evidence", f"is 'confirmed' but rests on {n} independent original{'s' if n != 1 else ''} "
                                 "and no official record (a relay, a state outlet or a weak source is no second source): use 'reported' at most",
                                 code="evidence/too-strong")


def disputes_cite_the_other_side(tables: Tables, keys: dict[str, list[str]]) -> Iterator[RowProblem]:
    """A `disputed` or `denied` row cites the other side: a denial (`contradicts`) or the
    conflicting figure or date (`values_differently`, `dates_differently`)."""

    if "citations" not in tables:
        return
    contested = {table: list(_where(tables[table], col.among(col.text(tables[table], "evidence"), {"disputed", "denied"}), keys[table][0], "evidence"))
                 for table in FACT_TABLES if table in tables and "evidence" in tables[table].column_names}
    ids = {record_id for rows in contested.values() for _, (record_id, _) in rows}
    if not ids:
        return
    citations = tables["citations"]
    stance = col.text(citations, "stance")
    mask = ~col.among(stance, {"", "supports"}) & col.among(col.text(citations, "record_id"), ids)
    other_side = {(t, r) for _, (t, r) in _where(citations, mask, "record_table", "record_id")}
    for table, rows in contested.items():
        for row, (record_id, evidence) in rows:
            if (table, record_id) not in other_side:
                yield RowProblem(table, row, "evidence", f"is '{evidence}' but no citation gives the other side: cite the denial "
                                 "(contradicts) or the conflicting figure or date (values_differently, dates_differently)",
                                 code="evidence/other-side-missing")


def claimant_is_not_denier(tables: Tables) -> Iterator[RowProblem]:
    """No actor both claims and denies one fact."""
    for name, key in (("event_actors", "event_id"), ("agreement_parties", "agreement_id")):
        if name not in tables:
            continue
        role = col.text(tables[name], "role")
        claimants: dict[str, set[str]] = defaultdict(set)
        for _, (record, actor) in _where(tables[name], col.among(role, "claimant"), key, "actor_id"):
            claimants[record].add(actor)
        for row, (record, actor) in _where(tables[name], col.among(role, "denier"), key, "actor_id"):
            if actor in claimants.get(record, set()):
                yield RowProblem(name, row, "role", f"{actor} is both claimant and denier of {record}", code="role/claimant-and-denier")


def events_make_sense(tables: Tables) -> Iterator[RowProblem]:
    """Every event has an actor; a directed event's source and target differ."""
    if "events" not in tables or "event_actors" not in tables:
        return

    actors = tables["event_actors"]
    lonely = ~col.among(col.text(tables["events"], "event_id"), set(col.text(actors, "event_id").unique().to_pylist()))
    for row, (event_id,) in _where(tables["events"], lonely, "event_id"):
        yield RowProblem("events", row, "event_id", f"\"{event_id}\" has no actor: add a row to tables/event_actors.csv", code="event/no-actor")
    role = col.text(actors, "role")
    sources: dict[str, set[str]] = defaultdict(set)
    for _, (event_id, actor) in _where(actors, col.among(role, "source"), "event_id", "actor_id"):
        sources[event_id].add(actor)
    for row, (event_id, actor) in _where(actors, col.among(role, "target"), "event_id", "actor_id"):
        if actor in sources.get(event_id, set()):
            yield RowProblem("event_actors", row, "actor_id", f"{actor} is both source and target of {event_id}: a directed event needs two actors",
                             code="role/source-and-target")


def _end_of(date: str) -> str:
    """The last day a partial date can mean, as text that sorts like a date."""
    return date + {4: "-12-31", 7: "-31"}.get(len(date), "")


def _start_of(date: str) -> str:
    """The first day a partial date can mean."""
    return date + {4: "-01-01", 7: "-01"}.get(len(date), "")


def status_not_before_signing(tables: Tables) -> Iterator[RowProblem]:
    """An event that sets an agreement's status is not dated before the agreement was signed."""
    if "events" not in tables or "agreements" not in tables:
        return
    signed = {a: s for _, (a, s) in _rows(tables["agreements"], "agreement_id", "signed") if s}
    for row, (agreement, date, status) in _rows(tables["events"], "agreement_id", "date", "sets_status"):
        if status and status not in ("proposed", "expected", "denied") and agreement in signed and _end_of(date) < _start_of(signed[agreement]):
            yield RowProblem("events", row, "date", f"sets {agreement} to '{status}' on {date}, before it was signed ({signed[agreement]})",
                             code="event/status-before-signing")


def confirmed_not_after_coverage(tables: Tables) -> Iterator[RowProblem]:
    """No `confirmed` event is dated after the newest source the data rests on."""
    if "events" not in tables or "sources" not in tables:
        return
    published = [p for _, (p,) in _rows(tables["sources"], "published") if p]
    if not published:
        return
    through = _end_of(max(published))
    for row, (date, evidence) in _rows(tables["events"], "date", "evidence"):
        if evidence == "confirmed" and date > through:
            yield RowProblem("events", row, "date", f"a confirmed event on {date} is after the newest source ({max(published)}): nothing can confirm it yet",
                             code="event/after-coverage")


def missing_vote_is_explained(tables: Tables) -> Iterator[RowProblem]:
    """A vote a source does not show stays missing, and its notes say why."""
    if "votes" not in tables:
        return
    for row, (vote, notes) in _rows(tables["votes"], "vote", "notes"):
        if not vote and not notes:
            yield RowProblem("votes", row, "vote", "is missing: say in notes why no source shows it (a tally is no evidence of one state's vote)",
                             code="vote/missing-unexplained")


def veto_is_in_the_security_council(tables: Tables) -> Iterator[RowProblem]:
    """Only the Security Council has a veto."""
    if "votes" not in tables:
        return
    for row, (body, vote) in _rows(tables["votes"], "body", "vote"):
        if vote == "veto" and body != "un_security_council":
            yield RowProblem("votes", row, "vote", f"is 'veto' but only the Security Council has one (body is {body})", code="vote/veto-outside-council")


CHECKS: tuple[Callable[[Tables], Iterator[RowProblem]], ...] = (
    reliability_follows_publishers,
    claimant_is_not_denier,
    events_make_sense,
    status_not_before_signing,
    confirmed_not_after_coverage,
    missing_vote_is_explained,
    veto_is_in_the_security_council,
)


def problems(tables: Tables, keys: dict[str, list[str]]) -> list[RowProblem]:
    """Run every cross-table rule of the dataset on the tables' text cells."""
    found = [*confirmed_is_earned(tables, keys), *disputes_cite_the_other_side(tables, keys)]
    for check in CHECKS:
        found.extend(check(tables))
    return found
