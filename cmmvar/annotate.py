"""Variant annotation: the table of every normalised variant of one VCF, read once for all
the families that share it.

So far each variant gets its panel gene, the gene's MANE transcript and inheritance; the
database columns (consequence, HGVS, gnomAD, ClinVar) are present and left empty until the
annotation sources are configured. Knows variants and genes; nothing about families.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cmmvar.atomic import atomic_path
from cmmvar.panel import Gene, genes_at
from cmmvar.vcf import open_vcf, records

COLUMNS = (
    "chrom", "pos", "ref", "alt", "gene", "transcript", "consequence", "hgvs_c", "hgvs_p",
    "impact", "gnomad_af", "gnomad_grpmax_af", "clinvar_significance", "clinvar_review_status",
    "clinvar_id", "inheritance", "other_genes",
)


def assign_gene(genes: list[Gene], chrom: str, pos: int, ref: str,
                padding: int) -> tuple[Gene | None, list[Gene]]:
    """The panel gene of a variant: one whose span holds it, else one within the padding.
    Returns it and the other panel genes the variant touches."""
    end = pos + len(ref) - 1
    near = genes_at(genes, chrom, pos, end, padding)
    inside = [g for g in near if pos <= g.end and end >= g.start]
    chosen = (inside or near or [None])[0]
    return chosen, [g for g in near if g is not chosen]


def annotate(vcf_path: str | Path, genes: list[Gene], padding: int,
             out_path: str | Path) -> pd.DataFrame:
    """Write the annotation table (TSV, COLUMNS) of every record in a normalised VCF."""
    rows = []
    vcf = open_vcf(vcf_path)
    with vcf:
        vcf.subset_samples([])  # annotation never needs genotypes
        for record in records(vcf, vcf_path):
            alt = record.alts[0] if record.alts else "."
            gene, others = assign_gene(genes, record.chrom, record.pos, record.ref, padding)
            row = dict.fromkeys(COLUMNS, "")
            row.update(chrom=record.chrom, pos=record.pos, ref=record.ref, alt=alt,
                       gene=gene.symbol if gene else "",
                       transcript=gene.mane_transcript if gene else "",
                       inheritance=gene.inheritance if gene else "",
                       other_genes=",".join(g.symbol for g in others))
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    with atomic_path(out_path) as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    return table


def read_annotations(path: str | Path) -> dict[tuple, dict]:
    """Annotation rows keyed by (chrom, pos, ref, alt)."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return {(r["chrom"], int(r["pos"]), r["ref"], r["alt"]): r
            for r in table.to_dict("records")}
