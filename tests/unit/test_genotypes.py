"""Calls and counts: quality failures and no-calls are missing (never non-carriers),
homozygous carriers are told apart, males are hemizygous on X outside the PARs."""

from __future__ import annotations

from pathlib import Path

from cmmvar.genotypes import Thresholds, family_genotypes, in_hemizygous_x
from cmmvar.pedigree import read_family
from cmmvar.segregation import Counts, count

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


def test_pseudoautosomal_region_is_diploid_in_males():
    assert in_hemizygous_x("chrX", 8_558_874, "GRCh38")
    assert not in_hemizygous_x("chrX", 2_000_000, "GRCh38")      # PAR1 10,001-2,781,479
    assert in_hemizygous_x("X", 2_700_000, "GRCh37")             # PAR1 ends at 2,699,520
    assert not in_hemizygous_x("chrX", 155_800_000, "GRCh38")    # PAR2
    assert not in_hemizygous_x("chr18", 100, "GRCh38")
