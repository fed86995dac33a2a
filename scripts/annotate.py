"""Workflow stage: annotate the normalised variants of one VCF (rule annotate)."""

from cmmvar.annotate import annotate
from cmmvar.panel import load_panel
from cmmvar.scripting import run_logged


def main(sm) -> None:
    genes = load_panel(sm.input.panel, sm.params.build)
    annotate(sm.input.vcf, genes, sm.params.padding, sm.output[0])


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
