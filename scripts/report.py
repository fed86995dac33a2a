"""Workflow stage: each family's candidates.tsv, report.json, qc.json, report.html, for a
batch of families of one VCF (rule report_*); one log per family."""

import json
from pathlib import Path

from cmmvar.errors import about_family
from cmmvar.records import FamilyResult
from cmmvar.report.family import write_family_outputs
from cmmvar.scripting import run_logged_families


def main(sm) -> None:
    def load(path):
        return json.loads(Path(path).read_text())

    extract_stats, normalise_stats = load(sm.input.extract_stats), load(sm.input.normalise_stats)
    annotation = load(sm.input.annotation)
    for family, result, candidates in zip(sm.params.family_ids, sm.input.results,
                                          sm.output.candidates, strict=True):
        with about_family(family):
            write_family_outputs(FamilyResult.read(result), extract_stats, normalise_stats,
                                 annotation, dict(sm.params.settings), Path(candidates).parent)


run_logged_families(lambda: main(snakemake),  # noqa: F821 (injected by Snakemake)
                    dict(zip(snakemake.params.family_ids, snakemake.log, strict=True)))  # noqa: F821
