"""Pairs of variants of one recessive gene in one family (cmmvar.segregate.pairs): the hand-worked
families of tests/unit/test_pair_likelihood.py run through segregate_pair, from PED records
and genotype calls as the workflow reads them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cmmvar.segregate.pair_likelihood import pair_flb
from cmmvar.segregate.pairs import (
    Carried,
    as_pair_member,
    call_phases,
    find_pairs,
    pair_counts,
    segregate_pair,
)
from cmmvar.segregate.segregation import Counts, Model, Settings, people, segregate
from tests.unit.helpers.pairs import NUCLEAR, V1, V2, called, calls, family_from

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = Model("AR", 1.0, 0.0)


def test_two_affected_compound_het_siblings_give_8_over_p00_squared_as_the_engine(tmp_path):
    """Father carries variant 1 only, mother variant 2 only, both unaffected; affected
    siblings A and B carry both; penetrance 1, phenocopy 0, q1 = q2 = q = 1e-3.
    Derived by hand in test_pair_likelihood (two_affected_compound_het_siblings...):
    FLB = 8 / ((1-q1)^2 (1-q2)^2) = 8 / 0.999^4 = 8.0321; PP1 moderate (4.33 <= FLB <
    18.7); the parents' genotypes put A in trans."""
    family = family_from(tmp_path, NUCLEAR)
    q = 1e-3
    calls1, calls2 = calls(F=1, M=0, A=1, B=1), calls(F=0, M=1, A=1, B=1)
    got = segregate_pair(family, V1, calls1, V2, calls2, COMPLETE, Settings(allele_frequency=q))
    expected = 8 / ((1 - q) ** 2 * (1 - q) ** 2)
    engine = pair_flb(people(family), "A", q, q, False,
                      {pid: (0.0, 1.0) for pid in "FMAB"},
                      {"F": "unaffected", "M": "unaffected", "A": "affected", "B": "affected"},
                      {"F": 1, "M": 0, "A": 1, "B": 1}, {"F": 0, "M": 1, "A": 1, "B": 1})
    assert got.flb == pytest.approx(expected, rel=1e-12)
    assert got.flb == pytest.approx(engine.value, rel=1e-12)
    assert got.log10_flb == pytest.approx(math.log10(expected), rel=1e-12)
    assert round(got.flb, 4) == 8.0321
    assert (got.first, got.second, got.proband, got.flb_reason) == (V1, V2, "A", None)
    assert got.proband_source == "first affected member carrying both variants, in PED order"
    assert (got.pp1, got.bs4, got.acmg_codes) == ("moderate", "none", ("PP1_Moderate",))
    assert (got.phase.trans, got.phase.words, got.phase.by) == (
        1.0, "in trans", "the family's genotypes")
    assert got.counts == Counts(affected_carriers=2, unaffected_noncarriers=2)
    assert got.model["allele_frequency"] == q


def test_the_proband_is_the_named_one_or_the_first_affected_member_carrying_both(tmp_path):
    """A carries only variant 1, so B, the next affected member in PED order, is taken;
    a named proband is taken as named."""
    family = family_from(tmp_path, NUCLEAR)
    calls1, calls2 = calls(F=1, M=0, A=1, B=1), calls(F=0, M=1, A=0, B=1)
    got = segregate_pair(family, V1, calls1, V2, calls2, COMPLETE, Settings())
    assert got.proband == "B"
    named = segregate_pair(family, V1, calls1, V2, calls2, COMPLETE, Settings(), "A")
    assert (named.proband, named.proband_source) == ("A", "families sheet")
    nobody = segregate_pair(family, V1, calls(F=1, M=0, A=1, B=0), V2, calls2, COMPLETE,
                            Settings())
    assert (nobody.proband, nobody.flb, nobody.pp1, nobody.bs4) == (None, None, "none", "none")
    assert nobody.flb_reason == "no affected member carries both variants to take as proband"


def test_phased_calls_of_a_proband_without_typed_parents_set_the_phase_and_the_flb(tmp_path):
    """Father F typed (variant 1 only, unaffected), mother untyped of unknown phenotype,
    proband A affected, phased calls 0|1 and 1|0 in phase set 7 (trans), or 0|1 and 0|1
    (cis). r = 0.1, f = 0.8, q = 0.2: p00 = 0.64, W = p00 (1-r) + (1-p00)(1-f) = 0.648;
    as in test_pair_likelihood's phased_proband case, trans FLB = (1-r)/W = 1.3889,
    cis FLB = 2 (1-r)/(1-r+W) = 1.1628."""
    family = family_from(tmp_path, "fam F 0 0 1 1\nfam M 0 0 2 0\nfam A F M 1 2\n")
    model, settings = Model("AR", 0.8, 0.1), Settings(allele_frequency=0.2)
    for second_gt, expected, words in (("1|0", 1.3889, "in trans"), ("0|1", 1.1628, "in cis")):
        calls1 = {"F": called(1, "0/1"), "M": called(None), "A": called(1, "0|1", 7)}
        calls2 = {"F": called(0, "0/0"), "M": called(None), "A": called(1, second_gt, 7)}
        got = segregate_pair(family, V1, calls1, V2, calls2, model, settings)
        assert round(got.flb, 4) == expected
        assert (got.phase.words, got.phase.by) == (words, "the proband's phased calls")


def test_phase_is_read_only_from_passing_calls_in_one_phase_set_and_never_on_one_x():
    calls1 = {"a": called(1, "0|1", 5), "b": called(None, "0|1", 5), "c": called(1, "0|1", 5),
              "d": called(1, "1|0"), "e": called(1, "1", hemizygous=True)}
    calls2 = {"a": called(1, "1|0", 5), "b": called(1, "1|0", 5), "c": called(1, "1|0", 6),
              "d": called(1, "1|0"), "e": called(1, "1", hemizygous=True)}
    assert call_phases(calls1, calls2) == {"a": "trans", "d": "cis"}


def test_pair_counts_take_a_zero_call_at_either_site_as_a_non_carrier(tmp_path):
    """A: 1 and missing -> missing; B: 0 and missing -> non-carrier (lacks variant 1);
    F: 2 and 1 -> carrier, homozygous; M: 1 and 1 -> carrier."""
    family = family_from(tmp_path, NUCLEAR)
    got = pair_counts(family, calls(F=2, M=1, A=1, B=0), calls(F=1, M=1, A=None, B=None))
    assert got == Counts(affected_noncarriers=1, affected_missing=1, unaffected_carriers=2,
                         unaffected_homozygous=1)


def test_an_xlr_daughter_is_weighed_and_a_male_proband_is_not(tmp_path):
    """X-linked recessive, penetrance 1, phenocopy 0, q = 0.01: father hemizygous for
    variant 2, affected; mother variant 1 only, unaffected; daughter D carrying both,
    affected: FLB = 2 / ((1-q1)(1-q2)) = 2 / 0.99^2 = 2.0406 (test_pair_likelihood's
    xlr_daughter case). Named as proband, the father (one X) gets no pair FLB."""
    family = family_from(tmp_path, "fam F 0 0 1 2\nfam M 0 0 2 1\nfam D F M 2 2\n")
    calls1 = {"F": called(0, hemizygous=True), "M": called(1), "D": called(1)}
    calls2 = {"F": called(1, hemizygous=True), "M": called(0), "D": called(1)}
    model, settings = Model("XLR", 1.0, 0.0), Settings(allele_frequency=0.01)
    got = segregate_pair(family, V1, calls1, V2, calls2, model, settings)
    assert got.proband == "D"
    assert got.flb == pytest.approx(2 / 0.99 ** 2, rel=1e-12)
    male = segregate_pair(family, V1, calls1, V2, calls2, model, settings, "F")
    assert (male.flb, male.pp1, male.bs4) == (None, "none", "none")
    assert male.flb_reason == "the proband F is male and has one X: no compound heterozygote"


def test_a_dominant_model_has_no_pair_to_weigh(tmp_path):
    family = family_from(tmp_path, NUCLEAR)
    got = segregate_pair(family, V1, calls(F=1, M=0, A=1, B=1), V2, calls(F=0, M=1, A=1, B=1),
                         Model("AD", 0.9, 0.01), Settings())
    assert (got.flb, got.flb_reason) == (None, "the AD model is not recessive: no pair to weigh")


def test_find_pairs_weighs_two_variants_of_one_recessive_gene_carried_together(tmp_path):
    """AR gene G: V1 and V2 carried together by affected A, V3 by the father only (no
    affected member carries it with another), so one pair; the same two variants in a
    dominant gene H form none."""
    family = family_from(tmp_path, NUCLEAR)
    v1, v2 = calls(F=1, M=0, A=1, B=1), calls(F=0, M=1, A=1, B=1)
    v3 = calls(F=1, M=0, A=0, B=0)
    dominant = Model("AD", 0.9, 0.01)
    carried = [Carried(V1, "G", v1, COMPLETE), Carried(V2, "G", v2, COMPLETE),
               Carried("chr11:300:G:A", "G", v3, COMPLETE),
               Carried("chr2:1:A:G", "H", v1, dominant), Carried("chr2:2:A:G", "H", v2, dominant)]
    found = find_pairs(family, carried, Settings(allele_frequency=1e-3))
    assert [(gene, p.first, p.second) for gene, p in found] == [("G", V1, V2)]
    assert round(found[0][1].flb, 4) == 8.0321


def test_a_pair_member_loses_its_single_variant_bs4_and_says_why(tmp_path):
    """Under AR, V1 alone in a family whose unaffected son C is homozygous for it (parents
    and affected A, B heterozygous) is BS4 evidence (FLB 0.085, moderate); weighed in a pair it
    keeps its FLB but not the BS4 code."""
    family = family_from(tmp_path, NUCLEAR + "fam C F M 1 1\n")
    alone = segregate(family, calls(F=1, M=1, A=1, B=1, C=2), Model("AR", 0.9, 0.001),
                      Settings(allele_frequency=1e-3))
    assert alone.bs4 != "none" and any(c.startswith("BS4") for c in alone.acmg_codes)
    member = as_pair_member(alone, [V2])
    assert (member.flb, member.bs4) == (alone.flb, "none")
    assert not any(c.startswith("BS4") for c in member.acmg_codes)
    assert member.flb_reason.endswith(
        f"weighed with {V2} as a possible compound heterozygote: the pair's Bayes factor "
        f"replaces this variant's BS4 from the single-variant recessive model")


# ------------------------------------------------------------------ cmmvar segregate --panel

VCF_HEADER = ("##fileformat=VCFv4.2\n##contig=<ID=22,length=50818468>\n"
              "##contig=<ID=7,length=159345973>\n"
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tF\tM\tA\tB\n")


def run_segregate(tmp_path, *flags: str):
    from cmmvar.cli import main

    (tmp_path / "fam.ped").write_text(NUCLEAR)
    (tmp_path / "calls.vcf").write_text(
        VCF_HEADER
        # DNAL4 (AR in the panel): father variant 1, mother variant 2, A and B both
        + "22\t38780000\t.\tA\tG\t60\tPASS\t.\tGT\t0/1\t0/0\t0/1\t0/1\n"
        + "22\t38790000\t.\tC\tT\t60\tPASS\t.\tGT\t0/0\t0/1\t0/1\t0/1\n"
        # outside every panel gene
        + "7\t500\t.\tC\tT\t60\tPASS\t.\tGT\t0/1\t0/0\t0/1\t0/1\n")
    out = tmp_path / "seg.tsv"
    code = main(["segregate", "--vcf", str(tmp_path / "calls.vcf"), "--ped",
                 str(tmp_path / "fam.ped"), "--out", str(out), "--allele-frequency", "1e-3",
                 *flags])
    return code, out


def test_segregate_with_the_panel_weighs_dnal4_with_its_own_model_and_writes_the_pair(
        tmp_path):
    """DNAL4's panel model: AR, penetrance 0.9, phenocopy 0.001. The pair row's FLB is
    pair_flb's with those numbers (7.99894, as in test_report_pairs); with --penetrance 1
    --phenocopy 0 overriding the panel, the hand-worked 8 / (1 - 1e-3)^4 = 8.03208."""
    import pandas as pd

    code, out = run_segregate(tmp_path, "--panel", str(ROOT / "config/panels/cmm.tsv"))
    assert code == 0
    table = pd.read_csv(out, sep="\t", keep_default_na=False, dtype=str)
    assert list(table.pos) == ["38780000", "38790000", "500", "38780000"]
    assert list(table.gene) == ["DNAL4", "DNAL4", "", "DNAL4"]
    assert list(table.compound_het_with) == ["", "", "", "22:38790000:C:T"]
    pair = table.iloc[3]
    assert (pair.flb, pair.pp1, pair.proband) == ("7.99894", "moderate", "A")
    assert pair.flb_note == "in trans by the family's genotypes"
    assert (pair.affected_carriers, pair.unaffected_noncarriers) == ("2", "2")
    assert all("the pair's Bayes factor replaces" in note for note in table.flb_note[:2])
    assert table.flb_note[2].startswith("outside the panel's genes: no model")
    assert (table.flb[2], table.affected_carriers[2]) == ("", "2")
    code, out = run_segregate(tmp_path, "--panel", str(ROOT / "config/panels/cmm.tsv"),
                              "--penetrance", "1", "--phenocopy", "0")
    table = pd.read_csv(out, sep="\t", keep_default_na=False, dtype=str)
    assert table.flb[3] == f"{8 / (1 - 1e-3) ** 4:.6g}" == "8.03208"


def test_segregate_without_panel_needs_all_three_model_flags(tmp_path, capsys):
    code, out = run_segregate(tmp_path, "--inheritance", "AR", "--penetrance", "0.9")
    assert code == 1 and not out.exists()
    assert capsys.readouterr().err == (
        "cmmvar: error: without --panel, give the model: --inheritance, --penetrance and "
        "--phenocopy (or --panel PANEL.tsv for each gene's own model)\n")
