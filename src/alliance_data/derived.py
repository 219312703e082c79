"""Tables derived from the canonical CSVs: the Iran–Russia dyad-year panels, agreement status
on a date, and the wide table of agreements.

The panels are derived from Arrow tables (``panels.py``): :func:`panels_csv` reads the inputs
once through ``arrow_io``, and a caller that holds them already (build, the validator) passes
them to :func:`panels_csv_from`. ``alliance-data build`` writes the panels; ``validate`` fails
when the files on disk are not what these functions derive. Status on a date works on rows of
text (``status.py``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import package
# The panels' constants and status helpers callers read through this module (history, figures, the tests).
from .panels import ARMS, DYAD_YEAR, DYAD_YEAR_DIRECTED, DYAD_YEAR_INPUTS, FIRST_YEAR, LAST_YEAR, panels_from, side_of
from .status import FORMAL, IN_FORCE, coverage_through, period_end, read_rows, read_text_table, statuses_on

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "AGREEMENTS_WIDE", "AGREEMENTS_WIDE_DESCRIPTION", "ARMS", "DYAD_YEAR", "DYAD_YEAR_DIRECTED", "DYAD_YEAR_INPUTS",
    "FIRST_YEAR", "FORMAL", "IN_FORCE", "LAST_YEAR", "WIDE_AGREEMENT_FIELDS", "agreements_wide", "agreements_wide_csv",
    "agreements_wide_descriptions", "coverage_through", "dyad_year", "panels", "panels_csv", "panels_csv_from",
    "period_end", "read_inputs", "read_rows", "side_of", "statuses_on",
]


def read_inputs(root: Path | None = None) -> dict[str, pa.Table]:
    """The tables the panels are derived from (:data:`DYAD_YEAR_INPUTS`), each read once from its CSV, as text."""
    return {name: read_text_table(name, root) for name in DYAD_YEAR_INPUTS}


def panels(root: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Both panels as rows: ``dyad_year`` (one row per year 1989–2026) and ``dyad_year_directed``
    (two rows per year, 365→630 and 630→365); the rules are those of :func:`panels_from`."""
    return panels_from(read_inputs(root))


def dyad_year(root: Path | None = None) -> list[dict[str, Any]]:
    """The non-directed Iran–Russia panel, one row per year 1989–2026 (see :func:`panels`).

    Examples
    --------
    >>> rows = dyad_year()
    >>> len(rows), rows[0]["year"], rows[0]["ccode1"], rows[0]["ccode2"]
    (38, 1989, 365, 630)
    """
    return panels(root)[DYAD_YEAR]


def panels_csv(root: Path | None = None) -> dict[str, bytes]:
    """Both panels as the CSV bytes ``build`` writes (columns in the order of their schemas),
    for the panels the package describes."""
    return panels_csv_from(read_inputs(root), root)


def panels_csv_from(tables: Mapping[str, pa.Table], root: Path | None = None) -> dict[str, bytes]:
    """:func:`panels_csv` from input tables already read: each of :data:`DYAD_YEAR_INPUTS` as
    read from its CSV, with every column as text (an empty cell ``""``, as the validator reads
    them) or typed (an empty cell null, as ``arrow_io`` reads them)."""
    model = package(root)
    out = {}
    for name, rows in panels_from(tables).items():
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
