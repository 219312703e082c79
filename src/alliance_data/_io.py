"""Atomic file writes: temporary files in the same folder, then renames."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``path``; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); give it the mode a new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
    except OSError as error:  # a full disk or a quota: name the file, never an empty name
        Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror or str(error), str(path)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def write_files_atomic(outputs: dict[Path, bytes]) -> None:
    """Write several files all or nothing: every file is staged first (a failure, a full disk
    or Ctrl-C then leaves every file as it was), and only then are they renamed into place,
    with Ctrl-C held back for those few renames."""
    staged: dict[Path, Path] = {}
    try:
        for path, data in outputs.items():
            staged[Path(path)] = _stage(Path(path), data)
    except BaseException:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        raise
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for path, temporary in staged.items():
            os.replace(temporary, path)
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    write_files_atomic({Path(path): data})


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files an interrupted write left in ``folder``; return them."""
    leftovers = [p for p in Path(folder).glob(".*.tmp") if p.is_file() and not p.is_symlink()]
    for p in leftovers:
        p.unlink()
    return leftovers


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text with LF line endings atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))
