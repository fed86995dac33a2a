"""The cohort's annotated VCF: one sites-only record per candidate variant with the
cohort-wide Bayes factor, naming no sample and no family."""

from __future__ import annotations

import json
import math
import subprocess
import urllib.parse

import pysam

from cmmvar.report.cohort_vcf import COHORT_VCF, write_cohort_vcf
from cmmvar.segregate.segregation import settings_from_config


def candidate(pos: int, flb: float | None, meioses: int | None, **cells) -> dict:
    """A report.json candidate with the cells the cohort VCF reads."""
    row = {"chrom": "chr18", "pos": pos, "ref": "G", "alt": "C", "gene": "DCC",
           "transcript": "ENST00000442544.7", "consequence": "missense_variant",
           "impact": "MODERATE", "hgvs_c": "c.153G>C", "hgvs_p": "p.(Gln51His)",
           "gnomad_af": "", "gnomad_grpmax_af": "", "clinvar_significance": "",
           "clinvar_review_status": "", "clinvar_id": "", "inheritance": "AD",
           "tier": "core", "exon": "2/29", "intron": "",
           "gene_model": {"ensembl_gene": "ENSG00000187323"},
           "segregation": {"flb": flb, "log10_flb": None if flb is None else math.log10(flb),
                           "meioses": meioses}}
    return {**row, **cells}


def write_reports(tmp_path, families: dict[str, list[dict]]) -> dict[str, str]:
    paths = {}
    for family, items in families.items():
        path = tmp_path / f"{family}.json"
        path.write_text(json.dumps({"candidates": items}))
        paths[family] = str(path)
    return paths


def query(path, fmt: str) -> list[list[str]]:
    out = subprocess.run(["bcftools", "query", "-f", fmt, str(path)], capture_output=True,
                         text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def test_a_variant_in_two_families_gets_the_product_of_their_bayes_factors(tmp_path):
    """FAM_A and FAM_B share chr18:52340409 with FLB 2 and 3: the cohort FLB is 2 x 3 = 6,
    log10 6 = 0.7782, PP1 moderate (4.33 <= 6 < 18.7), meioses 2 + 3 = 5, 2 families.
    FAM_C's other variant has no defined FLB: no cohort FLB, PP1 none, 1 family."""
    reports = write_reports(tmp_path, {
        "FAM_A": [candidate(52340409, 2.0, 2,
                            clinvar_significance="Uncertain significance")],
        "FAM_B": [candidate(52340409, 3.0, 3,
                            clinvar_significance="Uncertain significance")],
        "FAM_C": [candidate(52340100, None, None, hgvs_c="c.10G>C")]})
    out = tmp_path / "cohort" / COHORT_VCF
    write_cohort_vcf(reports, settings_from_config({}), "GRCh38", out)
    rows = query(out, "%POS\t%CMMVAR_COHORT_FAMILIES\t%CMMVAR_COHORT_FLB\t"
                      "%CMMVAR_COHORT_LOG10_FLB\t%CMMVAR_COHORT_PP1\t%CMMVAR_COHORT_MEIOSES\t"
                      "%CMMVAR_HGVS_C\t%CMMVAR_CLINVAR\n")
    assert rows[0] == ["52340100", "1", ".", ".", "none", ".", "c.10G>C", "."]
    pos, families, flb, log10, pp1, meioses, hgvs_c, clinvar = rows[1]
    assert (pos, families, pp1, meioses, hgvs_c) == ("52340409", "2", "moderate", "5",
                                                     "c.153G>C")
    assert float(flb) == 6.0 and float(log10) == 0.7782
    assert urllib.parse.unquote(clinvar) == "Uncertain significance"
    assert len(rows) == 2


def test_the_cohort_vcf_is_sites_only_and_names_no_family(tmp_path):
    reports = write_reports(tmp_path, {"FAM_A": [candidate(52340409, 2.0, 2)],
                                       "FAM_B": [candidate(52340409, 3.0, 3)]})
    out = tmp_path / COHORT_VCF
    write_cohort_vcf(reports, settings_from_config({}), "GRCh38", out)
    view = subprocess.run(["bcftools", "view", str(out)], capture_output=True, text=True,
                          check=True)
    assert view.stderr == ""
    assert "FAM_A" not in view.stdout and "FAM_B" not in view.stdout
    with pysam.VariantFile(str(out)) as vcf:
        assert list(vcf.header.samples) == []
        assert "FORMAT" not in str(vcf.header).splitlines()[-1]
        [record] = list(vcf.fetch("chr18", 52340400, 52340410))
        assert record.info["CSQ"] == ("C|missense_variant|MODERATE|DCC|ENSG00000187323|"
                                      "Transcript|ENST00000442544.7|2/29||"
                                      "ENST00000442544.7:c.153G>C|p.(Gln51His)",)
