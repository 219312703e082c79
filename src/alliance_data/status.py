"""Agreement status on a date: over rows of the CSVs as dicts of text (:func:`statuses_on`, for
``status_as_of``), and vectorised over Arrow tables at many dates (:func:`in_force_on`, for the panels).
"""

from __future__ import annotations

import bisect
import calendar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _columns as col
from .model import package

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pyarrow as pa

    from ._columns import Array

Rows = list[dict[str, str]]
# Agreements counted as "in force": formal agreements with parties on both sides.
FORMAL = {"treaty", "intergovernmental_agreement", "trade_agreement", "memorandum", "contract"}
IN_FORCE = {"in_force", "active"}


def read_text_table(name: str, root: Path | None = None) -> pa.Table:
    """Table ``name`` from its CSV, every column as text (empty cell = ``""``), through the one reader."""
    import pyarrow as pa

    from .arrow_io import read_csv_text
    from .errors import DataPackageError

    model = package(root)
    try:
        return read_csv_text(model.csv_path(name), model.table(name))
    except pa.ArrowInvalid as error:  # a ragged row, say: validate names the line
        raise DataPackageError(f"{model.csv_path(name)}: cannot be read as CSV ({error}): run alliance-data validate {model.root}") from None


def read_rows(name: str, root: Path | None = None) -> Rows:
    """Rows of table ``name`` as dicts of text (empty cell = ``""``), from its CSV."""
    return list(read_text_table(name, root).to_pylist())


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


def coverage_through(sources: Any) -> str:
    """The last date the data covers: the newest ``published`` date of its sources."""
    published = [s["published"] for s in sources if s["published"]]
    return max(published, key=period_end) if published else ""


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
    """The status, setting event and date of the latest of ``steps`` (sorted) whose period has ended by ``cutoff``."""
    reached = bisect.bisect_right([step[0] for step in steps], cutoff)
    if not reached:
        return "", "", ""
    _, _, event_id, status, date = steps[reached - 1]
    return status, event_id, date


def in_force_on(dates: list[str], tables: Mapping[str, pa.Table], chosen: Array, through: str = "") -> list[int]:
    """How many of the agreements ``chosen`` (a mask over the rows of ``agreements``) are in
    force or active on each of ``dates`` (full dates, in order), by :func:`statuses_on`'s rule.

    Each agreement's steps are sorted as :func:`status_steps` sorts them; a step holds from the
    first of ``dates`` its period has ended by until the next step of its agreement takes over.
    A chosen row counts on each date on which a step of its agreement setting it in force or
    active holds; from ``through`` on, a row with a status of its own counts by that status.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = np.flatnonzero(chosen)
    if not len(rows):
        return [0] * len(dates)
    agreements = {c: col.text(tables["agreements"], c).take(pa.array(rows, pa.int64()))
                  for c in ("agreement_id", "kind", "status", "signed", "start", "end")}
    key = col.position(agreements["agreement_id"], agreements["agreement_id"])  # one key per agreement id
    steps = _steps(tables["events"], agreements, key)
    key_of_step = steps["key"].to_numpy()
    start = np.zeros(steps.num_rows, dtype="int64")  # the first of dates by which the step's period has ended
    for date in dates:
        start += pc.greater(steps["end"], date).to_numpy()
    stop = np.append(start[1:], len(dates))  # until the next step of its agreement
    stop[np.append(key_of_step[1:] != key_of_step[:-1], True)] = len(dates)
    holds = col.among(steps["status"].combine_chunks(), IN_FORCE)  # a step that holds on no date adds and takes back at once

    def counted(weight: Array) -> Array:
        change = np.zeros(len(dates) + 1, dtype="int64")
        np.add.at(change, start[holds], weight[key_of_step[holds]])
        np.add.at(change, stop[holds], -weight[key_of_step[holds]])
        return np.cumsum(change)[:-1]

    by_steps = counted(np.bincount(key, minlength=len(rows)))
    unset = counted(np.bincount(key[col.among(agreements["status"], "")], minlength=len(rows)))
    own = int(col.among(agreements["status"], IN_FORCE).sum())
    newest = period_end(through) if through else ""
    first_newest = sum(date < newest for date in dates) if newest else len(dates)
    return [int(by_steps[i]) if i < first_newest else int(unset[i]) + own for i in range(len(dates))]


def _steps(events: pa.Table, agreements: dict[str, pa.Array], key: Array) -> pa.Table:
    """The steps of the agreements (columns of ``agreements``, each with its ``key``), sorted by
    key and as :func:`status_steps` sorts each agreement's steps."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def table(keys: Array, dates: pa.Array, event: int, event_ids: pa.Array, statuses: pa.Array) -> pa.Table:
        return pa.table({"key": pa.array(keys, pa.int64()), "end": col.each_distinct(dates, period_end),
                         "event": pa.array(np.full(len(keys), event, dtype="int8")), "event_id": event_ids,
                         "status": statuses, "date": dates})

    sets, of = col.text(events, "sets_status"), col.text(events, "agreement_id")
    step = pa.array(~col.among(sets, "") & ~col.among(of, ""))
    event_key = col.position(of.filter(step), agreements["agreement_id"])
    mine = pa.array(event_key >= 0)
    parts = [table(event_key[event_key >= 0], col.text(events, "date").filter(step).filter(mine), 1,
                   col.text(events, "event_id").filter(step).filter(mine), sets.filter(step).filter(mine))]
    formal = pa.array(col.among(agreements["kind"], FORMAL))
    completed = pa.array(col.among(agreements["status"], "completed"))
    for column, status in (("signed", pa.array(["signed"] * len(key), pa.string())),
                           ("start", pc.if_else(formal, "in_force", "active")),
                           ("end", pc.if_else(completed, "completed", "ended"))):
        has = ~col.among(agreements[column], "")
        parts.append(table(key[has], agreements[column].filter(pa.array(has)), 0,
                           pa.array([""] * int(has.sum()), pa.string()), status.filter(pa.array(has))))
    steps = pa.concat_tables(parts)
    return steps.take(pc.sort_indices(steps, sort_keys=[(c, "ascending") for c in steps.column_names]))
