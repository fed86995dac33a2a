"""Segregation of one variant in one family: counts of carriers by phenotype.

Phenotype (affected, unaffected, unknown) x genotype (carrier, non-carrier, missing), with
homozygous carriers also counted apart. Missing covers members not sequenced and calls that
failed quality; it is never a non-carrier. The likelihood statistics live in likelihood.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cmmvar.genotypes import Genotype
from cmmvar.pedigree import Family

PHENOTYPES = ("affected", "unaffected", "unknown")


@dataclass(frozen=True)
class Counts:
    affected_carriers: int = 0
    affected_noncarriers: int = 0
    affected_missing: int = 0
    unaffected_carriers: int = 0
    unaffected_noncarriers: int = 0
    unaffected_missing: int = 0
    unknown_carriers: int = 0
    unknown_noncarriers: int = 0
    unknown_missing: int = 0
    affected_homozygous: int = 0
    unaffected_homozygous: int = 0
    unknown_homozygous: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def count(family: Family, calls: dict[str, Genotype]) -> Counts:
    """Tally every pedigree member (sequenced or not) by phenotype and genotype."""
    tally = dict.fromkeys(Counts.__dataclass_fields__, 0)
    for ind in family.individuals:
        genotype = calls[ind.id]
        group = ind.phenotype.value
        if genotype.missing:
            tally[f"{group}_missing"] += 1
        elif genotype.carrier:
            tally[f"{group}_carriers"] += 1
            if genotype.homozygous:
                tally[f"{group}_homozygous"] += 1
        else:
            tally[f"{group}_noncarriers"] += 1
    return Counts(**tally)


def carried(calls: dict[str, Genotype]) -> bool:
    """A variant is a candidate for a family when at least one member carries it."""
    return any(g.carrier for g in calls.values())
