"""Segregation layer: gene models, strength ladders, informative meioses, de novo calls,
proband choice, cohort products and the `cmmvar segregate` command."""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest

from cmmvar.errors import PedigreeError
from cmmvar.io.pedigree import Sex
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.segregation import (
    DEFAULT_LADDER,
    DEFAULT_MEIOSES,
    Model,
    Settings,
    check_liability_classes,
    de_novo_status,
    informative_meioses,
    meioses_label,
    segregate,
    strength,
)
from tests.unit.helpers.segregation import MISSING, called, family_from

# ------------------------------------------------------------------ models


def test_penetrance_vectors_by_mode_of_inheritance():
    assert Model("AD", 0.7, 0.01).vector(Sex.FEMALE, None) == (0.01, 0.7, 0.7)
    assert Model("AR", 0.9, 0.01).vector(Sex.MALE, None) == (0.01, 0.01, 0.9)
    assert Model("XLD", 0.6, 0.02).vector(Sex.FEMALE, None) == (0.02, 0.6, 0.6)
    assert Model("XLD", 0.6, 0.02).vector(Sex.MALE, None) == (0.02, 0.6)
    assert Model("XLR", 0.9, 0.0).vector(Sex.FEMALE, None) == (0.0, 0.0, 0.9)
    assert Model("XLR", 0.9, 0.0).vector(Sex.MALE, None) == (0.0, 0.9)


def test_sex_specific_penetrance_and_liability_classes():
    # DCC: 0.74 in males, 0.54 in females (Collins Hutchinson et al. 2024)
    dcc = Model("AD", 0.68, 0.001, 0.74, 0.54, {"child": {"penetrance": 0.1}})
    assert dcc.vector(Sex.MALE, None) == (0.001, 0.74, 0.74)
    assert dcc.vector(Sex.FEMALE, None) == (0.001, 0.54, 0.54)
    assert dcc.vector(Sex.UNKNOWN, None) == (0.001, 0.68, 0.68)
    assert dcc.vector(Sex.MALE, "child") == (0.001, 0.1, 0.1)


def test_undefined_liability_class_names_the_ped_line(tmp_path):
    family = family_from(tmp_path, "F a 0 0 1 2 young\nF b 0 0 2 1\n")
    with pytest.raises(PedigreeError, match=r"fam\.ped, line 1: a has liability class 'young'"):
        check_liability_classes(family, Model("AD", 0.5, 0.01))


# ------------------------------------------------------------------ strengths


@pytest.mark.parametrize(("value", "pp1", "bs4"), [
    (None, "none", "none"), (0.0, "none", "strong"), (0.053, "none", "strong"),
    (0.054, "none", "moderate"), (0.23, "none", "moderate"), (0.48, "none", "supporting"),
    (0.49, "none", "none"), (2.07, "none", "none"), (2.08, "supporting", "none"),
    (4.33, "moderate", "none"), (18.69, "moderate", "none"), (18.7, "strong", "none"),
    (350.0, "strong", "none"),
])
def test_tavtigian_ladder_boundaries(value, pp1, bs4):
    assert strength(value, DEFAULT_LADDER["pp1"], benign=False) == pp1
    assert strength(value, DEFAULT_LADDER["bs4"], benign=True) == bs4


def test_ladder_is_the_bayesian_adaptation():
    # Tavtigian et al. 2018: supporting = 350^(1/8), moderate = 350^(1/4), strong = 350^(1/2)
    assert DEFAULT_LADDER["pp1"]["supporting"] == pytest.approx(350 ** (1 / 8), abs=0.005)
    assert DEFAULT_LADDER["pp1"]["moderate"] == pytest.approx(350 ** (1 / 4), abs=0.005)
    assert DEFAULT_LADDER["pp1"]["strong"] == pytest.approx(350 ** (1 / 2), abs=0.05)


def test_meioses_labels_one_and_several_families():
    assert [meioses_label(m, DEFAULT_MEIOSES) for m in (None, 2, 3, 4, 5, 9)] == [
        "none", "none", "supporting", "moderate", "strong", "strong"]
    assert [meioses_label(m, DEFAULT_MEIOSES, families=2) for m in (1, 2, 3, 4)] == [
        "none", "supporting", "moderate", "strong"]


# ------------------------------------------------------------------ meioses

COUSINS = """\
F gf 0 0 1 0
F gm 0 0 2 0
F p1 gf gm 1 0
F s1 0 0 2 0
F p2 gf gm 2 0
F s2 0 0 1 0
F c1 p1 s1 1 2
F c2 s2 p2 2 2
F c3 p1 s1 2 2
"""


@pytest.mark.parametrize(("carriers", "expected"), [
    # hand-worked: P(relatives carry it | c1 carries it, rare neutral variant) = 2^-m
    (["c1", "c3"], 1),        # sibling: 1/2
    (["c1", "c2"], 3),        # first cousin: 1/2 (via p1) x 1/2 (p2) x 1/2 (c2)
    (["c1", "c2", "c3"], 4),  # both: 1/2 x 1/4 for the cousin given p1's line
])
def test_informative_meioses_hand_worked(tmp_path, carriers, expected):
    family = family_from(tmp_path, COUSINS)
    calls = {i: MISSING for i in family.ids}
    calls.update({c: called(1) for c in carriers})
    phen = {c for c in ("c1", "c2", "c3") if c not in carriers}
    for other in phen:
        calls[other] = MISSING
    assert informative_meioses(family, calls, "c1", Model("AD", 0.9, 0.01)) == expected


def test_an_affected_noncarrier_means_no_informative_meioses(tmp_path):
    family = family_from(tmp_path, COUSINS)
    calls = {i: MISSING for i in family.ids}
    calls.update(c1=called(1), c3=called(0))
    assert informative_meioses(family, calls, "c1", Model("AD", 0.9, 0.01)) is None


# ------------------------------------------------------------------ de novo

TRIO = "T f 0 0 1 1\nT m 0 0 2 1\nT c f m 1 2\n"


def test_de_novo_needs_confident_noncarrier_parents(tmp_path):
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(0, (30, 0)), "m": called(0, (25, 1)), "c": called(1, (12, 14))}
    assert de_novo_status(family, calls, 0.05) == ("yes", ("c",), ())
    # 3 ALT reads in 30 (10%) in the mother: not confidently a non-carrier
    calls["m"] = called(0, (27, 3))
    assert de_novo_status(family, calls, 0.05)[0] == "unknown"
    calls["m"] = MISSING
    assert de_novo_status(family, calls, 0.05)[0] == "unknown"
    calls["m"] = called(1, (15, 15))
    assert de_novo_status(family, calls, 0.05)[0] == "no"


def test_homozygous_child_of_a_carrier_and_a_noncarrier_is_a_mendelian_error_not_de_novo(
        tmp_path):
    # two non-carrier parents: test_edges_de_novo.py
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(1), "m": called(0, (30, 0)), "c": called(2)}
    status, children, errors = de_novo_status(family, calls, 0.05)
    assert children == () and errors == ("c is +/+ with parents f +/- and m -/-",)
    assert status == "no"  # the child's allele from f is inherited


def test_x_linked_son_needs_only_his_mother(tmp_path):
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(1, hemizygous=True), "m": called(0, (30, 0)),
             "c": called(1, hemizygous=True)}
    assert de_novo_status(family, calls, 0.05)[:2] == ("yes", ("c",))


def test_de_novo_earns_pm6_or_ps2_when_parentage_is_confirmed(tmp_path):
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(0, (30, 0)), "m": called(0, (30, 0)), "c": called(1, (10, 10))}
    result = segregate(family, calls, Model("AD", 0.7, 0.01), Settings())
    assert result.de_novo == "yes" and result.acmg_codes == ("PM6",)
    assert result.flb is None and "Mendelian" in result.flb_reason
    confirmed = segregate(family, calls, Model("AD", 0.7, 0.01),
                          Settings(parentage_confirmed=True))
    assert confirmed.acmg_codes == ("PS2",)


# ------------------------------------------------------------------ one family, end to end

NUCLEAR = "N f 0 0 1 2\nN m 0 0 2 1\nN c1 f m 1 2\nN c2 f m 2 2\nN c3 f m 1 2\n"


def test_hand_case_a_through_segregate(tmp_path):
    """Issue case (a): affected carrier father (proband), unaffected non-carrier mother,
    three affected carrier children, penetrance 1, phenocopy 0, q = 1e-4.

    Causal model: given the father's genotype and every phenotype, nothing is uncertain (the
    unaffected mother must be 0/0, each affected child must be a carrier, probability 1/2
    each from a 0/1 father), so P(G, Ph) / P(g_f, Ph) = 1. Neutral model: the mother's
    observed 0/0 has probability (1-q)^2 and each child's 0/1 has 1/2 given the parents:
    P(G) / P(g_f) = (1-q)^2 / 8. FLB = 8 / (1-q)^2 = 8.0016002.
    """
    family = family_from(tmp_path, NUCLEAR)
    calls = {"f": called(1), "m": called(0), "c1": called(1), "c2": called(1),
             "c3": called(1)}
    result = segregate(family, calls, Model("AD", 1.0, 0.0), Settings(allele_frequency=1e-4))
    assert result.flb == pytest.approx(8 / (1 - 1e-4) ** 2, rel=1e-12)
    assert round(result.flb, 4) == 8.0016
    assert result.log10_flb == pytest.approx(math.log10(result.flb))
    assert (result.proband, result.proband_source) == ("f", "first affected carrier in PED order")
    assert (result.pp1, result.bs4, result.acmg_codes) == ("moderate", "none", ("PP1_Moderate",))
    assert (result.meioses, result.meioses_label) == (3, "supporting")
    assert result.de_novo == "no"


def test_affected_noncarrier_relative_with_no_phenocopies_gives_zero(tmp_path):
    family = family_from(tmp_path, NUCLEAR)
    calls = {"f": called(1), "m": called(0), "c1": called(1), "c2": called(0),
             "c3": called(1)}
    result = segregate(family, calls, Model("AD", 1.0, 0.0), Settings())
    assert result.flb == 0.0 and result.log10_flb is None
    assert result.bs4 == "strong" and result.acmg_codes == ("BS4_Strong",)


def test_named_proband_is_used(tmp_path):
    family = family_from(tmp_path, NUCLEAR)
    calls = {i: called(1) for i in ("f", "c1", "c2", "c3")} | {"m": called(0)}
    result = segregate(family, calls, Model("AD", 0.9, 0.01), Settings(), "c2")
    assert (result.proband, result.proband_source) == ("c2", "families sheet")


# ------------------------------------------------------------------ command line


def test_segregate_command_on_a_users_vcf(tmp_path):
    (tmp_path / "nuclear.ped").write_text(NUCLEAR)
    header = "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                        "FORMAT", "f", "m", "c1", "c2", "c3"])
    (tmp_path / "calls.vcf").write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=7,length=159345973>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">\n'
        f"{header}\n"
        "7\t500\t.\tC\tT,A\t60\tPASS\t.\tGT:GQ\t0/1:99\t0/0:99\t0/1:99\t1/2:99\t0/1:99\n"
        "7\t900\t.\tG\tA\t60\tPASS\t.\tGT:GQ\t0/1:99\t0/0:99\t0/1:99\t0/1:10\t0/1:99\n")
    out = tmp_path / "seg.tsv"
    run = subprocess.run(
        [sys.executable, "-m", "cmmvar.cli", "segregate", "--vcf", str(tmp_path / "calls.vcf"),
         "--ped", str(tmp_path / "nuclear.ped"), "--out", str(out), "--inheritance", "AD",
         "--penetrance", "1", "--phenocopy", "0", "--allele-frequency", "1e-4"],
        capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    table = pd.read_csv(out, sep="\t", keep_default_na=False)
    # split records come out sorted by position, then allele
    assert list(zip(table.pos, table.alt, strict=True)) == [(500, "A"), (500, "T"), (900, "A")]
    first = table.iloc[1]  # c2 is 1/2: a carrier of T; the hand case (a) again
    assert float(first.flb) == pytest.approx(8.0016, abs=5e-4) and first.pp1 == "moderate"
    # ALT A at 500: only c2 carries it and both parents are called 0/0: a de novo
    # candidate (PM6), for which the FLB is undefined (Mendelian-inconsistent)
    novo = table.iloc[0]
    assert (novo.proband, novo.flb, novo.de_novo, novo.acmg_codes) == ("c2", "", "yes", "PM6")
    assert "Mendelian" in novo.flb_note
    # at 900 c2's call has GQ 10: missing, summed over; as in case (a) with two typed
    # children: FLB = 4 / (1-q)^2
    third = table.iloc[2]
    assert third.affected_missing == 1
    assert float(third.flb) == pytest.approx(4 / (1 - 1e-4) ** 2, rel=1e-5)


def test_recessive_affected_sibling_counts_two_meioses(tmp_path):
    # P(sib homozygous | proband homozygous, rare variant) = 1/4 (both parents carriers)
    family = family_from(tmp_path, "R f 0 0 1 1\nR m 0 0 2 1\nR a f m 1 2\nR b f m 2 2\n")
    calls = {"f": called(1), "m": called(1), "a": called(2), "b": called(2)}
    assert informative_meioses(family, calls, "a", Model("AR", 0.9, 0.01)) == 2
    calls["b"] = called(1)  # an affected heterozygote: not the causal genotype
    assert informative_meioses(family, calls, "a", Model("AR", 0.9, 0.01)) is None


# ------------------------------------------------------------------ ploidy and the model

XTRIO = "X f 0 0 1 1\nX m 0 0 2 1\nX s f m 1 2\nX d f m 2 1\n"


def test_x_linked_model_on_a_diploid_locus_leaves_the_flb_undefined(tmp_path):
    # an autosome or a PAR: the males' calls are diploid (not hemizygous); the XLR model
    # would need a male's ALT count to be 0 or 1, and used to raise "genotype 2 impossible"
    family = family_from(tmp_path, XTRIO)
    calls = {"f": called(0), "m": called(1), "s": called(2), "d": called(1)}
    result = segregate(family, calls, Model("XLR", 0.9, 0.01), Settings())
    assert (result.flb, result.log10_flb, result.meioses, result.pp1, result.bs4) == (
        None, None, None, "none", "none")
    assert result.flb_reason == ("the XLR model is X-linked, but this record is not on X "
                                 "outside the pseudo-autosomal regions (males have two "
                                 "copies here)")
    assert result.counts.affected_carriers == 1 and result.counts.affected_homozygous == 1


def test_autosomal_model_on_a_hemizygous_locus_leaves_the_flb_undefined(tmp_path):
    family = family_from(tmp_path, XTRIO)
    hemi = {"f": called(0, hemizygous=True), "m": called(1), "s": called(1, hemizygous=True),
            "d": called(0)}
    result = segregate(family, hemi, Model("AD", 0.9, 0.01), Settings())
    assert result.flb is None and result.meioses is None
    assert result.flb_reason == ("the AD model is autosomal, but this record is on X outside "
                                 "the pseudo-autosomal regions (males have one copy here); "
                                 "use XLD or XLR")
    # a father who is not sequenced still says where the locus is
    hemi["f"] = Genotype(None, "not_sequenced", hemizygous=True)
    assert segregate(family, hemi, Model("AR", 0.9, 0.01), Settings()).flb is None
    assert segregate(family, hemi, Model("XLR", 0.9, 0.01), Settings()).flb is not None


def test_a_family_without_males_is_weighed_under_either_model(tmp_path):
    # no male, so no parent-child link: both transmissions give the same likelihood
    family = family_from(tmp_path, "W a 0 0 2 2\nW b 0 0 2 1\n")
    calls = {"a": called(1), "b": called(0)}
    for inheritance in ("AD", "XLD"):
        result = segregate(family, calls, Model(inheritance, 0.9, 0.01), Settings())
        assert result.flb_reason is None and result.flb is not None


@pytest.mark.parametrize(("father", "mother", "son", "daughter", "errors"), [
    # a son's only X is his mother's, whatever his father carries
    (called(1, hemizygous=True), called(2), called(0, hemizygous=True), called(2),
     ("s is - with parents f + and m +/+",)),
    (MISSING, called(2), called(0, hemizygous=True), called(1),
     ("s is - with parents f ? and m +/+",)),
    (called(1, hemizygous=True), called(1), called(0, hemizygous=True), called(1), ()),
    # a daughter has her father's only X
    (called(1, hemizygous=True), called(0, (30, 0)), called(0, hemizygous=True), called(0),
     ("d is -/- with parents f + and m -/-",)),
    (called(0, hemizygous=True), called(1), called(1, hemizygous=True), called(2),
     ("d is +/+ with parents f - and m +/-",)),
    (called(1, hemizygous=True), called(1), called(1, hemizygous=True), called(2), ()),
])
def test_mendelian_errors_on_x(tmp_path, father, mother, son, daughter, errors):
    family = family_from(tmp_path, XTRIO)
    calls = {"f": father, "m": mother, "s": son, "d": daughter}
    assert de_novo_status(family, calls, 0.05)[2] == errors


def test_hemizygous_son_is_de_novo_without_his_father(tmp_path):
    family = family_from(tmp_path, XTRIO)
    calls = {"f": MISSING, "m": called(0, (30, 0)), "s": called(1, hemizygous=True),
             "d": called(0)}
    assert de_novo_status(family, calls, 0.05) == ("yes", ("s",), ())
