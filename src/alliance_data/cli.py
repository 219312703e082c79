"""The ``alliance-data`` command: info, validate, build, export, diff, figures.

Exit codes: 0 ok, 1 invalid data, 2 usage error or nothing to work on, 70 an internal error,
130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import _package
from .errors import CannotCompare, DataPackageError, ExportError, MissingDependency

if TYPE_CHECKING:
    from .validator import Problem, Report

OK, INVALID, USAGE = 0, 1, 2
INTERNAL = 70  # a bug in alliance-data itself (sysexits' EX_SOFTWARE), never bad data or bad usage


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-data",
        description="A sourced, validated dataset of the Iran–Russia partnership.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_package.data_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser("info", help="show the data version and every table's rows and columns",
                        description="Show the data version and every table's rows and columns.")
    validate = commands.add_parser("validate", help="check a data package and name each problem by file, line and field",
                                   description="Check a data package: one line per problem (file, line, field, what is wrong, and its "
                                               "stable code, listed in CONTRIBUTING.md); exit 0 if valid, 1 if not, 2 if it cannot run.")
    validate.add_argument("path", nargs="?", help="folder holding datapackage.json (default: the installed data)")
    validate.add_argument("--format", choices=["text", "json"], default="text",
                          help="report format: text, or json with each problem's path, line, field, message and code (default: text)")
    validate.add_argument("--fingerprint", metavar="SHA256", help="also check that the data has this content fingerprint "
                                                                  "(as printed by alliance-data info or citation())")
    build = commands.add_parser("build", help="write the panels, the Parquet files and the codebook from the CSVs",
                                description="Validate, then write the generated tables (dyad_year, dyad_year_directed), a "
                                            "Parquet file beside each CSV, and CODEBOOK.md. Invalid data is refused and "
                                            "nothing is written; datapackage.json is never rewritten.")
    build.add_argument("path", nargs="?", default=".", help="folder holding datapackage.json (default: .)")
    build.add_argument("--quiet", action="store_true", help="no progress display (it is shown only on a terminal anyway)")
    export = commands.add_parser(
        "export", help="write the data as a CSV package, Parquet files, a SQLite database or a release set",
        description="csv: a complete data package (datapackage.json, schemas/, tables/*.csv) in the folder OUT. "
                    "parquet: one .parquet file per table in OUT. sqlite: the database file OUT, with keys, indexes "
                    "and full-text search, and a Datasette metadata.json beside it. stata: one .dta file per table in "
                    "OUT, enums as value labels, descriptions as variable labels. xlsx: the workbook file OUT, a sheet "
                    "per table with about and codebook sheets. Every format also carries agreements_wide. release: in "
                    "the folder OUT, what each release carries (wheel, sdist, CSV zip, Parquet files, SQLite, Stata zip, "
                    "workbook, FINGERPRINT, SHA256SUMS); needs a source checkout as --source.")
    export.add_argument("--format", choices=["csv", "parquet", "sqlite", "stata", "xlsx", "release"], required=True, help="what to write")
    export.add_argument("--out", required=True, type=Path, help="output folder, or the database file for sqlite")
    export.add_argument("--source", type=Path, help="folder holding datapackage.json, built (and so validated) first "
                        "(default: the installed data)")
    export.add_argument("--quiet", action="store_true", help="no progress display (it is shown only on a terminal anyway)")
    diff = commands.add_parser("diff", help="list the rows added, removed and changed between two package folders",
                               description="Compare two data package folders table by table, by primary key.")
    diff.add_argument("old", help="folder of the old version (holding datapackage.json)")
    diff.add_argument("new", help="folder of the new version")
    diff.add_argument("--format", choices=["text", "json"], default="text", help="report format (default: text)")
    figures = commands.add_parser("figures", help="draw the timeline, coverage, votes and network figures from the data",
                                  description="Draw cooperation and conflict by year, coverage by year, the votes and the "
                                              "partnership network as SVG, with figures.json (needs the figures extra: "
                                              "matplotlib and networkx).")
    figures.add_argument("path", nargs="?", help="folder holding datapackage.json (default: the installed data)")
    figures.add_argument("--out", type=Path, help="output folder (default: PATH/docs, or ./docs for the installed data)")
    figures.add_argument("--quiet", action="store_true", help="no progress display (it is shown only on a terminal anyway)")
    return parser


def _info() -> int:
    import pyarrow.parquet as pq

    from .arrow_io import read_arrow
    from .model import package
    from .provenance import resting_on_the_article_alone

    model = package()
    print(model.title)
    print(f"data version {model.version}; licence {', '.join(lic['name'] for lic in model.licenses)}")
    print(f"data folder {model.root}")
    print(f"fingerprint {_package.fingerprint()}")
    print()
    rows_total = 0
    width = max(len(n) for n in model.table_names)
    print(f"{'table':<{width}}  {'rows':>6}  columns")
    for table in model.tables:
        name, fields = table.name, table.field_names
        parquet, csv_path = model.parquet_path(name), model.csv_path(name)
        if parquet.is_file():
            rows = pq.ParquetFile(parquet).metadata.num_rows
        elif csv_path.is_file():
            rows = read_arrow(name).num_rows
        else:  # a source checkout before its first build
            print(f"{name:<{width}}  {'-':>6}  not built yet: run alliance-data build {model.root}")
            continue
        rows_total += rows
        print(f"{name:<{width}}  {rows:>6}  {', '.join(fields)}")
    print(f"\n{len(model.tables)} tables, {rows_total} rows")
    counts = resting_on_the_article_alone()
    if counts:
        print("\nrows resting on the founding article alone (no other source supports them):")
        print(", ".join(f"{table} {alone} of {rows}" for table, rows, alone in counts))
    return OK


def _annotation(report_root: Path, problem: Problem) -> str:
    location = os.path.relpath(report_root / problem.path)
    line = f",line={problem.line}" if problem.line else ""
    title = f",title={problem.field}" if problem.field else ""
    message = f"{problem.message} [{problem.code}]".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error file={location}{line}{title}::{message}"


def _print_report(report: Report, fmt: str) -> None:
    if fmt == "json":
        payload = {
            "valid": report.valid,
            "tables": report.tables,
            "rows": report.rows,
            "problem_count": report.count,
            "problems": [
                {"path": p.path, "line": p.line, "field": p.field, "message": p.message, "code": p.code, **({"more": p.more} if p.more else {})}
                for p in report.problems
            ],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    for problem in report.problems:
        print(problem)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in report.problems:
            print(_annotation(report.root, problem))
    if report.valid:
        print(f"valid: {report.tables} tables, {report.rows} rows")
    else:
        files = len({p.path for p in report.problems})
        noun = "problem" if report.count == 1 else "problems"
        print(f"{report.count} {noun} in {files} file{'s' if files != 1 else ''}")


def _validate(path: str | None, fmt: str, expected: str | None = None) -> int:
    from .validator import validate

    root = Path(path) if path else _package.data_root()
    report = validate(root)
    _print_report(report, fmt)
    if not report.valid:
        return INVALID
    actual = _package.fingerprint(root)
    if fmt == "text":
        print(f"fingerprint {actual}")
    if expected is not None and expected.strip() != actual:
        print(f"alliance-data: the fingerprint is {actual}, not {expected.strip()}: these are not the same data", file=sys.stderr)
        return INVALID
    return OK


def _build(path: str, quiet: bool = False) -> int:
    from .build import build
    from .errors import BuildRefused
    from .model import package
    from .progress import stages

    try:
        with stages("build", 3 + len(package(Path(path)).table_names), quiet) as stage:
            changed = build(Path(path), stage)
    except BuildRefused as refused:
        _print_report(refused.report, "text")
        print("build refused: fix the problems above; no file was changed", file=sys.stderr)
        return INVALID
    root = Path(path)
    for p in changed:
        print(f"wrote {os.path.relpath(p, root)}")
    print("up to date" if not changed else f"{len(changed)} files written")
    return OK


def _export(fmt: str, out: Path, source: Path | None, quiet: bool = False) -> int:
    from . import export

    if source is not None and not (source / _package.DESCRIPTOR).is_file():
        print(f"alliance-data: {source}: no {_package.DESCRIPTOR} in this folder", file=sys.stderr)
        return USAGE
    if fmt == "release" and source is None:
        print("alliance-data: export --format release needs --source (a source checkout, such as .)", file=sys.stderr)
        return USAGE
    if source is not None and fmt != "release":
        # A checkout's generated files are not committed and may be stale: build them, which
        # validates first, so an export never carries data that fails the checks.
        from .build import build
        from .errors import BuildRefused

        try:
            build(source)
        except BuildRefused as refused:
            _print_report(refused.report, "text")
            print(f"export refused: fix the problems above in {source}; nothing was exported", file=sys.stderr)
            return INVALID
    writers = {"csv": export.export_csv, "parquet": export.export_parquet, "sqlite": export.export_sqlite,
               "stata": export.export_stata, "xlsx": export.export_xlsx}
    from .progress import stages

    try:
        if fmt == "release" and source is not None:
            with stages("release", export.RELEASE_STAGES, quiet) as stage:
                written = export.export_release(out, source, stage)
        else:
            with stages("export", 1, quiet) as stage:
                stage(fmt)
                written = writers[fmt](out, source)
    except MissingDependency as error:  # the environment lacks an extra: not the data's fault
        print(f"alliance-data: {error}", file=sys.stderr)
        return USAGE
    except ExportError as error:  # CannotRepresent included
        print(f"alliance-data: {error}", file=sys.stderr)
        return INVALID
    print(f"exported {len(written)} files to {out}")
    return OK


def _diff(old: str, new: str, fmt: str) -> int:
    from .diff import diff, render_json, render_text

    try:
        changes = diff(old, new)
    except CannotCompare as error:  # bad input, not bad usage
        print(f"alliance-data: {error}", file=sys.stderr)
        return INVALID
    print(render_json(changes) if fmt == "json" else render_text(changes))
    return OK


def _figures(path: str | None, out: Path | None, quiet: bool = False) -> int:
    from .figures import render
    from .progress import stages

    try:
        with stages("figures", 5, quiet) as stage:
            written = render(path, out, stage)
    except MissingDependency as error:
        print(f"alliance-data: {error}", file=sys.stderr)
        return USAGE
    for file in written:
        print(f"wrote {file}")
    return OK


INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


def run() -> None:
    """The ``alliance-data`` command: :func:`main`, then leave the process at once.

    Output is flushed, then the process ends with ``os._exit``: interpreter shutdown is
    skipped, so a worker thread pyarrow keeps alive can never abort the process after a
    correct report (exit 134, "terminate called without an active exception").
    """
    try:
        code = main()
    except KeyboardInterrupt:  # Ctrl-C between two statements of main itself
        print("alliance-data: interrupted", file=sys.stderr)
        code = INTERRUPTED
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Ctrl-C prints one line and exits 130; a closed pipe (``alliance-data info | head -1``)
    ends the command quietly.
    """
    try:
        code = _main(argv)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print("alliance-data: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        # Whoever read the output has stopped; point stdout at nothing so the flush at exit is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return OK


def _return_memory_promptly() -> None:
    """In the command's own process, let Arrow hand freed memory back at once (jemalloc with no
    decay, where pyarrow has it), so peak memory follows the tables in use rather than every
    table once read: about a sixth less for validate at a million rows, at the same speed."""
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:  # a pyarrow built without jemalloc keeps its default pool
        pass


def _main(argv: list[str] | None = None) -> int:
    from .errors import CannotValidate

    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on bad usage and 0 for --help
        return int(exit_.code or 0)
    try:
        if args.command == "info":
            return _info()
        _return_memory_promptly()
        if args.command == "validate":
            return _validate(args.path, args.format, args.fingerprint)
        if args.command == "build":
            return _build(args.path, args.quiet)
        if args.command == "diff":
            return _diff(args.old, args.new, args.format)
        if args.command == "figures":
            return _figures(args.path, args.out, args.quiet)
        return _export(args.format, args.out, args.source, args.quiet)
    except (CannotValidate, DataPackageError) as error:
        print(f"alliance-data: {error}", file=sys.stderr)
        return USAGE
    except BrokenPipeError:
        raise
    except OSError as error:
        print(f"alliance-data: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return USAGE
    except Exception as error:  # a bug: say so in one line rather than a traceback
        print(f"alliance-data: internal error ({type(error).__name__}: {error}); please report it", file=sys.stderr)
        return INTERNAL
