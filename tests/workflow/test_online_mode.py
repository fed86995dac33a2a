"""Online annotation end to end: the workflow against a local server replaying Ensembl VEP
REST and MyVariant.info (tests/unit/test_online.py), never the internet. The first run meets
a 429 with Retry-After before its answer; a second run with the cache sends nothing; a service
that stays down stops the run with one clear message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.unit.test_online import server, url_of  # noqa: F401 (fixture)

from .test_bad_input import edit, failing_run
from .test_demo import copy_project, snakemake


def online_project(target: Path, url: str) -> Path:
    """The demo with online annotation instead of the local GFF3, gnomAD and ClinVar (the
    FASTA stays: normalisation left-aligns with it)."""
    project = copy_project(target)
    config = project / "config/demo.yaml"
    edit(config, "  mode: offline", "  mode: online")
    for key in ("transcripts_gff3", "clinvar_vcf", "gnomad_vcf"):
        text = config.read_text()
        line = next(line for line in text.splitlines() if line.startswith(f"  {key}:"))
        edit(config, line + "\n", "")
    edit(config, "  cache: .cache/cmmvar",
         f"  cache: .cache/cmmvar\n  vep_url: {url}\n  myvariant_url: {url}\n  retries: 2")
    return project


def test_online_run_then_cached_rerun_sends_nothing(server, tmp_path):  # noqa: F811
    url = url_of(server)
    project = online_project(tmp_path, url)
    replay = server.replay
    replay.held["/vep/homo_sapiens/region"] = [(429, {"Retry-After": "1"})]
    run = snakemake(project)
    assert run.returncode == 0, run.stderr[-3000:]
    vep_posts = replay.posts("/vep/homo_sapiens/region")
    assert len(vep_posts) == 5  # 4 VCFs, one batch each, plus the one answered 429
    sent = [v for p in vep_posts for v in json.loads(p["body"])["variants"]]
    # only "chrom pos . ref alt . . ." lines: no sample name or genotype leaves the machine
    assert all(len(v.split()) == 8 and v.split()[5:] == [".", ".", "."] for v in sent)
    report = json.loads((project / "results/families/DCC1/report.json").read_text())
    top = report["candidates"][0]
    assert top["annotation_source"] == "Ensembl VEP REST 113"
    assert (top["consequence"], top["hgvs_p"]) == ("missense_variant", "p.Val34Met")
    assert (str(top["cadd_phred"]), str(top["revel"])) == ("24.3", "0.612")
    assert top["clinvar_significance"] == "Pathogenic|Likely pathogenic"
    online = {o["service"]: o for o in report["annotation_sources"]["online"]}
    assert online["Ensembl VEP REST"]["url"] == url and online["MyVariant.info"]["n_sent"] > 0
    logs = " ".join(p.read_text() for p in (project / "results/logs/annotate").glob("*.log"))
    assert f"to {url}/vep/homo_sapiens/region" in logs and "429" in logs

    before = len(replay.seen)
    for name in ("results", ".snakemake"):
        shutil.rmtree(project / name)
    again = snakemake(project)
    assert again.returncode == 0, again.stderr[-3000:]
    assert [r for r in replay.seen[before:] if r["method"] == "POST"] == []
    rerun = json.loads((project / "results/families/DCC1/report.json").read_text())
    assert rerun["candidates"][0]["hgvs_p"] == top["hgvs_p"]


def test_service_down_stops_the_run_with_one_message(tmp_path):
    project = online_project(tmp_path, "http://127.0.0.1:9")  # nothing listens on port 9
    edit(project / "config/demo.yaml", "  retries: 2", "  retries: 0")
    output = failing_run(project)
    assert "cmmvar: error:" in output and "127.0.0.1:9" in output
    assert "annotation.mode: offline" in output
    assert not (project / "results/families").exists()
