"""Reading the package's files: JSON descriptors and schemas, CSV tables as text cells, and the
files in the package's folders that the descriptor does not list.

A CSV is handled as bytes throughout: it is decoded in Python only to locate a problem that
pyarrow has found.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .._package import DERIVED, DESCRIPTOR, safe_relative_path
from ..model import Table
from .report import MAX_PER_FIELD, Problem
from .table import CheckedTable

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

BOM = b"\xef\xbb\xbf"
MAX_TABLE_BYTES = 1 << 30  # 1 GiB: a larger CSV is refused before it is read
MAX_DEPTH = 32  # lists and objects nested deeper in a descriptor or schema are refused
TEMPORARY = re.compile(r"^\.|\.(tmp|temp|swp|bak|orig|part)$|~$")


def read_json(root: Path, rel: str) -> tuple[Any, list[Problem]]:
    """A JSON file's value, or None and why it cannot be used (invalid, duplicate keys, too deep)."""
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
        return None, [Problem(rel, error.lineno, "", f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}", "json/invalid")]
    except RecursionError:
        return None, [Problem(rel, 0, "", "is nested too deeply to be a descriptor or a Table Schema", "json/too-deep")]
    except UnicodeDecodeError:
        return None, [Problem(rel, 0, "", "is not valid UTF-8: save it as UTF-8", "file/encoding")]
    except OSError as error:
        return None, [Problem(rel, 0, "", f"cannot be read: {error.strerror}", "file/unreadable")]
    if duplicates:
        return None, [Problem(rel, 0, key, "appears twice in one object; JSON keeps only the last, so remove one", "json/duplicate-key") for key in duplicates]
    if _depth(value) > MAX_DEPTH:
        return None, [Problem(rel, 0, "", f"is nested more than {MAX_DEPTH} levels deep: no descriptor or Table Schema here needs that", "json/too-deep")]
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


def read_table(root: Path, name: str, rel: str, schema: dict[str, Any]) -> tuple[CheckedTable | None, list[Problem]]:
    """Read a CSV as text cells, reporting what stops it being read cleanly.

    Returns the table (its problems so far inside it) or None with the problems that stopped it.
    """
    raw, problems = _read_bytes(root, rel)
    if raw is None:
        return None, problems
    digest, size = "sha256:" + hashlib.sha256(raw).hexdigest(), len(raw)  # hashlib releases the GIL
    raw, problems = _line_endings(rel, raw)
    if raw is None:
        return None, problems
    raw, blanks, found = _blank_lines(rel, raw)
    problems += found
    if raw and not raw.endswith(b"\n"):
        problems.append(Problem(rel, raw.count(b"\n") + 1, "", "does not end with a line break: add one after the last row", "file/final-newline"))
    model = Table.from_descriptor({"name": name, "path": rel}, schema)
    found = _header(rel, raw, model.field_names)
    if found:
        return None, problems + found
    strings, found = _cells(rel, raw, model.field_names, blanks)
    if strings is None:
        return None, problems + found
    lines = _past_blanks(_physical_lines(strings, raw.count(b"\n")), blanks)
    return CheckedTable(name, rel, model, strings, lines, {}, problems, digest=digest, size=size), []


def _read_bytes(root: Path, rel: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, unless it is too large (refused before it is read: memory stays bounded) or unreadable."""
    try:
        size = (root / rel).stat().st_size
        if size > MAX_TABLE_BYTES:
            return None, [Problem(rel, 0, "", f"is {size:,} bytes, more than the {MAX_TABLE_BYTES:,} a table here may hold: split it or trim it", "file/too-large")]
        return (root / rel).read_bytes(), []
    except OSError as error:  # unreadable: named like any other problem, exit 1
        return None, [Problem(rel, 0, "", f"cannot be read: {error.strerror or error}", "file/unreadable")]


def _line_endings(rel: str, raw: bytes) -> tuple[bytes | None, list[Problem]]:
    """The bytes without a BOM and with LF line endings; None if a lone CR leaves the rows unclear."""
    problems = []
    if raw.startswith(BOM):
        problems.append(Problem(rel, 1, "", "starts with a byte-order mark (BOM): save it as UTF-8 without BOM", "file/bom"))
        raw = raw[len(BOM):]
    if b"\r" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\r")) + 1
        problems.append(Problem(rel, line, "", "has Windows (CRLF) or CR line endings: save it with LF line endings", "file/line-endings"))
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:  # a lone CR: where rows end is then unclear, so the rows are not read
            return None, problems
    return raw, problems


def _blank_lines(rel: str, raw: bytes) -> tuple[bytes, list[int], list[Problem]]:
    """The bytes without blank lines, the physical line numbers of those (read past), and a problem for each."""
    if b"\n\n" not in raw:  # cells hold no line breaks here, so two in a row make a blank line
        return raw, [], []
    physical = raw.split(b"\n")
    blanks = [i + 1 for i, line in enumerate(physical[:-1]) if line == b"" and i > 0]
    problems = [Problem(rel, line, "", "is a blank line: remove it", "file/blank-line") for line in blanks[:MAX_PER_FIELD]]
    if len(blanks) > MAX_PER_FIELD:
        problems.append(Problem(rel, blanks[MAX_PER_FIELD], "", "... and more blank lines like the above", "file/blank-line",
                                more=len(blanks) - MAX_PER_FIELD))
    skip = set(blanks)
    return b"\n".join(line for i, line in enumerate(physical) if i + 1 not in skip), blanks, problems


def _header(rel: str, raw: bytes, names: list[str]) -> list[Problem]:
    """The header must be the schema's field names, in order."""
    end_of_header = raw.find(b"\n")
    first = (raw if end_of_header < 0 else raw[:end_of_header]).decode("utf-8", errors="replace")
    try:
        header = next(csv.reader([first]), [])
    except csv.Error as error:
        return [Problem(rel, 1, "", f"has a header that cannot be read as CSV ({error})", "file/invalid-csv")]
    if header == names:
        return []

    def some(names: list[str]) -> str:  # a header of thousands of columns is not listed whole
        return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")

    missing = [n for n in names if n not in header]
    extra = [h for h in header if h not in names]
    detail = []
    if missing:
        detail.append("missing " + some(missing))
    if extra:
        detail.append("unexpected " + some(extra) if extra != [""] else "an empty column name")
    if not detail:
        detail.append("columns out of order")
    return [Problem(rel, 1, "", f"header does not match the schema ({'; '.join(detail)}): the header must be {','.join(names)}", "file/header")]


def _cells(rel: str, raw: bytes, names: list[str], blanks: list[int]) -> tuple[pa.Table | None, list[Problem]]:
    """Every cell as text; or None and where the file stops being CSV of the header's width."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from ..arrow_io import read_csv_bytes

    try:
        return read_csv_bytes(
            raw,
            pcsv.ParseOptions(newlines_in_values=True),
            pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
            # One block per file keeps each column in one chunk: no copy to combine them.
            block_size=len(raw) + 1,
        ), []
    except pa.ArrowInvalid:
        pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [Problem(rel, line, "", f"is not valid UTF-8 (byte 0x{raw[error.start]:02x}): save the file as UTF-8", "file/encoding")]
    try:
        line, got = _locate_bad_row(text, len(names))
    except csv.Error as error:  # a cell past the csv module's limit, or a broken quote
        return None, [Problem(rel, 0, "", f"cannot be read as CSV ({error}): check the quotes", "file/invalid-csv")]
    line = int(_past_blanks(np.array([line]), blanks)[0]) if line else line
    return None, [Problem(rel, line, "", f"has {got} cells but the header has {len(names)}: check the commas and quotes", "file/row-width")]


def _locate_bad_row(text: str, width: int) -> tuple[int, int]:
    """The first line of the first row whose width is not ``width``, and its width."""
    # The csv module refuses a cell over its field limit, a limit other libraries in the process
    # (frictionless) may have raised: set it for this read and put it back, so the verdict is the same.
    limit = csv.field_size_limit(MAX_TABLE_BYTES)
    try:
        reader = csv.reader(io.StringIO(text))
        start = 1
        for row in reader:
            if len(row) != width:
                return start, len(row)
            start = reader.line_num + 1
        return 0, width
    finally:
        csv.field_size_limit(limit)


def _physical_lines(strings: pa.Table, text_newlines: int) -> np.ndarray:
    """Physical line of each record: line 1 is the header; quoted line breaks shift the rest."""
    import numpy as np
    import pyarrow.compute as pc

    n = strings.num_rows
    base = np.arange(n, dtype=np.int64) + 2
    if text_newlines <= n + 1:
        return base
    extra = np.zeros(n, dtype=np.int64)
    for values in strings.columns:
        extra += pc.count_substring(values, "\n").to_numpy(zero_copy_only=False).astype(np.int64)
    lines: np.ndarray = base + np.concatenate([[0], np.cumsum(extra)[:-1]])
    return lines


def _past_blanks(lines: np.ndarray, blanks: list[int]) -> np.ndarray:
    """Line numbers counted without the blank lines, turned back into the file's own."""
    import numpy as np

    if not blanks:
        return lines
    # The k-th blank line (sorted, from 0) sits before the lines numbered blank - k or more without
    # blanks: each line moves down by how many of those thresholds it reaches (one pass, not one per blank).
    ordered = np.sort(np.asarray(blanks, dtype=np.int64))
    thresholds = ordered - np.arange(len(ordered))
    return np.asarray(lines, dtype=np.int64) + np.searchsorted(thresholds, lines, side="right")


def stray_files(root: Path, resources: list[Any]) -> list[Problem]:
    """Symbolic links in the data folders, and files there that the descriptor does not list
    (the wheel would ship them unchecked), leftover temporary files among them."""
    listed, folders = _listed_files(root, resources)
    problems = []
    if (root / DESCRIPTOR).is_symlink():
        problems.append(Problem(DESCRIPTOR, 0, "", "is a symbolic link: the package holds real files only", "file/symlink"))
    for folder in sorted(folders):
        base = root / folder
        if folder in (".", "") or not base.is_dir() or base.is_symlink():
            if base.is_symlink():
                problems.append(Problem(folder, 0, "", "is a symbolic link: the package holds real folders only", "file/symlink"))
            continue
        for entry in sorted(base.rglob("*")):
            rel = entry.relative_to(root).as_posix()
            if entry.is_symlink():
                problems.append(Problem(rel, 0, "", "is a symbolic link: replace it with the file itself, or remove it", "file/symlink"))
            elif entry.is_file() and rel not in listed:
                if TEMPORARY.search(entry.name):
                    problems.append(Problem(rel, 0, "", "is a leftover temporary file: remove it", "file/temporary"))
                elif not any(PurePosixPath(rel).is_relative_to(PurePosixPath(f)) for f in listed if f.endswith("/")):
                    problems.append(Problem(rel, 0, "", "is not listed in datapackage.json: add it as a resource or remove it (it would ship unchecked)", "file/unlisted"))
    return problems


def _listed_files(root: Path, resources: list[Any]) -> tuple[set[str], set[str]]:
    """The files the descriptor lists (each table's Parquet twin included) and the folders they are in."""
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
    return listed, folders
