"""Keys: a composite primary key appears once, every foreign key names a row of its table
(compared by type, as frictionless does), and no self-reference goes round in a loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .arrays import composite_repeats, compared_joined, duplicates
from .profile import TYPE_SHAPES
from .report import Problem, quote
from .table import CheckedTable, Collector

if TYPE_CHECKING:
    import pyarrow as pa

    from ..model import ForeignKey


def check_primary_key(table: CheckedTable) -> None:
    """A primary key of several fields appears once (one field's is checked with its cells)."""
    import pyarrow.compute as pc

    key_fields = list(table.model.primary_key)
    if len(key_fields) < 2 or not composite_repeats(table, key_fields):
        return
    keys = compared_joined(table, key_fields)
    filled = pc.invert(pc.equal(keys, "\x1f" * (len(key_fields) - 1)))
    strings = table.strings
    duplicates(Collector(table.problems, table.rel, table.lines), ",".join(key_fields), "key/duplicate", keys, filled,
               lambda i: f"({', '.join(quote(strings[k][i].as_py()) for k in key_fields)}) appears more than once; the primary key must be unique")


def check_foreign_keys(tables: dict[str, CheckedTable]) -> None:
    """Every filled foreign key is among its referenced table's keys; a dangling cell is no longer valid."""
    for table in tables.values():
        for fk in table.model.foreign_keys:
            parent = tables.get(fk.resource)
            if parent is not None:
                _check_foreign_key(table, fk, parent)


def _check_foreign_key(table: CheckedTable, fk: ForeignKey, parent: CheckedTable) -> None:
    import pyarrow.compute as pc

    fields, parent_fields = fk.fields, fk.reference
    if len(fields) == 1:
        bad = _dangling_values(table, fields[0], parent, parent_fields[0])
    else:
        child = compared_joined(table, fields)
        filled = pc.invert(pc.equal(child, "\x1f" * (len(fields) - 1)))
        bad = pc.and_(filled, pc.invert(pc.is_in(child, value_set=compared_joined(parent, parent_fields))))
    if bad is None or not pc.any(bad).as_py():
        return
    where = f"{','.join(parent_fields)} in {parent.rel}"
    strings = table.strings
    Collector(table.problems, table.rel, table.lines).rows(
        ",".join(fields), "key/dangling", bad,
        lambda i: f"{', '.join(quote(strings[f][i].as_py()) for f in fields)} is not among the {where}: add it there or fix the reference",
    )
    for f in fields:
        current = table.valid.get(f)
        ok = pc.invert(bad)
        table.valid[f] = ok if current is None else pc.and_(current, ok)


def _dangling_values(table: CheckedTable, field: str, parent: CheckedTable, parent_field: str) -> pa.Array | None:
    """Per row, whether a one-field key is missing from the parent (None when none is).
    Each distinct value is tested once, against the parent's distinct keys."""
    import pyarrow.compute as pc

    values, indices = table.codes[field]
    parent_keys = parent.codes[parent_field][0]
    child_type, parent_type = table.model.field(field).type, parent.model.field(parent_field).type
    if _kind(child_type) != _kind(parent_type):
        missing = pc.not_equal(values, "")  # as frictionless: 1 (an integer) is never "1" (a string)
    elif child_type != parent_type:  # an integer and a number: compared as numbers (1 is 1.0)
        missing = _missing_as_numbers(values, parent_keys)
    else:
        missing = pc.and_(pc.not_equal(values, ""), pc.invert(pc.is_in(values, value_set=parent_keys)))
    if not pc.any(missing).as_py():
        return None
    return missing if indices is None else pc.take(missing, indices)


def _kind(field_type: str) -> str:
    """What a key compares as: numbers with numbers (1 equals 1.0), every other type with itself."""
    return "number" if field_type in ("integer", "number") else field_type


def _missing_as_numbers(values: pa.Array, parent_keys: pa.Array) -> pa.Array:
    """Which filled values are no parent key, compared as numbers; a cell that is no number
    (reported by its own type check) is compared as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def numbers(array: pa.Array) -> pa.Array:
        numeric = pc.match_substring_regex(array, TYPE_SHAPES["number"][0])
        return pc.cast(pc.if_else(numeric, array, None), pa.float64())

    filled = pc.not_equal(values, "")
    as_numbers = pc.is_in(numbers(values), value_set=numbers(parent_keys))
    as_text = pc.is_in(values, value_set=parent_keys)
    return pc.and_(filled, pc.invert(pc.or_(pc.fill_null(as_numbers, False), as_text)))


def check_cycles(tables: dict[str, CheckedTable]) -> None:
    """A self-reference (actors.parent_id, agreements.part_of) must not loop: a→a or a→b→a."""
    for table in tables.values():
        for fk in table.model.foreign_keys:
            if fk.resource == table.name and len(fk.fields) == 1:
                table.problems.extend(_loops(table, fk.fields[0], fk.reference[0]))


def _loops(table: CheckedTable, field: str, target: str) -> list[Problem]:
    """Each loop of ``field`` → ``target`` within the table, reported once at the row where it closes."""
    keys = table.strings[target].to_pylist()
    refs = table.strings[field].to_pylist()
    up = {k: r for k, r in zip(keys, refs, strict=False) if r}
    row_of = {k: i for i, k in enumerate(keys)}
    done: set[str] = set()
    problems = []
    for start in keys:
        path: list[str] = []
        node = start
        while node in up and node not in done and node not in path:
            path.append(node)
            node = up[node]
        if node in path:
            loop = [*path[path.index(node):], node]
            first = min(loop[:-1], key=lambda k: row_of.get(k, 0))
            problems.append(Problem(table.rel, int(table.lines[row_of[first]]), field,
                                    f"{' → '.join(quote(k) for k in loop)} goes round in a loop: a record cannot be its own ancestor", "key/cycle"))
        done.update(path)
    return problems
