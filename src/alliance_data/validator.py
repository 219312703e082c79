"""Validate a data package folder and name every problem to its file, line and field.

The checks are vectorized with pyarrow: what the Table Schemas say (types, required,
unique, enum, pattern, ranges, primary and foreign keys, header), file hygiene, the
rules of :mod:`alliance_data.rules`, and the freshness of the generated files.
Nothing here writes a file or touches the network.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .errors import CannotValidate
from ._package import DERIVED, DESCRIPTOR, safe_relative_path

from .codebook import CODEBOOK
from .arrow_io import same_content
from .model import Field, Table, key_names
from .codebook import render as render_codebook
from .derived import DYAD_YEAR, DYAD_YEAR_DIRECTED, DYAD_YEAR_INPUTS, panels_csv
from . import semantics
from .rules import PARTIAL_DATE, PERIOD, ROW_RULES, calendar_ok, package_problems

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import pyarrow as pa

BOM = b"\xef\xbb\xbf"
# The keywords this repository's profile allows: the Data Package and Table Schema
# standards' own, plus `enumDescriptions` (the meaning of each allowed value). Anything
# else is a typo that would silently switch a check off, so it is an error.
PACKAGE_KEYWORDS = {"profile", "name", "id", "title", "description", "homepage", "version", "created",
                    "keywords", "licenses", "contributors", "sources", "image", "resources"}
RESOURCE_KEYWORDS = {"name", "path", "schema", "profile", "title", "description", "format", "mediatype", "encoding",
                     "bytes", "hash", "sources", "licenses", "type"}
SCHEMA_KEYWORDS = {"fields", "primaryKey", "foreignKeys", "missingValues", "title", "description"}
# Keys a reader dereferences (and frictionless would fetch, were they remote): never honoured here.
FETCHED_KEYS = {
    "$ref": "is a JSON reference; this package holds its descriptors whole, so nothing is looked up elsewhere",
    "$schema": "names a profile to fetch; this package's profile is fixed (remove it)",
    "dialect": "is not supported: every table is comma-separated UTF-8 CSV with double quotes (RFC 4180); remove it",
    "scheme": "is not supported: tables are files inside the package folder; remove it",
    "compression": "is not supported: tables are plain CSV files; remove it",
}
PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
FIXED_VALUES = {"format": {"csv"}, "mediatype": {"text/csv"}, "encoding": {"utf-8"}, "type": {"table"}}
FIELD_KEYWORDS = {"name", "type", "format", "title", "description", "constraints", "rdfType", "example",
                  "trueValues", "falseValues", "enumDescriptions"}
CONSTRAINT_KEYWORDS = {"required", "unique", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum"}
FOREIGN_KEY_KEYWORDS = {"fields", "reference"}
REFERENCE_KEYWORDS = {"resource", "fields"}
# Characters that cannot be seen or that reorder text: zero-width, bidirectional controls, BOM.
# Every default-ignorable code point (Unicode's DerivedCoreProperties), not only zero-width spaces
# and bidi controls: soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers,
# Khmer vowels inherent, Mongolian separators, variation selectors, tag characters and the rest.
INVISIBLE = ("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
             "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")

REBUILD = "run alliance-data build . (it validates, then regenerates)"
MAX_PER_FIELD = 50  # more problems of one kind in one column are counted, not listed
MAX_TABLE_BYTES = 1 << 30  # 1 GiB: a larger CSV is refused before it is read
MAX_COLUMNS = 1000  # a header with more columns is refused before its rows are parsed
MAX_DEPTH = 32  # lists and objects nested deeper in a descriptor or schema are refused
INT64 = (-(1 << 63), (1 << 63) - 1)  # what the Parquet, SQLite and pandas copies can store
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
PATTERN_HINTS = {
    PARTIAL_DATE: "is not a date written YYYY, YYYY-MM or YYYY-MM-DD",
    PERIOD: "is not a period written YYYY, YYYY-MM, YYYY-MM-DD or start/end",
    "^[a-z0-9]+(-[a-z0-9]+)*$": "is not a lowercase slug (letters, digits, single hyphens)",
    "^([A-Z]{3}|[a-z0-9]+(-[a-z0-9]+)*)$": "is neither an ISO alpha-3 code nor a lowercase slug",
    "^[A-Z]{3}$": "is not a three-letter upper-case code",
}
TYPE_SHAPES = {
    "string": (None, ""),
    "integer": (r"^[+-]?[0-9]+$", "an integer"),
    # Table Schema also allows NaN, INF and -INF; no figure here is one, so they are refused.
    "number": (r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$", "a finite number (NaN and infinities are not figures)"),
    "date": (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "a date written YYYY-MM-DD"),
    "year": (r"^[0-9]{4}$", "a year written YYYY"),
}
# Any of: space at either end, a control character, a leading formula sign.
HYGIENE = r"^[\s\p{Z}]|[\s\p{Z}]$|[\x00-\x1f\x7f]|^[=+@-]|" + INVISIBLE
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: the file (relative to the package folder), the physical line
    (0 when it concerns the whole file), the field, and what is wrong."""

    path: str
    line: int
    field: str
    message: str
    generated: bool = dataclass_field(default=False, compare=False)
    more: int = dataclass_field(default=0, compare=False)  # an "... and N more" line stands for N problems

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class Report:
    """What :func:`validate` found."""

    root: Path
    problems: list[Problem]
    tables: int = 0
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        """The true number of problems, counting those an "... and N more" line stands for."""
        return sum(p.more or 1 for p in self.problems)


QUOTE_LIMIT = 200  # characters of a value shown in a message; a longer one is cut


def _quote(value: Any) -> str:
    """A value as it appears in a message: JSON-quoted, a long text cut with its length."""
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        return f"{json.dumps(value[:QUOTE_LIMIT // 2], ensure_ascii=False)[:-1]}…\" ({len(value):,} characters)"
    return json.dumps(value, ensure_ascii=False)


def _json_problem(rel: str, error: json.JSONDecodeError) -> Problem:
    return Problem(rel, error.lineno, "", f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")


def _read_json(root: Path, rel: str) -> tuple[Any, list[Problem]]:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        return dict(items)

    try:
        value = json.loads((root / rel).read_text(encoding="utf-8"), object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        return None, [_json_problem(rel, error)]
    except RecursionError:
        return None, [Problem(rel, 0, "", "is nested too deeply to be a descriptor or a Table Schema")]
    except UnicodeDecodeError:
        return None, [Problem(rel, 0, "", "is not valid UTF-8: save it as UTF-8")]
    except OSError as error:
        return None, [Problem(rel, 0, "", f"cannot be read: {error.strerror}")]
    if duplicates:
        return None, [Problem(rel, 0, key, "appears twice in one object; JSON keeps only the last, so remove one") for key in duplicates]
    if _depth(value) > MAX_DEPTH:
        return None, [Problem(rel, 0, "", f"is nested more than {MAX_DEPTH} levels deep: no descriptor or Table Schema here needs that")]
    return value, []


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iterative: no recursion limit)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                todo.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


@dataclass
class _Table:
    name: str
    rel: str
    model: Table  # the schema, typed: built once its shape has been checked
    strings: pa.Table
    lines: np.ndarray
    valid: dict[str, pa.Array | None]  # per column, per row: the cell passed its checks (None: all did)
    problems: list[Problem]
    digest: str = ""  # sha256 of the file as read
    size: int = 0
    codes: dict[str, tuple[pa.Array, pa.Array]] = dataclass_field(default_factory=dict)  # distinct values, row indices


class _Collector:
    """Collects problems for one column, listing at most MAX_PER_FIELD of each kind."""

    def __init__(self, out: list[Problem], rel: str, lines: np.ndarray) -> None:
        self.out, self.rel, self.lines = out, rel, lines

    def rows(self, field_name: str, bad: pa.Array, describe: Callable[..., str]) -> None:
        import numpy as np
        import pyarrow.compute as pc

        bad = pc.fill_null(bad, False)
        if not pc.any(bad).as_py():
            return
        indices = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
        for i in indices[:MAX_PER_FIELD]:
            self.out.append(Problem(self.rel, int(self.lines[i]), field_name, describe(int(i))))
        if len(indices) > MAX_PER_FIELD:
            rest = len(indices) - MAX_PER_FIELD
            self.out.append(Problem(self.rel, int(self.lines[indices[MAX_PER_FIELD]]), field_name, f"... and {rest} more like the above", more=rest))


def _physical_lines(strings: pa.Table, text_newlines: int) -> np.ndarray:
    """Physical line of each record: line 1 is the header; quoted line breaks shift the rest."""
    import numpy as np
    import pyarrow.compute as pc

    n = strings.num_rows
    base = np.arange(n, dtype=np.int64) + 2
    if text_newlines <= n + 1:
        return base
    extra = np.zeros(n, dtype=np.int64)
    for column in strings.columns:
        extra += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False).astype(np.int64)
    lines: np.ndarray = base + np.concatenate([[0], np.cumsum(extra)[:-1]])
    return lines


def _past_blanks(lines: np.ndarray, blanks: list[int]) -> np.ndarray:
    """Line numbers counted without the blank lines, turned back into the file's own."""
    import numpy as np

    if not blanks:
        return lines
    out = np.array(lines, dtype=np.int64)
    for blank in sorted(blanks):  # each blank line pushes the lines at or after it down by one
        out[out >= blank] += 1
    return out


def _locate_bad_row(text: str, width: int) -> tuple[int, int]:
    reader = csv.reader(io.StringIO(text))
    start = 1
    for row in reader:
        if len(row) != width:
            return start, len(row)
        start = reader.line_num + 1
    return 0, width


def unknown_keywords(rel: str, where: str, value: Any, allowed: set[str]) -> list[Problem]:
    """Keywords outside this repository's profile, each with the nearest allowed one as a hint."""
    import difflib

    if not isinstance(value, dict):
        return []
    problems = []
    for key in value:
        if key in allowed:
            continue
        near = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6) or \
            [k for k in sorted(allowed) if k.lower() == key.lower()]
        hint = f": did you mean {near[0]}?" if near else f"; allowed here: {', '.join(sorted(allowed))}"
        problems.append(Problem(rel, 0, f"{where}{key}" if where else key, f"is not a keyword of this profile{hint}"))
    return problems


def fetched_references(rel: str, value: Any, where: str = "") -> list[Problem]:
    """Every key in a descriptor or schema that would make a reader fetch or open something
    outside the package: ``$ref``, ``$schema``, ``dialect`` and friends anywhere, and a
    ``profile`` that is not one of the standard's registered names."""
    problems: list[Problem] = []
    if isinstance(value, list):
        for number, item in enumerate(value):
            named = where == "resources" and isinstance(item, dict) and isinstance(item.get("name"), str)
            problems += fetched_references(rel, item, item["name"] if named else f"{where}[{number}]")
    if not isinstance(value, dict):
        return problems
    for key, item in value.items():
        label = f"{where}.{key}" if where else str(key)
        if key in FETCHED_KEYS:
            problems.append(Problem(rel, 0, label, FETCHED_KEYS[key]))
        elif key == "profile" and item not in PROFILES:
            problems.append(Problem(rel, 0, label, f"{_quote(item)} is not a registered profile name ({', '.join(sorted(PROFILES))}): "
                                    "a URL or a path would be fetched, so it is refused"))
        elif isinstance(item, (dict, list)) and key not in ("enumDescriptions", "example"):
            problems += fetched_references(rel, item, label)
    return problems


def _fixed_values(label: str, resource: dict[str, Any]) -> list[Problem]:
    """A resource's format, media type, encoding and type, where given, are the ones this package reads."""
    return [Problem(DESCRIPTOR, 0, f"{label}.{key}", f"{_quote(resource[key])} is not supported: use {' or '.join(sorted(allowed))}")
            for key, allowed in FIXED_VALUES.items()
            if key in resource and str(resource[key]).lower() not in allowed]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf")


def _regex_problem(pattern: Any) -> str | None:
    """Why a pattern cannot be used (Python's and pyarrow's regular expression engines both run it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(pattern, str):
        return "must be a string"
    try:
        re.compile(pattern)
        pc.match_substring_regex(pa.nulls(1, pa.string()), f"^(?:{pattern})$")  # compiles it, builds nothing
    except (re.error, pa.ArrowInvalid) as error:
        return f"is not a regular expression this validator can run (no look-arounds or back-references): {error}"
    return None


def _schema_problems(rel: str, schema: Any, resource_names: set[str]) -> list[Problem]:
    """Problems with a Table Schema itself, so that checking the data cannot trip over it."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        return [Problem(rel, 0, "fields", "a Table Schema needs a non-empty list of fields")]
    if len(schema["fields"]) > MAX_COLUMNS:
        return [Problem(rel, 0, "fields", f"has {len(schema['fields']):,} fields, more than the {MAX_COLUMNS:,} a table here may have")]
    problems = unknown_keywords(rel, "", schema, SCHEMA_KEYWORDS)
    if "missingValues" in schema and schema["missingValues"] != [""]:
        problems.append(Problem(rel, 0, "missingValues", f"{_quote(schema['missingValues'])} is not supported: only an empty cell is missing here "
                                "(the standard's default, [\"\"]); write missing values as empty cells"))
    key = schema.get("primaryKey")
    if not (isinstance(key, str) or (isinstance(key, list) and key and all(isinstance(k, str) for k in key))):
        problems.append(Problem(rel, 0, "primaryKey", "every table here needs a primary key: a field name or a list of them"))
    for number, fk in enumerate(schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys", []), list) else []):
        problems += unknown_keywords(rel, f"foreignKeys[{number}].", fk, FOREIGN_KEY_KEYWORDS)
        if isinstance(fk, dict):
            problems += unknown_keywords(rel, f"foreignKeys[{number}].reference.", fk.get("reference"), REFERENCE_KEYWORDS)
    names = []
    for number, f in enumerate(schema["fields"]):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            problems.append(Problem(rel, 0, f"fields[{number}]", "a field needs a name"))
            continue
        names.append(f["name"])
        problems += unknown_keywords(rel, f"{f['name']}.", f, FIELD_KEYWORDS)
        problems += unknown_keywords(rel, f"{f['name']}.constraints.", f.get("constraints"), CONSTRAINT_KEYWORDS)
        if f.get("type", "string") not in TYPE_SHAPES and f.get("type") != "boolean":
            problems.append(Problem(rel, 0, f["name"], f"type {_quote(f.get('type'))} is not one of {', '.join([*TYPE_SHAPES, 'boolean'])}"))
        constraints = f.get("constraints", {})
        if not isinstance(constraints, dict):
            problems.append(Problem(rel, 0, f["name"], "constraints must be an object"))
            continue
        if "enum" in constraints and not isinstance(constraints["enum"], list):
            problems.append(Problem(rel, 0, f["name"], "enum must be a list"))
        elif "enum" in constraints:
            texts = [json.dumps(v, sort_keys=True) for v in constraints["enum"]]
            twice = sorted({t for t in texts if texts.count(t) > 1})
            if twice:  # an export would make two codes of one value (a Stata label, a code table row)
                problems.append(Problem(rel, 0, f["name"], f"enum lists {', '.join(twice)} more than once: list each value once"))
        if "pattern" in constraints:
            why = _regex_problem(constraints["pattern"])
            if why:
                problems.append(Problem(rel, 0, f["name"], f"pattern {_quote(constraints['pattern'])} {why}"))
        for bound in ("minimum", "maximum"):
            if bound in constraints and not _is_number(constraints[bound]):
                problems.append(Problem(rel, 0, f["name"], f"{bound} {_quote(constraints[bound])} must be a number"))
        for bound in ("minLength", "maxLength"):
            if bound in constraints and not (isinstance(constraints[bound], int) and not isinstance(constraints[bound], bool) and constraints[bound] >= 0):
                problems.append(Problem(rel, 0, f["name"], f"{bound} {_quote(constraints[bound])} must be a whole number, 0 or more"))
    if len(set(names)) != len(names):
        problems.append(Problem(rel, 0, "fields", "field names must be unique"))
    for key in key_names(schema.get("primaryKey", [])):
        if key not in names:
            problems.append(Problem(rel, 0, "primaryKey", f"{_quote(key)} is not a field"))
    for fk in schema.get("foreignKeys", []):
        fields = fk.get("fields") if isinstance(fk, dict) else None
        fields = [fields] if isinstance(fields, str) else fields
        reference = fk.get("reference", {}) if isinstance(fk, dict) else {}
        if not fields or not isinstance(reference, dict) or not reference.get("fields"):
            problems.append(Problem(rel, 0, "foreignKeys", "each foreign key needs fields and reference.fields"))
            continue
        for name in fields:
            if name not in names:
                problems.append(Problem(rel, 0, "foreignKeys", f"{_quote(name)} is not a field"))
        if reference.get("resource") and reference["resource"] not in resource_names:
            problems.append(Problem(rel, 0, "foreignKeys", f"refers to {_quote(reference['resource'])}, which is not a resource of the package"))
    return problems


def _read_table(root: Path, name: str, rel: str, schema: dict[str, Any]) -> tuple[_Table | None, list[Problem]]:
    """Read a CSV as text cells, reporting what stops it being read cleanly.

    Works on bytes throughout: the file is decoded in Python only to locate a
    problem that pyarrow has found.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    problems: list[Problem] = []
    try:
        size = (root / rel).stat().st_size
        if size > MAX_TABLE_BYTES:  # refused before it is read: memory stays bounded
            return None, [Problem(rel, 0, "", f"is {size:,} bytes, more than the {MAX_TABLE_BYTES:,} a table here may hold: split it or trim it")]
        raw = (root / rel).read_bytes()
    except OSError as error:  # unreadable: named like any other problem, exit 1
        return None, [Problem(rel, 0, "", f"cannot be read: {error.strerror or error}")]
    digest, size = "sha256:" + hashlib.sha256(raw).hexdigest(), len(raw)  # hashlib releases the GIL
    if raw.startswith(BOM):
        problems.append(Problem(rel, 1, "", "starts with a byte-order mark (BOM): save it as UTF-8 without BOM"))
        raw = raw[len(BOM):]
    if b"\r" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\r")) + 1
        problems.append(Problem(rel, line, "", "has Windows (CRLF) or CR line endings: save it with LF line endings"))
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:  # a lone CR: where rows end is then unclear, so the rows are not read
            return None, problems
    blanks: list[int] = []  # physical line numbers of blank lines, which are then read past
    if b"\n\n" in raw:  # cells hold no line breaks here, so two in a row make a blank line
        physical = raw.split(b"\n")
        blanks = [i + 1 for i, line in enumerate(physical[:-1]) if line == b"" and i > 0]
        problems += [Problem(rel, line, "", "is a blank line: remove it") for line in blanks[:MAX_PER_FIELD]]
        if len(blanks) > MAX_PER_FIELD:
            problems.append(Problem(rel, blanks[MAX_PER_FIELD], "", "... and more blank lines like the above",
                                    more=len(blanks) - MAX_PER_FIELD))
        skip = set(blanks)
        raw = b"\n".join(line for i, line in enumerate(physical) if i + 1 not in skip)
    if raw and not raw.endswith(b"\n"):
        problems.append(Problem(rel, raw.count(b"\n") + 1, "", "does not end with a line break: add one after the last row"))
    model = Table.from_descriptor({"name": name, "path": rel}, schema)
    names = model.field_names
    end_of_header = raw.find(b"\n")
    first = (raw if end_of_header < 0 else raw[:end_of_header]).decode("utf-8", errors="replace")
    try:
        header = next(csv.reader([first]), [])
    except csv.Error as error:
        problems.append(Problem(rel, 1, "", f"has a header that cannot be read as CSV ({error})"))
        return None, problems
    if header != names:
        missing = [n for n in names if n not in header]
        extra = [h for h in header if h not in names]
        detail = []
        def some(names: list[str]) -> str:  # a header of thousands of columns is not listed whole
            return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")

        if missing:
            detail.append("missing " + some(missing))
        if extra:
            detail.append("unexpected " + some(extra) if extra != [""] else "an empty column name")
        if not detail:
            detail.append("columns out of order")
        problems.append(Problem(rel, 1, "", f"header does not match the schema ({'; '.join(detail)}): the header must be {','.join(names)}"))
        return None, problems
    try:
        strings = pcsv.read_csv(
            pa.py_buffer(raw),
            # One block per file keeps each column in one chunk: no copy to combine them.
            read_options=pcsv.ReadOptions(block_size=max(1 << 20, len(raw) + 1)),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except pa.ArrowInvalid:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            problems.append(Problem(rel, line, "", f"is not valid UTF-8 (byte 0x{raw[error.start]:02x}): save the file as UTF-8"))
            return None, problems
        try:
            line, got = _locate_bad_row(text, len(names))
        except csv.Error as error:  # a cell past the csv module's limit, or a broken quote
            problems.append(Problem(rel, 0, "", f"cannot be read as CSV ({error}): check the quotes"))
            return None, problems
        line = int(_past_blanks(np.array([line]), blanks)[0]) if line else line
        problems.append(Problem(rel, line, "", f"has {got} cells but the header has {len(names)}: check the commas and quotes"))
        return None, problems
    lines = _past_blanks(_physical_lines(strings, raw.count(b"\n")), blanks)
    return _Table(name, rel, model, strings, lines, {}, problems, digest=digest, size=size), []


def _truth_words(field: Field) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words a boolean field reads as true and as false."""
    return field.true_values or tuple(TRUE_VALUES), field.false_values or tuple(FALSE_VALUES)


def _type_shape(field: Field) -> tuple[str | None, str]:
    """The regular expression a non-empty cell of this type must match, and its name."""
    kind = field.type
    if kind == "boolean":
        words = [w for group in _truth_words(field) for w in group]
        return "^(" + "|".join(re.escape(w) for w in words) + ")$", "a boolean (" + ", ".join(words) + ")"
    return TYPE_SHAPES.get(kind, (None, ""))


def _check_cells(table: _Table) -> None:
    """Everything a Table Schema says about single cells and one table's keys.

    Each column is dictionary-encoded once and every check runs on its distinct values;
    a failing value is mapped back to its rows only when there is one. Columns of few
    distinct values (enums, dates, codes) are then checked almost for free.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    collect = _Collector(table.problems, table.rel, table.lines)
    key_fields = list(table.model.primary_key)
    linked = {name for fk in table.model.foreign_keys for name in fk.fields}
    null = pa.nulls(1, pa.string())[0]
    for f in table.model.fields:
        name, kind = f.name, f.type
        column = _column(table.strings, name)
        values, indices = _distinct(column)
        # Keys, uniqueness and enums compare typed values, as Table Schema does: 1 and 01
        # are one integer. Messages still quote the cell as written.
        same, same_values = column, values
        compared = name in key_fields or f.unique or f.enum is not None or name in linked
        if not compared:
            pass  # a plain figure is never compared with another, so its text form does not matter
        elif kind in ("integer", "number"):
            same_values = _canonical_numbers(values, kind)
        elif kind == "boolean":
            true_words, false_words = _truth_words(f)
            truth = {**{w: "true" for w in true_words}, **{w: "false" for w in false_words}}
            same_values = pa.array([truth.get(v, v) for v in values.to_pylist()], pa.string())
        if same_values is not values:
            same = same_values if indices is None else pc.take(same_values, indices)
        table.codes[name] = (values, indices) if same is column else _distinct(same)

        def per_row(flags: pa.Array, indices: pa.Array | None = indices) -> pa.Array:
            return flags if indices is None else pc.take(flags, indices)

        def report(bad: pa.Array, describe: Callable[..., str]) -> None:
            # ``bad`` holds one flag per distinct value; rows are found only on failure.
            if pc.any(pc.fill_null(bad, False)).as_py():
                collect.rows(name, per_row(bad), describe)

        def value(i: int) -> str:
            return _quote(column[i].as_py())

        filled = pc.not_equal(values, "")
        if f.required or name in key_fields:
            report(pc.invert(filled), lambda i: "is required but empty: fill it in")
        valid = filled
        hygiene = pc.match_substring_regex(values, HYGIENE)
        not_nfc = _not_nfc(values)
        if pc.any(pc.or_(hygiene, not_nfc)).as_py():
            spaces = pc.and_(filled, pc.match_substring_regex(values, r"^[\s\p{Z}]|[\s\p{Z}]$"))
            report(spaces, lambda i: f"{value(i)} has spaces at the start or end: remove them")
            control = pc.match_substring_regex(values, "[\x00-\x1f\x7f]")
            report(control, lambda i: f"{value(i)} contains a control character (a tab or line break): remove it")
            report(not_nfc, lambda i: f"{value(i)} is not NFC-normalized Unicode: retype its accented letters or save as NFC")
            invisible = pc.match_substring_regex(values, INVISIBLE)
            report(invisible, lambda i: f"{value(i)} contains an invisible or text-direction character "
                                        f"({_first_invisible(column[i].as_py())}): remove it")
            if kind == "string":
                formula = pc.match_substring_regex(values, "^[=+@-]")
                report(formula, lambda i: f"{value(i)} starts with {column[i].as_py()[0]!r}, which a spreadsheet would run as a formula: reword it")
            valid = pc.and_(valid, pc.invert(pc.or_(pc.or_(spaces, control), pc.or_(not_nfc, invisible))))
        shape, shape_name = _type_shape(f)
        if shape is not None:
            matches = pc.match_substring_regex(values, shape)
            report(pc.and_(filled, pc.invert(matches)), lambda i: f"{value(i)} is not {shape_name}")
            valid = pc.and_(valid, matches)
            if kind == "integer":  # beyond 64 bits no copy (Parquet, SQLite, pandas, Stata) can hold it
                long = pc.and_(valid, pc.greater(pc.utf8_length(pc.utf8_ltrim(values, characters="+-0")), 18))
                wide = pa.array([bool(x) and not INT64[0] <= int(values[i].as_py()) <= INT64[1]
                                 for i, x in enumerate(long.to_pylist())], pa.bool_()) if pc.any(long).as_py() else long
                report(wide, lambda i: f"{value(i)} is beyond the 64-bit integers this package stores")
                valid = pc.and_(valid, pc.invert(wide))
            if kind == "date":
                real = calendar_ok(pc.if_else(valid, values, null))
                report(pc.and_(valid, pc.invert(real)), lambda i: f"{value(i)} is not a real calendar date between 1800 and 2100")
                valid = pc.and_(valid, real)
        if f.enum is not None:
            allowed = [str(v).lower() if isinstance(v, bool) else str(v) for v in f.enum]
            typed_allowed = _canonical_numbers(pa.array(allowed, pa.string()), kind) if kind in ("integer", "number") else pa.array(allowed, pa.string())
            inside = pc.is_in(same_values, value_set=typed_allowed)
            report(pc.and_(filled, pc.invert(inside)), lambda i: f"{value(i)} is not one of {', '.join(allowed)}")
            valid = pc.and_(valid, inside)
        if f.pattern is not None:
            pattern = f.pattern
            matches = pc.match_substring_regex(values, f"^(?:{pattern})$")
            hint = PATTERN_HINTS.get(pattern, f"does not match the pattern {pattern}")
            report(pc.and_(filled, pc.invert(matches)), lambda i: f"{value(i)} {hint}")
            valid = pc.and_(valid, matches)
            if pattern in (PARTIAL_DATE, PERIOD):
                real = calendar_ok(pc.if_else(valid, values, null))
                report(pc.and_(valid, pc.invert(real)), lambda i: f"{value(i)} is not a real calendar date between 1800 and 2100")
                valid = pc.and_(valid, real)
        for bound, limit, word in (("minimum", f.minimum, "below"), ("maximum", f.maximum, "above")):
            if limit is not None and kind in ("integer", "number", "year"):
                out_of_range = _beyond(pc.if_else(valid, values, null), limit, kind, bound == "minimum")
                report(out_of_range, lambda i, b=bound, w=word, x=limit: f"{column[i].as_py()} is {w} the {b} {x}")
                valid = pc.and_(valid, pc.invert(out_of_range))
        for bound, length, compare, word in (("minLength", f.min_length, pc.less, "shorter"),
                                             ("maxLength", f.max_length, pc.greater, "longer")):
            if length is not None:
                too = pc.and_(filled, compare(pc.utf8_length(values), int(length)))
                report(too, lambda i, b=bound, w=word, x=length: f"{value(i)} is {w} than the {b} {x}")
                valid = pc.and_(valid, pc.invert(too))
        if (f.unique or key_fields == [name]) and _has_repeats(same, same_values if same is not column else values, None if same is not column else indices):
            _duplicates(collect, name, same, pc.not_equal(column, ""),
                        lambda i: f"{value(i)} appears more than once; it must be unique")
        valid = pc.fill_null(valid, False)
        table.valid[name] = None if pc.all(valid).as_py() else per_row(valid)
    if len(key_fields) > 1 and _composite_repeats(table, key_fields):
        keys = _joined(table.strings, key_fields)
        filled = pc.invert(pc.equal(keys, "\x1f" * (len(key_fields) - 1)))
        _duplicates(collect, ",".join(key_fields), keys, filled,
                    lambda i: f"({', '.join(_quote(table.strings[k][i].as_py()) for k in key_fields)}) appears more than once; the primary key must be unique")


def _first_invisible(text: str) -> str:
    found = re.search(INVISIBLE, text)
    return f"U+{ord(found.group()):04X}" if found else "unknown"  # e.g. U+00AD, a soft hyphen


def _canonical_numbers(values: pa.Array, kind: str) -> pa.Array:
    """Each well-formed number written one way (``01`` and ``+1`` as ``1``); other text as it is.

    Runs over distinct values, which are few in a column of numbers that repeat.
    """
    import pyarrow as pa

    shape = re.compile(TYPE_SHAPES[kind][0] or "")
    out = []
    for text in values.to_pylist():
        if text is None or not shape.match(text):
            out.append(text)
        elif kind == "integer":
            out.append(str(int(text)))
        else:
            out.append(repr(float(text)))
    return pa.array(out, pa.string())


def _beyond(values: pa.Array, bound: float | int, kind: str, lower: bool) -> pa.Array:
    """Per value, whether it lies beyond ``bound``. Compared as floats, which is exact for
    numbers and for integers of up to 15 digits; longer integers are compared exactly in Python."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    compare = pc.less if lower else pc.greater
    flags = pc.fill_null(compare(pc.cast(values, pa.float64()), float(bound)), False)
    if kind == "number":
        return flags
    long = pc.fill_null(pc.greater(pc.utf8_length(values), 15), False)
    if abs(bound) < 2**53 and not pc.any(long).as_py():
        return flags
    out = flags.to_numpy(zero_copy_only=False).copy()
    for i in np.flatnonzero(pc.or_(long, pa.array([abs(bound) >= 2**53] * len(values))).to_numpy(zero_copy_only=False)):
        text = values[int(i)].as_py()
        out[i] = text not in (None, "") and (int(text) < bound if lower else int(text) > bound)
    return pa.array(out, pa.bool_())


def _not_nfc(values: pa.Array) -> pa.Array:
    """Flag the values that are not NFC-normalized Unicode.

    Only non-ASCII values can be, and they are few, so Python's own ``unicodedata``
    judges them (pyarrow's utf8_normalize gives NFD for NFC in some versions).
    """
    import unicodedata

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    flags = np.zeros(len(values), dtype=bool)
    non_ascii = pc.indices_nonzero(pc.invert(pc.string_is_ascii(values))).to_numpy()
    if len(non_ascii):
        texts = pc.take(values, pa.array(non_ascii)).to_pylist()
        flags[non_ascii] = [not unicodedata.is_normalized("NFC", text) for text in texts]
    return pa.array(flags)


def _distinct(column: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """The distinct values of a column and each row's index into them.

    Checking distinct values pays off for columns that repeat (enums, dates, codes);
    for a column of mostly different values (identifiers, titles), judged from its
    first rows, the rows themselves are checked and the indices are None.
    """
    sample = column.slice(0, 2000)
    if len(sample) > 100 and len(sample.unique()) > 0.5 * len(sample):
        return column, None
    encoded = column.dictionary_encode()
    return encoded.dictionary, encoded.indices


def _has_repeats(column: pa.Array, values: pa.Array, indices: pa.Array | None) -> bool:
    """Whether a non-empty value occurs twice."""
    import pyarrow.compute as pc

    if indices is None:
        filled = pc.filter(column, pc.not_equal(column, ""))
        return len(pc.unique(filled)) < len(filled)
    empty = pc.index(values, "").as_py()
    empty_rows = 0 if empty < 0 else pc.sum(pc.equal(indices, empty)).as_py()
    return bool(len(values) - (empty >= 0) < len(column) - empty_rows)


def _composite_repeats(table: _Table, names: list[str]) -> bool:
    """Whether some combination of the fields repeats, from their dictionary codes.

    The codes of the fields are packed into one integer per row (mixed radix), which
    is far cheaper to check than joined strings; very wide keys fall back to strings.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    radix = [len(table.codes[n][0]) for n in names]
    if float(np.prod([float(r) for r in radix])) >= 2.0**62:
        keys = _joined(table.strings, names)
        return len(pc.unique(keys)) < len(keys)
    if any(table.codes[n][1] is None for n in names):  # a field of mostly different values
        keys = _joined(table.strings, names)
        return len(pc.unique(keys)) < len(keys)
    packed = np.zeros(table.strings.num_rows, dtype=np.int64)
    for name, size in zip(names, radix, strict=False):
        packed = packed * size + table.codes[name][1].to_numpy(zero_copy_only=False).astype(np.int64)
    return len(pc.unique(pa.array(packed))) < len(packed)


def _column(strings: pa.Table, name: str) -> pa.Array:
    import pyarrow as pa

    return strings[name].combine_chunks() if strings.num_rows else pa.array([], pa.string())


def _joined(strings: pa.Table, names: Sequence[str]) -> pa.Array:
    import pyarrow.compute as pc

    if len(names) == 1:
        return _column(strings, names[0])
    return pc.binary_join_element_wise(*[_column(strings, n) for n in names], "\x1f")


def _duplicates(collect: _Collector, label: str, values: pa.Array, filled: pa.Array, describe: Callable[[int], str]) -> None:
    """Flag every repeat of a value, naming the line where it first appears."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(values)
    if n < 2:
        return
    # A stable sort keeps equal values in row order, so each group's first row is the original.
    order = pc.sort_indices(values).to_numpy()
    ordered = values.take(pa.array(order))
    same = pc.equal(ordered.slice(1), ordered.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    starts = np.r_[True, ~same]
    first_in_sorted = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    first_row = np.empty(n, dtype=np.int64)
    first_row[order] = order[first_in_sorted]
    repeat = np.zeros(n, dtype=bool)
    repeat[order[~starts]] = True
    bad = pc.and_(pa.array(repeat), filled)
    lines = collect.lines
    collect.rows(label, bad, lambda i: f"{describe(i)} (first on line {int(lines[first_row[i]])})")


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


def _check_foreign_keys(tables: dict[str, _Table]) -> None:
    import pyarrow.compute as pc

    for table in tables.values():
        for fk in table.model.foreign_keys:
            fields, parent_name, parent_fields = fk.fields, fk.resource, fk.reference
            parent = tables.get(parent_name)
            if parent is None:
                continue
            if len(fields) == 1:
                # One field: test each distinct value once, against the parent's distinct keys.
                values, indices = table.codes[fields[0]]
                parent_keys = parent.codes[parent_fields[0]][0]
                child_type, parent_type = table.model.field(fields[0]).type, parent.model.field(parent_fields[0]).type
                if _kind(child_type) != _kind(parent_type):
                    parent_keys = parent_keys.slice(0, 0)  # as frictionless: 1 (an integer) is never "1" (a string)
                    missing = pc.not_equal(values, "")
                elif child_type != parent_type:  # an integer and a number: compared as numbers (1 is 1.0)
                    missing = _missing_as_numbers(values, parent_keys)
                else:
                    missing = pc.and_(pc.not_equal(values, ""), pc.invert(pc.is_in(values, value_set=parent_keys)))
                if not pc.any(missing).as_py():
                    continue
                bad = missing if indices is None else pc.take(missing, indices)
            else:
                child = _joined(table.strings, fields)
                filled = pc.invert(pc.equal(child, "\x1f" * (len(fields) - 1)))
                bad = pc.and_(filled, pc.invert(pc.is_in(child, value_set=_joined(parent.strings, parent_fields))))
                if not pc.any(bad).as_py():
                    continue
            where = f"{','.join(parent_fields)} in {parent.rel}"
            values_of = table.strings
            _Collector(table.problems, table.rel, table.lines).rows(
                ",".join(fields), bad,
                lambda i: f"{', '.join(_quote(values_of[f][i].as_py()) for f in fields)} is not among the {where}: add it there or fix the reference",
            )
            for f in fields:
                current = table.valid.get(f)
                ok = pc.invert(bad)
                table.valid[f] = ok if current is None else pc.and_(current, ok)


def typed_table(table: _Table) -> pa.Table:
    """The table with the types of its schema (enums as plain text); cells that failed
    their own checks become missing, so the rules see only well-formed values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .dtypes import arrow_type

    columns = {}
    for f in table.model.fields:
        kind = arrow_type(f)
        kind = kind.value_type if pa.types.is_dictionary(kind) else kind
        column = _column(table.strings, f.name)
        keep = table.valid.get(f.name)
        kept = column if keep is None else pc.if_else(keep, column, pa.nulls(1, pa.string())[0])
        columns[f.name] = pc.cast(kept, kind)
    return pa.table(columns)


def _check_rules(tables: dict[str, _Table]) -> None:
    import pyarrow.compute as pc

    ruled = {rule.table for rule in ROW_RULES}
    typed = {name: typed_table(t) for name, t in tables.items() if name in ruled}
    for rule in ROW_RULES:
        table = tables.get(rule.table)
        if table is None or table.strings.num_rows == 0 or rule.field not in typed[rule.table].column_names:
            continue
        # a null verdict comes from a missing cell, which `required` reports on its own
        ok = pc.fill_null(rule.check(typed[rule.table]), True)
        column = typed[rule.table][rule.field]

        def describe(i: int, rule: Any = rule, column: Any = column) -> str:
            value = column[i].as_py()
            return rule.message if value is None else f"{_quote(str(value))}: {rule.message}"

        _Collector(table.problems, table.rel, table.lines).rows(rule.field, pc.invert(ok), describe)
    keys = {name: list(t.model.primary_key) for name, t in tables.items()}
    listed: dict[tuple[str, str], int] = {}
    strings = {name: t.strings for name, t in tables.items()}
    for p in [*package_problems(strings, keys), *semantics.problems(strings, keys)]:
        table = tables[p.table]
        seen = listed.get((p.table, p.field), 0)
        listed[(p.table, p.field)] = seen + 1
        if seen < MAX_PER_FIELD:
            table.problems.append(Problem(table.rel, int(table.lines[p.row]), p.field, p.message))
    for (name, field_name), n in listed.items():
        if n > MAX_PER_FIELD:
            table = tables[name]
            rest = n - MAX_PER_FIELD
            table.problems.append(Problem(table.rel, int(table.lines[-1]), field_name, f"... and {rest} more like the above", more=rest))


def _check_cycles(tables: dict[str, _Table]) -> None:
    """A self-reference (actors.parent_id, agreements.part_of) must not loop: a→a or a→b→a."""
    for table in tables.values():
        for fk in table.model.foreign_keys:
            fields, parent, targets = fk.fields, fk.resource, fk.reference
            if parent != table.name or len(fields) != 1:
                continue
            keys = table.strings[targets[0]].to_pylist()
            refs = table.strings[fields[0]].to_pylist()
            up = {k: r for k, r in zip(keys, refs, strict=False) if r}
            row_of = {k: i for i, k in enumerate(keys)}
            done: set[str] = set()
            for start in keys:
                path: list[str] = []
                node = start
                while node in up and node not in done and node not in path:
                    path.append(node)
                    node = up[node]
                if node in path:  # a loop, reported once at the row where it closes
                    loop = [*path[path.index(node):], node]
                    first = min(loop[:-1], key=lambda k: row_of.get(k, 0))
                    table.problems.append(Problem(table.rel, int(table.lines[row_of[first]]), fields[0],
                                                  f"{' → '.join(_quote(k) for k in loop)} goes round in a loop: a record cannot be its own ancestor"))
                done.update(path)


TEMPORARY = re.compile(r"^\.|\.(tmp|temp|swp|bak|orig|part)$|~$")


def _stray_files(root: Path, resources: list[Any]) -> list[Problem]:
    """Symbolic links in the data folders, and files there that the descriptor does not list
    (the wheel would ship them unchecked), leftover temporary files among them."""
    listed: set[str] = {DESCRIPTOR, DERIVED}
    folders: set[str] = set()
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        for key in ("path", "schema"):
            value, unsafe = safe_relative_path(root, resource.get(key), key)
            if not unsafe:  # unsafe paths are reported, and never looked into
                path = PurePosixPath(value)
                listed.add(str(path))
                if key == "path":
                    listed.add(str(path.with_suffix(".parquet")))
                folders.add(str(path.parent))
    problems = []
    if (root / DESCRIPTOR).is_symlink():
        problems.append(Problem(DESCRIPTOR, 0, "", "is a symbolic link: the package holds real files only"))
    for folder in sorted(folders):
        base = root / folder
        if folder in (".", "") or not base.is_dir() or base.is_symlink():
            if base.is_symlink():
                problems.append(Problem(folder, 0, "", "is a symbolic link: the package holds real folders only"))
            continue
        for entry in sorted(base.rglob("*")):
            rel = entry.relative_to(root).as_posix()
            if entry.is_symlink():
                problems.append(Problem(rel, 0, "", "is a symbolic link: replace it with the file itself, or remove it"))
            elif entry.is_file() and rel not in listed:
                if TEMPORARY.search(entry.name):
                    problems.append(Problem(rel, 0, "", "is a leftover temporary file: remove it"))
                elif not any(PurePosixPath(rel).is_relative_to(PurePosixPath(f)) for f in listed if f.endswith("/")):
                    problems.append(Problem(rel, 0, "", "is not listed in datapackage.json: add it as a resource or remove it (it would ship unchecked)"))
    return problems


def _check_generated(root: Path, table: _Table, resource: dict[str, Any]) -> None:
    """Parquet holds exactly the CSV's data; a ``hash`` or ``bytes`` the resource states matches the file.

    This repository's descriptor states neither (the content fingerprint and a release's
    SHA256SUMS do that job, and hash lines would make every two edits of a table conflict),
    but a package that states them must be right, as frictionless also checks.
    """
    csv_path = root / table.rel
    if "hash" in resource and not _hash_matches(resource["hash"], table.digest, root / table.rel):
        table.problems.append(Problem(DESCRIPTOR, 0, f"{table.name}.hash", f"does not match {table.rel}: correct it or remove it"))
    if "bytes" in resource and resource["bytes"] != table.size:
        table.problems.append(Problem(DESCRIPTOR, 0, f"{table.name}.bytes", f"is {_quote(resource.get('bytes'))}, but {table.rel} has {table.size} bytes: correct it or remove it"))
    parquet_rel = str(PurePosixPath(table.rel).with_suffix(".parquet"))
    parquet_path = root / parquet_rel
    if not parquet_path.is_file():
        return  # a package without Parquet (a CSV export, say) is complete; CI checks the repository's
    import pyarrow.parquet as pq

    from .arrow_io import read_csv_arrow

    try:
        actual = pq.read_table(parquet_path)
    except Exception as error:  # any unreadable file is reported, whatever pyarrow raised
        table.problems.append(Problem(parquet_rel, 0, "", f"cannot be read ({type(error).__name__}): {REBUILD}", generated=True))
        return
    expected = read_csv_arrow(csv_path, table.model)
    if not same_content(actual, expected):
        table.problems.append(Problem(parquet_rel, 0, "", f"does not hold the data of {table.rel}: {REBUILD}", generated=True))


def _hash_matches(stated: object, sha256: str, path: Path) -> bool:
    """Whether a resource's ``hash`` fits the file: ``algorithm:hex``, or bare hex meaning MD5."""
    if not isinstance(stated, str):
        return False
    algorithm, _, value = stated.rpartition(":")
    algorithm = algorithm or "md5"
    if algorithm == "sha256":
        return stated == sha256
    if algorithm not in hashlib.algorithms_guaranteed:
        return False
    return hashlib.new(algorithm, path.read_bytes()).hexdigest() == value.lower()


def validate(path: str | Path) -> Report:
    """Validate the data package in folder ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        A folder holding ``datapackage.json``, or that file itself.

    Returns
    -------
    Report
        ``report.problems`` is sorted and free of duplicates; ``report.valid`` says
        whether there are none.

    Raises
    ------
    CannotValidate
        If there is no such folder or no ``datapackage.json`` in it.
    """
    root = Path(path)
    if root.is_file() and root.name == DESCRIPTOR:
        root = root.parent
    if not root.exists():
        raise CannotValidate(f"{path}: no such file or folder")
    if not (root / DESCRIPTOR).is_file():
        raise CannotValidate(f"{path}: no {DESCRIPTOR} in this folder")
    report = Report(root, [])
    descriptor, problems = _read_json(root, DESCRIPTOR)
    report.problems.extend(problems)
    if problems:
        return report
    tables: dict[str, _Table] = {}
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        report.problems.append(Problem(DESCRIPTOR, 0, "resources", "must be a non-empty list of tables"))
        return report
    report.problems.extend(unknown_keywords(DESCRIPTOR, "", descriptor, PACKAGE_KEYWORDS))
    report.problems.extend(fetched_references(DESCRIPTOR, descriptor))
    generated, problems = _derived_resources(root, resources)
    report.problems.extend(problems)
    panel_names = {str(r.get("name")) for r in generated} | _listed_generated(root, resources)
    resources = resources + generated
    if not re.match(SEMVER, str(descriptor.get("version", ""))):
        report.problems.append(Problem(DESCRIPTOR, 0, "version", f"{_quote(descriptor.get('version'))} is not a semantic version such as 1.2.0"))
    by_name: dict[str, dict[str, Any]] = {}
    names = {str(r.get("name")) for r in resources if isinstance(r, dict)}
    seen: set[str] = set()
    jobs: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    for number, resource in enumerate(resources):
        label = str(resource["name"]) if isinstance(resource, dict) and resource.get("name") else f"resources[{number}]"
        if not isinstance(resource, dict):
            report.problems.append(Problem(DESCRIPTOR, 0, label, "must be an object"))
            continue
        if not re.match(r"^[a-z0-9._-]+$", str(resource.get("name", ""))):
            report.problems.append(Problem(DESCRIPTOR, 0, label, "name must be lowercase letters, digits, '.', '_' or '-'"))
            continue
        if label in seen:
            report.problems.append(Problem(DESCRIPTOR, 0, label, "two resources have this name; names must be unique"))
            continue
        seen.add(label)
        rel, reason = safe_relative_path(root, resource.get("path"), "path")
        schema_rel, schema_reason = safe_relative_path(root, resource.get("schema"), "schema")
        for why in (reason, schema_reason):
            if why:
                report.problems.append(Problem(DESCRIPTOR, 0, f"{label}", why))
        if reason or schema_reason:
            continue
        clash = _name_clash(label, resource, seen - {label}, generated)
        if clash:
            report.problems.append(Problem(DESCRIPTOR, 0, label, clash))
            continue
        if not (root / rel).is_file():
            if not any(resource is r for r in generated):  # a generated table not built yet is fine
                report.problems.append(Problem(DESCRIPTOR, 0, label, f"path {_quote(rel)}: no such file"))
            continue
        schema, problems = _read_json(root, schema_rel)
        report.problems.extend(problems)
        if problems:
            continue
        problems = _schema_problems(schema_rel, schema, names) + fetched_references(schema_rel, schema) + _fixed_values(label, resource)
        report.problems.extend(problems)
        if problems:
            continue
        problems = unknown_keywords(DESCRIPTOR, f"{label}.", resource, RESOURCE_KEYWORDS)
        report.problems.extend(problems)
        if problems:
            continue
        jobs.append((label, rel, schema, resource))
    paths: dict[str, str] = {}
    for label, rel, _, _ in jobs:
        if rel in paths:
            report.problems.append(Problem(DESCRIPTOR, 0, label, f"path {_quote(rel)} is also the path of {paths[rel]}: each table has its own file"))
        paths.setdefault(rel, label)
    jobs = [job for job in jobs if paths[job[1]] == job[0]]
    jobs = _with_sound_references(jobs, report.problems)
    # What the workers use is imported here, in this thread: imports racing in two threads are
    # slower, and a Ctrl-C landing inside one can leave an import lock held and hang the pool.
    import unicodedata  # noqa: F401

    import numpy  # noqa: F401
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401

    # Tables are read, then checked, two at a time: the work is in pyarrow, which releases the GIL.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: _read_table(root, *job[:3]), jobs))
        list(pool.map(_check_cells, [table for table, _ in results if table is not None]))
    for (label, _, _, resource), (table, problems) in zip(jobs, results, strict=False):
        if any(resource is r for r in generated) or label in panel_names:  # wholly derived: build rewrites it
            problems = [dataclasses.replace(p, generated=True, message=f"{p.message} ({REBUILD})") for p in problems]
            if table is not None:
                table.problems[:] = [dataclasses.replace(p, generated=True) for p in table.problems]
        report.problems.extend(problems)
        if table is None:
            continue
        tables[label] = table
        by_name[label] = resource
        report.tables += 1
        report.rows += table.strings.num_rows
    _check_foreign_keys(tables)
    _check_cycles(tables)
    _check_rules(tables)
    report.problems.extend(_stray_files(root, resources))
    for name, table in tables.items():
        if not any(not p.generated for p in table.problems):
            _check_generated(root, table, by_name[name])
        report.problems.extend(table.problems)
    built = [name for name in panel_names if name in tables]
    if built:
        lacking = [name for name in DYAD_YEAR_INPUTS if name not in tables]
        if lacking:
            for name in built:
                report.problems.append(Problem(tables[name].rel, 0, "", f"is derived from {', '.join(lacking)}, which the package lacks or could not read"))
        elif not any(not p.generated for p in report.problems):
            report.problems.extend(_check_derived(root, [tables[name] for name in built]))
    report.problems.extend(_check_releases(root, tables))
    report.problems.extend(_check_code_lists(root, tables))
    if (root / CODEBOOK).is_file() and not any(not p.generated for p in report.problems) and (root / CODEBOOK).read_text(encoding="utf-8") != render_codebook(root):
        report.problems.append(Problem(CODEBOOK, 0, "", f"is not what the schemas give: {REBUILD}", generated=True))
    report.problems = sorted(set(report.problems))
    return report


# Names the exports give their own tables, sheets and views: a table of that name would replace one.
RESERVED_NAMES = {"about", "codebook", "agreements_wide", "timeline", "dated"}
RESERVED_PREFIXES = ("sqlite_", "codes_")
RESERVED_SUFFIXES = ("_citations", "_money")
EXCEL_SHEET = 31


def _name_clash(label: str, resource: dict[str, Any], seen: set[str], generated: list[dict[str, Any]]) -> str | None:
    """Why a table's name or path would collide with something an export or build makes, if it would."""
    if label in RESERVED_NAMES or label.startswith(RESERVED_PREFIXES) or label.endswith(RESERVED_SUFFIXES):
        return ("name is taken by what the exports make (the workbook's about and codebook sheets, agreements_wide, "
                "the SQLite citation tables, code tables, money and timeline views, SQLite's own tables): rename the table")
    for other in seen:
        if other[:EXCEL_SHEET] == label[:EXCEL_SHEET]:
            return f"its first {EXCEL_SHEET} characters, a workbook sheet's name, are those of {other}: rename one of them"
    path = str(resource.get("path", ""))
    if not path.endswith(".csv"):
        return f"path {_quote(path)}: a table here is a .csv file"
    for entry in generated:
        if entry.get("path") == path and entry.get("name") != label:
            return f"path {_quote(path)} is the file build generates for {entry.get('name')}: pick another path"
    return None


def _derived_resources(root: Path, listed: list[Any]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The generated tables' resource entries (``schemas/derived.json``) the descriptor does not list."""
    if not (root / DERIVED).is_file():
        return [], []
    derived, problems = _read_json(root, DERIVED)
    if problems:
        return [], problems
    entries = derived.get("resources") if isinstance(derived, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return [], [Problem(DERIVED, 0, "resources", "must be a list of resource entries")]
    by_name = {r.get("name"): r for r in listed if isinstance(r, dict)}
    problems = unknown_keywords(DERIVED, "", derived, {"description", "resources"}) + fetched_references(DERIVED, derived)
    for entry in entries:
        if entry.get("name") in by_name and by_name[entry.get("name")] != entry:  # a built copy lists it as it is
            problems.append(Problem(DESCRIPTOR, 0, str(entry.get("name")), f"is a table build generates: list it as {DERIVED} does, or not at all"))
    return [e for e in entries if e.get("name") not in by_name], problems


CAMEO_LISTS = "codelists/cameo"
QUADS = {"1": "verbal_cooperation", "2": "material_cooperation", "3": "verbal_conflict", "4": "material_conflict"}


def cameo_from_code_lists(folder: Path) -> dict[str, tuple[str, float, str]]:
    """CAMEO code → (description, Goldstein weight, quad class), from the two lists kept in
    ``codelists/cameo`` (each root takes the class of the one-digit row it is listed under)."""
    described: dict[str, tuple[str, str]] = {}
    quad = ""
    for line in (folder / "eventcodes.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        code, _, text = line.partition("\t")
        if len(code) == 1:
            quad = QUADS.get(code, "")
            continue
        described[code] = (text.strip(), quad)
    weights = dict(line.split("\t") for line in (folder / "goldstein.tsv").read_text(encoding="utf-8").splitlines()[1:])
    return {code: (text, float(weights[code]), quad) for code, (text, quad) in described.items() if code in weights}


def _check_code_lists(root: Path, tables: dict[str, _Table]) -> list[Problem]:
    """``cameo_codes`` is the two code lists kept beside the package, joined (where a checkout has them)."""
    folder = root / CAMEO_LISTS
    if "cameo_codes" not in tables or not (folder / "eventcodes.tsv").is_file() or not (folder / "goldstein.tsv").is_file():
        return []
    try:
        lists = cameo_from_code_lists(folder)
    except (OSError, ValueError, KeyError) as error:
        return [Problem(CAMEO_LISTS, 0, "", f"cannot be read as the CAMEO code lists: {error}")]
    table = tables["cameo_codes"]
    columns = [_column(table.strings, c).to_pylist() for c in ("cameo_code", "description", "goldstein", "quad_class")]
    problems: list[Problem] = []
    for row, (code, text, weight, quad) in enumerate(zip(*columns, strict=False)):
        line = int(table.lines[row])
        if code not in lists:
            problems.append(Problem(table.rel, line, "cameo_code", f"{_quote(code)} is not in {CAMEO_LISTS}"))
            continue
        want_text, want_weight, want_quad = lists[code]
        if text != want_text:
            problems.append(Problem(table.rel, line, "description", f"is not the code list's {_quote(want_text)}"))
        if not _is_number_text(weight) or float(weight) != want_weight:
            problems.append(Problem(table.rel, line, "goldstein", f"{_quote(weight)} is not the code list's weight {want_weight:g}"))
        if quad != want_quad:
            problems.append(Problem(table.rel, line, "quad_class", f"{_quote(quad)} is not the code list's {want_quad}"))
    missing = sorted(set(lists) - set(columns[0]))
    if missing:
        problems.append(Problem(table.rel, 0, "cameo_code", f"lacks {len(missing)} code(s) of {CAMEO_LISTS}: {', '.join(missing[:10])}"))
    return problems


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _listed_generated(root: Path, listed: list[Any]) -> set[str]:
    """Generated tables a built copy's descriptor lists itself (as schemas/derived.json gives them)."""
    derived_names = {DYAD_YEAR, DYAD_YEAR_DIRECTED}  # a copy without schemas/derived.json
    if (root / DERIVED).is_file():
        derived, problems = _read_json(root, DERIVED)
        if not problems and isinstance(derived, dict) and isinstance(derived.get("resources"), list):
            derived_names = {str(e.get("name")) for e in derived["resources"] if isinstance(e, dict)}
    return {str(r.get("name")) for r in listed if isinstance(r, dict) and r.get("name") in derived_names}


RELEASES = "releases"
RETIRED = "retired_ids"


def _check_releases(root: Path, tables: dict[str, _Table]) -> list[Problem]:
    """No id of an earlier release (``releases/ids-<version>.json``) disappears without a
    row in ``retired_ids``; a retired id is gone from its table, and what replaced it is there."""
    folder = root / RELEASES
    if not folder.is_dir() or folder.is_symlink():
        return []
    current = {name: set(_column(t.strings, t.model.primary_key[0]).to_pylist())
               for name, t in tables.items() if len(t.model.primary_key) == 1}
    retired: dict[tuple[str, str], tuple[int, str]] = {}
    problems: list[Problem] = []
    if RETIRED in tables:
        table = tables[RETIRED]
        for row, (name, record, replaced_by) in enumerate(zip(*(_column(table.strings, c).to_pylist() for c in ("record_table", "record_id", "replaced_by")), strict=False)):
            retired[(name, record)] = (row, replaced_by)
            line = int(table.lines[row])
            if record in current.get(name, set()):
                problems.append(Problem(table.rel, line, "record_id", f"{_quote(record)} is retired but still in {name}: remove one or the other"))
            if replaced_by and replaced_by not in current.get(name, set()):
                problems.append(Problem(table.rel, line, "replaced_by", f"{_quote(replaced_by)} is not among the ids of {name}"))
    for file in sorted(folder.glob("ids-*.json")):
        rel = file.relative_to(root).as_posix()
        listed, read_problems = _read_json(root, rel)
        problems.extend(read_problems)
        ids = listed.get("ids") if isinstance(listed, dict) else None
        if not isinstance(ids, dict):
            problems.extend([] if read_problems else [Problem(rel, 0, "ids", "must map each table to the ids it had")])
            continue
        for name, old in ids.items():
            if name not in current or not isinstance(old, list):
                continue
            gone = sorted(str(i) for i in old if i not in current[name] and (name, i) not in retired)
            version = listed.get("version", file.stem[4:])
            problems += [Problem(tables[name].rel, 0, tables[name].model.primary_key[0],
                                 f"{_quote(record)} of release {version} is gone without a row in tables/{RETIRED}.csv: "
                                 "keep the id, or retire it saying what replaced it") for record in gone[:MAX_PER_FIELD]]
    return problems


def _with_sound_references(jobs: list[tuple[str, str, dict[str, Any], dict[str, Any]]], problems: list[Problem]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """Drop the tables whose foreign keys name a field their referenced table does not have."""
    fields_of = {label: {f["name"] for f in schema["fields"]} for label, _, schema, _ in jobs}
    kept = []
    for job in jobs:
        label, _, schema, resource = job
        bad = False
        for fk in Table.from_descriptor({"name": label}, schema).foreign_keys:
            fields, parent, parent_fields = fk.fields, fk.resource, fk.reference
            if parent not in fields_of:
                continue  # a resource that could not be read: reported on its own
            missing = [f for f in parent_fields if f not in fields_of[parent]]
            if missing or len(parent_fields) != len(fields):
                why = f"names {_quote(missing[0])}, which {parent} does not have" if missing else "needs as many fields as its reference"
                problems.append(Problem(resource.get("schema", label), 0, "foreignKeys", f"the key on {', '.join(fields)} {why}"))
                bad = True
        if not bad:
            kept.append(job)
    return kept


def _check_derived(root: Path, tables: list[_Table]) -> list[Problem]:
    """The panels on disk must be what build derives from the other tables (derived once for all)."""
    fresh = panels_csv(root)
    return [Problem(table.rel, 0, "", f"is not what the events, agreements and observations give (never edit it by hand): {REBUILD}", generated=True)
            for table in tables if (root / table.rel).read_bytes() != fresh.get(table.model.name)]
