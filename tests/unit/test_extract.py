"""Extraction: panel records kept by index and by streaming alike, names harmonised, the build
checked, bad files refused with a message that names the file and record."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from cmmvar.errors import BuildMismatchError, VcfError
from cmmvar.io.genome import CONTIG_LENGTHS, bare
from cmmvar.io.panel import Gene, load_panel
from cmmvar.prepare.extract import extract

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "config" / "panels" / "cmm.tsv"
DEMO = ROOT / "test_data" / "vcf"
GENES = load_panel(PANEL, "GRCh38")


def demo_names(path) -> list[str]:
    with pysam.VariantFile(str(path)) as vcf:
        return [rec.info["DEMO"] for rec in vcf]


def test_dcc_family_keeps_panel_records_and_drops_the_rest(tmp_path):
    # make_test_data.py: four sites inside DCC (one failing FILTER, which extraction keeps
    # and normalisation drops), one 50 bp past the gene end (inside the 100 bp padding);
    # dropped: 500 bp before the gene, chr18:30,000,000 and a chr2 site.
    out = tmp_path / "dcc.vcf.gz"
    stats = extract(DEMO / "dcc_family.vcf.gz", GENES, "GRCh38", out, padding=100)
    assert stats.mode == "index"
    assert sorted(demo_names(out)) == ["dcc_in_padding", "dcc_lowqual", "dcc_multiallelic",
                                       "dcc_segregating", "dcc_spouse_only"]
    assert Path(str(out) + ".tbi").exists()


def test_padding_zero_drops_the_site_past_the_gene_end(tmp_path):
    out = tmp_path / "dcc.vcf.gz"
    extract(DEMO / "dcc_family.vcf.gz", GENES, "GRCh38", out, padding=0)
    assert "dcc_in_padding" not in demo_names(out)


def test_streaming_without_index_gives_the_same_records(tmp_path):
    unindexed = tmp_path / "copy.vcf.gz"
    shutil.copy(DEMO / "dcc_family.vcf.gz", unindexed)
    by_index, by_stream = tmp_path / "a.vcf.gz", tmp_path / "b.vcf.gz"
    extract(DEMO / "dcc_family.vcf.gz", GENES, "GRCh38", by_index, 100)
    stats = extract(unindexed, GENES, "GRCh38", by_stream, 100)
    assert stats.mode == "stream" and stats.records_scanned == 8
    assert demo_names(by_index) == demo_names(by_stream)


def test_bcf_with_csi_index_is_read(tmp_path):
    out = tmp_path / "trio.vcf.gz"
    stats = extract(DEMO / "trio.bcf", GENES, "GRCh38", out, 100)
    assert stats.mode == "index"
    assert sorted(demo_names(out)) == ["ntn1_de_novo", "ntn1_low_dp", "ntn1_paternal"]


def test_bare_contig_names_become_chr_names(tmp_path):
    out = tmp_path / "rad.vcf.gz"
    stats = extract(DEMO / "rad51_family.vcf", GENES, "GRCh38", out, 100)
    assert stats.mode == "stream" and stats.contig_style == "bare"
    with pysam.VariantFile(str(out)) as vcf:
        records = [(r.chrom, r.info["DEMO"]) for r in vcf]
        assert vcf.header.contigs["chr15"].length == CONTIG_LENGTHS["GRCh38"]["15"]
    assert records == [("chr15", "rad51_nonsegregating")]


def _write_vcf(path: Path, contigs: dict[str, int], body: list[str], samples=("S1",)) -> Path:
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={c},length={n}>" for c, n in contigs.items()]
    lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                         "FORMAT", *samples])]
    path.write_text("\n".join(lines + body) + "\n")
    return path


def test_unsorted_stream_is_sorted_before_indexing(tmp_path):
    dcc = next(g for g in GENES if g.symbol == "DCC")
    body = [f"chr18\t{dcc.start + 900}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1",
            f"chr18\t{dcc.start + 100}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1"]
    vcf = _write_vcf(tmp_path / "u.vcf", {"chr18": CONTIG_LENGTHS["GRCh38"]["18"]}, body)
    out = tmp_path / "u.out.vcf.gz"
    extract(vcf, GENES, "GRCh38", out, 100)
    with pysam.VariantFile(str(out)) as result:
        assert [r.pos for r in result.fetch("chr18")] == [dcc.start + 100, dcc.start + 900]


def test_grch37_contigs_with_grch38_configured_is_an_error(tmp_path):
    lengths = {f"chr{c}": n for c, n in CONTIG_LENGTHS["GRCh37"].items()}
    vcf = _write_vcf(tmp_path / "b37.vcf", lengths, [])
    with pytest.raises(BuildMismatchError) as caught:
        extract(vcf, GENES, "GRCh38", tmp_path / "o.vcf.gz", 100)
    message = str(caught.value)
    assert "b37.vcf" in message and "GRCh37" in message and "chr1 has length 249,250,621" in message
    assert "genome_build: GRCh37" in message
    assert not (tmp_path / "o.vcf.gz").exists()


def test_malformed_genotype_names_the_line(tmp_path):
    dcc = next(g for g in GENES if g.symbol == "DCC")
    body = [f"chr18\t{dcc.start + 100}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1",
            f"chr18\t{dcc.start + 200}\t.\tA\tG\t50\tPASS\t.\tGT\t0/X"]
    vcf = _write_vcf(tmp_path / "bad.vcf", {"chr18": CONTIG_LENGTHS["GRCh38"]["18"]}, body)
    with pytest.raises(VcfError) as caught:
        extract(vcf, GENES, "GRCh38", tmp_path / "o.vcf.gz", 100)
    message = str(caught.value)
    assert "bad.vcf, line 6" in message and "malformed GT '0/X'" in message
    assert f"chr18:{dcc.start + 200}" in message
    assert not (tmp_path / "o.vcf.gz").exists()


def test_missing_and_non_vcf_files_are_refused(tmp_path):
    with pytest.raises(VcfError, match=r"nowhere\.vcf\.gz: VCF file not found"):
        extract(tmp_path / "nowhere.vcf.gz", GENES, "GRCh38", tmp_path / "o.vcf.gz", 100)
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    with pytest.raises(VcfError, match=r"notes\.txt: not a readable VCF or BCF"):
        extract(text, GENES, "GRCh38", tmp_path / "o.vcf.gz", 100)


def test_unreadable_file_is_refused(tmp_path):
    vcf = _write_vcf(tmp_path / "locked.vcf", {"chr1": 248956422}, [])
    vcf.chmod(0)
    try:
        if vcf.open("rb"):  # root reads anything: nothing to test then
            pytest.skip("running as root: permissions do not stop reads")
    except PermissionError:
        with pytest.raises(VcfError, match="cannot read the file"):
            extract(vcf, GENES, "GRCh38", tmp_path / "o.vcf.gz", 100)
    finally:
        vcf.chmod(0o644)


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="Debian bcftools not installed")
def test_command_line_writes_an_indexed_file_bcftools_can_query(tmp_path):
    out = tmp_path / "cli.vcf.gz"
    run = subprocess.run(
        [sys.executable, "-m", "cmmvar.cli", "extract", "--vcf", str(DEMO / "cohort.vcf.gz"),
         "--panel", str(PANEL), "--build", "GRCh38", "--out", str(out), "--padding", "100"],
        capture_output=True, text=True, check=True)
    assert '"records_kept": 3' in run.stdout
    region = subprocess.run(["bcftools", "view", "-H", str(out), "chrX"],
                            capture_output=True, text=True, check=True).stdout
    assert len(region.splitlines()) == 2  # the two ANOS1 sites, by index


def test_command_line_error_is_one_line(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "cmmvar.cli", "extract", "--vcf", str(tmp_path / "x.vcf"),
         "--panel", str(PANEL), "--build", "GRCh38", "--out", str(tmp_path / "o.vcf.gz")],
        capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"cmmvar: error: {tmp_path / 'x.vcf'}: VCF file not found "
        "(check the path)"]
    assert "Traceback" not in run.stderr


def test_a_panel_chromosome_absent_from_the_file_is_noted_as_searched_or_not(tmp_path):
    """Streaming reads every record, so a chromosome with no record and no contig line holds no
    variant of the file; through an index, a chromosome the header and index lack could not be
    searched at all. The note says which (the panel has genes on 18, X and others)."""
    plain = tmp_path / "only18.vcf"
    plain.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr18,length=80373285>\n"
                     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                     "chr18\t52340123\t.\tG\tA\t50\tPASS\t.\n")
    streamed = extract(plain, GENES, "GRCh38", tmp_path / "s.vcf.gz", 100)
    assert streamed.mode == "stream" and "chrX" in streamed.panel_contigs_absent
    [note_x] = [n for n in streamed.notes if "chromosome X " in n]
    assert "no record on chromosome X (or chrX) in the whole file" in note_x
    assert "could not be searched" not in " ".join(streamed.notes)

    indexed = tmp_path / "only18.vcf.gz"
    pysam.tabix_compress(str(plain), str(indexed))
    pysam.tabix_index(str(indexed), preset="vcf")
    by_index = extract(indexed, GENES, "GRCh38", tmp_path / "i.vcf.gz", 100)
    assert by_index.mode == "index" and "chrX" in by_index.panel_contigs_absent
    assert any(n.endswith("no contig X (or chrX) in the header or the index; panel genes "
                          "there could not be searched") for n in by_index.notes)


def test_extracted_records_and_contigs_follow_the_chromosome_order(tmp_path):
    """Records written MT, X, 10, Y, unplaced, 2 come out 2, 10, X, Y, M, unplaced: the order
    the panel's regions follow (cmmvar.io.panel.chrom_order), in the records and the contig
    lines alike."""
    chroms = ["chrM", "chrX", "chr10", "chrY", "chr1_KI270706v1_random", "chr2"]
    genes = [Gene(f"G{i}", "HGNC:0", "ENSG0", "ENST0", bare(c), 50, 150, "+", "AD", 0.5, None,
                  None, 0.001, 1e-4, "core", "e", "s") for i, c in enumerate(chroms)]
    vcf = tmp_path / "unsorted.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n"
                   + "".join(f"##contig=<ID={c}>\n" for c in chroms)
                   + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   + "".join(f"{c}\t100\t.\tA\tG\t50\tPASS\t.\n" for c in chroms))
    out = tmp_path / "out.vcf.gz"
    extract(vcf, genes, "GRCh38", out, 0)
    expected = ["chr2", "chr10", "chrX", "chrY", "chrM", "chr1_KI270706v1_random"]
    with pysam.VariantFile(str(out)) as result:
        assert [r.chrom for r in result] == expected
        assert list(result.header.contigs) == expected
