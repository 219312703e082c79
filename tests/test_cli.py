"""The alliance-data command: info, validate, build, export; exit codes 0, 1, 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import alliance_data
from alliance_data.cli import main
from conftest import REPO, read_rows, snapshot, write_rows


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alliance_data", *args], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.mark.parametrize("command", [[], ["info"], ["validate"], ["build"], ["export"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "usage: alliance-data" in result.stdout


def test_info_lists_version_tables_rows_and_columns(capsys) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"data version {alliance_data.data_version()}" in out
    rows = len(alliance_data.load("agreements"))
    line = next(text for text in out.splitlines() if text.startswith("agreements "))
    assert str(rows) in line.split() and "agreement_id" in line


def test_validate_the_installed_data(capsys) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith(f"valid: {len(alliance_data.tables())} tables")


def test_validate_exit_codes(package_copy: Path, tmp_path: Path, capsys) -> None:
    assert main(["validate", str(package_copy)]) == 0
    assert main(["validate", str(tmp_path / "missing")]) == 2
    assert main(["validate", str(tmp_path)]) == 2  # a folder without datapackage.json
    assert main(["validate", "--format", "yaml"]) == 2
    path = package_copy / "tables" / "agreements.csv"
    rows = read_rows(path)
    rows[12]["status"] = "signd"
    write_rows(path, rows, list(rows[0]))
    capsys.readouterr()
    assert main(["validate", str(package_copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    # file, line, field, the value, what is allowed, and the problem's code: a promise to users
    assert out[0].startswith('tables/agreements.csv:14: status: "signd" is not one of proposed, expected,')
    assert out[0].endswith(" [cell/enum]")
    assert out[-1] == "1 problem in 1 file"


def test_validate_json_report(package_copy: Path, capsys) -> None:
    path = package_copy / "tables" / "actors.csv"
    rows = read_rows(path)
    rows[0]["cow_code"] = "abc"
    write_rows(path, rows, list(rows[0]))
    assert main(["validate", str(package_copy), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert {"path": "tables/actors.csv", "line": 2, "field": "cow_code", "message": '"abc" is not an integer', "code": "cell/type"} in report["problems"]


def test_validate_annotates_pull_requests_on_github(package_copy: Path) -> None:
    path = package_copy / "tables" / "frictions.csv"
    rows = read_rows(path)
    rows[1]["kind"] = "rivalry"
    write_rows(path, rows, list(rows[0]))
    env = {**__import__("os").environ, "GITHUB_ACTIONS": "true"}
    result = run("validate", str(package_copy), env=env, cwd=package_copy)
    assert result.returncode == 1
    assert "::error file=tables/frictions.csv,line=3,title=kind::" in result.stdout


def test_build_refuses_invalid_data_and_changes_nothing(package_copy: Path, capsys) -> None:
    path = package_copy / "tables" / "sources.csv"
    rows = read_rows(path)
    rows[3]["published"] = "2023-02-30"
    write_rows(path, rows, list(rows[0]))
    (package_copy / "tables" / "actors.parquet").unlink()
    before = snapshot(package_copy)
    assert main(["build", str(package_copy)]) == 1
    assert "[cell/date]" in capsys.readouterr().out
    assert snapshot(package_copy) == before


def test_build_writes_generated_files_then_is_up_to_date(package_copy: Path, capsys) -> None:
    (package_copy / "tables" / "actors.parquet").unlink()
    assert main(["build", str(package_copy)]) == 0
    assert "wrote tables/actors.parquet" in capsys.readouterr().out
    assert (package_copy / "CODEBOOK.md").is_file()
    assert main(["build", str(package_copy)]) == 0
    assert capsys.readouterr().out.strip() == "up to date"


def test_build_without_a_package_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["build", str(tmp_path)]) == 2


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export(fmt: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["export", "--format", fmt, "--out", str(out)]) == 0
    if fmt == "csv":
        assert main(["validate", str(out)]) == 0
        assert sorted(p.name for p in (out / "tables").iterdir()) == sorted(f"{n}.csv" for n in alliance_data.tables())
    else:
        assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.parquet" for n in [*alliance_data.tables(), "agreements_wide"])


def test_usage_errors_exit_2() -> None:
    assert run("frobnicate").returncode == 2
    assert run("export", "--format", "pdf", "--out", "x").returncode == 2
    result = run()
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_commands_that_read_data_return_arrow_memory_promptly() -> None:
    """The command's process (not a library user's) lets Arrow hand freed memory back at once."""
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow has no jemalloc")
    code = ("import pyarrow as pa\nfrom alliance_data.cli import main\nbefore = pa.default_memory_pool().backend_name\n"
            "main(['validate'])\nprint(before, pa.default_memory_pool().backend_name)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split()[-1] == "jemalloc", result.stdout


def test_an_internal_error_has_its_own_exit_code(monkeypatch, capsys) -> None:
    """A bug is neither bad data (1) nor bad usage (2): one line, exit 70, no traceback."""
    from alliance_data import cli

    def broken() -> int:
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_info", broken)
    assert main(["info"]) == cli.INTERNAL == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (KeyError" in err and "Traceback" not in err


def test_the_validate_command_patches_no_imports() -> None:
    # No import hooks and no sys.modules edits: a process that validates can import pandas after.
    code = ("import sys\nfrom alliance_data.cli import main\ncode = main(['validate'])\n"
            "hooks = [type(f).__name__ for f in sys.meta_path]\nimport pandas\n"
            "print(code, hooks == [type(f).__name__ for f in sys.meta_path], sys.modules['pandas'] is pandas)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 True True", result.stdout + result.stderr
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "src" / "alliance_data").rglob("*.py"))
    assert "meta_path" not in source and "sys.modules[" not in source


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    """The child is caught in the middle of validating, by a ready signal, not a guessed sleep:
    one schema is a named pipe, so opening it for writing returns only once the validator
    (inside the command) has opened it for reading; the interrupt comes then."""
    import os
    import signal

    from test_validate import copy_csv_package

    root = copy_csv_package(tmp_path / "package", only="frictions")
    schema = root / "schemas" / "frictions.schema.json"
    schema.unlink()
    os.mkfifo(schema)
    script = "import sys; from alliance_data.cli import main; sys.exit(main(['validate', sys.argv[1]]))"
    process = subprocess.Popen([sys.executable, "-c", script, str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(schema, "w", encoding="utf-8"):  # returns when the validator is reading: the ready signal
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert err.strip() == "alliance-data: interrupted" and "Traceback" not in err


def test_a_closed_pipe_ends_quietly() -> None:
    script = "import sys; from alliance_data.cli import main; sys.exit(main(['info']))"
    shell = f"{sys.executable} -c \"{script}\" | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and len(result.stdout.splitlines()) == 1


def _on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run the command with its standard error on a pseudo-terminal; return the exit code and what it showed."""
    import os
    import pty

    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "alliance_data", *args], stdout=subprocess.DEVNULL, stderr=secondary)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    return process.wait(timeout=120), shown.decode("utf-8", errors="replace")


def test_progress_shows_on_a_terminal_and_not_with_quiet(tmp_path: Path) -> None:
    pytest.importorskip("rich")
    code, shown = _on_a_terminal(["export", "--format", "csv", "--out", str(tmp_path / "a")])
    assert code == 0 and "export: csv" in shown  # the stage's name, as it starts
    code, shown = _on_a_terminal(["export", "--format", "csv", "--out", str(tmp_path / "b"), "--quiet"])
    assert code == 0 and "export: csv" not in shown


def test_ctrl_c_while_the_command_is_still_importing_prints_one_line() -> None:
    """The entry point answers Ctrl-C before the command is imported: one line, exit 130."""
    code = ("import os, signal\nfrom alliance_data import _entry\n"
            "signal.signal(signal.SIGINT, _entry._interrupted_while_importing)\nos.kill(os.getpid(), signal.SIGINT)\n"
            "import time\ntime.sleep(5)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 130 and result.stderr == "alliance-data: interrupted\n"
    entry = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'alliance-data = "alliance_data._entry:run"' in entry
