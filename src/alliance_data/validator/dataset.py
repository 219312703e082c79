"""The dataset's own rules: the row rules of :mod:`alliance_data.rules`, the rules across tables
(:mod:`alliance_data.rules` and :mod:`alliance_data.semantics`), the CAMEO code lists kept
beside the package, and the ids of earlier releases."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import semantics
from ..rules import ROW_RULES, package_problems
from .files import read_json
from .report import MAX_PER_FIELD, Problem, quote
from .table import CheckedTable, Collector, column

if TYPE_CHECKING:
    import pyarrow as pa

    from ..rules import RowProblem, RowRule

CAMEO_LISTS = "codelists/cameo"
QUADS = {"1": "verbal_cooperation", "2": "material_cooperation", "3": "verbal_conflict", "4": "material_conflict"}
RELEASES = "releases"
RETIRED = "retired_ids"


def typed_table(table: CheckedTable) -> pa.Table:
    """The table with the types of its schema (enums as plain text); cells that failed
    their own checks become missing, so the rules see only well-formed values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..dtypes import arrow_type

    columns = {}
    for f in table.model.fields:
        kind = arrow_type(f)
        kind = kind.value_type if pa.types.is_dictionary(kind) else kind
        values = column(table.strings, f.name)
        keep = table.valid.get(f.name)
        kept = values if keep is None else pc.if_else(keep, values, pa.nulls(1, pa.string())[0])
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            kept = pc.replace_substring_regex(kept, r"^\+", "")  # Table Schema allows "+365"; Arrow's cast does not
        columns[f.name] = pc.cast(kept, kind)
    return pa.table(columns)


def check_rules(tables: dict[str, CheckedTable]) -> None:
    """The row rules on each table's typed cells, then the rules across tables on the text cells."""
    ruled = {rule.table for rule in ROW_RULES}
    typed = {name: typed_table(t) for name, t in tables.items() if name in ruled}
    for rule in ROW_RULES:
        table = tables.get(rule.table)
        if table is not None and table.strings.num_rows and rule.field in typed[rule.table].column_names:
            _check_row_rule(table, typed[rule.table], rule)
    keys = {name: list(t.model.primary_key) for name, t in tables.items()}
    strings = {name: t.strings for name, t in tables.items()}
    _report_row_problems(tables, [*package_problems(strings, keys), *semantics.problems(strings, keys)])


def _check_row_rule(table: CheckedTable, typed: pa.Table, rule: RowRule) -> None:
    import pyarrow.compute as pc

    # a null verdict comes from a missing cell, which `required` reports on its own
    ok = pc.fill_null(rule.check(typed), True)
    values = typed[rule.field]

    def describe(i: int) -> str:
        value = values[i].as_py()
        return rule.message if value is None else f"{quote(str(value))}: {rule.message}"

    Collector(table.problems, table.rel, table.lines).rows(rule.field, rule.code, pc.invert(ok), describe)


def _report_row_problems(tables: dict[str, CheckedTable], found: list[RowProblem]) -> None:
    """Each problem at its table's line, at most MAX_PER_FIELD of one code in one field, then a count of the rest."""
    listed: dict[tuple[str, str, str], int] = {}
    for p in found:
        table = tables[p.table]
        seen = listed.get((p.table, p.field, p.code), 0)
        listed[(p.table, p.field, p.code)] = seen + 1
        if seen < MAX_PER_FIELD:
            table.problems.append(Problem(table.rel, int(table.lines[p.row]), p.field, p.message, p.code))
    for (name, field_name, code), n in listed.items():
        if n > MAX_PER_FIELD:
            table = tables[name]
            rest = n - MAX_PER_FIELD
            table.problems.append(Problem(table.rel, int(table.lines[-1]), field_name, f"... and {rest} more like the above", code, more=rest))


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


def check_code_lists(root: Path, tables: dict[str, CheckedTable]) -> list[Problem]:
    """``cameo_codes`` is the two code lists kept beside the package, joined (where a checkout has them)."""
    folder = root / CAMEO_LISTS
    if "cameo_codes" not in tables or not (folder / "eventcodes.tsv").is_file() or not (folder / "goldstein.tsv").is_file():
        return []
    try:
        lists = cameo_from_code_lists(folder)
    except (OSError, ValueError, KeyError) as error:
        return [Problem(CAMEO_LISTS, 0, "", f"cannot be read as the CAMEO code lists: {error}", "code/cameo-unreadable")]
    table = tables["cameo_codes"]
    columns = [column(table.strings, c).to_pylist() for c in ("cameo_code", "description", "goldstein", "quad_class")]
    problems: list[Problem] = []
    for row, (code, text, weight, quad) in enumerate(zip(*columns, strict=False)):
        problems += _cameo_row(table.rel, int(table.lines[row]), lists, code, text, weight, quad)
    missing = sorted(set(lists) - set(columns[0]))
    if missing:
        problems.append(Problem(table.rel, 0, "cameo_code", f"lacks {len(missing)} code(s) of {CAMEO_LISTS}: {', '.join(missing[:10])}", "code/cameo-missing"))
    return problems


def _cameo_row(rel: str, line: int, lists: dict[str, tuple[str, float, str]], code: str, text: str, weight: str, quad: str) -> list[Problem]:
    """One row of cameo_codes against the code lists."""
    if code not in lists:
        return [Problem(rel, line, "cameo_code", f"{quote(code)} is not in {CAMEO_LISTS}", "code/cameo-unknown")]
    want_text, want_weight, want_quad = lists[code]
    problems = []
    if text != want_text:
        problems.append(Problem(rel, line, "description", f"is not the code list's {quote(want_text)}", "code/cameo-mismatch"))
    if not _is_number_text(weight) or float(weight) != want_weight:
        problems.append(Problem(rel, line, "goldstein", f"{quote(weight)} is not the code list's weight {want_weight:g}", "code/cameo-mismatch"))
    if quad != want_quad:
        problems.append(Problem(rel, line, "quad_class", f"{quote(quad)} is not the code list's {want_quad}", "code/cameo-mismatch"))
    return problems


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_releases(root: Path, tables: dict[str, CheckedTable]) -> list[Problem]:
    """No id of an earlier release (``releases/ids-<version>.json``) disappears without a
    row in ``retired_ids``; a retired id is gone from its table, and what replaced it is there."""
    folder = root / RELEASES
    if not folder.is_dir() or folder.is_symlink():
        return []
    current = {name: set(column(t.strings, t.model.primary_key[0]).to_pylist())
               for name, t in tables.items() if len(t.model.primary_key) == 1}
    retired, problems = _retired(tables, current)
    for file in sorted(folder.glob("ids-*.json")):
        problems += _vanished(root, file.relative_to(root).as_posix(), tables, current, retired)
    return problems


def _retired(tables: dict[str, CheckedTable], current: dict[str, set[Any]]) -> tuple[set[tuple[str, str]], list[Problem]]:
    """The (table, id) pairs retired_ids lists; a retired id still present, or replaced by an unknown one, is a problem."""
    retired: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    if RETIRED not in tables:
        return retired, problems
    table = tables[RETIRED]
    for row, (name, record, replaced_by) in enumerate(zip(*(column(table.strings, c).to_pylist() for c in ("record_table", "record_id", "replaced_by")), strict=False)):
        retired.add((name, record))
        line = int(table.lines[row])
        if record in current.get(name, set()):
            problems.append(Problem(table.rel, line, "record_id", f"{quote(record)} is retired but still in {name}: remove one or the other", "release/retired-present"))
        if replaced_by and replaced_by not in current.get(name, set()):
            problems.append(Problem(table.rel, line, "replaced_by", f"{quote(replaced_by)} is not among the ids of {name}", "release/unknown-replacement"))
    return retired, problems


def _vanished(root: Path, rel: str, tables: dict[str, CheckedTable], current: dict[str, set[Any]], retired: set[tuple[str, str]]) -> list[Problem]:
    """The ids one release's list (``rel``) has that the tables lack and retired_ids does not explain."""
    listed, problems = read_json(root, rel)
    ids = listed.get("ids") if isinstance(listed, dict) else None
    if not isinstance(ids, dict):
        return problems or [Problem(rel, 0, "ids", "must map each table to the ids it had", "release/invalid-ids")]
    for name, old in ids.items():
        if name not in current or not isinstance(old, list):
            continue
        gone = sorted(str(i) for i in old if i not in current[name] and (name, i) not in retired)
        version = listed.get("version", Path(rel).stem[4:])
        problems += [Problem(tables[name].rel, 0, tables[name].model.primary_key[0],
                             f"{quote(record)} of release {version} is gone without a row in tables/{RETIRED}.csv: "
                             "keep the id, or retire it saying what replaced it", "release/id-vanished") for record in gone[:MAX_PER_FIELD]]
    return problems
