"""Property tests of normalisation (hypothesis): splitting multiallelic records keeps every
sample's carrier status, ploidy, phase and missing alleles; left-alignment puts every copy of
an indel in a repeat at one place, the leftmost one a brute-force search finds, as
`bcftools norm` does.
"""

from __future__ import annotations

import shutil
import subprocess

import pysam
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cmmvar.io.sample_columns import recode_gt
from cmmvar.prepare.normalise import normalise, normalise_alleles

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
BASES = st.sampled_from("ACGT")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("normalise")


# --- genotype recoding ----------------------------------------------------------------------

@settings(max_examples=300)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.none() | st.integers(0, n), min_size=1, max_size=4),
    st.integers(1, n))))
def test_recoded_genotype_carries_the_split_alt_exactly_where_the_input_did(case):
    _, alleles, k = case
    recoded = recode_gt(tuple(alleles), k)
    assert len(recoded) == len(alleles)  # ploidy kept
    for before, after in zip(alleles, recoded, strict=True):
        assert (after is None) == (before is None)  # missing stays missing, nothing else is
        assert (after == 1) == (before == k)  # carrier of ALT k iff the input allele was k


# --- the whole split of a generated record ---------------------------------------------------

@st.composite
def multiallelic_records(draw):
    ref = "".join(draw(st.lists(BASES, min_size=1, max_size=4)))
    alts = draw(st.lists(st.lists(BASES, min_size=1, max_size=5).map("".join)
                         .filter(lambda a: a != ref), min_size=1, max_size=4, unique=True))
    if draw(st.booleans()):
        alts.insert(draw(st.integers(0, len(alts))), "*")  # a spanning deletion is dropped
    n = len(alts)
    samples = []
    for _ in range(draw(st.integers(1, 5))):
        ploidy = draw(st.sampled_from([1, 2, 2, 2, 3]))
        alleles = draw(st.lists(st.none() | st.integers(0, n), min_size=ploidy,
                                max_size=ploidy))
        ad = draw(st.lists(st.integers(0, 99), min_size=n + 1, max_size=n + 1))
        samples.append((tuple(alleles), draw(st.booleans()), ad))
    return ref, alts, samples


def vcf_text(ref: str, alts: list[str], samples) -> str:
    columns = []
    for alleles, phased, ad in samples:
        gt = ("|" if phased else "/").join("." if a is None else str(a) for a in alleles)
        columns.append(f"{gt}:{','.join(map(str, ad))}")
    names = [f"s{i}" for i in range(len(samples))]
    return ("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=10000>\n"
            '##INFO=<ID=K,Number=A,Type=Integer,Description="ALT number">\n'
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
            '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">\n'
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(names) + "\n"
            f"chr1\t500\trs1\t{ref}\t{','.join(alts)}\t50\tPASS\t"
            f"K={','.join(str(k) for k in range(1, len(alts) + 1))}\tGT:AD\t"
            + "\t".join(columns) + "\n")


@SETTINGS
@given(multiallelic_records())
def test_splitting_never_changes_a_samples_carrier_status(folder, record):
    """Each ALT k of the input becomes one record (INFO K, Number=A, says which): a sample
    carries its ALT iff it carried ALT k; ploidy, phase and missing alleles are kept; AD
    (Number=R) keeps the REF depth and ALT k's."""
    ref, alts, samples = record
    (folder / "in.vcf").write_text(vcf_text(ref, alts, samples))
    normalise(folder / "in.vcf", folder / "out.vcf.gz", pass_only=False)
    with pysam.VariantFile(str(folder / "out.vcf.gz")) as out:
        split = list(out)
    assert sorted(r.info["K"][0] for r in split) == [
        k for k, alt in enumerate(alts, start=1) if alt != "*"]
    for out_record in split:
        k = out_record.info["K"][0]
        for (alleles, phased, ad), call in zip(samples, out_record.samples.values(),
                                               strict=True):
            gt = call["GT"]
            assert len(gt) == len(alleles)
            assert [a is None for a in gt] == [a is None for a in alleles]
            assert (1 in gt) == (k in alleles)
            assert [a == 1 for a in gt] == [a == k for a in alleles]
            if len(alleles) > 1:
                assert call.phased == phased
            assert call["AD"] == (ad[0], ad[k])


# --- left-alignment -------------------------------------------------------------------------

def leftmost(seq: str, start: int, deleted: int, inserted: str) -> tuple[int, str, str]:
    """Brute force: the VCF record (1-based pos, ref, alt, anchored on the base before) of the
    leftmost placement of an indel with the same outcome as deleting `deleted` bases at
    0-based `start` (inserting `inserted` there when deleted is 0)."""
    outcome = seq[:start] + inserted + seq[start + deleted:]
    size = len(inserted) or deleted
    for at in range(len(seq)):
        if inserted:
            candidate = seq[:at] + outcome[at:at + size] + seq[at:]
            alt = seq[at - 1] + outcome[at:at + size] if at else None
            ref = seq[at - 1] if at else None
        else:
            candidate = seq[:at] + seq[at + size:]
            ref, alt = (seq[at - 1: at + size], seq[at - 1]) if at else (None, None)
        if candidate == outcome:
            return at, ref, alt  # 1-based position of the anchor base is `at`
    raise AssertionError("the edit itself is a placement")


@st.composite
def indels_in_repeats(draw):
    """(sequence, 0-based start, bases deleted, bases inserted): a deletion or insertion of
    whole or partial repeat units, anywhere in or next to a tandem repeat."""
    unit = "".join(draw(st.lists(BASES, min_size=1, max_size=4)))
    left = "".join(draw(st.lists(BASES, min_size=1, max_size=8)))
    right = "".join(draw(st.lists(BASES, min_size=0, max_size=8)))
    seq = left + unit * draw(st.integers(1, 6)) + right
    start = draw(st.integers(1, len(seq) - 1))
    if draw(st.booleans()):
        deleted = draw(st.integers(1, min(2 * len(unit), len(seq) - start)))
        return seq, start, deleted, ""
    rotation = draw(st.integers(0, len(unit) - 1))
    inserted = (unit[rotation:] + unit[:rotation]) * draw(st.integers(1, 2))
    return seq, start, 0, inserted


def represent(seq: str, start: int, deleted: int, inserted: str, pad_left: int,
              pad_right: int) -> tuple[int, str, str]:
    """The indel as a VCF record with `pad_left` (at least one) and `pad_right` extra
    reference bases around it: the unnormalised forms callers write."""
    a, b = start - pad_left, start + deleted + pad_right
    return a + 1, seq[a:b], seq[a:start] + inserted + seq[start + deleted:b]


@settings(max_examples=300, deadline=None)
@given(indels_in_repeats(), st.integers(1, 4), st.integers(0, 3))
def test_left_alignment_equals_the_brute_force_leftmost_placement(indel, pad_left, pad_right):
    seq, start, deleted, inserted = indel
    assume(start - pad_left >= 0 and start + deleted + pad_right <= len(seq))
    expected = leftmost(seq, start, deleted, inserted)
    assume(expected[0] >= 1)  # a placement at the very first base has no anchor before it
    pos, ref, alt = represent(seq, start, deleted, inserted, pad_left, pad_right)
    assert normalise_alleles(pos, ref, alt, lambda p: seq[p - 1]) == expected


@settings(max_examples=100, deadline=None)
@given(indels_in_repeats(), st.data())
def test_every_placement_in_a_repeat_left_aligns_to_one_record(indel, data):
    """All placements of the same indel (found by brute force) give one record."""
    seq, start, deleted, inserted = indel
    outcome = seq[:start] + inserted + seq[start + deleted:]
    size = len(inserted) or deleted
    placements = []
    for at in range(1, len(seq) - (0 if inserted else size) + 1):
        moved = (seq[:at] + outcome[at:at + size] + seq[at:]) if inserted else \
            seq[:at] + seq[at + size:]
        if moved == outcome and at + (0 if inserted else size) <= len(seq):
            placements.append(represent(seq, at, deleted, outcome[at:at + size]
                                        if inserted else "", 1, 0))
    assume(placements)
    results = {normalise_alleles(p, r, a, lambda x: seq[x - 1]) for p, r, a in placements}
    assert len(results) == 1


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
@settings(SETTINGS, max_examples=20)
@given(st.lists(st.tuples(indels_in_repeats(), st.integers(1, 3), st.integers(0, 3)),
                min_size=1, max_size=10))
def test_left_alignment_equals_bcftools_norm(folder, cases):
    """bcftools norm -f on the same records: one contig per case, so that records do not
    interact; the same (pos, ref, alt) for every one."""
    fasta, rows, expected = [], [], {}
    for number, ((seq, start, deleted, inserted), pad_left, pad_right) in enumerate(cases):
        if start - pad_left < 0 or start + deleted + pad_right > len(seq):
            continue
        contig = f"c{number}"
        fasta.append(f">{contig}\n{seq}\n")
        pos, ref, alt = represent(seq, start, deleted, inserted, pad_left, pad_right)
        rows.append(f"{contig}\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.")
        expected[contig] = normalise_alleles(pos, ref, alt, lambda p, s=seq: s[p - 1])
    assume(rows)
    (folder / "ref.fa").write_text("".join(fasta))
    pysam.faidx(str(folder / "ref.fa"))
    header = "##fileformat=VCFv4.2\n" + "".join(
        f"##contig=<ID={c}>\n" for c in expected) + \
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    (folder / "in.vcf").write_text(header + "\n".join(rows) + "\n")
    run = subprocess.run(["bcftools", "norm", "-f", str(folder / "ref.fa"), "--no-version",
                          str(folder / "in.vcf")], capture_output=True, text=True, check=True)
    found = {}
    for line in run.stdout.splitlines():
        if not line.startswith("#"):
            chrom, pos, _, ref, alt = line.split("\t")[:5]
            found[chrom] = (int(pos), ref, alt)
    assert found == expected


@pytest.mark.parametrize(("seq", "record", "bcftools"), [
    ("AA", (1, "A", "AA"), (1, "A", "AA")),
    ("AAC", (1, "AA", "A"), (1, "AA", "A")),
])
def test_indel_at_the_first_base_of_a_contig_keeps_both_alleles(seq, record, bcftools):
    """`bcftools norm -f` leaves these records as they are: no base precedes them to anchor
    on, so the allele after the indel is kept as the anchor (VCF 4.3 section 1.6.1, REF)."""
    assert normalise_alleles(*record, lambda p: seq[p - 1]) == bcftools
