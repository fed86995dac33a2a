#!/usr/bin/env python3
"""`make bench`: every line of issue 14's table, cmmvar and its peer timed in the same run,
written to bench/results.md with the machine, the command lines, wall time and peak memory.

Data: scripts/make_bench_data.py (bench/data/, made once, kept while its files exist).
Time and memory: GNU time (`/usr/bin/time -f '%e %M'`: wall seconds, peak resident set of
the largest process), or, without it, the wall clock and getrusage of the children.
cmmvar and the peer alternate (A B A B ...) and each figure is the median of the repeats, so
that a change of load on a shared machine falls on both. Where a goal is not met, the profile
of the slow side is appended.

    python bench/run.py [--repeat N] [--skip-cohort] [--records N] [--families N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = ROOT / "bench" / "data"
PANEL = ROOT / "config" / "panels" / "cmm.tsv"
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")
# as a user runs it: Python may cache compiled modules (a session may have turned that off)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stderr) of one command; exits on failure."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fig:
        full = [GNU_TIME, "-f", "%e %M", "-o", fig.name, *cmd] if GNU_TIME else cmd
        start = time.perf_counter()
        proc = subprocess.run(full, cwd=ROOT, capture_output=True, text=True, env=ENV)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"bench: failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
        if GNU_TIME:
            wall_text, rss_kb = fig.read().split()[-2:]
            return float(wall_text), int(rss_kb) / 1024, proc.stderr
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    return wall, rss_kb / 1024, proc.stderr


def pair(ours: list[str], peer: list[str], repeat: int, warm: bool) -> dict:
    """Both commands `repeat` times, alternating; with `warm`, each once before (file
    cache, compiled modules) untimed."""
    for cmd in (ours, peer) if warm else ():
        run(cmd)
    walls: dict[str, list[float]] = {"ours": [], "peer": []}
    rss = {"ours": 0.0, "peer": 0.0}
    for _ in range(repeat):
        for side, cmd in (("ours", ours), ("peer", peer)):
            wall, mem, _ = run(cmd)
            walls[side].append(wall)
            rss[side] = max(rss[side], mem)
    out = {f"{side}_s": statistics.median(values) for side, values in walls.items()}
    out |= {f"{side}_mb": value for side, value in rss.items()}
    out["ratio"] = out["ours_s"] / out["peer_s"]
    out["commands"] = [" ".join(ours), " ".join(peer)]
    out["walls"] = walls
    return out


def count_records(path: Path) -> int:
    out = subprocess.run(["bcftools", "view", "-H", str(path)], capture_output=True, check=True)
    return out.stdout.count(b"\n")


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    release = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', Path("/etc/os-release").read_text(),
                              re.M))
    versions = subprocess.run(
        [str(BIN / "python"), "-c", "import pysam, snakemake, cmmvar; "
         "print(pysam.__version__, snakemake.__version__, cmmvar.__version__)"],
        capture_output=True, text=True, check=True).stdout.split()
    bcftools = subprocess.run(["bcftools", "--version"], capture_output=True, text=True,
                              check=True).stdout.splitlines()[:2]
    return [f"- CPU: {cpu}; {os.cpu_count()} cores",
            f"- memory: {mem / 1024**2:.1f} GB; OS: {release.get('PRETTY_NAME', '?')}, "
            f"kernel {platform.release()}",
            f"- Python {platform.python_version()}, snakemake {versions[1]}, pysam "
            f"{versions[0]}, cmmvar {versions[2]}, {bcftools[0]} ({bcftools[1]})",
            f"- time and memory: {'GNU time (%e, %M)' if GNU_TIME else 'getrusage'}"]


def panel_bed(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from cmmvar.io.panel import load_panel, regions

    rows = [f"chr{r.chrom}\t{r.start - 1}\t{r.end}\n"
            for r in regions(load_panel(PANEL, "GRCh38"), 100)]
    path.write_text("".join(rows), encoding="utf-8")


def profile(cmd: list[str], top: int = 18) -> str:
    """cProfile of a cmmvar command, sorted by the time spent in each function itself."""
    proc = subprocess.run([str(BIN / "python"), "-m", "cProfile", "-s", "tottime",
                           "-m", "cmmvar", *cmd], cwd=ROOT, capture_output=True, text=True)
    lines = proc.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start:start + top + 1])


def import_profile(cmd: list[str], top: int = 12) -> str:
    proc = subprocess.run([str(BIN / "python"), "-X", "importtime", "-m", "cmmvar", *cmd],
                          cwd=ROOT, capture_output=True, text=True)
    rows = [line.split("|") for line in proc.stderr.splitlines()
            if line.startswith("import time:") and "cumulative" not in line]
    rows.sort(key=lambda r: -int(r[1]))
    return "\n".join(f"{int(r[1]) / 1000:7.1f} ms  {r[2].rstrip()}" for r in rows[:top])


def extraction(repeat: int, tmp: Path) -> dict:
    wgs, unindexed, bed = DATA / "wgs" / "wgs.vcf.gz", DATA / "wgs" / "wgs_unindexed.vcf.gz", \
        DATA / "panel.bed"
    panel_bed(bed)
    cmmvar = [str(BIN / "cmmvar"), "extract", "--panel", str(PANEL), "--build", "GRCh38",
              "--quiet"]
    lines = {}
    for key, vcf, option, reps in (("index", wgs, "-R", repeat), ("stream", unindexed, "-T",
                                                                 max(1, repeat // 2))):
        ours_out, peer_out = tmp / f"{key}.cmmvar.vcf.gz", tmp / f"{key}.bcftools.vcf.gz"
        ours = [*cmmvar, "--vcf", str(vcf), "--out", str(ours_out)]
        peer = ["bcftools", "view", option, str(bed), "-Oz", "-o", str(peer_out), str(vcf)]
        result = pair(ours, peer, reps, warm=key == "index")
        result["records"] = [count_records(ours_out), count_records(peer_out)]
        lines[key] = result
        print(f"bench: {key}: {json.dumps({k: v for k, v in result.items() if k != 'commands'})}",
              flush=True)
    lines["index"]["goal_met"] = lines["index"]["ratio"] <= 1.5
    flat = lines["stream"]["ours_mb"] <= lines["index"]["ours_mb"] + 50
    lines["stream"]["flat"] = flat
    lines["stream"]["goal_met"] = lines["stream"]["ratio"] <= 1.2 and flat
    args = {"index": [*cmmvar[1:], "--vcf", str(wgs), "--out", str(tmp / "p.vcf.gz")],
            "stream": [*cmmvar[1:], "--vcf", str(unindexed), "--out", str(tmp / "p.vcf.gz")]}
    for key in ("index", "stream"):
        if not lines[key]["goal_met"]:
            lines[key]["profile"] = profile(args[key])
            if key == "index":
                lines[key]["imports"] = import_profile(args[key])
    return lines


def cohort(families_dir: Path, timeout: float) -> dict:
    """The workflow on the cohort, stopped (the whole process group) after `timeout`
    seconds: the figures then say how far it got."""
    config = families_dir / "config.yaml"
    shutil.rmtree(families_dir / "results", ignore_errors=True)
    cmd = [str(BIN / "snakemake"), "--cores", "2", "--configfile", os.path.relpath(config, ROOT)]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fig, \
            tempfile.TemporaryFile("w+") as err:
        full = [GNU_TIME, "-f", "%e %M", "-o", fig.name, *cmd] if GNU_TIME else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=ENV,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
            stopped = False
        except subprocess.TimeoutExpired:
            _stop_group(proc.pid)
            proc.wait()
            stopped = True
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
        timed = fig.read().split()
    rss = int(timed[-1]) / 1024 if GNU_TIME and len(timed) >= 2 else \
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    steps = re.findall(r"(\d+) of (\d+) steps \(\d+%\) done", stderr)
    result = {"command": " ".join(cmd), "wall_s": wall, "max_process_mb": rss,
              "jobs": int(steps[-1][1]) if steps else None,
              "jobs_done": int(steps[-1][0]) if steps else 0,
              "stopped_after_s": timeout if stopped else None,
              "failed": None if stopped or proc.returncode == 0 else stderr[-2000:]}
    return result | cohort_jobs(families_dir, result)


def _stop_group(pgid: int) -> None:
    """Interrupt snakemake and its jobs (SIGINT: it stops its jobs and exits), then kill
    what is left after 30 s."""
    os.killpg(pgid, signal.SIGINT)
    for _ in range(30):
        time.sleep(1)
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
    os.killpg(pgid, signal.SIGKILL)


def cohort_jobs(families_dir: Path, run_figures: dict) -> dict:
    """Per-job figures from the workflow's benchmark files (resident set, wall and CPU
    seconds), the families reported, and whether the goal is met."""
    outdir = families_dir / "results"
    per_job = []  # (max RSS MB, wall s, CPU s, benchmark file)
    for bench_file in sorted((outdir / "benchmarks").rglob("*.tsv")):
        rows = bench_file.read_text().splitlines()
        header = rows[0].split("\t")
        for row in rows[1:]:
            values = dict(zip(header, row.split("\t"), strict=False))
            if values.get("max_rss", "NA") not in ("NA", "-"):
                per_job.append((float(values["max_rss"]), float(values["s"]),
                                float(values.get("cpu_time", "nan")),
                                str(bench_file.relative_to(outdir / "benchmarks"))))
    families = sum(1 for _ in (families_dir / "ped").glob("*.ped"))
    done = sum(1 for d in (outdir / "families").iterdir() if (d / "report.html").exists()) \
        if (outdir / "families").exists() else 0
    top = sorted(per_job, reverse=True)[:5]
    by_rule: dict[str, list[float]] = {}
    for _, wall, cpu, name in per_job:
        entry = by_rule.setdefault(name.split("/")[0], [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += wall
        entry[2] += cpu
    result = {"families": families, "families_with_report": done,
              "max_job_rss_mb": top[0][0] if top else None, "top_rss": top,
              "slowest": sorted(per_job, key=lambda r: -r[1])[:5], "by_rule": by_rule,
              "cpu_s": sum(r[2] for r in per_job)}
    jobs = run_figures.get("jobs")
    result["goal_met"] = (not run_figures.get("stopped_after_s")
                          and run_figures["wall_s"] < 180 and result["max_job_rss_mb"] is not None
                          and result["max_job_rss_mb"] < 500 and jobs is not None
                          and jobs < families and done == families)
    return result


def likelihood(tmp: Path) -> dict:
    out = tmp / "likelihood.json"
    proc = subprocess.run([str(BIN / "python"), "scripts/bench.py", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    figures = json.loads(out.read_text()) if out.exists() else {}
    figures["stdout"] = proc.stdout
    figures["agree"] = proc.returncode == 0
    figures["command"] = f"{BIN / 'python'} scripts/bench.py --json {out.name}"
    lead = figures.get("fastlink_60_ms")
    figures["goal_met"] = bool(lead and lead > figures["cmmvar_flb_60_ms"] and figures["agree"])
    return figures


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 120 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def _load(part: dict) -> str:
    start, end = part.get("load", (0.0, 0.0))
    return f"{start:.1f}-{end:.1f} ({part.get('when', '?')})"


def write(results: dict, started: str) -> None:
    met = {True: "met", False: "**not met**"}
    ext, coh, lik = results.get("extraction"), results.get("cohort"), results.get("likelihood")
    out = ["# Benchmarks (`make bench`)", "",
           f"Written {started} by bench/run.py (each part's time in the last column); data "
           f"from scripts/make_bench_data.py (bench/data/, git-ignored). Figures are the "
           f"median of the repeats, cmmvar and the peer alternating in the same run; memory "
           f"is the peak resident set.", "",
           "## Machine", "", *results["machine"], "",
           "The machine may be shared while this runs (the load average in the table says "
           "how much): absolute times then grow, and the ratios, taken in the same run with the "
           "two tools alternating, are the figures to compare.", "",
           "## Results", "",
           "| work | cmmvar | peer | ratio | goal | goal met | load average, start-end |",
           "|---|---|---|---|---|---|---|"]
    if ext:
        for key, label, goal in (
                ("index", f"panel extraction, indexed {results['records']:,}-record "
                          f"10-sample VCF (1) vs `bcftools view -R`", "at most 1.5x"),
                ("stream", "streaming extraction, the same file unindexed (2) vs "
                           "`bcftools view -T`", "at most 1.2x, memory flat")):
            e = ext[key]
            out.append(f"| {label} | {_fmt(e['ours_s'])}, {e['ours_mb']:.0f} MB, "
                       f"{e['records'][0]} records | {_fmt(e['peer_s'])}, {e['peer_mb']:.0f} MB,"
                       f" {e['records'][1]} records | {e['ratio']:.2f}x | {goal} | "
                       f"{met[e['goal_met']]} | {_load(ext)} |")
    if coh:
        stop = (f"**stopped after {_fmt(coh['stopped_after_s'])}, {coh['jobs_done']} of "
                f"{coh['jobs']} jobs done**; " if coh.get("stopped_after_s") else "")
        stop += "**failed** (see below); " if coh.get("failed") else ""
        out.append(f"| {coh['families']:,} four-member families, one joint VCF, end to end, "
                   f"`snakemake --cores 2` (3) | {stop}{_fmt(coh['wall_s'])}, {coh['jobs']} jobs, "
                   f"max per-job RSS {coh['max_job_rss_mb'] or 0:.0f} MB, "
                   f"{coh['families_with_report']} of {coh['families']} families reported | "
                   f"n/a | n/a | under 3 min, under 500 MB per job, fewer jobs than families | "
                   f"{met[coh['goal_met']]} | {_load(coh)} |")
    if lik:
        fl60 = lik.get("fastlink_60_ms")
        out.append(f"| exact likelihood, {lik.get('members_60')}-member looped pedigree, per "
                   f"variant (4) | {lik.get('cmmvar_flb_60_ms', 0):.1f} ms | FASTLINK "
                   f"{fl60 or 0:.1f} ms | {(lik['cmmvar_flb_60_ms'] / fl60) if fl60 else 0:.2f}x"
                   f" | keep the lead (below 1x) | {met[lik['goal_met']]} | {_load(lik)} |")
        fl200 = lik.get("fastlink_200_ms")
        ratio = f"{lik['cmmvar_flb_200_ms'] / fl200:.2f}x" if fl200 else "n/a"
        peer200 = (f"FASTLINK {fl200:.1f} ms (4 runs a variant)" if fl200
                   else f"FASTLINK: {lik.get('fastlink_200_error', 'not run')}")
        out.append(f"| exact likelihood, 200-member looped pedigree, per variant (4) | "
                   f"{lik.get('cmmvar_flb_200_ms', 0):.1f} ms | "
                   f"{peer200}"
                   f" | {ratio} | report it | reported | {_load(lik)} |")
    out += ["", "## Command lines", ""]
    if ext:
        out += [f"1. `{ext['index']['commands'][0]}`  \n   `{ext['index']['commands'][1]}`",
                f"2. `{ext['stream']['commands'][0]}`  \n   `{ext['stream']['commands'][1]}`"]
    if coh:
        out.append(f"3. `{coh['command']}` (from the repository root, after removing "
                   f"bench/data/cohort/results)")
    if lik:
        out.append(f"4. `{lik['command']}`")
    out += ["", "Regions: bench/data/panel.bed, the panel genes +- 100 bases (BED). `-R` keeps "
            "records overlapping a region (htslib's index query, as cmmvar's indexed path); "
            "`-T` keeps records whose POS is in a region, so the counts may differ by the "
            "records that start before a region and reach into it (cmmvar keeps them)."]
    if ext:
        out += ["", "Every repeat (seconds): " + "; ".join(
            f"{key} cmmvar {ext[key]['walls']['ours']}, bcftools {ext[key]['walls']['peer']}"
            for key in ("index", "stream"))]
    if coh:
        if coh.get("failed"):
            out += ["", "The cohort run failed; the end of its log:", "", "```",
                    coh["failed"].rstrip(), "```"]
        finished = sum(n for n, _, _ in coh["by_rule"].values())
        out += ["", "## Cohort jobs", "",
                f"Jobs counted by snakemake: {coh['jobs']} (with the target rule `all`). "
                f"CPU time of the {finished} "
                f"jobs that finished (the benchmark files' cpu_time): {coh['cpu_s']:.0f} s, so "
                f"on two cores of their own those jobs need about {coh['cpu_s'] / 2:.0f} s or "
                f"more; the wall time above includes waiting for a loaded machine.", "",
                "| rule | jobs | wall s (sum) | CPU s (sum) |", "|---|---|---|---|",
                *(f"| {rule} | {n} | {wall:.0f} | {cpu:.0f} |"
                  for rule, (n, wall, cpu) in coh["by_rule"].items()), "",
                "Largest resident sets: " + "; ".join(f"{m:.0f} MB ({f}, {w:.0f} s)"
                                                      for m, w, _, f in coh["top_rss"])]
    if lik:
        out += ["", "## Likelihood (scripts/bench.py output)", "", "```", lik["stdout"].rstrip(),
                "```"]
    for key in ("index", "stream"):
        if ext and "profile" in ext[key]:
            out += ["", f"## Profile: {key} extraction (goal not met)", "", "```",
                    ext[key]["profile"], "```"]
            if "imports" in ext[key]:
                out += ["", "Slowest imports (python -X importtime, cumulative):", "", "```",
                        ext[key]["imports"], "```"]
    (ROOT / "bench" / "results.md").write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each extraction")
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--skip-cohort", action="store_true")
    parser.add_argument("--cohort-timeout", type=float, default=3600,
                        help="stop the cohort run after this many seconds (default 3600)")
    parser.add_argument("--only", choices=("extraction", "cohort", "likelihood", "render"),
                        help="run one part, the others' figures from the last run (render: "
                             "none, results.md written again, the cohort's jobs read again)")
    parser.add_argument("--data", help="data folder (default bench/data)")
    args = parser.parse_args()
    global DATA
    DATA = Path(args.data).resolve() if args.data else DATA
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    subprocess.run([str(BIN / "python"), "scripts/make_bench_data.py", str(DATA),
                    "--records", str(args.records), "--families", str(args.families)],
                   cwd=ROOT, check=True)
    saved = DATA / "results.json"
    results = json.loads(saved.read_text()) if args.only and saved.exists() else {}
    results |= {"machine": machine(), "records": args.records}
    if args.only == "render" and "cohort" in results:
        results["cohort"] |= cohort_jobs(DATA / "cohort", results["cohort"])
    with tempfile.TemporaryDirectory(prefix="cmmvar-bench-") as tmp:
        for part, measure in (("extraction", lambda: extraction(args.repeat, Path(tmp))),
                              ("likelihood", lambda: likelihood(Path(tmp))),
                              ("cohort", lambda: cohort(DATA / "cohort",
                                                        args.cohort_timeout))):
            if args.only in (None, part) and not (part == "cohort" and args.skip_cohort):
                load = os.getloadavg()[0]
                results[part] = measure()
                results[part]["load"] = [load, os.getloadavg()[0]]
                results[part]["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    saved.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write(results, started)
    print((ROOT / "bench" / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
