"""Prioritisation rules: each filter and ACMG code on hand-made annotations."""

from __future__ import annotations

from dataclasses import replace

from cmmvar.annotate.annotation_table import Annotation
from cmmvar.report.prioritise import Criterion, prioritise

LOF = "LoF (ClinGen: loss of function)"
KEEP = ["missense_variant", "stop_gained", "frameshift_variant", "splice_donor_variant"]


def annotation(**cells) -> Annotation:
    """An annotation record read from table cells (text, as the annotation TSV holds them)."""
    base = {"chrom": "chr18", "pos": "100", "ref": "A", "alt": "G",
            "consequence": "missense_variant", "exon": "3/10", "gnomad_status": "absent",
            "gnomad_source": "gnomAD v4.1"}
    return Annotation.from_row(base | cells)


def codes(priority) -> list[str]:
    return [c.code for c in priority.criteria]


def test_absent_from_gnomad_is_pm2_supporting_and_kept():
    p = prioritise(annotation(), {}, LOF, 1e-5, KEEP)
    assert p.kept and codes(p) == ["PM2_Supporting"]
    assert p.criteria[0].reason == "absent from gnomAD (gnomAD v4.1)"


def test_frequency_above_max_credible_af_is_bs1_and_filtered():
    common = annotation(gnomad_status="found", gnomad_af="0.002", gnomad_grpmax_af="0.0031",
                        gnomad_faf95_max="0.0029")
    p = prioritise(common, {}, LOF, 1e-5, KEEP)
    assert not p.kept and codes(p) == ["BS1"]
    assert p.filters == ("frequency: gnomAD filtering AF 0.0029 > 1e-05",)


def test_ba1_at_thirty_percent_is_filtered():
    """The cut-off itself (> 5%) is pinned in test_edges_acmg.py."""
    p = prioritise(annotation(gnomad_status="found", gnomad_af="0.2", gnomad_grpmax_af="0.3"),
                   {}, LOF, 1e-4, KEEP)
    assert codes(p) == ["BA1"] and not p.kept


def test_rare_but_present_is_pm2_supporting():
    rare = annotation(gnomad_status="found", gnomad_af="1.2e-05", gnomad_grpmax_af="4.1e-05",
                      gnomad_faf95_max="2.3e-05")
    p = prioritise(rare, {}, LOF, 1e-4, KEEP)
    assert p.kept and codes(p) == ["PM2_Supporting"]


def test_not_checked_gnomad_gives_no_frequency_code():
    p = prioritise(annotation(gnomad_status="not_checked"), {}, LOF, 1e-4, KEEP)
    assert codes(p) == [] and p.kept


def test_pvs1_needs_an_established_loss_of_function_mechanism():
    stop = annotation(consequence="stop_gained")
    assert codes(prioritise(stop, {}, LOF, 1e-4, KEEP))[0] == "PVS1"
    assert "PVS1" not in codes(prioritise(stop, {}, "LoF (presumed)", 1e-4, KEEP))
    assert "PVS1" not in codes(prioritise(stop, {}, "unknown", 1e-4, KEEP))


def test_frameshift_in_the_last_exon_escapes_nmd_and_is_pvs1_moderate():
    p = prioritise(annotation(consequence="frameshift_variant", exon="10/10"), {}, LOF, 1e-4,
                   KEEP)
    assert codes(p)[0] == "PVS1_Moderate" and "nonsense-mediated decay" in p.criteria[0].reason


def test_consequence_filter_and_clinvar_pathogenic_override():
    intron = annotation(consequence="intron_variant")
    p = prioritise(intron, {}, LOF, 1e-4, KEEP)
    assert not p.kept and p.filters == (
        "consequence: intron_variant is not in filters.consequences",)
    p = prioritise(replace(intron, clinvar_significance="Likely pathogenic"), {}, LOF, 1e-4, KEEP)
    assert p.kept


def test_revel_one_score_per_band_and_synonymous_not_scored():
    """Scores well inside the bands; every cut-off is pinned in test_edges_acmg.py."""
    assert codes(prioritise(annotation(revel="0.95"), {}, LOF, 1e-4, KEEP))[-1] == "PP3_Strong"
    assert codes(prioritise(annotation(revel="0.70"), {}, LOF, 1e-4, KEEP))[-1] == \
        "PP3_Supporting"
    assert codes(prioritise(annotation(revel="0.01"), {}, LOF, 1e-4, KEEP))[-1] == "BP4_Strong"
    assert codes(prioritise(annotation(revel="0.5"), {}, LOF, 1e-4, KEEP)) == ["PM2_Supporting"]
    synonymous = annotation(consequence="synonymous_variant", revel="0.95")
    assert "PP3_Strong" not in codes(prioritise(synonymous, {}, LOF, 1e-4, None))


def test_segregation_codes_carry_their_reason_and_points():
    seg = {"acmg_codes": ["PP1_Moderate", "PM6"], "flb": 15.86, "de_novo_children": ["C"]}
    p = prioritise(annotation(), seg, LOF, 1e-4, KEEP)
    assert codes(p) == ["PM2_Supporting", "PP1_Moderate", "PM6"]
    assert p.criteria[1].reason == "cosegregation Bayes factor 15.9"
    assert p.criteria[2].reason == "de novo in C (parentage not confirmed)"
    # Tavtigian et al. 2020 points: supporting 1, moderate 2
    assert p.points == 1 + 2 + 2
    assert Criterion("PVS1", "").points == 8 and Criterion("BS4_Strong", "").points == -4
