"""Workflow stage: split, trim and left-align the extracted records (rule normalise)."""

from cmmvar.atomic import write_json
from cmmvar.normalise import normalise
from cmmvar.scripting import log, run_logged


def main(sm) -> None:
    stats = normalise(sm.input.vcf, sm.output.vcf, pass_only=sm.params.pass_only,
                      fasta_path=sm.params.fasta)
    if stats.ref_mismatches:
        log.warning("%d records whose REF differs from the reference FASTA, e.g. %s",
                    stats.ref_mismatches, "; ".join(stats.ref_mismatch_examples))
    write_json(sm.output.stats, stats.to_dict())


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
