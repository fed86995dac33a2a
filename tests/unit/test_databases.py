"""Local gnomAD and ClinVar lookups: matching on the normalised allele, absent versus
frequency 0, field names of gnomAD v4/v4-joint/v2, ClinVar stars and conditions, chromosome
naming, and the errors for a wrong build, a missing index and a corrupt index.

Every resource is a small VCF written in tmp_path, bgzipped and tabix-indexed by pysam."""

from __future__ import annotations

import pysam
import pytest

from cmmvar.annotate.databases import Clinvar, Gnomad, review_stars, rightmost_position
from cmmvar.errors import BuildMismatchError, InputError
from cmmvar.io.genome import CONTIG_LENGTHS

# chr1 of the test FASTA. 1-based landmarks: T at 20, a CA repeat at 21-28, G at 29,
# a run of seven T at 30-36.
CHR1 = "GATTACAGGTCCGGAATTCT" + "CACACACA" + "G" + "TTTTTTT" + "ACGGATCCATGCAAGT" * 8


def contigs(build: str, prefix: str, names=("1", "2", "18")) -> str:
    return "".join(f"##contig=<ID={prefix}{n},length={CONTIG_LENGTHS[build][n]}>\n"
                   for n in names)


GNOMAD_V4_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=AC0,Description="Allele count is zero after filtering out low-confidence genotypes (GQ < 20; DP < 10; and AB < 0.2 for het calls)">
##FILTER=<ID=AS_VQSR,Description="Failed VQSR filtering thresholds of -2.7739 for SNPs and -1.0606 for indels">
##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">
##INFO=<ID=grpmax,Number=A,Type=String,Description="Genetic ancestry group with the maximum allele frequency">
##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">
##INFO=<ID=fafmax_faf95_max,Number=A,Type=Float,Description="Maximum filtering allele frequency (using Poisson 95% CI) across genetic ancestry groups">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">
##INFO=<ID=vep,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL">
"""  # noqa: E501 (header lines verbatim)

COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


def write_fasta(tmp_path, prefix: str = "chr") -> str:
    path = tmp_path / "ref.fa"
    path.write_text(f">{prefix}1\n{CHR1}\n")
    pysam.faidx(str(path))
    return str(path)


def write_vcf(tmp_path, name: str, header: str, lines: list[str], index: bool = True) -> str:
    plain = tmp_path / name
    lines = sorted(lines, key=lambda fields: (fields[0], fields[1]))  # tabix needs order
    plain.write_text(header + COLUMNS + "".join("\t".join(map(str, f)) + "\n" for f in lines))
    compressed = str(plain) + ".gz"
    pysam.tabix_compress(str(plain), compressed, force=True)
    if index:
        pysam.tabix_index(compressed, preset="vcf", force=True)
    return compressed


def gnomad_v4(tmp_path, prefix: str = "chr") -> str:
    header = GNOMAD_V4_HEADER + "##source=gnomAD v4.1.0 exomes\n" + contigs("GRCh38", prefix)
    rows = [
        # A multiallelic indel written at the right end of the CA repeat, with padding:
        # ALT 1 deletes one CA, ALT 2 inserts one; both left-align to the T at 20.
        (f"{prefix}1", 26, ".", "ACAG", "AG,ACACAG", ".", "PASS",
         "AC=3,7;AN=1000;AF=0.003,0.007;grpmax=nfe,afr;AF_grpmax=0.005,0.02;"
         "fafmax_faf95_max=0.002,0.012;nhomalt=0,1;vep=-|frameshift_variant|HIGH|X"),
        # A site seen in gnomAD with no carrier left after genotype filtering: AF 0.
        (f"{prefix}1", 8, ".", "G", "A", ".", "AC0", "AC=0;AN=800;AF=0;nhomalt=0"),
        (f"{prefix}1", 9, ".", "G", "C", ".", "PASS",
         "AC=1;AN=152000;AF=6.58e-06;grpmax=sas;AF_grpmax=4.1e-05;"
         "fafmax_faf95_max=2e-06;nhomalt=0"),
    ]
    return write_vcf(tmp_path, "gnomad.v4.vcf", header, rows)


# ----------------------------------------------------------------------------- gnomAD


def test_multiallelic_indel_written_right_shifted_matches_after_left_alignment(tmp_path):
    gnomad = Gnomad(gnomad_v4(tmp_path), "GRCh38", fasta=write_fasta(tmp_path))
    deletion = gnomad.lookup("chr1", 20, "TCA", "T")
    insertion = gnomad.lookup("chr1", 20, "T", "TCA")
    assert (deletion.ac, deletion.af, deletion.grpmax, deletion.af_grpmax,
            deletion.faf95_max, deletion.nhomalt) == (3, 0.003, "nfe", 0.005, 0.002, 0)
    assert (insertion.ac, insertion.grpmax, insertion.nhomalt) == (7, "afr", 1)
    assert deletion.an == 1000 and deletion.filters == ("PASS",)
    assert deletion.fields_version == "v4"
    # the query may itself be written anywhere in the repeat
    assert gnomad.lookup("chr1", 24, "ACA", "A").ac == 3
    assert gnomad.lookup("chr1", 20, "TCACA", "T") is None  # two units: another allele


def test_without_fasta_alleles_are_only_trimmed_so_shifted_indels_do_not_match(tmp_path):
    gnomad = Gnomad(gnomad_v4(tmp_path), "GRCh38")
    assert gnomad.lookup("chr1", 20, "TCA", "T") is None
    assert gnomad.lookup("chr1", 26, "ACA", "A").ac == 3  # the trimmed form of ALT 1


def test_absent_from_gnomad_is_none_but_a_filtered_ac0_site_is_frequency_zero(tmp_path):
    gnomad = Gnomad(gnomad_v4(tmp_path), "GRCh38", fasta=write_fasta(tmp_path))
    zero = gnomad.lookup("chr1", 8, "G", "A")
    assert zero is not None and zero.af == 0 and zero.ac == 0 and zero.filters == ("AC0",)
    assert zero.grpmax is None and zero.af_grpmax is None
    assert gnomad.lookup("chr1", 8, "G", "T") is None  # same site, other allele
    assert gnomad.lookup("chr1", 40, "C", "T") is None  # no record there
    assert gnomad.covers("chr1")


def test_rare_snv_values_and_source_from_header(tmp_path):
    path = gnomad_v4(tmp_path)
    gnomad = Gnomad(path, "GRCh38")
    record = gnomad.lookup("chr1", 9, "G", "C")
    assert record.af == pytest.approx(6.58e-06) and record.grpmax == "sas"
    assert record.af_grpmax == pytest.approx(4.1e-05)
    assert gnomad.source == "gnomad.v4.vcf.gz (source=gnomAD v4.1.0 exomes)"


def test_chromosome_names_are_harmonised_on_both_sides(tmp_path):
    """A `1`-named resource and a `chr1`-named FASTA, queried as chr1 and as 1."""
    gnomad = Gnomad(gnomad_v4(tmp_path, prefix=""), "GRCh38",
                    fasta=write_fasta(tmp_path, prefix="chr"))
    assert gnomad.lookup("chr1", 20, "TCA", "T").ac == 3
    assert gnomad.lookup("1", 20, "TCA", "T").ac == 3


def test_chromosome_without_records_gives_none_and_a_note(tmp_path):
    gnomad = Gnomad(gnomad_v4(tmp_path), "GRCh38")
    assert gnomad.lookup("chr18", 52000000, "A", "G") is None
    assert not gnomad.covers("chr18")
    assert any("no records on chr18" in note for note in gnomad.notes)


def test_joint_file_fields_with_suffix(tmp_path):
    header = (GNOMAD_V4_HEADER.replace("ID=AC,", "ID=AC_joint,")
              .replace("ID=AN,", "ID=AN_joint,").replace("ID=AF,", "ID=AF_joint,")
              .replace("ID=grpmax,", "ID=grpmax_joint,")
              .replace("ID=AF_grpmax,", "ID=AF_grpmax_joint,")
              .replace("ID=fafmax_faf95_max,", "ID=fafmax_faf95_max_joint,")
              .replace("ID=nhomalt,", "ID=nhomalt_joint,")) + contigs("GRCh38", "chr")
    path = write_vcf(tmp_path, "gnomad.joint.vcf", header, [
        ("chr1", 9, ".", "G", "C", ".", "PASS",
         "AC_joint=4;AN_joint=1600000;AF_joint=2.5e-06;grpmax_joint=nfe;"
         "AF_grpmax_joint=3e-06;fafmax_faf95_max_joint=1e-06;nhomalt_joint=0")])
    record = Gnomad(path, "GRCh38").lookup("chr1", 9, "G", "C")
    assert (record.ac, record.an, record.grpmax, record.nhomalt) == (4, 1600000, "nfe", 0)
    assert record.faf95_max == pytest.approx(1e-06) and record.fields_version == "v4"


def test_grch37_v2_file_uses_popmax_fields(tmp_path):
    header = """##fileformat=VCFv4.2
##reference=file:///seq/references/Homo_sapiens_assembly19/v1/Homo_sapiens_assembly19.fasta
##FILTER=<ID=PASS,Description="All filters passed">
##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count for samples">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in samples">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency in samples">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals in samples">
##INFO=<ID=popmax,Number=A,Type=String,Description="Population with maximum AF">
##INFO=<ID=AF_popmax,Number=A,Type=Float,Description="Maximum allele frequency across populations (excluding samples of Ashkenazi, Finnish, and indeterminate ancestry)">
##INFO=<ID=faf95,Number=A,Type=Float,Description="Filtering allele frequency (using Poisson 95% CI) for samples">
""" + contigs("GRCh37", "")  # noqa: E501 (header lines verbatim)
    path = write_vcf(tmp_path, "gnomad.exomes.r2.1.1.sites.vcf", header, [
        ("1", 9, ".", "G", "C", ".", "PASS",
         "AC=2;AN=250000;AF=8e-06;nhomalt=0;popmax=eas;AF_popmax=5e-05;faf95=1.3e-06")])
    gnomad = Gnomad(path, "GRCh37")
    record = gnomad.lookup("chr1", 9, "G", "C")  # queried with the prefix the file lacks
    assert record.fields_version == "v2"
    assert (record.ac, record.grpmax, record.af_grpmax, record.faf95_max) == (
        2, "eas", 5e-05, pytest.approx(1.3e-06))
    assert gnomad.source.startswith("gnomad.exomes.r2.1.1.sites.vcf.gz (reference=file:///")


def test_gnomad_on_the_other_build_is_an_error_naming_the_file(tmp_path):
    path = gnomad_v4(tmp_path)
    with pytest.raises(BuildMismatchError) as caught:
        Gnomad(path, "GRCh37")
    message = str(caught.value)
    assert message.startswith(f"{path}: the file is on GRCh38, not on the configured GRCh37")
    assert "chr1 has length 248,956,422" in message
    assert "set genome_build: GRCh38 in the config, or use a GRCh37 file" in message


def test_missing_index_is_an_input_error_saying_how_to_index(tmp_path):
    header = GNOMAD_V4_HEADER + contigs("GRCh38", "chr")
    path = write_vcf(tmp_path, "noindex.vcf", header, [], index=False)
    with pytest.raises(InputError) as caught:
        Gnomad(path, "GRCh38")
    assert str(caught.value) == (
        f"{path}: no tabix index (.tbi or .csi) next to the file (index it with "
        f"'tabix -p vcf {path}' (the file must be compressed with bgzip, not gzip))")


def test_corrupt_index_is_an_input_error_saying_how_to_rebuild_it(tmp_path):
    path = gnomad_v4(tmp_path)
    with open(path + ".tbi", "wb") as handle:
        handle.write(b"TBI\x01 this is not an index")
    with pytest.raises(InputError) as caught:
        Clinvar(path, "GRCh38")
    assert str(caught.value) == (
        f"{path}: the index {path}.tbi is corrupt or unreadable "
        f"(rebuild it with 'tabix -f -p vcf {path}')")


def test_file_without_gnomad_fields_is_rejected(tmp_path):
    header = "##fileformat=VCFv4.2\n" \
             '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">\n'
    path = write_vcf(tmp_path, "other.vcf", header, [("chr1", 9, ".", "G", "C", ".", ".",
                                                      "AF=0.1")])
    with pytest.raises(InputError, match=r"neither gnomAD v4 \(AF_grpmax, grpmax, "
                                         r"fafmax_faf95_max\) nor v2"):
        Gnomad(path, "GRCh38")


def test_rightmost_position_slides_through_the_repeat():
    def base_at(pos: int) -> str:
        return CHR1[pos - 1] if pos <= len(CHR1) else ""

    assert rightmost_position(20, "TCA", "T", base_at) == 26  # CA repeat 21-28
    assert rightmost_position(29, "GT", "G", base_at) == 35  # T run 30-36
    assert rightmost_position(9, "G", "C", base_at) == 9  # SNVs do not move


# ----------------------------------------------------------------------------- ClinVar

CLINVAR_HEADER = """##fileformat=VCFv4.1
##fileDate=2024-08-05
##source=ClinVar
##reference=GRCh38
##ID=<Description="ClinVar Variation ID">
##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">
##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar's preferred disease name for the concept specified by disease identifiers in CLNDISDB">
##INFO=<ID=CLNDISDB,Number=.,Type=String,Description="Tag-value pairs of disease database name and identifier submitted for germline classifications, e.g. OMIM:NNNNNN">
##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status of germline classification for the Variation ID">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=CLNSIGCONF,Number=.,Type=String,Description="Conflicting germline classification for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=CLNVC,Number=1,Type=String,Description="Variant type">
##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id. The gene symbol and id are delimited by a colon (:) and each pair is delimited by a vertical bar (|)">
##INFO=<ID=ONC,Number=.,Type=String,Description="Aggregate oncogenicity classification for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=ONCREVSTAT,Number=.,Type=String,Description="ClinVar review status of oncogenicity classification for the Variation ID">
##INFO=<ID=SCI,Number=.,Type=String,Description="Aggregate somatic clinical impact for this single variant; multiple values are separated by a vertical bar">
##INFO=<ID=ORIGIN,Number=.,Type=String,Description="Allele origin. One or more of the following values may be added: 0 - unknown; 1 - germline; 2 - somatic; 4 - inherited; 8 - paternal; 16 - maternal; 32 - de-novo; 64 - biparental; 128 - uniparental; 256 - not-tested; 512 - tested-inconclusive; 1073741824 - other">
"""  # noqa: E501 (header lines verbatim)

# (pos, ref, alt, CLNSIG, CLNREVSTAT, expected stars)
STAR_LEVELS = [
    (8, "G", "A", "Pathogenic", "practice_guideline", 4),
    (9, "G", "C", "Pathogenic/Likely_pathogenic", "reviewed_by_expert_panel", 3),
    (10, "T", "A", "Likely_pathogenic", "criteria_provided,_multiple_submitters,_no_conflicts",
     2),
    (11, "C", "T", "Uncertain_significance", "criteria_provided,_single_submitter", 1),
    (12, "C", "A", "Conflicting_classifications_of_pathogenicity",
     "criteria_provided,_conflicting_classifications", 1),
    (13, "G", "T", "Conflicting_interpretations_of_pathogenicity",
     "criteria_provided,_conflicting_interpretations", 1),
    (14, "G", "C", "Pathogenic", "no_assertion_criteria_provided", 0),
    (15, "A", "G", "not_provided", "no_classification_provided", 0),
    (16, "A", "C", "no_classifications_from_unflagged_records",
     "no_classifications_from_unflagged_records", 0),
]


def clinvar(tmp_path) -> str:
    rows = [("1", pos, 100000 + pos, ref, alt, ".", ".",
             f"ALLELEID={pos};CLNSIG={sig};CLNREVSTAT={status};CLNDN=not_provided;"
             "GENEINFO=DCC:1630;ORIGIN=1")
            for pos, ref, alt, sig, status, _ in STAR_LEVELS]
    rows.append(("1", 26, 9001, "ACAG", "AG", ".", ".",
                 "ALLELEID=9002;CLNSIG=Pathogenic/Likely_pathogenic/Pathogenic,_low_penetrance|"
                 "_risk_factor;CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts;"
                 "CLNDN=Mirror_movements_1|Colorectal_cancer,_hereditary_nonpolyposis,_type_1|"
                 "not_specified;CLNDISDB=MONDO:MONDO:0011780,OMIM:157600|.;"
                 "GENEINFO=DCC:1630|MBD2:8932;ONC=Oncogenic;ONCREVSTAT=criteria_provided,"
                 "_single_submitter;SCI=Tier_I_-_Strong;ORIGIN=3"))
    rows.append(("1", 33, 9100, "T", ".", ".", ".", "ALLELEID=9101;CLNVC=Variation"))
    return write_vcf(tmp_path, "clinvar_20240805.vcf", CLINVAR_HEADER, rows)


@pytest.mark.parametrize(("pos", "ref", "alt", "clnsig", "status", "stars"), STAR_LEVELS)
def test_review_status_gives_clinvar_stars(tmp_path, pos, ref, alt, clnsig, status, stars):
    record = Clinvar(clinvar(tmp_path), "GRCh38").lookup("chr1", pos, ref, alt)
    assert record.stars == stars
    assert record.review_status == status.replace("_", " ")
    assert record.significance == clnsig.replace("_", " ")
    assert record.variation_id == str(100000 + pos)
    assert record.gene == "DCC"
    assert record.conditions == ("not provided",)


def test_unknown_review_status_has_no_stars():
    assert review_stars("some_future_status") is None
    assert review_stars("no_interpretation_for_the_single_variant") == 0


def test_significance_conditions_and_genes_are_parsed_and_somatic_tags_ignored(tmp_path):
    record = Clinvar(clinvar(tmp_path), "GRCh38", fasta=write_fasta(tmp_path)).lookup(
        "chr1", 20, "TCA", "T")  # the ClinVar record is written at 26: found by alignment
    assert record.significance == \
        "Pathogenic/Likely pathogenic/Pathogenic, low penetrance|risk factor"
    assert record.conditions == ("Mirror movements 1",
                                 "Colorectal cancer, hereditary nonpolyposis, type 1",
                                 "not specified")
    assert record.gene == "DCC|MBD2"
    assert record.variation_id == "9001"
    assert record.stars == 2


def test_clinvar_record_without_alt_is_skipped_and_absent_is_none(tmp_path):
    resource = Clinvar(clinvar(tmp_path), "GRCh38")
    assert resource.lookup("1", 33, "T", "C") is None
    assert resource.lookup("1", 8, "G", "T") is None


def test_clinvar_source_and_build_note(tmp_path):
    resource = Clinvar(clinvar(tmp_path), "GRCh38")
    assert resource.source == "clinvar_20240805.vcf.gz (source=ClinVar, fileDate=2024-08-05)"
    # ClinVar has no contig lines: the build rests on ##reference, and a note says so
    assert resource.notes == [f"{resource.path}: build GRCh38 taken from the ##reference "
                              f"header line (no contig lengths to check)"]


def test_clinvar_of_the_other_build_is_an_error_naming_the_file(tmp_path):
    path = clinvar(tmp_path)
    with pytest.raises(BuildMismatchError) as caught:
        Clinvar(path, "GRCh37")
    assert str(caught.value) == (
        f"{path}: the header says ##reference=GRCh38, not the configured GRCh37 (use the "
        f"GRCh37 release of this resource, or set genome_build: GRCh38)")


def test_database_ref_disagreeing_with_the_fasta_is_not_realigned(tmp_path):
    """A record whose REF is not the FASTA's base (wrong reference) is only trimmed."""
    header = GNOMAD_V4_HEADER + contigs("GRCh38", "chr")
    path = write_vcf(tmp_path, "mismatch.vcf", header, [
        ("chr1", 26, ".", "TCAG", "TG", ".", "PASS", "AC=1;AN=10;AF=0.1")])  # FASTA: ACAG
    gnomad = Gnomad(path, "GRCh38", fasta=write_fasta(tmp_path))
    assert gnomad.lookup("chr1", 20, "TCA", "T") is None
    assert gnomad.ref_mismatches == 1
