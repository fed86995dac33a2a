"""The demo through SLURM: `make cluster-test` (as root; it installs slurm-wlm and munge).

A single-node SLURM on localhost (local_slurm.py) runs the demo with the workflow's slurm
profile and the flags a cluster without accounting needs. The run must
  (a) submit through sbatch exactly the jobs of the dry run's job table that are not local:
      counted per rule from squeue's record of the jobs' comments (the executor plugin
      comments each job `rule_<name>_...`), and in total from slurmctld's log of sbatch
      submissions;
  (b) end with every output equal to a local run's (compared as the interrupted-run test
      compares: timestamps and benchmark figures aside);
  (c) leave nothing running: the fixture stops the daemons and checks for leftover
      processes after the test, whether it passed or failed.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.workflow.helpers.demo import DEMO_CONFIG, SNAKEMAKE, copy_project, run_ok
from tests.workflow.helpers.interrupted import assert_same_outputs

from .local_slurm import LocalSlurm

# The demo's only local job. build_resources (downloads) and annotate in online mode are
# localrules too, but the demo's offline DAG has neither. Fixed here, not read from the
# workflow: a rule made local by mistake would leave a compute job on the login node.
EXPECTED_LOCAL = {"all"}
# Test-only flags: no accounting here (status from squeue, no account to guess), and a short
# wait before the first status check so that the small jobs do not idle.
SLURM_FLAGS = ("--workflow-profile", "workflow/profiles/slurm",
               "--slurm-status-command", "squeue", "--slurm-no-account",
               "--slurm-init-seconds-before-status-checks", "2")
JOB_STATS = re.compile(r"^Job stats:\njob\s+count\n-+\s+-+\n(.*?)\ntotal\s+(\d+)$",
                       re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def slurm():
    if os.geteuid() != 0:
        pytest.fail("the cluster test starts munged, slurmctld and slurmd: run it as root "
                    "(sudo make cluster-test)")
    cluster = LocalSlurm()
    try:
        cluster.start()
        yield cluster
    finally:
        left = cluster.stop()
        running = [name for name, p in cluster.daemons.items() if p.poll() is None]
        cluster.remove()
        assert not running, f"daemons still running after stop: {running}"
        assert not left, f"processes of the test's SLURM left running: {left}"


def dry_run_jobs(workdir: Path) -> Counter:
    """Jobs per rule in the job table of `snakemake -n` (run locally, as a user would)."""
    dry = subprocess.run([SNAKEMAKE, "-n", "--configfile", DEMO_CONFIG], cwd=workdir,
                         capture_output=True, text=True, timeout=300)
    assert dry.returncode == 0, dry.stderr[-3000:]
    table = JOB_STATS.search(dry.stdout + dry.stderr)
    assert table, f"no job table in the dry run: {dry.stdout[-3000:]}"
    jobs = Counter({row.split()[0]: int(row.split()[1]) for row in table[1].splitlines()})
    assert sum(jobs.values()) == int(table[2])
    return jobs


def test_demo_on_slurm_submits_each_nonlocal_job_once_and_matches_a_local_run(
        tmp_path, slurm):
    (tmp_path / "local").mkdir()
    (tmp_path / "slurm").mkdir()
    local = run_ok(copy_project(tmp_path / "local"))
    workdir = copy_project(tmp_path / "slurm")
    expected = dry_run_jobs(workdir)
    for rule in EXPECTED_LOCAL:
        del expected[rule]

    started = time.monotonic()
    run = subprocess.run([SNAKEMAKE, *SLURM_FLAGS, "--configfile", DEMO_CONFIG], cwd=workdir,
                         env=slurm.env, capture_output=True, text=True, timeout=1500)
    elapsed = time.monotonic() - started
    slurm_logs = sorted((workdir / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert run.returncode == 0, (run.stderr[-4000:] + "".join(
        f"\n--- {p}\n{p.read_text()[-1500:]}" for p in slurm_logs))

    submitted = slurm.submitted_job_ids()
    by_rule = Counter(re.match(r"rule_(\w+?)(?:_wildcards_.*)?$", comment)[1]
                      for comment, n in slurm.jobs_by_comment().items() for _ in range(n))
    print(f"\nSLURM run of the demo: {elapsed:.0f} s, {len(submitted)} jobs through sbatch "
          f"({dict(sorted(by_rule.items()))}); dry run: {dict(sorted(expected.items()))}")
    assert by_rule == expected
    assert len(submitted) == sum(expected.values())
    assert_same_outputs(workdir / "results", local)
