"""Workflow stage: annotate the normalised variants of one VCF (rule annotate)."""

from cmmvar.annotate import annotate, open_sources, provenance
from cmmvar.atomic import write_json
from cmmvar.panel import load_panel
from cmmvar.scripting import run_logged


def main(sm) -> None:
    genes = load_panel(sm.input.panel, sm.params.build)
    with open_sources(sm.params.annotation, sm.params.build, genes) as sources:
        table = annotate(sm.input.vcf, genes, sm.params.padding, sources, sm.output.table)
        write_json(sm.output.provenance, provenance(sources, table))


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
