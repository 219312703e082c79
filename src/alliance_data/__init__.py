"""alliance-data: a sourced, validated dataset of the Iran–Russia partnership.

Load a table as a typed pandas DataFrame::

    import alliance_data
    agreements = alliance_data.load("agreements")

The names below are the whole public surface. Importing the package reads no data
and imports none of pandas, pyarrow, pandera or frictionless; each is imported by
the function that needs it.
"""

from ._package import DataPackageError
from .cite import Citation, citation
from .codebook import describe
from .load import load, load_all, path, tables, year
from .schema import schema
from .validate import CannotValidate, Problem, Report, validate

__all__ = [
    "CannotValidate",
    "Citation",
    "DataPackageError",
    "Problem",
    "Report",
    "__version__",
    "citation",
    "data_version",
    "describe",
    "load",
    "load_all",
    "path",
    "schema",
    "tables",
    "validate",
    "year",
]


def data_version() -> str:
    """Return the version of the bundled data (``version`` in ``datapackage.json``)."""
    from ._package import data_version as _data_version

    return _data_version()


def __getattr__(name: str) -> str:
    # The package version is the data version: one number, kept in datapackage.json,
    # which also sets the wheel's version at build time.
    if name == "__version__":
        return data_version()
    raise AttributeError(f"module 'alliance_data' has no attribute {name!r}")
