"""Everything a Table Schema says about single cells, and this repository's hygiene rules.

Each column is dictionary-encoded once and every check runs on its distinct values; a failing
value is mapped back to its rows only when there is one. Columns of few distinct values (enums,
dates, codes) are then checked almost for free. Each check is one function of :class:`Cells`,
run in the order of :data:`CELL_CHECKS`: a check sees which values passed the ones before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..rules import PARTIAL_DATE, PERIOD, calendar_ok
from .arrays import beyond, canonical_numbers, distinct, duplicates, has_repeats, not_nfc
from .profile import FALSE_VALUES, TRUE_VALUES, TYPE_SHAPES
from .report import quote
from .table import CheckedTable, Collector, column

if TYPE_CHECKING:
    import pyarrow as pa

    from ..model import Field

# Characters that cannot be seen or that reorder text: zero-width, bidirectional controls, BOM.
# Every default-ignorable code point (Unicode's DerivedCoreProperties), not only zero-width spaces
# and bidi controls: soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers,
# Khmer vowels inherent, Mongolian separators, variation selectors, tag characters and the rest.
INVISIBLE = ("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
             "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
# Any of: space at either end, a control character, a leading formula sign.
HYGIENE = r"^[\s\p{Z}]|[\s\p{Z}]$|[\x00-\x1f\x7f]|^[=+@-]|" + INVISIBLE
INT64 = (-(1 << 63), (1 << 63) - 1)  # what the Parquet, SQLite and pandas copies can store
PATTERN_HINTS = {
    PARTIAL_DATE: "is not a date written YYYY, YYYY-MM or YYYY-MM-DD",
    PERIOD: "is not a period written YYYY, YYYY-MM, YYYY-MM-DD or start/end",
    "^[a-z0-9]+(-[a-z0-9]+)*$": "is not a lowercase slug (letters, digits, single hyphens)",
    "^([A-Z]{3}|[a-z0-9]+(-[a-z0-9]+)*)$": "is neither an ISO alpha-3 code nor a lowercase slug",
    "^[A-Z]{3}$": "is not a three-letter upper-case code",
}


@dataclass
class Cells:
    """One column as its checks see it. Flags are per distinct value; ``per_row`` maps them to rows."""

    field: Field
    rows: pa.Array  # every row's cell as written
    values: pa.Array  # the distinct values (the rows themselves when ``indices`` is None)
    indices: pa.Array | None  # each row's index into ``values``
    same_rows: pa.Array  # the rows as they compare (1 and 01 one integer); ``rows`` if no comparison needs it
    same_values: pa.Array  # the distinct values as they compare
    filled: pa.Array  # not empty
    valid: pa.Array  # passed every check so far
    collect: Collector
    key: bool  # part of the primary key
    sole_key: bool  # the whole primary key

    def per_row(self, flags: pa.Array) -> pa.Array:
        import pyarrow.compute as pc

        return flags if self.indices is None else pc.take(flags, self.indices)

    def report(self, code: str, bad: pa.Array, describe: Callable[..., str]) -> None:
        """A problem for each row whose value is flagged in ``bad``; rows are found only on failure."""
        import pyarrow.compute as pc

        if pc.any(pc.fill_null(bad, False)).as_py():
            self.collect.rows(self.field.name, code, self.per_row(bad), describe)

    def keep(self, ok: pa.Array) -> None:
        """Only the values flagged ``ok`` stay valid."""
        import pyarrow.compute as pc

        self.valid = pc.and_(self.valid, ok)

    def quoted(self, row: int) -> str:
        return quote(self.rows[row].as_py())


def check_cells(table: CheckedTable) -> None:
    """Run every cell check on every column; record per column which rows passed (None: all did)."""
    import pyarrow.compute as pc

    collect = Collector(table.problems, table.rel, table.lines)
    key_fields = list(table.model.primary_key)
    linked = {name for fk in table.model.foreign_keys for name in fk.fields}
    for f in table.model.fields:
        cells = _cells(table, f, collect, key_fields, compared=f.name in key_fields or f.unique or f.enum is not None or f.name in linked)
        for check in CELL_CHECKS:
            check(cells)
        valid = pc.fill_null(cells.valid, False)
        table.valid[f.name] = None if pc.all(valid).as_py() else cells.per_row(valid)


def _cells(table: CheckedTable, f: Field, collect: Collector, key_fields: list[str], compared: bool) -> Cells:
    """A column's cells. Keys, uniqueness and enums compare typed values, as Table Schema does:
    1 and 01 are one integer. Messages still quote the cell as written. A plain figure is never
    compared with another, so its text form does not matter."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = column(table.strings, f.name)
    values, indices = distinct(rows)
    same, same_values = rows, values
    if compared and f.type in ("integer", "number"):
        same_values = canonical_numbers(values, f.type)
    elif compared and f.type == "boolean":
        true_words, false_words = _truth_words(f)
        truth = {**{w: "true" for w in true_words}, **{w: "false" for w in false_words}}
        same_values = pa.array([truth.get(v, v) for v in values.to_pylist()], pa.string())
    if same_values is not values:
        same = same_values if indices is None else pc.take(same_values, indices)
    table.codes[f.name] = (values, indices) if same is rows else distinct(same)
    filled = pc.not_equal(values, "")
    return Cells(f, rows, values, indices, same, same_values, filled, filled, collect,
                 key=f.name in key_fields, sole_key=key_fields == [f.name])


def _truth_words(field: Field) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words a boolean field reads as true and as false."""
    return field.true_values or tuple(TRUE_VALUES), field.false_values or tuple(FALSE_VALUES)


def required(c: Cells) -> None:
    if c.field.required or c.key:
        c.report("cell/required", _invert(c.filled), lambda i: "is required but empty: fill it in")


def hygiene(c: Cells) -> None:
    """No spaces at either end, control characters, non-NFC text, invisible characters or formula signs."""
    import pyarrow.compute as pc

    values = c.values
    nfc = not_nfc(values)
    if not pc.any(pc.or_(pc.match_substring_regex(values, HYGIENE), nfc)).as_py():
        return
    spaces = pc.and_(c.filled, pc.match_substring_regex(values, r"^[\s\p{Z}]|[\s\p{Z}]$"))
    c.report("cell/whitespace", spaces, lambda i: f"{c.quoted(i)} has spaces at the start or end: remove them")
    control = pc.match_substring_regex(values, "[\x00-\x1f\x7f]")
    c.report("cell/control-character", control, lambda i: f"{c.quoted(i)} contains a control character (a tab or line break): remove it")
    c.report("cell/not-nfc", nfc, lambda i: f"{c.quoted(i)} is not NFC-normalized Unicode: retype its accented letters or save as NFC")
    invisible = pc.match_substring_regex(values, INVISIBLE)
    c.report("cell/hidden-character", invisible, lambda i: f"{c.quoted(i)} contains an invisible or text-direction character "
                                                           f"({_first_invisible(c.rows[i].as_py())}): remove it")
    if c.field.type == "string":
        formula = pc.match_substring_regex(values, "^[=+@-]")
        c.report("cell/formula", formula, lambda i: f"{c.quoted(i)} starts with {c.rows[i].as_py()[0]!r}, which a spreadsheet would run as a formula: reword it")
    c.keep(_invert(pc.or_(pc.or_(spaces, control), pc.or_(nfc, invisible))))


def _first_invisible(text: str) -> str:
    found = re.search(INVISIBLE, text)
    return f"U+{ord(found.group()):04X}" if found else "unknown"  # e.g. U+00AD, a soft hyphen


def data_type(c: Cells) -> None:
    """A filled cell is written as a value of its type; an integer fits 64 bits; a date is real."""
    import pyarrow.compute as pc

    shape, shape_name = _type_shape(c.field)
    if shape is None:
        return
    matches = pc.match_substring_regex(c.values, shape)
    c.report("cell/type", pc.and_(c.filled, _invert(matches)), lambda i: f"{c.quoted(i)} is not {shape_name}")
    c.keep(matches)
    if c.field.type == "integer":
        _within_64_bits(c)
    if c.field.type == "date":
        _real_dates(c)


def _type_shape(field: Field) -> tuple[str | None, str]:
    """The regular expression a non-empty cell of this type must match, and its name."""
    if field.type == "boolean":
        words = [w for group in _truth_words(field) for w in group]
        return "^(" + "|".join(re.escape(w) for w in words) + ")$", "a boolean (" + ", ".join(words) + ")"
    return TYPE_SHAPES.get(field.type, (None, ""))


def _within_64_bits(c: Cells) -> None:
    """Beyond 64 bits no copy (Parquet, SQLite, pandas, Stata) can hold an integer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = c.values
    long = pc.and_(c.valid, pc.greater(pc.utf8_length(pc.utf8_ltrim(values, characters="+-0")), 18))
    wide = pa.array([bool(x) and not INT64[0] <= int(values[i].as_py()) <= INT64[1]
                     for i, x in enumerate(long.to_pylist())], pa.bool_()) if pc.any(long).as_py() else long
    c.report("cell/integer-range", wide, lambda i: f"{c.quoted(i)} is beyond the 64-bit integers this package stores")
    c.keep(_invert(wide))


def _real_dates(c: Cells) -> None:
    """A well-formed date (or partial date, or period) is a real calendar date between 1800 and 2100."""
    import pyarrow as pa
    import pyarrow.compute as pc

    real = calendar_ok(pc.if_else(c.valid, c.values, pa.nulls(1, pa.string())[0]))
    c.report("cell/date", pc.and_(c.valid, _invert(real)), lambda i: f"{c.quoted(i)} is not a real calendar date between 1800 and 2100")
    c.keep(real)


def enum(c: Cells) -> None:
    """A filled cell is one of the allowed values, compared as its type (01 is the integer 1)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if c.field.enum is None:
        return
    allowed = [str(v).lower() if isinstance(v, bool) else str(v) for v in c.field.enum]
    kind = c.field.type
    typed_allowed = canonical_numbers(pa.array(allowed, pa.string()), kind) if kind in ("integer", "number") else pa.array(allowed, pa.string())
    inside = pc.is_in(c.same_values, value_set=typed_allowed)
    c.report("cell/enum", pc.and_(c.filled, _invert(inside)), lambda i: f"{c.quoted(i)} is not one of {', '.join(allowed)}")
    c.keep(inside)


def pattern(c: Cells) -> None:
    """A filled cell matches the whole pattern; a date pattern's match is a real date."""
    import pyarrow.compute as pc

    if c.field.pattern is None:
        return
    matches = pc.match_substring_regex(c.values, f"^(?:{c.field.pattern})$")
    hint = PATTERN_HINTS.get(c.field.pattern, f"does not match the pattern {c.field.pattern}")
    c.report("cell/pattern", pc.and_(c.filled, _invert(matches)), lambda i: f"{c.quoted(i)} {hint}")
    c.keep(matches)
    if c.field.pattern in (PARTIAL_DATE, PERIOD):
        _real_dates(c)


def bounds(c: Cells) -> None:
    """A valid number, integer or year is not below its minimum nor above its maximum."""
    import pyarrow as pa
    import pyarrow.compute as pc

    f = c.field
    if f.type not in ("integer", "number", "year"):
        return
    for bound, limit, word, code in (("minimum", f.minimum, "below", "cell/minimum"), ("maximum", f.maximum, "above", "cell/maximum")):
        if limit is None:
            continue
        out_of_range = beyond(pc.if_else(c.valid, c.values, pa.nulls(1, pa.string())[0]), limit, f.type, bound == "minimum")
        c.report(code, out_of_range, lambda i, b=bound, w=word, x=limit: f"{c.rows[i].as_py()} is {w} the {b} {x}")
        c.keep(_invert(out_of_range))


def lengths(c: Cells) -> None:
    """A filled cell is not shorter than its minLength nor longer than its maxLength."""
    import pyarrow.compute as pc

    for bound, length, compare, word, code in (("minLength", c.field.min_length, pc.less, "shorter", "cell/min-length"),
                                               ("maxLength", c.field.max_length, pc.greater, "longer", "cell/max-length")):
        if length is not None:
            too = pc.and_(c.filled, compare(pc.utf8_length(c.values), int(length)))
            c.report(code, too, lambda i, b=bound, w=word, x=length: f"{c.quoted(i)} is {w} than the {b} {x}")
            c.keep(_invert(too))


def unique(c: Cells) -> None:
    """A value of a unique field, or of a one-field primary key, appears once (compared as its type)."""
    import pyarrow.compute as pc

    if not (c.field.unique or c.sole_key):
        return
    typed = c.same_rows is not c.rows
    if has_repeats(c.same_rows, c.same_values if typed else c.values, None if typed else c.indices):
        duplicates(c.collect, c.field.name, "key/duplicate" if c.sole_key else "cell/unique", c.same_rows, pc.not_equal(c.rows, ""),
                   lambda i: f"{c.quoted(i)} appears more than once; it must be unique")


def _invert(flags: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    return pc.invert(flags)


CELL_CHECKS: tuple[Callable[[Cells], None], ...] = (required, hygiene, data_type, enum, pattern, bounds, lengths, unique)
