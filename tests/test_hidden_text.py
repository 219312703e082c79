"""Text that hides: every default-ignorable or invisible code point is refused in a cell, where
it could make two ids or unique names look alike or a required cell look filled."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_data import validate
from conftest import read_rows, write_rows
from test_validate import copy_csv_package

HIDDEN = {
    "soft hyphen": "\u00ad", "combining grapheme joiner": "\u034f", "Arabic letter mark": "\u061c",
    "Hangul choseong filler": "\u115f", "Hangul filler": "\u3164", "halfwidth Hangul filler": "\uffa0",
    "Mongolian vowel separator": "\u180e", "zero-width space": "\u200b", "zero-width joiner": "\u200d",
    "word joiner": "\u2060", "invisible separator": "\u2063", "right-to-left override": "\u202e",
    "variation selector 16": "\ufe0f", "variation selector 17": "\U000e0100", "tag letter A": "\U000e0041",
    "byte order mark inside": "\ufeff",
}


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_a_hidden_code_point_in_a_name_is_refused(tmp_path: Path, name: str) -> None:
    root = copy_csv_package(tmp_path / "package", only="actors")
    path = root / "tables" / "actors.csv"
    rows = read_rows(path)
    row = next(i for i, r in enumerate(rows) if r["actor_id"] == "gazprom")
    rows[row]["name"] = rows[row]["name"][:2] + HIDDEN[name] + rows[row]["name"][2:]
    write_rows(path, rows, list(rows[0]))
    problems = validate(root).problems
    named = f"U+{ord(HIDDEN[name]):04X}"  # the message names the hidden code point
    assert any((p.path, p.line, p.field, p.code) == ("tables/actors.csv", row + 2, "name", "cell/hidden-character") and named in p.message
               for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("name", ["zero-width space", "Hangul filler", "soft hyphen"])
def test_a_required_cell_of_hidden_text_alone_is_refused(tmp_path: Path, name: str) -> None:
    root = copy_csv_package(tmp_path / "package", only="frictions")
    path = root / "tables" / "frictions.csv"
    rows = read_rows(path)
    rows[0]["summary"] = HIDDEN[name]
    write_rows(path, rows, list(rows[0]))
    assert not validate(root).valid
