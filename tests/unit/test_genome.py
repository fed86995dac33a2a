"""cmmvar.io.genome: chromosome names, the build check against contig lengths and the reference
FASTA reader.

Lengths are spot-checked against the GRC assembly reports (GRCh38.p14 GCF_000001405.40,
GRCh37.p13 GCF_000001405.25), the figures every VCF header of those builds carries.
"""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmmvar.errors import BuildMismatchError, InputError, VcfError
from cmmvar.io.genome import (
    BUILDS,
    CONTIG_LENGTHS,
    Reference,
    bare,
    canonical,
    check_build,
    resolve,
)

PRIMARY = [str(n) for n in range(1, 23)] + ["X", "Y"]


# --- names ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("chr7", "7"), ("7", "7"), ("chrX", "X"), ("X", "X"), ("chrY", "Y"),
    ("chrM", "MT"), ("chrMT", "MT"), ("MT", "MT"), ("M", "MT"),
    ("CHR7", "7"), ("Chr22", "22"),
    ("chr1_KI270706v1_random", "1_KI270706v1_random"), ("GL000192.1", "GL000192.1"),
])
def test_bare_drops_the_chr_prefix_and_names_the_mitochondrion_mt(name, expected):
    assert bare(name) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("7", "chr7"), ("chr7", "chr7"), ("X", "chrX"), ("chrX", "chrX"),
    ("MT", "chrM"), ("chrM", "chrM"), ("chrMT", "chrM"), ("M", "chrM"), ("22", "chr22"),
])
def test_canonical_is_ucsc_style(name, expected):
    assert canonical(name) == expected


@given(st.sampled_from(PRIMARY + ["MT"]), st.sampled_from(["", "chr"]))
def test_bare_and_canonical_round_trip(name, prefix):
    assert bare(canonical(prefix + name)) == name
    assert canonical(bare(canonical(prefix + name))) == canonical(prefix + name)


UCSC = [f"chr{n}" for n in PRIMARY] + ["chrM"]
ENSEMBL = PRIMARY + ["MT"]


@pytest.mark.parametrize(("query", "available", "expected"), [
    ("7", UCSC, "chr7"), ("chr7", UCSC, "chr7"), ("X", UCSC, "chrX"),
    ("MT", UCSC, "chrM"), ("chrM", UCSC, "chrM"),
    ("chr7", ENSEMBL, "7"), ("7", ENSEMBL, "7"), ("chrX", ENSEMBL, "X"),
    ("chrM", ENSEMBL, "MT"), ("MT", ENSEMBL, "MT"),
    ("chrM", ["chrMT"], "chrMT"), ("MT", ["M"], "M"),
])
def test_resolve_finds_the_spelling_the_file_uses(query, available, expected):
    assert resolve(query, available) == expected


@pytest.mark.parametrize(("query", "available"), [
    ("chr7", ["chr1", "chr17", "chr70"]),
    ("7", ["17", "70"]),
    ("X", ["chrY", "Y"]),
    ("chrM", UCSC[:-1]),
    ("1", []),
])
def test_resolve_returns_none_when_the_contig_is_absent(query, available):
    assert resolve(query, available) is None


def test_resolve_accepts_any_iterable_of_names():
    assert resolve("chr2", (name for name in ENSEMBL)) == "2"
    assert resolve("2", {"chr2": 242193529}) == "chr2"  # a header's contig mapping


# --- contig lengths -------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "contig", "length"), [
    ("GRCh38", "1", 248956422), ("GRCh37", "1", 249250621),
    ("GRCh38", "X", 156040895), ("GRCh37", "X", 155270560),
    ("GRCh38", "18", 80373285), ("GRCh37", "18", 78077248),   # DCC
    ("GRCh38", "22", 50818468), ("GRCh37", "22", 51304566),
    ("GRCh38", "Y", 57227415), ("GRCh37", "Y", 59373566),
])
def test_contig_lengths_match_the_grc_assembly_reports(build, contig, length):
    assert CONTIG_LENGTHS[build][contig] == length


def test_contig_lengths_cover_the_primary_chromosomes_of_both_builds_and_differ():
    assert set(BUILDS) == set(CONTIG_LENGTHS)
    for build in BUILDS:
        assert list(CONTIG_LENGTHS[build]) == PRIMARY
    # every primary chromosome changed length between the builds, so any one can tell them apart
    assert all(CONTIG_LENGTHS["GRCh38"][c] != CONTIG_LENGTHS["GRCh37"][c] for c in PRIMARY)


# --- check_build ----------------------------------------------------------------------------

def lengths(build: str, style: str = "chr", contigs=("1", "7", "18", "X")) -> dict[str, int]:
    return {style + c: CONTIG_LENGTHS[build][c] for c in contigs}


@pytest.mark.parametrize("style", ["chr", ""])
def test_grch37_lengths_with_build_grch38_raise_naming_the_build_and_contig(style):
    with pytest.raises(BuildMismatchError) as caught:
        check_build(lengths("GRCh37", style, ("18",)), "GRCh38", "calls/fam.vcf.gz")
    error = caught.value
    assert isinstance(error, VcfError)
    assert error.path == "calls/fam.vcf.gz"
    assert str(error) == (
        f"calls/fam.vcf.gz: the file is on GRCh37, not on the configured GRCh38: {style}18 has "
        "length 78,077,248, the GRCh37 length (GRCh38: 80,373,285) (set genome_build: GRCh37 "
        "in the config, or use a GRCh38 file)")


def test_grch38_lengths_with_build_grch37_raise_the_other_way():
    with pytest.raises(BuildMismatchError) as caught:
        check_build(lengths("GRCh38", "", ("1",)), "GRCh37", "x.bcf")
    assert str(caught.value).startswith(
        "x.bcf: the file is on GRCh38, not on the configured GRCh37: 1 has length 248,956,422")


def test_mismatch_message_names_at_most_three_contigs():
    with pytest.raises(BuildMismatchError) as caught:
        check_build(lengths("GRCh37", "chr", PRIMARY), "GRCh38", "x.vcf")
    message = str(caught.value)
    assert "chr1 has length" in message and "chr3 has length" in message
    assert "chr4 has length" not in message


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("style", ["chr", ""])
def test_matching_lengths_pass_without_notes(build, style):
    assert check_build(lengths(build, style, PRIMARY), build, "x.vcf") == []


def test_contigs_outside_the_primary_assembly_are_ignored():
    header = lengths("GRCh38", "chr", ("1",)) | {"chrM": 16569, "chrUn_KI270302v1": 2274,
                                                  "chr1_KI270706v1_random": 175055}
    assert check_build(header, "GRCh38", "x.vcf") == []


@pytest.mark.parametrize("header", [{}, {"chr1": None, "chr2": None}, {"chrM": 16569}],
                         ids=["no contigs", "no lengths", "only chrM"])
def test_header_without_usable_lengths_returns_a_note(header):
    assert check_build(header, "GRCh38", "x.vcf") == [
        "x.vcf: no contig length in the header to check the build against; assumed GRCh38"]


def test_lengths_of_neither_build_return_a_note_naming_them():
    """A T2T-CHM13 header (chr1 248,387,328) is neither GRCh38 nor GRCh37: not checked,
    and the note must not claim the header has no lengths."""
    notes = check_build({"chr1": 248387328, "chr2": None}, "GRCh38", "t2t.vcf")
    assert notes == ["t2t.vcf: contig lengths match neither GRCh38 nor GRCh37 (chr1 has "
                     "length 248,387,328); build not checked, assumed GRCh38"]


def test_one_matching_contig_is_enough_to_pass():
    header = {"chr1": 248956422, "chr2": None, "chr3": 12345}
    assert check_build(header, "GRCh38", "x.vcf") == []


# --- the reference FASTA reader -------------------------------------------------------------

# chr1 is 10 bases, ACGTACGTAC, written over two lines with a lower-case tail; chr2 is 4.
FASTA = ">chr1 test\nACGTAC\ngtac\n>chr2\nTTGG\n"


@pytest.fixture
def fasta(tmp_path):
    path = tmp_path / "ref.fa"
    path.write_text(FASTA)
    return path


@pytest.mark.parametrize(("pos", "expected"), [
    (0, ""), (1, "A"), (2, "C"), (7, "G"), (9, "A"), (10, "C"), (11, ""), (10**9, ""),
])
def test_base_is_upper_case_inside_the_contig_and_empty_outside_it(fasta, pos, expected):
    """chr1 = ACGTACGTAC: positions 1 and 10 are its first and last bases; 0 and 11 lie
    outside, where there is no base (not an N)."""
    with Reference(fasta) as reference:
        assert reference.base("chr1", pos) == expected
        assert reference.base_at("chr1")(pos) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    (1, 10, "ACGTACGTAC"), (3, 3, "G"), (4, 6, "TAC"), (9, 11, "AC"), (10, 10, "C"),
    (11, 12, ""), (0, 2, "AC"), (5, 4, ""),
])
def test_seq_spans_blocks_and_is_cut_at_the_contig_ends(fasta, monkeypatch, start, end,
                                                        expected):
    """Blocks of 4 bases (ACGT|ACGT|AC): 4..6 crosses the first boundary, 1..10 all three."""
    monkeypatch.setattr(Reference, "BLOCK", 4)
    with Reference(fasta) as reference:
        assert reference.seq("chr1", start, end) == expected


def test_bases_stay_right_when_the_block_cache_is_emptied(fasta, monkeypatch):
    """With blocks of 2 bases and room for 2 blocks, reading all of chr1 and chr2 empties the
    cache four times; every base must still be the one in the file."""
    monkeypatch.setattr(Reference, "BLOCK", 2)
    monkeypatch.setattr(Reference, "MAX_BLOCKS", 2)
    with Reference(fasta) as reference:
        read = ["".join(reference.base(contig, p) for p in range(1, length + 1))
                for contig, length in (("chr1", 10), ("chr2", 4), ("chr1", 10))]
    assert read == ["ACGTACGTAC", "TTGG", "ACGTACGTAC"]


@pytest.mark.parametrize(("chrom", "expected"), [("chr1", "chr1"), ("1", "chr1"),
                                                 ("chr2", "chr2"), ("3", None), ("chrX", None)])
def test_contig_finds_the_fasta_spelling_or_none(fasta, chrom, expected):
    with Reference(fasta) as reference:
        assert reference.contig(chrom) == expected


def test_a_contig_not_in_the_fasta_names_the_fasta_and_the_record(fasta):
    with Reference(fasta) as reference, pytest.raises(VcfError) as caught:
        reference.require("chr3", "chr3:5")
    assert str(caught.value) == (
        f"{fasta}, record chr3:5: contig chr3 is not in the reference FASTA {fasta} (use a "
        f"FASTA that covers the panel regions on the configured build)")


HINT = ("give the indexed FASTA of the genome build: plain or bgzip-compressed (not gzip), "
        "indexed with 'samtools faidx {path}' (check annotation.reference_fasta, or --fasta)")


def test_a_missing_fasta_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "absent.fa"
    with pytest.raises(InputError) as caught:
        Reference(path)
    assert str(caught.value) == f"{path}: reference FASTA not found ({HINT.format(path=path)})"


def test_a_missing_fai_is_made_beside_a_plain_fasta(fasta):
    assert not fasta.with_name("ref.fa.fai").exists()
    with Reference(fasta) as reference:
        assert reference.seq("chr2", 1, 4) == "TTGG"
    assert fasta.with_name("ref.fa.fai").read_text().splitlines()[1].split("\t")[:2] == \
        ["chr2", "4"]


def test_a_gzip_fasta_without_index_is_refused_with_what_to_do(tmp_path):
    """gzip (not bgzip) cannot be indexed, so htslib cannot make the missing .fai."""
    path = tmp_path / "ref.fa.gz"
    path.write_bytes(gzip.compress(FASTA.encode()))
    with pytest.raises(InputError) as caught:
        Reference(path)
    assert str(caught.value).startswith(f"{path}: cannot read the reference FASTA or make its "
                                        f"index (")
    assert str(caught.value).endswith(f"({HINT.format(path=path)})")
    assert not path.with_name("ref.fa.gz.fai").exists()
