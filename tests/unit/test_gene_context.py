"""Gene context beside each candidate (tier, evidence, the panel's clinical notes, the
consanguinity caveat), genes reported apart, and who is drawn with a carrier's dot: on the
project's panel and on hand-made families (expected words written by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmmvar.annotate.annotation_table import Annotation
from cmmvar.io.panel import load_panel, panel_metadata, panel_record
from cmmvar.records import VariantResult
from cmmvar.report.family import assess
from cmmvar.report.gene_context import (
    consanguineous_unions,
    dot_carriers,
    evidence_lead,
    gene_line,
    is_apart,
)
from cmmvar.segregate.segregation import Counts, Segregation

PANEL = Path(__file__).resolve().parents[2] / "config" / "panels" / "cmm.tsv"
GENES = {g.symbol: g for g in load_panel(PANEL, "GRCh38")}


def person(pid, father=None, mother=None, sex="male", phenotype="unaffected"):
    return {"id": pid, "father": father, "mother": mother, "sex": sex, "phenotype": phenotype}


def gene_model(symbol):
    g = GENES[symbol]
    return {"symbol": g.symbol, "tier": g.tier, "evidence": g.evidence,
            "clinical_notes": g.clinical_notes, "inheritance": g.inheritance}


def candidate(symbol, genotypes=None):
    return {"gene_model": gene_model(symbol), "genotypes": genotypes or {},
            "segregation": {"model": {"inheritance": GENES[symbol].inheritance}}}


@pytest.mark.parametrize(("symbol", "lead"), [
    ("DCC", "ClinGen Definitive for autosomal dominant mirror movements 1 and/or agenesis of "
            "the corpus callosum (MONDO:0100515, evaluated 2022-07-26)"),
    ("RAD51", "Established CMM gene (OMIM MRMV2 #614508) with no ClinGen/GenCC curation found"),
    ("NTN1", "OMIM MRMV4 #618264, listed with DCC and RAD51 as a diagnostic gene in "
             "GeneReviews, no ClinGen/GenCC curation found"),
    ("DNAL4", "Limited"), ("ARHGEF7", "Limited"), ("DNM2", "None"), ("ANOS1", "Syndromic"),
    ("MCF2", "Candidate only"),
])
def test_evidence_lead_is_the_panel_words_before_the_first_colon_or_full_stop(symbol, lead):
    assert evidence_lead(GENES[symbol].evidence) == lead


def test_evidence_lead_edges():
    assert evidence_lead("Limited") == "Limited"  # no colon, no full stop: the whole text
    assert evidence_lead("Strong.") == "Strong"
    # "et al. " is not the end of a sentence
    assert evidence_lead("Shown by Smith et al. 2020 in 3 families. More.") == \
        "Shown by Smith et al. 2020 in 3 families"


def test_panel_tiers_kept_apart():
    assert [s for s, g in GENES.items() if is_apart({"tier": g.tier})] == ["DNM2", "MCF2"]
    assert not is_apart(None) and not is_apart({"tier": "syndromic"})


def test_gene_lines_quote_tier_evidence_and_the_panel_notes():
    assert gene_line(candidate("ANOS1"), []) == (
        "ANOS1: tier syndromic; gene–disease evidence: Syndromic. Mirror movements here are a "
        "feature of X-linked Kallmann syndrome (OMIM #308700): a male carrier warrants a "
        "Kallmann syndrome work-up (sense of smell, puberty, gonadotropins and sex steroids).")
    assert gene_line(candidate("DCC"), []) == (
        "DCC: tier core; gene–disease evidence: ClinGen Definitive for autosomal dominant mirror "
        "movements 1 and/or agenesis of the corpus callosum (MONDO:0100515, evaluated "
        "2022-07-26).")  # no clinical note in the panel: nothing added
    assert gene_line({"gene_model": None}, []) == "Not in a panel gene."


# First cousins F and M (their fathers A1, A2 are brothers, sons of G1 x G2) have child C.
COUSINS = [person("G1"), person("G2", sex="female"),
           person("A1", "G1", "G2"), person("W1", sex="female"),
           person("A2", "G1", "G2"), person("W2", sex="female"),
           person("F", "A1", "W1"), person("M", "A2", "W2", sex="female"),
           person("C", "F", "M", phenotype="affected")]


def test_consanguineous_union_is_a_couple_sharing_an_ancestor():
    assert consanguineous_unions(COUSINS) == [("F", "M")]
    # the grandparents and the in-laws married unrelated partners
    unrelated = [p for p in COUSINS if p["id"] not in ("C",)]
    assert consanguineous_unions(unrelated) == []
    # half-siblings share one parent
    half = [person("P"), person("Q", sex="female"), person("R", sex="female"),
            person("H1", "P", "Q"), person("H2", "P", "R", sex="female"),
            person("K", "H1", "H2")]
    assert consanguineous_unions(half) == [("H1", "H2")]
    # a parent with their own child: one partner is the other's ancestor
    incest = [person("P"), person("Q", sex="female"), person("D", "P", "Q", sex="female"),
              person("K", "P", "D")]
    assert consanguineous_unions(incest) == [("P", "D")]


def test_consanguinity_caveat_only_for_a_recessive_candidate_in_a_consanguineous_family():
    line = gene_line(candidate("DNAL4"), COUSINS)
    assert line == (
        "DNAL4: tier reported; gene–disease evidence: Limited. Limited evidence: one family "
        "reported (Ahmed et al. 2014) and none among 17 further index cases; a variant that "
        "fits the family is a research finding until more families are reported. "
        "Consanguineous family (F and M share an ancestor): affected relatives are homozygous "
        "for the whole haplotype inherited from that ancestor, so segregation supports the "
        "region around the variant, not the variant alone.")
    assert "Consanguineous" not in gene_line(candidate("DNAL4"), COUSINS[:-1])  # no couple
    assert "Consanguineous" not in gene_line(candidate("DCC"), COUSINS)  # dominant


def test_carrier_dot_for_carriers_not_expected_to_be_affected():
    pedigree = [person("F"), person("M", sex="female"),
                person("A", "F", "M", phenotype="affected"), person("U", "F", "M"),
                person("S", "F", "M", sex="female"),
                person("K", "F", "M", phenotype="unknown")]
    one = {"copies": 1}
    calls = {"F": one, "M": one, "A": {"copies": 2}, "U": {"copies": 0}, "S": one, "K": one}
    # recessive: every unaffected heterozygote; not the affected, the non-carrier, the unknown
    assert dot_carriers(candidate("DNAL4", calls), pedigree) == {"F", "M", "S"}
    # dominant with reduced penetrance: no dot (genotype label only)
    assert dot_carriers(candidate("DCC", calls), pedigree) == set()
    # X-linked recessive: heterozygous women only, not an unaffected hemizygous man
    xcalls = {"F": {"copies": 1, "hemizygous": True}, "M": one, "S": {"copies": 1},
              "A": {"copies": 1, "hemizygous": True}}
    assert dot_carriers(candidate("ANOS1", xcalls), pedigree) == {"M", "S"}


def item(symbol, consequence, codes, pos):
    g = GENES[symbol]
    annotation = Annotation(g.chrom, pos, "A", "G", gene=symbol, consequence=consequence,
                            exon="3/10", gnomad_status="absent", gnomad_source="gnomAD v4.1")
    segregation = Segregation(Counts(affected_carriers=3), proband=None, proband_source="",
                              flb=30.0, log10_flb=1.48, flb_reason=None, pp1="none",
                              bs4="none", meioses=None, meioses_label="none", de_novo="no",
                              de_novo_children=(), mendelian_errors=(),
                              acmg_codes=tuple(codes), model={})
    return VariantResult(g.chrom, pos, "A", "G", f"{g.chrom}:{pos}:A:G", annotation,
                         g, segregation, None, {})


def test_unsupported_and_candidate_genes_never_rank_above_a_core_gene():
    """DNM2 (unsupported) stop_gained, absent from gnomAD, PP1_Strong: PM2_Supporting 1 +
    PP1_Strong 4 = 5 points (no PVS1: DNM2's mechanism is unknown). MCF2 (candidate) the same:
    5 points. DCC (core) missense absent from gnomAD: PM2_Supporting, 1 point. ANOS1
    (syndromic) missense with PP1_Moderate: 1 + 2 = 3 points. By points alone the order
    would be DNM2/MCF2, ANOS1, DCC; the apart tiers go last, the rest keep points order, and
    between the two apart genes (equal on every other key) tier candidate comes before
    unsupported."""
    variants = [item("DNM2", "stop_gained", ["PP1_Strong"], 100),
                item("DCC", "missense_variant", [], 200),
                item("MCF2", "stop_gained", ["PP1_Strong"], 300),
                item("ANOS1", "missense_variant", ["PP1_Moderate"], 400)]
    ranked = assess(variants, {})
    assert [i.priority.points for i in ranked] == [3, 1, 5, 5]
    assert [i.variant.annotation.gene for i in ranked] == ["ANOS1", "DCC", "MCF2", "DNM2"]


def test_panel_version_mane_release_and_checksum(tmp_path):
    assert panel_metadata(PANEL) == {"version": "2026-12-02", "mane_release": "v1.4",
                                     "condition": "congenital mirror movements"}
    copy = tmp_path / "panel.tsv"
    copy.write_bytes(PANEL.read_bytes())
    record = panel_record(copy)
    assert record["version"] == "2026-12-02" and record["mane_release"] == "v1.4"
    assert record["condition"] == "congenital mirror movements"  # the reports' words
    assert len(record["sha256"]) == 64
    copy.write_bytes(PANEL.read_bytes().replace(b"## version: 2026-12-02\n", b""))
    changed = panel_record(copy)
    assert changed["version"] is None and changed["sha256"] != record["sha256"]
    assert GENES["DCC"].mane_refseq == "NM_005215.4"
