"""`cmmvar segregate` runs the normalise stage the workflow runs: with --fasta an indel
written to the right of a repeat is left-aligned as in the workflow's tables."""

from __future__ import annotations

import pandas as pd
import pysam

from cmmvar.cli import main

# positions 1-10: G C A A A A T G C G; deleting one A of the run AAAA (3-6) is, left-aligned,
# CA>C at 2 (VCF 4.3 section 1.6.1: the base before the event anchors it)
SEQUENCE = "GCAAAATGCG" * 3
VCF = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=30>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tdad\tmum\tkid\n"
    "chr1\t5\t.\tAA\tA\t50\tPASS\t.\tGT\t0/1\t0/0\t0/1\n"
)
PED = "F dad 0 0 1 2\nF mum 0 0 2 1\nF kid dad mum 1 2\n"


def run(tmp_path, *extra) -> pd.DataFrame:
    (tmp_path / "calls.vcf").write_text(VCF)
    (tmp_path / "f.ped").write_text(PED)
    out = tmp_path / "out.tsv"
    assert main(["segregate", "--vcf", str(tmp_path / "calls.vcf"), "--ped",
                 str(tmp_path / "f.ped"), "--out", str(out), "--inheritance", "AD",
                 "--penetrance", "0.9", "--phenocopy", "0.001", "--allele-frequency", "1e-4",
                 "--min-gq", "0", "--min-dp", "0", *extra]) == 0
    return pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)


def test_cmmvar_segregate_left_aligns_against_the_fasta_as_the_workflow_does(tmp_path):
    fasta = tmp_path / "ref.fa"
    fasta.write_text(f">chr1\n{SEQUENCE}\n")
    pysam.faidx(str(fasta))
    table = run(tmp_path, "--fasta", str(fasta))
    assert table[["pos", "ref", "alt"]].values.tolist() == [["2", "CA", "C"]]
    assert table["affected_carriers"].tolist() == ["2"]


def test_cmmvar_segregate_without_a_fasta_trims_but_does_not_move_the_indel(tmp_path):
    table = run(tmp_path)
    assert table[["pos", "ref", "alt"]].values.tolist() == [["5", "AA", "A"]]
