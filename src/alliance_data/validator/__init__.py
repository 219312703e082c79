"""Validate a data package folder and name every problem to its file, line and field, with a code.

The checks are vectorized with pyarrow: what the Table Schemas say (types, required,
unique, enum, pattern, ranges, primary and foreign keys, header), file hygiene, the
rules of :mod:`alliance_data.rules` and :mod:`alliance_data.semantics`, and the freshness
of the generated files. Each concern is a module of its own, in the order they import:

- ``report``: :class:`Problem`, :class:`Report` and :data:`CODES`, every problem code with its meaning;
- ``table``: a table as the checks see it, and the collector of problems;
- ``profile``: the keywords, fixed values and types this repository's profile allows;
- ``files``: reading JSON and CSV files (encodings, BOM, line endings, sizes), and stray files;
- ``schema``, ``descriptor``: the Table Schemas and the package descriptor;
- ``arrays``, ``cells``: the checks of single cells;
- ``keys``: primary and foreign keys and self-reference loops;
- ``dataset``: the dataset's own rules, code lists and release ids;
- ``freshness``: the generated files, stated hashes and sizes;
- ``run``: :func:`validate`, the steps in order.
"""

from __future__ import annotations

from ..errors import CannotValidate
from .cells import INVISIBLE
from .files import MAX_DEPTH, MAX_TABLE_BYTES
from .report import CODES, MAX_PER_FIELD, Problem, Report
from .run import validate
from .schema import MAX_COLUMNS

__all__ = ["CODES", "INVISIBLE", "MAX_COLUMNS", "MAX_DEPTH", "MAX_PER_FIELD", "MAX_TABLE_BYTES", "CannotValidate", "Problem", "Report", "validate"]
