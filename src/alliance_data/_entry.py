"""The ``alliance-data`` command's entry point: Ctrl-C is answered with one line and exit 130
from the first moment, while the command itself is still being imported."""

import os
import signal
import sys


def _interrupted_while_importing(signum: int, frame: object) -> None:
    sys.stderr.write("alliance-data: interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def run() -> None:
    """Import the command with Ctrl-C handled, then hand over to :func:`alliance_data.cli.run`."""
    previous = signal.signal(signal.SIGINT, _interrupted_while_importing)
    from .cli import run as run_command

    signal.signal(signal.SIGINT, previous)  # from here on the command's own handling answers
    run_command()
