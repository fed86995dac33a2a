"""Workflow stage: extract the panel regions of one input VCF (rule extract)."""

from cmmvar.atomic import write_json
from cmmvar.scripting import log, run_logged
from cmmvar.stages import extract_stage


def main(sm) -> None:
    stats = extract_stage(sm.input.vcf, sm.input.panel, sm.params.build, sm.output.vcf,
                          sm.params.padding)
    for note in stats.notes:
        log.warning(note)
    write_json(sm.output.stats, stats.to_dict())


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
