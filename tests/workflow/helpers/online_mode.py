"""Helpers of test_online_mode.py, shared with other test modules."""

from __future__ import annotations

from pathlib import Path

from tests.workflow.helpers.bad_input import edit
from tests.workflow.helpers.demo import copy_project

VEP_PATH, MYVARIANT_PATH = "/vep/homo_sapiens/region", "/v1/variant"


def online_project(target: Path, url: str, **settings) -> Path:
    """The demo with online annotation instead of the local GFF3, gnomAD and ClinVar (the
    FASTA stays: normalisation left-aligns with it), the services at `url`, 2 retries and
    waits of 10 ms at most (tests spend no real time waiting); `settings` are more
    `annotation` keys."""
    project = copy_project(target)
    config = project / "config/demo.yaml"
    edit(config, "  mode: offline", "  mode: online")
    for key in ("transcripts_gff3", "clinvar_vcf", "gnomad_vcf"):
        text = config.read_text()
        line = next(line for line in text.splitlines() if line.startswith(f"  {key}:"))
        edit(config, line + "\n", "")
    settings = {"vep_url": url, "myvariant_url": url, "retries": 2, "max_wait": 0.01,
                **settings}
    edit(config, "  cache: .cache/cmmvar", "  cache: .cache/cmmvar" + "".join(
        f"\n  {key}: {value}" for key, value in settings.items()))
    return project
