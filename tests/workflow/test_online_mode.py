"""Online annotation end to end: the workflow against a local server replaying Ensembl VEP
REST and MyVariant.info (tests/unit/test_online.py), never the internet.

A run whose VEP answers fail for one variant stops with a message on the console that counts
the unannotated variants and says how to resume; the re-run sends only that variant (through a
429 asking to wait an hour, cut to max_wait), and a run from scratch with the cache sends
nothing. A service that is down altogether stops the run the same way.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.unit.helpers.online import replay_server, url_of
from tests.workflow.helpers.demo import snakemake
from tests.workflow.helpers.online_mode import MYVARIANT_PATH, VEP_PATH, online_project


@pytest.fixture
def server():
    with replay_server() as httpd:
        yield httpd


def resume_hint() -> str:
    return ("to resume, run the same command again once the service answers: the answers "
            "received are kept in the cache .cache/cmmvar/online.sqlite and only the variants "
            "without one are sent; on a cluster whose compute nodes are offline, run the "
            "annotate step where there is internet access; or set annotation.mode: offline to "
            "use the local resource files")


def test_a_failing_service_stops_the_run_on_the_console_and_the_rerun_resumes(server,
                                                                             tmp_path):
    url = url_of(server)
    project = online_project(tmp_path, url, vep_batch_size=2)
    replay = server.replay
    # dcc_family.vcf.gz holds 5 variants, sent to VEP two by two: the batch of the last
    # (chr18:53535953 C>T) fails for good.
    replay.scripted = lambda path, body: (503, {}) if path == VEP_PATH \
        and "53535953" in body else None
    failed = snakemake(project)
    assert failed.returncode != 0
    assert "Traceback" not in failed.stdout + failed.stderr
    # On the console (Snakemake's stderr), not only in the rule's log:
    assert (
        f"\ncmmvar: error: results/work/normalise/dcc_family.vcf.gz: 1 of the 5 variants "
        f"could not be annotated online: Ensembl VEP REST at {url}{VEP_PATH} did not answer "
        f"after 3 attempt(s) (HTTP 503 Service Unavailable); no answer for 1 of the 5 "
        f"variants (4 answered) ({resume_hint()})\n") in failed.stderr
    assert not (project / "results/work/annotate/dcc_family.tsv").exists()
    assert not list((project / "results").rglob("*.tmp"))

    # The service is back, but first asks to wait an hour: cut to max_wait, 10 ms.
    told_to_wait = []
    def an_hour_once(path: str, body: str) -> tuple | None:
        if path == VEP_PATH and "53535953" in body and not told_to_wait:
            told_to_wait.append(body)
            return 429, {"Retry-After": "3600"}
        return None
    replay.scripted = an_hour_once
    first = len(replay.seen)
    resumed = snakemake(project)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    sent = [r for r in replay.seen[first:] if r["method"] == "POST"]
    vep_chr18 = [v for r in sent if r["path"] == VEP_PATH
                 for v in json.loads(r["body"])["variants"] if v.startswith("18 ")]
    # the 429 and its retry: the one variant without an answer, nothing of the cached four
    assert vep_chr18 == ["18 53535953 . C T . . ."] * 2
    assert not [r for r in sent if r["path"] == MYVARIANT_PATH and "chr18" in r["body"]]
    # only variant keys leave: "chrom pos . ref alt . . ."
    assert all(re.fullmatch(r"\w+ \d+ \. [ACGTN]+ [ACGTN]+ \. \. \.", v) for r in sent
               if r["path"] == VEP_PATH for v in json.loads(r["body"])["variants"])
    logs = (project / "results/logs/annotate/dcc_family.log").read_text()
    assert (f"{url}{VEP_PATH}: HTTP 429 Too Many Requests, Retry-After 3600 s; more than "
            f"max_wait 0.01 s, which is waited instead; retrying in 0.01 s") in logs
    report = json.loads((project / "results/families/DCC1/report.json").read_text())
    top = report["candidates"][0]
    assert top["annotation_source"] == "Ensembl VEP REST 113"
    assert (top["consequence"], top["hgvs_p"]) == ("missense_variant", "p.Val34Met")
    assert (str(top["cadd_phred"]), str(top["revel"])) == ("24.3", "0.612")
    assert top["clinvar_significance"] == "Pathogenic|Likely pathogenic"
    online = {o["service"]: o for o in report["annotation_sources"]["online"]}
    assert online["Ensembl VEP REST"]["url"] == url
    assert (online["Ensembl VEP REST"]["n_sent"], online["Ensembl VEP REST"]["n_cached"]) == \
        (1, 4)
    # the report states the same counts (it showed empty counts: it read keys never written)
    assert f"version {online['Ensembl VEP REST']['version']}: 1 variants sent, 4 from the cache" \
        in (project / "results/families/DCC1/report.html").read_text()
    # without the GFF3 there is no offline HGVS to compare with VEP's: said, never silent
    crosscheck = report["annotation_sources"]["online_crosscheck"]
    assert (crosscheck["done"], crosscheck["disagreements"]) == (False, [])
    assert crosscheck["note"].startswith("not done: annotation.transcripts_gff3 and ")
    qc = json.loads((project / "results/families/DCC1/qc.json").read_text())
    assert qc["online_crosscheck"] == crosscheck
    assert ("against Ensembl VEP REST on the MANE transcript: not done: annotation."
            "transcripts_gff3 and annotation.reference_fasta are not both set, so there is no "
            "offline consequence or HGVS to compare with VEP&#39;s.") in (
        project / "results/families/DCC1/report.html").read_text()

    before = len(replay.seen)
    for name in ("results", ".snakemake"):
        shutil.rmtree(project / name)
    again = snakemake(project)
    assert again.returncode == 0, again.stderr[-3000:]
    assert [r for r in replay.seen[before:] if r["method"] == "POST"] == []
    rerun = json.loads((project / "results/families/DCC1/report.json").read_text())
    assert rerun["candidates"][0]["hgvs_p"] == top["hgvs_p"]


def test_services_down_stop_the_run_with_one_console_line_per_vcf(tmp_path):
    project = online_project(tmp_path, "http://127.0.0.1:9", retries=0)  # nothing on port 9
    run = snakemake(project)
    assert run.returncode != 0 and "Traceback" not in run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("cmmvar: error:")]
    assert errors
    refused = r"\(connection failed: [^)]*\)"
    for line in errors:
        match = re.fullmatch(
            rf"cmmvar: error: results/work/normalise/(\w+)\.vcf\.gz: (\d+) of the (\d+) "
            rf"variants could not be annotated online: Ensembl VEP REST at http://127.0.0.1:9"
            rf"/info/software\?content-type=application/json did not answer after 1 "
            rf"attempt\(s\) {refused}; no answer for \3 of the \3 variants \(0 answered\); "
            rf"MyVariant.info at http://127.0.0.1:9/v1/metadata\?assembly=hg38 did not answer "
            rf"after 1 attempt\(s\) {refused}; no answer for \3 of the \3 variants "
            rf"\(0 answered\) \({re.escape(resume_hint())}\)", line)
        assert match and match[2] == match[3], line
    assert not (project / "results/families").exists()
