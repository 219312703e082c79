"""Rules that a Table Schema cannot state: calendar dates, cross-field and cross-table rules.

Each rule is written once. The validator runs them over the whole package and
reports the failing rows by line; :func:`alliance_data.schema` wraps the row rules
as pandera checks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

PARTIAL_DATE = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
YEARS = (1800, 2100)  # a date outside these years is a typo in this dataset (0000, 9999)
PERIOD = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$"
# The founding article: a source of the data, never counted as an independent original.
FOUNDING_ARTICLE = "founding-article"
# Tables whose every row must carry a supporting citation.
FACT_TABLES = (
    "actors",
    "agreements",
    "events",
    "trade_items",
    "settlement_methods",
    "frictions",
    "observations",
    "votes",
)


def calendar_ok(values: pa.Array) -> pa.Array:
    """Return, per partial date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), whether it is a real date.

    ``2023-02-30``, ``2023-13`` and years outside 1800-2100 fail; nulls pass (required
    is checked elsewhere).
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
    year = pc.cast(pc.utf8_slice_codeunits(values, 0, 4), pa.int64(), safe=False) if len(values) else pa.array([], pa.int64())
    plausible = pc.and_(pc.greater_equal(year, YEARS[0]), pc.less_equal(year, YEARS[1]))
    return pc.or_kleene(pc.is_null(values), pc.fill_null(pc.and_(same, plausible), False))


# Row rules take an Arrow table (enums as plain strings, missing cells null) and
# return one boolean per row: True where the row keeps the rule.

def _same_presence(*columns: str) -> Callable[[pa.Table], pa.Array]:
    def check(table: pa.Table) -> pa.Array:
        import pyarrow.compute as pc

        present = [pc.is_valid(table[c]) for c in columns]
        count = present[0].cast("int8")
        for p in present[1:]:
            count = pc.add(count, p.cast("int8"))
        return pc.or_(pc.equal(count, 0), pc.equal(count, len(columns)))

    return check


def _not_before(start: str, end: str) -> Callable[[pa.Table], pa.Array]:
    def check(table: pa.Table) -> pa.Array:
        import pyarrow.compute as pc

        a, b = table[start], table[end]
        # Compare at the coarser of the two precisions: 2022-08 is not after 2022-08-15.
        width = pc.min_element_wise(pc.utf8_length(a), pc.utf8_length(b))
        ok = pc.or_(pc.is_null(a), pc.is_null(b))
        for w in (4, 7, 10):
            later = pc.greater_equal(pc.utf8_slice_codeunits(b, 0, w), pc.utf8_slice_codeunits(a, 0, w))
            ok = pc.or_kleene(ok, pc.and_kleene(pc.equal(width, w), later))
        return pc.fill_null(ok, False)

    return check


def _in_code_list(column: str, codes: Callable[[], set[str]]) -> Callable[[pa.Table], pa.Array]:
    def check(table: pa.Table) -> pa.Array:
        import pyarrow as pa
        import pyarrow.compute as pc

        values = table[column]
        return pc.or_(pc.is_null(values), pc.is_in(values, value_set=pa.array(sorted(codes()), pa.string())))

    return check


@functools.lru_cache(maxsize=1)
def _currencies() -> set[str]:
    import pycountry

    return {c.alpha_3 for c in pycountry.currencies}


@functools.lru_cache(maxsize=1)
def _countries() -> set[str]:
    import pycountry

    # A state that no longer exists (the Soviet Union) keeps its ISO 3166-3 former alpha-3 code.
    return {c.alpha_3 for c in pycountry.countries} | _historic_countries().keys()


@functools.lru_cache(maxsize=1)
def _historic_countries() -> dict[str, str]:
    """Former ISO 3166 alpha-3 codes (ISO 3166-3) no current country uses, with their names."""
    import pycountry

    current = {c.alpha_3 for c in pycountry.countries}
    return {c.alpha_3: c.name for c in pycountry.historic_countries if c.alpha_3 not in current}


@functools.lru_cache(maxsize=1)
def _languages() -> set[str]:
    import pycountry

    return {getattr(lang, "alpha_2", "") for lang in pycountry.languages} - {""}


def _state_codes(table: pa.Table) -> pa.Array:
    import pyarrow.compute as pc

    is_state = pc.fill_null(pc.equal(table["kind"], "state"), False)
    has_codes = pc.and_(pc.is_valid(table["iso3"]), pc.is_valid(table["cow_code"]))
    iso3_is_id = pc.fill_null(pc.equal(table["iso3"], table["actor_id"]), False)
    no_codes = pc.and_(pc.is_null(table["iso3"]), pc.is_null(table["cow_code"]))
    return pc.or_(pc.and_(is_state, pc.and_(has_codes, iso3_is_id)), pc.and_(pc.invert(is_state), no_codes))


def _cow_matches_iso3(table: pa.Table) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    iso3 = table["iso3"]
    known = pc.unique(pc.drop_null(iso3)).to_pylist()
    if not known:
        return pc.is_null(iso3)
    expected = cow_codes(known)
    expected = pa.array(expected, pa.int64())
    expected_per_row = pc.take(expected, pc.index_in(iso3, value_set=pa.array(known, pa.string())))
    same = pc.equal(expected_per_row, table["cow_code"])
    both = pc.and_(pc.is_valid(iso3), pc.is_valid(table["cow_code"]))
    return pc.or_(pc.invert(both), pc.fill_null(same, False))


def cow_codes(iso3: list[str]) -> list[int | None]:
    """Correlates of War codes of ISO 3166-1 alpha-3 codes, from the countrycode package's code list.

    The list is read from the package's data file: importing the countrycode module would
    also import pandas and Polars (to accept their frames), which plain lists do not need.
    """
    codes = _countrycode_list()
    if codes is None:  # the data file moved: ask the module, whatever it imports
        from countrycode import countrycode

        return [None if code is None else int(code) for code in countrycode(iso3, origin="iso3c", destination="cown")]
    cown = dict(zip(codes["iso3c"], codes["cown"], strict=False))
    historic = _historic_countries()
    for code in set(iso3) - cown.keys():
        if code in historic:  # countrycode finds a former state by its name, not by a code
            cown[code] = _cown_by_name(codes, historic[code])
    return [None if cown.get(code) is None else int(cown[code]) for code in iso3]


def _cown_by_name(codes: dict[str, list[Any]], name: str) -> int | None:
    """The COW code of the first countrycode row whose English name pattern matches ``name``."""
    import re

    for pattern, cown in zip(codes["country.name.en.regex"], codes["cown"], strict=False):
        if pattern and cown is not None and re.search(pattern, name, re.IGNORECASE):
            return int(cown)
    return None


@functools.lru_cache(maxsize=1)
def _countrycode_list() -> dict[str, list[Any]] | None:
    """countrycode's code list (a dict of columns), found without importing the package."""
    import importlib.util
    import pickle
    from pathlib import Path

    spec = importlib.util.find_spec("countrycode")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / "codelist.pickle"
    if not data.is_file():
        return None
    codes = pickle.loads(data.read_bytes())  # the installed package's own file
    return codes if isinstance(codes, dict) and "iso3c" in codes and "cown" in codes else None


def _currency_for_kind(table: pa.Table) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    kinds = pa.array(["national_currency", "third_country_currency", "precious_metal"])
    needs = pc.is_in(table["kind"], value_set=kinds)
    return pc.equal(needs, pc.is_valid(table["currency_code"]))


def _trade_direction(table: pa.Table) -> pa.Array:
    import pyarrow.compute as pc

    return pc.fill_null(pc.not_equal(table["exporter_id"], table["importer_id"]), True)


def _value_order(table: pa.Table) -> pa.Array:
    import pyarrow.compute as pc

    return pc.invert(pc.fill_null(pc.greater(table["value_low"], table["value_high"]), False))


@dataclass(frozen=True)
class RowRule:
    """A rule over the rows of one table: ``check`` returns True for each valid row."""

    table: str
    field: str
    requirement: str  # the rule, as the codebook states it
    message: str  # what a breaking row is told
    check: Callable[[pa.Table], pa.Array]
    code: str  # the validator's problem code for a breaking row


def _status_needs_agreement(table: pa.Table) -> pa.Array:
    import pyarrow.compute as pc

    return pc.or_(pc.is_null(table["sets_status"]), pc.is_valid(table["agreement_id"]))


def _flow_parties(table: pa.Table) -> pa.Array:
    import pyarrow.compute as pc

    one_way = pc.fill_null(pc.is_in(table["flow"], value_set=_array(["exports", "imports"])), False)
    both = pc.and_(pc.is_valid(table["exporter_id"]), pc.is_valid(table["importer_id"]))
    neither = pc.and_(pc.is_null(table["exporter_id"]), pc.is_null(table["importer_id"]))
    differ = pc.fill_null(pc.not_equal(table["exporter_id"], table["importer_id"]), True)
    return pc.if_else(one_way, pc.and_(both, differ), neither)


# Indicators of goods, money or energy moving between the two: each needs a flow.
TRADE_INDICATORS = ("bilateral_trade_turnover", "bilateral_trade_turnover_change", "trade_value", "trade_value_change",
                    "grain_exports", "farm_exports", "farm_trade", "vehicle_exports", "arms_transfers", "gas_supply",
                    "oil_products_swap", "credit", "investment")


def _flow_for_trade(table: pa.Table) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    trade = pc.is_in(table["indicator"], value_set=pa.array(TRADE_INDICATORS))
    has_flow = pc.is_valid(table["flow"])
    # Other figures (the settlement share, cargo, visitors, drones) have none, or a direction only.
    direction_only = pc.and_(has_flow, pc.not_equal(table["flow"], "turnover"))
    return pc.if_else(trade, has_flow, pc.or_(pc.invert(has_flow), pc.fill_null(direction_only, False)))


def _root_is_prefix(table: pa.Table) -> pa.Array:
    import pyarrow.compute as pc

    return pc.equal(table["root_code"], pc.utf8_slice_codeunits(table["cameo_code"], 0, 2))


def _array(values: list[str]) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, pa.string())


def _span_and_value_rules(table: str, start: str, end: str) -> tuple[RowRule, ...]:
    """The rules a table with a span of dates, a value and a quantity keeps (agreements, events)."""
    return (
        RowRule(table, end, f"{end} is not earlier than {start}", f"ends before it starts: {end} must not be earlier than {start}", _not_before(start, end),
                code="row/ends-before-start"),
        RowRule(table, "value_high", "value_low is not greater than value_high", "value_low is greater than value_high", _value_order, code="row/value-order"),
        RowRule(table, "value_low", "value_low, value_high, value_currency and value_qualifier are all filled or all empty",
                "value_low, value_high, value_currency and value_qualifier go together: fill all four or none",
                _same_presence("value_low", "value_high", "value_currency", "value_qualifier"), code="row/value-incomplete"),
        RowRule(table, "quantity", "quantity, quantity_unit and quantity_qualifier are all filled or all empty",
                "quantity, quantity_unit and quantity_qualifier go together: fill all three or none", _same_presence("quantity", "quantity_unit", "quantity_qualifier"),
                code="row/quantity-incomplete"),
        RowRule(table, "value_currency", "is an ISO 4217 currency code", "is not an ISO 4217 currency code", _in_code_list("value_currency", _currencies),
                code="code/currency"),
    )


ROW_RULES = (
    *_span_and_value_rules("agreements", "start", "end"),
    RowRule("actors", "iso3", "a state has iso3 equal to its actor_id and a cow_code; other actors have neither",
            "a state needs iso3 equal to its actor_id and a cow_code; other actors have neither", _state_codes, code="row/state-codes"),
    RowRule("actors", "iso3", "is an ISO 3166-1 alpha-3 code", "is not an ISO 3166-1 alpha-3 code", _in_code_list("iso3", _countries), code="code/country"),
    RowRule("actors", "cow_code", "is the Correlates of War code of the state's iso3", "does not match the Correlates of War code of the state's iso3", _cow_matches_iso3, code="code/cow"),
    RowRule("settlement_methods", "currency_code", "filled (ISO 4217) for currencies and precious metals, empty for other kinds",
            "currencies and precious metals need an ISO 4217 code; other kinds have none", _currency_for_kind, code="row/settlement-currency"),
    RowRule("settlement_methods", "currency_code", "is an ISO 4217 currency code", "is not an ISO 4217 currency code", _in_code_list("currency_code", _currencies), code="code/currency"),
    RowRule("sources", "language", "is an ISO 639-1 language code", "is not an ISO 639-1 language code", _in_code_list("language", _languages), code="code/language"),
    *_span_and_value_rules("events", "date", "date_end"),
    RowRule("events", "sets_status", "only an event of an agreement (agreement_id filled) sets a status",
            "sets a status but names no agreement_id", _status_needs_agreement, code="row/status-without-agreement"),
    RowRule("observations", "flow", "filled for trade indicators (goods, money, energy); for other figures empty, or a direction (exports, imports) only",
            "trade figures need a flow (turnover, exports or imports); other figures have none, or a direction only", _flow_for_trade,
            code="row/trade-flow"),
    RowRule("observations", "exporter_id", "exporter_id and importer_id are filled, and differ, for a one-way flow (exports, imports), and empty otherwise",
            "a one-way flow (exports, imports) names a different exporter_id and importer_id; turnover and shares name neither", _flow_parties,
            code="row/flow-parties"),
    RowRule("cameo_codes", "root_code", "is the first two digits of cameo_code", "is not the first two digits of cameo_code", _root_is_prefix, code="row/cameo-root"),
    RowRule("trade_items", "importer_id", "differs from exporter_id", "exporter and importer are the same actor", _trade_direction, code="row/same-trade-parties"),
)


def rule_check_for_pandas(rule: RowRule) -> Callable[[pd.DataFrame], pd.Series]:
    """Wrap a row rule for pandera: DataFrame in, boolean Series out."""

    def check(frame: pd.DataFrame) -> pd.Series:
        import pandas as pd
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = pa.table({
            name: column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
            for name, column in zip(table.column_names, table.columns, strict=False)
        })
        result = rule.check(table)
        return pd.Series(result.to_numpy(zero_copy_only=False), index=frame.index)

    return check


@dataclass(frozen=True)
class RowProblem:
    """A row of ``table`` (0-based position) that breaks a package rule, with the validator's problem code."""

    table: str
    row: int
    field: str
    message: str
    code: str


def package_problems(tables: dict[str, pa.Table], primary_keys: dict[str, list[str]]) -> list[RowProblem]:
    """Check the rules that span tables, on the tables' text cells (empty = missing):
    citations point at real records and every fact row has a supporting citation (the
    evidence each row claims is checked in :mod:`alliance_data.semantics`)."""
    import pyarrow.compute as pc

    problems: list[RowProblem] = []
    citations = tables.get("citations")
    if citations is None:
        return problems
    record_table = citations["record_table"].combine_chunks()
    record_id = citations["record_id"].combine_chunks()
    supports = pc.equal(citations["stance"], "supports")
    for table in FACT_TABLES:
        if table not in tables:
            continue
        key = primary_keys[table][0]
        ids = tables[table][key].combine_chunks()
        rows = pc.indices_nonzero(pc.equal(record_table, table))  # this table's citations
        cited = pc.take(record_id, rows)
        problems += [RowProblem("citations", row, "record_id", f"\"{record_id[row]}\" is not among the {key} values of {table}",
                                code="citation/unknown-record")
                     for row in pc.filter(rows, pc.invert(pc.is_in(cited, value_set=ids))).to_pylist()]
        backing = pc.take(supports, rows)
        cited_ids = pc.filter(cited, backing)
        uncited = pc.invert(pc.is_in(ids, value_set=cited_ids))
        problems += [RowProblem(table, row, key, f"\"{ids[row]}\" has no supporting citation: add a row to tables/citations.csv",
                                code="evidence/uncited")
                     for row in pc.indices_nonzero(uncited).to_pylist()]
    return problems
