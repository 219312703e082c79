"""Row-level differences between two versions of the data package."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._package import DESCRIPTOR, primary_key, safe_relative_path
from .validator import CannotValidate


@dataclass
class TableDiff:
    """What changed in one table, by primary key."""

    table: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # key -> field -> (old, new)
    note: str = ""  # the table itself appeared, disappeared or changed its columns

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.note)


SAME: tuple[list[str], dict[str, dict[str, str]]] = ([], {})  # stands for a table identical in both


def _same_file(path: Path, other_root: Path, rel: str) -> bool:
    other = other_root / rel
    return other.is_file() and path.stat().st_size == other.stat().st_size and path.read_bytes() == other.read_bytes()


def _rows(root: Path, other: Path | None = None) -> dict[str, tuple[list[str], dict[str, dict[str, str]]]]:
    """Each table's columns and its rows keyed by primary key (text cells, as in the CSV); a
    table whose file is the same in ``other`` is marked SAME instead of read."""
    if not (root / DESCRIPTOR).is_file():
        raise CannotValidate(f"{root}: no {DESCRIPTOR} in this folder")
    try:
        descriptor = json.loads((root / DESCRIPTOR).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CannotValidate(f"{root / DESCRIPTOR}: is not valid JSON ({error})") from None
    tables = {}
    for resource in descriptor.get("resources", []):
        rel, reason = safe_relative_path(root, resource.get("path"), "path")
        schema_rel, schema_reason = safe_relative_path(root, resource.get("schema"), "schema")
        if reason or schema_reason:
            raise CannotValidate(f"{root / DESCRIPTOR}: {resource.get('name')}: {reason or schema_reason}")
        schema = json.loads((root / schema_rel).read_text(encoding="utf-8"))
        key = primary_key(schema)
        if other is not None and _same_file(root / rel, other, rel):
            tables[resource["name"]] = SAME  # byte for byte the same: no rows to compare
            continue
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CannotValidate(f"{root / rel}: is not valid UTF-8; run alliance-data validate {root}") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = {" / ".join(row.get(k, "") for k in key): row for row in reader}
        tables[resource["name"]] = (list(reader.fieldnames or []), rows)
    return tables


def diff(old: str | Path, new: str | Path) -> list[TableDiff]:
    """Compare two data package folders table by table, row by row (by primary key).

    Returns one :class:`TableDiff` per table that changed, in the order of the new
    package. A changed row lists each field whose text differs, with old and new value.
    """
    before, after = _rows(Path(old), Path(new)), _rows(Path(new), Path(old))
    if any((before.get(n) is SAME) != (after.get(n) is SAME) for n in set(before) & set(after)):
        before, after = _rows(Path(old)), _rows(Path(new))  # the tables moved between paths: read them all
    result = []
    for name in [*after, *(n for n in before if n not in after)]:
        if before.get(name) is SAME and after.get(name) is SAME:
            continue
        change = TableDiff(name)
        if name not in before:
            change.note = "new table"
            change.added = list(after[name][1])
        elif name not in after:
            change.note = "table removed"
            change.removed = list(before[name][1])
        else:
            (old_fields, old_rows), (new_fields, new_rows) = before[name], after[name]
            if old_fields != new_fields:
                change.note = f"columns changed from {','.join(old_fields)} to {','.join(new_fields)}"
            change.added = [k for k in new_rows if k not in old_rows]
            change.removed = [k for k in old_rows if k not in new_rows]
            for key, row in new_rows.items():
                previous = old_rows.get(key)
                if previous is None or previous == row:
                    continue
                fields = {f: (previous.get(f, ""), row.get(f, "")) for f in new_fields if previous.get(f, "") != row.get(f, "")}
                if fields:
                    change.changed[key] = fields
        if change:
            result.append(change)
    return result


def render_text(changes: list[TableDiff]) -> str:
    """The differences as text: one line per added, removed or changed row."""
    if not changes:
        return "no differences"
    lines = []
    for change in changes:
        counts = f"{len(change.added)} added, {len(change.removed)} removed, {len(change.changed)} changed"
        lines.append(f"{change.table}: {counts}" + (f" ({change.note})" if change.note else ""))
        lines += [f"  + {key}" for key in change.added]
        lines += [f"  - {key}" for key in change.removed]
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
            "changed": {key: {f: {"old": a, "new": b} for f, (a, b) in fields.items()} for key, fields in change.changed.items()},
        }
        for change in changes
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)
