"""The README shows the data: figures under docs/readme/, drawn by the release process
(.github/scripts/prepare_release.py), captioned with the version and fingerprint they show,
which CITATION.cff carries too."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest

from alliance_data import _package
from conftest import DATA, REPO, copy_data

SCRIPT = REPO / ".github" / "scripts" / "prepare_release.py"
pytestmark = pytest.mark.skipif(not SCRIPT.is_file(), reason="needs a git checkout: the release scripts are not in the sdist")


@pytest.fixture(scope="module")
def release() -> object:
    spec = importlib.util.spec_from_file_location("prepare_release", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """The parts of the checkout the release script reads and writes."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "docs" / "readme", root / "docs" / "readme")
    for name in ("README.md", "CITATION.cff"):
        shutil.copy2(REPO / name, root / name)
    return root


def stamp() -> dict:
    return json.loads((REPO / "docs" / "readme" / "figures.json").read_text(encoding="utf-8"))


def test_the_figures_open_the_readme_with_their_version() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- figures -->", 1)[1].split("<!-- /figures -->", 1)[0]
    assert readme.index("<!-- figures -->") < readme.index("## Quick start")
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", block)
    assert images == ["docs/readme/timeline.svg", "docs/readme/coverage.svg"]
    for image in images:
        assert (REPO / image).read_bytes().startswith(b"<?xml")
    assert f"data version {stamp()['data_version']}" in block and stamp()["fingerprint"] in block


def test_readme_citation_and_images_agree(release) -> None:
    assert release.check(REPO, DATA, strict=False) == []
    cff = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f'value: "{stamp()["fingerprint"]}"' in cff and f'version: "{stamp()["data_version"]}"' in cff


def test_committed_images_match_a_build_of_their_version(release) -> None:
    """Between releases the data moves on and the release workflow runs this check on the tag;
    here it runs whenever the installed data is the data the figures were drawn from."""
    if _package.fingerprint(DATA) != stamp()["fingerprint"]:
        pytest.skip("the data changed since the last release drew the figures; the release workflow checks them")
    assert release.check(REPO, DATA, strict=True) == []
    import alliance_data

    assert stamp()["fingerprint"] in alliance_data.citation().text  # the citation and CITATION.cff agree


def test_a_hand_edited_image_is_caught(release, checkout: Path) -> None:
    image = checkout / "docs" / "readme" / "coverage.svg"
    image.write_bytes(image.read_bytes().replace(b"</svg>", b"<!-- edited --></svg>"))
    assert [line.split(":")[0] for line in release.check(checkout, DATA, strict=False)] == ["docs/readme/coverage.svg"]


def test_a_citation_for_other_data_is_caught(release, checkout: Path) -> None:
    cff = checkout / "CITATION.cff"
    cff.write_text(re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, cff.read_text(encoding="utf-8")), encoding="utf-8")
    (wrong,) = release.check(checkout, DATA, strict=False)
    assert wrong.startswith("CITATION.cff: fingerprint")


def test_a_caption_of_another_version_is_caught(release, checkout: Path) -> None:
    readme = checkout / "README.md"
    version = stamp()["data_version"]
    readme.write_text(readme.read_text(encoding="utf-8").replace(f"data version {version}", "data version 9.9.9"), encoding="utf-8")
    (wrong,) = release.check(checkout, DATA, strict=False)
    assert wrong.startswith("README.md: the figure block")


def test_a_release_of_changed_data_needs_new_figures(release, tmp_path: Path) -> None:
    data = copy_data(tmp_path / "data", parquet=False)
    actors = data / "tables" / "actors.csv"
    lines = actors.read_text(encoding="utf-8").splitlines(keepends=True)
    actors.write_text("".join([lines[0], *reversed(lines[1:])]), encoding="utf-8")  # same rows, other order: new data
    wrong = release.check(REPO, data, strict=True)
    assert any(line.startswith("docs/readme/figures.json: fingerprint") for line in wrong), wrong


def test_the_release_script_writes_what_it_checks(release, checkout: Path, monkeypatch) -> None:
    drawn = {name: b"<?xml drawn " + name.encode() + b"?>" for name in release.IMAGES}
    monkeypatch.setattr(release, "_draw", lambda data: drawn)  # drawing itself is checked above, against the data
    (checkout / "docs" / "readme" / "timeline.svg").unlink()
    release.write(checkout, DATA, "2026-01-02")
    assert (checkout / "docs" / "readme" / "timeline.svg").read_bytes() == drawn["timeline.svg"]
    assert release.check(checkout, DATA, strict=False) == []
    assert 'date-released: "2026-01-02"' in (checkout / "CITATION.cff").read_text(encoding="utf-8")
    assert json.loads((checkout / "docs" / "readme" / "figures.json").read_text(encoding="utf-8"))["fingerprint"] == _package.fingerprint(DATA)
