"""`snakemake build_resources` against a local server that serves small files in the real
formats (tests/unit/test_build_resources.py), with the panel reduced to that server's two
genes: the rule writes every resource and its manifest, and the log says where from."""

from __future__ import annotations

import json
from pathlib import Path

from tests.resource_server import PANEL, base_urls
from tests.workflow.helpers.demo import copy_project, snakemake


def two_gene_panel(panel: Path) -> None:
    """The project's panel cut to DCC and RAD51, moved onto the served genes' coordinates."""
    lines = [line for line in panel.read_text().splitlines() if not line.startswith("##")]
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:3]]
    for row, gene in zip(rows, PANEL, strict=True):
        for column in ("ensembl_gene", "mane_transcript", "chrom"):
            row[header.index(column)] = gene[column]
        for build in ("grch38", "grch37"):
            row[header.index(f"start_{build}")] = str(gene["start"])
            row[header.index(f"end_{build}")] = str(gene["end"])
    panel.write_text("\n".join(["\t".join(header)] + ["\t".join(r) for r in rows]) + "\n")


def test_build_resources_rule(site, tmp_path):  # noqa: F811
    _, _, httpd = site
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    two_gene_panel(project / "config/panels/cmm.tsv")
    config = project / "config/demo.yaml"
    config.write_text(config.read_text() + "resource_sources:\n" + "".join(
        f"  {key}: {url}\n" for key, url in base_urls(httpd).items()))
    run = snakemake(project, "build_resources")
    assert run.returncode == 0, run.stderr[-3000:]
    out = project / "resources" / "GRCh38"
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(p.name for p in out.iterdir()
                                               if p.name != "manifest.json")
    assert manifest["files"]["clinvar.vcf.gz"]["source_urls"][0].startswith(
        base_urls(httpd)["clinvar"])
    log = (project / "results/logs/build_resources/GRCh38.log").read_text()
    assert "127.0.0.1" in log
