"""The examples in the public functions' docstrings run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["_package", "cite", "derived", "errors", "history", "loader", "provenance", "fulltext", "sql", "pandera_schema", "status"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"alliance_data.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0, f"alliance_data.{name} has public functions with examples"
