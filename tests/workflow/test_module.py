"""cmmvar imported as a Snakemake module by another workflow, and the two Snakefiles.

The importing workflow lives in a temporary folder outside the repository, with its own config
(a copy of the demo's under other names: its own families sheet, panel, resources and outdir),
and imports workflow/Snakefile of this repository with `module` + `use rule * from cmmvar as
cmmvar_*`, as the README tells a user to. Its outputs must equal a plain demo run's.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.workflow.helpers.demo import ROOT, copy_project, snakemake

FAMILIES = ["DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1"]  # test_data/families.tsv
OUTDIR = "analysis/cmmvar"
HOST_SNAKEFILE = """\
configfile: "config/cmmvar.yaml"


module cmmvar:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from cmmvar as cmmvar_*


rule all:
    input:
        rules.cmmvar_all.input,
    default_target: True
"""


def host_workflow(folder: Path) -> Path:
    """A workflow importing cmmvar as a module, on a copy of the demo inputs: test_data/ copied
    to data/ (the sheet's paths rewritten), the panel to config/panel.tsv, config/demo.yaml to
    config/cmmvar.yaml with those paths and outdir analysis/cmmvar."""
    shutil.copytree(ROOT / "test_data", folder / "data")
    sheet = folder / "data" / "families.tsv"
    sheet.write_text(sheet.read_text().replace("test_data/", "data/"))
    (folder / "config").mkdir()
    shutil.copy(ROOT / "config" / "panels" / "cmm.tsv", folder / "config" / "panel.tsv")
    config = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
    config.update(families="data/families.tsv", panel="config/panel.tsv", outdir=OUTDIR)
    config["annotation"] = {key: value.replace("test_data/", "data/")
                            for key, value in config["annotation"].items()}
    (folder / "config" / "cmmvar.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    snakefile = ROOT / "workflow" / "Snakefile"
    (folder / "Snakefile").write_text(HOST_SNAKEFILE.format(snakefile=snakefile))
    return folder


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a Snakemake (dry) run: rule -> number of jobs."""
    table = output.split("Job stats:", 1)[1].split("total", 1)[0]
    return {rule: int(count) for rule, count in re.findall(r"^(\w+)\s+(\d+)\s*$", table, re.M)}


def stage_jobs(counts: dict[str, int], stage: str) -> int:
    """Jobs of one stage: its batch rules are named STAGE_N_KEY."""
    return sum(n for rule, n in counts.items() if re.fullmatch(rf"{stage}_\d+_\w+", rule))


def planned_jobs(output: str) -> list[tuple[str, str]]:
    """Every job of a dry run as (rule, outputs), sorted: the job list without job ids and
    dates ("" for a rule without outputs)."""
    jobs = []
    for block in output.split("\n\n"):
        rule = re.search(r"^(?:local)?rule (\w+):$", block, re.M)
        if rule:
            outputs = re.search(r"^    output: (.*)$", block, re.M)
            jobs.append((rule[1], outputs[1] if outputs else ""))
    return sorted(jobs)


@pytest.fixture(scope="module")
def host(tmp_path_factory) -> Path:
    folder = host_workflow(tmp_path_factory.mktemp("host"))
    assert not folder.resolve().is_relative_to(ROOT)
    return folder


@pytest.fixture(scope="module")
def host_run(host) -> tuple[Path, str]:
    """The importing workflow run to the end: its folder and Snakemake's output."""
    run = snakemake(host, configfile=None)
    assert run.returncode == 0, run.stderr[-3000:]
    return host, run.stdout + run.stderr


def test_module_dry_run_plans_every_stage_under_the_importers_rule_names(host):
    """27 jobs, as a demo run from the repository: 5 distinct VCFs (CONS1 and XL1 share the
    joint cohort.vcf.gz) x extract, normalise, annotate; one batch of families per VCF
    (families_per_job 100) x segregate, report, named after the batch; one cohort; the
    importer's all."""
    run = snakemake(host, "-n", configfile=None)
    assert run.returncode == 0, run.stderr[-3000:]
    batches = ("1_dcc_family", "2_trio", "3_rad51_family", "4_cohort", "5_compound_het")
    assert job_counts(run.stdout + run.stderr) == {
        "cmmvar_extract": 5, "cmmvar_normalise": 5, "cmmvar_annotate": 5, "cmmvar_cohort": 1,
        "all": 1, **{f"cmmvar_{stage}_{batch}": 1 for stage in ("segregate", "report")
                     for batch in batches}}


def test_module_run_writes_every_output_under_the_importers_outdir(host_run):
    host, output = host_run
    results = host / OUTDIR
    for family in FAMILIES:
        for name in ("candidates.tsv", "report.json", "qc.json", "report.html"):
            assert (results / "families" / family / name).is_file(), (family, name)
    for name in ("cohort_summary.tsv", "run_info.json", "index.html"):
        assert (results / name).is_file(), name
    assert (results / "logs").is_dir()
    assert not (host / "results").exists()  # the template's outdir is not used
    assert stage_jobs(job_counts(output), "cmmvar_report") == 5  # a batch per VCF


def test_module_run_reads_only_the_importers_config_and_inputs(host_run):
    """run_info.json names the importer's config file alone (the template under a repository
    run is not loaded beneath a module's config) and the importer's copies of the inputs."""
    host, _ = host_run
    files = json.loads((host / OUTDIR / "run_info.json").read_text())["files"]
    assert [entry["path"] for entry in files["config"]] == ["config/cmmvar.yaml"]
    assert [entry["path"] for entry in files["families_sheet"]] == ["data/families.tsv"]
    assert [entry["path"] for entry in files["panel"]] == ["config/panel.tsv"]
    assert {entry["path"] for entry in files["annotation"]} == {
        "data/resources/transcripts.gff3", "data/resources/reference.fa.gz",
        "data/resources/clinvar.vcf.gz", "data/resources/gnomad.vcf.gz"}
    assert {Path(entry["path"]).parent.as_posix() for entry in files["vcf"]} == {"data/vcf"}


def test_module_run_outputs_equal_a_repository_demo_run(host_run, shared_demo):
    """Equal byte for byte, but for the inputs' folder that qc.json names (the importer's copy
    of test_data/ is data/)."""
    host, _ = host_run
    results = host / OUTDIR
    for family in FAMILIES:
        for name in ("candidates.tsv", "qc.json"):
            module_output = (results / "families" / family / name).read_text()
            assert module_output.replace('"data/', '"test_data/') == (
                shared_demo / "families" / family / name).read_text(), (family, name)
    for name in ("cohort_summary.tsv", "cohort_variants.tsv"):
        assert (results / name).read_text() == (shared_demo / name).read_text(), name


def test_module_config_built_in_the_importers_snakefile_is_accepted(host):
    """An importer that loads no config file (it fills `config` in Python) is not told "no
    configuration given: pass your own with --configfile": its Snakefile stands for the config
    file."""
    snakefile = host / "Snakefile.noconfigfile"
    snakefile.write_text(HOST_SNAKEFILE.replace(
        'configfile: "config/cmmvar.yaml"',
        'import yaml\n\nconfig.update(yaml.safe_load(open("config/cmmvar.yaml")))', 1
    ).format(snakefile=ROOT / "workflow" / "Snakefile"))
    # --forceall: every job is planned, also after the module run has made the outputs
    run = snakemake(host, "-n", "--forceall", "-s", snakefile.name, configfile=None)
    assert run.returncode == 0, run.stderr[-3000:]
    assert stage_jobs(job_counts(run.stdout + run.stderr), "cmmvar_segregate") == 5


def test_workflow_snakefile_and_top_level_snakefile_plan_the_same_jobs(tmp_path):
    """`snakemake -s workflow/Snakefile` (what the catalog and snakedeploy run) and the
    top-level Snakefile (which includes it, and names its default target) dry-run the same
    demo jobs, `all` among them."""
    project = copy_project(tmp_path)
    top = snakemake(project, "-n")
    inner = snakemake(project, "-n", "-s", "workflow/Snakefile")
    assert top.returncode == 0 and inner.returncode == 0, (top.stderr + inner.stderr)[-3000:]
    top_jobs = planned_jobs(top.stdout + top.stderr)
    assert top_jobs == planned_jobs(inner.stdout + inner.stderr)
    assert len(top_jobs) == 27 and ("all", "") in top_jobs
    assert job_counts(top.stdout + top.stderr)["all"] == 1


def test_snakefile_run_from_another_folder_loads_the_repositorys_template(tmp_path, host):
    """The template lies beside the workflow, not in the folder snakemake runs in: a run of
    the repository's Snakefile from elsewhere loads it (absolute path) under the user's
    config."""
    run = snakemake(host, "-n", "-s", str(ROOT / "Snakefile"),
                    configfile=str(host / "config" / "cmmvar.yaml"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert (f"Config file {ROOT / 'config' / 'config.yaml'} is extended by additional config "
            "specified via the command line") in run.stdout + run.stderr
