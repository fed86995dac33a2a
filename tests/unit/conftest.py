"""Shared set-up of the unit tests."""

import pytest

from cmmvar.segregate import likelihood


@pytest.fixture(autouse=True)
def fresh_flb_memo():
    """Every test computes its FLBs: none is read from another test's memo (a test of a
    changed engine, or of a mutant under `make mutation`, must see its own results)."""
    likelihood._remembered_flbs.cache_clear()
    yield
