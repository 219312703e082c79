"""Two pull requests that edit different rows of one table merge without a conflict.

The repository commits only what people edit (descriptor, schemas, CSVs, the schema-only
codebook); the panel and the Parquet files are generated and ignored by git. This makes two
branches in a temporary git repository, as two contributors would, and merges them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from alliance_data.arrow_io import read_arrow
from alliance_data.cli import main
from alliance_data.validator import validate
from conftest import REPO, read_rows, write_rows

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

# Commits with a fixed identity and no user or system configuration, so the test runs anywhere.
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Contributor", "GIT_AUTHOR_EMAIL": "contributor@example.org",
           "GIT_COMMITTER_NAME": "Contributor", "GIT_COMMITTER_EMAIL": "contributor@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, env=GIT_ENV, capture_output=True, text=True, check=check)


def checkout_of_the_repository(root: Path) -> Path:
    """A git repository holding what this repository tracks of the data package."""
    root.mkdir()
    for name in ("datapackage.json", "CODEBOOK.md", ".gitignore"):
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copytree(REPO / "tables", root / "tables", ignore=shutil.ignore_patterns("*.parquet", "dyad_year.csv", "dyad_year_directed.csv"))
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "The data package")
    return root


def correct(root: Path, row: int, summary: str) -> None:
    """A contributor's correction: one event's summary, then the documented build."""
    path = root / "tables" / "events.csv"
    rows = read_rows(path)
    fields = list(rows[0])
    rows[row]["summary"] = summary
    write_rows(path, rows, fields)
    assert main(["build", str(root)]) == 0


def test_two_corrections_to_one_table_merge_cleanly(tmp_path: Path, capsys) -> None:
    root = checkout_of_the_repository(tmp_path / "repo")
    assert main(["build", str(root)]) == 0
    assert git(root, "status", "--porcelain").stdout == "", "what build generates is ignored by git"

    git(root, "switch", "--quiet", "--create", "first")
    correct(root, 10, "A first contributor's rewording of this event.")
    git(root, "commit", "--quiet", "--all", "--message", "Reword event 10")
    changed = git(root, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert changed == ["tables/events.csv"], "the pull request holds the CSV edit and nothing generated"

    git(root, "switch", "--quiet", "main")
    git(root, "switch", "--quiet", "--create", "second")
    correct(root, 120, "A second contributor's rewording of another event.")
    git(root, "commit", "--quiet", "--all", "--message", "Reword event 120")
    assert git(root, "show", "--name-only", "--format=", "HEAD").stdout.split() == ["tables/events.csv"]

    # Both land on main, one after the other, as a maintainer merges two pull requests.
    git(root, "switch", "--quiet", "main")
    git(root, "merge", "--quiet", "--no-edit", "first")
    merged = git(root, "merge", "--no-edit", "second", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert git(root, "diff", "--name-only", "--diff-filter=U").stdout == "", "no conflicted file"

    # The merged checkout builds into a valid package that holds both corrections.
    capsys.readouterr()
    assert main(["build", str(root)]) == 0
    report = validate(root)
    assert report.valid, [str(p) for p in report.problems[:5]]
    summaries = read_arrow("events", root, columns=["summary"]).column("summary").to_pylist()
    assert "A first contributor's rewording of this event." in summaries
    assert "A second contributor's rewording of another event." in summaries
    assert git(root, "status", "--porcelain").stdout == ""


def test_generated_files_stay_out_of_the_repository() -> None:
    """The files build writes are ignored by git here, so no pull request can commit them; only the
    README figures the release process draws (docs/readme/) are committed."""
    if not (REPO / ".git").exists():
        pytest.skip("needs a git checkout")
    tracked = git(REPO, "ls-files", "tables", "docs", "datapackage.json").stdout.split()
    assert tracked, "git lists the data"
    generated = [t for t in tracked if t.endswith((".parquet", ".svg")) or t in ("tables/dyad_year.csv", "docs/figures.json")]
    assert sorted(generated) == ["docs/readme/coverage.svg", "docs/readme/timeline.svg"]
    for generated in ("tables/events.parquet", "tables/dyad_year.csv", "tables/dyad_year.parquet", "docs/timeline.svg"):
        assert git(REPO, "check-ignore", "--quiet", "--no-index", generated, check=False).returncode == 0, generated
