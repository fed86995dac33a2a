"""Workflow stage: cohort_summary.tsv and run_info.json (rule cohort)."""

from cmmvar.cohort import summarise, write_run_info
from cmmvar.scripting import run_logged
from cmmvar.segregation import settings_from_config


def main(sm) -> None:
    settings = settings_from_config(dict(sm.params.config["segregation"]))
    summarise(dict(zip(sm.params.families, sm.input.candidates, strict=True)), settings,
              sm.output.summary, sm.output.variants)
    write_run_info(dict(sm.params.config), dict(sm.params.files), sm.output.run_info)


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
