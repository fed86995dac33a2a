"""Annotations already in the input VCF: VEP CSQ and snpEff ANN, read through the sub-field
list of the header, matched to one ALT allele (VEP's trimmed alleles included), and carried
through cmmvar's own split-and-normalise step."""

from __future__ import annotations

import pysam
import pytest

from cmmvar.annotate.input_annotations import parse_header, vep_allele
from cmmvar.errors import VcfError
from cmmvar.prepare.normalise import normalise
from tests.unit.helpers.input_annotations import (
    COLUMNS,
    CONTIG,
    VEP_FIELDS,
    VEP_HEADER,
    VEP_INDEL,
    VEP_SNV,
    csq,
)

SNPEFF_HEADER = """##fileformat=VCFv4.2
##SnpEffVersion="5.1d (build 2022-04-19 15:49), by Pablo Cingolani"
##SnpEffCmd="SnpEff  GRCh38.105 input.vcf "
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
##INFO=<ID=LOF,Number=.,Type=String,Description="Predicted loss of function effects for this variant. Format: 'Gene_Name | Gene_ID | Number_of_transcripts_in_gene | Percent_of_transcripts_affected'">
""" + CONTIG  # noqa: E501 (header lines verbatim)
SNPEFF_RECORD = "\t".join([
    "chr18", "52340300", ".", "C", "T,G", ".", "PASS",
    "ANN=T|missense_variant|MODERATE|DCC|ENSG00000187323|transcript|ENST00000442544.7|"
    "protein_coding|7/29|c.1001C>T|p.Ala334Val|1112/5000|1001/4344|334/1447||,"
    "T|splice_region_variant&intron_variant|LOW|DCC|ENSG00000187323|transcript|"
    "ENST00000581580.5|protein_coding|6/20|c.833-4C>T||||||,"
    "G|missense_variant|MODERATE|DCC|ENSG00000187323|transcript|ENST00000442544.7|"
    "protein_coding|7/29|c.1001C>G|p.Ala334Gly|1112/5000|1001/4344|334/1447||"]) + "\n"


def read(tmp_path, header: str, *lines: str):
    path = tmp_path / "input.vcf"
    path.write_text(header + COLUMNS + "".join(lines))
    vcf = pysam.VariantFile(str(path))
    return vcf, list(vcf)


def test_vep_header_gives_the_field_list_and_tool_version(tmp_path):
    vcf, _ = read(tmp_path, VEP_HEADER)
    parser = parse_header(vcf.header)
    assert parser.tool == "VEP" and parser.tag == "CSQ" and parser.source == "VEP CSQ v110"
    assert parser.fields[:4] == ("Allele", "Consequence", "IMPACT", "SYMBOL")
    assert parser.fields[-2:] == ("MANE_SELECT", "MANE_PLUS_CLINICAL")


def test_vep_deletion_is_matched_through_the_trimmed_allele(tmp_path):
    vcf, (record, _) = read(tmp_path, VEP_HEADER, VEP_INDEL, VEP_SNV)
    parser = parse_header(vcf.header)
    deletion = parser.consequences(record, "G")
    assert deletion == [
        {"transcript": "ENST00000442544.7", "gene": "DCC", "consequence": "frameshift_variant",
         "impact": "HIGH", "hgvs_c": "c.789_790del", "hgvs_p": "p.His264GlnfsTer5",
         "exon": "5/29", "intron": "", "mane_select": True, "source": "VEP CSQ v110"},
        {"transcript": "ENST00000581580.5", "gene": "DCC", "consequence": "intron_variant",
         "impact": "MODIFIER", "hgvs_c": "c.621+12_621+13del", "hgvs_p": "", "exon": "",
         "intron": "4/20", "mane_select": False, "source": "VEP CSQ v110"},
    ]
    insertion = parser.consequences(record, "GCACA")
    assert [c["hgvs_c"] for c in insertion] == ["c.789_790dup"]
    assert parser.consequences(record, "GT") == []  # not an ALT of this record


def test_vep_synonymous_hgvsp_is_url_decoded(tmp_path):
    vcf, (_, record) = read(tmp_path, VEP_HEADER, VEP_INDEL, VEP_SNV)
    (only,) = parse_header(vcf.header).consequences(record, "T")
    assert only["hgvs_p"] == "p.Leu280=" and only["hgvs_c"] == "c.840C>T"


@pytest.mark.parametrize(
    ("ref", "alts", "alt", "expected"),
    [
        ("C", ("T",), "T", "T"),  # SNV: as written
        ("GCA", ("G",), "G", "-"),  # deletion: shared base dropped, nothing left
        ("G", ("GTT",), "GTT", "TT"),  # insertion
        ("G", ("A", "GT"), "GT", "GT"),  # first bases differ (G, A): nothing dropped
        ("GCA", ("G", "*"), "G", "-"),  # the spanning deletion does not count
        ("AT", ("GC",), "GC", "GC"),  # MNV: not an indel, nothing dropped
    ],
)
def test_vep_allele_rule(ref, alts, alt, expected):
    assert vep_allele(ref, alts, alt) == expected


def test_vep_allele_num_is_used_when_present(tmp_path):
    header = VEP_HEADER.replace("MANE_PLUS_CLINICAL", "MANE_PLUS_CLINICAL|ALLELE_NUM")
    fields = [*VEP_FIELDS, "ALLELE_NUM"]
    line = "\t".join(["chr18", "52340400", ".", "A", "AT,ATT", ".", "PASS", "CSQ=" + ",".join([
        csq(fields, Allele="T", HGVSc="c.1dup", ALLELE_NUM="1"),
        csq(fields, Allele="TT", HGVSc="c.1_2dup", ALLELE_NUM="2")])]) + "\n"
    vcf, (record,) = read(tmp_path, header, line)
    parser = parse_header(vcf.header)
    assert [c["hgvs_c"] for c in parser.consequences(record, "ATT")] == ["c.1_2dup"]


def test_snpeff_ann_is_matched_by_alt_and_rank_split_into_exon_and_intron(tmp_path):
    vcf, (record,) = read(tmp_path, SNPEFF_HEADER, SNPEFF_RECORD)
    parser = parse_header(vcf.header)
    assert parser.source == "snpEff ANN 5.1d"
    assert parser.fields[9:11] == ("HGVS.c", "HGVS.p")
    found = parser.consequences(record, "T")
    assert found == [
        {"transcript": "ENST00000442544.7", "gene": "DCC", "consequence": "missense_variant",
         "impact": "MODERATE", "hgvs_c": "c.1001C>T", "hgvs_p": "p.Ala334Val",
         "exon": "7/29", "intron": "", "mane_select": False, "source": "snpEff ANN 5.1d"},
        {"transcript": "ENST00000581580.5", "gene": "DCC",
         "consequence": "splice_region_variant&intron_variant", "impact": "LOW",
         "hgvs_c": "c.833-4C>T", "hgvs_p": "", "exon": "", "intron": "6/20",
         "mane_select": False, "source": "snpEff ANN 5.1d"},
    ]
    assert [c["hgvs_p"] for c in parser.consequences(record, "G")] == ["p.Ala334Gly"]


def test_split_and_normalised_record_keeps_its_annotations(tmp_path):
    """cmmvar's normalise step splits G,GCACA and trims GCA>G to CA>-anchored form; the
    CSQ entries still belong to the ALT as VEP saw it (CMMVAR_ORIGIN)."""
    source = tmp_path / "input.vcf"
    source.write_text(VEP_HEADER + COLUMNS + VEP_INDEL + VEP_SNV)
    out = tmp_path / "normalised.vcf.gz"
    normalise(source, out, pass_only=True)
    vcf = pysam.VariantFile(str(out))
    parser = parse_header(vcf.header)
    by_alt = {(r.pos, r.ref, r.alts[0]): parser.consequences(r, r.alts[0]) for r in vcf}
    assert [c["hgvs_c"] for c in by_alt[(52340100, "GCA", "G")]] == [
        "c.789_790del", "c.621+12_621+13del"]
    assert [c["hgvs_c"] for c in by_alt[(52340100, "G", "GCA")]] == ["c.789_790dup"]
    assert [c["hgvs_p"] for c in by_alt[(52340200, "C", "T")]] == ["p.Leu280="]


def test_vcf_without_annotations_has_no_parser(tmp_path):
    vcf, _ = read(tmp_path, "##fileformat=VCFv4.2\n" + CONTIG)
    assert parse_header(vcf.header) is None


def test_csq_header_without_format_is_an_error_naming_the_file(tmp_path):
    header = ("##fileformat=VCFv4.2\n##INFO=<ID=CSQ,Number=.,Type=String,"
              "Description=\"Consequence annotations\">\n" + CONTIG)
    vcf, _ = read(tmp_path, header)
    with pytest.raises(VcfError) as caught:
        parse_header(vcf.header, path="input.vcf")
    assert str(caught.value) == (
        "input.vcf: the CSQ INFO header does not list its sub-fields (Description: "
        "'Consequence annotations') (keep the VEP header line that describes CSQ)")


def test_csq_entry_with_more_sub_fields_than_the_header_is_an_error(tmp_path):
    line = "\t".join(["chr18", "52340500", ".", "C", "T", ".", "PASS",
                      "CSQ=" + csq(Allele="T") + "|extra"]) + "\n"
    vcf, (record,) = read(tmp_path, VEP_HEADER, line)
    with pytest.raises(VcfError) as caught:
        parse_header(vcf.header).consequences(record, "T")
    assert str(caught.value).startswith(
        "record chr18:52340500: a CSQ entry has 26 sub-fields, the header lists 25: T|")
    assert str(caught.value).endswith(
        "(annotate the VCF again with VEP, or keep the header it wrote)")
