"""Workflow stage: pedigree, calls and segregation of a batch of families of one VCF, read
once (rule segregate_*); one result JSON and one log per family."""

from cmmvar.analysis import FamilyRequest, analyse_batch
from cmmvar.atomic import write_json
from cmmvar.genotypes import Thresholds
from cmmvar.panel import load_panel
from cmmvar.ped_file import PedColumns
from cmmvar.scripting import log, run_logged_families
from cmmvar.segregation import settings_from_config


def main(sm) -> None:
    genes = load_panel(sm.input.panel, sm.params.build)
    section = dict(sm.params.segregation)
    requests = [FamilyRequest(row["family"], row["ped"],
                              settings_from_config(section, row["parentage_confirmed"]),
                              row["proband"] or None)
                for row in sm.params.families]
    results = analyse_batch(requests, sm.params.input_vcf, sm.input.vcf, sm.input.annotations,
                            genes, sm.params.build,
                            Thresholds(sm.params.min_gq, sm.params.min_dp),
                            section.get("liability_classes", {}),
                            PedColumns.from_config(sm.params.ped_columns),
                            section.get("sensitivity"))
    for result, path in zip(results, sm.output, strict=True):
        family = {"family": result["family_id"]}  # to this family's log only
        for warning in result["pedigree_warnings"]:
            log.warning(warning, extra=family)
        for error in result["mendelian_errors"]:
            log.warning("Mendelian error (not a de novo candidate): %s", error, extra=family)
        if result["samples"]["vcf_only_count"]:  # counted, never named: not this family's
            log.info("VCF samples not in the pedigree, ignored: %d",
                     result["samples"]["vcf_only_count"], extra=family)
        write_json(path, result)


run_logged_families(lambda: main(snakemake),  # noqa: F821 (injected by Snakemake)
                    dict(zip(snakemake.params.family_ids, snakemake.log, strict=True)))  # noqa: F821
