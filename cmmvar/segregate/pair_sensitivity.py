"""How much a pair's (a possible compound heterozygote's) Bayes factor rests on its
assumptions: the single-variant table's rows (sensitivity.layout: the phenocopy rate grid,
the penetrance shifts, the allele frequency grid, here applied to both sites at once, and
each key individual recoded unknown), each computed with pair_likelihood.pair_flb.

A key individual of a pair: an affected member who is certainly not biallelic (lacks a
variant while not homozygous for the other, or carries both on one haplotype by phased
calls), or an unaffected member who is biallelic (homozygous at a site, heterozygous at both
in trans, or a male carrying either on his one X) or may be (heterozygous at both, phase
unknown). Reads and writes no file.
"""

from __future__ import annotations

from collections.abc import Mapping

from cmmvar.io.pedigree import Family, Phenotype, Sex
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.pair_likelihood import CIS, TRANS, pair_flb
from cmmvar.segregate.pairs import call_phases, pair_penetrance
from cmmvar.segregate.segregation import Model, Settings, people
from cmmvar.segregate.sensitivity import computed_row, layout, table


def _biallelic(first: int, second: int, phase: str | None, one_x: bool) -> bool | None:
    """Whether every haplotype (a male's one X) holds a variant: True, False, or None
    when only the phase of a double heterozygote would tell."""
    if one_x:
        return first > 0 or second > 0
    if first == 2 or second == 2:
        return True
    if first == 0 or second == 0:
        return False
    return {TRANS: True, CIS: False}.get(phase)


def pair_key_individuals(family: Family, calls1: Mapping[str, Genotype],
                         calls2: Mapping[str, Genotype], model: Model) -> list[dict]:
    """Genotyped members whose phenotype goes against the pair causing the condition,
    in PED order (the module's docstring says which)."""
    phases = call_phases(calls1, calls2)
    out = []
    for ind in family.individuals:
        g1, g2 = calls1[ind.id], calls2[ind.id]
        if g1.missing or g2.missing or ind.phenotype is Phenotype.UNKNOWN:
            continue
        one_x = model.x_linked and ind.sex is Sex.MALE
        biallelic = _biallelic(g1.copies, g2.copies, phases.get(ind.id), one_x)
        if ind.phenotype is Phenotype.AFFECTED and biallelic is False:
            role = "affected, not biallelic"
        elif ind.phenotype is Phenotype.UNAFFECTED and biallelic is True:
            role = "unaffected, biallelic"
        elif ind.phenotype is Phenotype.UNAFFECTED and biallelic is None:
            role = "unaffected, carries both variants, phase unknown"
        else:
            continue
        out.append({"id": ind.id, "phenotype": ind.phenotype.value,
                    "genotype": f"{g1.label} / {g2.label}", "role": role,
                    "is_child": ind.father is not None})
    return out


def pair_sensitivity(family: Family, calls1: Mapping[str, Genotype],
                     calls2: Mapping[str, Genotype], model: Model, settings: Settings,
                     proband: str, grid: Mapping) -> dict:
    """The sensitivity table of a pair whose FLB (pairs.segregate_pair) was computed with
    `proband`, in the single-variant table's layout; both sites take each allele frequency."""
    phenotypes = {i.id: i.phenotype.value for i in family.individuals}
    keys = pair_key_individuals(family, calls1, calls2, model)
    persons = people(family)
    genotypes1 = {pid: g.copies for pid, g in calls1.items()}
    genotypes2 = {pid: g.copies for pid, g in calls2.items()}
    phases = call_phases(calls1, calls2)
    rows = []
    for fields, use, q, pheno in layout(model, settings.allele_frequency, grid, phenotypes,
                                        keys):
        if use is None:
            rows.append(fields)
            continue
        result = pair_flb(persons, proband, q, q, model.x_linked,
                          pair_penetrance(family, use), pheno, genotypes1, genotypes2, phases)
        rows.append(computed_row(fields, result, settings))
    return table(proband, rows, keys)
