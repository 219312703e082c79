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
from conftest import DATA, REPO

SCHEMAS = {name: json.loads((DATA / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
           for name in alliance_data.tables()}
FRAMES = alliance_data.load_all()


def cases():
    for table, schema in SCHEMAS.items():
        key = schema["primaryKey"]
        frame = FRAMES[table]
        for f in schema["fields"]:
            name, c = f["name"], f.get("constraints", {})
            filled = list(frame.index[frame[name].notna()])
            if c.get("required") or name in key:
                yield pytest.param(table, name, "missing", id=f"{table}.{name}-required")
            if "pattern" in c and "enum" not in c:
                yield pytest.param(table, name, "Not A Valid Value!", id=f"{table}.{name}-pattern")
            if "enum" in c:
                yield pytest.param(table, name, "extra-category", id=f"{table}.{name}-enum")
            if "minimum" in c:
                yield pytest.param(table, name, c["minimum"] - 1, id=f"{table}.{name}-minimum")
            if "maximum" in c:
                yield pytest.param(table, name, c["maximum"] + 1, id=f"{table}.{name}-maximum")
            if (c.get("unique") or key == [name]) and len(filled) > 1:
                yield pytest.param(table, name, "duplicate", id=f"{table}.{name}-unique")
            if c.get("pattern") == "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$":
                yield pytest.param(table, name, "2023-02-30", id=f"{table}.{name}-calendar")
        if len(key) > 1:
            yield pytest.param(table, tuple(key), "duplicate", id=f"{table}-primary-key")
        for fk in schema.get("foreignKeys", []):
            yield pytest.param(table, fk["fields"], "no-such-record", id=f"{table}.{fk['fields']}-foreign-key")


def broken(table: str, field, change) -> pd.DataFrame:
    frame = FRAMES[table].copy()
    if isinstance(field, tuple):  # duplicate a whole composite key
        for name in field:
            frame.loc[1, name] = frame.loc[0, name]
        return frame
    row = frame.index[frame[field].notna()][0] if frame[field].notna().any() else 0
    if change == "missing":
        frame.loc[row, field] = pd.NA
    elif change == "duplicate":
        second = frame.index[frame[field].notna()][1]
        frame.loc[second, field] = frame.loc[row, field]
    elif change == "extra-category":
        frame[field] = frame[field].cat.add_categories([change])
    else:
        frame.loc[row, field] = change
    return frame


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
