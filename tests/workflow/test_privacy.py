"""What leaves the site in online mode: every request that the local replay server of Ensembl
VEP REST and MyVariant.info receives during a full online run of the demo is recorded and
read: each holds variant keys (chrom, pos, ref, alt) and the services' own parameters, and no
sample name, family ID, genotype, phenotype or file path, in its URL, headers or body."""

from __future__ import annotations

import csv
import json
import re
import urllib.parse
from pathlib import Path

import pysam
import pytest

from cmmvar import __version__
from cmmvar.annotate.online_cache import VariantKey
from cmmvar.annotate.online_myvariant import MYVARIANT_FIELDS, hgvs_id
from tests.unit.helpers.online import replay_server, url_of
from tests.workflow.helpers.demo import ROOT, run_ok
from tests.workflow.helpers.online_mode import MYVARIANT_PATH, VEP_PATH, online_project

VERSION_URLS = {"/info/software?content-type=application/json", "/v1/metadata?assembly=hg38"}
VEP_SWITCHES = {"hgvs": 1, "canonical": 1, "numbers": 1, "mane": 1}
VEP_LINE = re.compile(r"(?P<chrom>[0-9]{1,2}|X|Y|MT) (?P<pos>[1-9][0-9]*) \. "
                      r"(?P<ref>[ACGTN]+) (?P<alt>[ACGTN]+) \. \. \.")
HGVS_ID = re.compile(r"chr([0-9]{1,2}|X|Y|MT):g\.[1-9][0-9]*(_[1-9][0-9]*)?"
                     r"([ACGTN]>[ACGTN]|del|ins[ACGTN]+|delins[ACGTN]+)")
# Every header requests sends, and what each may say.
HEADERS = {
    "Host": re.compile(r"127\.0\.0\.1:[0-9]+"),
    "User-Agent": re.compile(re.escape(f"cmmvar/{__version__}")),
    "Accept-Encoding": re.compile(r"[a-z]+(, [a-z]+)*"),
    "Accept": re.compile(r"application/json|\*/\*"),
    "Connection": re.compile(r"keep-alive"),
    "Content-Type": re.compile(r"application/json|application/x-www-form-urlencoded"),
    "Content-Length": re.compile(r"[0-9]+"),
}
GENOTYPES = ("0/1", "1/1", "0|1", "1|0", "1|1", "./.", "0/0")


@pytest.fixture(scope="module")
def online_run(tmp_path_factory):
    """The demo run in full with annotation.mode: online against the replay server: the
    project and every request the server received."""
    with replay_server() as server:
        project = online_project(tmp_path_factory.mktemp("privacy"), url_of(server))
        run_ok(project)
        yield project, list(server.replay.seen)


def sheet_rows(project: Path) -> list[dict]:
    with open(project / "test_data/families.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def forbidden(project: Path) -> set[str]:
    """What must never leave: every family ID, sample name and path of the families sheet,
    the PED files (individuals and parents) and the VCFs' sample columns, and the folders
    the run lives in."""
    words = {str(project), str(project.resolve()), str(ROOT), "test_data", "results",
             "demo.yaml", "families.tsv"}
    for row in sheet_rows(project):
        words.add(row["family_id"])
        for key in ("vcf", "ped"):
            path = Path(row[key])
            words |= {row[key], path.name, path.name.split(".")[0]}
            with pysam.VariantFile(str(project / row["vcf"])) as vcf:
                words |= set(vcf.header.samples)
        for line in (project / row["ped"]).read_text().splitlines():
            if line and not line.startswith("#"):
                family, person, father, mother = line.split()[:4]
                words |= {family, person, father, mother} - {"0"}
    return words


def normalised_keys(project: Path) -> set[VariantKey]:
    """Every variant of the run, as the annotate stage read it."""
    keys = set()
    for path in (project / "results/work/normalise").glob("*.vcf.gz"):
        with pysam.VariantFile(str(path)) as vcf:
            keys |= {VariantKey(r.chrom, r.pos, r.ref, alt) for r in vcf for alt in r.alts}
    return keys


def test_the_forbidden_words_are_the_demo_people_and_paths(online_run):
    """The check below is only as good as its list: it holds the demo's people (from the
    PEDs and the VCF headers, UNRELATED_1 being in a VCF only), families and file names."""
    words = forbidden(online_run[0])
    assert {"DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "DCC_III4", "TRIO_C", "RAD_II3",
            "CON_IV4", "XL_S3", "UNRELATED_1", "CON_II2", "dcc_family", "cohort.vcf.gz",
            "test_data/ped/XL1.ped"} <= words
    assert len(words) > 60


def test_no_request_names_a_person_family_genotype_or_path(online_run):
    project, seen = online_run
    words = forbidden(project)
    assert len(seen) >= 4  # at least the two version queries and a POST to each service
    for request in seen:
        raw = json.dumps(request)
        decoded = urllib.parse.unquote_plus(request["url"] + " " + request["body"])
        for text in (raw, decoded):
            leaked = sorted(w for w in words | set(GENOTYPES) if w.lower() in text.lower())
            assert not leaked, f"{leaked} sent in {raw[:500]}"


def test_every_request_holds_only_variant_keys_and_service_parameters(online_run):
    project, seen = online_run
    for request in seen:
        for name, value in request["headers"].items():
            assert name in HEADERS and HEADERS[name].fullmatch(value), (name, value)
        if request["method"] == "GET":  # the release of each service
            assert request["url"] in VERSION_URLS and request["body"] == ""
            continue
        assert request["method"] == "POST" and request["url"] in (VEP_PATH, MYVARIANT_PATH)
        if request["url"] == VEP_PATH:
            body = json.loads(request["body"])
            assert set(body) == {"variants", *VEP_SWITCHES}
            assert {k: body[k] for k in VEP_SWITCHES} == VEP_SWITCHES
            assert all(VEP_LINE.fullmatch(line) for line in body["variants"]), body
        else:
            form = urllib.parse.parse_qs(request["body"], strict_parsing=True)
            assert form.keys() == {"ids", "fields", "assembly"}
            assert form["assembly"] == ["hg38"]
            assert form["fields"] == [",".join(MYVARIANT_FIELDS)]
            (ids,) = form["ids"]
            assert all(HGVS_ID.fullmatch(i) for i in ids.split(",")), ids


def test_both_services_were_asked_for_exactly_the_variants_of_the_run(online_run):
    """So the checks above read real traffic: each variant of the run went to each service,
    as its key and nothing else."""
    project, seen = online_run
    keys = normalised_keys(project)
    assert len(keys) >= 10
    vep = [VEP_LINE.fullmatch(line) for r in seen if r["url"] == VEP_PATH
           for line in json.loads(r["body"])["variants"]]
    assert {VariantKey(m["chrom"], int(m["pos"]), m["ref"], m["alt"]) for m in vep} == keys
    ids = [i for r in seen if r["url"] == MYVARIANT_PATH
           for i in urllib.parse.parse_qs(r["body"])["ids"][0].split(",")]
    assert set(ids) == {hgvs_id(k) for k in keys}
