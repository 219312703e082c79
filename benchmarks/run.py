"""Measure alliance-data against its floors and against frictionless; write BENCHMARKS.md.

    python benchmarks/run.py            # the usual sizes, a few minutes
    python benchmarks/run.py --quick    # fewer repeats
    python benchmarks/run.py --million  # also a 1M-row package (frictionless takes a minute a run)
    python benchmarks/run.py --large 5000000  # also the SQLite export and diff at 5M rows
    python benchmarks/run.py --quick --rows 2000 --rows 5000 --out /tmp/b.md  # every code path, small and fast

Every figure is the median of cold processes (a new interpreter each time, so import costs
count), run in alternation with what it is compared with, and each process's own peak
resident memory is taken as it ends. A figure at a million rows or more rests on at least
seven such pairs, --quick or not. Speed targets live here and in BENCHMARKS.md, never in tests.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from floors import CONNECT_FLOOR, DIFF_FLOOR, SQLITE_FLOOR, database_digest, sqlite_recipe

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
MILLION = 1_000_000
MIN_PAIRS_AT_A_MILLION = 7


@dataclass
class Measured:
    """Medians of one command's runs: wall time (s), peak resident memory (MiB), and the exit code they agree on."""

    seconds: float
    peak: float
    code: int


def run(command: list[str]) -> tuple[float, int, str, float]:
    """One cold process: its wall time, exit code, output and peak resident memory (MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    out = process.stdout.read()
    # wait4 gives this child's own resource use; ru_maxrss is in KiB on Linux.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    return seconds, process.returncode, out, usage.ru_maxrss / 1024


def alternate(commands: list[list[str]], rounds: int) -> list[Measured]:
    """Run the commands in turn (A, B, A, B, ...) ``rounds`` times, so that a slow spell of the
    machine hits each alike; each command's medians."""
    runs: list[list[tuple[float, int, float]]] = [[] for _ in commands]
    for _ in range(rounds):
        for i, command in enumerate(commands):
            seconds, code, _, peak = run(command)
            runs[i].append((seconds, code, peak))
    measured = []
    for command, found in zip(commands, runs, strict=True):
        codes = {code for _, code, _ in found}
        if len(codes) != 1:
            raise RuntimeError(f"{command} gave different exit codes: {codes}")
        measured.append(Measured(statistics.median(s for s, _, _ in found), statistics.median(p for _, _, p in found), codes.pop()))
    return measured


def pairs_at(rows: int, usual: int) -> int:
    return max(usual, MIN_PAIRS_AT_A_MILLION) if rows >= MILLION else usual


def bundled_parquet_paths() -> list[str]:
    code = "import alliance_data as a; print('\\n'.join(str(a.path(n)) for n in a.tables()))"
    return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def alliance_data_command() -> list[str]:
    return [PYTHON, "-m", "alliance_data"]


def frictionless_command() -> list[str]:
    found = shutil.which("frictionless")
    return [PYTHON, "-m", "frictionless"] if found is None else [found]


def rewrite_csv(path: Path, edit: Callable[[list[list[str]]], None]) -> int:
    """Apply ``edit`` to the rows of a CSV (header first) and write it back; return the number of data rows."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return len(rows) - 1


def break_one_cell(folder: Path) -> None:
    """Make a valid synthetic package invalid in one cell (an unknown status)."""
    def edit(rows: list[list[str]]) -> None:
        rows[len(rows) // 2][4] = "signd"
    rewrite_csv(folder / "tables" / "agreements.csv", edit)


def break_every_citation(folder: Path) -> int:
    """Point every citation of a valid synthetic package at a record that does not exist."""
    def edit(rows: list[list[str]]) -> None:
        for row in rows[1:]:
            row[1] = "missing-" + row[1]
    return rewrite_csv(folder / "tables" / "citations.csv", edit)


def change_some_rows(folder: Path, every: int = 100) -> None:
    """Edit one cell in every ``every``-th row of each table's last text column, for diff."""
    def edit(rows: list[list[str]]) -> None:
        for row in rows[1::every]:
            row[-1] = (row[-1] or "") + " (edited)"
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        rewrite_csv(folder / resource["path"], edit)


def mib(value: float) -> str:
    return f"{value:.0f} MiB"


def compare_sqlite(folder: Path, rows: int, pairs: int, checks: list[tuple[str, bool]]) -> list[list[str]]:
    """The SQLite export of the synthetic package in ``folder`` (the function, and the command
    users run) against the streaming floor: the report's rows; the targets go to ``checks``."""
    scratch = folder.with_name(f"sqlite-{rows}")
    scratch.mkdir()
    ours_db, command_db, floor_db, recipe = (scratch / n for n in ("ours.db", "command.db", "floor.db", "recipe.json"))
    command = [*alliance_data_command(), "export", "--format", "sqlite", "--source", str(folder), "--out", str(command_db), "--quiet"]
    function = [PYTHON, "-c", "import sys; from pathlib import Path; from alliance_data.export import export_sqlite\n"
                "export_sqlite(Path(sys.argv[2]), Path(sys.argv[1]))", str(folder), str(ours_db)]
    subprocess.run(command, check=True, capture_output=True)  # builds the package (the Parquet files the floor reads too)
    sqlite_recipe(command_db, folder, recipe)
    floor_run = [PYTHON, "-c", SQLITE_FLOOR, str(recipe), str(folder), str(floor_db)]
    floor, ours, users = alternate([floor_run, function, command], pairs)
    same = floor.code == ours.code == users.code == 0 and database_digest(floor_db) == database_digest(ours_db) == database_digest(command_db)
    checks.append((f"the SQLite floor builds the same database as export_sqlite() at {rows:,} rows (every row, type, index and full-text table)", same))
    time_ok, memory_ok = ours.seconds / floor.seconds <= 1.5, ours.peak / floor.peak <= 1.5
    checks.append((f"SQLite export within 1.5x of the streaming floor in time at {rows:,} rows", time_ok))
    checks.append((f"SQLite export within 1.5x of the streaming floor in peak memory at {rows:,} rows", memory_ok))
    shutil.rmtree(scratch)
    floor_text = "stdlib sqlite3: the same SQL, the rows streamed from the Parquet files in one transaction"
    return [
        ["SQLite export, `export_sqlite()`", f"{rows:,}", f"{ours.seconds:.2f} s", f"{floor.seconds:.2f} s ({floor_text})",
         f"{ours.seconds / floor.seconds:.2f}×", mib(ours.peak), mib(floor.peak), f"{ours.peak / floor.peak:.2f}×"],
        ["SQLite export, the command `alliance-data export --format sqlite --source DIR` (it builds, so validates, first)",
         f"{rows:,}", f"{users.seconds:.2f} s", f"{floor.seconds:.2f} s (the same floor)", f"{users.seconds / floor.seconds:.2f}×",
         mib(users.peak), mib(floor.peak), f"{users.peak / floor.peak:.2f}×"],
    ]


def compare_diff(folder: Path, rows: int, pairs: int, checks: list[tuple[str, bool]]) -> list[list[str]]:
    """diff of the synthetic package in ``folder`` and a copy with 1% of rows edited, against its floor."""
    edited = folder.with_name(f"rows-{rows}-edited")
    shutil.copytree(folder, edited)
    change_some_rows(edited)
    floor, ours = alternate([[PYTHON, "-c", DIFF_FLOOR, str(folder), str(edited)],
                             [*alliance_data_command(), "diff", str(folder), str(edited)]], pairs)
    shutil.rmtree(edited)
    ok = ours.seconds / floor.seconds <= 1.5 and ours.peak / floor.peak <= 2
    checks.append((f"diff within 1.5x of the floor in time and 2x in memory at {rows:,} rows", ok))
    return [["diff against a copy with 1% of rows edited", f"{rows:,}", f"{ours.seconds:.2f} s",
             f"{floor.seconds:.2f} s (Arrow: read both as text, join on the keys, compare every cell, print the changed rows)",
             f"{ours.seconds / floor.seconds:.2f}×", mib(ours.peak), mib(floor.peak), f"{ours.peak / floor.peak:.2f}×"]]


def versions() -> str:
    names = ["alliance-data", "pyarrow", "pandas", "pandera", "frictionless", "sqlite-utils", "pycountry", "countrycode"]
    return ", ".join(f"{name} {version(name)}" for name in names)


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "(not installed)"


def import_and_load(repeat: int, checks: list[tuple[str, bool]]) -> list[str]:
    """Import, load and connect against their floors: the report's section."""
    lines = ["## Import and load", "", "| measure | alliance-data | floor | ratio or difference | target | met |", "|---|---|---|---|---|---|"]
    row = lambda *cells: lines.append("| " + " | ".join(cells) + " |")  # noqa: E731
    bare, imported = alternate([[PYTHON, "-c", "pass"], [PYTHON, "-c", "import alliance_data"]], repeat * 2)
    paths = bundled_parquet_paths()
    floor_code = f"import pandas as pd, pyarrow.parquet\nframes = [pd.read_parquet(p) for p in {paths!r}]"
    # Under half a second each, and a 1.05x target: more pairs, so the machine's noise averages out.
    floor_load, load_all = alternate([[PYTHON, "-c", floor_code], [PYTHON, "-c", "import alliance_data\nframes = alliance_data.load_all()"]],
                                     repeat * 5)
    polars_floor, polars_load = alternate([
        [PYTHON, "-c", f"import polars as pl\nframes = [pl.read_parquet(p) for p in {paths!r}]"],
        [PYTHON, "-c", "import alliance_data\nframes = [alliance_data.load(n, backend='polars') for n in alliance_data.tables()]"]], repeat * 2)
    ok = imported.seconds - bare.seconds <= 0.030
    checks.append(("import within 30 ms of a bare interpreter", ok))
    row("cold `import alliance_data`", f"{imported.seconds * 1000:.0f} ms", f"{bare.seconds * 1000:.0f} ms (bare `python -c pass`)",
        f"+{(imported.seconds - bare.seconds) * 1000:.0f} ms", "≤ +30 ms", "yes" if ok else "no")
    ok = load_all.seconds / floor_load.seconds <= 1.05
    checks.append(("load_all within 1.05x of reading the Parquet files by hand", ok))
    row("cold `load_all()`", f"{load_all.seconds * 1000:.0f} ms", f"{floor_load.seconds * 1000:.0f} ms (pandas.read_parquet of each file)",
        f"{load_all.seconds / floor_load.seconds:.2f}×", "≤ 1.05×", "yes" if ok else "no")
    ok = polars_load.seconds / polars_floor.seconds <= 1.2
    checks.append(("load(backend='polars') of every table within 1.2x of pl.read_parquet", ok))
    row("cold `load(name, backend='polars')` of every table", f"{polars_load.seconds * 1000:.0f} ms",
        f"{polars_floor.seconds * 1000:.0f} ms (polars.read_parquet of each file)", f"{polars_load.seconds / polars_floor.seconds:.2f}×",
        "≤ 1.2×", "yes" if ok else "no")
    try:
        import duckdb  # noqa: F401
        connect_code = "import alliance_data\ncon = alliance_data.connect()\ncon.execute('select count(*) from events').fetchall()"
        # A quarter second each, and a 1.05x target: more pairs, so the machine's noise averages out.
        floor_connect, ours_connect = alternate([[PYTHON, "-c", CONNECT_FLOOR], [PYTHON, "-c", connect_code]], repeat * 5)
        ok = ours_connect.seconds / floor_connect.seconds <= 1.05
        checks.append(("connect() within 1.05x of DuckDB views made by hand", ok))
        row("cold `connect()` and one query", f"{ours_connect.seconds * 1000:.0f} ms", f"{floor_connect.seconds * 1000:.0f} ms (duckdb views by hand)",
            f"{ours_connect.seconds / floor_connect.seconds:.2f}×", "≤ 1.05×", "yes" if ok else "no")
    except ImportError:
        pass
    ok = load_all.peak / floor_load.peak <= 1.2
    checks.append(("load_all peak memory within 1.2x of the floor", ok))
    row("peak memory of `load_all()`", mib(load_all.peak), mib(floor_load.peak), f"{load_all.peak / floor_load.peak:.2f}×", "≤ 1.2×",
        "yes" if ok else "no")
    return lines


VALIDATION_HEAD = [
    "## Validation",
    "",
    "Whole cold processes, run in alternation: `alliance-data validate DIR` and `frictionless validate DIR/datapackage.json`.",
    "Speed against frictionless is reported, not targeted: agreeing with the standard matters more than outrunning its reference implementation.",
    "Synthetic packages come from `python benchmarks/make_synthetic.py --rows N --out DIR`.",
    "",
    "| package | rows | alliance-data | frictionless | speed-up | verdicts | alliance-data peak memory | frictionless peak memory |",
    "|---|---|---|---|---|---|---|---|",
]
EXPORT_HEAD = [
    "## SQLite export and diff",
    "",
    "Each against a floor that does the same work in the same way, run in alternation with it; the SQLite floor's database is checked "
    "to be the same as ours. The command users run builds the package first, and building validates, so its time and memory include "
    "validation's (above).",
    "",
    "| measure | rows | alliance-data | floor | time ratio | alliance-data peak memory | floor peak memory | memory ratio |",
    "|---|---|---|---|---|---|---|---|",
]


def validate_pair(folder: Path, pairs: int) -> tuple[Measured, Measured]:
    ours, theirs = alternate([[*alliance_data_command(), "validate", str(folder)],
                              [*frictionless_command(), "validate", str(folder / "datapackage.json")]], pairs)
    return ours, theirs


def verdict(code: int) -> str:
    return "valid" if code == 0 else "invalid"


def error_cases(folder: Path, rows: int, repeat: int, row: Callable[..., None], checks: list[tuple[str, bool]]) -> None:
    """Validation of the same package with every citation broken, and with one bad cell."""
    broken = folder.with_name(f"rows-{rows}-every-citation-broken")
    shutil.copytree(folder, broken)
    n_broken = break_every_citation(broken)
    valid, wrong = alternate([[*alliance_data_command(), "validate", str(folder)], [*alliance_data_command(), "validate", str(broken)]],
                             pairs_at(rows, repeat))
    shutil.rmtree(broken)
    row(f"synthetic, {n_broken:,} dangling citations", f"{rows:,}", f"{wrong.seconds:.2f} s", "",
        f"{wrong.seconds / valid.seconds:.2f}× the valid run", verdict(wrong.code), mib(wrong.peak), "")
    checks.append((f"{n_broken:,} errors cost at most 1.15x a valid run of the same package", wrong.seconds / valid.seconds <= 1.15 and wrong.code == 1))
    bad = folder.with_name(f"rows-{rows}-one-bad-cell")
    shutil.copytree(folder, bad)
    break_one_cell(bad)
    ours, theirs = validate_pair(bad, pairs_at(rows, 1))
    shutil.rmtree(bad)
    row("synthetic, one bad cell", f"{rows:,}", f"{ours.seconds:.2f} s", f"{theirs.seconds:.2f} s", f"{theirs.seconds / ours.seconds:.1f}×",
        f"{verdict(ours.code)} / {verdict(theirs.code)}", mib(ours.peak), mib(theirs.peak))
    checks.append((f"same verdict at {rows:,} rows (one bad cell)", ours.code != 0 and theirs.code != 0))


def linear_fit(per_row: dict[int, float], checks: list[tuple[str, bool]]) -> list[str]:
    """A straight line through the validation timings (least squares), if there are three sizes or more."""
    sizes = sorted(per_row)
    if len(sizes) < 3:
        return []
    mean_n, mean_t = statistics.fmean(sizes), statistics.fmean(per_row[n] for n in sizes)
    slope = sum((n - mean_n) * (per_row[n] - mean_t) for n in sizes) / sum((n - mean_n) ** 2 for n in sizes)
    start = mean_t - slope * mean_n
    worst = max(abs(per_row[n] - (start + slope * n)) / per_row[n] for n in sizes)
    checks.append(("validation time grows linearly with rows (every size within 20% of a straight line)", worst <= 0.20))
    return ["", f"Straight-line fit over the synthetic sizes: {start:.2f} s of start-up (the interpreter, pyarrow, "
            f"the code lists) plus {slope * 1e6:.2f} s per million rows; no size is more than {worst:.0%} off the line."]


def table_rows(cells: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(row) + " |" for row in cells]


def make_synthetic(rows: int, folder: Path) -> None:
    subprocess.run([PYTHON, str(HERE / "make_synthetic.py"), "--rows", str(rows), "--out", str(folder)], check=True, capture_output=True)


def validation_and_exports(sizes: list[int], large: list[int], repeat: int, checks: list[tuple[str, bool]]) -> list[str]:
    """Validation of the shipped data and of synthetic packages, and the SQLite export and diff: the report's sections."""
    lines, exports = list(VALIDATION_HEAD), list(EXPORT_HEAD)
    row = lambda *cells: lines.append("| " + " | ".join(cells) + " |")  # noqa: E731
    descriptor = subprocess.run([PYTHON, "-c", "import alliance_data._package as p; print(p.data_root() / 'datapackage.json')"],
                                capture_output=True, text=True, check=True).stdout.strip()
    ours, theirs = alternate([[*alliance_data_command(), "validate"], [*frictionless_command(), "validate", descriptor]], repeat)
    row("shipped data", "—", f"{ours.seconds:.2f} s", f"{theirs.seconds:.2f} s", f"{theirs.seconds / ours.seconds:.1f}×",
        f"{verdict(ours.code)} / {verdict(theirs.code)}", mib(ours.peak), mib(theirs.peak))
    checks.append(("same verdict on the shipped data", ours.code == theirs.code == 0))
    errors_at = min(sizes, key=lambda n: abs(n - 100_000))
    compare_at = {n for n in sizes if n >= 200_000} or {max(sizes)}
    per_row: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for rows in sizes:
            folder = Path(scratch) / f"rows-{rows}"
            make_synthetic(rows, folder)
            ours, theirs = validate_pair(folder, pairs_at(rows, max(5, repeat)))
            per_row[rows] = ours.seconds
            row("synthetic", f"{rows:,}", f"{ours.seconds:.2f} s", f"{theirs.seconds:.2f} s", f"{theirs.seconds / ours.seconds:.1f}×",
                f"{verdict(ours.code)} / {verdict(theirs.code)}", mib(ours.peak), mib(theirs.peak))
            checks.append((f"same verdict at {rows:,} rows (valid)", ours.code == theirs.code == 0))
            if rows == errors_at:
                error_cases(folder, rows, repeat, row, checks)
            if rows in compare_at:
                pairs = pairs_at(rows, max(3, repeat // 2))
                exports += table_rows(compare_sqlite(folder, rows, pairs, checks) + compare_diff(folder, rows, pairs, checks))
            shutil.rmtree(folder)
        for rows in large:
            folder = Path(scratch) / f"large-{rows}"
            make_synthetic(rows, folder)
            pairs = pairs_at(rows, max(3, repeat // 2))
            exports += table_rows(compare_sqlite(folder, rows, pairs, checks) + compare_diff(folder, rows, pairs, checks))
            shutil.rmtree(folder)
    return [*lines, *linear_fit(per_row, checks), "", *exports]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (still seven pairs at a million rows or more)")
    parser.add_argument("--million", action="store_true", help="also a 1,000,000-row package (frictionless takes half a minute a run)")
    parser.add_argument("--rows", type=int, action="append", default=[], metavar="ROWS",
                        help="synthetic sizes instead of 10,000, 100,000 and 200,000; may be given more than once")
    parser.add_argument("--large", type=int, action="append", default=[], metavar="ROWS",
                        help="also compare the SQLite export and diff (not validation) at ROWS rows; may be given twice")
    parser.add_argument("--out", type=Path, default=HERE.parent / "BENCHMARKS.md", help="report to write")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    sizes = sorted(args.rows or [10_000, 100_000, 200_000]) + ([MILLION] if args.million else [])
    checks: list[tuple[str, bool]] = []
    lines = [*import_and_load(repeat, checks), "", *validation_and_exports(sizes, args.large, repeat, checks)]
    met = sum(ok for _, ok in checks)
    command = ("python benchmarks/run.py" + (" --quick" if args.quick else "") + (" --million" if args.million else "")
               + "".join(f" --rows {n}" for n in args.rows) + "".join(f" --large {n}" for n in args.large))
    header = [
        "# Benchmarks",
        "",
        f"Generated by `{command}` on {time.strftime('%Y-%m-%d')}; medians of cold processes run in alternation with what they "
        f"are compared with ({repeat * 2} pairs for import and Polars loading, {repeat * 5} for load_all() and connect(), {repeat} for "
        f"validating the shipped data and for the dangling citations, {max(5, repeat)} for validating each synthetic package, "
        f"{max(3, repeat // 2)} for the SQLite export and diff, one for the bad cell; at a million rows or more, never fewer than "
        f"{MIN_PAIRS_AT_A_MILLION}). Peak memory is each process's own, median over the same runs. Rerun it to refresh this file; "
        "on a shared or virtual machine, timings of the same command can vary by half from run to run.",
        "",
        f"- Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        f"- Versions: {versions()}",
        "",
        f"**Targets met: {met} of {len(checks)}.**",
        "",
        *[f"- [{'x' if ok else ' '}] {name}" for name, ok in checks],
        "",
    ]
    args.out.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print("\n".join(header + lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
