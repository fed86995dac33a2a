"""Workflow stage: cohort_summary.tsv and run_info.json (rule cohort)."""

from cmmvar.cohort import summarise, write_run_info
from cmmvar.scripting import run_logged


def main(sm) -> None:
    summarise(dict(zip(sm.params.families, sm.input.candidates, strict=True)),
              sm.output.summary)
    write_run_info(dict(sm.params.config), dict(sm.params.files), sm.output.run_info)


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
