"""The relationship through time: agreement status on a date, and one long timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from . import derived

if TYPE_CHECKING:
    import pandas as pd

PRECISION = {4: "year", 7: "month", 10: "day"}


def status_as_of(date: str) -> pd.DataFrame:
    """Return every agreement with its status on ``date``.

    The status is the one set (``events.sets_status``) by the agreement's latest dated
    event whose whole period had ended by ``date``: an event known only as ``2019-06``
    counts from 2019-06-30, one known as ``2019`` from 2019-12-31. A partial ``date``
    means the last day of its period. Where no event sets a status by then (the
    agreement may not exist yet, or no source dates its status) the status is missing.

    Parameters
    ----------
    date : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Returns
    -------
    pandas.DataFrame
        ``agreement_id``, ``title``, ``status``, and the ``status_event_id`` and
        ``status_date`` of the event that set it (missing where none did).

    Examples
    --------
    >>> import alliance_data
    >>> on = alliance_data.status_as_of("2025-06-30").set_index("agreement_id")
    >>> on.loc["treaty-2025-comprehensive-strategic-partnership", "status"]
    'ratified'
    """
    import pandas as pd

    if not isinstance(date, str) or len(date) not in PRECISION or not date[:4].isdigit():
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, not {date!r}")
    rows = derived.statuses_on(date, derived.read_rows("agreements"), derived.read_rows("events"))
    frame = pd.DataFrame(rows, columns=["agreement_id", "title", "status", "status_event_id", "status_date"])
    return frame.replace("", pd.NA).astype("string")


TIMELINE_COLUMNS = ["date", "precision", "what", "table", "record_id", "kind", "evidence", "summary"]


def timeline_rows() -> list[dict[str, str]]:
    """The rows of :func:`timeline` as dicts of text, oldest first."""
    rows: list[dict[str, str]] = []
    for e in derived.read_rows("events"):
        rows.append({"date": e["date"], "what": "event", "table": "events", "record_id": e["event_id"], "kind": e["kind"],
                     "evidence": e["evidence"], "summary": e["summary"]})
    for a in derived.read_rows("agreements"):
        for column in ("signed", "start", "end"):
            if a[column]:
                rows.append({"date": a[column], "what": column, "table": "agreements", "record_id": a["agreement_id"],
                             "kind": a["kind"], "evidence": a["evidence"], "summary": a["title"]})
    for o in derived.read_rows("observations"):
        date = o["stated_on"] or o["period"].split("/")[0]
        rows.append({"date": date, "what": "observation", "table": "observations", "record_id": o["observation_id"],
                     "kind": o["indicator"], "evidence": o["evidence"], "summary": f"{o['indicator']} {o['period']}: {float(o['value'])!r} {o['unit']} ({o['qualifier']})"})
    for row in rows:
        row["precision"] = PRECISION[len(row["date"])]
    rows.sort(key=lambda r: (r["date"], r["table"], r["record_id"], r["what"]))
    return rows


def timeline(backend: Literal["pandas", "polars"] = "pandas"):
    """Return every dated event, agreement date and observation in one long table, oldest first.

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
