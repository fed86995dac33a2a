"""The records that the segregation stage passes to the report stage: a person of the
pedigree, one variant's result in a family, one pair's (a possible compound heterozygote)
and the family's result (the annotation row, the
record before them, is in annotation_table.py; the gene is the panel's Gene record).

Each record is written and read back here, and only here (JSON-able dicts, numbers as
numbers); computes nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from cmmvar.annotate.annotation_table import Annotation
from cmmvar.atomic import write_json
from cmmvar.io.panel import Gene
from cmmvar.io.pedigree import Individual, Phenotype, Sex
from cmmvar.segregate.pair_likelihood import Phase
from cmmvar.segregate.pairs import PairSegregation
from cmmvar.segregate.segregation import Counts, Segregation

# Every Counts field in order: the column lists of cmmvar segregate, candidates.tsv and
# cohort_summary.tsv take them from here. The output contract names the first seven.
COUNT_COLUMNS = tuple(f.name for f in fields(Counts))
CONTRACT_COUNT_COLUMNS = COUNT_COLUMNS[:7]
EXTRA_COUNT_COLUMNS = COUNT_COLUMNS[7:]


@dataclass(frozen=True)
class PedigreeMember:
    """A person of the family as the results list them: the PED's fields, the PED line
    (None for a parent cmmvar added), and whether the VCF has the person."""

    id: str
    father: str | None
    mother: str | None
    sex: str  # male, female, unknown
    phenotype: str  # affected, unaffected, unknown
    liability_class: str | None
    age: float | None
    deceased: bool | None
    ped_line: int | None
    sequenced: bool

    @property
    def added_by_cmmvar(self) -> bool:
        return self.ped_line is None

    @classmethod
    def from_individual(cls, ind: Individual, sequenced: bool) -> PedigreeMember:
        return cls(ind.id, ind.father, ind.mother, ind.sex.name.lower(), ind.phenotype.value,
                   ind.liability_class, ind.age, ind.deceased, ind.line, sequenced)

    def individual(self) -> Individual:
        return Individual(id=self.id, father=self.father, mother=self.mother,
                          sex=Sex[self.sex.upper()], phenotype=Phenotype(self.phenotype),
                          liability_class=self.liability_class, line=self.ped_line,
                          age=self.age, deceased=self.deceased)

    def to_dict(self) -> dict:
        """report.json's pedigree entry (`added_by_cmmvar` kept for its readers)."""
        return {"id": self.id, "father": self.father, "mother": self.mother, "sex": self.sex,
                "phenotype": self.phenotype, "liability_class": self.liability_class,
                "age": self.age, "deceased": self.deceased,
                "added_by_cmmvar": self.added_by_cmmvar, "ped_line": self.ped_line,
                "sequenced": self.sequenced}

    @classmethod
    def from_dict(cls, data: dict) -> PedigreeMember:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


def segregation_from_dict(data: dict) -> Segregation:
    """Segregation.to_dict() read back (tuples and the Counts restored)."""
    return Segregation(**{**data, "counts": Counts(**data["counts"]),
                          "de_novo_children": tuple(data["de_novo_children"]),
                          "mendelian_errors": tuple(data["mendelian_errors"]),
                          "acmg_codes": tuple(data["acmg_codes"])})


@dataclass(frozen=True)
class VariantResult:
    """One variant that a member of the family carries: its key and origin in the input
    VCF, its annotation, gene, segregation, the sensitivity of its Bayes factor (None when
    undefined) and every member's call (genotypes.Genotype fields, JSON-able)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    origin: str
    annotation: Annotation
    gene: Gene
    segregation: Segregation
    sensitivity: dict | None
    genotypes: dict[str, dict]

    def to_dict(self) -> dict:
        return {"variant": {"chrom": self.chrom, "pos": self.pos, "ref": self.ref,
                            "alt": self.alt, "origin": self.origin},
                "annotation": self.annotation.to_dict(), "gene": asdict(self.gene),
                "segregation": self.segregation.to_dict(), "sensitivity": self.sensitivity,
                "genotypes": self.genotypes}

    @classmethod
    def from_dict(cls, data: dict) -> VariantResult:
        return cls(**data["variant"], annotation=Annotation.from_dict(data["annotation"]),
                   gene=Gene(**data["gene"]),
                   segregation=segregation_from_dict(data["segregation"]),
                   sensitivity=data["sensitivity"], genotypes=data["genotypes"])


def pair_segregation_from_dict(data: dict) -> PairSegregation:
    """PairSegregation.to_dict() read back (the Counts, the Phase and tuples restored)."""
    return PairSegregation(**{**data, "counts": Counts(**data["counts"]),
                              "phase": Phase(**data["phase"]),
                              "acmg_codes": tuple(data["acmg_codes"])})


@dataclass(frozen=True)
class PairResult:
    """Two carried variants of one recessive gene that an affected member carries both of,
    weighed together (pairs.segregate_pair); the variants themselves are among the family
    result's variants, by their chrom:pos:ref:alt keys (segregation.first, .second); the
    sensitivity of its Bayes factor (pair_sensitivity.py), None when undefined."""

    gene: str  # the panel symbol
    segregation: PairSegregation
    sensitivity: dict | None = None

    def to_dict(self) -> dict:
        return {"gene": self.gene, "segregation": self.segregation.to_dict(),
                "sensitivity": self.sensitivity}

    @classmethod
    def from_dict(cls, data: dict) -> PairResult:
        return cls(data["gene"], pair_segregation_from_dict(data["segregation"]),
                   data["sensitivity"])


@dataclass(frozen=True)
class FamilyResult:
    """The segregation stage's result for one family, which the report stage ranks and
    renders: the pedigree, its sample and genotype checks, every carried variant and every
    pair of them weighed as a possible compound heterozygote."""

    family_id: str
    cmmvar_version: str
    inputs: dict  # ped, vcf
    genome_build: str
    thresholds: dict  # min_gq, min_dp
    segregation_settings: dict
    pedigree: tuple[PedigreeMember, ...]
    pedigree_warnings: tuple[str, ...]
    samples: dict  # sequenced, not_sequenced, vcf_only_count (counted, never named)
    genotype_qc: dict
    genotype_qc_notes: list
    variants: tuple[VariantResult, ...] = field(default=())
    pairs: tuple[PairResult, ...] = field(default=())

    @property
    def mendelian_errors(self) -> list[str]:
        return [f"{v.chrom}:{v.pos} {v.ref}>{v.alt}: {error}"
                for v in self.variants for error in v.segregation.mendelian_errors]

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(pedigree=[p.to_dict() for p in self.pedigree],
                    pedigree_warnings=list(self.pedigree_warnings),
                    mendelian_errors=self.mendelian_errors,
                    variants=[v.to_dict() for v in self.variants],
                    pairs=[p.to_dict() for p in self.pairs])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FamilyResult:
        values = {f.name: data[f.name] for f in fields(cls)}
        values.update(pedigree=tuple(PedigreeMember.from_dict(p) for p in data["pedigree"]),
                      pedigree_warnings=tuple(data["pedigree_warnings"]),
                      variants=tuple(VariantResult.from_dict(v) for v in data["variants"]),
                      pairs=tuple(PairResult.from_dict(p) for p in data["pairs"]))
        return cls(**values)

    def write(self, path: str | Path) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def read(cls, path: str | Path) -> FamilyResult:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
