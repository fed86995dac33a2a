"""Workflow stage: one family's pedigree, calls and segregation (rule segregate)."""

from cmmvar.analysis import analyse
from cmmvar.atomic import write_json
from cmmvar.genotypes import Thresholds
from cmmvar.panel import load_panel
from cmmvar.pedigree import PedColumns
from cmmvar.scripting import log, run_logged
from cmmvar.segregation import settings_from_config


def main(sm) -> None:
    genes = load_panel(sm.input.panel, sm.params.build)
    section = dict(sm.params.segregation)
    settings = settings_from_config(section, sm.params.parentage_confirmed)
    result = analyse(sm.wildcards.family, sm.input.ped, sm.params.input_vcf, sm.input.vcf,
                     sm.input.annotations, genes, sm.params.build,
                     Thresholds(sm.params.min_gq, sm.params.min_dp), settings,
                     section.get("liability_classes", {}), sm.params.proband or None,
                     PedColumns.from_config(sm.params.ped_columns),
                     section.get("sensitivity"))
    for warning in result["pedigree_warnings"]:
        log.warning(warning)
    for error in result["mendelian_errors"]:
        log.warning("Mendelian error (not a de novo candidate): %s", error)
    if result["samples"]["vcf_only_count"]:  # counted, never named: not this family's
        log.info("VCF samples not in the pedigree, ignored: %d",
                 result["samples"]["vcf_only_count"])
    write_json(sm.output[0], result)


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
