"""One family's analysis: pedigree and samples checked, calls read, segregation counted.

Produces the family result (a JSON-able dict) that the report stage ranks and renders.
I/O at the edges: the pedigree, the normalised VCF and the annotation table go in, the
result comes out; the computations are in pedigree.py, genotypes.py and segregation.py.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cmmvar import __version__
from cmmvar.annotate import read_annotations
from cmmvar.genotypes import STATUSES, Thresholds, family_genotypes
from cmmvar.panel import Gene
from cmmvar.pedigree import Family, match_samples, read_family
from cmmvar.segregation import carried, count
from cmmvar.vcf import open_vcf


def analyse(family_id: str, ped_path: str | Path, input_vcf: str | Path,
            normalised_vcf: str | Path, annotations_tsv: str | Path, genes: list[Gene],
            build: str, thresholds: Thresholds) -> dict:
    """The family result: pedigree, sample match, QC and every variant a member carries."""
    family = read_family(ped_path, family_id)
    with open_vcf(normalised_vcf) as vcf:
        vcf_samples = list(vcf.header.samples)
    match = match_samples(family, vcf_samples, str(input_vcf))
    annotations = read_annotations(annotations_tsv)
    by_symbol = {g.symbol: g for g in genes}

    qc = {pid: Counter() for pid in match.sequenced}
    variants = []
    for variant, calls in family_genotypes(normalised_vcf, family, build, thresholds):
        for pid in match.sequenced:
            qc[pid][calls[pid].status] += 1
        if not carried(calls):
            continue
        annotation = annotations.get((variant.chrom, variant.pos, variant.ref, variant.alt), {})
        gene = by_symbol.get(annotation.get("gene", ""))
        variants.append({
            "variant": {"chrom": variant.chrom, "pos": variant.pos, "ref": variant.ref,
                        "alt": variant.alt, "origin": variant.origin},
            "annotation": annotation,
            "gene": _gene_record(gene),
            "counts": count(family, calls).to_dict(),
            "genotypes": {pid: _call_record(g) for pid, g in calls.items()},
        })

    return {
        "family_id": family.id,
        "cmmvar_version": __version__,
        "inputs": {"ped": str(ped_path), "vcf": str(input_vcf)},
        "genome_build": build,
        "thresholds": {"min_gq": thresholds.min_gq, "min_dp": thresholds.min_dp},
        "pedigree": _pedigree_record(family, set(match.sequenced)),
        "pedigree_warnings": list(family.warnings),
        "samples": {"sequenced": list(match.sequenced),
                    "not_sequenced": list(match.not_sequenced),
                    "vcf_only": list(match.vcf_only)},
        "genotype_qc": {pid: {s: qc[pid].get(s, 0) for s in STATUSES if s != "not_sequenced"}
                        for pid in match.sequenced},
        "variants": variants,
    }


def _pedigree_record(family: Family, sequenced: set[str]) -> list[dict]:
    return [{"id": ind.id, "father": ind.father, "mother": ind.mother,
             "sex": ind.sex.name.lower(), "phenotype": ind.phenotype.value,
             "liability_class": ind.liability_class, "added_by_cmmvar": ind.added,
             "sequenced": ind.id in sequenced}
            for ind in family.individuals]


def _gene_record(gene: Gene | None) -> dict | None:
    if gene is None:
        return None
    return {"symbol": gene.symbol, "tier": gene.tier, "inheritance": gene.inheritance,
            "penetrance": gene.penetrance, "penetrance_male": gene.penetrance_male,
            "penetrance_female": gene.penetrance_female, "phenocopy_rate": gene.phenocopy_rate,
            "max_allele_frequency": gene.max_allele_frequency, "evidence": gene.evidence,
            "source": gene.source, "assumptions": gene.assumptions,
            "mane_transcript": gene.mane_transcript}


def _call_record(genotype) -> dict:
    return {"label": genotype.label, "status": genotype.status, "gt": genotype.gt,
            "gq": genotype.gq, "dp": genotype.dp,
            "ad": list(genotype.ad) if genotype.ad else None,
            "copies": genotype.copies, "hemizygous": genotype.hemizygous}
