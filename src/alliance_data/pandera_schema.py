"""pandera schemas derived from the Table Schemas, plus the rules Table Schema cannot say."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dtypes import pandas_dtype
from .model import package
from .rules import PARTIAL_DATE, PERIOD, ROW_RULES, calendar_ok, rule_check_for_pandas

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pandera


def _calendar(series: pd.Series) -> pd.Series:
    import pandas as pd
    import pyarrow as pa

    values = pa.array(series.astype("string").tolist(), type=pa.string(), from_pandas=True)
    return pd.Series(calendar_ok(values).to_numpy(zero_copy_only=False), index=series.index)


def _unique_when_present(series: pd.Series) -> pd.Series:
    return series.isna() | ~series.duplicated(keep=False)


def _is_in(values: pd.Series, allowed: set[str]) -> pd.Series:
    """Vectorized membership test (``Series.isin`` on strings is slow in pandas 3)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(values.astype("string").tolist(), type=pa.string(), from_pandas=True)
    found = pc.is_in(array, value_set=pa.array(list(allowed), type=pa.string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)


def _key(frame: pd.DataFrame, fields: list[str]) -> pd.Series:
    """One text key per row from one or more fields (composite keys joined by a separator)."""
    parts = [frame[f].astype("string") for f in fields]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    return key


def _foreign_key_check(table: str, fields: tuple[str, ...], parent: str, parent_fields: tuple[str, ...]) -> Any:
    import pandera.pandas as pandera

    def check(frame: pd.DataFrame) -> pd.Series:
        if parent == table:
            keys = _key(frame, list(parent_fields))
        else:
            from .arrow_io import read_arrow  # the one reader; the loader sits above this module

            keys = _key(read_arrow(parent, columns=list(parent_fields)).to_pandas(), list(parent_fields))
        child = _key(frame, list(fields))
        return child.isna() | _is_in(child, set(keys.dropna()))

    label = ",".join(fields)
    return pandera.Check(check, error=f"{label} must be among the {','.join(parent_fields)} of {parent}", name=f"foreign_key_{label}")


def schema(name: str) -> pandera.DataFrameSchema:
    """Return the pandera schema of a table, derived from its Table Schema.

    Each field becomes a column with the dtype :func:`load` gives it, its
    ``required``, ``unique``, ``enum``, ``pattern``, ``minimum`` and ``maximum``
    constraints, and a calendar check on partial dates. The table's primary key,
    its foreign keys (checked against the bundled tables) and its cross-field
    rules are added as table checks.

    Examples
    --------
    >>> import alliance_data
    >>> alliance_data.schema("actors").validate(alliance_data.load("actors")).shape[0] > 0
    True
    """
    import pandera.pandas as pandera

    table = package().table(name)
    primary_key = list(table.primary_key)
    columns = {}
    for f in table.fields:
        checks = []
        if f.pattern is not None and f.enum is None:
            checks.append(pandera.Check.str_matches(f"^(?:{f.pattern})$"))
            if f.pattern in (PARTIAL_DATE, PERIOD):
                checks.append(pandera.Check(_calendar, error="is not a real calendar date", name="calendar_date"))
        if f.unique and primary_key != [f.name]:
            # Table Schema's unique ignores missing values; pandera's unique=True does not.
            checks.append(pandera.Check(_unique_when_present, error="values must be unique", name="unique"))
        if f.minimum is not None:
            checks.append(pandera.Check.ge(f.minimum))
        if f.maximum is not None:
            checks.append(pandera.Check.le(f.maximum))
        columns[f.name] = pandera.Column(
            pandas_dtype(f),
            checks=checks,
            nullable=not (f.required or f.name in primary_key),
            unique=primary_key == [f.name],
            description=f.description or None,
        )
    table_checks = [
        pandera.Check(rule_check_for_pandas(rule), error=f"{rule.field}: {rule.message}", name=f"rule_{rule.field}")
        for rule in ROW_RULES
        if rule.table == name
    ]
    table_checks += [_foreign_key_check(name, fk.fields, fk.resource, fk.reference) for fk in table.foreign_keys]
    return pandera.DataFrameSchema(
        columns,
        checks=table_checks,
        unique=primary_key if len(primary_key) > 1 else None,
        strict=True,
        ordered=True,
        name=name,
        description=table.description or None,
    )
