"""Helpers of test_pairs.py, shared with other test modules."""

from __future__ import annotations

from cmmvar.io.ped_file import read_family
from cmmvar.segregate.genotypes import Genotype

V1, V2 = "chr11:100:A:G", "chr11:200:C:T"


# Father F and mother M unaffected, children A and B affected.
NUCLEAR = "fam F 0 0 1 1\nfam M 0 0 2 1\nfam A F M 1 2\nfam B F M 2 2\n"


def called(copies: int | None, gt: str = "", ps: int | None = None,
           hemizygous: bool = False) -> Genotype:
    return Genotype(copies, "called" if copies is not None else "low_gq", gt, ps=ps,
                    hemizygous=hemizygous)


def family_from(tmp_path, text: str):
    path = tmp_path / "fam.ped"
    path.write_text(text)
    return read_family(path, "fam")


def calls(**copies) -> dict[str, Genotype]:
    return {pid: called(n) for pid, n in copies.items()}
