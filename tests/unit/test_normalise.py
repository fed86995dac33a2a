"""Normalisation: hand-worked allele cases, genotype recoding, and agreement with
`bcftools norm -m -any -f` (Debian bcftools, an independent implementation) on many random
variants over a repetitive reference."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pysam
import pytest

from cmmvar.errors import VcfError
from cmmvar.io.sample_columns import recode_gt
from cmmvar.prepare.normalise import normalise, normalise_alleles

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


# ---------------------------------------------------------------- records other tools write

HEAD = ("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=1000>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')


def _write(tmp_path, meta: str, samples: list[str], rows: list[str], name="in.vcf"):
    path = tmp_path / name
    path.write_text(meta + "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER",
                                      "INFO", "FORMAT", *samples]) + "\n"
                    + "".join(row + "\n" for row in rows))
    return path


def _rows(path) -> list[list[str]]:
    """The data lines of a bgzipped VCF as columns: what a reader of the file gets."""
    with pysam.BGZFile(str(path)) as handle:
        text = handle.read().decode()
    return [line.split("\t") for line in text.splitlines() if not line.startswith("#")]


def test_undeclared_keys_contig_and_filter_are_declared_and_split(tmp_path):
    """Before: KeyError 'Invalid key: AD' (FORMAT), 'unknown INFO' (INFO), 'Invalid
    chromosome/contig' (contig): records were re-typed into a header copied before htslib
    met the undeclared names. Now AD, reserved by the VCF specification as Number=R, splits
    as R: sample A (1/2, AD 1,5,6) gets 1,5 for ALT A and 1,6 for ALT T; XY, not reserved,
    is declared Number=. and copied whole."""
    path = _write(tmp_path, "##fileformat=VCFv4.2\n", ["A", "B"], [
        "chr2\t100\t.\tG\tA,T\t50\tq10\tAA=G;XY=7,8\tGT:AD\t1/2:1,5,6\t0|1:3,3,0"])
    out = tmp_path / "out.vcf.gz"
    stats = normalise(path, out, pass_only=False)
    assert [row[:8] for row in _rows(out)] == [
        ["chr2", "100", ".", "G", "A", "50", "q10", "AA=G;XY=7,8;CMMVAR_ORIGIN=chr2:100:G:A|T"],
        ["chr2", "100", ".", "G", "T", "50", "q10", "AA=G;XY=7,8;CMMVAR_ORIGIN=chr2:100:G:A|T"]]
    assert [row[9:] for row in _rows(out)] == [["1/0:1,5", "0|1:3,3"], ["0/1:1,6", "0|0:3,0"]]
    with pysam.VariantFile(str(out)) as vcf:
        assert vcf.header.formats["AD"].number == "R"
        assert vcf.header.info["XY"].number == "." and "chr2" in vcf.header.contigs
        assert next(iter(vcf)).samples["A"]["AD"] == (1, 5)  # integers, as declared
    assert [note.split(" is used")[0] for note in stats.header_completed] == [
        "contig chr2", "FILTER q10", "INFO AA", "INFO XY", "FORMAT GT", "FORMAT AD"]


def test_format_without_gt_and_pl_only_records_split(tmp_path):
    """Before: 'Cannot set phased before genotype is set' (no GT) and 'values expected to be
    2-tuple' (PL). PL (Number=G) for alleles 0,1,2 holds 00,01,11,02,12,22 for a diploid
    (VCF 4.3 1.6.2: j/k at k(k+1)/2 + j): ALT 1 keeps 00,01,11 = 0,1,2 (indices 0,1,2) and
    ALT 2 keeps 00,02,22 = 0,3,5 (indices 0,3,5). A haploid PL holds one value per allele:
    ALT 1 keeps 0,1 and ALT 2 keeps 0,2."""
    meta = HEAD + ('##FORMAT=<ID=PL,Number=G,Type=Integer,Description="likelihoods">\n'
                   '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">\n')
    path = _write(tmp_path, meta, ["D", "H"], [
        "chr1\t100\t.\tA\tG,T\t50\tPASS\t.\tPL:DP\t0,1,2,3,4,5:7\t0,1,2:9"])
    out = tmp_path / "out.vcf.gz"
    stats = normalise(path, out)
    assert [row[8:] for row in _rows(out)] == [["PL:DP", "0,1,2:7", "0,1:9"],
                                               ["PL:DP", "0,3,5:7", "0,2:9"]]
    assert stats.values_missing == {}


def test_fixed_count_character_field_is_copied(tmp_path):
    """GLnexus RNC (Number=2, Type=Character). Before: 'values expected to be 2-tuple,
    given len=1' when pysam re-typed '..' into a new record."""
    meta = HEAD + '##FORMAT=<ID=RNC,Number=2,Type=Character,Description="no-call reason">\n'
    path = _write(tmp_path, meta, ["A", "B"], [
        "chr1\t100\t.\tA\tG,T\t50\tPASS\t.\tGT:RNC\t./.:II\t1/2:.."])
    out = tmp_path / "out.vcf.gz"
    normalise(path, out)
    assert [row[9:] for row in _rows(out)] == [["./.:II", "1/0:.."], ["./.:II", "0/1:.."]]


def test_values_that_do_not_fit_the_alleles_are_missing_and_counted(tmp_path):
    """A record with 3 alleles: a diploid PL needs 6 values (a haploid one 3), AD 3, AC 2.
    S1's PL has 4 and its AD 2; the INFO AC has 3. Each split record sets S1's PL and AD
    missing and leaves AC out: 2 records x 1 each = 2 of each kind. S2's values fit."""
    meta = HEAD + ('##INFO=<ID=AC,Number=A,Type=Integer,Description="count">\n'
                   '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="depths">\n'
                   '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="likelihoods">\n')
    path = _write(tmp_path, meta, ["S1", "S2"], [
        "chr1\t100\t.\tA\tG,T\t50\tPASS\tAC=1,1,1\tGT:AD:PL\t0/1:3,4:0,1,2,3\t1/2:0,5,6:"
        "9,8,7,6,5,4"])
    out = tmp_path / "out.vcf.gz"
    stats = normalise(path, out)
    assert [(row[7].split(";")[0], row[9], row[10]) for row in _rows(out)] == [
        ("CMMVAR_ORIGIN=chr1:100:A:G|T", "0/1:.:.", "1/0:0,5:9,8,7"),
        ("CMMVAR_ORIGIN=chr1:100:A:G|T", "0/0:.:.", "0/1:0,6:9,6,4")]
    assert stats.values_missing == {"INFO/AC length does not fit the alleles": 2,
                                    "FORMAT/AD length does not fit the alleles": 2,
                                    "FORMAT/PL length does not fit the alleles": 2}
    assert stats.values_missing_examples == ["chr1:100 INFO/AC=1,1,1",
                                             "chr1:100 sample S1 AD=3,4",
                                             "chr1:100 sample S1 PL=0,1,2,3"]


def test_gt_allele_beyond_alt_is_missing_never_a_non_carrier(tmp_path):
    """One ALT, GT 0|2: allele 2 does not exist. Before: written back as 0|. without a word
    (a half call built from a broken one); now missing, counted, record and sample named."""
    path = _write(tmp_path, HEAD, ["S1", "S2"], ["chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0|2\t0/1"])
    out = tmp_path / "out.vcf.gz"
    stats = normalise(path, out)
    assert [row[9:] for row in _rows(out)] == [[".|.", "0/1"]]
    assert stats.values_missing == {"GT allele beyond the ALT alleles: genotype set to missing": 1}
    assert stats.values_missing_examples == ["chr1:100 sample S1 GT=0|2"]


def test_split_keeps_ploidy_and_phase(tmp_path):
    """Haploid 2 becomes 0 and 1 (not 0/0, 0/1); phased 0|2 stays phased (0|0, 0|1); a
    triploid 0/1/2 becomes 0/1/0 and 0/0/1; a partly missing ./2 becomes ./0 and ./1."""
    path = _write(tmp_path, HEAD, ["HAP", "PHASED", "TRI", "PART"], [
        "chr1\t100\t.\tA\tG,T\t50\tPASS\t.\tGT\t2\t0|2\t0/1/2\t./2"])
    out = tmp_path / "out.vcf.gz"
    normalise(path, out)
    assert [row[9:] for row in _rows(out)] == [["0", "0|0", "0/1/0", "./0"],
                                               ["1", "0|1", "0/0/1", "./1"]]
    with pysam.VariantFile(str(out)) as vcf:
        first = next(iter(vcf))
        assert first.samples["HAP"]["GT"] == (0,) and first.samples["PHASED"].phased


def test_alt_equal_to_ref_is_dropped(tmp_path):
    """Before, with a FASTA: left-alignment trimmed A>A to nothing, walked base by base to
    position 1 (50 million steps in DCC) and then failed writing an empty allele ('Cannot set
    allele to null'). It is now an allele not analysed, counted."""
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\n" + "ACGT" * 50 + "\n")
    pysam.faidx(str(fasta))
    path = _write(tmp_path, HEAD, ["S1"], ["chr1\t101\t.\tA\tA,C\t50\tPASS\t.\tGT\t1/2"])
    out = tmp_path / "out.vcf.gz"
    stats = normalise(path, out, fasta_path=fasta)
    assert stats.dropped_alleles == {"ALT equal to REF": 1}
    assert stats.dropped_allele_examples == ["chr1:101 A>A"]
    assert [(row[3], row[4], row[9]) for row in _rows(out)] == [("A", "C", "0/1")]


HTSLIB_TEST = Path("/usr/share/htslib-test/test")
PEER_FILES = sorted(p for p in HTSLIB_TEST.rglob("*") if p.suffix in (".vcf", ".bcf", ".out"))


def _bcftools_rows(path) -> list[list[str]] | None:
    run = subprocess.run(["bcftools", "norm", "-m", "-any", "--no-version", str(path)],
                         capture_output=True, text=True)
    if run.returncode:
        return None
    return [line.split("\t") for line in run.stdout.splitlines() if not line.startswith("#")]


def _values(rows: list[list[str]], samples_from: int = 9) -> dict:
    """Every INFO and sample value of split records, keyed by the record (alleles trimmed
    the same way for both tools: bcftools norm without -f does not trim) and field."""
    out = {}
    for n, row in enumerate(rows):
        if row[4].startswith("<") or row[4] in ("*", "."):
            continue  # not analysed by cmmvar
        pos, ref, alt = normalise_alleles(int(row[1]), row[3], row[4])
        key = (row[0], pos, ref, alt, sum(1 for r in rows[:n] if r[:5] == row[:5]))
        for item in row[7].split(";"):
            name, _, value = item.partition("=")
            if name not in (".", "CMMVAR_ORIGIN"):
                out[(*key, "INFO", name)] = value
        keys = row[8].split(":") if len(row) > 8 else []
        for sample, text in enumerate(row[samples_from:]):
            for name, value in zip(keys, text.split(":"), strict=False):
                out[(*key, sample, name)] = value
    return out


@pytest.mark.skipif(shutil.which("bcftools") is None or not PEER_FILES,
                    reason="Debian bcftools and htslib-test not installed")
def test_split_equals_bcftools_norm_on_htslib_test_files(tmp_path):
    """Every VCF/BCF of htslib's own test suite that `bcftools norm -m -any` splits: each
    value of every split record equals bcftools', except the values cmmvar counts as not
    fitting their record (bcftools copies or cuts those as they come). The noroundtrip files
    list GT twice in FORMAT: bcftools 1.16 turns that into GT '2,4', htslib 1.21 refuses it,
    and so does cmmvar, with one error naming the line."""
    compared, refused = 0, []
    for path in PEER_FILES:
        theirs = _bcftools_rows(path)
        if theirs is None:
            continue
        out = tmp_path / f"{path.name}.vcf.gz"
        try:
            stats = normalise(path, out, pass_only=False)
        except VcfError as error:
            assert "lists the FORMAT key GT twice" in str(error)
            refused.append(path.name)
            continue
        ours, expected = _values(_rows(out)), _values(theirs)
        split = {key[:5] for key in ours}
        fields = set(ours) | {key for key in expected if key[:5] in split}
        differ = [key for key in fields if ours.get(key, ".") != expected.get(key, ".")]
        assert len(differ) == sum(stats.values_missing.values()), (path, differ)
        compared += len(ours)
    assert refused == ["noroundtrip-out.vcf", "noroundtrip.vcf"]
    assert compared >= 150


@pytest.mark.parametrize(("seq", "record", "expected"), [
    # insertion of A before the first base: nothing to anchor on at the left, the shared
    # last base stays (bcftools norm -f keeps the record as it is)
    ("AAC", (1, "A", "AA"), (1, "A", "AA")),
    ("AAC", (1, "AA", "A"), (1, "AA", "A")),
    # the same deletion written at position 2 moves to position 1 and stops there
    ("AAC", (2, "AA", "A"), (1, "AA", "A")),
    # ALT equal to REF: no change to place, returned as it is (it used to walk to base 1)
    ("AAC", (3, "C", "C"), (3, "C", "C")),
])
def test_left_alignment_stops_at_the_first_base_of_a_contig(seq, record, expected):
    """Found by the property tests (tests/unit/test_properties_normalise.py): REF or ALT
    came back empty. VCF 4.3 section 1.6.1: an indel at position 1 keeps the base after it."""
    assert normalise_alleles(*record, lambda p: seq[p - 1]) == expected


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="Debian bcftools not installed")
def test_first_base_indels_equal_bcftools_norm(tmp_path):
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\nAACGT\n")
    pysam.faidx(str(fasta))
    path = _write(tmp_path, HEAD, ["S1"], ["chr1\t1\t.\tA\tAA\t50\tPASS\t.\tGT\t0/1",
                                           "chr1\t2\t.\tAC\tC\t50\tPASS\t.\tGT\t0/1"])
    ours = tmp_path / "ours.vcf.gz"
    normalise(path, ours, fasta_path=fasta)
    theirs = subprocess.run(["bcftools", "norm", "-f", str(fasta), "--no-version", str(path)],
                            capture_output=True, text=True, check=True).stdout
    assert [row[1:5] for row in _rows(ours)] == [
        line.split("\t")[1:5] for line in theirs.splitlines() if not line.startswith("#")]
