"""`TranscriptEffect`: what a variant does to one transcript, whichever source said it (cmmvar's
offline consequence.py, Ensembl VEP REST, or a VEP/snpEff annotation already in the input VCF),
and `effect_fields`, the one conversion to the annotation table's fields. Knows no source.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TranscriptEffect:
    """The effect of one variant on one transcript. Strings are '' where the source says
    nothing."""

    transcript: str  # the transcript's id as the source gives it (with or without version)
    gene: str  # symbol (snpEff without a symbol: the gene id)
    consequence: str  # Sequence Ontology terms joined by "&"
    impact: str  # HIGH | MODERATE | LOW | MODIFIER (VEP's classes)
    hgvs_c: str  # without the transcript: "c.123A>G", "n.45del"
    hgvs_p: str  # without the protein: "p.(Arg41Trp)" (cmmvar), "p.Arg41Trp" (VEP)
    exon: str  # "3/10" (or "2-3/10")
    intron: str  # "2/9"
    mane_select: bool  # the transcript is MANE Select (snpEff never says: False)
    source: str  # what said it, as written in annotation_source
    protein_position: int | None = None  # first amino acid changed (cmmvar offline only)
    mane_refseq: str | None = None  # the MANE Select RefSeq accession (VEP REST, GRCh38 only)
    canonical: bool = False  # Ensembl canonical (VEP REST only)


# The fields of an effect that the annotation stage reads, in its column order.
ROW_FIELDS = ("transcript", "gene", "consequence", "impact", "hgvs_c", "hgvs_p", "exon",
              "intron", "mane_select", "source")


def effect_fields(effect: TranscriptEffect) -> dict:
    """The annotation stage's entry for one effect: ROW_FIELDS by name."""
    return {name: getattr(effect, name) for name in ROW_FIELDS}
