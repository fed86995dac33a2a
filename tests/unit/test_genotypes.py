"""Calls and counts: quality failures and no-calls are missing (never non-carriers),
homozygous carriers are told apart, males are hemizygous on X outside the PARs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmmvar.errors import VcfError
from cmmvar.io.ped_file import read_family
from cmmvar.segregate.genotypes import (
    Genotype,
    Thresholds,
    Variant,
    family_genotypes,
    genotype_qc_notes,
    in_hemizygous_x,
)
from cmmvar.segregate.segregation import Counts, count

PED = """\
FAM P1 0 0 1 2
FAM P2 0 0 2 1
FAM C1 P1 P2 1 2
FAM C2 P1 P2 2 2
FAM C3 P1 P2 1 1
FAM C4 P1 P2 2 0
FAM C5 P1 P2 2 1
"""
HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr18,length=80373285>
##contig=<ID=chrX,length=156040895>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP1\tP2\tC1\tC2\tC3\tC4
"""


def _family_and_calls(tmp_path: Path, record: str, thresholds: Thresholds | None = None):
    ped = tmp_path / "fam.ped"
    ped.write_text(PED)
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(HEADER + record + "\n")
    family = read_family(ped, "FAM")
    thresholds = thresholds or Thresholds(20, 8)
    [(variant, calls)] = list(family_genotypes(vcf, family, "GRCh38", thresholds))
    return family, variant, calls


def test_quality_failures_are_missing_not_noncarriers(tmp_path):
    record = ("chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD:DP:GQ\t"
              "0/1:5,5:10:99\t0/0:10,0:10:5\t1/1:0,3:3:99\t./.:.:.:.\t./1:0,9:9:50\t"
              "0/0:12,0:.:40")
    family, _, calls = _family_and_calls(tmp_path, record)
    assert calls["P1"].status == "called" and calls["P1"].copies == 1
    assert calls["P2"].status == "low_gq" and calls["P2"].missing      # GQ 5 < 20
    assert calls["C1"].status == "low_dp" and calls["C1"].missing      # DP 3 < 8
    assert calls["C2"].status == "no_call"
    assert calls["C3"].status == "partial_call" and calls["C3"].missing
    assert calls["C4"].status == "called" and calls["C4"].dp == 12     # DP from sum(AD)
    assert calls["C5"].status == "not_sequenced"
    # P1 affected carrier; P2 unaffected (low GQ); C1 affected (low DP); C2 affected (no call);
    # C3 unaffected (half call); C4 unknown, non-carrier; C5 unaffected, not sequenced.
    assert count(family, calls) == Counts(
        affected_carriers=1, affected_missing=2, unaffected_missing=3, unknown_noncarriers=1)


def test_homozygous_carriers_are_counted_apart(tmp_path):
    record = ("chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t"
              "0/1:99\t1/1:99\t1/1:99\t0|1:99\t0/0:99\t1/1:99")
    family, _, calls = _family_and_calls(tmp_path, record, Thresholds(20, 0))
    assert [calls[p].label for p in ("P1", "P2", "C1", "C2", "C3", "C4")] == [
        "+/-", "+/+", "+/+", "+/-", "-/-", "+/+"]
    assert calls["C2"].gt == "0|1"
    assert count(family, calls) == Counts(
        affected_carriers=3, affected_homozygous=1, unaffected_carriers=1,
        unaffected_homozygous=1, unaffected_noncarriers=1, unaffected_missing=1,
        unknown_carriers=1, unknown_homozygous=1)


def test_males_are_hemizygous_on_x_outside_the_pars(tmp_path):
    record = ("chrX\t8558874\t.\tC\tT\t50\tPASS\t.\tGT:GQ\t"
              "1:99\t0/1:99\t1/1:99\t0/1:99\t0/1:99\t0:99")
    family, _, calls = _family_and_calls(tmp_path, record, Thresholds(20, 0))
    assert calls["P1"].hemizygous and calls["P1"].copies == 1 and calls["P1"].label == "+"
    assert calls["C1"].hemizygous and calls["C1"].copies == 1 and not calls["C1"].homozygous
    assert calls["C3"].status == "male_het_x" and calls["C3"].missing
    assert not calls["P2"].hemizygous and calls["P2"].copies == 1       # female
    assert calls["C2"].label == "+/-"


def test_interior_positions_of_x_and_the_pars_and_an_autosome():
    # the first and last base of each PAR and the bases outside: test_pseudoautosomal_boundaries
    assert in_hemizygous_x("chrX", 8_558_874, "GRCh38")
    assert not in_hemizygous_x("chrX", 2_000_000, "GRCh38")      # PAR1 10,001-2,781,479
    assert in_hemizygous_x("X", 2_700_000, "GRCh37")             # PAR1 ends at 2,699,520
    assert not in_hemizygous_x("chrX", 155_800_000, "GRCh38")    # PAR2
    assert not in_hemizygous_x("chr18", 100, "GRCh38")


# ------------------------------------------------------------------ ploidy

ONE = """##fileformat=VCFv4.2
##contig=<ID=chr18,length=80373285>
##contig=<ID=chrX,length=156040895>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS
"""


def _one_call(tmp_path: Path, chrom: str, pos: int, sex: int, gt: str, gq: int = 99,
              build: str = "GRCh38"):
    """The call of one sample of PED sex `sex`, read from a one-record VCF."""
    (tmp_path / "one.ped").write_text(f"F S 0 0 {sex} 2\n")
    vcf = tmp_path / "one.vcf"
    vcf.write_text(ONE + f"{chrom}\t{pos}\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t{gt}:{gq}\n")
    family = read_family(tmp_path / "one.ped", "F")
    [(_, calls)] = list(family_genotypes(vcf, family, build, Thresholds(20, 0)))
    return calls["S"]


NON_PAR, PAR1, PAR2 = 8_558_874, 2_000_000, 155_800_000


@pytest.mark.parametrize(("chrom", "pos", "sex", "gt", "status", "copies", "label"), [
    # a male on X outside the PARs has one copy: haploid or diploid homozygous calls
    ("chrX", NON_PAR, 1, "1", "called", 1, "+"),
    ("chrX", NON_PAR, 1, "0", "called", 0, "-"),
    ("chrX", NON_PAR, 1, "1/1", "called", 1, "+"),
    ("chrX", NON_PAR, 1, "0/0", "called", 0, "-"),
    ("chrX", NON_PAR, 1, "1|1", "called", 1, "+"),
    ("chrX", NON_PAR, 1, "0/1", "male_het_x", None, "?"),
    ("chrX", NON_PAR, 1, ".", "no_call", None, "?"),
    # two alleles expected: a haploid call is missing (sex is never inferred from ploidy)
    ("chrX", NON_PAR, 2, "1", "haploid_unexpected", None, "?"),  # female
    ("chrX", NON_PAR, 0, "1", "haploid_unexpected", None, "?"),  # sex unknown: was +/+
    ("chrX", NON_PAR, 0, "0", "haploid_unexpected", None, "?"),  # sex unknown: was -/-
    ("chrX", PAR1, 1, "1", "haploid_unexpected", None, "?"),     # male in PAR1
    ("chrX", PAR2, 1, "0", "haploid_unexpected", None, "?"),     # male in PAR2
    ("chr18", 100, 1, "1", "haploid_unexpected", None, "?"),     # autosome
    ("chr18", 100, 2, ".", "no_call", None, "?"),                # a haploid no-call is a no-call
    # diploid where two copies are expected
    ("chrX", PAR1, 1, "1/1", "called", 2, "+/+"),
    ("chrX", PAR2, 1, "0/1", "called", 1, "+/-"),
    ("chrX", NON_PAR, 0, "1/1", "called", 2, "+/+"),
    ("chrX", NON_PAR, 2, "0/1", "called", 1, "+/-"),
    # more than two alleles: missing, whoever and wherever
    ("chr18", 100, 2, "0/1/1", "polyploid", None, "?"),
    ("chr18", 100, 1, "0/0/0", "polyploid", None, "?"),
    ("chrX", NON_PAR, 1, "1/1/1", "polyploid", None, "?"),
    ("chrX", NON_PAR, 2, "0/./1", "polyploid", None, "?"),
])
def test_ploidy_rules(tmp_path, chrom, pos, sex, gt, status, copies, label):
    genotype = _one_call(tmp_path, chrom, pos, sex, gt)
    assert (genotype.status, genotype.copies, genotype.label, genotype.gt) == (
        status, copies, label, gt)
    assert genotype.missing is (copies is None)
    assert genotype.hemizygous is (chrom == "chrX" and pos == NON_PAR and sex == 1)


def test_quality_is_checked_on_haploid_calls_too(tmp_path):
    genotype = _one_call(tmp_path, "chrX", NON_PAR, 1, "1", gq=5)
    assert (genotype.status, genotype.missing, genotype.hemizygous) == ("low_gq", True, True)
    # the ploidy problem is the one reported when a call has both
    assert _one_call(tmp_path, "chr18", 100, 2, "1", gq=5).status == "haploid_unexpected"


def test_unsequenced_males_carry_the_ploidy_of_the_locus(tmp_path):
    ped = tmp_path / "fam.ped"
    ped.write_text("F S 0 0 2 2\nF M 0 0 1 1\nF D 0 0 2 1\n")
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(ONE + f"chrX\t{NON_PAR}\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t0/1:99\n"
                         f"chrX\t{PAR1}\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t0/1:99\n")
    family = read_family(ped, "F")
    [(_, non_par), (_, par)] = list(family_genotypes(vcf, family, "GRCh38", Thresholds()))
    assert non_par["M"].status == "not_sequenced" and non_par["M"].hemizygous
    assert not non_par["D"].hemizygous
    assert par["M"].status == "not_sequenced" and not par["M"].hemizygous


# GRC assembly reports: GRCh38 PAR1 chrX:10,001-2,781,479, PAR2 155,701,383-156,030,895;
# GRCh37 PAR1 60,001-2,699,520, PAR2 154,931,044-155,260,560.
GRC_PARS = {"GRCh38": ((10_001, 2_781_479), (155_701_383, 156_030_895)),
            "GRCh37": ((60_001, 2_699_520), (154_931_044, 155_260_560))}
EDGES = [(build, pos, inside)
         for build, pars in GRC_PARS.items() for lo, hi in pars
         for pos, inside in ((lo - 1, False), (lo, True), (lo + 1, True),
                             (hi - 1, True), (hi, True), (hi + 1, False))]


@pytest.mark.parametrize(("build", "pos", "in_par"), EDGES)
def test_pseudoautosomal_boundaries(tmp_path, build, pos, in_par):
    assert in_hemizygous_x("chrX", pos, build) is not in_par
    assert in_hemizygous_x("X", pos, build) is not in_par
    # the same edge through a VCF: a male's haploid call is hemizygous outside, missing inside
    genotype = _one_call(tmp_path, "chrX", pos, 1, "1", build=build)
    assert genotype.status == ("haploid_unexpected" if in_par else "called")
    assert genotype.hemizygous is not in_par


def test_qc_notes_say_in_plain_words_why_calls_were_missing():
    notes = genotype_qc_notes({
        "A": {"called": 10, "haploid_unexpected": 1, "polyploid": 0, "male_het_x": 0},
        "B": {"called": 3, "haploid_unexpected": 2, "polyploid": 1, "male_het_x": 4},
        "C": {"called": 5, "low_gq": 2}})
    assert notes == [
        "A: 1 haploid call (one allele) where two alleles are expected (a female, a member of "
        "unknown sex, an autosome or a pseudo-autosomal region); sex is never inferred from "
        "ploidy, so check the PED sex or the caller's ploidy settings; read as missing",
        "B: 4 heterozygous calls on X outside the pseudo-autosomal regions in a male, who has "
        "one X there; read as missing",
        "B: 2 haploid calls (one allele) where two alleles are expected (a female, a member of "
        "unknown sex, an autosome or a pseudo-autosomal region); sex is never inferred from "
        "ploidy, so check the PED sex or the caller's ploidy settings; read as missing",
        "B: 1 call of more than two alleles (e.g. 0/1/1), which the models do not describe; "
        "read as missing",
    ]


def test_depths_and_qualities_declared_as_text_or_float_are_read_as_numbers(tmp_path):
    """A header may declare DP, GQ or AD as String or Float (some callers do); their values
    are compared with the integer thresholds all the same: DP 7.9 < 8 fails, 8.0 passes,
    GQ '19.5' < 20 fails; AD '4,4' sums to DP 8 when DP is absent."""
    header = HEADER.replace("ID=DP,Number=1,Type=Integer", "ID=DP,Number=1,Type=Float") \
        .replace("ID=GQ,Number=1,Type=Integer", "ID=GQ,Number=1,Type=String") \
        .replace("ID=AD,Number=R,Type=Integer", "ID=AD,Number=R,Type=String")
    ped = tmp_path / "fam.ped"
    ped.write_text(PED)
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(header + "chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD:DP:GQ\t"
                   "0/1:4,4:7.9:99\t0/1:4,4:8.0:99\t0/1:4,4:9:19.5\t0/1:4,4:.:20\t"
                   "0/1:.:.:20\t0/0:.:.:.\n")
    [(_, calls)] = list(family_genotypes(vcf, read_family(ped, "FAM"), "GRCh38",
                                         Thresholds(20, 8)))
    assert [calls[p].status for p in ("P1", "P2", "C1", "C2", "C3")] == \
        ["low_dp", "called", "low_gq", "called", "called"]
    assert calls["C2"].dp == 8 and calls["C2"].ad == (4, 4)


def test_a_depth_that_is_not_a_number_is_one_error_naming_the_file_record_and_sample(tmp_path):
    header = HEADER.replace("ID=DP,Number=1,Type=Integer", "ID=DP,Number=1,Type=String")
    ped = tmp_path / "fam.ped"
    ped.write_text(PED)
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(header + "chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:deep\t0/0:9\t"
                   "0/0:9\t0/0:9\t0/0:9\t0/0:9\n")
    with pytest.raises(VcfError) as error:
        list(family_genotypes(vcf, read_family(ped, "FAM"), "GRCh38", Thresholds(20, 8),
                              source="user.vcf"))
    assert str(error.value).startswith("user.vcf, record chr18:100: sample P1: FORMAT/DP is "
                                       "'deep', not a number")


# ------------------------------------------------------------------ records and what is kept

ORIGIN_INFO = ('##INFO=<ID=CMMVAR_ORIGIN,Number=1,Type=String,Description="Input record">\n')


def _read(tmp_path: Path, header: str, body: str, source=None):
    ped = tmp_path / "fam.ped"
    ped.write_text(PED)
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(header + body)
    return vcf, list(family_genotypes(vcf, read_family(ped, "FAM"), "GRCh38",
                                      Thresholds(20, 8), source=source))


@pytest.mark.parametrize("alt", ["G,T", "."])
def test_a_record_that_is_not_biallelic_is_one_error_naming_the_file_and_record(tmp_path, alt):
    with pytest.raises(VcfError) as error:
        _read(tmp_path, HEADER, f"chr18\t100\t.\tA\t{alt}\t50\tPASS\t.\tGT\t"
                                + "\t".join(["0/1"] * 6) + "\n")
    assert str(error.value) == (f"{tmp_path / 'calls.vcf'}, record chr18:100: record is not "
                                "biallelic; normalise the VCF first")


def test_a_malformed_record_names_the_file_and_line(tmp_path):
    with pytest.raises(VcfError) as error:
        _read(tmp_path, HEADER, "chr18\tabc\t.\tA\tG\t50\tPASS\t.\tGT\t"
                                + "\t".join(["0/1"] * 6) + "\n")
    assert str(error.value).startswith(f"{tmp_path / 'calls.vcf'}, line 9: malformed record")


def test_the_input_record_of_a_normalised_record_is_kept(tmp_path):
    """normalise.py writes CMMVAR_ORIGIN (chrom:pos:ref:alts of the user's record); a record
    without it, or a VCF that does not declare it, has origin ''."""
    header = HEADER.replace("##FORMAT=<ID=GT", ORIGIN_INFO + "##FORMAT=<ID=GT")
    calls = "\tGT\t" + "\t".join(["0/1"] * 6) + "\n"
    _, read = _read(tmp_path, header,
                    "chr18\t100\t.\tA\tG\t50\tPASS\tCMMVAR_ORIGIN=chr18:99:CA:CG|C" + calls
                    + "chr18\t200\t.\tA\tG\t50\tPASS\t." + calls)
    assert [variant for variant, _ in read] == [
        Variant("chr18", 100, "A", "G", "chr18:99:CA:CG|C"), Variant("chr18", 200, "A", "G", "")]
    _, read = _read(tmp_path, HEADER, "chr18\t100\t.\tA\tG\t50\tPASS\t." + calls)
    assert read[0][0] == Variant("chr18", 100, "A", "G", "")


def test_a_bad_value_on_a_normalised_record_names_the_users_file_and_record(tmp_path):
    """The user's VCF and record (chrom:pos of CMMVAR_ORIGIN), not the normalised copy's."""
    header = HEADER.replace("##FORMAT=<ID=GT", ORIGIN_INFO + "##FORMAT=<ID=GT") \
        .replace("ID=GQ,Number=1,Type=Integer", "ID=GQ,Number=1,Type=String")
    with pytest.raises(VcfError) as error:
        _read(tmp_path, header, "chr18\t100\t.\tA\tG\t50\tPASS\tCMMVAR_ORIGIN=chr18:99:CA:CG|C"
              "\tGT:GQ\t0/1:good\t" + "\t".join(["0/1:99"] * 5) + "\n", source="user.vcf")
    assert str(error.value) == (
        "user.vcf, record chr18:99: sample P1: FORMAT/GQ is 'good', not a number (GQ, DP and "
        "AD must be numbers (declare them Type=Integer in the header) or '.')")


@pytest.mark.parametrize(("chrom", "sex_of", "gt", "status", "copies", "hemizygous"), [
    ("chr18", "P1", "0/1", "called", 1, False),
    ("chrX", "P1", "1/1", "called", 1, True),     # a male's X
    ("chr18", "P1", "0/1", "low_gq", None, False),
    ("chrX", "P1", "0/1", "male_het_x", None, True),
])
def test_every_call_keeps_its_gt_gq_dp_and_ad(tmp_path, chrom, sex_of, gt, status, copies,
                                             hemizygous):
    """What report.json shows per sample: the call's own GT, GQ, DP and AD, called or not."""
    gq = 5 if status == "low_gq" else 60
    record = (f"{chrom}\t8558874\t.\tA\tG\t50\tPASS\t.\tGT:AD:DP:GQ\t{gt}:3,9:12:{gq}\t"
              + "\t".join(["0/0:10,0:10:99"] * 5))
    _, _, calls = _family_and_calls(tmp_path, record)
    assert calls[sex_of] == Genotype(copies, status, gt, gq, 12, (3, 9), hemizygous)


@pytest.mark.parametrize(("declared", "value", "ad", "dp"), [
    ("Number=R,Type=Integer", "4,3", (4, 3), 7),
    ("Number=1,Type=Integer", "7", (7,), 7),      # pysam gives the int 7
    ("Number=1,Type=String", "7", (7,), 7),       # pysam gives the text '7'
    ("Number=1,Type=String", "4,4", (4, 4), 8),   # htslib makes AD Number=R: a tuple
    ("Number=.,Type=Float", "5.0,4.0", (5, 4), 9),
    ("Number=1,Type=String", ".", (None,), None),
])
def test_allele_depths_however_the_header_declares_them(tmp_path, declared, value, ad, dp):
    """AD is read as integers whatever its declared Number and Type; with no DP, the depth
    compared with min_dp (8) is their sum (7 fails, 8 and 9 pass)."""
    header = HEADER.replace("ID=AD,Number=R,Type=Integer", f"ID=AD,{declared}")
    _, read = _read(tmp_path, header, "chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD:GQ\t"
                    f"0/1:{value}:99\t" + "\t".join(["0/0:.:99"] * 5) + "\n")
    genotype = read[0][1]["P1"]
    assert (genotype.ad, genotype.dp) == (ad, dp)
    assert genotype.status == ("low_dp" if dp == 7 else "called")


def test_an_allele_depth_that_is_not_a_number_is_named_in_the_error(tmp_path):
    header = HEADER.replace("ID=AD,Number=R,Type=Integer", "ID=AD,Number=R,Type=String")
    with pytest.raises(VcfError, match=r"record chr18:100: sample P1: FORMAT/AD is 'x', not a "
                                       r"number"):
        _read(tmp_path, header, "chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:4,x\t"
              + "\t".join(["0/0:9,0"] * 5) + "\n")


@pytest.mark.parametrize(("gq", "dp", "status"), [
    ("19", "30", "low_gq"), ("20", "30", "called"), ("99", "7", "low_dp"), ("99", "8", "called"),
    (".", ".", "called"),
])
def test_gq_and_dp_declared_with_any_number_of_values_use_the_first(tmp_path, gq, dp, status):
    """A header may declare GQ or DP Number=. (pysam then gives a tuple): the first value is
    compared with min_gq 20 and min_dp 8, at and just below each."""
    header = HEADER.replace("ID=GQ,Number=1", "ID=GQ,Number=.").replace("ID=DP,Number=1",
                                                                        "ID=DP,Number=.")
    _, read = _read(tmp_path, header, f"chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:GQ:DP\t0/1:{gq}:{dp}"
                    + "\t0/0:99:30" * 5 + "\n")
    genotype = read[0][1]["P1"]
    assert genotype.status == status
    assert (genotype.gq, genotype.dp) == (None if gq == "." else int(gq),
                                          None if dp == "." else int(dp))


def test_a_sample_without_gt_is_a_no_call_written_as_a_dot(tmp_path):
    _, read = _read(tmp_path, HEADER, "chr18\t100\t.\tA\tG\t50\tPASS\t.\tGQ:DP\t"
                    + "\t".join(["99:30"] * 6) + "\n")
    assert read[0][1]["P1"] == Genotype(None, "no_call", ".", 99, 30, None, False)


def test_a_joint_vcf_is_read_for_the_family_s_samples_only(tmp_path):
    """Only the family's samples are decoded: another family's malformed column (here 8
    fields for a 2-field FORMAT, which htslib refuses to parse) does not stop this family,
    whose own calls are read as written; members absent from the VCF are not sequenced."""
    ped = tmp_path / "fam.ped"
    ped.write_text("F a 0 0 1 2\nF b 0 0 2 1\n")
    vcf = tmp_path / "joint.vcf"
    vcf.write_text(HEADER.replace("\tP1\tP2\tC1\tC2\tC3\tC4", "\ta\tother")
                   + "chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t0/1:50\t0/1/2/3:x:4:5:6:7:8:9\n")
    [(_, calls)] = list(family_genotypes(vcf, read_family(ped, "F"), "GRCh38", Thresholds(20, 0)))
    assert calls == {"a": Genotype(1, "called", "0/1", 50), "b": Genotype(None, "not_sequenced")}
