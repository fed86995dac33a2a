"""Workflow stage: pedigree, calls and segregation of a batch of families of one VCF, read
once (rule segregate_*); one result JSON and one log per family."""

from cmmvar.scripting import log, run_logged_families
from cmmvar.segregate.genotypes import Thresholds
from cmmvar.stages import segregate_stage


def main(sm) -> None:
    results = segregate_stage(sm.params.families, sm.params.input_vcf, sm.input.vcf,
                              sm.input.annotations, sm.input.panel, sm.params.build,
                              Thresholds(sm.params.min_gq, sm.params.min_dp),
                              dict(sm.params.segregation), sm.params.ped_columns)
    for result, path in zip(results, sm.output, strict=True):
        family = {"family": result.family_id}  # to this family's log only
        for warning in result.pedigree_warnings:
            log.warning(warning, extra=family)
        for error in result.mendelian_errors:
            log.warning("Mendelian error (not a de novo candidate): %s", error, extra=family)
        if result.samples["vcf_only_count"]:  # counted, never named: not this family's
            log.info("VCF samples not in the pedigree, ignored: %d",
                     result.samples["vcf_only_count"], extra=family)
        result.write(path)


run_logged_families(lambda: main(snakemake),  # noqa: F821 (injected by Snakemake)
                    dict(zip(snakemake.params.family_ids, snakemake.log, strict=True)))  # noqa: F821
