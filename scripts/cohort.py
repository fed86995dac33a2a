"""Workflow stage: cohort_summary.tsv, cohort_variants.tsv, run_info.json, index.html
(rule cohort)."""

from pathlib import Path

from cmmvar.atomic import write_text
from cmmvar.io.panel import panel_metadata
from cmmvar.report.cohort import summarise, write_run_info
from cmmvar.report.report_html import render_index
from cmmvar.scripting import run_logged
from cmmvar.segregate.segregation import settings_from_config


def main(sm) -> None:
    settings = settings_from_config(dict(sm.params.config["segregation"]))
    summary = summarise(dict(zip(sm.params.families, sm.input.reports, strict=True)),
                        settings, sm.output.summary, sm.output.variants)
    run_info = write_run_info(dict(sm.params.config), dict(sm.params.files),
                              sm.output.run_info)
    index = render_index(summary.fillna("").to_dict("records"), run_info,
                         Path(sm.output.summary).name,
                         panel_metadata(sm.params.config["panel"]).get("condition"))
    write_text(sm.output.index, index)


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
