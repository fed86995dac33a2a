"""Interrupted runs: the demo workflow killed hard (SIGKILL to its whole process group, as a
power cut or a scheduler's time limit does) in the middle of its stages and resumed as the
README says (`snakemake --unlock ...`, then the same command again) ends with outputs equal to
an uninterrupted run's.

Equal means every file under results/, hidden ones included (a killed write's temporary file
would show), byte for byte after `normalised` removes what differs between any two runs:
  - `"generated": "<time>"` in report.json and run_info.json, the time the file was written;
  - `generated <time>` and `run <time>` in report.html and index.html, the same time;
  - the time at the start of each line of logs/*.log (Python logging's asctime);
  - the content of benchmarks/*.tsv (wall-clock and memory figures only; the files are
    compared by name).

By default the kills are chained: one run killed at the first point, resumed and killed at
the second, and so on, then resumed to the end. Whatever a kill corrupted would stay to the end
(Snakemake does not redo a job it takes as complete), so the one comparison at the end covers
every kill, for the cost of about one run. CMMVAR_LONG_TESTS=1 also kills a fresh run at each
of more points, each resumed and compared on its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.workflow.helpers.demo import DEMO_CONFIG, SNAKEMAKE, copy_project, snakemake
from tests.workflow.helpers.interrupted import assert_same_outputs, normalised

PROFILE_LOADED = ("Using workflow specific profile profiles/default for setting default "
                  "command line arguments.")
@dataclass(frozen=True)
class KillPoint:
    """When to kill: while a file matching `appears` (under results/), new in this run, is
    there, or `after` seconds from the start. A temporary file is there for a few
    milliseconds: the run is frozen (SIGSTOP) when one is seen and killed only if it is still
    there, otherwise let go on to the next; so a kill at a temporary file is a kill mid-write."""
    name: str
    appears: str | None = None
    after: float | None = None


KILL_POINTS = [
    KillPoint("an extract job is writing its VCF", appears="work/extract/.*.tmp"),
    KillPoint("an annotate job is writing its table while others annotate or segregate",
              appears="work/annotate/.*.tsv.*.tmp"),
    KillPoint("a report job is writing candidates.tsv", appears="families/*/.candidates.tsv.*.tmp"),
    KillPoint("a report job has written candidates.tsv, not yet its other files",
              appears="families/*/candidates.tsv"),
]
LONG_KILL_POINTS = [
    *KILL_POINTS,
    KillPoint("a normalise job is writing its VCF", appears="work/normalise/.*.tmp"),
    KillPoint("a normalised VCF is in place (its index may not be)",
              appears="work/normalise/*.vcf.gz"),
    KillPoint("the first family is segregated", appears="work/segregate/*.json"),
    KillPoint("a family's report.html is written", appears="families/*/report.html"),
    KillPoint("the cohort stage has written cohort_summary.tsv, not yet run_info.json",
              appears="cohort_summary.tsv"),
    KillPoint("5 s after the start (the issue's report)", after=5),
    KillPoint("6 s after the start", after=6),
]


def kill_at(workdir: Path, point: KillPoint) -> str:
    """Start the demo run (as the `snakemake` helper does) in its own session and SIGKILL the
    whole process group at `point`; the run's console output until then."""
    results = workdir / "results"
    before = set(results.glob(point.appears)) if point.appears else set()
    console = workdir / "console.txt"
    with console.open("w") as out:
        run = subprocess.Popen([SNAKEMAKE, "--cores", "2", "--configfile", DEMO_CONFIG],
                               cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    start = time.monotonic()
    try:
        while True:
            elapsed = time.monotonic() - start
            if point.after is not None and elapsed >= point.after:
                break
            new = set(results.glob(point.appears)) - before if point.appears else set()
            if new:
                os.killpg(run.pid, signal.SIGSTOP)
                if any(p.exists() for p in new):
                    break
                os.killpg(run.pid, signal.SIGCONT)
                before |= new
            assert run.poll() is None, (
                f"the run ended before the kill point ({point.name}): "
                f"{console.read_text()[-2000:]}")
            assert elapsed < 300, f"kill point never reached: {point.name}"
            time.sleep(0.005)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    gone_by = time.monotonic() + 10
    while True:  # every job the run started is dead too, not still writing
        try:
            os.killpg(run.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < gone_by, "processes of the killed run still alive"
        time.sleep(0.05)
    assert not (results / "index.html").exists(), f"the run had finished at {point.name}"
    return console.read_text()


def resume(workdir: Path) -> str:
    """What the README says to do after a killed run: unlock, then the same command."""
    unlock = snakemake(workdir, "--unlock")
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    assert "Unlocked working directory." in unlock.stderr
    return unlock.stdout + unlock.stderr


def incomplete_outputs_left(results: Path) -> list[str]:
    """Families whose report job was killed after its first output: candidates.tsv is there,
    report.html (written last) is not, so the job is still marked incomplete."""
    return sorted(p.parent.name for p in results.glob("families/*/candidates.tsv")
                  if not (p.parent / "report.html").exists())


def test_killed_runs_resume_to_the_outputs_of_an_uninterrupted_run(tmp_path, shared_demo):
    workdir = copy_project(tmp_path)
    incomplete_seen = []
    for i, point in enumerate(KILL_POINTS):
        # at a temporary file, the kill leaves it (SIGKILL runs no clean-up): the comparison
        # at the end, hidden files included, finds it cleared by the write that redid it
        console = kill_at(workdir, point)
        assert PROFILE_LOADED in console
        if i == 0:  # the killed run's lock is why the README says --unlock first
            locked = snakemake(workdir)
            assert locked.returncode != 0 and "Directory cannot be locked" in locked.stderr
        resume(workdir)
        left = incomplete_outputs_left(workdir / "results")
        if left:
            # the failure, without the default profile's rerun-incomplete
            without = snakemake(workdir, "-n", "--workflow-profile", "none")
            said = without.stdout + without.stderr
            assert without.returncode != 0
            assert "IncompleteFilesException" in said, said[-2000:]
            incomplete_seen += [f for f in left
                                if f"results/families/{f}/candidates.tsv" in said]
    # the report kill point leaves at least its own family's report job incomplete
    assert incomplete_seen
    final = snakemake(workdir)
    assert final.returncode == 0, final.stderr[-3000:]
    assert PROFILE_LOADED in final.stderr
    assert_same_outputs(workdir / "results", shared_demo)


@pytest.mark.skipif(not os.environ.get("CMMVAR_LONG_TESTS"),
                    reason="one fresh run per kill point: set CMMVAR_LONG_TESTS=1 (~6 min)")
@pytest.mark.parametrize("point", LONG_KILL_POINTS, ids=lambda p: p.name)
def test_a_run_killed_at_each_point_resumes_to_the_same_outputs(tmp_path, shared_demo, point):
    workdir = copy_project(tmp_path)
    kill_at(workdir, point)
    resume(workdir)
    final = snakemake(workdir)
    assert final.returncode == 0, final.stderr[-3000:]
    assert_same_outputs(workdir / "results", shared_demo)


def test_normalised_removes_only_the_run_specific_fields(tmp_path):
    """The comparison is only as strong as the normaliser is narrow: the time a file was
    written goes, an input file's date and every other value stays."""
    results = tmp_path
    (results / "logs").mkdir()
    report = results / "report.json"
    report.write_text('{"generated": "2026-12-01T23:49:02+00:00",\n'
                      ' "modified": "2026-12-01T23:48:35+00:00", "flb": 4.33}\n')
    html = results / "index.html"
    html.write_text("&middot; generated 2026-12-01T23:49:04+00:00.</p>"
                    "<p>cmmvar 0.1.0, run 2026-12-01T23:49:02+00:00. Input: x.vcf</p>")
    log = results / "logs" / "segregate.log"
    log.write_text("2026-12-01 23:49:02,123 WARNING Mendelian error: 2026-12-01 23:49:02,123\n")
    assert normalised(report, results) == ('{"generated": "<time>",\n'
                                           ' "modified": "2026-12-01T23:48:35+00:00", '
                                           '"flb": 4.33}\n')
    assert normalised(html, results) == ("&middot; generated <time>.</p>"
                                         "<p>cmmvar 0.1.0, run <time>. Input: x.vcf</p>")
    assert normalised(log, results) == "WARNING Mendelian error: 2026-12-01 23:49:02,123\n"
    tsv = results / "candidates.tsv"
    tsv.write_text("generated 2026-12-01T23:49:04+00:00\n")  # only JSON, HTML and logs
    assert normalised(tsv, results) == tsv.read_bytes()


def test_snakemake_says_it_loads_the_default_profile(tmp_path):
    project = copy_project(tmp_path)
    dry = snakemake(project, "-n")
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert dry.stderr.startswith(PROFILE_LOADED)


def test_the_profile_snakemake_loads_is_the_one_in_workflow_profiles():
    """Snakemake looks for profiles/default beside the Snakefile; DESIGN.md keeps the profile
    in workflow/profiles: the top-level folder is a link, so there is one profile."""
    root = Path(__file__).resolve().parents[2]
    assert (root / "profiles").is_symlink()
    assert ((root / "profiles/default/profile.yaml").resolve()
            == root / "workflow/profiles/default/profile.yaml")
