"""Segregation of one variant in one family: counts, the Bayes factor with its model,
evidence strength, informative meioses and de novo status.

Counts: phenotype (affected, unaffected, unknown) x genotype (carrier, non-carrier, missing),
homozygous carriers counted apart; missing (not sequenced or failed QC) is never a
non-carrier. The probabilities themselves come from likelihood.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np

from cmmvar.config import check_ladders
from cmmvar.defaults import schema_default
from cmmvar.errors import PedigreeError
from cmmvar.io.pedigree import Family, Phenotype, Sex
from cmmvar.segregate.de_novo import de_novo_status
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.likelihood import Person, flb, log_likelihoods

STRENGTHS = ("none", "supporting", "moderate", "strong")
# Tavtigian et al. 2018 (Genet Med 20:1054), odds of pathogenicity 350 for very strong.
DEFAULT_LADDER = {
    "pp1": {"supporting": 2.08, "moderate": 4.33, "strong": 18.7},
    "bs4": {"supporting": 0.48, "moderate": 0.23, "strong": 0.053},
}
# Jarvik & Browning 2016 (AJHG 98:1077): informative meioses in one family; several
# families need one fewer for each level.
DEFAULT_MEIOSES = {"supporting": 3, "moderate": 4, "strong": 5}
# Rare-variant limit for counting meioses: P(relatives share it | neutral) -> 2^-m.
_MEIOSES_Q = 1e-9


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


@dataclass(frozen=True)
class Model:
    """A gene's disease model: inheritance, carrier penetrance and phenocopy rate, with
    optional sex-specific penetrances and liability classes that override them."""

    inheritance: str  # AD, AR, XLD, XLR
    penetrance: float
    phenocopy_rate: float
    penetrance_male: float | None = None
    penetrance_female: float | None = None
    liability_classes: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def x_linked(self) -> bool:
        return self.inheritance in ("XLD", "XLR")

    def vector(self, sex: Sex, liability_class: str | None) -> tuple[float, ...]:
        """P(affected | 0, 1, 2 ALT alleles), or (0, 1) for a male's X."""
        pen, f0 = self.penetrance, self.phenocopy_rate
        if sex is Sex.MALE and self.penetrance_male is not None:
            pen = self.penetrance_male
        elif sex is Sex.FEMALE and self.penetrance_female is not None:
            pen = self.penetrance_female
        if liability_class is not None:
            values = self.liability_classes[liability_class]
            pen = values.get("penetrance", pen)
            f0 = values.get("phenocopy_rate", f0)
        if self.x_linked and sex is Sex.MALE:
            return (f0, pen)
        if self.inheritance in ("AD", "XLD"):
            return (f0, pen, pen)
        return (f0, f0, pen)  # AR, XLR females

    def to_dict(self) -> dict:
        return {"inheritance": self.inheritance, "penetrance": self.penetrance,
                "phenocopy_rate": self.phenocopy_rate, "penetrance_male": self.penetrance_male,
                "penetrance_female": self.penetrance_female,
                "liability_classes": {k: dict(v) for k, v in self.liability_classes.items()}}


@dataclass(frozen=True)
class Settings:
    # defaults from the config schema, the one place they are written
    allele_frequency: float = field(
        default_factory=lambda: schema_default("segregation", "allele_frequency"))
    ladder: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: DEFAULT_LADDER)
    meioses: Mapping[str, int] = field(default_factory=lambda: DEFAULT_MEIOSES)
    # allele balance "near 0" in a de novo's parents
    max_parent_alt_fraction: float = field(
        default_factory=lambda: schema_default("segregation", "max_parent_alt_fraction"))
    parentage_confirmed: bool = False
    # years; a younger member's coded phenotype counts as unknown (pedigree.below_phenotype_age)
    min_phenotype_age: float | None = field(
        default_factory=lambda: schema_default("segregation", "min_phenotype_age"))


@dataclass(frozen=True)
class Segregation:
    counts: Counts
    proband: str | None
    proband_source: str  # "families sheet" or "first affected carrier in PED order"
    flb: float | None
    log10_flb: float | None
    flb_reason: str | None
    pp1: str
    bs4: str
    meioses: int | None
    meioses_label: str
    de_novo: str  # yes, no, unknown
    de_novo_children: tuple[str, ...]
    mendelian_errors: tuple[str, ...]
    acmg_codes: tuple[str, ...]
    model: dict
    # yes: a genotyped affected member carries it; no: affected members were genotyped and
    # none carries it (it does not explain the family's condition: no FLB, PP1 or BS4);
    # untested: no affected member was genotyped
    explains_family: str = "yes"

    def to_dict(self) -> dict:
        return asdict(self)  # recursive: counts becomes Counts.to_dict()'s dict


def settings_from_config(section: Mapping, parentage_confirmed: bool = False) -> Settings:
    """Settings from the config's `segregation` section (defaults filled by the schema);
    checks that the strength ladders run in order (config.check_ladders, which the
    workflow also runs on the whole config before any job)."""
    check_ladders(section)
    pp1 = dict(section.get("pp1", DEFAULT_LADDER["pp1"]))
    bs4 = dict(section.get("bs4", DEFAULT_LADDER["bs4"]))
    meioses = dict(section.get("meioses", DEFAULT_MEIOSES))
    defaults = Settings()
    return Settings(allele_frequency=section.get("allele_frequency", defaults.allele_frequency),
                    ladder={"pp1": pp1, "bs4": bs4}, meioses=meioses,
                    max_parent_alt_fraction=section.get("max_parent_alt_fraction",
                                                        defaults.max_parent_alt_fraction),
                    parentage_confirmed=parentage_confirmed,
                    min_phenotype_age=section.get("min_phenotype_age",
                                                  defaults.min_phenotype_age))


def table_fields(seg: Mapping) -> dict:
    """The TSV cells of a segregation result (Segregation.to_dict()), shared by the
    workflow's candidates.tsv and `cmmvar segregate`."""
    return {
        "flb": "" if seg["flb"] is None else f"{seg['flb']:.6g}",
        "log10_flb": "" if seg["log10_flb"] is None else f"{seg['log10_flb']:.4f}",
        "pp1": seg["pp1"], "bs4": seg["bs4"], "de_novo": seg["de_novo"],
        "acmg_codes": ";".join(seg["acmg_codes"]), "proband": seg["proband"] or "",
        "informative_meioses": "" if seg["meioses"] is None else seg["meioses"],
        "meioses_strength": seg["meioses_label"], "flb_note": seg["flb_reason"] or "",
        "explains_family": seg.get("explains_family", "yes"),
    }


def count(family: Family, calls: Mapping[str, Genotype]) -> Counts:
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


NOT_EXPLAINING = ("no genotyped affected member carries the variant: it does not explain this "
                  "family's condition, and the family's data are not weighed for or against it")


def explains_family(counts: Counts) -> str:
    """no when affected members were genotyped and none carries the variant; untested when
    no affected member was genotyped; yes otherwise."""
    if counts.affected_carriers + counts.affected_noncarriers == 0:
        return "untested"
    return "yes" if counts.affected_carriers else "no"


def carried(calls: Mapping[str, Genotype]) -> bool:
    """A variant is a candidate for a family when at least one member carries it."""
    return any(g.carrier for g in calls.values())


def check_liability_classes(family: Family, model: Model) -> None:
    for ind in family.individuals:
        if ind.liability_class is not None and ind.liability_class not in model.liability_classes:
            raise PedigreeError(
                f"{ind.id} has liability class {ind.liability_class!r}, which is not defined",
                path=family.path, line=ind.line,
                hint="define it under segregation.liability_classes in the config, or "
                     "empty the PED's liability class column (see ped_columns)")


def people(family: Family) -> tuple[Person, ...]:
    return tuple(Person(i.id, i.father, i.mother, i.sex is Sex.MALE)
                 for i in family.individuals)


def strength(value: float | None, ladder: Mapping[str, float], benign: bool) -> str:
    """The strongest level whose threshold the Bayes factor reaches (>= for PP1, <= for BS4)."""
    if value is None:
        return "none"
    for level in ("strong", "moderate", "supporting"):
        threshold = ladder[level]
        if (value <= threshold) if benign else (value >= threshold):
            return level
    return "none"


def meioses_label(meioses: int | None, thresholds: Mapping[str, int], families: int = 1) -> str:
    """Jarvik & Browning 2016: 3/4/5 informative meioses in one family; one fewer for each
    level when they come from several families."""
    if meioses is None:
        return "none"
    fewer = 1 if families > 1 else 0
    for level in ("strong", "moderate", "supporting"):
        if meioses >= thresholds[level] - fewer:
            return level
    return "none"


def choose_proband(family: Family, calls: Mapping[str, Genotype],
                   named: str | None) -> tuple[str | None, str]:
    if named:
        return named, "families sheet"
    for ind in family.individuals:
        if ind.phenotype is Phenotype.AFFECTED and calls[ind.id].carrier:
            return ind.id, "first affected carrier in PED order"
    return None, "no affected carrier"


def causal_genotypes(model: Model, male: bool) -> tuple[int, ...]:
    """ALT-allele counts that make a person affected under the model (beyond phenocopies):
    any carrier for dominant genes, homozygotes (and hemizygous males) for recessive ones."""
    if model.x_linked and male:
        return (1,)
    return (1, 2) if model.inheritance in ("AD", "XLD") else (2,)


def informative_meioses(family: Family, calls: Mapping[str, Genotype], proband: str,
                        model: Model) -> int | None:
    """Meioses informative for cosegregation (Jarvik & Browning 2016), counted as
    -log2 P(the other affected relatives have the causal genotype | the proband has it)
    under neutral Mendelian transmission of a rare variant: for a dominant gene 1 for a
    parent, child or sibling, 2 for a grandparent, 3 for a first cousin; for a recessive
    gene 2 for an affected homozygous sibling. None when a typed affected relative, or the
    proband, lacks the causal genotype."""
    persons = {p.id: p for p in people(family)}
    affected = [i.id for i in family.individuals if i.phenotype is Phenotype.AFFECTED]
    typed = [pid for pid in affected if not calls[pid].missing]
    causal = {pid: causal_genotypes(model, persons[pid].male) for pid in typed}
    if proband not in causal or any(calls[pid].copies not in causal[pid] for pid in typed):
        return None

    return _meioses(tuple(persons.values()), proband,
                    tuple((pid, causal[pid]) for pid in typed), model.x_linked)


@lru_cache(maxsize=1024)  # a family's variants share a few typed-affected patterns
def _meioses(persons: tuple[Person, ...], proband: str, causal: tuple, x_linked: bool) -> int:
    """`informative_meioses` from the causal genotypes of the typed affected members:
    both likelihoods in one batched elimination."""
    causal = dict(causal)
    states = {p.id: 2 if x_linked and p.male else 3 for p in persons}

    def row(pid: str, ids) -> list[float]:
        return [1.0 if pid not in ids or g in causal[pid] else 0.0 for g in range(states[pid])]

    weights = {pid: np.array([row(pid, causal), row(pid, {proband})]) for pid in causal}
    together, alone = log_likelihoods(persons, np.full(2, _MEIOSES_Q), weights, x_linked)
    return round(-(together - alone) / math.log(2))


def locus_mismatch(family: Family, calls: Mapping[str, Genotype], model: Model) -> str | None:
    """Why the model cannot weigh this locus, or None. The calls tell where the locus is
    (genotypes.py marks every male hemizygous on X outside the PARs): an X-linked model
    needs such a locus, an autosomal one a locus where males have two copies. Without males
    there is no parent-child link, and both transmissions give the same likelihood."""
    males = [calls[i.id].hemizygous for i in family.individuals if i.sex is Sex.MALE]
    if not males or any(males) == model.x_linked:
        return None
    if model.x_linked:
        return (f"the {model.inheritance} model is X-linked, but this record is not on X "
                f"outside the pseudo-autosomal regions (males have two copies here)")
    return (f"the {model.inheritance} model is autosomal, but this record is on X outside the "
            f"pseudo-autosomal regions (males have one copy here); use XLD or XLR")


def segregate(family: Family, calls: Mapping[str, Genotype], model: Model,
              settings: Settings, named_proband: str | None = None) -> Segregation:
    """Counts, FLB, strengths, meioses and de novo status of one variant in one family."""
    counts = count(family, calls)
    proband, source = choose_proband(family, calls, named_proband)
    status, children, errors = de_novo_status(family, calls, settings.max_parent_alt_fraction)
    mismatch = locus_mismatch(family, calls, model)
    explains = explains_family(counts)
    if explains == "no":
        # the family says nothing about the variant's pathogenicity elsewhere
        value, log10, reason, meioses = None, None, NOT_EXPLAINING, None
    elif proband is None:
        value, log10, reason, meioses = None, None, "no affected carrier to take as proband", None
    elif mismatch:
        value, log10, reason, meioses = None, None, mismatch, None
    else:
        persons = people(family)
        result = flb(
            persons, proband, settings.allele_frequency, model.x_linked,
            penetrance={i.id: model.vector(i.sex, i.liability_class)
                        for i in family.individuals},
            phenotypes={i.id: i.phenotype.value for i in family.individuals},
            genotypes={pid: g.copies for pid, g in calls.items()})
        value, log10, reason = result.value, result.log10, result.reason
        meioses = informative_meioses(family, calls, proband, model)
    pp1 = strength(value, settings.ladder["pp1"], benign=False)
    bs4 = strength(value, settings.ladder["bs4"], benign=True)
    codes = []
    if pp1 != "none":
        codes.append(f"PP1_{pp1.capitalize()}")
    if bs4 != "none":
        codes.append(f"BS4_{bs4.capitalize()}")
    if status == "yes":
        codes.append("PS2" if settings.parentage_confirmed else "PM6")
    return Segregation(
        counts=counts, proband=proband, proband_source=source, flb=value, log10_flb=log10,
        flb_reason=reason, pp1=pp1, bs4=bs4, meioses=meioses,
        meioses_label=meioses_label(meioses, settings.meioses), de_novo=status,
        de_novo_children=children, mendelian_errors=errors, acmg_codes=tuple(codes),
        model={**model.to_dict(), "allele_frequency": settings.allele_frequency},
        explains_family=explains)
