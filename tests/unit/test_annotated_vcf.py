"""The annotated VCF of a family's candidates: read back by htslib (pysam) and bcftools, it
says what candidates.tsv says, holds the family's own calls as the normalised VCF has them
and nobody else's, and escapes text as VCF 4.3 requires."""

from __future__ import annotations

import subprocess
import urllib.parse
from pathlib import Path

import pysam
import pytest

from cmmvar import __version__
from cmmvar.report.annotated_vcf import (
    INFO_FIELDS,
    contig_order,
    encode,
    family_vcf,
    info_value,
    write_family_vcf,
)
from cmmvar.report.family import candidate_rows
from cmmvar.segregate.genotypes import Thresholds
from cmmvar.stages import segregate_stage
from tests.unit.helpers.stages import prepare

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "config/panels/cmm.tsv"
SHARED_VCF = ROOT / "test_data/vcf/cohort.vcf.gz"  # CONS1, XL1 and UNRELATED_1
XL1_MEMBERS = ["XL_F", "XL_M", "XL_S1", "XL_S2", "XL_S3"]


@pytest.fixture(scope="module")
def xl1(tmp_path_factory):
    """XL1 of the demo through the workflow's stage functions: (its result, candidates.tsv
    rows, the matching records, the normalised VCF, the folder of the written VCF)."""
    tmp = tmp_path_factory.mktemp("xl1")
    normalised, _ = prepare(SHARED_VCF, tmp)
    family = {"family": "XL1", "ped": str(ROOT / "test_data/ped/XL1.ped"), "proband": "",
              "parentage_confirmed": False}
    [result] = segregate_stage([family], SHARED_VCF, normalised, tmp / "a.tsv", PANEL,
                               "GRCh38", Thresholds(20, 8), {"allele_frequency": 1e-4}, None)
    rows, _, ordered = candidate_rows(result, {})
    variants = [item.variant for item in ordered[:len(rows)]]
    out = tmp / "out"
    write_family_vcf(result, rows, variants, out / family_vcf("XL1"))
    return result, rows, variants, normalised, out


def test_reserved_characters_and_spaces_are_percent_encoded_and_percent_first():
    """VCF 4.3 section 1.2: % : ; = , TAB LF CR (and the space, for older readers); a text
    that already looks encoded keeps its % as %25, so decoding gives it back exactly."""
    assert encode("a b:c;d=e,f%g\th\ni\rj") == "a%20b%3Ac%3Bd%3De%2Cf%25g%09h%0Ai%0Dj"
    assert encode("x%3B") == "x%253B"
    assert urllib.parse.unquote(encode("x%3B y")) == "x%3B y"
    assert encode("c.466+1G>A") == "c.466+1G>A"


def test_info_values_empty_cells_are_left_out_and_lists_are_comma_separated():
    assert info_value("", "1", "Float") is None
    assert info_value(None, "1", "String") is None
    assert info_value(0, "1", "Integer") == "0"  # a zero count is a value, not an empty cell
    assert info_value("3.63267", "1", "Float") == "3.63267"
    assert info_value("Uncertain significance", "1", "String") == "Uncertain%20significance"
    assert info_value("PM2_Supporting;PP1_Moderate", ".", "String") == \
        "PM2_Supporting,PP1_Moderate"


def test_contigs_follow_the_records_naming_with_lengths_of_the_build_and_unknowns_last():
    contigs = contig_order("GRCh38", ["chrX", "chrUn_KI270742v1", "chr1"])
    assert contigs[0] == ("chr1", 248956422)
    assert ("chrX", 156040895) in contigs
    assert contigs[-1] == ("chrUn_KI270742v1", None)
    assert contig_order("GRCh37", ["7"])[6] == ("7", 159138663)


def test_htslib_and_bcftools_read_the_family_vcf_without_a_warning(xl1):
    *_, out = xl1
    path = out / family_vcf("XL1")
    assert sorted(p.name for p in out.iterdir()) == [family_vcf("XL1"), family_vcf("XL1") + ".tbi"]
    view = subprocess.run(["bcftools", "view", "-H", str(path)], capture_output=True,
                          text=True, check=True)
    assert view.stderr == ""
    assert len(view.stdout.splitlines()) == 2  # the frameshift and the missense of ANOS1
    with pysam.VariantFile(str(path)) as vcf:
        assert vcf.index is not None
        assert [r.pos for r in vcf.fetch("chrX", 8731000, 8732000)] == [8731878, 8731977]


def test_every_info_field_holds_the_candidates_tsv_cell(xl1):
    """bcftools query, decoded with the standard library's percent-decoder, gives back the
    row's cell (numbers compared as numbers at the TSV's precision); a field whose cell is
    empty is absent (.)."""
    _, rows, _, _, out = xl1
    keys = [f"CMMVAR_{key}" for key, *_ in INFO_FIELDS]
    query = subprocess.run(
        ["bcftools", "query", "-f", "%POS\t%ALT\t" + "\t".join(f"%{k}" for k in keys) + "\n",
         str(out / family_vcf("XL1"))], capture_output=True, text=True, check=True).stdout
    by_pos = {(int(line.split("\t")[0]), line.split("\t")[1]): line.split("\t")[2:]
              for line in query.splitlines()}
    assert set(by_pos) == {(row["pos"], row["alt"]) for row in rows}
    for row in rows:
        values = by_pos[(row["pos"], row["alt"])]
        for (key, column, number, type_, _), value in zip(INFO_FIELDS, values, strict=True):
            cell = "" if row[column] is None else str(row[column])
            if cell == "":
                assert value == ".", (key, row["pos"])
            elif type_ == "Float":
                assert float(value) == pytest.approx(float(cell), rel=1e-6), key
            elif number == ".":
                assert [urllib.parse.unquote(v) for v in value.split(",")] == \
                    cell.split(";"), key
            else:
                assert urllib.parse.unquote(value) == cell, (key, row["pos"])
    apart = [row for row in rows if row["rank"] == ""]
    assert [row["pos"] for row in apart] == [8731878]  # no affected member carries it


def test_samples_are_the_family_members_with_their_calls_as_the_normalised_vcf_has_them(xl1):
    """The shared VCF also holds CONS1's six members and UNRELATED_1: none of them is a
    column, and each member's GT, GQ, DP and AD are those of the normalised VCF."""
    _, _, _, normalised, out = xl1
    with pysam.VariantFile(str(out / family_vcf("XL1"))) as vcf, \
            pysam.VariantFile(str(normalised)) as source:
        assert list(vcf.header.samples) == XL1_MEMBERS
        for record in vcf:
            [original] = [r for r in source.fetch(record.chrom, record.pos - 1, record.pos)
                          if r.pos == record.pos and r.alts == record.alts]
            for sample in XL1_MEMBERS:
                ours, theirs = record.samples[sample], original.samples[sample]
                assert ours["GT"] == theirs["GT"], sample
                assert ours["GQ"] == theirs["GQ"] and ours["DP"] == theirs["DP"]
                assert ours["AD"] == theirs["AD"]
    text = subprocess.run(["bcftools", "view", str(out / family_vcf("XL1"))], capture_output=True,
                          text=True, check=True).stdout
    for outsider in ("UNRELATED_1", "CON_III1", "CON_IV4", "CONS1"):
        assert outsider not in text


def test_a_family_without_candidates_gets_a_valid_header_only_vcf(xl1, tmp_path):
    result, *_ = xl1
    write_family_vcf(result, [], [], tmp_path / family_vcf("XL1"))
    with pysam.VariantFile(str(tmp_path / family_vcf("XL1"))) as vcf:
        assert list(vcf) == [] and list(vcf.header.samples) == XL1_MEMBERS
        assert "CMMVAR_FLB" in vcf.header.info
    assert (tmp_path / (family_vcf("XL1") + ".tbi")).is_file()


def test_provenance_line_names_cmmvar_version_family_and_build(xl1):
    *_, out = xl1
    with pysam.VariantFile(str(out / family_vcf("XL1"))) as vcf:
        [line] = [str(r) for r in vcf.header.records if r.key == "cmmvar"]
    assert f"Version={__version__}" in line and "Family=XL1" in line
    assert "GenomeBuild=GRCh38" in line
