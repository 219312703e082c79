"""Row-level differences between two versions of the data package."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._package import DESCRIPTOR, safe_relative_path
from .model import Table
from .arrow_io import read_csv_bytes
from .errors import AllianceDataError, CannotCompare, CannotValidate


@dataclass
class TableDiff:
    """What changed in one table, by primary key."""

    table: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # key -> field -> (old, new)
    note: str = ""  # the table itself appeared, disappeared or changed its columns
    retired: dict[str, str] = field(default_factory=dict)  # removed key -> what the new package says of it

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.note)


class _Table:
    """One table of one package: its columns, its key and its rows as Arrow text columns."""

    def __init__(self, columns: list[str], key: list[str], rows: Any) -> None:
        self.columns, self.key, self.rows = columns, key, rows


SAME = _Table([], [], None)  # stands for a table byte for byte identical in both packages
MISSING = _Table([], [], None)  # stands for a table whose file is absent (a panel not built yet, say)


def _same_file(path: Path, other_root: Path, rel: str) -> bool:
    other = other_root / rel
    return other.is_file() and path.stat().st_size == other.stat().st_size and path.read_bytes() == other.read_bytes()


def _read_text_table(path: Path) -> Any:
    """A CSV as Arrow, every cell text (empty cells as "")."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    raw = path.read_bytes()
    end_of_header = raw.find(b"\n")
    header = next(csv.reader(io.StringIO(raw[:end_of_header if end_of_header >= 0 else len(raw)].decode("utf-8", errors="replace"))), [])
    convert = pcsv.ConvertOptions(column_types={c: pa.string() for c in header}, strings_can_be_null=False, null_values=[])
    try:
        return read_csv_bytes(raw, pcsv.ParseOptions(newlines_in_values=True), convert)
    except pa.ArrowInvalid:
        pass
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CannotCompare(f"{path}: is not valid UTF-8; run alliance-data validate {path.parent.parent}") from None
    raise CannotCompare(f"{path}: cannot be read as CSV; run alliance-data validate {path.parent.parent}")


def _rows(root: Path, other: Path | None = None) -> dict[str, _Table]:
    """Each table's columns, key and rows; a table whose file is the same in ``other`` is
    marked SAME instead of read."""
    if not (root / DESCRIPTOR).is_file():
        raise CannotValidate(f"{root}: no {DESCRIPTOR} in this folder")
    try:
        descriptor = json.loads((root / DESCRIPTOR).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CannotCompare(f"{root / DESCRIPTOR}: is not valid JSON ({error})") from None
    tables: dict[str, _Table] = {}
    for resource in descriptor.get("resources", []):
        rel, reason = safe_relative_path(root, resource.get("path"), "path")
        schema_rel, schema_reason = safe_relative_path(root, resource.get("schema"), "schema")
        if reason or schema_reason:
            raise CannotCompare(f"{root / DESCRIPTOR}: {resource.get('name')}: {reason or schema_reason}")
        if not (root / rel).is_file():
            tables[resource["name"]] = MISSING
            continue
        try:
            schema = json.loads((root / schema_rel).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:  # ValueError: bad JSON or not UTF-8
            raise CannotCompare(f"{root / schema_rel}: cannot be read as JSON ({error}); run alliance-data validate {root}") from None
        if other is not None and _same_file(root / rel, other, rel):
            tables[resource["name"]] = SAME  # byte for byte the same: no rows to compare
            continue
        rows = _read_text_table(root / rel)
        try:
            key = list(Table.from_descriptor(resource, schema).primary_key)
        except (KeyError, TypeError, AttributeError):
            raise CannotCompare(f"{root / schema_rel}: is not a Table Schema; run alliance-data validate {root}") from None
        tables[resource["name"]] = _Table(rows.column_names, key, rows)
    return tables


def _keys(table: _Table) -> Any:
    """Each row's key as one text (the parts joined by " / ")."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [table.rows[k] if k in table.rows.column_names else pa.array([""] * table.rows.num_rows) for k in table.key]
    return parts[0].combine_chunks() if len(parts) == 1 else pc.binary_join_element_wise(*parts, " / ")


def _compare(before: _Table, after: _Table, change: TableDiff) -> None:
    """Added, removed and changed rows, by key, with an Arrow join: only changed rows reach Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    old_keys, new_keys = _keys(before), _keys(after)
    aligned = len(old_keys) == len(new_keys) and pc.all(pc.equal(old_keys, new_keys)).as_py()
    if not aligned:
        change.added = pc.filter(new_keys, pc.invert(pc.is_in(new_keys, value_set=old_keys))).to_pylist()
        change.removed = pc.filter(old_keys, pc.invert(pc.is_in(old_keys, value_set=new_keys))).to_pylist()
    # The usual case is aligned (rows sorted by key, none added or removed): compare in place.
    if not aligned:  # join the keys alone, then compare each column through the matched row numbers
        old_index = pa.table({"__key": old_keys, "__old": pa.array(range(len(old_keys)), pa.int64())})
        new_index = pa.table({"__key": new_keys, "__new": pa.array(range(len(new_keys)), pa.int64())})
        pairs = new_index.join(old_index, "__key", join_type="inner").sort_by("__new")
        old_rows, new_rows = pairs["__old"].combine_chunks(), pairs["__new"].combine_chunks()
    differs = None
    for c in after.columns:
        new_values = after.rows[c] if aligned else pc.take(after.rows[c], new_rows)
        old_values = pa.repeat(pa.scalar("", pa.string()), len(new_values)) if c not in before.rows.column_names else before.rows[c] if aligned else pc.take(before.rows[c], old_rows)
        d = pc.not_equal(old_values, new_values)
        differs = d if differs is None else pc.or_(differs, d)
    if differs is None or not pc.any(differs).as_py():
        return
    if aligned:  # filter works block by block; take would first join each column's blocks into one
        old_part, new_part = before.rows.filter(differs).to_pylist(), after.rows.filter(differs).to_pylist()
        keys = pc.filter(new_keys, differs).to_pylist()
    else:
        changed_old, changed_new = pc.filter(old_rows, differs), pc.filter(new_rows, differs)
        old_part, new_part = before.rows.take(changed_old).to_pylist(), after.rows.take(changed_new).to_pylist()
        keys = pc.take(new_keys, changed_new).to_pylist()
    for key, previous, row in zip(keys, old_part, new_part, strict=False):
        change.changed[key] = {c: (previous.get(c, ""), row[c]) for c in after.columns if previous.get(c, "") != row[c]}


def diff(old: str | Path, new: str | Path) -> list[TableDiff]:
    """Compare two data package folders table by table, row by row (by primary key).

    Returns one :class:`TableDiff` per table that changed, in the order of the new
    package. A changed row lists each field whose text differs, with old and new value.
    Rows are matched with an Arrow join, so only the rows that differ are turned into
    Python objects.
    """
    before, after = _rows(Path(old), Path(new)), _rows(Path(new), Path(old))
    if any((before.get(n) is SAME) != (after.get(n) is SAME) for n in set(before) & set(after)):
        before, after = _rows(Path(old)), _rows(Path(new))  # the tables moved between paths: read them all
    result = []
    for name in [*after, *(n for n in before if n not in after)]:
        if before.get(name) is SAME and after.get(name) is SAME:
            continue
        change = TableDiff(name)
        if before.get(name) is MISSING or after.get(name) is MISSING:
            side = "old" if before.get(name) is MISSING else "new"
            change.note = f"no file in the {side} package (not built yet?): not compared"
        elif name not in before:
            change.note = "new table"
            change.added = _keys(after[name]).to_pylist()
        elif name not in after:
            change.note = "table removed"
            change.removed = _keys(before[name]).to_pylist()
        else:
            if before[name].columns != after[name].columns:
                change.note = f"columns changed from {','.join(before[name].columns)} to {','.join(after[name].columns)}"
            _compare(before[name], after[name], change)
        if change:
            result.append(change)
    retired = _retired(Path(new))
    for change in result:
        change.retired = {key: retired[(change.table, key)] for key in change.removed if (change.table, key) in retired}
    return result


def _retired(root: Path) -> dict[tuple[str, str], str]:
    """What the package's ``retired_ids`` says of each id it retired: merged into another, or withdrawn."""
    from .arrow_io import read_csv_arrow
    from .model import package

    try:
        table = package(root).table("retired_ids")
        rows = read_csv_arrow(root / table.path, table).to_pylist()
    except (KeyError, OSError, ValueError, AllianceDataError):
        return {}
    return {(str(r["record_table"]), str(r["record_id"])):
            (f"retired in {r['retired_in']}, merged into {r['replaced_by']}" if r["replaced_by"] else f"retired in {r['retired_in']}, withdrawn")
            + f": {r['reason']}" for r in rows}


def render_text(changes: list[TableDiff]) -> str:
    """The differences as text: one line per added, removed or changed row."""
    if not changes:
        return "no differences"
    lines = []
    for change in changes:
        counts = f"{len(change.added)} added, {len(change.removed)} removed, {len(change.changed)} changed"
        lines.append(f"{change.table}: {counts}" + (f" ({change.note})" if change.note else ""))
        lines += [f"  + {key}" for key in change.added]
        lines += [f"  - {key}" + (f" ({change.retired[key]})" if key in change.retired else "") for key in change.removed]
        for key, fields in change.changed.items():
            detail = "; ".join(f"{f}: {json.dumps(a, ensure_ascii=False)} -> {json.dumps(b, ensure_ascii=False)}" for f, (a, b) in fields.items())
            lines.append(f"  ~ {key}: {detail}")
    return "\n".join(lines)


def render_json(changes: list[TableDiff]) -> str:
    payload: dict[str, Any] = {
        change.table: {
            "note": change.note,
            "added": change.added,
            "removed": change.removed,
            "retired": change.retired,
            "changed": {key: {f: {"old": a, "new": b} for f, (a, b) in fields.items()} for key, fields in change.changed.items()},
        }
        for change in changes
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)
