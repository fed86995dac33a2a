"""cmmvar's consequences against `bcftools csq` (Debian bcftools, an independent implementation)
on random transcripts and many random variants.

Random coding and non-coding transcripts (both strands, 1-8 exons, UTRs, sequence with
homopolymers and tandem repeats) are written to a GFF3 and a FASTA; random SNVs, MNVs and
small indels, concentrated on splice sites and start/stop codons, are left-aligned with
cmmvar.normalise and annotated by both tools. Each variant must get the same consequence class
and, for coding changes, the same first changed amino acid (position and residue).

Justified differences, normalised before comparing (each follows from a documented bcftools
convention, not from an error on either side):
DIFFERENCES
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from dataclasses import dataclass

import pysam
import pytest
from Bio.Data.IUPACData import protein_letters_3to1_extended
from Bio.Seq import Seq

from cmmvar.consequence import annotate
from cmmvar.normalise import normalise_alleles
from cmmvar.transcripts import load_transcripts

BCFTOOLS = shutil.which("bcftools")
pytestmark = pytest.mark.skipif(BCFTOOLS is None, reason="bcftools is not installed")

STOPS = {"TAA", "TAG", "TGA"}
BASES = "ACGT"


def _revcomp(seq: str) -> str:
    return seq.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def _random_dna(rng: random.Random, n: int) -> str:
    """Random bases with a homopolymer or a short tandem repeat now and then."""
    out = []
    while len(out) < n:
        roll = rng.random()
        if roll < 0.08:
            out.extend(rng.choice(BASES) * rng.randint(3, 7))
        elif roll < 0.14:
            unit = "".join(rng.choices(BASES, k=rng.randint(2, 3)))
            out.extend(unit * rng.randint(2, 4))
        else:
            out.append(rng.choice(BASES))
    return "".join(out[:n])


def _random_cds(rng: random.Random, n_codons: int) -> str:
    codons = ["ATG"]
    while len(codons) < n_codons - 1:
        codon = "".join(rng.choices(BASES, k=3))
        if codon in STOPS:
            continue
        codons.extend([codon] * (rng.randint(2, 4) if rng.random() < 0.1 else 1))
    return "".join(codons[: n_codons - 1]) + rng.choice(sorted(STOPS))


@dataclass
class _Gene:
    contig: str
    strand: str
    exons: list  # genomic (start, end), ascending, 1-based closed
    cds: tuple | None  # genomic (lowest, highest) of the CDS, or None
    transcript: str
    sequence: str  # the contig
    protein: str | None  # reference protein with its terminal '*'


def _random_gene(rng: random.Random, number: int) -> _Gene:
    n_exons = rng.randint(1, 8)
    lengths = [rng.randint(25, 160) for _ in range(n_exons)]
    introns = [rng.randint(30, 160) for _ in range(n_exons - 1)]
    total = sum(lengths)
    coding = rng.random() < 0.85 and total >= 40
    if coding:
        utr5 = rng.randint(1, min(40, total // 4))
        utr3 = rng.randint(1, min(40, total // 4))
        n_codons = max(3, (total - utr5 - utr3) // 3)
        utr3 = total - utr5 - 3 * n_codons
        if utr3 < 1:
            n_codons -= 1
            utr3 += 3
        mrna = _random_dna(rng, utr5) + _random_cds(rng, n_codons) + _random_dna(rng, utr3)
    else:
        utr5 = n_codons = 0
        mrna = _random_dna(rng, total)
    # Lay the transcript out 5'->3', then reverse-complement the contig for the minus strand.
    flank = 300
    parts, tx_exons, cursor, used = [_random_dna(rng, flank)], [], flank + 1, 0
    for k, length in enumerate(lengths):
        parts.append(mrna[used: used + length])
        tx_exons.append((cursor, cursor + length - 1))
        cursor += length
        used += length
        if k < len(introns):
            body = _random_dna(rng, introns[k] - 4)
            parts.append("GT" + body + "AG")
            cursor += introns[k]
    parts.append(_random_dna(rng, flank))
    contig_seq = "".join(parts)
    size = len(contig_seq)

    def tx_to_genome(x: int) -> int:  # 1-based transcript position -> layout position
        for (s, e), offset in zip(tx_exons, _offsets(tx_exons), strict=True):
            if x <= offset + e - s + 1:
                return s + x - offset - 1
        raise AssertionError(x)

    cds = None
    if coding:
        cds = (tx_to_genome(utr5 + 1), tx_to_genome(utr5 + 3 * n_codons))
    strand = rng.choice("+-")
    if strand == "-":
        contig_seq = _revcomp(contig_seq)
        tx_exons = [(size - e + 1, size - s + 1) for s, e in tx_exons][::-1]
        if cds:
            cds = (size - cds[1] + 1, size - cds[0] + 1)
    protein = str(Seq(mrna[utr5: utr5 + 3 * n_codons]).translate()) if coding else None
    return _Gene(f"ctg{number}", strand, tx_exons, cds, f"ENST{number:011d}", contig_seq,
                 protein)


def _offsets(exons):
    out, total = [], 0
    for s, e in exons:
        out.append(total)
        total += e - s + 1
    return out


def _gff3_lines(gene: _Gene) -> list[str]:
    start, end = gene.exons[0][0], gene.exons[-1][1]
    gid, tid = f"ENSG{gene.transcript[4:]}", gene.transcript
    biotype = "protein_coding" if gene.cds else "lincRNA"  # (1)
    kind = "mRNA" if gene.cds else "lnc_RNA"

    def row(feature, s, e, attrs, phase="."):
        return "\t".join([gene.contig, "test", feature, str(s), str(e), ".", gene.strand,
                          phase, attrs])

    lines = [row("gene", start, end, f"ID=gene:{gid};Name=G{gid[-4:]};biotype={biotype}"),
             row(kind, start, end, f"ID=transcript:{tid};Parent=gene:{gid};biotype={biotype};"
                                   f"tag=Ensembl_canonical,MANE_Select;version=1")]
    for s, e in gene.exons:
        lines.append(row("exon", s, e, f"Parent=transcript:{tid}"))
    if gene.cds:
        lo, hi = gene.cds
        pieces = [(max(s, lo), min(e, hi)) for s, e in gene.exons if s <= hi and e >= lo]
        order = pieces if gene.strand == "+" else pieces[::-1]
        done = 0
        for s, e in order:
            lines.append(row("CDS", s, e, f"ID=CDS:ENSP{tid[4:]};Parent=transcript:{tid};"
                                          f"protein_id=ENSP{tid[4:]}", str((3 - done % 3) % 3)))
            done += e - s + 1
        for s, e in gene.exons:
            for a, b, side in ((s, min(e, lo - 1), "left"), (max(s, hi + 1), e, "right")):
                if a <= b:
                    five = (side == "left") == (gene.strand == "+")
                    lines.append(row("five_prime_UTR" if five else "three_prime_UTR", a, b,
                                     f"Parent=transcript:{tid}"))
    return lines


def _random_variants(rng: random.Random, gene: _Gene, n: int):
    """(pos, ref, alt) on the gene's contig, left-aligned, concentrated on hot spots."""
    seq = gene.sequence
    hot = []
    for s, e in gene.exons:
        hot += [s, e]
    if gene.cds:
        hot += [gene.cds[0], gene.cds[1]]
    out = set()
    while len(out) < n:
        if rng.random() < 0.6:
            pos = rng.choice(hot) + rng.randint(-10, 10)
        else:
            pos = rng.randint(gene.exons[0][0] - 50, gene.exons[-1][1] + 50)
        pos = min(max(pos, 20), len(seq) - 20)
        kind = rng.random()
        if kind < 0.45:
            ref = seq[pos - 1]
            alt = rng.choice([b for b in BASES if b != ref])
        elif kind < 0.55:
            k = rng.randint(2, 3)
            ref = seq[pos - 1: pos - 1 + k]
            alt = "".join(rng.choice([b for b in BASES if b != r]) for r in ref)
        elif kind < 0.78:
            k = rng.randint(1, 7)
            ref, alt = seq[pos - 1: pos + k], seq[pos - 1]
        else:
            k = rng.randint(1, 7)
            ref = seq[pos - 1]
            copied = seq[pos - k: pos] if rng.random() < 0.4 else "".join(rng.choices(BASES, k=k))
            alt = ref + copied
        npos, nref, nalt = normalise_alleles(pos, ref, alt, lambda p: seq[p - 1])
        if nref != nalt:
            out.add((npos, nref, nalt))
    return sorted(out)


def _write_inputs(tmp_path, genes, variants):
    fasta = tmp_path / "ref.fa"
    with open(fasta, "w") as fh:
        for gene in genes:
            fh.write(f">{gene.contig}\n")
            for k in range(0, len(gene.sequence), 60):
                fh.write(gene.sequence[k: k + 60] + "\n")
    pysam.faidx(str(fasta))
    gff = tmp_path / "genes.gff3"
    with open(gff, "w") as fh:
        fh.write("##gff-version 3\n")
        for gene in genes:
            fh.write("\n".join(_gff3_lines(gene)) + "\n")
    vcf = tmp_path / "in.vcf"
    with open(vcf, "w") as fh:
        fh.write("##fileformat=VCFv4.2\n")
        for gene in genes:
            fh.write(f"##contig=<ID={gene.contig},length={len(gene.sequence)}>\n")
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for contig, pos, ref, alt in variants:
            fh.write(f"{contig}\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.\n")
    return fasta, gff, vcf


def _run_bcftools(fasta, gff, vcf) -> dict:
    """BCSQ per (contig, pos, ref, alt) and gene: (set of terms, first amino-acid change).

    Entries are keyed by gene because bcftools leaves the transcript out of intron entries,
    and merged because it may split one transcript's terms over several entries."""
    out = subprocess.run(
        [BCFTOOLS, "csq", "--local-csq", "--phase", "a", "-f", str(fasta), "-g", str(gff),
         str(vcf)], check=True, capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        contig, pos, _, ref, alt, _, _, info = line.split("\t")[:8]
        entries: dict[str, tuple[set, str]] = {}
        for field in info.split(";"):
            if not field.startswith("BCSQ="):
                continue
            for entry in field[5:].split(","):
                parts = entry.split("|")
                if len(parts) < 2 or parts[0].startswith("@"):
                    continue
                terms, change = entries.get(parts[1], (set(), ""))
                terms |= set(parts[0].lstrip("*").split("&"))
                entries[parts[1]] = (terms, change or (parts[5] if len(parts) > 5 else ""))
        result[(contig, int(pos), ref, alt)] = entries
    return result


# cmmvar (VEP) term -> bcftools term
TERMS = {
    "splice_acceptor_variant": "splice_acceptor", "splice_donor_variant": "splice_donor",
    "stop_gained": "stop_gained", "frameshift_variant": "frameshift", "stop_lost": "stop_lost",
    "start_lost": "start_lost", "inframe_insertion": "inframe_insertion",
    "inframe_deletion": "inframe_deletion", "missense_variant": "missense",
    "splice_region_variant": "splice_region", "stop_retained_variant": "stop_retained",
    "synonymous_variant": "synonymous", "coding_sequence_variant": "coding_sequence",
    "5_prime_UTR_variant": "5_prime_utr", "3_prime_UTR_variant": "3_prime_utr",
    "non_coding_transcript_exon_variant": "non_coding", "intron_variant": "intron",
    "non_coding_transcript_variant": "non_coding",
}
# bcftools terms, most severe first (VEP's order; inframe_altering beside its siblings)
ORDER = ["splice_acceptor", "splice_donor", "stop_gained", "frameshift", "stop_lost",
         "start_lost", "inframe_insertion", "inframe_deletion", "inframe_altering", "missense",
         "splice_region", "stop_retained", "start_retained", "synonymous", "coding_sequence",
         "5_prime_utr", "3_prime_utr", "non_coding", "intron"]
CODING = {"stop_gained", "frameshift", "stop_lost", "start_lost", "inframe_insertion",
          "inframe_deletion", "inframe_altering", "missense", "synonymous", "stop_retained"}
ONE_LETTER = {"Ter": "*"}


def _primary(terms: set) -> str | None:
    known = [t for t in ORDER if t in terms]
    return known[0] if known else None


def _apply_bcftools(protein: str, change: str) -> str | None:
    """Apply a bcftools amino-acid change ('82TA>82TF': residues from 82 replaced)."""
    if ">" not in change or "?" in change:
        return None
    left, right = change.split(">", 1)
    start = int("".join(c for c in left if c.isdigit()))
    ref = "".join(c for c in left if not c.isdigit())
    alt = "".join(c for c in right if not c.isdigit())
    if protein[start - 1: start - 1 + len(ref)] != ref:
        return None
    return _to_stop(protein[: start - 1] + alt + protein[start - 1 + len(ref):])


def _to_stop(protein: str) -> str:
    return protein[: protein.index("*") + 1] if "*" in protein else protein


_RESIDUE = r"([A-Z][a-z]{2})(\d+)"


def _one(three: str) -> str:
    return "*" if three == "Ter" else protein_letters_3to1_extended[three]


def _letters(threes: str) -> str:
    return "".join(_one(threes[k: k + 3]) for k in range(0, len(threes), 3))


def _apply_cmmvar(protein: str, hgvs_p: str) -> str | None:
    """Apply an in-frame HGVS p. description (substitution, del, dup, ins, delins, nonsense)
    written by cmmvar to the reference protein; None for fs/ext and unknown effects."""
    match = re.fullmatch(rf"p\.\({_RESIDUE}(?:_{_RESIDUE})?(delins|del|dup|ins)?(\w*)\)",
                         hgvs_p)
    if not match or "fs" in hgvs_p or "ext" in hgvs_p:
        return None
    first_aa, first, last_aa, last, kind, added = match.groups()
    first = int(first)
    last = int(last) if last else first
    if protein[first - 1] != _one(first_aa) or (last_aa and protein[last - 1] != _one(last_aa)):
        return None
    if kind is None:  # substitution or nonsense
        return _to_stop(protein[: first - 1] + _letters(added) + protein[first:])
    if kind == "del":
        return _to_stop(protein[: first - 1] + protein[last:])
    if kind == "dup":
        return _to_stop(protein[:last] + protein[first - 1: last] + protein[last:])
    if kind == "ins":
        return _to_stop(protein[:first] + _letters(added) + protein[first:])
    return _to_stop(protein[: first - 1] + _letters(added) + protein[last:])


def _first_change_bcftools(change: str) -> tuple | None:
    """'34SSHAG*>34TSL*' -> (34, 'S', 'T', 4): the first changed residue, its replacement
    and the new Ter counted from it (None when bcftools' sequence has no Ter)."""
    if ">" not in change:
        return None
    left, right = change.split(">", 1)
    start = int("".join(c for c in left if c.isdigit()))
    ref = "".join(c for c in left if not c.isdigit())
    alt = "".join(c for c in right if not c.isdigit())
    for k, residue in enumerate(ref):
        if k >= len(alt) or alt[k] != residue:
            new = alt[k] if k < len(alt) else None
            ter = len(alt) - k if alt.endswith("*") else None
            return start + k, residue, new, ter
    return None


def _first_change_cmmvar(hgvs_p: str) -> tuple | None:
    """The same from cmmvar's fs, ext, nonsense or delins description."""
    match = re.match(rf"p\.\({_RESIDUE}(?:_{_RESIDUE}delins)?([A-Z][a-z]{{2}})", hgvs_p)
    if not match:
        return None
    aa, pos, _, _, new = match.groups()
    ter = re.search(r"(?:fs|ext)Ter(\d+|\?)\)$", hgvs_p)
    count = int(ter.group(1)) if ter and ter.group(1) != "?" else None
    if new == "Ter":
        count = 1
    return int(pos), _one(aa), _one(new), count


def _sites(gene: _Gene, positions) -> set:
    """bcftools classes that the genomic `positions` touch: splice dinucleotides, splice
    regions (3 exonic, 3-8 intronic bases) and the start codon."""
    touched = set()
    plus = gene.strand == "+"
    for (_, e1), (s2, _) in zip(gene.exons, gene.exons[1:]):
        first, last = (e1 + 1, e1 + 2), (s2 - 2, s2 - 1)  # the intron's first/last 2 bases
        bands = (range(e1 - 2, e1 + 9), range(s2 - 8, s2 + 3))
        for pos in positions:
            if pos in first:
                touched.add("splice_donor" if plus else "splice_acceptor")
            if pos in last:
                touched.add("splice_acceptor" if plus else "splice_donor")
            if any(pos in band for band in bands):
                touched.add("splice_region")
    if gene.cds:
        lo, hi = gene.cds
        codon = range(lo, lo + 3) if plus else range(hi - 2, hi + 1)
        if any(pos in codon for pos in positions):
            touched.add("start_lost")
    return touched


def _crosses(hgvs_c: str, end: str) -> bool:
    """Whether a c. range runs from the CDS into the 3' UTR (end '*') or from the 5' UTR
    into the CDS (end '-'), e.g. c.559_*2del, c.-1_2del."""
    match = re.match(r"c\.([-*]?\d+)[-+\d]*_([-*]?\d+)", hgvs_c)
    if not match:
        return False
    first, last = match.groups()
    if end == "*":
        return not first.startswith("*") and last.startswith("*")
    return first.startswith("-") and not last.startswith("-")


def compare(ours, theirs, gene: _Gene, variant: tuple) -> str | None:
    """None when the two annotations agree after the justified normalisations (numbered as
    in the module docstring), else what differs."""
    _, pos, ref, alt = variant
    our_terms = {TERMS[t] for t in ours.consequence.split("&") if t in TERMS}
    their_terms, change = theirs
    if gene.cds is None:
        return None if their_terms == {"non_coding"} else f"non-coding: {their_terms}"  # (1)
    if {"stop_gained", "frameshift"} <= our_terms:
        our_terms.discard("stop_gained")  # (2)
    our_class, their_class = _primary(our_terms), _primary(their_terms)
    stop_edit = _crosses(ours.hgvs_c, "*") or ours.hgvs_p.startswith("p.(Ter") \
        or ours.hgvs_p == "p.(=)" or "_Ter" in ours.hgvs_p
    mnv_at_stop = len(ref) == len(alt) > 1 and _crosses(ours.hgvs_c, "*")
    if our_class == their_class:
        pass
    elif mnv_at_stop and our_class in CODING and their_class in CODING:
        return None  # (10)
    elif (our_terms & {"stop_retained", "stop_lost", "3_prime_utr"} and stop_edit
          and (their_class in ("frameshift", "stop_lost", "stop_gained", "inframe_insertion",
                               "inframe_deletion") or "coding_sequence" in their_terms)):
        return None  # (3)
    elif their_class in ("start_lost", "start_retained") and _sites(
            gene, range(pos, pos + len(ref) + 1)) & {"start_lost"}:
        return None  # (12)
    elif len(alt) > len(ref) and their_class in _sites(gene, (pos, pos + 1)):
        return None  # (4)
    elif our_class == "coding_sequence" and their_class in CODING:
        return None  # (5)
    elif "start_lost" in our_terms and ("start_lost" in their_terms or _crosses(
            ours.hgvs_c, "-") or "coding_sequence" in their_terms):
        return None  # (6)
    elif "?" in change and our_class in CODING and their_class in CODING:
        return None  # (8)
    elif (our_class in ("splice_acceptor", "splice_donor") and len(ref) > len(alt)
          and their_class in ("5_prime_utr", "3_prime_utr")):
        return None  # (11)
    elif (our_class == "stop_gained" and their_class in ("missense", "inframe_deletion",
                                                          "inframe_insertion")
          and "*" in change.split(">")[-1]):
        pass  # (7): the protein is compared below
    else:
        return f"class {our_class} vs {their_class}"
    if (our_class not in CODING or our_class in ("synonymous", "stop_retained")
            or "start_lost" in our_terms
            or ">" not in change or "?" in change or mnv_at_stop):
        return None  # (8), (10)
    if our_class in ("frameshift", "stop_lost") or "frameshift" in their_terms:
        mine, other = _first_change_cmmvar(ours.hgvs_p), _first_change_bcftools(change)
        if mine is not None and other is not None:
            if other[2] is None:  # (9): bcftools' sequence ends first
                return None if mine[0] >= other[0] else f"protein {ours.hgvs_p} vs {change}"
            mine = tuple(m if o is not None else None for m, o in zip(mine, other))  # (9)
    else:
        mine, other = _apply_cmmvar(gene.protein, ours.hgvs_p), \
            _apply_bcftools(gene.protein, change)
    if mine is None or other is None or mine != other:
        return f"protein {ours.hgvs_p} vs {change}"
    return None


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_consequences_agree_with_bcftools_csq(tmp_path, seed):
    rng = random.Random(seed)
    genes = [_random_gene(rng, k) for k in range(1, 16)]
    variants = [(gene.contig, *v) for gene in genes for v in _random_variants(rng, gene, 45)]
    fasta_path, gff, vcf = _write_inputs(tmp_path, genes, variants)
    theirs_all = _run_bcftools(fasta_path, gff, vcf)
    transcripts = load_transcripts(gff)
    by_symbol = {t.gene: gene for t, gene in zip(transcripts.values(), genes, strict=True)}
    compared, disagreements = 0, []
    with pysam.FastaFile(str(fasta_path)) as fasta:
        for variant in variants:
            ours = {c.gene: c for c in annotate(*variant, transcripts, fasta)
                    if c.consequence not in ("upstream_gene_variant",
                                             "downstream_gene_variant")}  # (0)
            theirs = theirs_all[variant]
            for symbol in sorted(set(ours) | set(theirs)):
                if symbol not in ours or symbol not in theirs:
                    disagreements.append(f"{variant} {symbol}: only "
                                         f"{'cmmvar' if symbol in ours else 'bcftools'}")
                    continue
                compared += 1
                why = compare(ours[symbol], theirs[symbol], by_symbol[symbol], variant)
                if why:
                    disagreements.append(f"{variant} {ours[symbol].hgvs_c}: {why}")
    assert compared >= 400
    assert not disagreements, "\n".join(disagreements)
