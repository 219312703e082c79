"""The relationship through time: agreement status on a date, and one long timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from . import derived
from .errors import InvalidDate

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

PRECISION = {4: "year", 7: "month", 10: "day"}


def status_as_of(date: str) -> pd.DataFrame:
    """Return every agreement with its status on ``date``.

    The status is the one set by the agreement's latest dated step whose whole period had
    ended by ``date``: an event that sets a status (``events.sets_status``) or, where no
    event does, the agreement's own signature (``signed``), start (in force for a formal
    agreement, active for any other) and ``end``. A step known only as ``2019-06`` counts
    from 2019-06-30, one known as ``2019`` from 2019-12-31; a partial ``date`` means the
    last day of its period. From the date of the newest source on, the status is the
    agreement's own ``status`` (its status as of the newest source). Where no step is
    dated by then (the agreement may not exist yet) the status is missing.

    Parameters
    ----------
    date : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Returns
    -------
    pandas.DataFrame
        ``agreement_id``, ``title``, ``status``, and the ``status_event_id`` and
        ``status_date`` of the event that set it (missing where none did).

    Raises
    ------
    InvalidDate
        If ``date`` is not a real date written ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Examples
    --------
    >>> import alliance_data
    >>> on = alliance_data.status_as_of("2025-06-30").set_index("agreement_id")
    >>> on.loc["treaty-2025-comprehensive-strategic-partnership", "status"]
    'ratified'
    """
    import pandas as pd

    if not _is_date(date):
        raise InvalidDate(f"date must be a real date written YYYY, YYYY-MM or YYYY-MM-DD, not {date!r}")
    through = derived.coverage_through(derived.read_rows("sources"))
    rows = derived.statuses_on(date, derived.read_rows("agreements"), derived.read_rows("events"), through)
    frame = pd.DataFrame(rows, columns=["agreement_id", "title", "status", "status_event_id", "status_date"])
    return frame.replace("", pd.NA).astype("string")


def _is_date(date: object) -> bool:
    import datetime
    import re

    if not isinstance(date, str) or not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", date):
        return False
    parts = [int(x) for x in date.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


TIMELINE_COLUMNS = ["date", "precision", "what", "table", "record_id", "kind", "evidence", "summary"]


def timeline_rows() -> list[dict[str, str]]:
    """The rows of :func:`timeline` as dicts of text, oldest first."""
    rows: list[dict[str, str]] = [
        {"date": e["date"], "what": "event", "table": "events", "record_id": e["event_id"], "kind": e["kind"],
         "evidence": e["evidence"], "summary": e["summary"]} for e in derived.read_rows("events")]
    rows += [{"date": a[column], "what": column, "table": "agreements", "record_id": a["agreement_id"],
              "kind": a["kind"], "evidence": a["evidence"], "summary": a["title"]}
             for a in derived.read_rows("agreements") for column in ("signed", "start", "end") if a[column]]
    for o in derived.read_rows("observations"):
        date = o["stated_on"] or o["period"].split("/")[0]
        rows.append({"date": date, "what": "observation", "table": "observations", "record_id": o["observation_id"],
                     "kind": o["indicator"], "evidence": o["evidence"], "summary": f"{o['indicator']} {o['period']}: {float(o['value'])!r} {o['unit']} ({o['qualifier']})"})
    for row in rows:
        row["precision"] = PRECISION[len(row["date"])]
    rows.sort(key=lambda r: (r["date"], r["table"], r["record_id"], r["what"]))
    return rows


@overload
def timeline(*, backend: Literal["pandas"] = ...) -> pd.DataFrame: ...
@overload
def timeline(*, backend: Literal["polars"]) -> pl.DataFrame: ...
def timeline(*, backend: Literal["pandas", "polars"] = "pandas") -> pd.DataFrame | pl.DataFrame:
    """Return every dated event, agreement date and observation in one long table, oldest first.

    Every event of the ``events`` table is here, whatever its actors and evidence; the
    ``dyad_year`` panel counts fewer (events both sides take part in, confirmed or reported,
    without reports of an act already counted or status steps), as its codebook entry says.

    Parameters
    ----------
    backend : {"pandas", "polars"}, default "pandas"

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        ``date`` (partial ISO date), ``precision`` (year, month or day), ``what``
        (``event``, ``signed``, ``start``, ``end`` or ``observation``), ``table``,
        ``record_id``, ``kind``, ``evidence`` and ``summary``. An observation is dated
        by when it was stated, or else by the start of its period.

    Examples
    --------
    >>> import alliance_data
    >>> line = alliance_data.timeline()
    >>> set(line["what"]) >= {"event", "signed", "observation"}
    True
    """
    rows = timeline_rows()
    columns = TIMELINE_COLUMNS
    if backend == "polars":
        import polars as pl

        return pl.DataFrame(rows, schema={c: pl.String for c in columns})
    if backend != "pandas":
        raise ValueError(f"backend must be 'pandas' or 'polars', not {backend!r}")
    import pandas as pd

    return pd.DataFrame(rows, columns=columns).astype("string")
