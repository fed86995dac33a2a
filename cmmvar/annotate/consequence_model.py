"""A transcript model for consequence.py: a variant as a genomic edit, the spliced transcript
with its coordinate maps, HGVS c./n. numbering and the 3' shift (HGVS "3' rule").

Reads bases from a `Reference`; knows no consequence terms or protein changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from cmmvar.annotate.transcripts import Transcript
from cmmvar.io.genome import Reference

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


@dataclass(frozen=True)
class Edit:
    """A variant as a replaced genomic span: bases start..end (1-based; end = start - 1 for an
    insertion, placed between start - 1 and start) become `inserted` (plus strand)."""

    start: int
    end: int
    inserted: str

    @property
    def insertion(self) -> bool:
        return self.end < self.start

    def overlaps(self, lo: int, hi: int) -> bool:
        # An insertion is inside a region when both its flanking bases are, as VEP tests it
        # (start > end for insertions in VariationEffect.pm's overlap()).
        if self.insertion:
            return lo <= self.start - 1 and self.start <= hi
        return self.start <= hi and self.end >= lo


def make_edit(pos: int, ref: str, alt: str) -> Edit:
    """The edit of VCF alleles at `pos`: the bases both alleles share at the start, then at
    the end, are not part of the change."""
    prefix = 0
    while prefix < min(len(ref), len(alt)) and ref[prefix] == alt[prefix]:
        prefix += 1
    ref, alt, pos = ref[prefix:], alt[prefix:], pos + prefix
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return Edit(pos, pos + len(ref) - 1, alt)


class Contig:
    """The bases of one contig of the reference."""

    def __init__(self, reference: Reference, contig: str):
        self.base = reference.base_at(contig)
        self.seq = partial(reference.seq, contig)


def _revcomp(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


class Model:
    """A transcript with its spliced sequence and coordinate maps (transcript order)."""

    def __init__(self, transcript: Transcript, genome: Contig):
        self.t, self.genome = transcript, genome
        self.plus = transcript.strand != "-"
        self.exons = list(transcript.exons if self.plus else reversed(transcript.exons))
        self.introns = [
            (min(e1[1], e2[1]) + 1, max(e1[0], e2[0]) - 1)
            for e1, e2 in zip(self.exons, self.exons[1:], strict=False)
        ]
        self.offsets, total = [], 0
        for s, e in self.exons:
            self.offsets.append(total)
            total += e - s + 1
        self.length = total
        spliced = "".join(genome.seq(s, e) for s, e in transcript.exons)
        self.seq = spliced if self.plus else _revcomp(spliced)
        if transcript.coding:
            first, last = ((transcript.cds_start, transcript.cds_end) if self.plus
                           else (transcript.cds_end, transcript.cds_start))
            self.cds = (self.cdna(first), self.cdna(last))
        else:
            self.cds = None

    def oriented(self, seq: str) -> str:
        return seq if self.plus else _revcomp(seq)

    def cdna(self, g: int) -> int | None:
        """Position in the spliced transcript (1-based) of exonic genomic base `g`."""
        for (s, e), offset in zip(self.exons, self.offsets, strict=True):
            if s <= g <= e:
                return offset + (g - s + 1 if self.plus else e - g + 1)
        return None

    def coord(self, g: int) -> tuple[int, int]:
        """(transcript position, intronic offset) of genomic base `g`: HGVS numbering of
        introns from the nearest exon base, the middle base counted from the upstream exon
        (HGVS Numbering, "intronic nucleotides"); outside the transcript the numbering runs
        on (c.-N upstream, c.*N downstream)."""
        x = self.cdna(g)
        if x is not None:
            return x, 0
        t = self.t
        before = g < t.start if self.plus else g > t.end
        if before:
            return 1 - abs(g - (t.start if self.plus else t.end)), 0
        after = g > t.end if self.plus else g < t.start
        if after:
            return self.length + abs(g - (t.end if self.plus else t.start)), 0
        for (s1, e1), (s2, e2) in zip(self.exons, self.exons[1:], strict=False):
            up, down = (e1, s2) if self.plus else (s1, e2)
            if min(up, down) < g < max(up, down):
                u, v = abs(g - up), abs(down - g)
                return (self.cdna(up), u) if u <= v else (self.cdna(down), -v)
        raise AssertionError(f"{g} not placed on {t.id}")

    def label(self, g: int) -> str:
        x, offset = self.coord(g)
        if self.cds is None:
            text = f"-{1 - x}" if x < 1 else f"*{x - self.length}" if x > self.length else f"{x}"
        else:
            cs, ce = self.cds
            text = f"-{cs - x}" if x < cs else f"*{x - ce}" if x > ce else f"{x - cs + 1}"
        if offset:
            text += f"+{offset}" if offset > 0 else f"{offset}"
        return text

    def region(self, edit: Edit) -> tuple[int, int] | None:
        """Genomic bounds of the exon, intron or flank holding the whole edit, or None."""
        t = self.t
        for lo, hi in [*self.exons, *self.introns, (1, t.start - 1), (t.end + 1, 10**12)]:
            if edit.insertion and lo <= edit.start - 1 and edit.start <= hi:
                return lo, hi
            if not edit.insertion and lo <= edit.start and edit.end <= hi:
                return lo, hi
        return None


def tx_span(model: Model, edit: Edit) -> tuple[int, int, str] | None:
    """The edit on the spliced transcript: positions a..b (b = a - 1 for an insertion after
    a - 1) replaced by `inserted` in transcript orientation; None when not wholly exonic."""
    if edit.insertion:
        left, right = model.cdna(edit.start - 1), model.cdna(edit.start)
        t = model.t
        if left is None and right is None or not t.start <= edit.start - 1 < t.end:
            return None
        if left is None or right is None:
            # Between an exon and its intron: the splice dinucleotide stays next to the
            # intron, so the inserted bases are spliced in at the exon's end.
            exonic = right if left is None else left
            upstream_flank = (left is None) == model.plus  # the intron is 5' of the exon
            a = exonic if upstream_flank else exonic + 1
        elif abs(left - right) == 1:
            a = max(left, right)
        else:
            return None
        return a, a - 1, model.oriented(edit.inserted)
    first, last = model.cdna(edit.start), model.cdna(edit.end)
    if first is None or last is None or abs(last - first) != edit.end - edit.start:
        return None
    return min(first, last), max(first, last), model.oriented(edit.inserted)


def hgvs_c(model: Model, shifted: Edit) -> str:
    """c. (coding) or n. (non-coding) description of an edit already shifted 3' (see
    shift_3prime), an insertion that repeats the sequence just 5' of it written as dup."""
    prefix = "c." if model.cds else "n."
    g = model.genome
    if shifted.insertion:
        start, inserted = shifted.start, shifted.inserted
        n = len(inserted)
        copy = (start - n, start - 1) if model.plus else (start, start + n - 1)
        if copy[0] >= 1 and g.seq(*copy) == inserted:
            return prefix + _range(model, *copy) + "dup"
        flanks = (start - 1, start) if model.plus else (start, start - 1)
        return (prefix + f"{model.label(flanks[0])}_{model.label(flanks[1])}ins"
                + model.oriented(inserted))
    if not shifted.inserted:
        return prefix + _range(model, shifted.start, shifted.end) + "del"
    ref = g.seq(shifted.start, shifted.end)
    if len(ref) == 1 and len(shifted.inserted) == 1:
        return (prefix + model.label(shifted.start)
                + f"{model.oriented(ref)}>{model.oriented(shifted.inserted)}")
    return (prefix + _range(model, shifted.start, shifted.end) + "delins"
            + model.oriented(shifted.inserted))


def _range(model: Model, start: int, end: int) -> str:
    first, last = (start, end) if model.plus else (end, start)
    return model.label(first) if first == last else f"{model.label(first)}_{model.label(last)}"


def shift_3prime(model: Model, edit: Edit) -> Edit:
    """The edit moved as far 3' on the transcript as the sequence allows, within the exon,
    intron or flank holding it (HGVS General recommendations, "3' rule"; VEP's
    --shift_3prime). Substitutions and delins do not move."""
    bounds = model.region(edit)
    if bounds is None or edit.inserted and not edit.insertion:
        return edit
    lo, hi = bounds
    base = model.genome.base
    start, end, inserted = edit.start, edit.end, edit.inserted
    if edit.insertion:  # between start - 1 and start; `inserted` rotates as it moves
        if model.plus:
            while start + 1 <= hi and base(start) == inserted[0]:
                start, inserted = start + 1, inserted[1:] + inserted[0]
        else:
            while start - 2 >= lo and base(start - 1) == inserted[-1]:
                start, inserted = start - 1, inserted[-1] + inserted[:-1]
        return Edit(start, start - 1, inserted)
    if model.plus:
        while end + 1 <= hi and base(end + 1) == base(start):
            start, end = start + 1, end + 1
    else:
        while start - 1 >= lo and base(start - 1) == base(end):
            start, end = start - 1, end - 1
    return Edit(start, end, "")
