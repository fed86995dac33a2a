"""The protein effect of an edit on a coding transcript: consequence terms and HGVS p.
descriptions (varnomen.hgvs.org, protein recommendations), from the translations of the
reference and the edited transcript. Knows no genome coordinates beyond the model's.
"""

from __future__ import annotations

from Bio.Data.IUPACData import protein_letters_1to3_extended
from Bio.Seq import Seq

from cmmvar.annotate.consequence_model import Edit, Model


def coding(model: Model, edit: Edit,
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
