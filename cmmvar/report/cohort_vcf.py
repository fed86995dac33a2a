"""The cohort's annotated VCF (cohort_candidates.vcf.gz): one sites-only record per variant
that is a candidate in at least one family, with its annotation and the cohort-wide Bayes
factor (cohort_variants.tsv's values). No sample, no family ID, no per-family value.
"""

from __future__ import annotations

import json
from pathlib import Path

from cmmvar.report.annotated_vcf import INFO_FIELDS, SiteRecord, write_vcf
from cmmvar.report.cohort import combine
from cmmvar.segregate.segregation import Settings

COHORT_VCF = "cohort_candidates.vcf.gz"
_SITE_KEYS = ("GENE", "TRANSCRIPT", "CONSEQUENCE", "IMPACT", "HGVS_C", "HGVS_P", "GNOMAD_AF",
              "GNOMAD_GRPMAX_AF", "CLINVAR", "CLINVAR_REVIEW_STATUS", "CLINVAR_ID",
              "INHERITANCE", "TIER")
COHORT_INFO_FIELDS = (
    *(spec for spec in INFO_FIELDS if spec[0] in _SITE_KEYS),
    ("COHORT_FAMILIES", "cohort_families", "1", "Integer",
     "Number of families of the run in which the variant is a candidate"),
    ("COHORT_FLB", "cohort_flb", "1", "Float",
     "Product of the Bayes factors of the families where it is defined (independent "
     "pedigrees multiply, Thompson et al. 2003); absent when none is"),
    ("COHORT_LOG10_FLB", "cohort_log10_flb", "1", "Float", "log10 of CMMVAR_COHORT_FLB"),
    ("COHORT_PP1", "cohort_pp1", "1", "String",
     "ACMG PP1 strength from the cohort Bayes factor: none, supporting, moderate or strong"),
    ("COHORT_BS4", "cohort_bs4", "1", "String",
     "ACMG BS4 strength from the cohort Bayes factor: none, supporting, moderate or strong"),
    ("COHORT_MEIOSES", "cohort_meioses", "1", "Integer",
     "Informative meioses summed over the families"),
)


def write_cohort_vcf(reports: dict[str, str | Path], settings: Settings, build: str,
                     out_path: str | Path) -> None:
    """From each family's report.json (`reports`: family -> path): the ranked candidates of
    every family, combined per variant as cohort_variants.tsv combines them (cohort.combine);
    the annotation cells are those of the first family listing the variant (the same
    annotation resources serve every family of a run)."""
    candidates = {family: json.loads(Path(path).read_text(encoding="utf-8"))["candidates"]
                  for family, path in reports.items()}
    first: dict[tuple, dict] = {}
    for items in candidates.values():
        for item in items:
            first.setdefault((item["chrom"], item["pos"], item["ref"], item["alt"]), item)
    records = []
    for variant in combine(candidates, settings):
        item = first[(variant.chrom, variant.pos, variant.ref, variant.alt)]
        row = {**item, **variant.cells()}
        records.append(SiteRecord(variant.chrom, variant.pos, variant.ref, variant.alt, row,
                                  (item.get("gene_model") or {}).get("ensembl_gene", "")))
    write_vcf(out_path, "Cohort=yes,Source=cohort_variants.tsv", build, COHORT_INFO_FIELDS,
              records)
