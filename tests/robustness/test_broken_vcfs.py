"""Hand-made VCFs, most of them broken, through `cmmvar extract` and `cmmvar segregate`.

Each case writes its file and states its expected outcome: a result (for segregate, the rows
written here by hand where the ploidy or allele rules matter, otherwise those of the
independent counter in harness.py, from bcftools) or one named error. `bcftools view` (htslib
1.16) reads every case expected to give a result; the cases it refuses (truncated bgzip, BOM,
no #CHROM line, duplicate samples) must give one clear error. One expectation deliberately
differs from `bcftools view`, which reads the file without complaint: a POS with trailing junk
is an error (htslib reads `10001x0` as 10001, a silently wrong position). An index older than
its file, whose records are now out of order, must not be trusted for region queries: the
extraction is complete and a note names the index. test_bcftools_verdict_is_as_written checks
the premises.

The family (PED written by the test): FATHER (male, affected) and MOTHER (female, unaffected),
parents of SON (male, affected) and DAUGHTER (female, phenotype unknown). Quality thresholds are
off (--min-gq 0 --min-dp 0). Rows: (chrom, pos, ref, alt) then carriers, non-carriers and
missing among the affected, the unaffected and the unknown.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.harness import (
    Result,
    bcftools_reads,
    check,
    check_extract_result,
    expected_rows,
    extract_argv,
    rows_problem,
    segregate_argv,
    write_panel,
    write_ped,
)
from tests.robustness.helpers.broken_vcfs import CASES, MEMBERS, SPANS, Case

PARENTS = [("0", "0"), ("0", "0"), ("FATHER", "MOTHER"), ("FATHER", "MOTHER")]
# ------------------------------------------------------------------ the cases

IDS = [case.name for case in CASES]


def make_input(case: Case, tmp_path: Path) -> Path:
    folder = tmp_path / "input"
    folder.mkdir()
    return case.make(folder)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_extract(case: Case, tmp_path: Path):
    vcf = make_input(case, tmp_path)
    panel = write_panel(tmp_path / "panel.tsv", SPANS)
    out = tmp_path / "out" / "extracted.vcf.gz"
    check(f"hand-made {case.name}", "extract", extract_argv(vcf, panel, out, "GRCh38"),
          tmp_path, out, case.extract, vcf, verify=lambda: check_extract_result(vcf, out))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_segregate(case: Case, tmp_path: Path):
    vcf = make_input(case, tmp_path)
    ped = write_ped(tmp_path / "family.ped", MEMBERS, PARENTS)
    out = tmp_path / "out" / "segregation.tsv"
    expect = case.segregate

    def verify():
        rows = expect.rows if expect.rows is not None else expected_rows(vcf, MEMBERS, "GRCh38")
        return rows_problem(rows, out)

    check(f"hand-made {case.name}", "segregate",
          segregate_argv(vcf, ped, out, "GRCh38", case.inheritance), tmp_path, out, expect, vcf,
          verify=verify)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bcftools_verdict_is_as_written(case: Case, tmp_path: Path):
    """The premise of each expectation: bcftools view reads the file, or refuses it."""
    readable, complaint = bcftools_reads(make_input(case, tmp_path))
    assert readable == case.bcftools_reads, complaint


@pytest.mark.parametrize("case", [c for c in CASES if c.bcftools_reads
                                  and isinstance(c.segregate, Result)
                                  and c.segregate.rows is not None], ids=lambda c: c.name)
def test_hand_counts_agree_with_the_counter(case: Case, tmp_path: Path):
    """Rows written by hand and rows of the bcftools-based counter check each other."""
    vcf = make_input(case, tmp_path)
    assert expected_rows(vcf, MEMBERS, "GRCh38") == case.segregate.rows
