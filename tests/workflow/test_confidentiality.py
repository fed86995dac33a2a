"""A family's outputs and the logs of its jobs name only that family's members: the demo's
CONS1 and XL1 share test_data/vcf/cohort.vcf.gz, which also holds UNRELATED_1; each family's
files count the other samples, never name them, and name no other family."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pysam
import pytest

from tests.workflow.helpers.confidentiality import FAMILIES, members
from tests.workflow.helpers.demo import ROOT

SHARED_VCF = ROOT / "test_data/vcf/cohort.vcf.gz"
def vcf_samples() -> set[str]:
    with pysam.VariantFile(str(SHARED_VCF)) as vcf:
        return set(vcf.header.samples)


def family_files(results: Path, family: str) -> list[Path]:
    """Every output of the family and every file its jobs wrote (logs, benchmarks, work)."""
    files = sorted(p for p in (results / "families" / family).rglob("*") if p.is_file())
    files += [results / "logs" / stage / f"{family}.log" for stage in ("segregate", "report")]
    files += sorted(p for p in (results / "work").rglob(f"{family}*") if p.is_file())
    files += sorted(p for p in (results / "benchmarks").rglob(f"{family}*") if p.is_file())
    return files


def named(text: str, words: set[str]) -> set[str]:
    return {w for w in words if re.search(rf"(?<![A-Za-z0-9_]){re.escape(w)}(?![A-Za-z0-9_])",
                                          text)}


def test_the_demo_shares_a_vcf_between_two_families_and_an_unrelated_sample():
    """The premise: without shared samples this module would prove nothing."""
    samples = vcf_samples()
    assert samples == (members("CONS1") & samples) | (members("XL1") & samples) | {"UNRELATED_1"}
    assert len(vcf_samples() - members("CONS1")) == 6  # XL_F, XL_M, XL_S1-3, UNRELATED_1
    assert len(vcf_samples() - members("XL1")) == 7  # CON_III1-2, CON_IV1-4, UNRELATED_1


@pytest.mark.parametrize("family", ["CONS1", "XL1"])
def test_a_family_sharing_a_vcf_names_no_other_sample_or_family(shared_demo, family):
    outsiders = vcf_samples() - members(family)
    others = set(FAMILIES) - {family}
    files = family_files(shared_demo, family)
    assert {p.name for p in files} >= {"report.html", "report.json", "qc.json",
                                       "candidates.tsv", f"{family}.log"}
    assert {f"{family}.vcf.gz", f"{family}.vcf.gz.tbi"} <= {p.name for p in files}
    for path in files:
        # the annotated VCF and its index are bgzipped: read what they hold
        data = gzip.decompress(path.read_bytes()) if path.suffix in (".gz", ".tbi") \
            else path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        assert not named(text, outsiders | others), path
    qc = (shared_demo / "families" / family / "qc.json").read_text()
    assert f'"vcf_samples_not_in_ped_count": {len(outsiders)}' in qc
    html = (shared_demo / "families" / family / "report.html").read_text()
    assert ("Samples of the VCF not in the pedigree (ignored, not named here): "
            f"{len(outsiders)}.") in html
    log = (shared_demo / "logs/segregate" / f"{family}.log").read_text()
    assert f"VCF samples not in the pedigree, ignored: {len(outsiders)}" in log


def test_the_shared_vcf_jobs_log_no_sample_name(shared_demo):
    """extract, normalise and annotate run once per VCF for both families: their logs are
    nobody's family output and need no sample name."""
    for stage in ("extract", "normalise", "annotate"):
        text = (shared_demo / "logs" / stage / "cohort.log").read_text()
        assert not named(text, vcf_samples()), stage


def test_the_cohort_files_name_every_family_but_only_members_samples(shared_demo):
    """The cohort index and summary are the cohort's: families by ID, never UNRELATED_1."""
    for name in ("index.html", "cohort_summary.tsv", "cohort_variants.tsv"):
        assert not named((shared_demo / name).read_text(), {"UNRELATED_1"}), name
