"""Helpers of test_input_annotations.py, shared with other test modules."""

from __future__ import annotations

COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


CONTIG = "##contig=<ID=chr18,length=80373285>\n"


VEP_HEADER = """##fileformat=VCFv4.2
##VEP="v110" time="2023-10-05 10:12:31" cache="/opt/vep/.vep/homo_sapiens/110_GRCh38" ensembl-variation=110.584a8e8 ensembl-funcgen=110.24e6a6a ensembl=110.1b9b2cd ensembl-io=110.b1a87b6 1000genomes="phase3" COSMIC="97" ClinVar="202301" dbSNP="154" gencode="GENCODE 44" genebuild="2014-07" gnomADe="r2.1.1" gnomADg="v3.1.2" polyphen="2.2.3" regbuild="1.0" sift="sift5.2.2" assembly="GRCh38.p14"
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|Existing_variation|DISTANCE|STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|MANE_SELECT|MANE_PLUS_CLINICAL">
""" + CONTIG  # noqa: E501 (header lines verbatim)


VEP_FIELDS = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
              "HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|"
              "Existing_variation|DISTANCE|STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|MANE_SELECT|"
              "MANE_PLUS_CLINICAL").split("|")


DCC = {"SYMBOL": "DCC", "Gene": "ENSG00000187323", "Feature_type": "Transcript",
       "BIOTYPE": "protein_coding", "STRAND": "1", "SYMBOL_SOURCE": "HGNC",
       "HGNC_ID": "HGNC:2701"}


MANE = {"Feature": "ENST00000442544.7", "MANE_SELECT": "NM_005215.4"}


def csq(fields=VEP_FIELDS, **values) -> str:
    """One CSQ entry, its sub-fields in header order."""
    return "|".join(values.get(name, "") for name in fields)


# Two ALTs sharing the first base G: VEP drops it, so the deletion of CA is "-" and the
# insertion of CA is "CACA" (written as GCACA in the VCF).
VEP_INDEL = "\t".join(["chr18", "52340100", ".", "GCA", "G,GCACA", ".", "PASS", "CSQ=" + ",".join([
    csq(Allele="-", Consequence="frameshift_variant", IMPACT="HIGH", EXON="5/29",
        HGVSc="ENST00000442544.7:c.789_790del", HGVSp="ENSP00000389140.2:p.His264GlnfsTer5",
        **DCC, **MANE),
    csq(Allele="-", Consequence="intron_variant", IMPACT="MODIFIER", INTRON="4/20",
        Feature="ENST00000581580.5", HGVSc="ENST00000581580.5:c.621+12_621+13del", **DCC),
    csq(Allele="CACA", Consequence="frameshift_variant", IMPACT="HIGH", EXON="5/29",
        HGVSc="ENST00000442544.7:c.789_790dup",
        HGVSp="ENSP00000389140.2:p.Ala264HisfsTer12", **DCC, **MANE)])]) + "\n"


VEP_SNV = "\t".join(["chr18", "52340200", ".", "C", "T", ".", "PASS", "CSQ=" + csq(
    Allele="T", Consequence="synonymous_variant", IMPACT="LOW", EXON="6/29",
    HGVSc="ENST00000442544.7:c.840C>T", HGVSp="ENSP00000389140.2:p.Leu280%3D",
    Amino_acids="L", Codons="ctC/ctT", **DCC, **MANE)]) + "\n"
