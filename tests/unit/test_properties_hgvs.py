"""Property test of HGVS on generated transcripts (hypothesis): every placement of an indel in
a repeat (left-aligned, right-shifted, or written with extra reference bases) gets one
identical HGVS c. and p. description, as the 3' rule requires of equivalent variants.

Each example builds a two-exon coding transcript on either strand, as
tests/unit/test_consequence.py does by hand: 5' flank | exon 1 (5' UTR, CDS) | intron |
exon 2 (CDS, Ter, 3' UTR) | 3' flank, with a tandem repeat put in the 5' UTR, the CDS (whole
codons), the intron or the 3' UTR.
"""

from __future__ import annotations

import pysam
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cmmvar.annotate.consequence import annotate
from cmmvar.annotate.transcripts import Transcript
from cmmvar.io.genome import Reference

BASES = st.sampled_from("ACGT")
SENSE = [a + b + c for a in "ACGT" for b in "ACGT" for c in "ACGT"
         if a + b + c not in ("TAA", "TAG", "TGA")]
COMPLEMENT = str.maketrans("ACGT", "TGCA")


def revcomp(seq: str) -> str:
    return seq.translate(COMPLEMENT)[::-1]


def dna(draw, low: int, high: int) -> str:
    return "".join(draw(st.lists(BASES, min_size=low, max_size=high)))


@st.composite
def transcripts_with_repeats(draw):
    """(contig sequence, Transcript, region (lo, hi) holding the repeat, repeat unit)."""
    where = draw(st.sampled_from(["utr5", "cds", "intron", "utr3"]))
    if where == "cds":
        unit = "".join(draw(st.lists(st.sampled_from(SENSE), min_size=1, max_size=2)))
    else:
        unit = dna(draw, 1, 4)
    repeat = unit * draw(st.integers(2, 5))
    utr5, utr3 = dna(draw, 4, 10), dna(draw, 4, 10)
    cds1 = "ATG" + "".join(draw(st.lists(st.sampled_from(SENSE), min_size=1, max_size=4)))
    cds2 = "".join(draw(st.lists(st.sampled_from(SENSE), min_size=2, max_size=5)))
    intron = "GTAAGT" + dna(draw, 6, 12) + "TTTCAG"

    def put(seq: str, lo: int, hi: int, step: int = 1) -> str:
        at = draw(st.integers(lo, hi)) // step * step
        return seq[:at] + repeat + seq[at:]

    if where == "utr5":
        utr5 = put(utr5, 0, len(utr5))
    elif where == "cds":
        cds2 = put(cds2, 3, len(cds2), 3)  # whole codons, after the first
    elif where == "intron":
        intron = put(intron, 7, len(intron) - 7)  # clear of the splice sites
    else:
        utr3 = put(utr3, 0, len(utr3))
    exon1, exon2 = utr5 + cds1, cds2 + "TAA" + utr3
    flank5, flank3 = dna(draw, 30, 30), dna(draw, 30, 30)
    tx = flank5 + exon1 + intron + exon2 + flank3  # transcript orientation
    e1 = (len(flank5) + 1, len(flank5) + len(exon1))
    e2 = (e1[1] + len(intron) + 1, e1[1] + len(intron) + len(exon2))
    cds = (e1[0] + len(utr5), e2[1] - len(utr3))
    regions = {"utr5": e1, "cds": e2, "intron": (e1[1] + 1, e2[0] - 1), "utr3": e2}
    strand = draw(st.sampled_from("+-"))
    size = len(tx)

    def flip(span):  # transcript coordinates -> genome coordinates on the minus strand
        return (size - span[1] + 1, size - span[0] + 1) if strand == "-" else span

    contig = tx if strand == "+" else revcomp(tx)
    exons = tuple(sorted((flip(e1), flip(e2))))
    cds_start, cds_end = flip(cds)
    transcript = Transcript("ENST00000000001.1", "ENSG00000000001", "GEN", "chr1", strand,
                            exons, cds_start, cds_end, "ENSP00000000001", True,
                            "protein_coding")
    return contig, transcript, flip(regions[where]), unit if strand == "+" else revcomp(unit)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("hgvs")


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.filter_too_much])
@given(transcripts_with_repeats(), st.data())
def test_every_placement_of_an_indel_in_a_repeat_gets_one_hgvs(folder, built, data):
    seq, transcript, (lo, hi), unit = built
    start = seq.find(unit * 2, lo - 1) + data.draw(st.integers(0, len(unit)), label="offset")
    if data.draw(st.booleans(), label="deletion"):
        size, inserted = data.draw(st.integers(1, 2 * len(unit)), label="size"), ""
    else:
        rotation = data.draw(st.integers(0, len(unit) - 1), label="rotation")
        inserted = (unit[rotation:] + unit[:rotation]) * data.draw(st.integers(1, 2))
        size = len(inserted)
    outcome = seq[:start] + inserted + seq[start + (0 if inserted else size):]
    placements = []  # 0-based index a: bases a..a+size-1 deleted, or insertion before a
    for a in range(1, len(seq)):
        moved = seq[:a] + outcome[a:a + size] + seq[a:] if inserted else seq[:a] + seq[a + size:]
        if moved == outcome and a + (0 if inserted else size) <= len(seq):
            placements.append(a)
    assume(placements)
    # the whole class inside the region (1-based lo..hi): HGVS shifts within an exon or intron
    inside = [lo <= a + 1 and a + size <= hi if not inserted else lo <= a and a + 1 <= hi
              for a in placements]
    assume(all(inside))
    (folder / "ref.fa").write_text(f">chr1\n{seq}\n")
    pysam.faidx(str(folder / "ref.fa"))
    records = []
    for a in placements:
        pad = data.draw(st.integers(0, 2), label="right padding")
        end = min(a + (0 if inserted else size) + pad, len(seq))
        middle = outcome[a:a + size] if inserted else ""
        # VCF record anchored on the base before the indel (0-based a - 1), with `pad` extra
        # reference bases after it
        records.append((a, seq[a - 1:end], seq[a - 1] + middle + seq[a + (0 if inserted
                                                                          else size):end]))
    with Reference(folder / "ref.fa") as fasta:
        described = {(found.hgvs_c, found.hgvs_p)
                     for pos, ref, alt in records
                     for found in annotate("chr1", pos, ref, alt, [transcript], fasta)}
    assert len(described) == 1, (records, described)
    hgvs_c = described.pop()[0]
    assert hgvs_c.startswith("c.") and ("dup" in hgvs_c or "ins" in hgvs_c or "del" in hgvs_c)
