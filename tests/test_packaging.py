"""The wheel: built, installed into a fresh virtual environment, loaded from elsewhere."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # The build backend's own PEP 517 hook: no pip needed (uv-made environments have none).
    subprocess.run([sys.executable, "-c", f"import hatchling.build as b; b.build_wheel({str(out)!r})"], cwd=REPO, check=True,
                   capture_output=True)
    (found,) = out.glob("alliance_data-*.whl")
    return found


def install_pure_wheel(wheel: Path, python: Path) -> None:
    """Install a pure-Python wheel the way an installer does, without pip: unpack it into the
    environment's site-packages and write its console script."""
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
        entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
        scripts = [line.split("=", 1) for line in archive.read(entry_points).decode().splitlines() if "=" in line]
    for name, target in scripts:
        module, function = target.strip().split(":")
        script = python.parent / name.strip()
        script.write_text(f"#!{python}\nimport sys\nfrom {module} import {function}\nsys.exit({function}())\n")
        script.chmod(0o755)


def test_wheel_carries_the_data(wheel: Path, descriptor: dict) -> None:
    assert wheel.name.startswith(f"alliance_data-{descriptor['version']}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "alliance_data/py.typed" in names
    assert "alliance_data/validator/__init__.py" in names and "alliance_data/validator/cells.py" in names
    assert "alliance_data/_data/datapackage.json" in names
    for resource in descriptor["resources"]:
        assert f"alliance_data/_data/{resource['path']}" in names
        assert f"alliance_data/_data/{resource['path'][:-4]}.parquet" in names
        assert f"alliance_data/_data/{resource['schema']}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "alliance-data = alliance_data._entry:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_wheel_description_has_no_relative_links(wheel: Path) -> None:
    """The package index shows the README alone: its figure block (relative images) is replaced."""
    import re

    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    description = metadata.split("\n\n", 1)[1]
    assert description.startswith("# alliance-data") and "## Quick start" in description
    assert "<!-- figures -->" not in description and "](docs/readme" not in description
    assert not re.findall(r"\]\((?!https?://)[^)]*\)", description)


def test_installed_wheel_loads_every_table_from_anywhere(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    install_pure_wheel(wheel, python)
    # The test environment then supplies the dependencies (offline, fast); only the wheel is new.
    # A path in a .pth file is appended after the venv's own site-packages, so the
    # installed wheel wins over any copy of alliance_data in the test environment.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    parent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "test_dependencies.pth").write_text("\n".join(sorted(parent)) + "\n")
    code = (
        "import json, alliance_data\n"
        "frames = alliance_data.load_all()\n"
        "print(json.dumps({'file': alliance_data.__file__, 'rows': {k: len(v) for k, v in frames.items()},"
        " 'version': alliance_data.__version__}))"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(python), "-c", code], cwd=elsewhere, capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    assert str(env_dir) in loaded["file"], "loaded from the installed wheel, not the checkout"
    assert all(rows > 0 for rows in loaded["rows"].values())
    listed = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    generated = json.loads((REPO / "schemas" / "derived.json").read_text(encoding="utf-8"))["resources"]
    assert len(loaded["rows"]) == len(listed) + len(generated)
    cli = env_dir / "bin" / "alliance-data"
    result = subprocess.run([str(cli), "validate"], cwd=elsewhere, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sdist_is_a_complete_source_release(tmp_path: Path) -> None:
    """Everything the tests read is in the sdist (the few checkout-only files make their tests skip)."""
    import tarfile

    subprocess.run([sys.executable, "-c", f"import hatchling.build as b; b.build_sdist({str(tmp_path)!r})"], cwd=REPO, check=True,
                   capture_output=True)
    (sdist,) = tmp_path.glob("alliance_data-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for rel in ("pyproject.toml", "datapackage.json", "CODEBOOK.md", "README.md", "LICENSE", "LICENSE-DATA", "CHANGELOG.md",
                "CONTRIBUTING.md", "codelists/cameo/eventcodes.tsv", "hatch_build.py", "tests/conftest.py",
                "benchmarks/make_synthetic.py"):
        assert rel in names, rel
    generated = {"tables/dyad_year.csv", "tables/dyad_year_directed.csv"}  # built by the wheel build, like the Parquet files
    for folder in ("tables", "schemas", "tests"):
        expected = {p.relative_to(REPO).as_posix() for p in (REPO / folder).iterdir()
                    if p.is_file() and p.suffix not in (".pyc", ".parquet")} - generated
        assert expected <= names, sorted(expected - names)
    assert not {n for n in names if n.endswith(".parquet")} | (generated & names), "generated files are never shipped as source"


def test_the_installed_data_is_built_from_this_checkout() -> None:
    """The data the tests check (the installed wheel's, built when it was made) is this checkout's:
    the same descriptor, schemas and CSVs byte for byte, plus the files built from them."""
    from conftest import DATA, GENERATED

    from alliance_data import _package

    edited = [*(p.relative_to(REPO) for p in sorted((REPO / "schemas").glob("*.json"))),
              *(p.relative_to(REPO) for p in sorted((REPO / "tables").glob("*.csv")) if p.name not in GENERATED)]
    for rel in edited:
        assert (DATA / rel).read_bytes() == (REPO / rel).read_bytes(), f"{rel}: reinstall (pip install .) after editing"
    # The installed descriptor is the built one: the checkout's, with the generated tables listed.
    editable = DATA.resolve() == REPO.resolve()  # an editable install reads the checkout itself
    expected = (REPO / "datapackage.json").read_bytes() if editable else _package.built_descriptor(REPO)
    assert (DATA / "datapackage.json").read_bytes() == expected, "datapackage.json: reinstall (pip install .) after editing"
    assert (DATA / "tables" / "dyad_year.csv").is_file() and (DATA / "tables" / "events.parquet").is_file()
