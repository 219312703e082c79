"""Rules that a Table Schema cannot state: calendar dates, cross-field and cross-table rules.

Each rule is written once. The validator runs them over the whole package and
reports the failing rows by line; :func:`alliance_data.schema` wraps the row rules
as pandera checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

PARTIAL_DATE = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
PERIOD = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$"
# Tables whose every row must carry a supporting citation.
FACT_TABLES = (
    "actors",
    "agreements",
    "agreement_events",
    "trade_items",
    "settlement_methods",
    "frictions",
    "observations",
)


def calendar_ok(values: pa.Array) -> pa.Array:
    """Return, per partial date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), whether it is a real date.

    ``2023-02-30`` and ``2023-13`` fail; nulls pass (required is checked elsewhere).
    Intervals ``start/end`` are checked part by part.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.cast(values, pa.string())
    if pc.any(pc.match_substring(values, "/")).as_py():
        first = pc.replace_substring_regex(values, "/.*$", "")
        last = pc.replace_substring_regex(values, "^.*/", "")
        return pc.and_kleene(calendar_ok(first), calendar_ok(last))
    length = pc.utf8_length(values)
    padded = pc.case_when(
        pc.make_struct(pc.equal(length, 4), pc.equal(length, 7)),
        pc.binary_join_element_wise(values, "-01-01", ""),
        pc.binary_join_element_wise(values, "-01", ""),
        values,
    )
    parsed = pc.strptime(padded, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 2023-02-30 over to 2023-03-02: a real date prints back unchanged.
    same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), padded)
    return pc.or_kleene(pc.is_null(values), pc.fill_null(same, False))


def is_in(values: pd.Series, allowed) -> pd.Series:
    """Vectorized membership test (``Series.isin`` on strings is slow in pandas 3)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string())
    found = pc.is_in(array, value_set=pa.array(list(allowed), type=pa.string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].notna()


def _same_presence(*columns: str) -> Callable[[pd.DataFrame], pd.Series]:
    def check(frame: pd.DataFrame) -> pd.Series:
        present = [_present(frame, c) for c in columns]
        count = sum(p.astype(int) for p in present)
        return (count == 0) | (count == len(columns))

    return check


def _not_before(start: str, end: str) -> Callable[[pd.DataFrame], pd.Series]:
    def check(frame: pd.DataFrame) -> pd.Series:
        a, b = frame[start].astype("string"), frame[end].astype("string")
        ok = a.isna() | b.isna()
        # Compare at the coarser of the two precisions: 2022-08 is not after 2022-08-15.
        width = _shorter(a.str.len(), b.str.len())
        for w in (4, 7, 10):
            rows = (width == w).fillna(False)
            ok = ok | (rows & (b.str.slice(0, w) >= a.str.slice(0, w)).fillna(False))
        return ok

    return check


def _shorter(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise minimum of two nullable integer series."""
    return a.where(a <= b, b)


def _currency_ok(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    def check(frame: pd.DataFrame) -> pd.Series:
        import pycountry

        codes = {c.alpha_3 for c in pycountry.currencies}
        return frame[column].isna() | is_in(frame[column], codes)

    return check


def _language_ok(frame: pd.DataFrame) -> pd.Series:
    import pycountry

    codes = {getattr(lang, "alpha_2", "") for lang in pycountry.languages} - {""}
    return frame["language"].isna() | is_in(frame["language"], codes)


def _state_codes(frame: pd.DataFrame) -> pd.Series:
    is_state = frame["kind"].astype("string") == "state"
    iso3_is_id = frame["iso3"].astype("string") == frame["actor_id"].astype("string")
    has_codes = frame["iso3"].notna() & frame["cow_code"].notna()
    no_codes = frame["iso3"].isna() & frame["cow_code"].isna()
    return (is_state & has_codes & iso3_is_id.fillna(False)) | (~is_state & no_codes)


def _iso3_known(frame: pd.DataFrame) -> pd.Series:
    import pycountry

    codes = {c.alpha_3 for c in pycountry.countries}
    return frame["iso3"].isna() | is_in(frame["iso3"], codes)


def _cow_matches_iso3(frame: pd.DataFrame) -> pd.Series:
    from countrycode import countrycode

    both = frame["iso3"].notna() & frame["cow_code"].notna()
    ok = ~both
    if both.any():
        iso3 = frame.loc[both, "iso3"].astype(str).tolist()
        expected = countrycode(iso3, origin="iso3c", destination="cown")
        got = frame.loc[both, "cow_code"].astype(int).tolist()
        ok.loc[both] = [e is not None and int(e) == g for e, g in zip(expected, got)]
    return ok


def _currency_for_kind(frame: pd.DataFrame) -> pd.Series:
    needs = is_in(frame["kind"], {"national_currency", "third_country_currency", "precious_metal"})
    return needs == frame["currency_code"].notna()


def _trade_direction(frame: pd.DataFrame) -> pd.Series:
    return frame["exporter_id"].astype("string") != frame["importer_id"].astype("string")


def _value_order(frame: pd.DataFrame) -> pd.Series:
    return ~(frame["value_low"] > frame["value_high"]).fillna(False)


@dataclass(frozen=True)
class RowRule:
    """A rule over the rows of one table: ``check`` returns True for each valid row."""

    table: str
    field: str
    message: str
    check: Callable[[pd.DataFrame], pd.Series]


ROW_RULES = (
    RowRule("agreements", "end", "ends before it starts: end must not be earlier than start", _not_before("start", "end")),
    RowRule("agreements", "value_high", "value_low is greater than value_high", _value_order),
    RowRule("agreements", "value_low", "value_low, value_high, value_currency and value_qualifier go together: fill all four or none", _same_presence("value_low", "value_high", "value_currency", "value_qualifier")),
    RowRule("agreements", "quantity", "quantity, quantity_unit and quantity_qualifier go together: fill all three or none", _same_presence("quantity", "quantity_unit", "quantity_qualifier")),
    RowRule("agreements", "value_currency", "is not an ISO 4217 currency code", _currency_ok("value_currency")),
    RowRule("actors", "iso3", "a state needs iso3 equal to its actor_id and a cow_code; other actors have neither", _state_codes),
    RowRule("actors", "iso3", "is not an ISO 3166-1 alpha-3 code", _iso3_known),
    RowRule("actors", "cow_code", "does not match the Correlates of War code of the state's iso3", _cow_matches_iso3),
    RowRule("settlement_methods", "currency_code", "currencies and precious metals need an ISO 4217 code; other kinds have none", _currency_for_kind),
    RowRule("settlement_methods", "currency_code", "is not an ISO 4217 currency code", _currency_ok("currency_code")),
    RowRule("sources", "language", "is not an ISO 639-1 language code", _language_ok),
    RowRule("trade_items", "importer_id", "exporter and importer are the same actor", _trade_direction),
)


@dataclass(frozen=True)
class RowProblem:
    """A row of ``table`` (0-based position) that breaks a package rule."""

    table: str
    row: int
    field: str
    message: str


def package_problems(frames: dict[str, pd.DataFrame], primary_keys: dict[str, list[str]]) -> list[RowProblem]:
    """Check the rules that span tables: citations point at real records, every fact is cited,
    and a fact backed only by weak sources is not marked confirmed."""
    problems: list[RowProblem] = []
    citations = frames.get("citations")
    if citations is None:
        return problems
    record_table = citations["record_table"].astype("string")
    record_id = citations["record_id"].astype("string")
    supported: dict[str, set[str]] = {}
    for table in FACT_TABLES:
        if table not in frames:
            continue
        key = primary_keys[table][0]
        ids = frames[table][key].astype("string")
        in_table = (record_table == table).fillna(False)
        exists = is_in(record_id, set(ids.dropna()))
        for row in citations.index[in_table & ~exists]:
            problems.append(RowProblem("citations", row, "record_id", f"\"{record_id[row]}\" is not among the {key} values of {table}"))
        stance = citations["stance"].astype("string")
        supports = in_table & (stance == "supports").fillna(False)
        supported[table] = set(record_id[supports].dropna())
        cited = is_in(ids, supported[table])
        for row in frames[table].index[~cited]:
            problems.append(RowProblem(table, row, key, f"\"{ids[row]}\" has no supporting citation: add a row to tables/citations.csv"))
    sources = frames.get("sources")
    if sources is not None and "reliability" in sources:
        weak = set(sources.loc[(sources["reliability"].astype("string") == "weak").fillna(False), "source_id"].astype(str))
        support_rows = citations[(citations["stance"].astype("string") == "supports").fillna(False)]
        by_record = support_rows.groupby([support_rows["record_table"].astype(str), support_rows["record_id"].astype(str)])["source_id"]
        only_weak = {k for k, s in by_record if set(s.astype(str)) <= weak}
        for table in FACT_TABLES:
            frame = frames.get(table)
            if frame is None or "evidence" not in frame:
                continue
            key = primary_keys[table][0]
            confirmed = (frame["evidence"].astype("string") == "confirmed").fillna(False)
            for row in frame.index[confirmed]:
                if (table, str(frame.at[row, key])) in only_weak:
                    problems.append(RowProblem(table, row, "evidence", "is 'confirmed' but rests only on weak sources: use 'reported' at most"))
    return problems
