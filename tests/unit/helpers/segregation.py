"""Helpers of test_segregation.py, shared with other test modules."""

from __future__ import annotations

from cmmvar.io.ped_file import read_family
from cmmvar.segregate.genotypes import Genotype


def called(copies: int, ad=None, hemizygous=False) -> Genotype:
    return Genotype(copies, "called", ad=ad, hemizygous=hemizygous)


MISSING = Genotype(None, "not_sequenced")


def family_from(tmp_path, text: str, name="fam.ped"):
    path = tmp_path / name
    path.write_text(text)
    return read_family(path, text.split()[0])
