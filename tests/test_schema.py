"""The pandera schemas are as strict as the Table Schemas they derive from.

For every constraint of every field a loaded, typed frame is broken in that one way
and the pandera schema must reject it; the untouched frames must pass.
"""

from __future__ import annotations

import json

import pandas as pd
import pandera.errors
import pytest

import alliance_data
from conftest import DATA

SCHEMAS = {name: json.loads((DATA / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
           for name in alliance_data.tables()}
FRAMES = alliance_data.load_all()


def cases():
    """One case per constraint; a constraint of the same type and value already tried on another
    field (in any table) is the same code path of the schema builder, so it is tried once."""
    seen: set[str] = set()

    def first(*signature: object) -> bool:
        text = json.dumps(signature, sort_keys=True, default=str)
        if text in seen:
            return False
        seen.add(text)
        return True

    for table, schema in SCHEMAS.items():
        key = schema["primaryKey"]
        frame = FRAMES[table]
        for f in schema["fields"]:
            name, c = f["name"], f.get("constraints", {})
            filled = list(frame.index[frame[name].notna()])
            if (c.get("required") or name in key) and first("required", f.get("type"), name in key):
                yield pytest.param(table, name, "missing", id=f"{table}.{name}-required")
            if "pattern" in c and "enum" not in c and first("pattern", c["pattern"]):
                yield pytest.param(table, name, "Not A Valid Value!", id=f"{table}.{name}-pattern")
            if "enum" in c:
                yield pytest.param(table, name, "extra-category", id=f"{table}.{name}-enum")
            if "minimum" in c and first("minimum", f.get("type"), c["minimum"]):
                yield pytest.param(table, name, c["minimum"] - 1, id=f"{table}.{name}-minimum")
            if "maximum" in c and first("maximum", f.get("type"), c["maximum"]):
                yield pytest.param(table, name, c["maximum"] + 1, id=f"{table}.{name}-maximum")
            if (c.get("unique") or key == [name]) and len(filled) > 1:
                yield pytest.param(table, name, "duplicate", id=f"{table}.{name}-unique")
            if c.get("pattern") == "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$" and first("calendar", table):
                yield pytest.param(table, name, "2023-02-30", id=f"{table}.{name}-calendar")
        if len(key) > 1:
            yield pytest.param(table, tuple(key), "duplicate", id=f"{table}-primary-key")
        for fk in schema.get("foreignKeys", []):
            yield pytest.param(table, fk["fields"], "no-such-record", id=f"{table}.{fk['fields']}-foreign-key")


def broken(table: str, field, change) -> pd.DataFrame:
    """The table broken in one way, cut to the rows that matter (the first few and the edited
    ones): each constraint is a per-row or per-column check, so the verdict is the same, and
    checking a few rows instead of thousands keeps the suite fast."""
    frame = FRAMES[table].copy()
    touched = {frame.index[0], frame.index[min(1, len(frame) - 1)]}
    if isinstance(field, tuple):  # duplicate a whole composite key
        for name in field:
            frame.loc[1, name] = frame.loc[0, name]
        return _cut(frame, touched)
    row = frame.index[frame[field].notna()][0] if frame[field].notna().any() else 0
    touched.add(row)
    if change == "missing":
        frame.loc[row, field] = pd.NA
    elif change == "duplicate":
        second = frame.index[frame[field].notna()][1]
        touched.add(second)
        frame.loc[second, field] = frame.loc[row, field]
    elif change == "extra-category":
        frame[field] = frame[field].cat.add_categories([change])
    else:
        frame.loc[row, field] = change
    return _cut(frame, touched)


def _cut(frame: pd.DataFrame, touched: set) -> pd.DataFrame:
    return frame.loc[sorted(set(frame.index[:20]) | touched)]


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_the_bundled_frames_pass(table: str) -> None:
    alliance_data.schema(table).validate(FRAMES[table], lazy=True)


@pytest.mark.parametrize(("table", "field", "change"), list(cases()))
def test_each_constraint_is_as_strict_as_the_table_schema(table: str, field, change) -> None:
    with pytest.raises(pandera.errors.SchemaErrors):
        alliance_data.schema(table).validate(broken(table, field, change), lazy=True)


def test_optional_integers_stay_nullable() -> None:
    schema = alliance_data.schema("agreements")
    assert str(schema.columns["atop_id"].dtype) == "Int64"
    assert schema.columns["atop_id"].nullable
    assert FRAMES["agreements"]["atop_id"].isna().any()
