"""Consequences of a variant on transcripts: Sequence Ontology terms, VEP impact, HGVS c./n./p.

Works offline from `Transcript` models (transcripts.py) and an indexed reference FASTA; knows
nothing about families, VCF files or databases. Terms and impacts follow Ensembl VEP's
definitions (ensembl-variation VariationEffect.pm and Constants.pm); descriptions follow the
HGVS nomenclature (varnomen.hgvs.org, version 21). The transcript model and HGVS c. are in
consequence_model.py, the protein effect and HGVS p. in consequence_protein.py.
"""

from __future__ import annotations

from cmmvar.annotate.consequence_model import (
    Contig,
    Edit,
    Model,
    hgvs_c,
    make_edit,
    shift_3prime,
    tx_span,
)
from cmmvar.annotate.consequence_protein import coding
from cmmvar.annotate.transcript_effect import TranscriptEffect
from cmmvar.errors import VcfError
from cmmvar.io.genome import Reference, bare

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
SOURCE = "cmmvar offline (GFF3 + FASTA)"  # TranscriptEffect.source of what is found here


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
    edit = make_edit(pos, ref, alt)
    genome = Contig(fasta, contig)
    found = []
    for transcript in transcripts:
        if bare(transcript.chrom) != bare(chrom):
            continue
        one = _annotate_one(Model(transcript, genome), edit)
        if one is not None:
            found.append(one)
    return found


def _annotate_one(model: Model, edit: Edit) -> TranscriptEffect | None:
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
    span = tx_span(model, edit)
    shifted = shift_3prime(model, edit)
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
            coding_terms, hgvs_p, position = coding(model, shifted, tx_span(model, shifted))
            terms |= coding_terms
    if model.cds is None and introns_hit:
        terms.add("non_coding_transcript_variant")
    if not terms:  # an insertion between an exon and its intron, outside any splice band
        terms.add("coding_sequence_variant" if model.cds else "non_coding_transcript_variant")
    ordered = sorted(terms, key=_RANK.__getitem__)
    n_exons = len(model.exons)
    return TranscriptEffect(
        transcript=t.id, gene=t.gene, consequence="&".join(ordered),
        impact=_IMPACT[ordered[0]], hgvs_c=hgvs_c(model, shifted), hgvs_p=hgvs_p,
        exon=_numbers(exons_hit, n_exons), intron=_numbers(introns_hit, n_exons - 1),
        mane_select=t.mane_select, source=SOURCE, protein_position=position)


def _numbers(hit: list[int], total: int) -> str:
    if not hit:
        return ""
    first, last = min(hit) + 1, max(hit) + 1
    return f"{first}/{total}" if first == last else f"{first}-{last}/{total}"
