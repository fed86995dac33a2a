"""A demo VCF through the workflow's first three stage functions, for tests that need a
normalised VCF and its annotation table (one place for the offline annotation settings)."""

from __future__ import annotations

from pathlib import Path

from cmmvar.stages import annotate_stage, extract_stage, normalise_stage

ROOT = Path(__file__).resolve().parents[3]
PANEL = ROOT / "config/panels/cmm.tsv"
RESOURCES = ROOT / "test_data/resources"


def prepare(vcf: Path, tmp: Path) -> tuple[Path, Path]:
    """(the normalised VCF, the annotation table) of `vcf`, written under `tmp`."""
    extract_stage(vcf, PANEL, "GRCh38", tmp / "x.vcf.gz", 100)
    normalised = tmp / "n.vcf.gz"
    normalise_stage(tmp / "x.vcf.gz", normalised, True, RESOURCES / "reference.fa.gz")
    annotation = {"mode": "offline", "transcripts_gff3": str(RESOURCES / "transcripts.gff3"),
                  "reference_fasta": str(RESOURCES / "reference.fa.gz"),
                  "gnomad_vcf": str(RESOURCES / "gnomad.vcf.gz"),
                  "clinvar_vcf": str(RESOURCES / "clinvar.vcf.gz"), "cache": str(tmp)}
    annotate_stage(normalised, PANEL, "GRCh38", annotation, 100, tmp / "a.tsv")
    return normalised, tmp / "a.tsv"
