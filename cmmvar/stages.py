"""One function per stage that reads files and writes files: the rule's script
(scripts/*.py) and the `cmmvar` command line both call these, so a stage runs one way.

The computations are in the stage's own module; here are only the files in and out. Stages
import what only they need (numpy, pandas, the likelihood engine) inside their functions, so
that `cmmvar extract` does not pay for them at start-up.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cmmvar.io.panel import load_panel
from cmmvar.prepare.extract import ExtractStats, extract

if TYPE_CHECKING:
    from cmmvar.prepare.normalise import NormaliseStats
    from cmmvar.segregate.genotypes import Thresholds


def extract_stage(vcf: str | Path, panel: str | Path, build: str, out: str | Path,
                  padding: int) -> ExtractStats:
    """The records of `vcf` in the panel genes +- padding, to `out` (bgzipped, indexed)."""
    return extract(vcf, load_panel(panel, build), build, out, padding)


def normalise_stage(vcf: str | Path, out: str | Path, pass_only: bool,
                    fasta: str | Path | None) -> tuple[NormaliseStats, list[str]]:
    """Split, trim and left-align (against `fasta` when given); the stats and the notes
    for the user (records whose REF differs from the FASTA)."""
    from cmmvar.prepare.normalise import normalise

    stats = normalise(vcf, out, pass_only=pass_only, fasta_path=fasta)
    notes = []
    if stats.ref_mismatches:
        notes.append(f"{stats.ref_mismatches} records whose REF differs from the reference "
                     f"FASTA {fasta}, e.g. {'; '.join(stats.ref_mismatch_examples)}")
    return stats, notes


def annotate_stage(vcf: str | Path, panel: str | Path | None, build: str, annotation: dict,
                   padding: int, out: str | Path) -> dict:
    """The annotation table of a normalised VCF (annotation_table.py) to `out`; returns the
    provenance of its sources. Without a panel, every record and every transcript."""
    from cmmvar.annotate.variants import annotate, open_sources, provenance

    genes = load_panel(panel, build) if panel else []
    with open_sources(annotation, build, genes) as sources:
        table = annotate(vcf, genes, padding, sources, out)
        return provenance(sources, table)


def segregate_stage(families: list[dict], input_vcf: str | Path, normalised_vcf: str | Path,
                    annotations: str | Path, panel: str | Path, build: str,
                    thresholds: Thresholds, segregation: dict, ped_columns: dict | None):
    """The FamilyResult (records.py) of each family of one VCF, reading the VCF once.
    `families`: rows of the families sheet (family, ped, proband, parentage_confirmed)."""
    from cmmvar.io.ped_file import PedColumns
    from cmmvar.segregate.analysis import FamilyRequest, analyse_batch
    from cmmvar.segregate.segregation import settings_from_config

    requests = [FamilyRequest(row["family"], row["ped"],
                              settings_from_config(segregation, row["parentage_confirmed"]),
                              row["proband"] or None)
                for row in families]
    return analyse_batch(requests, input_vcf, normalised_vcf, annotations,
                         load_panel(panel, build), build, thresholds,
                         segregation.get("liability_classes", {}),
                         PedColumns.from_config(ped_columns), segregation.get("sensitivity"))


def segregate_vcf(vcf: str | Path, family, model, settings, thresholds: Thresholds,
                  build: str, proband: str | None, pass_only: bool = False,
                  fasta: str | Path | None = None):
    """`cmmvar segregate`: any VCF through the normalise stage (left-aligned against
    `fasta` when given, as the workflow does), then one row of counts and statistics per
    record in one family (analysis.segregate_table); returns the table and the notes."""
    from cmmvar.segregate.analysis import segregate_table

    with tempfile.TemporaryDirectory(prefix="cmmvar-segregate-") as tmp:
        normalised = Path(tmp) / "normalised.vcf.gz"
        _, notes = normalise_stage(vcf, normalised, pass_only, fasta)
        table = segregate_table(normalised, vcf, family, model, settings, thresholds, build,
                                proband)
    return table, notes
