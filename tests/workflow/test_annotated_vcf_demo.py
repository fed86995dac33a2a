"""Each demo family's annotated VCF (families/<family>/<family>.vcf.gz) read by bcftools
says what its candidates.tsv says, parses without a warning and holds only the family's
members (issue 17: `bcftools query -f` gives the TSV's gene, HGVS, FLB, PP1/BS4 and ACMG)."""

from __future__ import annotations

import subprocess
import urllib.parse

import pandas as pd
import pytest

from tests.workflow.helpers.confidentiality import FAMILIES, members
from tests.workflow.helpers.demo import candidates

QUERY = "%CHROM\t%POS\t%REF\t%ALT\t%CMMVAR_GENE\t%CMMVAR_HGVS_C\t%CMMVAR_HGVS_P\t" \
        "%CMMVAR_FLB\t%CMMVAR_PP1\t%CMMVAR_BS4\t%CMMVAR_ACMG\t%CMMVAR_RANK\n"


def bcftools(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bcftools", *args], capture_output=True, text=True, check=True)


def cell(value: str) -> str:
    """A bcftools query value as the TSV writes it: . for absent, percent-decoded."""
    return "" if value == "." else urllib.parse.unquote(value)


@pytest.mark.parametrize("family", FAMILIES)
def test_bcftools_query_gives_every_candidate_as_candidates_tsv_has_it(shared_demo, family):
    table = candidates(shared_demo, family)
    assert len(table), f"{family} has candidates in the demo"
    # a compound-heterozygous pair's row (two variants) has no VCF record; its members do
    table = table[table.compound_het_with == ""]
    path = shared_demo / "families" / family / f"{family}.vcf.gz"
    got = {}
    for line in bcftools("query", "-f", QUERY, str(path)).stdout.splitlines():
        chrom, pos, ref, alt, *values = line.split("\t")
        got[(chrom, int(pos), ref, alt)] = values
    assert set(got) == {(r.chrom, r.pos, r.ref, r.alt) for r in table.itertuples()}
    for row in table.itertuples():
        gene, hgvs_c, hgvs_p, flb, pp1, bs4, acmg, rank = got[(row.chrom, row.pos, row.ref,
                                                                row.alt)]
        assert (cell(gene), cell(hgvs_c), cell(hgvs_p)) == (row.gene, row.hgvs_c, row.hgvs_p)
        assert (cell(pp1), cell(bs4)) == (row.pp1, row.bs4)
        assert [cell(code) for code in acmg.split(",")] == row.acmg_codes.split(";")
        assert cell(rank) == str(row.rank)
        if row.flb == "":
            assert flb == "."
        else:
            assert float(flb) == pytest.approx(float(row.flb), rel=1e-6)


@pytest.mark.parametrize("family", FAMILIES)
def test_bcftools_reads_the_family_vcf_without_warning_and_it_names_only_members(
        shared_demo, family):
    path = shared_demo / "families" / family / f"{family}.vcf.gz"
    view = bcftools("view", str(path))
    assert view.stderr == ""
    samples = bcftools("query", "-l", str(path)).stdout.split()
    assert samples and set(samples) <= members(family)
    assert (shared_demo / "families" / family / f"{family}.vcf.gz.tbi").is_file()


def test_cohort_vcf_holds_each_cohort_variant_with_its_cohort_flb_and_no_one(shared_demo):
    table = pd.read_csv(shared_demo / "cohort_variants.tsv", sep="\t", keep_default_na=False)
    path = shared_demo / "cohort_candidates.vcf.gz"
    assert bcftools("view", str(path)).stderr == ""
    assert bcftools("query", "-l", str(path)).stdout == ""  # sites only
    got = {}
    for line in bcftools("query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%CMMVAR_COHORT_FLB\t"
                                        "%CMMVAR_COHORT_FAMILIES\n", str(path)).stdout.split("\n"):
        if line:
            chrom, pos, ref, alt, flb, families = line.split("\t")
            got[(chrom, int(pos), ref, alt)] = (flb, int(families))
    assert set(got) == {(r.chrom, r.pos, r.ref, r.alt) for r in table.itertuples()}
    for row in table.itertuples():
        flb, families = got[(row.chrom, row.pos, row.ref, row.alt)]
        assert families == row.cohort_families
        if row.cohort_flb == "":
            assert flb == "."
        else:
            assert float(flb) == pytest.approx(float(row.cohort_flb), rel=1e-6)
    text = bcftools("view", str(path)).stdout
    assert not any(family in text for family in FAMILIES)
