"""Progress by stage for the commands that take time (build, figures, exports, the release):
shown on a terminal with rich, silent when standard error is not a terminal or with --quiet."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Stage = Callable[[str], None]  # called with the name of each stage as it starts


def silent(_name: str) -> None:
    """A stage callback that shows nothing (the default everywhere)."""


@contextmanager
def stages(title: str, total: int, quiet: bool = False) -> Iterator[Stage]:
    """A callback that shows ``title: <stage>`` and a bar of ``total`` stages on a terminal.

    Examples
    --------
    >>> with stages("build", 2, quiet=True) as stage:
    ...     stage("validate")
    """
    if quiet or not sys.stderr.isatty():
        yield silent
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(title, total=total)
        started = [False]

        def stage(name: str) -> None:
            bar.update(task, advance=1 if started[0] else 0, description=f"{title}: {name}")
            started[0] = True

        yield stage
        bar.update(task, completed=total)
