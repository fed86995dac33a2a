"""Helpers of test_config.py, shared with other test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from cmmvar.config import (
    check_config,
)
from cmmvar.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


TEMPLATE = ROOT / "config" / "config.yaml"


SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


USER = """\
families: my/families.tsv
genome_build: GRCh38
outdir: out
"""


FILES = """\
annotation:
  reference_fasta: ref/GRCh38.fa.gz
  transcripts_gff3: ref/transcripts.gff3
  gnomad_vcf: ref/gnomad.vcf.gz
  clinvar_vcf: ref/clinvar.vcf.gz
"""


def merged(tmp_path, monkeypatch, *texts: str) -> tuple[dict, list[Path]]:
    """The config Snakemake would hold with the template under user1.yaml, user2.yaml, ..."""
    monkeypatch.chdir(tmp_path)
    config = yaml.safe_load(TEMPLATE.read_text())
    paths = []
    for number, text in enumerate(texts, start=1):
        path = tmp_path / f"user{number}.yaml"
        path.write_text(text)
        update_config(config, yaml.safe_load(text))
        paths.append(path)
    return config, paths


def check(tmp_path, monkeypatch, *texts: str) -> tuple[dict, list[str]]:
    config, paths = merged(tmp_path, monkeypatch, *texts)
    return config, check_config(config, paths, SCHEMA, template=TEMPLATE)


def error_of(tmp_path, monkeypatch, *texts: str) -> str:
    with pytest.raises(ConfigError) as caught:
        check(tmp_path, monkeypatch, *texts)
    return str(caught.value)
