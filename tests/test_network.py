"""Nothing a contribution names is fetched: validate refuses every remote or absolute
reference with the file and key named, and CI's frictionless step cannot open a connection.

A listener on the loopback address stands in for the network: each hostile descriptor
points at it, and the test fails if anything connects.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from alliance_data import validate
from conftest import REPO
from test_validate import copy_csv_package

WRAPPER = REPO / ".github" / "scripts" / "frictionless_offline.py"


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    served = Listener()
    yield served
    served.close()


def _descriptor(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def _write(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def _package_key(key: str):
    def change(root: Path, url: str) -> tuple[str, str]:
        descriptor = _descriptor(root)
        descriptor[key] = url
        _write(root / "datapackage.json", descriptor)
        return "datapackage.json", key
    return change


def _resource_key(key: str, value_of=lambda url: url):
    def change(root: Path, url: str) -> tuple[str, str]:
        descriptor = _descriptor(root)
        descriptor["resources"][0][key] = value_of(url)
        _write(root / "datapackage.json", descriptor)
        return "datapackage.json", f"{descriptor['resources'][0]['name']}"
    return change


def _schema_key(key: str):
    def change(root: Path, url: str) -> tuple[str, str]:
        path = root / "schemas" / "actors.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema[key] = url
        _write(path, schema)
        return "schemas/actors.schema.json", key
    return change


def _field_ref(root: Path, url: str) -> tuple[str, str]:
    path = root / "schemas" / "actors.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1]["constraints"] = {"$ref": url}
    _write(path, schema)
    return "schemas/actors.schema.json", "$ref"


def _foreign_package(root: Path, url: str) -> tuple[str, str]:
    path = root / "schemas" / "actors.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["foreignKeys"] = [{"fields": "parent_id", "reference": {"package": url, "resource": "actors", "fields": "actor_id"}}]
    _write(path, schema)
    return "schemas/actors.schema.json", "package"


HOSTILE = {
    "package-profile": _package_key("profile"),
    "package-$schema": _package_key("$schema"),
    "resource-profile": _resource_key("profile"),
    "resource-dialect-url": _resource_key("dialect"),
    "resource-dialect-inline": _resource_key("dialect", lambda url: {"delimiter": ";"}),
    "resource-path-url": _resource_key("path"),
    "resource-schema-url": _resource_key("schema"),
    "resource-path-absolute": _resource_key("path", lambda url: "/etc/passwd"),
    "resource-path-parent": _resource_key("path", lambda url: "../outside.csv"),
    "resource-scheme": _resource_key("scheme", lambda url: "https"),
    "schema-$schema": _schema_key("$schema"),
    "schema-$ref": _field_ref,
    "foreign-key-to-another-package": _foreign_package,
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_validate_refuses_a_reference_it_would_have_to_fetch(case: str, tmp_path: Path, listener: Listener) -> None:
    root = copy_csv_package(tmp_path / "package")
    rel, key = HOSTILE[case](root, listener.url("x.json"))
    report = validate(root)
    assert not report.valid
    named = [p for p in report.problems if p.path == rel and key in p.field]
    assert named, [str(p) for p in report.problems]
    assert listener.connections == 0


def test_ci_runs_frictionless_unable_to_connect(tmp_path: Path, listener: Listener) -> None:
    """Should a remote reference slip past validate, CI's frictionless step still opens no connection."""
    pytest.importorskip("frictionless")
    root = copy_csv_package(tmp_path / "package", only="actors")
    descriptor = _descriptor(root)
    descriptor["profile"] = listener.url("profile.json")
    descriptor["resources"][0]["schema"] = listener.url("schema.json")
    _write(root / "datapackage.json", descriptor)
    result = subprocess.run([sys.executable, str(WRAPPER), "validate", "datapackage.json"], cwd=root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0  # it could not read what it was pointed at
    assert listener.connections == 0


def test_the_workflow_runs_frictionless_through_the_wrapper_after_validate() -> None:
    workflow = (REPO / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8")
    runs = [line.strip() for line in workflow.splitlines() if "frictionless" in line and line.strip().startswith("run:")]
    assert runs and all("frictionless_offline.py" in line for line in runs), runs
    for at in (i for i in range(len(workflow)) if workflow.startswith("frictionless_offline.py", i)):
        step = workflow.rfind("- name:", 0, at)
        assert "alliance-data validate ." in workflow[step:at] or "alliance-data build ." in workflow[:step]
