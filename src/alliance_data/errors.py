"""Every exception alliance-data raises on purpose, in one place, under one base class.

- :class:`AllianceDataError`: the base of them all.
- :class:`DataPackageError`: the data package cannot be read (a missing file, a malformed
  descriptor, a path that leaves the package); :class:`NotBuilt` is one for a generated file
  (a panel, a Parquet file) an unbuilt checkout lacks.
- :class:`CannotValidate`: validation cannot run at all (no such folder, no ``datapackage.json``).
- :class:`BuildRefused`: the data has problems, so ``build`` wrote nothing; its ``report`` lists them.
- :class:`ExportError`: an export cannot be made (data that fails its checks, a value the
  format cannot hold: :class:`CannotRepresent`). A release asked of a folder that is no source
  checkout is a :class:`DataPackageError`, a usage error.
- :class:`CannotCompare`: ``diff`` cannot read a file of one of the packages.
- :class:`InvalidDate`: a date that is not a real ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
- :class:`MissingDependency`: an optional library is not installed; the message gives the
  ``pip install`` line (raised by :func:`require`).

Programming errors (a ``KeyError`` for an unknown table name, a ``ValueError`` for a bad
argument) stay Python's own. The command line maps these classes to exit codes: bad data 1,
usage or environment 2.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .validator import Report


class AllianceDataError(Exception):
    """Base class of the errors alliance-data raises on purpose.

    Examples
    --------
    >>> import alliance_data
    >>> issubclass(alliance_data.BuildRefused, alliance_data.AllianceDataError)
    True
    """


class DataPackageError(AllianceDataError):
    """The data package cannot be read: a missing file or a malformed descriptor."""


class NotBuilt(DataPackageError):
    """A generated file (the panels, the Parquet files) has not been built in this checkout."""


class CannotValidate(AllianceDataError):
    """Validation cannot run at all: no such folder, or no ``datapackage.json`` in it."""


class BuildRefused(AllianceDataError):
    """The data has problems; nothing was written."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.problems)} problems; nothing was written")
        self.report = report


class ExportError(AllianceDataError):
    """The export cannot be made (a source that is not a checkout, a value the format cannot hold)."""


class CannotRepresent(ExportError):
    """A value the target format cannot hold; the message says which and where."""


class CannotCompare(AllianceDataError):
    """A file of one of the packages cannot be read (not JSON, not UTF-8, not CSV); the
    message names it."""


class InvalidDate(AllianceDataError, ValueError):
    """A date that is not a real date written ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""


class MissingDependency(AllianceDataError, ImportError):
    """An optional library is not installed; the message gives the ``pip install`` line."""


def require(module: str, extra: str, purpose: str) -> Any:
    """Import ``module`` or raise :class:`MissingDependency` naming the extra that brings it.

    Examples
    --------
    >>> require("json", "none", "reading JSON").__name__
    'json'
    """
    try:
        imported: ModuleType = importlib.import_module(module)
    except ImportError:
        raise MissingDependency(f'{purpose} needs {module.split(".")[0]}: pip install "alliance-data[{extra}]"') from None
    return imported
