"""Families of one VCF are segregated and reported in batches (`families_per_job`): one job
per batch reads the VCF once, and every family's files are what a job of its own writes.

The cohort is scripts/make_bench_data.py's (four-member families in one joint VCF, the demo's
annotation resources). Expected job counts are ceil(families / families_per_job) per stage.
"""

from __future__ import annotations

import gzip
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflow.helpers.demo import copy_project, snakemake

# per family; {family}: the family's ID (the annotated VCF is named after it)
FILES = ("candidates.tsv", "{family}.vcf.gz", "{family}.vcf.gz.tbi", "report.json", "qc.json",
         "report.html")
RUN_TIME = [re.compile(r'"generated": "[^"]+"'),
            re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"),  # report.html, index.html
            re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", re.MULTILINE)]  # log lines


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    """A 50-family cohort (200 samples, 200 sites) made in a copy of the project; its
    folder holds cohort.vcf.gz, ped/, families.tsv and config.yaml."""
    project = copy_project(tmp_path_factory.mktemp("batches"))
    made = subprocess.run([sys.executable, "scripts/make_bench_data.py", "data", "--only",
                           "cohort", "--families", "50", "--sites", "200"], cwd=project,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr[-3000:]
    return project / "data" / "cohort"


def configure(cohort: Path, name: str, families: int, per_job: int) -> str:
    """A config for the first `families` families of the cohort, `per_job` a job, with
    results in cohort/`name`/."""
    rows = (cohort / "families.tsv").read_text().splitlines()
    sheet = cohort / f"{name}.tsv"
    sheet.write_text("\n".join(rows[: families + 1]) + "\n")
    text = (cohort / "config.yaml").read_text()
    text = re.sub(r"(?m)^families: .*$", f"families: {sheet}", text)
    text = re.sub(r"(?m)^outdir: .*$", f"outdir: {cohort / name}", text)
    config = cohort / f"{name}.yaml"
    config.write_text(text + f"families_per_job: {per_job}\n")
    return str(config)


def jobs_by_rule(run: subprocess.CompletedProcess) -> dict[str, int]:
    """Snakemake's 'Job stats' table (stdout in a dry run, stderr otherwise): rule -> jobs."""
    table = (run.stdout + run.stderr).split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"(?m)^(\S+)\s+(\d+)$", table)}


def stage_jobs(jobs: dict[str, int], stage: str) -> int:
    return sum(n for rule, n in jobs.items() if rule.startswith(f"{stage}_"))


def outputs(results: Path) -> dict[str, str]:
    """Every family file, result JSON, family log and cohort table, without run times."""
    files = [p for p in results.rglob("*") if p.is_file() and (
        p.parts[-3:-1] in (("logs", "segregate"), ("logs", "report"), ("work", "segregate"))
        or "families" in p.relative_to(results).parts[:1]
        or p.name in ("cohort_summary.tsv", "cohort_variants.tsv", "index.html"))]
    texts = {}
    for path in files:
        data = path.read_bytes()
        # the annotated VCF and its index are bgzipped: compare what they hold
        text = gzip.decompress(data).decode("latin-1") if path.suffix in (".gz", ".tbi") \
            else data.decode("utf-8")
        for pattern in RUN_TIME:
            text = pattern.sub("", text)
        texts[path.relative_to(results).as_posix()] = text
    return texts


@pytest.mark.parametrize(("families", "per_job"), [(7, 1), (7, 3), (7, 7), (7, 8)])
def test_the_dry_run_plans_one_segregate_and_one_report_job_per_batch(cohort, families,
                                                                      per_job):
    """7 families: 1 a job -> 7 jobs per stage; 3 a job -> 3 (3 + 3 + 1); 7 or 8 -> 1."""
    run = snakemake(cohort.parents[1], "-n", configfile=configure(
        cohort, f"dry_{per_job}", families, per_job))
    assert run.returncode == 0, run.stderr[-3000:]
    jobs = jobs_by_rule(run)
    expected = math.ceil(families / per_job)
    assert stage_jobs(jobs, "segregate") == stage_jobs(jobs, "report") == expected
    assert jobs["extract"] == jobs["normalise"] == jobs["annotate"] == 1


def test_batches_of_three_write_what_jobs_of_one_family_write(cohort):
    """The same 7 families, run with families_per_job 1 and 3: every family's outputs,
    result JSON and logs, and the cohort tables, are equal (run times aside)."""
    singles, batched = [], []
    for per_job, into in ((1, singles), (3, batched)):
        run = snakemake(cohort.parents[1], configfile=configure(
            cohort, f"per_job_{per_job}", 7, per_job))
        assert run.returncode == 0, run.stderr[-3000:]
        into.append(outputs(cohort / f"per_job_{per_job}"))
    assert len(singles[0]) == 7 * (len(FILES) + 3) + 3  # + JSON, 2 logs; + cohort files
    assert singles[0].keys() == batched[0].keys()
    differ = [name for name in singles[0] if singles[0][name] != batched[0][name]]
    assert not differ


def test_fifty_families_run_end_to_end_in_fewer_jobs_than_families(cohort):
    """50 families, 20 a job: 3 segregate and 3 report jobs (20 + 20 + 10), each family
    with its files; extract, normalise, annotate, cohort and all once: 11 jobs."""
    run = snakemake(cohort.parents[1], configfile=configure(cohort, "fifty", 50, 20))
    assert run.returncode == 0, run.stderr[-3000:]
    jobs = jobs_by_rule(run)
    assert stage_jobs(jobs, "segregate") == stage_jobs(jobs, "report") == 3
    assert jobs["total"] == 11 < 50
    families = [line.split("\t")[0] for line in
                (cohort / "fifty.tsv").read_text().splitlines()[1:]]
    assert len(families) == 50
    for family in families:
        for name in FILES:
            path = cohort / "fifty" / "families" / family / name.format(family=family)
            assert path.stat().st_size > 0
