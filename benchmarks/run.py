"""Measure alliance-data against its floors and against frictionless; write BENCHMARKS.md.

    python benchmarks/run.py            # the usual sizes, a few minutes
    python benchmarks/run.py --quick    # fewer repeats
    python benchmarks/run.py --million  # also a 1M-row package (frictionless takes a minute a run)
    python benchmarks/run.py --large 5000000  # also the SQLite export and diff at 5M rows

Every figure is the median of repeated cold processes (a new interpreter each time),
so import costs count. Speed targets live here and in BENCHMARKS.md, never in tests.
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
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# A child prints its own peak resident memory (KiB on Linux) as its last line.
PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def run(command: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    return time.perf_counter() - start, result.returncode, result.stdout


def median_seconds(command: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of ``repeat`` cold runs, and the exit code they agree on."""
    times, codes = [], set()
    for _ in range(repeat):
        seconds, code, _ = run(command)
        times.append(seconds)
        codes.add(code)
    if len(codes) != 1:
        raise RuntimeError(f"{command} gave different exit codes: {codes}")
    return statistics.median(times), codes.pop()


def paired_medians(first: list[str], second: list[str], repeat: int) -> tuple[float, int, float, int]:
    """Median wall times of two commands run in alternation (A, B, A, B, ...), so that a
    slow spell of the machine hits both alike; and the exit code each agrees on."""
    times: tuple[list[float], list[float]] = ([], [])
    codes: tuple[set[int], set[int]] = (set(), set())
    for _ in range(repeat):
        for i, command in enumerate((first, second)):
            seconds, code, _ = run(command)
            times[i].append(seconds)
            codes[i].add(code)
    for command, found in zip((first, second), codes):
        if len(found) != 1:
            raise RuntimeError(f"{command} gave different exit codes: {found}")
    return statistics.median(times[0]), codes[0].pop(), statistics.median(times[1]), codes[1].pop()


def median_peak_kib(code: str, repeat: int) -> int:
    peaks = []
    for _ in range(repeat):
        _, _, out = run([PYTHON, "-c", f"{code}\n{PEAK}"])
        peaks.append(int(out.strip().splitlines()[-1]))
    return int(statistics.median(peaks))


def bundled_parquet_paths() -> list[str]:
    code = "import alliance_data as a; print('\\n'.join(str(a.path(n)) for n in a.tables()))"
    return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def alliance_data_command() -> list[str]:
    return [PYTHON, "-m", "alliance_data"]


def frictionless_command() -> list[str]:
    return [PYTHON, "-m", "frictionless"] if shutil.which("frictionless") is None else [shutil.which("frictionless")]


def break_one_cell(folder: Path) -> None:
    """Make a valid synthetic package invalid in one cell (an unknown status)."""
    path = folder / "tables" / "agreements.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[len(rows) // 2][4] = "signd"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def break_every_citation(folder: Path) -> int:
    """Point every citation of a valid synthetic package at a record that does not exist."""
    path = folder / "tables" / "citations.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        row[1] = "missing-" + row[1]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return len(rows) - 1


def change_some_rows(folder: Path, every: int = 100) -> None:
    """Edit one cell in every ``every``-th row of each table's last text column, for diff."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        path = folder / resource["path"]
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows[1::every]:
            row[-1] = (row[-1] or "") + " (edited)"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")


DIFF_FLOOR = """import sys, json, pyarrow as pa, pyarrow.csv as pcsv, pyarrow.compute as pc
old, new = sys.argv[1:3]
for r in json.load(open(new + '/datapackage.json'))['resources']:
    key = json.load(open(new + '/' + r['schema']))['primaryKey']
    read = lambda root: pcsv.read_csv(root + '/' + r['path'], convert_options=pcsv.ConvertOptions(strings_can_be_null=False))
    a, b = read(old), read(new)
    ka = pc.binary_join_element_wise(*[a[k].cast(pa.string()) for k in key], ' / ') if len(key) > 1 else a[key[0]].cast(pa.string())
    kb = pc.binary_join_element_wise(*[b[k].cast(pa.string()) for k in key], ' / ') if len(key) > 1 else b[key[0]].cast(pa.string())
    pa.table({'k': ka}).join(pa.table({'k': kb}), 'k', join_type='full outer')
"""


# The SQLite floor builds the same database by hand with the standard library: the same
# tables, rows, indexes and full-text indexes, read from CSV and loaded in one transaction.
# sqlite_recipe() writes what it needs from one export of ours (untimed): the SQL that made
# each table and index, and each table's rows as CSV.
SQLITE_FLOOR = """import sys, json, sqlite3, csv, os
recipe, out = sys.argv[1:3]
if os.path.exists(out):
    os.remove(out)
plan = json.load(open(recipe + '/recipe.json'))
con = sqlite3.connect(out)
with con:
    for sql in plan['tables']:
        con.execute(sql)
    for name in plan['rows']:
        with open(recipe + '/' + name + '.csv', newline='', encoding='utf-8') as handle:
            rows = csv.reader(handle)
            names = next(rows)
            con.executemany(f"insert into [{name}] values ({', '.join('?' for _ in names)})",
                            ([None if v == '' else v for v in row] for row in rows))
    for sql in plan['indexes']:
        con.execute(sql)
    for name, sql, columns in plan['fts']:
        con.execute(sql)
        con.execute(f"insert into [{name}_fts] (rowid, {columns}) select rowid, {columns} from [{name}]")
    for sql in plan['views']:
        con.execute(sql)
con.close()
"""


def sqlite_recipe(database: Path, folder: Path) -> None:
    """Write what SQLITE_FLOOR needs to rebuild ``database`` by hand into ``folder``."""
    import sqlite3

    folder.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(database)
    master = con.execute("select type, name, tbl_name, sql from sqlite_master where sql is not null order by rowid").fetchall()
    virtual = [name for kind, name, _, sql in master if kind == "table" and sql.upper().startswith("CREATE VIRTUAL")]
    shadow = {name for name in (n for _, n, _, _ in master) for v in virtual if name.startswith(v + "_")}
    plan: dict[str, list] = {"tables": [], "rows": [], "indexes": [], "fts": [], "views": []}
    for kind, name, table, sql in master:
        if kind == "table" and name not in virtual and name not in shadow:
            plan["tables"].append(sql)
            plan["rows"].append(name)
            cursor = con.execute(f"select * from [{name}] order by rowid")
            with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow([d[0] for d in cursor.description])
                writer.writerows(["" if v is None else v for v in row] for row in cursor)
        elif kind == "index":
            plan["indexes"].append(sql)
        elif kind == "view":
            plan["views"].append(sql)
        elif name in virtual:
            columns = ", ".join(f"[{row[1]}]" for row in con.execute(f"pragma table_info([{name}])"))
            plan["fts"].append([name.removesuffix("_fts"), sql, columns])
    con.close()
    (folder / "recipe.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")


CONNECT_FLOOR = """import duckdb, alliance_data
con = duckdb.connect()
for n in alliance_data.tables():
    con.execute(f"create view {n} as select * from read_parquet('{alliance_data.path(n)}')")
con.execute('select count(*) from events').fetchall()
"""


def compare_sqlite_and_diff(folder: Path, rows: int, pairs: int, checks: list[tuple[str, bool]]) -> list[list[str]]:
    """The SQLite export and diff of the synthetic package in ``folder`` against their floors:
    the report's table rows; the targets go to ``checks``."""
    cells: list[list[str]] = []
    row = lambda *found: cells.append(list(found))  # noqa: E731
    recipe, db_floor, db_ours = folder.with_name(f"recipe-{rows}"), folder.with_name("floor.db"), folder.with_name("ours.db")
    export_code = ("import sys; from pathlib import Path; from alliance_data.export import export_sqlite\n"
                   "export_sqlite(Path(sys.argv[2]), Path(sys.argv[1]))")
    subprocess.run([PYTHON, "-c", export_code, str(folder), str(db_ours)], check=True)
    sqlite_recipe(db_ours, recipe)
    floor_s, _, ours_s, _ = paired_medians([PYTHON, "-c", SQLITE_FLOOR, str(recipe), str(db_floor)],
                                           [PYTHON, "-c", export_code, str(folder), str(db_ours)], max(pairs, 2))
    row("SQLite export (`export_sqlite()`: keys, indexes, full-text search, code tables, one transaction)",
        f"{rows:,}", f"{ours_s:.2f} s", f"{floor_s:.2f} s (stdlib sqlite3: the same tables, rows, indexes and full-text "
        "indexes from CSV, one transaction)", f"{ours_s / floor_s:.2f}×", "", "")
    checks.append((f"SQLite export within 1.5x of the same database built by hand at {rows:,} rows", ours_s / floor_s <= 1.5))
    shutil.rmtree(recipe)
    edited = folder.with_name(f"rows-{rows}-edited")
    shutil.copytree(folder, edited)
    change_some_rows(edited)
    floor_s, _, diff_s, _ = paired_medians([PYTHON, "-c", DIFF_FLOOR, str(folder), str(edited)],
                                           [*alliance_data_command(), "diff", str(folder), str(edited)], max(pairs, 2))
    floor_peak = median_peak_kib(f"import sys\nsys.argv = ['x', {str(folder)!r}, {str(edited)!r}]\nexec({DIFF_FLOOR!r})", 1)
    diff_peak = median_peak_kib(f"import alliance_data.diff as d\nd.diff({str(folder)!r}, {str(edited)!r})", 1)
    row("diff against a copy with 1% of rows edited", f"{rows:,}", f"{diff_s:.2f} s",
        f"{floor_s:.2f} s (Arrow: read both, join keys)", f"{diff_s / floor_s:.2f}× time, {diff_peak / floor_peak:.2f}× memory",
        "", f"{diff_peak / 1024:.0f} MiB")
    checks.append((f"diff within 1.5x of an Arrow join in time and 2x in memory at {rows:,} rows",
                   diff_s / floor_s <= 1.5 and diff_peak / floor_peak <= 2))
    shutil.rmtree(edited)
    return cells


def versions() -> str:
    names = ["alliance-data", "pyarrow", "pandas", "pandera", "frictionless", "pycountry", "countrycode"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--million", action="store_true", help="also a 1,000,000-row package (frictionless takes half a minute a run)")
    parser.add_argument("--large", type=int, action="append", default=[], metavar="ROWS",
                        help="also compare the SQLite export and diff (not validation) at ROWS rows; may be given twice")
    parser.add_argument("--out", type=Path, default=HERE.parent / "BENCHMARKS.md", help="report to write")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    rows_list = [10_000, 100_000, 200_000] + ([1_000_000] if args.million else [])
    lines: list[str] = []
    checks: list[tuple[str, bool]] = []

    # Import and load against their floors.
    bare, _, imported, _ = paired_medians([PYTHON, "-c", "pass"], [PYTHON, "-c", "import alliance_data"], repeat * 2)
    paths = bundled_parquet_paths()
    floor_code = f"import pandas as pd, pyarrow.parquet\nframes = [pd.read_parquet(p) for p in {paths!r}]"
    load_code = "import alliance_data\nframes = alliance_data.load_all()"
    # Under half a second each, and a 1.05x target: more pairs, so the machine's noise averages out.
    floor_load, _, load_all, _ = paired_medians([PYTHON, "-c", floor_code], [PYTHON, "-c", load_code], repeat * 5)
    polars_floor_code = f"import polars as pl\nframes = [pl.read_parquet(p) for p in {paths!r}]"
    polars_code = "import alliance_data\nframes = [alliance_data.load(n, backend='polars') for n in alliance_data.tables()]"
    polars_floor, _, polars_load, _ = paired_medians([PYTHON, "-c", polars_floor_code], [PYTHON, "-c", polars_code], repeat * 2)
    floor_peak = median_peak_kib(floor_code, repeat)
    load_peak = median_peak_kib(load_code, repeat)
    lines += [
        "## Import and load",
        "",
        "| measure | alliance-data | floor | ratio or difference | target | met |",
        "|---|---|---|---|---|---|",
    ]
    row = lambda *cells: lines.append("| " + " | ".join(cells) + " |")  # noqa: E731
    ok = imported - bare <= 0.030
    checks.append(("import within 30 ms of a bare interpreter", ok))
    row("cold `import alliance_data`", f"{imported * 1000:.0f} ms", f"{bare * 1000:.0f} ms (bare `python -c pass`)",
        f"+{(imported - bare) * 1000:.0f} ms", "≤ +30 ms", "yes" if ok else "no")
    ok = load_all / floor_load <= 1.05
    checks.append(("load_all within 1.05x of reading the Parquet files by hand", ok))
    row("cold `load_all()`", f"{load_all * 1000:.0f} ms", f"{floor_load * 1000:.0f} ms (pandas.read_parquet of each file)",
        f"{load_all / floor_load:.2f}×", "≤ 1.05×", "yes" if ok else "no")
    ok = polars_load / polars_floor <= 1.2
    checks.append(("load(backend='polars') of every table within 1.2x of pl.read_parquet", ok))
    row("cold `load(name, backend='polars')` of every table", f"{polars_load * 1000:.0f} ms",
        f"{polars_floor * 1000:.0f} ms (polars.read_parquet of each file)", f"{polars_load / polars_floor:.2f}×", "≤ 1.2×", "yes" if ok else "no")
    try:
        import duckdb  # noqa: F401
        connect_code = "import alliance_data\ncon = alliance_data.connect()\ncon.execute('select count(*) from events').fetchall()"
        # A quarter second each, and a 1.05x target: more pairs, so the machine's noise averages out.
        floor_connect, _, ours_connect, _ = paired_medians([PYTHON, "-c", CONNECT_FLOOR], [PYTHON, "-c", connect_code], repeat * 5)
        ok = ours_connect / floor_connect <= 1.05
        checks.append(("connect() within 1.05x of DuckDB views made by hand", ok))
        row("cold `connect()` and one query", f"{ours_connect * 1000:.0f} ms", f"{floor_connect * 1000:.0f} ms (duckdb views by hand)",
            f"{ours_connect / floor_connect:.2f}×", "≤ 1.05×", "yes" if ok else "no")
    except ImportError:
        pass
    ok = load_peak / floor_peak <= 1.2
    checks.append(("load_all peak memory within 1.2x of the floor", ok))
    row("peak memory of `load_all()`", f"{load_peak / 1024:.0f} MiB", f"{floor_peak / 1024:.0f} MiB",
        f"{load_peak / floor_peak:.2f}×", "≤ 1.2×", "yes" if ok else "no")

    # Validation of the shipped data.
    descriptor = subprocess.run([PYTHON, "-c", "import alliance_data._package as p; print(p.data_root() / 'datapackage.json')"],
                                capture_output=True, text=True, check=True).stdout.strip()
    ours, ours_code, theirs, theirs_code = paired_medians([*alliance_data_command(), "validate"],
                                                          [*frictionless_command(), "validate", descriptor], repeat)
    lines += [
        "",
        "## Validation",
        "",
        "Whole cold processes, run in alternation: `alliance-data validate DIR` and `frictionless validate DIR/datapackage.json`.",
        "Speed against frictionless is reported, not targeted: agreeing with the standard matters more than outrunning its reference implementation.",
        "Synthetic packages come from `python benchmarks/make_synthetic.py --rows N --out DIR`.",
        "",
        "| package | rows | alliance-data | frictionless | speed-up | verdicts | alliance-data peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    verdict = lambda code: "valid" if code == 0 else "invalid"  # noqa: E731
    row("shipped data", "—", f"{ours:.2f} s", f"{theirs:.2f} s", f"{theirs / ours:.1f}×",
        f"{verdict(ours_code)} / {verdict(theirs_code)}", "")
    checks.append(("same verdict on the shipped data", ours_code == theirs_code == 0))

    per_row: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for rows in rows_list:
            folder = Path(scratch) / f"rows-{rows}"
            subprocess.run([PYTHON, str(HERE / "make_synthetic.py"), "--rows", str(rows), "--out", str(folder)],
                           check=True, capture_output=True)
            ours, ours_code, theirs, theirs_code = paired_medians(
                [*alliance_data_command(), "validate", str(folder)],
                [*frictionless_command(), "validate", str(folder / "datapackage.json")], 1 if rows >= 1_000_000 else max(5, repeat))
            peak = median_peak_kib(
                f"import sys, alliance_data.cli as c\nsys.argv = ['alliance-data', 'validate', {str(folder)!r}]\nc.main(sys.argv[1:])", 1)
            per_row[rows] = ours
            row("synthetic", f"{rows:,}", f"{ours:.2f} s", f"{theirs:.2f} s", f"{theirs / ours:.1f}×",
                f"{verdict(ours_code)} / {verdict(theirs_code)}", f"{peak / 1024:.0f} MiB")
            checks.append((f"same verdict at {rows:,} rows (valid)", ours_code == theirs_code == 0))
            if rows >= 200_000:
                for cells in compare_sqlite_and_diff(folder, rows, 1 if rows >= 1_000_000 else max(3, repeat // 2), checks):
                    row(*cells)
            if rows == 100_000:
                broken = folder.with_name("rows-100000-every-citation-broken")
                shutil.copytree(folder, broken)
                n_broken = break_every_citation(broken)
                valid_s, _, broken_s, broken_code = paired_medians([*alliance_data_command(), "validate", str(folder)],
                                                                   [*alliance_data_command(), "validate", str(broken)], repeat)
                row(f"synthetic, {n_broken:,} dangling citations", f"{rows:,}", f"{broken_s:.2f} s", "", f"{broken_s / valid_s:.2f}× the valid run",
                    f"{verdict(broken_code)}", "")
                checks.append((f"{n_broken:,} errors cost at most 1.15x a valid run of the same package", broken_s / valid_s <= 1.15 and broken_code == 1))
                break_one_cell(folder)
                ours, ours_code = median_seconds([*alliance_data_command(), "validate", str(folder)], 1)
                theirs, theirs_code = median_seconds([*frictionless_command(), "validate", str(folder / "datapackage.json")], 1)
                row("synthetic, one bad cell", f"{rows:,}", f"{ours:.2f} s", f"{theirs:.2f} s", f"{theirs / ours:.1f}×",
                    f"{verdict(ours_code)} / {verdict(theirs_code)}", "")
                checks.append(("same verdict at 100,000 rows (one bad cell)", ours_code != 0 and theirs_code != 0))
        for rows in args.large:
            folder = Path(scratch) / f"large-{rows}"
            subprocess.run([PYTHON, str(HERE / "make_synthetic.py"), "--rows", str(rows), "--out", str(folder)],
                           check=True, capture_output=True)
            for cells in compare_sqlite_and_diff(folder, rows, 1, checks):
                row(*cells)
            shutil.rmtree(folder)
    # Linear growth: a straight line through the timings (least squares) fits every size.
    sizes = sorted(per_row)
    mean_n = statistics.fmean(sizes)
    mean_t = statistics.fmean(per_row[n] for n in sizes)
    slope = sum((n - mean_n) * (per_row[n] - mean_t) for n in sizes) / sum((n - mean_n) ** 2 for n in sizes)
    start = mean_t - slope * mean_n
    worst = max(abs(per_row[n] - (start + slope * n)) / per_row[n] for n in sizes)
    lines += ["", f"Straight-line fit over the synthetic sizes: {start:.2f} s of start-up (the interpreter, pyarrow, "
              f"the code lists) plus {slope * 1e6:.2f} s per million rows; no size is more than {worst:.0%} off the line."]
    checks.append(("validation time grows linearly with rows (every size within 20% of a straight line)", worst <= 0.20))

    met = sum(ok for _, ok in checks)
    header = [
        "# Benchmarks",
        "",
        f"Generated by `python benchmarks/run.py{' --quick' if args.quick else ''}{' --million' if args.million else ''}{''.join(f' --large {n}' for n in args.large)}` on {time.strftime('%Y-%m-%d')}; "
        f"medians of paired cold processes (A and B alternating: {repeat * 2} pairs for import and loading, {repeat * 5} for connect(), "
        f"{max(5, repeat)} for validating each synthetic package, {repeat} otherwise, 1 or 2 at a million rows). Rerun it to refresh this file; "
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
