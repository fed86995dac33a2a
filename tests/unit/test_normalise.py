"""Normalisation: hand-worked allele cases, genotype recoding, and agreement with
`bcftools norm -m -any -f` (Debian bcftools, an independent implementation) on many random
variants over a repetitive reference."""

from __future__ import annotations

import random
import shutil
import subprocess

import pysam
import pytest

from cmmvar.errors import VcfError
from cmmvar.normalise import normalise, normalise_alleles, recode_gt

REFERENCE = "GATTACA" + "A" * 8 + "CGT" + "CA" * 6 + "TTG" + "ACG" * 5 + "GGATC" + "T" * 7 + "C"


def base_at(pos: int) -> str:
    return REFERENCE[pos - 1]


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "expected"),
    [
        # SNV: unchanged
        (2, "A", "G", (2, "A", "G")),
        # MNV with a shared last base: trimmed to the SNV
        (2, "AT", "GT", (2, "A", "G")),
        # deletion of one T of the TT at 3-4: anchored on the A at 2
        (3, "TT", "T", (2, "AT", "A")),
        # deletion of one A in the A run at 7-15 (GATTACA ends in A), written at its right
        # end: moves to the C at 6
        (14, "AA", "A", (6, "CA", "C")),
        # insertion of AC after the C at 25, inside the CA repeat (positions 19-30): shifts
        # to before the repeat, onto the T at 18, where the inserted unit reads CA
        (25, "C", "CAC", (18, "T", "TCA")),
    ],
)
def test_normalise_alleles_hand_worked(pos, ref, alt, expected):
    assert normalise_alleles(pos, ref, alt, base_at) == expected


def test_without_reference_only_trims():
    # no FASTA: the shared suffix is trimmed but nothing moves left
    assert normalise_alleles(14, "AAT", "AT") == (14, "AA", "A")
    assert normalise_alleles(5, "ACG", "ATG") == (6, "C", "T")


def test_het_two_alternates_is_a_carrier_of_both():
    assert recode_gt((1, 2), 1) == (1, 0)
    assert recode_gt((1, 2), 2) == (0, 1)
    assert recode_gt((2, 2), 1) == (0, 0)
    assert recode_gt((None, 2), 2) == (None, 1)


# ---------------------------------------------------------------- random comparison

def _random_reference(rng: random.Random, length: int) -> str:
    parts = []
    while sum(map(len, parts)) < length:
        kind = rng.random()
        if kind < 0.3:
            parts.append(rng.choice("ACGT") * rng.randint(2, 9))
        elif kind < 0.6:
            unit = "".join(rng.choice("ACGT") for _ in range(rng.randint(2, 3)))
            parts.append(unit * rng.randint(2, 5))
        else:
            parts.append("".join(rng.choice("ACGT") for _ in range(rng.randint(3, 12))))
    return "".join(parts)[:length]


def _random_alt(rng: random.Random, ref: str, seq: str, pos: int) -> str:
    kind = rng.randrange(5)
    if kind == 0:  # SNV on the first base, rest kept
        return rng.choice([b for b in "ACGT" if b != ref[0]]) + ref[1:]
    if kind == 1 and len(ref) > 1:  # deletion keeping the anchor
        return ref[: rng.randint(1, len(ref) - 1)]
    if kind == 2:  # insertion: copy of a nearby stretch (a repeat unit)
        start = pos - 1
        return ref + seq[start: start + rng.randint(1, 4)]
    if kind == 3:  # MNV / complex
        return "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 4)))
    return ref[0] + "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 3)))


def _write_random_vcf(tmp_path, rng: random.Random, n_records: int):
    seq = _random_reference(rng, 3000)
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\n" + "\n".join(seq[i:i + 60] for i in range(0, len(seq), 60)) + "\n")
    pysam.faidx(str(fasta))
    samples = ["S1", "S2", "S3"]
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr1,length=3000>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples),
    ]
    used = set()
    positions = sorted(rng.sample(range(20, 2950), n_records))
    for pos in positions:
        ref = seq[pos - 1: pos - 1 + rng.randint(1, 4)]
        alts = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            alt = _random_alt(rng, ref, seq, pos)
            if alt != ref and alt not in alts:
                alts.append(alt)
        if not alts or (pos, ref) in used:
            continue
        used.add((pos, ref))
        n = len(alts) + 1
        gts = []
        for _ in samples:
            a, b = rng.randrange(n), rng.randrange(n)
            gts.append(rng.choice(["./.", f"{a}/{b}", f"{a}/{b}", f"{a}|{b}"]))
        lines.append(f"chr1\t{pos}\t.\t{ref}\t{','.join(alts)}\t50\tPASS\t.\tGT\t" + "\t".join(gts))
    plain = tmp_path / "in.vcf"
    plain.write_text("\n".join(lines) + "\n")
    gz = tmp_path / "in.vcf.gz"
    pysam.tabix_compress(str(plain), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    return gz, fasta


def _calls(path) -> list[tuple]:
    out = []
    with pysam.VariantFile(str(path)) as vcf:
        for rec in vcf:
            gts = tuple(
                tuple(s["GT"]) if s["GT"] is not None else () for s in rec.samples.values())
            out.append((rec.pos, rec.ref, rec.alts[0], gts))
    return sorted(out, key=lambda t: (t[0], t[1], t[2], str(t[3])))


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="Debian bcftools not installed")
@pytest.mark.parametrize("seed", range(6))
def test_matches_bcftools_norm_on_random_variants(tmp_path, seed):
    rng = random.Random(seed)
    vcf, fasta = _write_random_vcf(tmp_path, rng, 60)
    ours = tmp_path / "ours.vcf.gz"
    stats = normalise(vcf, ours, pass_only=True, fasta_path=fasta)
    theirs = tmp_path / "bcftools.vcf"
    subprocess.run(["bcftools", "norm", "-m", "-any", "-f", str(fasta), "-o", str(theirs),
                    str(vcf)], check=True, capture_output=True)
    assert stats.ref_mismatches == 0
    assert _calls(ours) == _calls(theirs)
    assert stats.records_out == len(_calls(theirs)) > 60


def test_ref_mismatch_is_an_error_that_counts_and_locates_them(tmp_path):
    rng = random.Random(99)
    vcf, fasta = _write_random_vcf(tmp_path, rng, 5)
    text = fasta.read_text().replace("\n", "")
    # rewrite the FASTA with every base changed: every REF now disagrees
    flipped = text.split("chr1", 1)[1].translate(str.maketrans("ACGT", "CATG"))
    fasta.write_text(">chr1\n" + flipped + "\n")
    (tmp_path / "ref.fa.fai").unlink()
    pysam.faidx(str(fasta))
    with pytest.raises(VcfError) as caught:
        normalise(vcf, tmp_path / "out.vcf.gz", fasta_path=fasta)
    message = str(caught.value)
    with pysam.VariantFile(str(vcf)) as handle:
        first = next(iter(handle))
        total = 1 + sum(1 for _ in handle)
    assert f"in.vcf.gz: {total} of {total} records have a REF that differs" in message
    assert f"e.g. chr1:{first.pos} REF {first.ref} vs FASTA" in message
    assert not (tmp_path / "out.vcf.gz").exists()


def test_split_keeps_allele_depths_and_origin(tmp_path):
    plain = tmp_path / "m.vcf"
    plain.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=1000>\n"
        '##FILTER=<ID=LowQual,Description="low">\n'
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="count">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="depths">\n'
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="likelihoods">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n"
        "chr1\t100\t.\tG\tA,T,*\t50\tPASS\tAC=1,2,1\tGT:AD:PL\t1/2:1,5,6,0:10,20,30,40,50,60,"
        "70,80,90,100\t0/3:4,0,0,4:0,1,2,3,4,5,6,7,8,9\n"
        "chr1\t200\t.\tC\tG\t50\tLowQual\t.\tGT:AD:PL\t0/1:3,3:0,1,2\t0/0:6,0:0,1,2\n")
    stats = normalise(plain, tmp_path / "out.vcf.gz")
    assert stats.dropped_filter == {"LowQual": 1}
    assert stats.dropped_alleles == {"spanning deletion (*) allele": 1}
    assert stats.multiallelic_split == 1
    with pysam.VariantFile(str(tmp_path / "out.vcf.gz")) as vcf:
        recs = list(vcf)
    assert [(r.ref, r.alts) for r in recs] == [("G", ("A",)), ("G", ("T",))]
    a_alt, t_alt = recs
    assert a_alt.info["AC"] == (1,) and t_alt.info["AC"] == (2,)
    assert a_alt.samples["A"]["GT"] == (1, 0) and t_alt.samples["A"]["GT"] == (0, 1)
    assert a_alt.samples["A"]["AD"] == (1, 5) and t_alt.samples["A"]["AD"] == (1, 6)
    # PL order for alleles (0, 2): genotypes 0/0, 0/2, 2/2 = indices 0, 3, 5
    assert t_alt.samples["A"]["PL"] == (10, 40, 60)
    # B carries only the * allele: non-carrier of both analysed alternates
    assert a_alt.samples["B"]["GT"] == (0, 0) and t_alt.samples["B"]["GT"] == (0, 0)
    assert a_alt.info["CMMVAR_ORIGIN"] == "chr1:100:G:A|T|*"
