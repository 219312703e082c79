"""The repository as people meet it: README commands and examples, generated files, CI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alliance_data import codebook
from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


# Files a git checkout has and the sdist does not (CI, workflows, the PR template, Zenodo
# metadata): the tests that read them say so and skip when run from an unpacked sdist.
CHECKOUT_ONLY = (".ci/run", ".github/workflows/validate.yml", ".github/workflows/release.yml",
                 ".github/PULL_REQUEST_TEMPLATE.md", ".zenodo.json")
needs_checkout = pytest.mark.skipif(not all((REPO / name).is_file() for name in CHECKOUT_ONLY),
                                    reason="needs a git checkout: CI, workflow and Zenodo files are not in the sdist")


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [block.strip() for block in re.findall(r"```sh\n(.*?)```", quick_start, flags=re.S)]
    assert commands == ['pip install . && alliance-data info', 'pip install ".[test]" && pytest']


@needs_checkout
def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == 'pip install ".[test]" && pytest'


@pytest.mark.parametrize("block", fenced("python"), ids=lambda b: b.splitlines()[0][:40])
def test_readme_python_examples_run(block: str) -> None:
    if "duckdb" in block:
        pytest.importorskip("duckdb")
    if "polars" in block:
        pytest.importorskip("polars")
    exec(compile(block, "README.md", "exec"), {})


METHODS = (REPO / "METHODS.md").read_text(encoding="utf-8") if (REPO / "METHODS.md").is_file() else ""


@pytest.mark.parametrize("block", re.findall(r"```python\n(.*?)```", METHODS, flags=re.S), ids=lambda b: b.splitlines()[0][:40])
def test_methods_note_examples_run(block: str, capsys) -> None:
    exec(compile(block, "METHODS.md", "exec"), {})
    assert capsys.readouterr().out  # the worked example prints what the note reads


def test_methods_note_is_linked_and_names_the_version() -> None:
    import json

    version = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert f"data version {version}" in METHODS
    assert "METHODS.md" in README and "METHODS.md" in (REPO / "CODEBOOK.md").read_text(encoding="utf-8")


def test_codebook_is_fresh() -> None:
    assert (REPO / "CODEBOOK.md").read_text(encoding="utf-8") == codebook.render(REPO), (
        "CODEBOOK.md is stale: run alliance-data build"
    )


def test_repository_files_exist() -> None:
    for name in ("LICENSE", "LICENSE-DATA", "CITATION.cff", "CHANGELOG.md", "CONTRIBUTING.md"):
        assert (REPO / name).is_file(), name
    assert "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in README


@needs_checkout
def test_workflow_checks_what_contributors_must_pass() -> None:
    workflow = (REPO / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8")
    for step in ("frictionless_offline.py validate datapackage.json", "alliance-data validate .", "alliance-data build .",
                 "git diff --exit-code", 'pip install ".[test]" && pytest', "alliance-data diff"):
        assert step in workflow
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert f'"{version}"' in workflow
    assert "pull_request" in workflow and "push" in workflow


@needs_checkout
def test_release_workflow_checks_the_tag_and_attaches_the_set() -> None:
    workflow = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    for step in ('tags: ["v*"]', "datapackage.json", "alliance-data export --format release", "sha256sum -c SHA256SUMS",
                 "gh release create"):
        assert step in workflow


def test_changelog_names_the_current_version(descriptor: dict) -> None:
    assert f"## {descriptor['version']}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


@needs_checkout
def test_workflows_pass_an_offline_audit() -> None:
    """zizmor finds nothing: actions pinned to commits, no expressions in shell, least privilege."""
    import shutil
    import subprocess
    import sys

    zizmor = shutil.which("zizmor") or str(Path(sys.executable).with_name("zizmor"))
    if not Path(zizmor).exists():
        pytest.skip('zizmor is not installed (it comes with pip install ".[test]")')
    result = subprocess.run([zizmor, "--offline", "--no-progress", str(REPO / ".github" / "workflows")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr


@needs_checkout
def test_the_type_check_runs_once_in_ci_not_in_the_suite() -> None:
    """mypy runs as its own workflow step (fast, cached there), not inside a pytest test."""
    workflow = (REPO / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8")
    assert "python -m mypy" in workflow and "ruff check src tests" in workflow
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'select = ["E", "F", "W", "B", "UP", "SIM", "RUF", "PERF"]' in pyproject


@needs_checkout
def test_zenodo_metadata_matches_the_data() -> None:
    import json

    zenodo = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert zenodo["version"] == descriptor["version"]
    assert zenodo["license"] == "cc-by-4.0" and zenodo["upload_type"] == "dataset"
    assert zenodo["title"] == descriptor["title"] and zenodo["creators"]
    assert "<repository" not in README and "URL>" not in README, "no placeholder addresses"


def test_readme_links_hold_on_a_package_index() -> None:
    """A package index shows the README without the repository: no relative links or images,
    except the figure block, which the wheel's description replaces (test_packaging checks it)."""
    outside = re.sub(r"(?s)<!-- figures -->.*?<!-- /figures -->", "", README)
    relative = re.findall(r"\]\((?!https?://)[^)]*\)", outside)
    assert not relative, relative


def test_codebook_documents_every_exported_table(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from alliance_data.export import export_parquet

    # The installed data: a fresh checkout has no generated tables to export.
    sections = {block.split("\n", 1)[0].split(" ")[0]: block for block in codebook.render().split("\n## ")[1:]}
    for path in export_parquet(tmp_path):
        assert path.stem in sections, f"{path.stem} is exported but not in the codebook"
        for column in pq.ParquetFile(path).schema_arrow.names:
            assert f"| `{column}` |" in sections[path.stem], f"{path.stem}.{column} is not in the codebook"
