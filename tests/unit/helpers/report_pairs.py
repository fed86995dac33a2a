"""Helpers of test_report_pairs.py, shared with other test modules."""

from __future__ import annotations

from pathlib import Path

from cmmvar.annotate.annotation_table import Annotation

ROOT = Path(__file__).resolve().parents[3]


Q = 1e-3


KEEP = {"consequences": ["frameshift_variant", "missense_variant"]}


def annotation(pos: int, hgvs_c: str, consequence: str, clinvar: str = "") -> Annotation:
    return Annotation("chr22", pos, "A", "G", gene="DNAL4", transcript="ENST00000216068.9",
                      consequence=consequence, hgvs_c=hgvs_c, impact="HIGH",
                      gnomad_status="absent", clinvar_significance=clinvar, inheritance="AR")
