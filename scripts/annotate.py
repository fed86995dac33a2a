"""Workflow stage: annotate the normalised variants of one VCF (rule annotate)."""

from cmmvar.atomic import write_json
from cmmvar.scripting import run_logged
from cmmvar.stages import annotate_stage


def main(sm) -> None:
    sources = annotate_stage(sm.input.vcf, sm.input.panel, sm.params.build,
                             sm.params.annotation, sm.params.padding, sm.output.table)
    write_json(sm.output.provenance, sources)


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
