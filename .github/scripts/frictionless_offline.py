"""Run the frictionless command with every network connection refused.

A contribution's descriptor is checked by `alliance-data validate` first, which refuses any
remote or absolute reference; this wrapper is the second wall: should anything slip past,
frictionless cannot fetch it (a remote `profile`, `dialect` or `schema` would otherwise be
requested). Usage: python .github/scripts/frictionless_offline.py validate datapackage.json
"""

import socket
import sys


def _refuse(*args: object, **kwargs: object) -> None:
    raise OSError("network access is refused while checking a contribution")


# Connecting and resolving names both go through these; nothing else opens a connection.
socket.socket.connect = _refuse  # type: ignore[method-assign, assignment]
socket.socket.connect_ex = _refuse  # type: ignore[method-assign, assignment]
socket.create_connection = _refuse  # type: ignore[assignment]
socket.getaddrinfo = _refuse  # type: ignore[assignment]

from frictionless.__main__ import console  # noqa: E402  (imported after the sockets are closed off)

if __name__ == "__main__":
    sys.argv[0] = "frictionless"
    sys.exit(console())
