"""search(): every table, stemmed, offline."""

from __future__ import annotations

import pytest

import alliance_data


def test_drone_finds_every_drone_agreement_by_stem() -> None:
    hits = alliance_data.search("drone")
    agreements = alliance_data.load("agreements")
    titled = set(agreements.loc[agreements["title"].str.contains("rone", case=False), "agreement_id"])
    assert titled and titled <= set(hits.loc[hits["table"] == "agreements", "id"])
    assert hits["snippet"].str.contains(r"\[drones\]", case=False).any(), "the plural is found through the stem"
    assert list(hits.columns) == ["table", "id", "field", "snippet"]


def test_every_word_must_match_and_odd_input_is_safe() -> None:
    both = alliance_data.search("Caspian convention")
    assert len(both) and all("caspian" in s.lower() and "convention" in s.lower() for s in both["snippet"])
    assert len(alliance_data.search('"AND OR NOT( * qqxzv')) == 0  # FTS5 syntax in a query is just text
    with pytest.raises(ValueError):
        alliance_data.search("  ")


def test_search_with_polars_needs_no_pandas() -> None:
    pytest.importorskip("polars")
    import subprocess
    import sys

    code = "import sys, alliance_data\nhits = alliance_data.search('satellite', backend='polars')\nprint(len(hits) > 0, 'pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["True", "False"], result.stderr


def test_polars_loading_never_imports_pandas() -> None:
    pytest.importorskip("polars")
    import subprocess
    import sys

    code = ("import sys, alliance_data\nframes = [alliance_data.load(n, backend='polars') for n in alliance_data.tables()]\n"
            "line = alliance_data.timeline(backend='polars')\nprint(all(len(f) for f in frames), 'pandas' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["True", "False"], result.stderr
