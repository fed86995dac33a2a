"""One streaming pass for several families of a joint VCF (genotypes.batch_genotypes, used by
rule segregate_*): each family gets the calls pysam gives for its own samples, and a message or
error about one family reaches that family's log only (scripting.run_logged_families)."""

from __future__ import annotations

import logging

import pysam
import pytest

from cmmvar.errors import PedigreeError, VcfError
from cmmvar.io.ped_file import read_ped
from cmmvar.scripting import log, run_logged_families
from cmmvar.segregate.genotypes import Thresholds, batch_genotypes, call, in_hemizygous_x

PED = """\
A A1 0 0 1 2
A A2 0 0 2 1
A A3 A1 A2 1 2
B B1 0 0 1 1
B B2 0 0 2 2
B B3 B1 B2 2 2
"""
HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr18,length=80373285>
##contig=<ID=chrX,length=156040895>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tB1\tOUT\tA1\tA2\tB2\tA3
"""
# Columns B1 OUT A1 A2 B2 A3 (B3 is not sequenced); the same texts recur across samples and
# records, with different meanings on a male's X, which the cache must keep apart.
RECORDS = [
    "chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD:DP:GQ\t"
    "0/0:30,0:30:99\t0/1:5,5:10:99\t0/1:15,15:30:99\t0/0:30,0:30:99\t0/0:3,0:3:99\t./.:.:.:.",
    "chr18\t200\t.\tC\tT\t50\tPASS\t.\tGT:AD:DP:GQ\t"
    "0/1:15,15:30:99\t0/0:30,0:30:99\t0/0:30,0:30:99\t0/1:15,15:30:99\t0/1:15,15:30:10\t"
    "0/0:30,0:30:99",
    "chrX\t8731878\t.\tA\tT\t50\tPASS\t.\tGT:AD:DP:GQ\t"
    "0/1:15,15:30:99\t0/1:15,15:30:99\t1/1:0,30:30:99\t0/1:15,15:30:99\t0/1:15,15:30:99\t"
    "0:20,0:20:99",
    "chrX\t8731900\t.\tA\tT\t50\tPASS\t.\tGT:AD:DP\t1:0,20:20\t0/0:20,0:20\t0:20,0:20\t"
    "0/0:20,0:20\t./.:.:.\t1:0,9:9",
]


@pytest.fixture
def cohort(tmp_path):
    ped = tmp_path / "cohort.ped"
    ped.write_text(PED)
    vcf = tmp_path / "cohort.vcf"
    vcf.write_text(HEADER + "\n".join(RECORDS) + "\n")
    families = read_ped(ped)
    return vcf, [families["A"], families["B"]]


def calls_as_pysam_reads_them(vcf, families, thresholds):
    """Every sample's call read by pysam from the whole VCF, one sample at a time (no sample
    subset, no cache), per record and family."""
    expected = []
    with pysam.VariantFile(str(vcf)) as whole:
        samples = set(whole.header.samples)
        for record in whole:
            hemi = in_hemizygous_x(record.chrom, record.pos, "GRCh38")
            expected.append([
                {ind.id: call(record.samples[ind.id], thresholds,
                              hemi and ind.sex.name == "MALE")
                 for ind in family.individuals if ind.id in samples}
                for family in families])
    return expected


def test_each_family_gets_the_calls_pysam_reads_for_its_members(cohort):
    """Expected: calls_as_pysam_reads_them; B3, not in the VCF, is not sequenced."""
    vcf, families = cohort
    thresholds = Thresholds(20, 8)
    expected = calls_as_pysam_reads_them(vcf, families, thresholds)
    got = list(batch_genotypes(vcf, families, "GRCh38", thresholds))
    assert len(got) == len(expected) == 4
    for (_, per_family), want in zip(got, expected, strict=True):
        a, b = per_family
        assert set(a) == {"A1", "A2", "A3"} and set(b) == {"B1", "B2", "B3"}
        assert b["B3"].status == "not_sequenced"
        assert {pid: a[pid] for pid in want[0]} == want[0]
        assert {pid: b[pid] for pid in want[1]} == want[1]
    # the same text 0/1:15,15:30:99 is a het call for a woman and missing for a man on X
    (_, (a, b)) = got[2]
    assert a["A2"].copies == 1 and b["B1"].status == "male_het_x"
    assert b["B3"].hemizygous is False and a["A1"].hemizygous is True


def test_a_space_inside_an_info_value_does_not_shift_the_sample_columns(cohort, tmp_path):
    """VCF columns are split at tabs only: an INFO string may hold spaces (htslib keeps
    them). Split at any whitespace, chr18:200's A2 (0/1) would be looked up by A1's text
    (0/0) in the call cache and read as a non-carrier."""
    vcf, families = cohort
    spaced = tmp_path / "spaced.vcf"
    spaced.write_text(vcf.read_text()
                      .replace("##FORMAT=<ID=GT,", '##INFO=<ID=NOTE,Number=1,Type=String,'
                               'Description="Free text">\n##FORMAT=<ID=GT,', 1)
                      .replace("\tPASS\t.\t", "\tPASS\tNOTE=two words\t"))
    thresholds = Thresholds(20, 8)
    expected = calls_as_pysam_reads_them(spaced, families, thresholds)
    got = [per_family for _, per_family in batch_genotypes(spaced, families, "GRCh38",
                                                           thresholds)]
    assert [[{pid: calls[pid] for pid in want} for calls, want in zip(row, wanted, strict=True)]
            for row, wanted in zip(got, expected, strict=True)] == expected
    assert got[1][0]["A2"].copies == 1  # the case above


def test_the_same_column_text_under_another_format_is_read_anew(cohort, tmp_path):
    """The call cache is keyed by FORMAT as well as the column's text: '0/1:5:30' is GQ 5
    (low_gq) under GT:GQ:DP and DP 5 (low_dp) under GT:DP:GQ (min_gq 20, min_dp 8). The
    first sample column is the same in both records, so a key on it instead of FORMAT would
    hand the second record the first one's call."""
    vcf, families = cohort
    same = "\t".join(["0/1:5:30"] * 6)
    two = tmp_path / "two_formats.vcf"
    two.write_text(HEADER + f"chr18\t100\t.\tA\tG\t50\tPASS\t.\tGT:GQ:DP\t{same}\n"
                   f"chr18\t200\t.\tC\tT\t50\tPASS\t.\tGT:DP:GQ\t{same}\n")
    got = [per_family for _, per_family in batch_genotypes(two, families, "GRCh38",
                                                           Thresholds(20, 8))]
    assert [got[0][0]["A1"].status, got[1][0]["A1"].status] == ["low_gq", "low_dp"]
    expected = calls_as_pysam_reads_them(two, families, Thresholds(20, 8))
    assert [[{pid: calls[pid] for pid in want} for calls, want in zip(row, wanted, strict=True)]
            for row, wanted in zip(got, expected, strict=True)] == expected


def test_a_bad_value_is_tagged_with_the_family_of_the_sample(cohort, tmp_path):
    vcf, families = cohort
    text = vcf.read_text().replace("ID=DP,Number=1,Type=Integer", "ID=DP,Number=1,Type=String")
    bad = tmp_path / "bad.vcf"
    bad.write_text(text.replace("0/0:3,0:3:99", "0/0:3,0:deep:99"))  # B2 at chr18:100
    with pytest.raises(VcfError) as error:
        list(batch_genotypes(bad, families, "GRCh38", Thresholds(), source="user.vcf"))
    assert str(error.value).startswith("user.vcf, record chr18:100: sample B2: FORMAT/DP is "
                                       "'deep', not a number")
    assert error.value.family == "B"


def test_a_familys_messages_and_error_reach_its_log_only(tmp_path, capsys):
    """Tagged messages go to their family's log, untagged ones to every log, and a user
    error tagged with family B to B's log (and one line on the console)."""
    logs = {"A": tmp_path / "A.log", "B": tmp_path / "B.log"}

    def main():
        log.info("batch of 2 families")
        log.warning("A: pedigree note on A1", extra={"family": "A"})
        error = PedigreeError("family 'B' has no affected member", path="B.ped")
        error.family = "B"
        raise error

    with pytest.raises(SystemExit) as stop:
        run_logged_families(main, {family: str(path) for family, path in logs.items()})
    assert stop.value.code == 1
    a, b = logs["A"].read_text(), logs["B"].read_text()
    assert "batch of 2 families" in a and "batch of 2 families" in b
    assert "A1" in a and "A1" not in b
    assert "no affected member" in b and "no affected member" not in a
    assert capsys.readouterr().err == "cmmvar: error: B.ped: family 'B' has no affected member\n"
    assert not logging.getLogger("cmmvar").handlers  # closed and removed
