"""Bad input through the workflow: one clear message naming the file (and line or record)
and what to do; no traceback on the console; nothing half-written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.workflow.helpers.bad_input import edit
from tests.workflow.helpers.demo import copy_project, snakemake


def failing_run(workdir: Path) -> str:
    run = snakemake(workdir)
    assert run.returncode != 0
    output = run.stdout + run.stderr
    assert "Traceback (most recent call last)" not in output
    results = workdir / "results"
    assert not list(results.rglob("*.tmp")) if results.exists() else True
    return output


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path)


def test_missing_vcf_names_sheet_line_and_family(project):
    edit(project / "test_data/families.tsv", "test_data/vcf/trio.bcf", "test_data/vcf/gone.bcf")
    output = failing_run(project)
    assert ("test_data/families.tsv, line 3: family TRIO1: vcf file test_data/vcf/gone.bcf "
            "not found") in output
    assert not (project / "results").exists()


def test_file_that_is_not_a_vcf(project):
    (project / "test_data/vcf/trio.bcf").write_text("this is not a variant file\n")
    (project / "test_data/vcf/trio.bcf.csi").unlink()
    output = failing_run(project)
    assert "cmmvar: error: test_data/vcf/trio.bcf: not a readable VCF or BCF" in output
    assert not (project / "results/families/TRIO1").exists()
    assert "Traceback" in (project / "results/logs/extract/trio.log").read_text()


def test_vcf_without_the_samples_the_ped_names(project):
    ped = project / "test_data/ped/TRIO1.ped"
    ped.write_text(ped.read_text().replace("TRIO_C", "KID_7"))
    output = failing_run(project)
    assert ("test_data/ped/TRIO1.ped: none of the affected members of family 'TRIO1' (KID_7) "
            "is a sample of test_data/vcf/trio.bcf") in output
    assert "the PED's individual IDs must equal the VCF sample names" in output
    assert not (project / "results/families/TRIO1/report.html").exists()


def test_ped_with_a_cycle(project):
    edit(project / "test_data/ped/DCC1.ped", "DCC1\tDCC_I1\t0\t0", "DCC1\tDCC_I1\tDCC_III1\t0")
    output = failing_run(project)
    assert ("test_data/ped/DCC1.ped, line 2: family 'DCC1' has a cycle: "
            "DCC_I1 -> DCC_III1 -> DCC_II1 -> DCC_I1") in output
    assert not (project / "results/families/DCC1").exists()


def test_father_coded_female(project):
    edit(project / "test_data/ped/DCC1.ped", "DCC1\tDCC_I1\t0\t0\t1", "DCC1\tDCC_I1\t0\t0\t2")
    output = failing_run(project)
    assert re.search(r"test_data/ped/DCC1\.ped, line 2: 'DCC_I1' is the father of "
                     r"'DCC_II[13]' \(line [46]\) but is coded female", output)
    assert "fix the sex column of 'DCC_I1'" in output


def test_malformed_ped_line(project):
    edit(project / "test_data/ped/RAD1.ped", "RAD1\tRAD_I2\t0\t0\t2\t1", "RAD1\tRAD_I2\t0\t0\t2")
    output = failing_run(project)
    # fields counted as the file has them (the header line names 6 columns)
    assert ("test_data/ped/RAD1.ped, line 3: the header line (line 1) names 6 columns, but this "
            "line has 5 tab-separated fields") in output


def test_config_key_of_the_wrong_type(project):
    edit(project / "config/demo.yaml", "min_gq: 20", "min_gq: twenty")
    output = failing_run(project)
    assert ("config/demo.yaml: key filters.min_gq: 'twenty' is not of type 'integer'"
            in output)


def test_misspelt_config_key(project):
    edit(project / "config/demo.yaml", "  min_dp: 8", "  min_depth: 8")
    output = failing_run(project)
    assert "config/demo.yaml: key filters: Additional properties are not allowed " \
           "('min_depth' was unexpected)" in output


def test_build_mismatch(project):
    edit(project / "config/demo.yaml", "genome_build: GRCh38", "genome_build: GRCh37")
    output = failing_run(project)
    assert re.search(r"cmmvar: error: test_data/vcf/\w+\.(vcf\.gz|bcf|vcf): the file is on "
                     r"GRCh38, not on the configured GRCh37: chr?\w+ has length", output)
    assert "set genome_build: GRCh38 in the config" in output


def test_panel_gene_without_coordinates_for_the_build(project):
    panel = project / "config/panels/cmm.tsv"
    lines = panel.read_text().splitlines()
    header = next(line for line in lines if not line.startswith("##")).split("\t")
    at = header.index("start_grch38")
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if cells[0] == "NTN1":
            cells[at] = ""
            lines[i] = "\t".join(cells)
            number = i + 1
    panel.write_text("\n".join(lines) + "\n")
    output = failing_run(project)
    assert (f"config/panels/cmm.tsv, line {number}: gene NTN1 has no start_grch38 for the "
            "configured build") in output


def test_malformed_genotype_names_file_line_and_record(project):
    vcf = project / "test_data/vcf/rad51_family.vcf"
    lines = vcf.read_text().splitlines()
    for i, line in enumerate(lines):
        if "rad51_nonsegregating" in line:
            lines[i] = line.replace("0/1:", "0/Z:", 1)
            number, pos = i + 1, line.split("\t")[1]
    vcf.write_text("\n".join(lines) + "\n")
    output = failing_run(project)
    assert (f"cmmvar: error: test_data/vcf/rad51_family.vcf, line {number}: malformed record: "
            f"15:{pos} has a malformed GT '0/Z'") in output


def test_reference_fasta_that_disagrees_with_the_vcf(project):
    vcf = project / "test_data/vcf/rad51_family.vcf"
    lines = vcf.read_text().splitlines()
    for i, line in enumerate(lines):
        if "rad51_nonsegregating" in line:
            cells = line.split("\t")
            true_ref = cells[3]
            cells[3] = {"A": "C", "C": "G", "G": "T", "T": "A"}[true_ref]
            cells[4] = true_ref  # keep a valid SNV
            lines[i] = "\t".join(cells)
            pos, wrong = cells[1], cells[3]
    vcf.write_text("\n".join(lines) + "\n")
    output = failing_run(project)
    assert ("results/work/extract/rad51_family.vcf.gz: 1 of 1 records have a REF that differs "
            "from the reference FASTA test_data/resources/reference.fa.gz, e.g. "
            f"chr15:{pos} REF {wrong} vs FASTA {true_ref}") in output
    assert not (project / "results/work/normalise/rad51_family.vcf.gz").exists()


def test_gff3_without_the_panel_transcripts(project):
    gff3 = project / "test_data/resources/transcripts.gff3"
    dcc = ("ENSG00000187323", "ENST00000442544", "ENST00000581580")  # gene, MANE, DCC-202
    kept = [line for line in gff3.read_text().splitlines()
            if not any(name in line for name in dcc)]
    gff3.write_text("\n".join(kept) + "\n")
    output = failing_run(project)
    assert ("cmmvar: error: test_data/resources/transcripts.gff3: the GFF3 lacks the MANE "
            "transcript of 1 of the 12 panel genes: DCC ENST00000442544.7") in output
    assert not (project / "results/families/DCC1/report.html").exists()


def test_gnomad_file_on_the_other_build(project):
    """A gnomAD file whose contig lengths are GRCh37's, in a GRCh38 run."""
    import pysam

    from cmmvar.io.genome import CONTIG_LENGTHS

    source = project / "test_data/resources/gnomad.vcf.gz"
    with pysam.BGZFile(str(source)) as handle:
        text = handle.read().decode()
    for chrom, length in CONTIG_LENGTHS["GRCh38"].items():
        text = text.replace(f"##contig=<ID=chr{chrom},length={length}>",
                            f"##contig=<ID=chr{chrom},length={CONTIG_LENGTHS['GRCh37'][chrom]}>")
    plain = source.with_suffix("")
    plain.write_text(text)
    pysam.tabix_compress(str(plain), str(source), force=True)
    pysam.tabix_index(str(source), preset="vcf", force=True)
    output = failing_run(project)
    assert re.search(r"cmmvar: error: test_data/resources/gnomad\.vcf\.gz: the file is on "
                     r"GRCh37, not on the configured GRCh38: chr\w+ has length", output)


def test_corrupt_tabix_index_of_clinvar(project):
    (project / "test_data/resources/clinvar.vcf.gz.tbi").write_bytes(b"\x1f\x8bnot an index")
    output = failing_run(project)
    assert ("cmmvar: error: test_data/resources/clinvar.vcf.gz: the index "
            "test_data/resources/clinvar.vcf.gz.tbi is corrupt or unreadable") in output
    assert "tabix -f -p vcf test_data/resources/clinvar.vcf.gz" in output


def test_reference_fasta_path_that_does_not_exist(project):
    edit(project / "config/demo.yaml", "reference_fasta: test_data/resources/reference.fa.gz",
         "reference_fasta: test_data/resources/gone.fa.gz")
    output = failing_run(project)
    assert "test_data/resources/gone.fa.gz" in output
    assert not (project / "results/families").exists()
