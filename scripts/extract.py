"""Workflow stage: extract the panel regions of one input VCF (rule extract)."""

from cmmvar.atomic import write_json
from cmmvar.extract import extract
from cmmvar.panel import load_panel
from cmmvar.scripting import log, run_logged


def main(sm) -> None:
    genes = load_panel(sm.input.panel, sm.params.build)
    stats = extract(sm.input.vcf, genes, sm.params.build, sm.output.vcf, sm.params.padding)
    for note in stats.notes:
        log.warning(note)
    write_json(sm.output.stats, stats.to_dict())


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
