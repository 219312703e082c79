"""Wheel build hook: the wheel's data is the package built from the CSVs, never committed copies.

The repository tracks only what people edit (the descriptor, schemas and CSVs); the dyad-year
panel and the Parquet files are generated. So that two pull requests editing one table never
conflict on them, they are not committed: this hook copies the data package to a staging
folder, runs ``alliance-data build`` there (which validates first, so invalid data makes no
wheel), and ships the result as ``alliance_data/_data``. An editable install reads the checkout
instead (run ``alliance-data build .`` there).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

HELD = ("datapackage.json", "schemas", "tables")  # what the wheel's data folder holds


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        self._staging = Path(tempfile.mkdtemp(prefix="alliance-data-wheel-"))
        package = self._staging / "package"
        package.mkdir()
        shutil.copy2(root / "datapackage.json", package / "datapackage.json")
        shutil.copytree(root / "schemas", package / "schemas")
        # Only the CSVs: generated files left in the checkout are rebuilt, not trusted.
        shutil.copytree(root / "tables", package / "tables", ignore=lambda _, names: [n for n in names if not n.endswith(".csv")])
        for entry in json.loads((root / "schemas" / "derived.json").read_text(encoding="utf-8"))["resources"]:
            (package / entry["path"]).unlink(missing_ok=True)  # generated: rebuilt below, never trusted
        # Keep the build environment's own path (an isolated build puts its packages there).
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")]))}
        result = subprocess.run([sys.executable, "-m", "alliance_data", "build", str(package)],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"alliance-data build failed, so no wheel was made:\n{result.stdout}{result.stderr}")
        # The wheel's data is a built copy: its descriptor lists the generated tables too.
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        generated = json.loads((package / "schemas" / "derived.json").read_text(encoding="utf-8"))["resources"]
        listed = {r["name"] for r in descriptor["resources"]}
        descriptor["resources"] += [r for r in generated if r["name"] not in listed]
        (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for name in HELD:
            build_data["force_include"][str(package / name)] = f"alliance_data/_data/{name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        staging = getattr(self, "_staging", None)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
