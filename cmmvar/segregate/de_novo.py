"""De novo candidates and Mendelian errors of one variant in one family, from the calls
alone (GQ/DP-passed genotypes and the parents' ALT read fractions), whatever the gene's
model."""

from __future__ import annotations

from collections.abc import Mapping

from cmmvar.io.pedigree import Family
from cmmvar.segregate.genotypes import Genotype


def de_novo_status(family: Family, calls: Mapping[str, Genotype],
                   max_alt_fraction: float) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(yes|no|unknown, de novo carriers, Mendelian errors that are not de novo).

    A carrier is a de novo candidate when the parents who could have passed the allele
    (both; only the mother for a hemizygous son) are called non-carriers that passed GQ/DP
    and show an ALT read fraction at most `max_alt_fraction`. Where the locus is
    hemizygous is read from the calls, whatever the gene's model."""
    de_novo, errors, inherited = [], [], False
    for ind in family.individuals:
        child = calls[ind.id]
        if ind.father is None or child.missing:
            continue
        parents = [ind.mother] if child.hemizygous else [ind.father, ind.mother]
        pcalls = [calls[p] for p in parents]
        if child.carrier and any(p.carrier for p in pcalls):
            inherited = True
        single_new_allele = child.copies == 1  # heterozygous, or a hemizygous son
        if single_new_allele and all(_confident_noncarrier(p, max_alt_fraction)
                                     for p in pcalls):
            de_novo.append(ind.id)
        elif _mendelian_error(child, calls[ind.father], calls[ind.mother]):
            errors.append(f"{ind.id} is {child.label} with parents {ind.father} "
                          f"{calls[ind.father].label} and {ind.mother} {calls[ind.mother].label}")
    status = "yes" if de_novo else ("no" if inherited else "unknown")
    return status, tuple(de_novo), tuple(errors)


def _confident_noncarrier(genotype: Genotype, max_alt_fraction: float) -> bool:
    if genotype.missing or genotype.carrier:
        return False
    if genotype.ad and len(genotype.ad) >= 2 and all(v is not None for v in genotype.ad):
        total = sum(genotype.ad)
        return total > 0 and genotype.ad[1] / total <= max_alt_fraction
    return True  # no allele depths: GQ and DP thresholds are all there is


def _mendelian_error(child: Genotype, father: Genotype, mother: Genotype) -> bool:
    """A child's call that its parents' calls cannot produce (beyond a single new allele)."""
    if child.hemizygous:  # a son's only X is his mother's
        return not mother.missing and child.copies not in _passed(mother)
    if father.missing or mother.missing:
        return False
    possible = {a + b for a in _passed(father) for b in _passed(mother)}
    return child.copies not in possible


def _passed(parent: Genotype) -> set[int]:
    """ALT copies (0 or 1) a parent's call can pass to a child; a hemizygous father passes
    his only X to every daughter."""
    if parent.hemizygous:
        return {parent.copies}
    return {a for a in (0, 1) if a <= parent.copies and 1 - a <= 2 - parent.copies}
