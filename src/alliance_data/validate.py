"""Validate a data package folder and name every problem to its file, line and field.

The checks are vectorized with pyarrow: what the Table Schemas say (types, required,
unique, enum, pattern, ranges, primary and foreign keys, header), file hygiene, the
rules of :mod:`alliance_data.rules`, and the freshness of the generated files.
Nothing here writes a file or touches the network.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from ._package import DESCRIPTOR
from .rules import PARTIAL_DATE, PERIOD, ROW_RULES, calendar_ok, package_problems

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

BOM = b"\xef\xbb\xbf"
MAX_PER_FIELD = 50  # more problems of one kind in one column are counted, not listed
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
PATTERN_HINTS = {
    PARTIAL_DATE: "is not a date written YYYY, YYYY-MM or YYYY-MM-DD",
    PERIOD: "is not a period written YYYY, YYYY-MM, YYYY-MM-DD or start/end",
    "^[a-z0-9]+(-[a-z0-9]+)*$": "is not a lowercase slug (letters, digits, single hyphens)",
    "^([A-Z]{3}|[a-z0-9]+(-[a-z0-9]+)*)$": "is neither an ISO alpha-3 code nor a lowercase slug",
    "^[A-Z]{3}$": "is not a three-letter upper-case code",
}
INTEGER = r"^[+-]?[0-9]+$"
NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: the file (relative to the package folder), the physical line
    (0 when it concerns the whole file), the field, and what is wrong."""

    path: str
    line: int
    field: str
    message: str
    generated: bool = dataclass_field(default=False, compare=False)

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


class CannotValidate(Exception):
    """Validation cannot run at all: no such folder, or no ``datapackage.json`` in it."""


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_problem(rel: str, error: json.JSONDecodeError) -> Problem:
    return Problem(rel, error.lineno, "", f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")


def _read_json(root: Path, rel: str) -> tuple[Any, list[Problem]]:
    try:
        return json.loads((root / rel).read_text(encoding="utf-8")), []
    except json.JSONDecodeError as error:
        return None, [_json_problem(rel, error)]
    except UnicodeDecodeError:
        return None, [Problem(rel, 0, "", "is not valid UTF-8: save it as UTF-8")]
    except OSError as error:
        return None, [Problem(rel, 0, "", f"cannot be read: {error.strerror}")]


def safe_relative_path(root: Path, value: Any, what: str) -> tuple[str | None, str | None]:
    """Return ``(path, None)`` for a safe path inside ``root``, else ``(None, reason)``.

    Refused: anything not a string, URLs, absolute paths, and paths that leave the folder.
    """
    if not isinstance(value, str) or not value:
        return None, f"{what} must be a relative path (a non-empty string), not {_quote(value)}"
    if "://" in value or value.startswith(("http:", "https:", "ftp:", "file:")):
        return None, f"{what} {_quote(value)} is a URL; only files inside the package folder are read"
    if value.startswith(("/", "\\")) or PureWindowsPath(value).drive or PurePosixPath(value).is_absolute():
        return None, f"{what} {_quote(value)} is absolute; use a path relative to the package folder"
    if ".." in PurePosixPath(value.replace("\\", "/")).parts:
        return None, f"{what} {_quote(value)} leaves the package folder"
    resolved = (root / value).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return None, f"{what} {_quote(value)} leaves the package folder"
    return value, None


@dataclass
class _Table:
    name: str
    rel: str
    schema: dict[str, Any]
    strings: pa.Table
    lines: np.ndarray
    valid: dict[str, pa.Array]  # per column: cell passes its own checks
    problems: list[Problem]


class _Collector:
    """Collects problems for one column, listing at most MAX_PER_FIELD of each kind."""

    def __init__(self, out: list[Problem], rel: str, lines: np.ndarray) -> None:
        self.out, self.rel, self.lines = out, rel, lines

    def rows(self, field_name: str, bad: pa.Array, describe) -> None:
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
            self.out.append(Problem(self.rel, int(self.lines[indices[MAX_PER_FIELD]]), field_name, f"... and {rest} more like the above"))


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
    return base + np.concatenate([[0], np.cumsum(extra)[:-1]])


def _locate_bad_row(text: str, width: int) -> tuple[int, int]:
    reader = csv.reader(io.StringIO(text))
    start = 1
    for row in reader:
        if len(row) != width:
            return start, len(row)
        start = reader.line_num + 1
    return 0, width


def _read_table(root: Path, name: str, rel: str, schema: dict[str, Any]) -> tuple[_Table | None, list[Problem]]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    problems: list[Problem] = []
    raw = (root / rel).read_bytes()
    if raw.startswith(BOM):
        problems.append(Problem(rel, 1, "", "starts with a byte-order mark (BOM): save it as UTF-8 without BOM"))
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(rel, line, "", f"is not valid UTF-8 (byte 0x{raw[error.start]:02x}): save the file as UTF-8"))
        return None, problems
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(rel, line, "", "has Windows (CRLF) or CR line endings: save it with LF line endings"))
        text = text.replace("\r\n", "\n")
        raw = text.encode("utf-8")
    if text and not text.endswith("\n"):
        problems.append(Problem(rel, text.count("\n") + 1, "", "does not end with a line break: add one after the last row"))
    names = [f["name"] for f in schema["fields"]]
    header = next(csv.reader(io.StringIO(text[: text.find("\n")] if "\n" in text else text)), [])
    if header != names:
        missing = [n for n in names if n not in header]
        extra = [h for h in header if h not in names]
        detail = []
        if missing:
            detail.append("missing " + ", ".join(missing))
        if extra:
            detail.append("unexpected " + ", ".join(extra) if extra != [""] else "an empty column name")
        if not detail:
            detail.append("columns out of order")
        problems.append(Problem(rel, 1, "", f"header does not match the schema ({'; '.join(detail)}): the header must be {','.join(names)}"))
        return None, problems
    try:
        strings = pcsv.read_csv(
            io.BytesIO(raw),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except pa.ArrowInvalid:
        line, got = _locate_bad_row(text, len(names))
        problems.append(Problem(rel, line, "", f"has {got} cells but the header has {len(names)}: check the commas and quotes"))
        return None, problems
    lines = _physical_lines(strings, text.count("\n"))
    return _Table(name, rel, schema, strings, lines, {}, problems), []


def _check_cells(table: _Table) -> None:
    """Everything a Table Schema says about single cells and one table's keys."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = table.problems
    collect = _Collector(out, table.rel, table.lines)
    primary_key = table.schema.get("primaryKey", [])
    primary_key = [primary_key] if isinstance(primary_key, str) else primary_key
    for f in table.schema["fields"]:
        name, kind = f["name"], f.get("type", "string")
        constraints = f.get("constraints", {})
        column = table.strings[name].combine_chunks() if table.strings.num_rows else pa.array([], pa.string())
        value = lambda i, c=column: c[i].as_py()  # noqa: E731
        empty = pc.equal(column, "")
        filled = pc.invert(empty)
        valid = filled
        if constraints.get("required") or name in primary_key:
            collect.rows(name, empty, lambda i: "is required but empty")
        spaces = pc.and_(filled, pc.match_substring_regex(column, r"^\s|\s$"))
        collect.rows(name, spaces, lambda i: f"{_quote(value(i))} has leading or trailing spaces: remove them")
        control = pc.match_substring_regex(column, "[\x00-\x1f\x7f]")
        collect.rows(name, control, lambda i: f"{_quote(value(i))} contains a control character (tab, line break): remove it")
        nfc = pc.not_equal(pc.utf8_normalize(column, form="NFC"), column)
        collect.rows(name, nfc, lambda i: f"{_quote(value(i))} is not NFC-normalized Unicode: retype the accented letters")
        if kind == "string":
            formula = pc.match_substring_regex(column, "^[=+@-]")
            collect.rows(name, formula, lambda i: f"{_quote(value(i))} starts with {value(i)[0]!r}, which a spreadsheet would run as a formula: reword it")
        valid = pc.and_(valid, pc.invert(pc.or_(pc.or_(spaces, control), nfc)))
        if kind in ("integer", "number"):
            shape = pc.match_substring_regex(column, INTEGER if kind == "integer" else NUMBER)
            bad = pc.and_(filled, pc.invert(shape))
            collect.rows(name, bad, lambda i, k=kind: f"{_quote(value(i))} is not {'an integer' if k == 'integer' else 'a number'}")
            valid = pc.and_(valid, shape)
        if "enum" in constraints:
            allowed = [str(v) for v in constraints["enum"]]
            inside = pc.is_in(column, value_set=pa.array(allowed, pa.string()))
            bad = pc.and_(filled, pc.invert(inside))
            collect.rows(name, bad, lambda i: f"{_quote(value(i))} is not one of {', '.join(allowed)}")
            valid = pc.and_(valid, inside)
        if "pattern" in constraints:
            pattern = constraints["pattern"]
            matches = pc.match_substring_regex(column, f"^(?:{pattern})$")
            bad = pc.and_(filled, pc.invert(matches))
            hint = PATTERN_HINTS.get(pattern, f"does not match the pattern {pattern}")
            collect.rows(name, bad, lambda i: f"{_quote(value(i))} {hint}")
            valid = pc.and_(valid, matches)
            if pattern in (PARTIAL_DATE, PERIOD):
                real = calendar_ok(pc.if_else(valid, column, pa.scalar(None, pa.string())))
                bad = pc.and_(valid, pc.invert(real))
                collect.rows(name, bad, lambda i: f"{_quote(value(i))} is not a real calendar date")
                valid = pc.and_(valid, real)
        if kind in ("integer", "number") and ("minimum" in constraints or "maximum" in constraints):
            numbers = pc.cast(pc.if_else(valid, column, pa.scalar(None, pa.string())), pa.float64())
            if "minimum" in constraints:
                low = pc.fill_null(pc.less(numbers, constraints["minimum"]), False)
                collect.rows(name, low, lambda i: f"{value(i)} is below the minimum {constraints['minimum']}")
                valid = pc.and_(valid, pc.invert(low))
            if "maximum" in constraints:
                high = pc.fill_null(pc.greater(numbers, constraints["maximum"]), False)
                collect.rows(name, high, lambda i: f"{value(i)} is above the maximum {constraints['maximum']}")
                valid = pc.and_(valid, pc.invert(high))
        if constraints.get("unique"):
            _duplicates(collect, name, column, filled, lambda i: f"{_quote(value(i))} appears more than once; it must be unique")
        table.valid[name] = pc.fill_null(valid, False)
    if len(primary_key) > 1:
        keys = _joined(table.strings, primary_key)
        filled = pc.invert(pc.equal(keys, "\x1f" * (len(primary_key) - 1)))
        _duplicates(collect, ",".join(primary_key), keys, filled,
                    lambda i: f"({', '.join(_quote(table.strings[k][i].as_py()) for k in primary_key)}) appears more than once; the primary key must be unique")


def _joined(strings: pa.Table, names: list[str]) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    if strings.num_rows == 0:
        return pa.array([], pa.string())
    if len(names) == 1:
        return strings[names[0]].combine_chunks()
    return pc.binary_join_element_wise(*[strings[n].combine_chunks() for n in names], "\x1f")


def _duplicates(collect: _Collector, label: str, values: pa.Array, filled: pa.Array, describe) -> None:
    """Flag every repeat of a value (the first occurrence stays unflagged)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(values)
    if n < 2:
        return
    order = pc.sort_indices(values).to_numpy()
    ordered = values.take(pa.array(order))
    same = pc.equal(ordered.slice(1), ordered.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    repeat = np.zeros(n, dtype=bool)
    repeat[order[1:][same]] = True
    # Ties in sort_indices keep row order, so the flagged rows are the later ones.
    bad = pc.and_(pa.array(repeat), filled)
    collect.rows(label, bad, describe)


def _check_foreign_keys(tables: dict[str, _Table]) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    for table in tables.values():
        for fk in table.schema.get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            parent_name = ref.get("resource") or table.name
            parent_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            parent = tables.get(parent_name)
            if parent is None:
                continue
            child = _joined(table.strings, fields)
            filled = pc.invert(pc.equal(child, "\x1f" * (len(fields) - 1))) if len(fields) > 1 else pc.invert(pc.equal(child, ""))
            present = pc.is_in(child, value_set=pa.array(_joined(parent.strings, parent_fields)))
            bad = pc.and_(filled, pc.invert(present))
            label = ",".join(fields)
            where = f"{','.join(parent_fields)} in {parent.rel}"
            values = table.strings
            _Collector(table.problems, table.rel, table.lines).rows(
                label, bad, lambda i: f"{', '.join(_quote(values[f][i].as_py()) for f in fields)} is not a {where}"
            )
            for f in fields:
                table.valid[f] = pc.and_(table.valid[f], pc.or_(pc.invert(filled), present))


def typed_frame(table: _Table):
    """The table as a typed pandas frame; cells that failed their own checks become missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .dtypes import arrow_schema, to_pandas

    schema = arrow_schema(table.schema)
    columns = []
    for f in schema:
        column = table.strings[f.name].combine_chunks() if table.strings.num_rows else pa.array([], pa.string())
        keep = table.valid.get(f.name, pa.array([True] * len(column)))
        kept = pc.if_else(keep, column, pa.scalar(None, pa.string()))
        columns.append(pc.cast(kept, f.type))
    return to_pandas(pa.Table.from_arrays(columns, schema=schema), table.schema)


def _check_rules(tables: dict[str, _Table]) -> None:
    import numpy as np

    frames = {name: typed_frame(t) for name, t in tables.items()}
    for rule in ROW_RULES:
        table = tables.get(rule.table)
        if table is None:
            continue
        frame = frames[rule.table]
        if rule.field not in frame or not len(frame):
            continue
        ok = rule.check(frame).to_numpy(dtype=bool, na_value=False)
        for i in np.flatnonzero(~ok)[:MAX_PER_FIELD]:
            table.problems.append(Problem(table.rel, int(table.lines[i]), rule.field, _rule_message(frame, i, rule)))
    keys = {name: _pk(t.schema) for name, t in tables.items()}
    for p in package_problems(frames, keys):
        table = tables[p.table]
        table.problems.append(Problem(table.rel, int(table.lines[p.row]), p.field, p.message))


def _rule_message(frame, i, rule) -> str:
    value = frame[rule.field].iloc[i]
    if value is None or (value != value):  # missing
        return rule.message
    return f"{_quote(str(value))}: {rule.message}"


def _pk(schema: dict[str, Any]) -> list[str]:
    key = schema.get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


def _check_generated(root: Path, table: _Table, resource: dict[str, Any]) -> None:
    """Parquet holds exactly the CSV's data; the resource's hash and bytes match the file."""
    import pyarrow.parquet as pq

    from .load import read_csv_arrow

    csv_path = root / table.rel
    data = csv_path.read_bytes()
    expected_hash = "sha256:" + hashlib.sha256(data).hexdigest()
    if resource.get("hash") != expected_hash:
        table.problems.append(Problem(DESCRIPTOR, 0, f"{table.name}.hash", f"does not match {table.rel}: run alliance-data build", generated=True))
    if resource.get("bytes") != len(data):
        table.problems.append(Problem(DESCRIPTOR, 0, f"{table.name}.bytes", f"is {_quote(resource.get('bytes'))}, but {table.rel} has {len(data)} bytes: run alliance-data build", generated=True))
    parquet_rel = str(PurePosixPath(table.rel).with_suffix(".parquet"))
    parquet_path = root / parquet_rel
    if not parquet_path.is_file():
        return  # a package without Parquet (a CSV export, say) is complete; CI checks the repository's
    try:
        actual = pq.read_table(parquet_path)
    except Exception as error:  # any unreadable file is reported, whatever pyarrow raised
        table.problems.append(Problem(parquet_rel, 0, "", f"cannot be read ({type(error).__name__}): run alliance-data build", generated=True))
        return
    expected = read_csv_arrow(csv_path, table.schema)
    if not same_content(actual, expected):
        table.problems.append(Problem(parquet_rel, 0, "", f"does not hold the data of {table.rel}: run alliance-data build", generated=True))


def same_content(a: pa.Table, b: pa.Table) -> bool:
    """Equal column names, types and values (dictionaries compared by their values)."""
    import pyarrow as pa

    if a.schema.names != b.schema.names or a.num_rows != b.num_rows:
        return False
    for x, y in zip(a.columns, b.columns):
        if x.type != y.type:
            return False
        if pa.types.is_dictionary(x.type):
            x, y = x.cast(x.type.value_type), y.cast(y.type.value_type)
        if not x.equals(y):
            return False
    return True


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
    import re

    if not re.match(SEMVER, str(descriptor.get("version", ""))):
        report.problems.append(Problem(DESCRIPTOR, 0, "version", f"{_quote(descriptor.get('version'))} is not a semantic version such as 1.2.0"))
    by_name: dict[str, dict[str, Any]] = {}
    for number, resource in enumerate(resources):
        label = resource.get("name") if isinstance(resource, dict) and resource.get("name") else f"resources[{number}]"
        if not isinstance(resource, dict):
            report.problems.append(Problem(DESCRIPTOR, 0, label, "must be an object"))
            continue
        rel, reason = safe_relative_path(root, resource.get("path"), "path")
        schema_rel, schema_reason = safe_relative_path(root, resource.get("schema"), "schema")
        for why in (reason, schema_reason):
            if why:
                report.problems.append(Problem(DESCRIPTOR, 0, f"{label}", why))
        if reason or schema_reason:
            continue
        if not (root / rel).is_file():
            report.problems.append(Problem(DESCRIPTOR, 0, label, f"path {_quote(rel)}: no such file"))
            continue
        schema, problems = _read_json(root, schema_rel)
        report.problems.extend(problems)
        if problems:
            continue
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            report.problems.append(Problem(schema_rel, 0, "fields", "a Table Schema needs a list of fields"))
            continue
        table, problems = _read_table(root, label, rel, schema)
        report.problems.extend(problems)
        if table is None:
            continue
        _check_cells(table)
        tables[label] = table
        by_name[label] = resource
        report.tables += 1
        report.rows += table.strings.num_rows
    _check_foreign_keys(tables)
    _check_rules(tables)
    for name, table in tables.items():
        if not any(not p.generated for p in table.problems):
            _check_generated(root, table, by_name[name])
        report.problems.extend(table.problems)
    report.problems = sorted(set(report.problems))
    return report
