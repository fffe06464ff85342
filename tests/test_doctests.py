"""Run the doctests of the small helpers with the test suite."""

import doctest
import importlib

import pytest

MODULES = [
    "metrics.catalogue",
    "queries.connection",
    "pages.formatting",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no doctests"
    assert result.failed == 0
