"""One family's analysis: pedigree and samples checked, calls read, segregation counted.

Produces the family result (records.FamilyResult) that the report stage ranks and renders.
I/O at the edges: the pedigree, the normalised VCF and the annotation table go in, the
result comes out; the computations are in pedigree.py, genotypes.py and segregation.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from cmmvar import __version__
from cmmvar.annotate.annotation_table import read_annotations
from cmmvar.errors import InputError, PedigreeError, about_family
from cmmvar.io.genome import bare
from cmmvar.io.panel import Gene
from cmmvar.io.ped_file import PedColumns, read_family, read_ped
from cmmvar.io.pedigree import Family, SampleMatch, below_phenotype_age, match_samples
from cmmvar.io.vcf import open_vcf
from cmmvar.records import (
    COUNT_COLUMNS,
    FamilyResult,
    PairResult,
    PedigreeMember,
    VariantResult,
)
from cmmvar.segregate.de_novo import de_novo_status
from cmmvar.segregate.genotypes import (
    STATUSES,
    Thresholds,
    batch_genotypes,
    family_genotypes,
    genotype_qc_notes,
)
from cmmvar.segregate.pair_sensitivity import pair_sensitivity
from cmmvar.segregate.pairs import (
    RECESSIVE,
    Carried,
    as_pair_member,
    find_pairs,
    pair_de_novo,
    pair_fields,
)
from cmmvar.segregate.segregation import (
    Model,
    Settings,
    carried,
    check_liability_classes,
    count,
    segregate,
    table_fields,
)
from cmmvar.segregate.sensitivity import grid_from_config, sensitivity


def gene_model(gene: Gene, liability_classes: dict) -> Model:
    return Model(gene.inheritance, gene.penetrance, gene.phenocopy_rate, gene.penetrance_male,
                 gene.penetrance_female, liability_classes)


@dataclass(frozen=True)
class FamilyRequest:
    """One family of a batch: its sheet row's PED, proband and settings."""

    family_id: str
    ped: str | Path
    settings: Settings
    proband: str | None = None


def analyse(family_id: str, ped_path: str | Path, input_vcf: str | Path,
            normalised_vcf: str | Path, annotations_tsv: str | Path, genes: list[Gene],
            build: str, thresholds: Thresholds, settings: Settings,
            liability_classes: dict | None = None, proband: str | None = None,
            ped_columns: PedColumns | None = None, sensitivity_grid: dict | None = None) -> dict:
    """The family result: pedigree, sample match, QC and every variant a member carries,
    with its segregation (counts, FLB, strengths, meioses, de novo) and, where it has a Bayes
    factor, how that rests on the assumptions (sensitivity.py; grid from the config)."""
    [result] = analyse_batch([FamilyRequest(family_id, ped_path, settings, proband)],
                             input_vcf, normalised_vcf, annotations_tsv, genes, build,
                             thresholds, liability_classes, ped_columns, sensitivity_grid)
    return result


def analyse_batch(requests: list[FamilyRequest], input_vcf: str | Path,
                  normalised_vcf: str | Path, annotations_tsv: str | Path, genes: list[Gene],
                  build: str, thresholds: Thresholds, liability_classes: dict | None = None,
                  ped_columns: PedColumns | None = None,
                  sensitivity_grid: dict | None = None) -> list[FamilyResult]:
    """`analyse` for several families of one VCF, reading the VCF once: the results in the
    order of `requests`. A user error is tagged with the family it concerns."""
    liability_classes = liability_classes or {}
    families = []
    for request in requests:
        with about_family(request.family_id):
            families.append(_read_family(request, ped_columns))
    with open_vcf(normalised_vcf) as vcf:
        vcf_samples = list(vcf.header.samples)
    matches = []
    for family in families:
        with about_family(family.id):
            matches.append(match_samples(family, vcf_samples, str(input_vcf)))
    context = _Context(input_vcf, read_annotations(annotations_tsv),
                       {g.symbol: g for g in genes}, build, thresholds, liability_classes,
                       grid_from_config(sensitivity_grid))
    analyses = [_FamilyAnalysis(*args, context)
                for args in zip(requests, families, matches, strict=True)]
    for variant, calls in batch_genotypes(normalised_vcf, [a.family for a in analyses],
                                          build, thresholds, input_vcf):
        for analysis, family_calls in zip(analyses, calls, strict=True):
            try:  # not about_family: this runs per family and record, and try costs nothing
                analysis.add(variant, family_calls)
            except InputError as exc:
                exc.family = exc.family or analysis.family.id
                raise
    return [analysis.result() for analysis in analyses]


@dataclass(frozen=True)
class _Context:
    """What every family of a batch shares."""

    input_vcf: str | Path
    annotations: dict
    by_symbol: dict[str, Gene]
    build: str
    thresholds: Thresholds
    liability_classes: dict
    grid: dict


def _read_family(request: FamilyRequest, ped_columns: PedColumns | None) -> Family:
    family = below_phenotype_age(read_family(request.ped, request.family_id, ped_columns),
                                 request.settings.min_phenotype_age)
    if request.proband and request.proband not in family:
        raise PedigreeError(f"the proband {request.proband!r} named in the families sheet is "
                            f"not a member of family {request.family_id!r}", path=request.ped,
                            hint="fix the proband column of the families sheet")
    return family


class _FamilyAnalysis:
    """One family's part of a streaming pass: QC counts and the variants its members carry,
    nothing else kept per record."""

    def __init__(self, request: FamilyRequest, family: Family, match: SampleMatch,
                 context: _Context):
        self.request, self.family, self.match, self.context = request, family, match, context
        self.qc = {pid: Counter() for pid in match.sequenced}
        self.variants: list[VariantResult] = []
        self.recessive: list[Carried] = []  # weighed in pairs at the end

    def add(self, variant, calls: dict) -> None:
        for pid in self.match.sequenced:
            self.qc[pid][calls[pid].status] += 1
        if not carried(calls):
            return
        context, family, settings = self.context, self.family, self.request.settings
        annotation = context.annotations.get(
            (variant.chrom, variant.pos, variant.ref, variant.alt))
        gene = context.by_symbol.get(annotation.gene) if annotation else None
        if gene is None:
            return  # extraction keeps panel regions only; nothing to model without a gene
        model = gene_model(gene, context.liability_classes)
        check_liability_classes(family, model)
        result = segregate(family, calls, model, settings, self.request.proband)
        spread = None if result.flb is None else sensitivity(
            family, calls, model, settings, result.proband, context.grid)
        self.variants.append(VariantResult(
            variant.chrom, variant.pos, variant.ref, variant.alt, variant.origin, annotation,
            gene, result, spread,
            {pid: _call_record(g) for pid, g in calls.items()}))
        if model.inheritance in RECESSIVE:
            self.recessive.append(Carried(variant.key, gene.symbol, calls, model))

    def result(self) -> FamilyResult:
        family, match, settings = self.family, self.match, self.request.settings
        carried_by_key = {c.key: c for c in self.recessive}
        pairs = []
        for gene, pair in find_pairs(family, self.recessive, settings, self.request.proband):
            # the first variant's model weighed the pair (find_pairs)
            first, second = carried_by_key[pair.first], carried_by_key[pair.second]
            pairs.append(PairResult(gene, pair, None if pair.flb is None else pair_sensitivity(
                family, first.calls, second.calls, first.model, settings, pair.proband,
                self.context.grid)))
        variants = _pair_members(self.variants, pairs)
        thresholds = self.context.thresholds
        genotype_qc = {pid: {s: self.qc[pid].get(s, 0) for s in STATUSES
                             if s != "not_sequenced"} for pid in match.sequenced}
        sequenced = set(match.sequenced)
        return FamilyResult(
            family_id=family.id, cmmvar_version=__version__,
            inputs={"ped": str(self.request.ped), "vcf": str(self.context.input_vcf)},
            genome_build=self.context.build,
            thresholds={"min_gq": thresholds.min_gq, "min_dp": thresholds.min_dp},
            segregation_settings={
                "allele_frequency": settings.allele_frequency,
                "ladder": settings.ladder, "meioses": settings.meioses,
                "max_parent_alt_fraction": settings.max_parent_alt_fraction,
                "parentage_confirmed": settings.parentage_confirmed,
                "min_phenotype_age": settings.min_phenotype_age,
                "proband": self.request.proband,
                "liability_classes": self.context.liability_classes},
            pedigree=tuple(PedigreeMember.from_individual(ind, ind.id in sequenced)
                           for ind in family.individuals),
            pedigree_warnings=tuple(family.warnings),
            samples={"sequenced": list(match.sequenced),
                     "not_sequenced": list(match.not_sequenced),
                     # other people of a joint VCF are counted, never named
                     "vcf_only_count": len(match.vcf_only)},
            genotype_qc=genotype_qc, genotype_qc_notes=genotype_qc_notes(genotype_qc),
            variants=tuple(variants), pairs=tuple(pairs))


def _pair_members(variants: list[VariantResult], pairs: list[PairResult]) -> list[VariantResult]:
    """The variants, those weighed in a pair without their single-variant BS4
    (pairs.as_pair_member); pairs stay apart from the variants' own results."""
    partners: dict[str, list[str]] = {}
    for pair in pairs:
        first, second = pair.segregation.first, pair.segregation.second
        partners.setdefault(first, []).append(second)
        partners.setdefault(second, []).append(first)
    out = []
    for v in variants:
        key = f"{v.chrom}:{v.pos}:{v.ref}:{v.alt}"
        out.append(replace(v, segregation=as_pair_member(v.segregation, partners[key]))
                   if key in partners else v)
    return out


# The columns of `cmmvar segregate`: the key, every Counts field, the statistics' cells
# (segregation.table_fields) without explains_family (every record is listed, carried or not),
# then the gene whose model weighed the record and, on a pair's row, the partner
SEGREGATE_COLUMNS = ("chrom", "pos", "ref", "alt", *COUNT_COLUMNS,
                     "flb", "log10_flb", "pp1", "bs4", "de_novo", "acmg_codes", "proband",
                     "informative_meioses", "meioses_strength", "flb_note", "gene",
                     "compound_het_with")
MODEL_FLAGS = ("inheritance", "penetrance", "phenocopy_rate")


@dataclass(frozen=True)
class ModelChoice:
    """The model `cmmvar segregate` weighs each record with: the panel gene whose region
    holds it, with the command line's values overriding the panel's; elsewhere the command
    line's whole model (`fallback`) when it gives one."""

    genes: tuple[Gene, ...] = ()
    overrides: tuple[tuple[str, object], ...] = ()  # (MODEL_FLAGS name, value), given ones
    fallback: Model | None = None

    def for_variant(self, chrom: str, pos: int) -> tuple[str, Model] | None:
        """(gene symbol, or "" for the fallback, and model), or None when nothing gives one."""
        given = dict(self.overrides)
        for gene in self.genes:
            if bare(chrom) == bare(gene.chrom) and gene.start <= pos <= gene.end:
                model = gene_model(gene, {})
                if "penetrance" in given:  # the given penetrance replaces the sex-specific
                    model = replace(model, penetrance_male=None, penetrance_female=None)
                return gene.symbol, replace(model, **given)
        return None if self.fallback is None else ("", self.fallback)


OUTSIDE_PANEL = ("outside the panel's genes: no model to weigh it with (give --inheritance, "
                 "--penetrance and --phenocopy to weigh such records)")


def pick_family(ped_path: str | Path, family_id: str | None,
                columns: PedColumns | None = None) -> Family:
    """The family of a PED file: the one named, or the only one."""
    if family_id:
        return read_family(ped_path, family_id, columns)
    families = read_ped(ped_path, columns)
    if len(families) > 1:
        raise PedigreeError(f"the PED file holds {len(families)} families "
                            f"({', '.join(sorted(families))})", path=ped_path,
                            hint="name one with --family")
    return next(iter(families.values()))


def segregate_table(normalised_vcf: str | Path, input_vcf: str | Path, family: Family,
                    models: ModelChoice | Model, settings: Settings, thresholds: Thresholds,
                    build: str, proband: str | None) -> pd.DataFrame:
    """One row per record of a normalised VCF (multiallelic records split, normalise.py):
    counts and segregation statistics in one family, by the `segregate` that the workflow
    runs per variant, with each record's model (ModelChoice, or one Model for all); then
    one row per pair of carried variants of a recessive gene that an affected member carries
    both of (pairs.find_pairs, as the workflow), whose members lose their single-variant BS4.
    `cmmvar segregate` runs this after the normalise stage (stages.segregate_vcf)."""
    if proband and proband not in family:
        raise PedigreeError(f"proband {proband!r} is not in family {family.id!r}",
                            path=family.path)
    if isinstance(models, Model):
        models = ModelChoice(fallback=models)
    with open_vcf(normalised_vcf) as vcf:
        match_samples(family, list(vcf.header.samples), str(input_vcf))
    rows, recessive, de_novo = {}, [], {}
    for variant, calls in family_genotypes(normalised_vcf, family, build, thresholds,
                                           input_vcf):
        chosen = models.for_variant(variant.chrom, variant.pos)
        key = {"chrom": variant.chrom, "pos": variant.pos, "ref": variant.ref,
               "alt": variant.alt}
        if chosen is None:
            status = de_novo_status(family, calls, settings.max_parent_alt_fraction)[0]
            rows[variant.key] = {**key, **count(family, calls).to_dict(), "pp1": "none",
                                 "bs4": "none", "de_novo": status, "flb_note": OUTSIDE_PANEL,
                                 "meioses_strength": "none"}
            continue
        gene, model = chosen
        check_liability_classes(family, model)
        result = segregate(family, calls, model, settings, proband)
        rows[variant.key] = (key, result, gene)
        de_novo[variant.key] = result.de_novo
        if carried(calls) and model.inheritance in RECESSIVE:
            recessive.append(Carried(variant.key, gene, calls, model))
    pairs = find_pairs(family, recessive, settings, proband)
    partners: dict[str, list[str]] = {}
    for _, pair in pairs:
        partners.setdefault(pair.first, []).append(pair.second)
        partners.setdefault(pair.second, []).append(pair.first)
    table = []
    for vkey, entry in rows.items():
        if isinstance(entry, dict):
            table.append(entry)
            continue
        key, result, gene = entry
        if vkey in partners:
            result = as_pair_member(result, partners[vkey])
        data = result.to_dict()
        table.append({**key, **data["counts"], **table_fields(data), "gene": gene})
    for gene, pair in pairs:
        chrom, pos, ref, alt = pair.first.split(":")
        table.append({"chrom": chrom, "pos": int(pos), "ref": ref, "alt": alt, "gene": gene,
                      **pair_fields(pair, pair_de_novo(de_novo[pair.first],
                                                       de_novo[pair.second]))})
    return pd.DataFrame(table, columns=list(SEGREGATE_COLUMNS))


def _call_record(genotype) -> dict:
    return {"label": genotype.label, "status": genotype.status, "gt": genotype.gt,
            "gq": genotype.gq, "dp": genotype.dp,
            "ad": list(genotype.ad) if genotype.ad else None,
            "copies": genotype.copies, "hemizygous": genotype.hemizygous, "ps": genotype.ps}
