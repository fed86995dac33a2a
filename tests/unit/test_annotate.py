"""The annotate stage's choices: which source gives the consequence, which transcript is
reported, and what the table says when a database has nothing."""

from __future__ import annotations

import json
from pathlib import Path

from cmmvar.annotate.variants import Sources, annotate, choose
from cmmvar.io.panel import load_panel
from tests.unit.helpers.input_annotations import COLUMNS, VEP_HEADER, VEP_INDEL, VEP_SNV

DCC_PANEL = Path(__file__).resolve().parents[2] / "config" / "panels" / "cmm.tsv"


def test_input_csq_is_used_and_said_so(tmp_path):
    """A VCF that VEP annotated: the consequence comes from its CSQ on the gene's MANE
    transcript, the other transcript is kept in other_transcripts, and no local resource is
    needed (Sources empty: gnomAD and ClinVar 'not checked')."""
    vcf = tmp_path / "input.vcf"
    vcf.write_text(VEP_HEADER + COLUMNS + VEP_SNV)
    genes = load_panel(DCC_PANEL, "GRCh38")
    table = annotate(vcf, genes, 100, Sources(build="GRCh38"), tmp_path / "out.tsv")
    row = table.iloc[0]
    assert (row.gene, row.transcript, row.consequence, row.hgvs_c, row.hgvs_p) == (
        "DCC", "ENST00000442544.7", "synonymous_variant", "c.840C>T", "p.Leu280=")
    assert row.annotation_source == "VEP CSQ v110 (from the input VCF)"
    assert (row.gnomad_status, row.clinvar_significance) == ("not_checked", "")


def test_multiallelic_csq_row_per_allele_with_other_transcripts(tmp_path):
    vcf = tmp_path / "input.vcf"
    vcf.write_text(VEP_HEADER + COLUMNS + VEP_INDEL)
    genes = load_panel(DCC_PANEL, "GRCh38")
    table = annotate(vcf, genes, 100, Sources(build="GRCh38"), tmp_path / "out.tsv")
    deletion = table[table.alt == "G"].iloc[0]
    assert deletion.hgvs_c == "c.789_790del"
    others = json.loads(deletion.other_transcripts)
    assert [o["transcript"] for o in others] == ["ENST00000581580.5"]
    assert others[0]["consequence"] == "intron_variant"


def test_choose_prefers_the_panel_mane_then_the_flag_then_severity():
    entries = [
        {"transcript": "ENST2.1", "consequence": "stop_gained", "mane_select": False},
        {"transcript": "ENST3.4", "consequence": "intron_variant", "mane_select": True},
        {"transcript": "ENST1.2", "consequence": "missense_variant", "mane_select": False},
    ]

    class Gene:
        mane_transcript = "ENST1.1"  # another version of ENST1: still the panel's MANE

    assert choose(entries, Gene())[0]["transcript"] == "ENST1.2"
    assert choose(entries, None)[0]["transcript"] == "ENST3.4"
    unflagged = [dict(e, mane_select=False) for e in entries]
    chosen, rest = choose(unflagged, None)
    assert chosen["transcript"] == "ENST2.1" and len(rest) == 2
