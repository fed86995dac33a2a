"""Helpers of test_confidentiality.py, shared with other test modules."""

from __future__ import annotations

from tests.workflow.helpers.demo import ROOT

FAMILIES = ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1")


def members(family: str) -> set[str]:
    """Every ID the family's PED names (individuals and parents)."""
    ids = set()
    for line in (ROOT / "test_data/ped" / f"{family}.ped").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            ids |= set(line.split()[1:4]) - {"0"}
    return ids
