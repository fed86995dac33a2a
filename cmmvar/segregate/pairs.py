"""Segregation of a pair of variants of one recessive gene in one family, weighed together as
a possible compound heterozygote: the pair's Bayes factor, its strengths and the proband's phase.

Which pairs a family has (AR genes; XLR genes in females, a male having one X) and how they are
reported are decided elsewhere (analysis.py, report.py); the probabilities come from
pair_likelihood.py. Knows nothing of files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import combinations

from cmmvar.io.pedigree import Family, Phenotype, Sex
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.pair_likelihood import Phase, call_phase, pair_flb, proband_phase
from cmmvar.segregate.segregation import (
    Counts,
    Model,
    Segregation,
    Settings,
    locus_mismatch,
    people,
    strength,
)

RECESSIVE = ("AR", "XLR")


@dataclass(frozen=True)
class PairSegregation:
    """Two variants of one gene in one family, taken together. `counts`: the members who
    carry both (a carrier), lack one (a non-carrier) or have a missing call at either site
    (missing, unless they lack the other); `phase` is the proband's."""

    first: str  # chrom:pos:ref:alt, the first of the pair in VCF order
    second: str
    counts: Counts
    proband: str | None
    proband_source: str  # "families sheet" or "first affected member carrying both ..."
    flb: float | None
    log10_flb: float | None
    flb_reason: str | None
    pp1: str
    bs4: str
    phase: Phase
    acmg_codes: tuple[str, ...]
    model: dict

    def to_dict(self) -> dict:
        return asdict(self)


def pair_possible(model: Model, sex: Sex) -> bool:
    """A person can be compound heterozygous for the gene: an AR gene, or an XLR gene in a
    female (a male has one X, and a variant there already explains the condition alone)."""
    return model.inheritance == "AR" or (model.inheritance == "XLR" and sex is Sex.FEMALE)


def carries_both(calls1: Mapping[str, Genotype], calls2: Mapping[str, Genotype],
                 pid: str) -> bool:
    return calls1[pid].carrier and calls2[pid].carrier


def choose_pair_proband(family: Family, calls1: Mapping[str, Genotype],
                        calls2: Mapping[str, Genotype], model: Model,
                        named: str | None) -> tuple[str | None, str]:
    """The named proband, or the first affected member in PED order who carries both
    variants and could be compound heterozygous (pair_possible)."""
    if named:
        return named, "families sheet"
    for ind in family.individuals:
        if (ind.phenotype is Phenotype.AFFECTED and pair_possible(model, ind.sex)
                and carries_both(calls1, calls2, ind.id)):
            return ind.id, "first affected member carrying both variants, in PED order"
    return None, "no affected member carrying both variants"


def pair_counts(family: Family, calls1: Mapping[str, Genotype],
                calls2: Mapping[str, Genotype]) -> Counts:
    """Every member tallied by phenotype and by whether they carry both variants: a
    non-carrier lacks one of them (a call of 0 copies), missing when neither call says so
    and one is missing; homozygous when homozygous at either site."""
    tally = dict.fromkeys(Counts.__dataclass_fields__, 0)
    for ind in family.individuals:
        g1, g2 = calls1[ind.id], calls2[ind.id]
        group = ind.phenotype.value
        if g1.copies == 0 or g2.copies == 0:
            tally[f"{group}_noncarriers"] += 1
        elif g1.missing or g2.missing:
            tally[f"{group}_missing"] += 1
        else:
            tally[f"{group}_carriers"] += 1
            if g1.homozygous or g2.homozygous:
                tally[f"{group}_homozygous"] += 1
    return Counts(**tally)


def call_phases(calls1: Mapping[str, Genotype],
                calls2: Mapping[str, Genotype]) -> dict[str, str]:
    """Each member's phase from phased calls at both sites (pair_likelihood.call_phase);
    only calls that passed QC, and never on a male's one X, where there is no phase."""
    phases = {}
    for pid, g1 in calls1.items():
        g2 = calls2[pid]
        if g1.missing or g2.missing or g1.hemizygous or g2.hemizygous:
            continue
        phase = call_phase(g1.gt, g1.ps, g2.gt, g2.ps)
        if phase is not None:
            phases[pid] = phase
    return phases


def pair_penetrance(family: Family, model: Model) -> dict[str, tuple[float, float]]:
    """Each member's (P(affected | not biallelic), P(affected | biallelic)), as pair_flb
    takes them: the recessive vector's 0-copy and 2-copy values, or a male's (0, 1) on X."""
    penetrance = {}
    for ind in family.individuals:
        vector = model.vector(ind.sex, ind.liability_class)
        penetrance[ind.id] = (vector[0], vector[-1])
    return penetrance


def segregate_pair(family: Family, first: str, calls1: Mapping[str, Genotype], second: str,
                   calls2: Mapping[str, Genotype], model: Model, settings: Settings,
                   named_proband: str | None = None) -> PairSegregation:
    """The pair's counts, Bayes factor (pair_likelihood.pair_flb, both sites at
    settings.allele_frequency), PP1/BS4 strengths on the single-variant ladder and the
    proband's phase. `first`, `second`: the variants' chrom:pos:ref:alt keys."""
    counts = pair_counts(family, calls1, calls2)
    proband, source = choose_pair_proband(family, calls1, calls2, model, named_proband)
    mismatch = locus_mismatch(family, calls1, model) or locus_mismatch(family, calls2, model)
    sex = {ind.id: ind.sex for ind in family.individuals}
    q = settings.allele_frequency
    phase = Phase(None, "no proband", None)
    value = log10 = None
    if model.inheritance not in RECESSIVE:
        reason = f"the {model.inheritance} model is not recessive: no pair to weigh"
    elif proband is None:
        reason = "no affected member carries both variants to take as proband"
    elif mismatch:
        reason = mismatch
    elif not pair_possible(model, sex[proband]):
        reason = f"the proband {proband} is male and has one X: no compound heterozygote"
    else:
        persons = people(family)
        genotypes1 = {pid: g.copies for pid, g in calls1.items()}
        genotypes2 = {pid: g.copies for pid, g in calls2.items()}
        phases = call_phases(calls1, calls2)
        result = pair_flb(persons, proband, q, q, model.x_linked, pair_penetrance(family, model),
                          {ind.id: ind.phenotype.value for ind in family.individuals},
                          genotypes1, genotypes2, phases)
        value, log10, reason = result.value, result.log10, result.reason
        phase = proband_phase(persons, proband, q, q, model.x_linked, genotypes1, genotypes2,
                              phases)
    pp1 = strength(value, settings.ladder["pp1"], benign=False)
    bs4 = strength(value, settings.ladder["bs4"], benign=True)
    codes = tuple(f"{name}_{level.capitalize()}" for name, level in (("PP1", pp1),
                                                                      ("BS4", bs4))
                  if level != "none")
    return PairSegregation(first, second, counts, proband, source, value, log10, reason, pp1,
                           bs4, phase, codes,
                           {**model.to_dict(), "allele_frequency": q})


@dataclass(frozen=True)
class Carried:
    """A carried variant of a recessive gene, as find_pairs needs it."""

    key: str  # chrom:pos:ref:alt
    gene: str
    calls: Mapping[str, Genotype]
    model: Model


def find_pairs(family: Family, carried: Sequence[Carried], settings: Settings,
               named_proband: str | None = None) -> list[tuple[str, PairSegregation]]:
    """(gene, pair) for every two variants of one gene, in the order given, that an affected
    member who could be compound heterozygous (pair_possible) carries both of."""
    by_gene: dict[str, list[Carried]] = {}
    for item in carried:
        if item.model.inheritance in RECESSIVE:
            by_gene.setdefault(item.gene, []).append(item)
    found = []
    for gene, items in by_gene.items():
        for a, b in combinations(items, 2):
            if any(ind.phenotype is Phenotype.AFFECTED and pair_possible(a.model, ind.sex)
                   and carries_both(a.calls, b.calls, ind.id) for ind in family.individuals):
                found.append((gene, segregate_pair(family, a.key, a.calls, b.key, b.calls,
                                                   a.model, settings, named_proband)))
    return found


def as_pair_member(segregation: Segregation, partners: Sequence[str]) -> Segregation:
    """A variant's segregation once it is weighed in pairs: no BS4 from the single-variant
    recessive model (under which each of two compound-heterozygous variants looks a poor
    fit alone), and a note saying that the pairs' evidence replaces it."""
    note = (f"weighed with {', '.join(partners)} as a possible compound heterozygote: the "
            f"pair's Bayes factor replaces this variant's BS4 from the single-variant "
            f"recessive model")
    return replace(segregation, bs4="none",
                   acmg_codes=tuple(c for c in segregation.acmg_codes
                                    if not c.startswith("BS4")),
                   flb_reason="; ".join(filter(None, (segregation.flb_reason, note))))


def phase_words(phase: Mapping) -> str:
    """A Phase (as a dict) in words: "in trans by the family's genotypes", "phase unknown
    (P(in trans) = 0.999)"."""
    if phase["by"]:
        return f"{phase['words']} by {phase['by']}"
    if phase["trans"] is not None:
        return f"{phase['words']} (P(in trans) = {phase['trans']:.3g})"
    return phase["words"]


def pair_de_novo(first: str, second: str) -> str:
    """A pair's de novo status from its variants' (yes, no, unknown): yes when either is
    de novo, unknown when either is unknown, no otherwise."""
    return next(s for s in ("yes", "unknown", "no") if s in (first, second))


def pair_fields(pair: PairSegregation, de_novo: str) -> dict:
    """The TSV cells of a pair's row beyond the first variant's key, shared by the
    workflow's candidates.tsv and `cmmvar segregate`: the pair's counts (members carrying
    both) and statistics, the partner in compound_het_with, the phase in flb_note."""
    return {**asdict(pair.counts), "compound_het_with": pair.second,
            "flb": "" if pair.flb is None else f"{pair.flb:.6g}",
            "log10_flb": "" if pair.log10_flb is None else f"{pair.log10_flb:.4f}",
            "pp1": pair.pp1, "bs4": pair.bs4, "de_novo": de_novo,
            "acmg_codes": ";".join(pair.acmg_codes), "proband": pair.proband or "",
            "informative_meioses": "", "meioses_strength": "none",
            "flb_note": "; ".join(filter(None, (phase_words(asdict(pair.phase)),
                                                pair.flb_reason))),
            "explains_family": "yes"}
