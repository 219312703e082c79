"""An unbuilt checkout says what to do: every entry point that needs a generated file raises
NotBuilt (a DataPackageError) with the one-line build hint, never a FileNotFoundError, and the
command prints that line and exits 2; a fresh checkout still validates as committed."""

from __future__ import annotations

from pathlib import Path

import pytest

import alliance_data
from alliance_data.arrow_io import read_arrow
from alliance_data.cli import main
from conftest import source_copy

HINT = "run `alliance-data build .`"


@pytest.fixture
def unbuilt(tmp_path: Path) -> Path:
    """The package as git holds it: no panels, no Parquet files."""
    return source_copy(tmp_path / "checkout")


def test_a_fresh_checkout_is_valid_unbuilt(unbuilt: Path) -> None:
    report = alliance_data.validate(unbuilt)
    assert report.valid, [str(p) for p in report.problems]


@pytest.mark.parametrize("name", ["dyad_year", "dyad_year_directed"])
def test_reading_a_panel_not_built_says_to_build(unbuilt: Path, name: str) -> None:
    with pytest.raises(alliance_data.NotBuilt, match="run `alliance-data build"):
        read_arrow(name, unbuilt)
    assert issubclass(alliance_data.NotBuilt, alliance_data.DataPackageError)


def test_figures_of_an_unbuilt_checkout_say_to_build(unbuilt: Path, capsys) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("networkx")
    assert main(["figures", str(unbuilt), "--out", str(unbuilt / "out")]) == 2
    err = capsys.readouterr().err
    assert HINT in err and "Traceback" not in err and "FileNotFoundError" not in err
    assert not (unbuilt / "out").exists()


def test_search_needs_no_panel() -> None:
    hits = alliance_data.search("Bushehr")
    assert len(hits) and "dyad_year" not in set(hits["table"])
