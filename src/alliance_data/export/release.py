"""The versioned set of files attached to each release, with its fingerprint and checksums."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .. import _package
from .._io import write_bytes_atomic, write_text_atomic
from ..errors import DataPackageError, ExportError
from ..model import package
from ..progress import Stage, silent
from .frames import frames
from .package import export_parquet
from .sqlite import SQLITE_NAME, export_sqlite
from .stata import stata_zip
from .workbook import xlsx_bytes

FINGERPRINT = "FINGERPRINT"
CHECKSUMS = "SHA256SUMS"
# Fixed time stamp for zip entries, so that the same data gives the same archive.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
RELEASE_STAGES = 9


def _zip_of_csv_package(root: Path, version: str) -> bytes:
    buffer = io.BytesIO()
    folder = f"alliance-data-{version}"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        names = [_package.DESCRIPTOR, _package.DERIVED]
        for table in package(root).tables:
            names += [table.schema_path, table.path]
        # What a reader of the zip alone needs: the licence, the README (with the figures it shows) and the codebook.
        names += [rel for rel in ("LICENSE", "LICENSE-DATA", "README.md", "CODEBOOK.md", "METHODS.md", "CITATION.cff",
                                  "docs/readme/timeline.svg", "docs/readme/coverage.svg") if (root / rel).is_file()]
        for rel in sorted(names):
            info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = _package.built_descriptor(root) if rel == _package.DESCRIPTOR else (root / rel).read_bytes()
            archive.writestr(info, data)
    return buffer.getvalue()


def _build_checkout(root: Path) -> None:
    """Build the checkout, which validates it first; refuse invalid data."""
    from ..build import build
    from ..errors import BuildRefused

    try:
        build(root)
    except BuildRefused as refused:
        raise ExportError(f"{root}: the data has {len(refused.report.problems)} problems; run alliance-data validate {root}") from None


def _wheel_and_sdist(out: Path, root: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run([sys.executable, "-m", "hatchling", "build", "-d", scratch], cwd=root, capture_output=True, text=True)
        if result.returncode != 0:
            raise ExportError(f"building the wheel and sdist failed (is hatchling installed?): {result.stderr.strip()[-400:]}")
        for built in sorted(Path(scratch).iterdir()):
            write_bytes_atomic(out / built.name, built.read_bytes())


def export_release(out: Path, root: Path, on_stage: Stage = silent) -> list[Path]:
    """Write the release set of a source checkout to ``out``: the wheel and sdist, a zip of
    the CSV package, every Parquet file, the SQLite database with its Datasette metadata,
    the Stata zip and the workbook, the figures (with the figures extra), the content
    ``FINGERPRINT`` of the data, and ``SHA256SUMS`` over them all.

    The checkout is built first (``alliance-data build``), since its generated files are
    not committed; invalid data is refused before anything is written to ``out``.

    Parameters
    ----------
    out : Path
        The folder to write to (made if missing).
    root : Path
        The source checkout (the folder with ``pyproject.toml``).
    on_stage : callable, optional
        Called with the name of each of the ``RELEASE_STAGES`` stages as it starts.

    Returns
    -------
    list of Path
        The files written, ``SHA256SUMS`` last.
    """
    if not (root / "pyproject.toml").is_file():
        raise DataPackageError(f"{root}: a release is built from a source checkout (with pyproject.toml); use --source")
    on_stage("build the checkout")
    _build_checkout(root)
    version = _package.data_version(root)
    out.mkdir(parents=True, exist_ok=True)
    on_stage("wheel and sdist")
    _wheel_and_sdist(out, root)
    # Stable names (no version in them), so .../releases/latest/download/<name> always works;
    # the wheel and the sdist carry the version in their names, as packaging requires.
    on_stage("CSV zip")
    write_bytes_atomic(out / "alliance-data-csv.zip", _zip_of_csv_package(root, version))
    on_stage("Parquet files")
    export_parquet(out, root)
    on_stage("SQLite database")
    export_sqlite(out / SQLITE_NAME, root)
    on_stage("Stata files")
    shared = list(frames(root))  # read and typed once for both the Stata files and the workbook
    write_bytes_atomic(out / "alliance-data-stata.zip", stata_zip(root, shared))
    on_stage("workbook")
    write_bytes_atomic(out / "alliance-data.xlsx", xlsx_bytes(root, shared))
    on_stage("figures")
    try:
        from .. import figures

        figures.render(root, out)
    except ImportError:
        pass  # without matplotlib and networkx (the figures extra) a release has no pictures
    on_stage("fingerprint and checksums")
    write_text_atomic(out / FINGERPRINT, f"{_package.fingerprint(root)}  alliance-data {version}\n")
    files = sorted(p for p in out.iterdir() if p.is_file() and p.name != CHECKSUMS)
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files)
    write_text_atomic(out / CHECKSUMS, sums)
    return [*files, out / CHECKSUMS]
