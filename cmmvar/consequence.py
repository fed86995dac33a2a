"""Consequences of a variant on transcripts: Sequence Ontology terms, VEP impact, HGVS c./n./p.

Works offline from `Transcript` models (transcripts.py) and an indexed reference FASTA; knows
nothing about families, VCF files or databases. Terms and impacts follow Ensembl VEP's
definitions (ensembl-variation VariationEffect.pm and Constants.pm); descriptions follow the
HGVS nomenclature (varnomen.hgvs.org, version 21).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from Bio.Data.IUPACData import protein_letters_1to3_extended
from Bio.Seq import Seq

from cmmvar.errors import VcfError
from cmmvar.genome import Reference, bare
from cmmvar.transcript_effect import TranscriptEffect
from cmmvar.transcripts import Transcript

# VEP's default distance for upstream/downstream_gene_variant (--distance 5000).
UPSTREAM_DISTANCE = 5000

# Severity order and impact of each term, as in VEP's Constants.pm (most severe first).
SEVERITY = (
    ("splice_acceptor_variant", "HIGH"),
    ("splice_donor_variant", "HIGH"),
    ("stop_gained", "HIGH"),
    ("frameshift_variant", "HIGH"),
    ("stop_lost", "HIGH"),
    ("start_lost", "HIGH"),
    ("inframe_insertion", "MODERATE"),
    ("inframe_deletion", "MODERATE"),
    ("missense_variant", "MODERATE"),
    ("splice_region_variant", "LOW"),
    ("start_retained_variant", "LOW"),
    ("stop_retained_variant", "LOW"),
    ("synonymous_variant", "LOW"),
    ("coding_sequence_variant", "MODIFIER"),
    ("5_prime_UTR_variant", "MODIFIER"),
    ("3_prime_UTR_variant", "MODIFIER"),
    ("non_coding_transcript_exon_variant", "MODIFIER"),
    ("intron_variant", "MODIFIER"),
    ("non_coding_transcript_variant", "MODIFIER"),
    ("upstream_gene_variant", "MODIFIER"),
    ("downstream_gene_variant", "MODIFIER"),
)
_RANK = {term: rank for rank, (term, _) in enumerate(SEVERITY)}
_IMPACT = dict(SEVERITY)
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
SOURCE = "cmmvar offline (GFF3 + FASTA)"  # TranscriptEffect.source of what is found here


@dataclass(frozen=True)
class _Edit:
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


def annotate(chrom: str, pos: int, ref: str, alt: str, transcripts,
             fasta: Reference) -> list[TranscriptEffect]:
    """Consequences of a normalised biallelic variant (1-based `pos`, VCF alleles with
    anchored indels) on each transcript it overlaps or lies within 5 kb of: consequence
    terms most severe first; hgvs_p "p.(Arg41Trp)", "p.(Leu12=)", "p.(=)" or "p.?".

    `transcripts` is an iterable of Transcript (or the dict load_transcripts returns).
    """
    if isinstance(transcripts, dict):
        transcripts = transcripts.values()
    ref, alt = ref.upper(), alt.upper()
    contig = fasta.require(chrom, f"{chrom}:{pos}")
    seen = fasta.seq(contig, pos, pos + len(ref) - 1)
    if seen != ref:
        raise VcfError(f"REF {ref} differs from the reference FASTA ({seen or 'none'})",
                       path=fasta.path, record=f"{chrom}:{pos}:{ref}:{alt}",
                       hint="the VCF and the FASTA must be the same build")
    edit = _edit(pos, ref, alt)
    genome = _Contig(fasta, contig)
    found = []
    for transcript in transcripts:
        if bare(transcript.chrom) != bare(chrom):
            continue
        one = _annotate_one(_Model(transcript, genome), edit)
        if one is not None:
            found.append(one)
    return found


def _edit(pos: int, ref: str, alt: str) -> _Edit:
    prefix = 0
    while prefix < min(len(ref), len(alt)) and ref[prefix] == alt[prefix]:
        prefix += 1
    ref, alt, pos = ref[prefix:], alt[prefix:], pos + prefix
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return _Edit(pos, pos + len(ref) - 1, alt)


class _Contig:
    """The bases of one contig of the reference."""

    def __init__(self, reference: Reference, contig: str):
        self.base = reference.base_at(contig)
        self.seq = partial(reference.seq, contig)


def _revcomp(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


class _Model:
    """A transcript with its spliced sequence and coordinate maps (transcript order)."""

    def __init__(self, transcript: Transcript, genome: _Contig):
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

    def region(self, edit: _Edit) -> tuple[int, int] | None:
        """Genomic bounds of the exon, intron or flank holding the whole edit, or None."""
        t = self.t
        for lo, hi in [*self.exons, *self.introns, (1, t.start - 1), (t.end + 1, 10**12)]:
            if edit.insertion and lo <= edit.start - 1 and edit.start <= hi:
                return lo, hi
            if not edit.insertion and lo <= edit.start and edit.end <= hi:
                return lo, hi
        return None


def _annotate_one(model: _Model, edit: _Edit) -> TranscriptEffect | None:
    t = model.t
    if not edit.overlaps(t.start, t.end):
        left = edit.start <= t.start if edit.insertion else edit.end < t.start
        distance = (t.start - max(edit.end, edit.start - 1)) if left else edit.start - t.end
        if distance > UPSTREAM_DISTANCE:
            return None
        term = "upstream_gene_variant" if left == model.plus else "downstream_gene_variant"
        return TranscriptEffect(t.id, t.gene, term, _IMPACT[term], "", "", "", "",
                                t.mane_select, SOURCE)
    terms: set[str] = set()
    hgvs_p, position = "", None
    introns_hit = [k for k, (lo, hi) in enumerate(model.introns) if edit.overlaps(lo, hi)]
    exons_hit = [k for k, (lo, hi) in enumerate(model.exons) if edit.overlaps(lo, hi)]
    in_region = False
    for lo, hi in model.introns:
        # VEP: donor = first two intron bases, acceptor = last two (transcript order);
        # splice region = 3 exonic or 3-8 intronic bases from the junction, not reported
        # with a donor/acceptor hit; intronic = the intron without its 2+2 splice bases.
        donor, acceptor = ((lo, lo + 1), (hi - 1, hi)) if model.plus else \
            ((hi - 1, hi), (lo, lo + 1))
        if edit.overlaps(*donor):
            terms.add("splice_donor_variant")
        if edit.overlaps(*acceptor):
            terms.add("splice_acceptor_variant")
        # VEP's _intron_effects: an insertion next to a splice dinucleotide, on its
        # intronic side, is intronic too.
        if edit.overlaps(lo + 2, hi - 2) or edit.insertion and edit.start in (lo + 2, hi - 1):
            terms.add("intron_variant")
        if edit.overlaps(lo - 3, lo + 7) or edit.overlaps(hi - 7, hi + 3):
            in_region = True
    if in_region and not terms & {"splice_donor_variant", "splice_acceptor_variant"}:
        terms.add("splice_region_variant")
    span = _tx_span(model, edit)
    shifted = _shifted(model, edit)
    if span is not None and not exons_hit:  # an insertion at an exon's edge
        flank = edit.start if model.cdna(edit.start) is not None else edit.start - 1
        exons_hit = [k for k, (lo, hi) in enumerate(model.exons) if lo <= flank <= hi]
    if exons_hit:
        if model.cds is None:
            terms.add("non_coding_transcript_exon_variant")
        else:
            # The coding effect is that of the copy shifted 3' within its exon, the one
            # HGVS describes, not of the VCF copy: a VCF indel is left-aligned, which is 3'
            # on the minus strand but 5' on the plus strand. Splice terms come from the
            # VCF copy, as in VEP.
            coding_terms, hgvs_p, position = _coding(model, shifted, _tx_span(model, shifted))
            terms |= coding_terms
    if model.cds is None and introns_hit:
        terms.add("non_coding_transcript_variant")
    if not terms:  # an insertion between an exon and its intron, outside any splice band
        terms.add("coding_sequence_variant" if model.cds else "non_coding_transcript_variant")
    ordered = sorted(terms, key=_RANK.__getitem__)
    n_exons = len(model.exons)
    return TranscriptEffect(
        transcript=t.id, gene=t.gene, consequence="&".join(ordered),
        impact=_IMPACT[ordered[0]], hgvs_c=_hgvs_c(model, shifted), hgvs_p=hgvs_p,
        exon=_numbers(exons_hit, n_exons), intron=_numbers(introns_hit, n_exons - 1),
        mane_select=t.mane_select, source=SOURCE, protein_position=position)


def _numbers(hit: list[int], total: int) -> str:
    if not hit:
        return ""
    first, last = min(hit) + 1, max(hit) + 1
    return f"{first}/{total}" if first == last else f"{first}-{last}/{total}"


def _tx_span(model: _Model, edit: _Edit) -> tuple[int, int, str] | None:
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


def _coding(model: _Model, edit: _Edit,
            span: tuple[int, int, str] | None) -> tuple[set[str], str, int | None]:
    """Terms, HGVS p. and protein position of an edit touching an exon of a coding transcript."""
    cs, ce = model.cds
    if span is None:
        # Spans an exon boundary or a transcript end: the spliced product cannot be
        # predicted (p.?), but deleted bases of the start or stop codon lose it, and HGVS
        # writes a start codon whose fate is unknown p.(Met1?).
        exonic = [model.cdna(g) for g in range(edit.start, edit.end + 1)]
        exonic = [x for x in exonic if x is not None]
        terms = {"5_prime_UTR_variant" for x in exonic if x < cs}
        terms |= {"3_prime_UTR_variant" for x in exonic if x > ce}
        lost = {"start_lost" for x in exonic if cs <= x <= cs + 2}
        lost |= {"stop_lost" for x in exonic if ce - 2 <= x <= ce}
        if lost:
            return terms | lost, "p.(Met1?)" if "start_lost" in lost else "p.?", None
        if any(cs <= x <= ce for x in exonic):
            return terms | {"coding_sequence_variant"}, "p.?", None
        return terms, "", None
    a, b, inserted = span
    if b < a:  # insertion after a - 1
        if a <= cs:
            return {"5_prime_UTR_variant"}, "", None
        if a - 1 >= ce:
            return {"3_prime_UTR_variant"}, "", None
    terms = set()
    if a < cs:
        terms.add("5_prime_UTR_variant")
    if b > ce:
        terms.add("3_prime_UTR_variant")
    if b < cs or a > ce:
        return terms, "", None
    protein_terms, hgvs_p, position = _protein(model.seq, cs, ce, a, b, inserted)
    return terms | protein_terms, hgvs_p, position


def _translate(seq: str) -> str:
    """Amino acids up to and including the first stop ('*'); without one, to the end."""
    protein = str(Seq(seq[: len(seq) // 3 * 3]).translate())
    stop = protein.find("*")
    return protein if stop < 0 else protein[: stop + 1]


def _aa(letters: str) -> str:
    return "".join("Ter" if x == "*" else protein_letters_1to3_extended[x] for x in letters)


def _protein(seq: str, cs: int, ce: int, a: int, b: int,
             inserted: str) -> tuple[set[str], str, int | None]:
    """Compare the translations of the reference and the edited transcript from the start
    codon. Descriptions follow HGVS protein recommendations (predicted, in parentheses):
    substitution, del, dup, ins, delins, fs (new frame counted from the first changed
    residue as 1 to its Ter) and ext (stop codon changed)."""
    ref = _translate(seq[cs - 1: ce])
    alt_seq = seq[: a - 1] + inserted + seq[b:]
    alt = _translate(alt_seq[cs - 1:])
    change = len(inserted) - (b - a + 1)
    insertion = b < a
    starts = (cs < a <= cs + 2) if insertion else (a <= cs + 2 and b >= cs)
    stops = (ce - 2 < a <= ce) if insertion else (a <= ce and b >= ce - 2)
    in_cds = (cs < a <= ce) if insertion else (cs <= a and b <= ce)
    if starts and alt_seq[: cs + 2] != seq[: cs + 2]:
        if cs - 1 + change >= 0 and alt_seq[cs - 1 + change:] == seq[cs - 1:]:
            # The edited transcript still ends with the whole CDS: the indel, 3'-shifted
            # onto the start codon, fits as well in the 5' UTR (AAATG -> AATG). Start codon
            # and protein are intact: VEP's start_retained_variant (the translateable
            # sequence survives as the suffix, VariationEffect.pm _ins_del_start_altered).
            return {"start_retained_variant"}, "p.(=)", 1
        # HGVS: the consequence of a lost start codon cannot be predicted: p.(Met1?).
        # VEP reports the length class of an indel inside the CDS beside start_lost.
        terms = {"start_lost"}
        if in_cds and change:
            terms.add("frameshift_variant" if change % 3 else
                      "inframe_insertion" if change > 0 else "inframe_deletion")
        return terms, "p.(Met1?)", 1
    if alt == ref:
        first = (max(a, cs) - cs) // 3 + 1
        term = "stop_retained_variant" if stops or change else "synonymous_variant"
        if change:  # an indel that leaves the protein whole has rebuilt the Ter in place
            return {term}, "p.(=)", first
        # HGVS: a silent substitution names the residue it keeps, p.(Leu12=); p.(=)
        # would say the whole protein was analysed (varnomen, protein "substitution").
        last = (min(b, ce) - cs) // 3 + 1
        kept = f"{_aa(ref[first - 1])}{first}"
        if last > first:
            kept += f"_{_aa(ref[last - 1])}{last}"
        return {term}, f"p.({kept}=)", first
    i = 0
    while i < min(len(ref), len(alt)) and ref[i] == alt[i]:
        i += 1
    frameshift = in_cds and change % 3 != 0
    if i >= len(alt):
        # The edited transcript ends (no Ter) before the first changed residue: unknown
        # protein, but an indel starting in the CDS shifts the frame by its length (VEP's
        # frameshift()) and one over the stop codon loses it.
        terms = {"stop_lost"} if stops else set()
        if change % 3 and cs <= a <= ce:
            terms.add("frameshift_variant")
        return terms or {"coding_sequence_variant"}, "p.?", None
    # In frame inside the CDS, the original stop keeps its place relative to the edit
    # unless a stop is gained inside the edit.
    expected = len(ref) + change // 3 if in_cds else len(ref)
    kept = not frameshift and alt.endswith("*") and len(alt) == expected
    if ref[i] == "*" and not kept:
        # HGVS extension: p.(Ter110GlnextTer17), the new Ter counted from the changed codon.
        extra = f"{alt.index('*') - i + 1}" if alt.endswith("*") else "?"
        terms = {"stop_lost", "frameshift_variant"} if frameshift else {"stop_lost"}
        return terms, f"p.(Ter{i + 1}{_aa(alt[i])}extTer{extra})", i + 1
    if frameshift:
        if alt[i] == "*":  # HGVS: a stop at the first changed residue is nonsense
            return {"stop_gained", "frameshift_variant"}, f"p.({_aa(ref[i])}{i + 1}Ter)", i + 1
        extra = f"{len(alt) - i}" if alt.endswith("*") else "?"
        # A frameshift that takes bases of the stop codon loses it in place: VEP's
        # stop_lost (the Ter is gone from the variant's peptide), bcftools likewise.
        terms = {"frameshift_variant", "stop_lost"} if stops else {"frameshift_variant"}
        return terms, f"p.({_aa(ref[i])}{i + 1}{_aa(alt[i])}fsTer{extra})", i + 1
    if not alt.endswith("*") or len(alt) > expected:
        # the stop codon was changed in frame together with residues before it: a delins
        # of those residues, extended (HGVS ext) when the new Ter lies beyond the old one
        span = f"{_aa(ref[i])}{i + 1}_Ter{len(ref)}delins"
        if "*" in alt[i: len(ref)]:
            return {"stop_lost"}, f"p.({span}{_aa(alt[i:])})", i + 1
        extra = f"{len(alt) - len(ref) + 1}" if alt.endswith("*") else "?"
        return {"stop_lost"}, f"p.({span}{_aa(alt[i: len(ref)])}extTer{extra})", i + 1
    if len(alt) < expected:  # a new stop inside the changed residues
        if alt[i] == "*":
            return {"stop_gained"}, f"p.({_aa(ref[i])}{i + 1}Ter)", i + 1
        last = max(i, (min(b, ce) - cs) // 3)
        span = f"{_aa(ref[i])}{i + 1}" + (f"_{_aa(ref[last])}{last + 1}" if last > i else "")
        return {"stop_gained"}, f"p.({span}delins{_aa(alt[i:])})", i + 1
    j = 0
    while j < min(len(ref), len(alt)) - i and ref[-1 - j] == alt[-1 - j]:
        j += 1
    removed, added = ref[i: len(ref) - j], alt[i: len(alt) - j]
    if not in_cds:  # running into the 3' UTR and rebuilding the stop in place
        terms = {"missense_variant", "stop_retained_variant"}
    else:
        terms = {"inframe_insertion" if change > 0 else "inframe_deletion" if change < 0
                 else "missense_variant"}
    return terms, f"p.({_protein_change(ref, i, removed, added)})", i + 1


def _protein_change(ref: str, i: int, removed: str, added: str) -> str:
    """HGVS protein edit for residues ref[i:i+len(removed)] replaced by `added`; the common
    prefix was taken first, so repeats are already at their most C-terminal (3') place."""
    def at(k: int) -> str:  # 0-based index -> "Arg41"
        return f"{_aa(ref[k])}{k + 1}"

    if len(removed) == 1 and len(added) == 1:
        return f"{at(i)}{_aa(added)}"
    span = at(i) if len(removed) == 1 else f"{at(i)}_{at(i + len(removed) - 1)}"
    if not added:
        return f"{span}del"
    if not removed:
        n = len(added)
        if i >= n and ref[i - n: i] == added:  # HGVS: an insertion copying what precedes is dup
            return f"{at(i - 1)}dup" if n == 1 else f"{at(i - n)}_{at(i - 1)}dup"
        return f"{at(i - 1)}_{at(i)}ins{_aa(added)}"
    return f"{span}delins{_aa(added)}"


def _hgvs_c(model: _Model, shifted: _Edit) -> str:
    """c. (coding) or n. (non-coding) description of an edit already shifted 3' (see
    _shifted), an insertion that repeats the sequence just 5' of it written as dup."""
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


def _range(model: _Model, start: int, end: int) -> str:
    first, last = (start, end) if model.plus else (end, start)
    return model.label(first) if first == last else f"{model.label(first)}_{model.label(last)}"


def _shifted(model: _Model, edit: _Edit) -> _Edit:
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
        return _Edit(start, start - 1, inserted)
    if model.plus:
        while end + 1 <= hi and base(end + 1) == base(start):
            start, end = start + 1, end + 1
    else:
        while start - 1 >= lo and base(start - 1) == base(end):
            start, end = start - 1, end - 1
    return _Edit(start, end, "")
