"""The one exception base class of alliance-data.

Every error the package raises on purpose is an :class:`AllianceDataError`:

- :class:`alliance_data.DataPackageError`: the data package cannot be read (a missing
  file, a malformed descriptor, a path that leaves the package).
- :class:`alliance_data.CannotValidate`: validation cannot run at all (no such folder,
  no ``datapackage.json``).
- :class:`alliance_data.BuildRefused`: the data has problems, so ``build`` wrote nothing;
  its ``report`` lists them.
- :class:`alliance_data.ExportError`: an export cannot be made (a missing optional
  dependency, no source checkout for a release, a value the format cannot hold).

Programming errors (a ``KeyError`` for an unknown table name, a ``ValueError`` for a bad
argument) stay Python's own.
"""

from __future__ import annotations


class AllianceDataError(Exception):
    """Base class of the errors alliance-data raises on purpose.

    Examples
    --------
    >>> import alliance_data
    >>> issubclass(alliance_data.BuildRefused, alliance_data.AllianceDataError)
    True
    """
