"""Write, or check, what a release shows outside its files: the README figures and CITATION.cff.

Run by a maintainer before tagging a release, never by a pull request (so two pull requests never
conflict over an image or a fingerprint):

    alliance-data build . && python .github/scripts/prepare_release.py

It draws the cooperation–conflict and coverage figures from the data into ``docs/readme/``, records
what they were drawn from in ``docs/readme/figures.json``, rewrites the README's figure block (between
the ``<!-- figures -->`` markers) with the version and content fingerprint, and writes the version, the
release date and the fingerprint into CITATION.cff.

``--check`` changes nothing and exits 1 if the images, the stamp, the README block and CITATION.cff
disagree with each other. ``--check --strict`` (the release workflow) also requires that they show the
data being released: the same version and fingerprint, the same input tables, and, with the
matplotlib version that drew them, the same image bytes.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = "docs/readme"
IMAGES = ("timeline.svg", "coverage.svg")
STAMP = "figures.json"
BEGIN, END = "<!-- figures -->", "<!-- /figures -->"
CITATION_LINES = {
    "version": re.compile(r'^(\s*version: )"[^"]*"$', re.M),
    "date": re.compile(r'^(date-released: )"[^"]*"$', re.M),
    "fingerprint": re.compile(r'^(\s*value: )"sha256:[0-9a-f]{64}"$', re.M),
}


def readme_block(version: str, fingerprint: str) -> str:
    """The README's figure block for one version (relative images: the repository page shows them;
    the package index's description leaves the block out, see pyproject.toml)."""
    return "\n".join([
        BEGIN,
        "![Iran–Russia cooperation and conflict by year: events by CAMEO quad class and their Goldstein sum]"
        "(docs/readme/timeline.svg)",
        "",
        "![Coverage by year: sources published and original sources behind each year's events](docs/readme/coverage.svg)",
        "",
        f"*Drawn from data version {version} (content fingerprint `{fingerprint}`) by the release process; "
        "the data between releases may differ. Above: confirmed and reported events a year, cooperation above "
        "zero and conflict below, with their Goldstein sum. Below: how many sources the record holds for each "
        "year, so that a rise in events can be read against a rise in coverage.*",
        END,
    ])


def _citation_fields(text: str) -> dict[str, list[str]]:
    return {key: [m.group(0).split('"')[1] for m in pattern.finditer(text)] for key, pattern in CITATION_LINES.items()}


def _current(data: Path) -> dict[str, str]:
    """Version, fingerprint and the figures' input digest of the built package at ``data``."""
    from alliance_data import _package, figures

    return {"data_version": _version(data), "fingerprint": _package.fingerprint(data), "data_sha256": figures.data_fingerprint(data)}


def _version(data: Path) -> str:
    return str(json.loads((data / "datapackage.json").read_text(encoding="utf-8"))["version"])


def _draw(data: Path) -> dict[str, bytes]:
    from alliance_data.figures import render

    with tempfile.TemporaryDirectory() as folder:
        render(data, folder)
        return {name: (Path(folder) / name).read_bytes() for name in IMAGES}


def _matplotlib() -> str:
    import matplotlib

    return str(matplotlib.__version__)


def write(root: Path, data: Path, date: str) -> None:
    """Draw the figures and write the stamp, the README block and CITATION.cff."""
    images = _draw(data)
    stamp = {**_current(data), "matplotlib": _matplotlib(),
             "images": {name: hashlib.sha256(blob).hexdigest() for name, blob in images.items()}}
    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, blob in images.items():
        (folder / name).write_bytes(blob)
    (folder / STAMP).write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not block.search(readme):
        sys.exit(f"README.md has no {BEGIN} … {END} block to rewrite")
    (root / "README.md").write_text(block.sub(lambda _: readme_block(stamp["data_version"], stamp["fingerprint"]), readme),
                                    encoding="utf-8")
    citation = (root / "CITATION.cff").read_text(encoding="utf-8")
    for key, value in (("version", stamp["data_version"]), ("date", date), ("fingerprint", stamp["fingerprint"])):
        if not CITATION_LINES[key].search(citation):
            sys.exit(f"CITATION.cff has no {key} line to rewrite")
        citation = CITATION_LINES[key].sub(lambda m, v=value: f'{m.group(1)}"{v}"', citation)
    (root / "CITATION.cff").write_text(citation, encoding="utf-8")


def check(root: Path, data: Path, strict: bool) -> list[str]:
    """What disagrees; an empty list when all is well."""
    folder = root / FOLDER
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{FOLDER}/{STAMP}: cannot be read ({error})"]
    wrong = []
    for name in IMAGES:
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != stamp.get("images", {}).get(name):
            wrong.append(f"{FOLDER}/{name}: missing, or not the image {STAMP} records (never edit it by hand)")
    readme = (root / "README.md").read_text(encoding="utf-8")
    if readme_block(stamp["data_version"], stamp["fingerprint"]) not in readme:
        wrong.append(f"README.md: the figure block does not show version {stamp['data_version']} and {stamp['fingerprint']}")
    cited = _citation_fields((root / "CITATION.cff").read_text(encoding="utf-8"))
    if cited["version"] != [stamp["data_version"]] * 2:
        wrong.append(f"CITATION.cff: versions {cited['version']} are not both {stamp['data_version']}, the version the figures show")
    if cited["fingerprint"] != [stamp["fingerprint"]]:
        wrong.append(f"CITATION.cff: fingerprint {cited['fingerprint']} is not {stamp['fingerprint']}, the one the figures show")
    if len(cited["date"]) != 1:
        wrong.append("CITATION.cff: no single date-released line")
    if strict:
        wrong += _check_release(data, stamp)
    return wrong


def _check_release(data: Path, stamp: dict[str, object]) -> list[str]:
    current = _current(data)
    wrong = [f"{FOLDER}/{STAMP}: {key} is {stamp.get(key)} but the data gives {value}: "
             "run python .github/scripts/prepare_release.py and commit the result"
             for key, value in current.items() if stamp.get(key) != value]
    if not wrong and stamp.get("matplotlib") == _matplotlib():
        for name, blob in _draw(data).items():
            if hashlib.sha256(blob).hexdigest() != stamp["images"][name]:  # type: ignore[index]
                wrong.append(f"{FOLDER}/{name}: not what this data draws")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: this script's)")
    parser.add_argument("--data", type=Path, help="the built data package to draw from (default: the checkout)")
    parser.add_argument("--date", default=datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
                        help="the release date for CITATION.cff (default: today)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on a disagreement")
    parser.add_argument("--strict", action="store_true", help="with --check: the figures must show this data")
    args = parser.parse_args(argv)
    data = args.data or args.root
    if not args.check:
        write(args.root, data, args.date)
        print(f"wrote {FOLDER}/, README.md and CITATION.cff for {_version(data)}")
        return 0
    wrong = check(args.root, data, args.strict)
    for line in wrong:
        print(line, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
