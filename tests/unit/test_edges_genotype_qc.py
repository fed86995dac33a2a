"""Edges of the genotype quality rules: GQ and DP at, just below and just above their
thresholds, where DP comes from, which problem a call with several is reported under, and the
pseudo-autosomal boundaries against bcftools' own ploidy table.

Sources: DESIGN.md (Statistics: "a call failing min_gq/min_dp, or no call, is MISSING ...
never a non-carrier"; Configuration: min_gq 20, min_dp 8) and config/config.yaml; the
pseudo-autosomal regions from the GRC assembly reports (GRCh38 PAR1 chrX:10,001-2,781,479,
PAR2 155,701,383-156,030,895; GRCh37 PAR1 60,001-2,699,520, PAR2 154,931,044-155,260,560).
Every call is read from a VCF, as the workflow reads it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from cmmvar.io.ped_file import read_family
from cmmvar.segregate.genotypes import Thresholds, family_genotypes, in_hemizygous_x
from cmmvar.segregate.segregation import Counts, count

ROOT = Path(__file__).resolve().parents[2]
NON_PAR = 8_558_874  # X outside the PARs in both builds

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr18,length=80373285>
##contig=<ID=chrX,length=156040895>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
"""


def read_calls(tmp_path: Path, samples: dict[str, tuple[int, str]], fmt: str,
               thresholds: Thresholds, chrom: str = "chr18", pos: int = 100,
               build: str = "GRCh38"):
    """The calls of one record; `samples` maps each sample to (PED sex, FORMAT values),
    every sample affected."""
    ped = tmp_path / "fam.ped"
    ped.write_text("".join(f"F {sid} 0 0 {sex} 2\n" for sid, (sex, _) in samples.items()))
    columns = "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                         "FORMAT", *samples])
    values = "\t".join(v for _, v in samples.values())
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(HEADER + columns + "\n"
                   + f"{chrom}\t{pos}\t.\tA\tG\t50\tPASS\t.\t{fmt}\t{values}\n")
    family = read_family(ped, "F")
    [(_, calls)] = list(family_genotypes(vcf, family, build, thresholds))
    return family, calls


# ------------------------------------------------------------------ the defaults


def test_default_thresholds_are_the_documented_config_defaults():
    """DESIGN.md and config/config.yaml: min_gq 20, min_dp 8; the schema fills the same
    defaults, and Thresholds() (used by `cmmvar segregate` without --min-gq/--min-dp)
    agrees with both."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["filters"]
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    filters = schema["properties"]["filters"]["properties"]
    assert (config["min_gq"], config["min_dp"]) == (20, 8)
    assert (filters["min_gq"]["default"], filters["min_dp"]["default"]) == (20, 8)
    assert (Thresholds().min_gq, Thresholds().min_dp) == (20, 8)


# ------------------------------------------------------------------ GQ and DP edges


@pytest.mark.parametrize(("min_gq", "gq", "status"), [
    (20, 19, "low_gq"),   # just below: fails
    (20, 20, "called"),   # at: passes (a call fails only *below* min_gq)
    (20, 21, "called"),   # just above
    (30, 29, "low_gq"),   # a configured threshold, not the default, is the one compared
    (30, 30, "called"),
    (0, 0, "called"),     # min_gq 0 lets every call through
])
def test_gq_fails_only_strictly_below_min_gq(tmp_path, min_gq, gq, status):
    _, calls = read_calls(tmp_path, {"S": (2, f"0/1:{gq}:30")}, "GT:GQ:DP",
                          Thresholds(min_gq, 8))
    genotype = calls["S"]
    assert (genotype.status, genotype.gq) == (status, gq)
    assert genotype.copies == (None if status == "low_gq" else 1)


@pytest.mark.parametrize(("min_dp", "dp", "status"), [
    (8, 7, "low_dp"),
    (8, 8, "called"),
    (8, 9, "called"),
    (15, 14, "low_dp"),
    (15, 15, "called"),
    (0, 0, "called"),
])
def test_dp_fails_only_strictly_below_min_dp(tmp_path, min_dp, dp, status):
    _, calls = read_calls(tmp_path, {"S": (2, f"0/0:99:{dp}")}, "GT:GQ:DP",
                          Thresholds(20, min_dp))
    genotype = calls["S"]
    assert (genotype.status, genotype.dp) == (status, dp)
    assert genotype.copies == (None if status == "low_dp" else 0)


def test_a_low_quality_non_carrier_is_counted_missing_never_non_carrier(tmp_path):
    """DESIGN.md: a call failing min_gq/min_dp is MISSING, never a non-carrier. Four affected
    0/0 calls: GQ 19 and DP 7 are missing; GQ 20 / DP 8 are non-carriers."""
    _, calls = read_calls(tmp_path, {"a": (2, "0/0:19:30"), "b": (2, "0/0:99:7"),
                                     "c": (2, "0/0:20:30"), "d": (2, "0/0:99:8")},
                          "GT:GQ:DP", Thresholds(20, 8))
    family = read_family(tmp_path / "fam.ped", "F")
    assert count(family, calls) == Counts(affected_missing=2, affected_noncarriers=2)


@pytest.mark.parametrize(("ad", "dp", "status"), [
    ("4,3", 7, "low_dp"),    # no DP: the sum of AD, 7 < 8
    ("4,4", 8, "called"),    # at the threshold
    ("5,4", 9, "called"),
    ("4,.", None, "called"),  # an AD value missing: no depth is known, so none is checked
    (".", None, "called"),
])
def test_depth_from_allele_depths_when_dp_is_absent(tmp_path, ad, dp, status):
    _, calls = read_calls(tmp_path, {"S": (2, f"0/1:{ad}:99")}, "GT:AD:GQ", Thresholds(20, 8))
    assert (calls["S"].status, calls["S"].dp) == (status, dp)


def test_dp_when_present_is_the_depth_checked_not_the_allele_depths(tmp_path):
    """DP 7 fails although AD sums to 20; DP 30 passes although AD sums to 2 (callers
    filter reads differently for AD and DP; DP is the caller's depth)."""
    _, calls = read_calls(tmp_path, {"a": (2, "0/1:10,10:7:99"), "b": (2, "0/1:1,1:30:99")},
                          "GT:AD:DP:GQ", Thresholds(20, 8))
    assert (calls["a"].status, calls["a"].dp) == ("low_dp", 7)
    assert (calls["b"].status, calls["b"].dp) == ("called", 30)


def test_a_call_without_gq_or_dp_is_not_failed_on_them(tmp_path):
    """No GQ and no DP (or '.'): the thresholds have nothing to compare; the call stands."""
    _, calls = read_calls(tmp_path, {"a": (2, "0/1:.:."), "b": (2, "1/1:.:.")}, "GT:GQ:DP",
                          Thresholds(20, 8))
    assert [(calls[s].status, calls[s].copies, calls[s].gq, calls[s].dp) for s in "ab"] == [
        ("called", 1, None, None), ("called", 2, None, None)]
    _, calls = read_calls(tmp_path, {"a": (2, "0/1")}, "GT", Thresholds(20, 8))
    assert (calls["a"].status, calls["a"].copies) == ("called", 1)


# ------------------------------------------------------------------ which problem is reported


@pytest.mark.parametrize(("sex", "chrom", "pos", "value", "status"), [
    (2, "chr18", 100, "./.:5:3", "no_call"),           # no call, low GQ and DP: no call
    (2, "chr18", 100, "0/./1:5:3", "polyploid"),        # three alleles, one missing
    (2, "chr18", 100, "./1:5:3", "partial_call"),       # half call with low GQ and DP
    (2, "chr18", 100, "1:5:3", "haploid_unexpected"),   # haploid where two are expected
    (2, "chr18", 100, "0/1:5:3", "low_gq"),             # both fail: GQ is reported
    (2, "chr18", 100, "0/1:99:3", "low_dp"),
    (1, "chrX", NON_PAR, "0/1:5:30", "low_gq"),         # a male het on X with low GQ
    (1, "chrX", NON_PAR, "0/1:99:3", "low_dp"),
    (1, "chrX", NON_PAR, "0/1:99:30", "male_het_x"),
])
def test_the_first_failing_rule_names_the_status(tmp_path, sex, chrom, pos, value, status):
    """A call is read as missing for one reason, checked in this order: no call, more than
    two alleles, half call, unexpected haploid, GQ, DP, a heterozygous call on a male's single
    X. The status is what the genotype QC table counts and the report explains."""
    _, calls = read_calls(tmp_path, {"S": (sex, value)}, "GT:GQ:DP", Thresholds(20, 8),
                          chrom=chrom, pos=pos)
    assert (calls["S"].status, calls["S"].missing) == (status, True)


# ------------------------------------------------------------------ hemizygous calls count once


@pytest.mark.parametrize(("gt", "copies"), [("1", 1), ("1/1", 1), ("1|1", 1), ("0", 0),
                                            ("0/0", 0)])
def test_a_males_x_call_is_one_copy_whether_written_haploid_or_diploid(tmp_path, gt, copies):
    """A male has one X outside the PARs (DESIGN.md, genotypes.py): `1` and `1/1` are both
    one ALT copy, hemizygous, counted as a carrier and never as a homozygote; an affected
    male and his count are the same either way."""
    family, calls = read_calls(tmp_path, {"M": (1, f"{gt}:99:30")}, "GT:GQ:DP",
                               Thresholds(20, 8), chrom="chrX", pos=NON_PAR)
    genotype = calls["M"]
    assert (genotype.copies, genotype.hemizygous, genotype.homozygous) == (copies, True, False)
    assert count(family, calls) == (Counts(affected_carriers=1) if copies
                                    else Counts(affected_noncarriers=1))


def test_a_female_x_call_outside_the_pars_keeps_two_copies(tmp_path):
    family, calls = read_calls(tmp_path, {"W": (2, "1/1:99:30")}, "GT:GQ:DP",
                               Thresholds(20, 8), chrom="chrX", pos=NON_PAR)
    assert (calls["W"].copies, calls["W"].hemizygous, calls["W"].homozygous) == (2, False, True)
    assert count(family, calls) == Counts(affected_carriers=1, affected_homozygous=1)


# ------------------------------------------------------------------ PARs: bcftools' table

BCFTOOLS = shutil.which("bcftools")


def bcftools_male_haploid_x(build: str) -> list[tuple[int, int]]:
    """The male haploid intervals on X of `bcftools call --ploidy BUILD?` (its built-in
    table, written independently of cmmvar)."""
    # bcftools prints the table on stderr and exits 255, having called nothing
    table = subprocess.run([BCFTOOLS, "call", "--ploidy", f"{build}?"], capture_output=True,
                           text=True).stderr
    intervals = []
    for line in table.splitlines():
        fields = line.split()
        if fields[:1] == ["X"] and fields[3:] == ["M", "1"]:
            intervals.append((int(fields[1]), int(fields[2])))
    return intervals


# bcftools' GRCh38 table starts PAR1 at 10,000 and PAR2 at 155,701,382, one base before the
# GRC (10,001 and 155,701,383); cmmvar follows the GRC, and test_genotypes pins those edges.
# Neither build's table ends PAR2 (bcftools calls males diploid to the end of X).
BCFTOOLS_DIFFERS = {("GRCh38", 9_999 + 1), ("GRCh38", 155_701_381 + 1)}


@pytest.mark.skipif(BCFTOOLS is None, reason="Debian bcftools not installed")
@pytest.mark.parametrize("build", ["GRCh38", "GRCh37"])
def test_par_edges_agree_with_bcftools_ploidy_table(build):
    """Each end of bcftools' male haploid X intervals is hemizygous in cmmvar, and the base
    beyond it is pseudo-autosomal (except where bcftools and the GRC differ, listed)."""
    intervals = bcftools_male_haploid_x(build)
    assert len(intervals) == 2
    checked = 0
    for start, end in intervals:
        assert in_hemizygous_x("X", start, build) and in_hemizygous_x("chrX", end, build)
        for outside in (start - 1, end + 1):
            if outside < 1 or (build, outside) in BCFTOOLS_DIFFERS:
                continue
            assert not in_hemizygous_x("chrX", outside, build), outside
            checked += 1
    assert checked == (1 if build == "GRCh38" else 3)
