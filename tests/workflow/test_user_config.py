"""A new user's run: their own config, families sheet, PED and VCF in a folder of their own
(outside test_data/), passed with --configfile. Nothing of the demo's is inherited: a config
naming only families, genome_build and outdir is refused with the gnomAD/ClinVar message, one
with gnomad_vcf/clinvar_vcf `none` runs without ever naming a file under test_data/, and its
reports say what was not checked (and that the demo files the user copied are synthetic)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.workflow.helpers.demo import ROOT, copy_project, run_ok, snakemake

NO_TRACEBACK = "Traceback (most recent call last)"


def user_folder(target: Path) -> Path:
    """The user's own folder: family DCC1's VCF and PED, a sheet with absolute paths, and a
    copy of the demo's reference FASTA and GFF3 under real-looking names (still synthetic)."""
    data = target / "mydata"
    (data / "ref").mkdir(parents=True)
    for name in ("dcc_family.vcf.gz", "dcc_family.vcf.gz.tbi"):
        shutil.copy(ROOT / "test_data/vcf" / name, data / name)
    shutil.copy(ROOT / "test_data/ped/DCC1.ped", data / "DCC1.ped")
    (data / "families.tsv").write_text(
        f"family_id\tvcf\tped\nDCC1\t{data / 'dcc_family.vcf.gz'}\t{data / 'DCC1.ped'}\n")
    for name in ("reference.fa.gz", "reference.fa.gz.fai", "reference.fa.gz.gzi"):
        shutil.copy(ROOT / "test_data/resources" / name,
                    data / "ref" / name.replace("reference", "GRCh38"))
    shutil.copy(ROOT / "test_data/resources/transcripts.gff3",
                data / "ref" / "Homo_sapiens.GRCh38.113.gff3")
    return data


def user_config(data: Path, text: str) -> str:
    path = data / "my.yaml"
    path.write_text(text)
    return str(path)


def basic(data: Path) -> str:
    """What a new user writes first: families, build, output folder."""
    return (f"families: {data / 'families.tsv'}\ngenome_build: GRCh38\n"
            f"outdir: {data / 'out'}\n")


def with_none(data: Path) -> str:
    return basic(data) + (
        "annotation:\n"
        f"  reference_fasta: {data / 'ref/GRCh38.fa.gz'}\n"
        f"  transcripts_gff3: {data / 'ref/Homo_sapiens.GRCh38.113.gff3'}\n"
        "  gnomad_vcf: none\n"
        "  clinvar_vcf: none\n")


@pytest.fixture
def setup(tmp_path) -> tuple[Path, Path]:
    (tmp_path / "project").mkdir()
    return copy_project(tmp_path / "project"), user_folder(tmp_path)


def output_of(run) -> str:
    return run.stdout + run.stderr


def test_no_configfile_is_one_clear_message(setup):
    project, _ = setup
    run = snakemake(project, "-n", configfile=None)
    output = output_of(run)
    assert run.returncode != 0 and NO_TRACEBACK not in output
    assert ("no configuration given: pass your own with --configfile yours.yaml (a copy of "
            "config/config.yaml") in output
    assert "run the demo with `make run` (snakemake --configfile config/demo.yaml)" in output


def test_config_without_families_names_the_key(setup):
    project, data = setup
    config = user_config(data, with_none(data).split("\n", 1)[1])  # families line dropped
    run = snakemake(project, "-n", configfile=config)
    output = output_of(run)
    assert run.returncode != 0 and NO_TRACEBACK not in output
    assert f"{config}: key families is not set (the families sheet" in output


def test_config_naming_only_families_build_outdir_is_refused_not_run_on_demo_files(setup):
    """The dry run stops with the gnomAD/ClinVar message and names nothing under test_data/.
    The same config over the old design (the demo as the template underneath) dry-runs and
    its job list names the demo's gnomAD: the check below would catch that."""
    project, data = setup
    config = user_config(data, basic(data))
    run = snakemake(project, "-n", configfile=config)
    output = output_of(run)
    assert run.returncode != 0 and NO_TRACEBACK not in output
    assert f"{config}: key annotation.reference_fasta is not set" in output
    assert ("key annotation.gnomad_vcf is not set: give the tabix-indexed gnomAD sites VCF (or "
            "the panel slice that scripts/build_resources.py makes), or none to run without "
            "it") in output
    assert ("key annotation.clinvar_vcf is not set: give the tabix-indexed ClinVar VCF, or none "
            "to run without it") in output
    assert "test_data" not in output

    shutil.copy(project / "config/demo.yaml", project / "config/config.yaml")  # the old design
    old = snakemake(project, "-n", configfile=config)
    assert old.returncode == 0, output_of(old)[-2000:]
    assert "test_data/resources/gnomad.vcf.gz" in output_of(old)


def test_config_with_gnomad_and_clinvar_none_dry_runs_on_the_users_files_only(setup):
    project, data = setup
    config = user_config(data, with_none(data))
    run = snakemake(project, "-n", configfile=config)
    output = output_of(run)
    assert run.returncode == 0, output[-3000:]
    # the job list names the inputs: the user's VCF and reference, never a demo file
    assert f"input: {data / 'dcc_family.vcf.gz'}" in output
    assert str(data / "ref/GRCh38.fa.gz") in output
    assert "test_data" not in output
    # and every output goes to the user's folder
    summary = snakemake(project, "--summary", configfile=config)
    files = [line.split("\t")[0] for line in summary.stdout.splitlines()[1:]]
    assert files and all(f.startswith(str(data / "out")) for f in files)


def test_run_with_gnomad_and_clinvar_none_says_not_checked(setup):
    """DCC1 on the user's copy of its data. Without gnomAD, the segregating DCC variant keeps
    PP1_Moderate (its Bayes factor, as in the demo) but not PM2_Supporting, and no variant is
    filtered out as common (the demo filters two on gnomAD frequency). The copied FASTA and
    GFF3 are the demo's, under other names: the reports say they are synthetic, and only
    they."""
    project, data = setup
    config = user_config(data, with_none(data))
    results = run_ok(project, configfile=config)
    assert results == project / "results" and not results.exists()
    out = data / "out"
    report = json.loads((out / "families/DCC1/report.json").read_text())
    qc = json.loads((out / "families/DCC1/qc.json").read_text())
    expected = [("annotation.gnomad_vcf", "gnomAD"), ("annotation.clinvar_vcf", "ClinVar")]
    for record in (report, qc):
        assert [(n["resource"], n["database"]) for n in record["not_checked"]] == expected
        assert sorted(r["path"] for r in record["synthetic_demo_resources"]) == sorted(
            [str(data / "ref/GRCh38.fa.gz"), str(data / "ref/Homo_sapiens.GRCh38.113.gff3")])
    table = pd.read_csv(out / "families/DCC1/candidates.tsv", sep="\t", dtype=str,
                        keep_default_na=False)
    assert set(table.gnomad_status) == {"not_checked"} and set(table.clinvar_significance) == {""}
    assert table.iloc[0].acmg_codes == "PP1_Moderate"
    assert "frequency" not in qc["prioritisation_filters"]

    page = (out / "families/DCC1/report.html").read_text()
    top = page[:page.index('id="summary"')]
    assert "<strong>gnomAD not checked</strong> (the config sets annotation.gnomad_vcf: none)" \
        in top
    assert "<strong>ClinVar not checked</strong> (the config sets annotation.clinvar_vcf: none)" \
        in top
    assert "Demo data, not a clinical result." in top
    assert f"<code>{data / 'ref/GRCh38.fa.gz'}</code> (annotation.reference_fasta)" in top

    info = json.loads((out / "run_info.json").read_text())
    configs = info["files"]["config"]
    assert [c["path"] for c in configs] == ["config/config.yaml", config]
    assert configs[1]["sha256"] == hashlib.sha256(Path(config).read_bytes()).hexdigest()
    assert [n["database"] for n in info["not_checked"]] == ["gnomAD", "ClinVar"]
    assert len(info["synthetic_demo_resources"]) == 2
    assert not [f for kind in info["files"].values() for f in kind
                if "test_data" in f["path"]]
    index = (out / "index.html").read_text()
    assert re.search(r'id="synthetic-data-warning".*GRCh38\.fa\.gz', index, re.DOTALL)
    assert "<strong>gnomAD not checked</strong>" in index
