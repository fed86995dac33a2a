"""Workflow stage: one family's candidates.tsv, report.json, qc.json, report.html."""

import json
from pathlib import Path

from cmmvar.report import write_family_outputs
from cmmvar.scripting import run_logged


def main(sm) -> None:
    def load(path):
        return json.loads(Path(path).read_text())

    write_family_outputs(load(sm.input.result), load(sm.input.extract_stats),
                         load(sm.input.normalise_stats), load(sm.input.annotation),
                         dict(sm.params.settings),
                         Path(sm.output.candidates).parent)


run_logged(lambda: main(snakemake), snakemake.log[0])  # noqa: F821 (injected by Snakemake)
