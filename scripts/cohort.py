"""Workflow stage: cohort_summary.tsv, cohort_variants.tsv, cohort_candidates.vcf.gz,
run_info.json, index.html (rule cohort)."""

from pathlib import Path

from cmmvar.atomic import write_text
from cmmvar.io.panel import panel_metadata
from cmmvar.report.cohort import summarise, write_run_info
from cmmvar.report.cohort_vcf import write_cohort_vcf
from cmmvar.report.report_html import render_index
from cmmvar.scripting import run_logged
from cmmvar.segregate.segregation import settings_from_config


def main(sm) -> None:
    settings = settings_from_config(dict(sm.params.config["segregation"]))
    reports = dict(zip(sm.params.families, sm.input.reports, strict=True))
    summary = summarise(reports, settings, sm.output.summary, sm.output.variants)
    write_cohort_vcf(reports, settings, sm.params.config["genome_build"], sm.output.vcf)
    run_info = write_run_info(dict(sm.params.config), dict(sm.params.files),
                              sm.output.run_info)
    index = render_index(summary.fillna("").to_dict("records"), run_info,
                         Path(sm.output.summary).name,
                         panel_metadata(sm.params.config["panel"]).get("condition"))
    write_text(sm.output.index, index)


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
