"""alliance-data: a sourced, validated dataset of the Iran–Russia partnership.

Load a table as a typed pandas DataFrame::

    import alliance_data
    agreements = alliance_data.load("agreements")

The names in ``__all__`` are the whole public surface. Importing the package reads no
data and imports nothing heavy: each name is imported from its module on first use,
and pandas, pyarrow, pandera and frictionless only inside the functions that need them.
"""

from __future__ import annotations

import importlib
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing

if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names load lazily below
    from ._package import data_version, fingerprint
    from .errors import (AllianceDataError, BuildRefused, CannotCompare, CannotRepresent, CannotValidate, DataPackageError,
                         ExportError, InvalidDate, MissingDependency, NotBuilt)
    from .cite import Citation, citation
    from .codebook import describe
    from .provenance import sources_for
    from .sql import connect
    from .loader import load, load_all, path, tables, year
    from .pandera_schema import schema
    from .history import status_as_of, timeline
    from .fulltext import search
    from .validator import Problem, Report, validate

# Public name -> the module that defines it.
_EXPORTS = {
    "AllianceDataError": ".errors",
    "BuildRefused": ".errors",
    "CannotCompare": ".errors",
    "CannotRepresent": ".errors",
    "CannotValidate": ".errors",
    "DataPackageError": ".errors",
    "ExportError": ".errors",
    "InvalidDate": ".errors",
    "MissingDependency": ".errors",
    "NotBuilt": ".errors",
    "data_version": "._package",
    "fingerprint": "._package",
    "Citation": ".cite",
    "citation": ".cite",
    "describe": ".codebook",
    "sources_for": ".provenance",
    "connect": ".sql",
    "load": ".loader",
    "load_all": ".loader",
    "path": ".loader",
    "tables": ".loader",
    "year": ".loader",
    "schema": ".pandera_schema",
    "search": ".fulltext",
    "status_as_of": ".history",
    "timeline": ".history",
    "Problem": ".validator",
    "Report": ".validator",
    "validate": ".validator",
}

__all__ = [
    "AllianceDataError",
    "BuildRefused",
    "CannotCompare",
    "CannotRepresent",
    "CannotValidate",
    "Citation",
    "DataPackageError",
    "ExportError",
    "InvalidDate",
    "MissingDependency",
    "NotBuilt",
    "Problem",
    "Report",
    "__version__",
    "citation",
    "connect",
    "data_version",
    "describe",
    "fingerprint",
    "load",
    "load_all",
    "path",
    "schema",
    "search",
    "sources_for",
    "status_as_of",
    "tables",
    "timeline",
    "validate",
    "year",
]


def __getattr__(name: str) -> object:
    if name == "__version__":
        # One version for package and data, kept in datapackage.json (it also sets the
        # wheel's version at build time).
        return importlib.import_module("._package", __name__).data_version()
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'alliance_data' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
