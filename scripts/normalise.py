"""Workflow stage: split, trim and left-align the extracted records (rule normalise)."""

from cmmvar.atomic import write_json
from cmmvar.scripting import log, run_logged
from cmmvar.stages import normalise_stage


def main(sm) -> None:
    stats, notes = normalise_stage(sm.input.vcf, sm.output.vcf, sm.params.pass_only,
                                   sm.params.fasta)
    for note in notes:
        log.warning(note)
    write_json(sm.output.stats, stats.to_dict())


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
