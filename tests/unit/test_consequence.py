"""Consequences and HGVS on small hand-made transcripts, every expected value worked by hand.

Four genes on four contigs, written to a FASTA and a GFF3 in a temporary directory:
  PLS  plus strand, 5 exons, 12-base 5' UTR, 120-base CDS (39 residues and Ter), 28-base
       3' UTR, introns of 40;
  MNS  minus strand, 5 exons, 10-base 5' UTR, 90-base CDS (29 residues and Ter), 28-base
       3' UTR, introns of 35; laid out 5'->3' and reverse-complemented into its contig;
  ONE  plus strand, one exon: 12-base 5' UTR, 60-base CDS, 18-base 3' UTR;
  NC   plus strand, non-coding, 2 exons of 50 around an intron of 40.
Each contig has 100 bases of flank on both sides. The codon tables below are the reference the
cases are worked from; positions are derived in each case's comment (c. to genome).

HGVS choices (varnomen.hgvs.org, version 21), as consequence.py writes them:
- predicted protein consequences in parentheses; three-letter amino acids, Ter for stop;
- indels described at their 3'-most position in the transcript ("3' rule"), an insertion
  that copies the bases just 5' of it written as dup; on the minus strand 3' is toward
  lower genomic coordinates, where a left-aligned VCF record already is;
- a silent substitution names the residue it keeps, p.(Pro12=) (varnomen: "p.(=)" says the
  whole protein is unchanged; VEP writes p.Pro12=); an indel that leaves the protein whole
  is p.(=);
- frameshift p.(Lys16SerfsTer20): the first changed residue, its replacement, and the new
  Ter counted from that residue as 1; extension p.(Ter40GlnextTer4) likewise from the former
  Ter; p.(Met1?) when the start codon is lost; p.? when the protein cannot be predicted;
- intronic positions from the nearer exon, c.38+20 and c.39-20 on either side of the middle
  of a 40-base intron; c.-N before c.1, c.*N after the Ter codon; n. for non-coding.
Terms and impacts are Ensembl VEP's (Sequence Ontology), most severe first.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pysam
import pytest

from cmmvar.annotate.consequence import annotate
from cmmvar.annotate.transcripts import GffError, load_transcripts
from cmmvar.errors import VcfError
from cmmvar.io.genome import Reference

COMPLEMENT = str.maketrans("ACGT", "TGCA")


def revcomp(seq: str) -> str:
    return seq.translate(COMPLEMENT)[::-1]


FLANK = "CTAGCTTGCA" * 10  # 100 bases; base 50 and base 350 of a flank are both A

# PLS codons (c.1-c.120):
#   1 ATG Met   2 GCT Ala   3 GAA Glu   4 CTG Leu   5 AAA Lys   6 AAG Lys   7 TGG Trp
#   8 CGC Arg   9 GAT Asp  10 TCT Ser  11 CAG Gln  12 CCT Pro  13 CTG Leu  14 CGG Arg
#  15 ACC Thr  16 AAG Lys  17 TTC Phe  18 GAG Glu  19 ATC Ile  20 CAC His  21 TAC Tyr
#  22 GCA Ala  23 GTC Val  24 AAC Asn  25 TGC Cys  26 GGA Gly  27 AGC Ser  28 TTT Phe
#  29 CCA Pro  30 GAC Asp  31 ACT Thr  32 TAT Tyr  33 GTG Val  34 CAA Gln  35 ATA Ile
#  36 AGA Arg  37 GCC Ala  38 TTA Leu  39 GGG Gly  40 TAA Ter
PLS_CDS = ("ATG GCT GAA CTG AAA AAG TGG CGC GAT TCT CAG CCT CTG CGG ACC AAG TTC GAG ATC CAC "
           "TAC GCA GTC AAC TGC GGA AGC TTT CCA GAC ACT TAT GTG CAA ATA AGA GCC TTA GGG TAA")
PLS_UTR5 = "GGCACTCAGCCA"  # c.-12..c.-1
PLS_UTR3 = "GCAGCTTGACCTCGGTACCAGTTCACGC"  # c.*1..c.*28; in frame after c.120: GCA GCT TGA
PLS_INTRONS = (
    "GTAAGTCCTTGACCTGTCCTAACCTGTCTTTCCTCTGCAG",
    "GTAAGT" "ACCTTCCTGACCTT" "GGCTTCTCCTTCCATTGCAG",  # +1..+20 | -20..-1
    "GTGAGTCTCCTGACTTCCTTCCTCTGCCTTCTCCTTGTAG",
    "GTAAGACCTTGTCCTGCTTCCCTGTTCCTTCTCTTCCCAG",
)
# PLS on chrP, genome = layout (plus strand):
#   1-100 flank | exon 1 101-120: c.-12..c.-1 (101-112), c.1..c.8 (113-120)
#   intron 1 121-160 | exon 2 161-190: c.9..c.38 | intron 2 191-230 | exon 3 231-260: c.39..c.68
#   intron 3 261-300 | exon 4 301-330: c.69..c.98 | intron 4 331-370
#   exon 5 371-420: c.99..c.120 (371-392), c.*1..c.*28 (393-420) | 421-520 flank
# so c.N is at 112+N (exon 1), 152+N (exon 2), 192+N (exon 3), 232+N (exon 4), 272+N
# (exon 5); c.*N at 392+N; c.-N at 113-N.

# MNS codons (c.1-c.90), 5'->3' on the transcript:
#   1 ATG Met   2 CCA Pro   3 GAG Glu   4 CTT Leu   5 TCC Ser   6 GGA Gly   7 AAA Lys
#   8 AAC Asn   9 GAT Asp  10 TGG Trp  11 CGT Arg  12 GCT Ala  13 CAG Gln  14 GAC Asp
#  15 TTC Phe  16 ACC Thr  17 AGA Arg  18 CTG Leu  19 TAC Tyr  20 GTT Val  21 GCG Ala
#  22 AAT Asn  23 CAT His  24 GGT Gly  25 CTC Leu  26 AGT Ser  27 GCA Ala  28 TCT Ser
#  29 CCG Pro  30 TGA Ter
MNS_CDS = ("ATG CCA GAG CTT TCC GGA AAA AAC GAT TGG CGT GCT CAG GAC TTC ACC AGA CTG TAC GTT "
           "GCG AAT CAT GGT CTC AGT GCA TCT CCG TGA")
MNS_UTR5 = "GCTTCAGACC"  # c.-10..c.-1
MNS_UTR3 = "GCCAGCTCCGGCCACCTCGCAGACCCGA"  # c.*1..c.*28: no Ter in any frame after c.90
MNS_INTRONS = (
    "GTAAGTCCTGACCTTCCTTGTCCTTCTCCCTACAG",
    "GTAAGTCCTTCCTGACCTTGCTTCTCCCTTTGCAG",
    "GTGAGTCCTGTCCTTACCTTCCTCTGCCCTTCTAG",
    "GTAAGACCTTGCCTGTTCCTTCTCCTTCCTTGCAG",
)
# MNS laid out 5'->3' as x = 1..468, then reverse-complemented into chrM, so that genome
# position g = 469 - x and the plus-strand base is the complement:
#   x 1-100 flank (upstream, genome 369-468) | exon 1 x 101-115: c.-10..c.-1, c.1..c.5
#   intron 1 x 116-150 | exon 2 x 151-171: c.6..c.26 | intron 2 x 172-206
#   exon 3 x 207-227: c.27..c.47 | intron 3 x 228-262 | exon 4 x 263-283: c.48..c.68
#   intron 4 x 284-318 | exon 5 x 319-368: c.69..c.90, c.*1..c.*28 | x 369-468 flank
# so c.N is at x = 110+N, 145+N, 180+N, 215+N, 250+N by exon; c.*N at x = 340+N;
# c.-N at x = 111-N.

# ONE codons: 1 ATG Met, 2 GCC Ala, 3 AAG Lys, 4 TTC Phe, 5 CGA Arg, 6 TCT Ser, 7 GAC Asp,
# 8 CTG Leu, 9 GTC Val, 10 ACC Thr, 11 AGG Arg, 12 TCA Ser, 13 GGC Gly, 14 CTT Leu,
# 15 GAA Glu, 16 CGC Arg, 17 ATC Ile, 18 TGG Trp, 19 AAC Asn, 20 TAG Ter.
# chrS: 1-100 flank | exon 101-190: c.-12..c.-1 (101-112), c.1..c.60 (113-172),
# c.*1..c.*18 (173-190) | 191-290 flank. c.N at 112+N.
ONE_CDS = ("ATG GCC AAG TTC CGA TCT GAC CTG GTC ACC AGG TCA GGC CTT GAA CGC ATC TGG AAC TAG")
ONE_UTR5 = "CCGCTCGCCAAA"  # ends AAA: c.-3..c.1 is a run of four A
ONE_UTR3 = "GCGGCCGCTTAAGCTGCA"

# NC on chrN: 1-100 flank | exon 1 101-150: n.1..n.50 | intron 151-190 | exon 2 191-240:
# n.51..n.100 | 241-340 flank.
NC_EXON1 = "ACGTTGCACCGATGCTAGCATCGGATCCGTACGATCGGCTAGCTAACGTG"
NC_INTRON = "GTAAGTCCTTGACCTTACCTGTCTTTCCTCTTCCTTGCAG"
NC_EXON2 = "TCGGACTAGCTTGCCATGGCATCGATCCAGTCGATGCATGCCTAGCTGCA"


@dataclass(frozen=True)
class Gene:
    name: str
    contig: str
    strand: str
    exons: tuple  # genomic (start, end), ascending
    cds: tuple | None  # genomic (lowest, highest) of the CDS, Ter included


def _compact(seq: str) -> str:
    return seq.replace(" ", "")


def _layout(utr5: str, cds: str, utr3: str, introns: tuple, exon_cds: tuple) -> tuple:
    """Transcript-order layout: the sequence from the 5' flank to the 3' flank, the exons
    (start, end) and the CDS (start, end) in that order's 1-based coordinates."""
    mrna = utr5 + cds + utr3
    cuts = [0, len(utr5) + exon_cds[0]]
    for length in exon_cds[1:]:
        cuts.append(cuts[-1] + length)
    cuts.append(len(mrna))
    pieces = [mrna[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    seq, exons, cursor = FLANK, [], len(FLANK) + 1
    for k, piece in enumerate(pieces):
        exons.append((cursor, cursor + len(piece) - 1))
        seq += piece
        cursor += len(piece)
        if k < len(introns):
            seq += introns[k]
            cursor += len(introns[k])
    seq += FLANK
    positions = [g for start, end in exons for g in range(start, end + 1)]
    return seq, exons, (positions[len(utr5)], positions[len(utr5) + len(cds) - 1])


def _genes():
    pls_seq, pls_exons, pls_cds = _layout(PLS_UTR5, _compact(PLS_CDS), PLS_UTR3, PLS_INTRONS,
                                          (8, 30, 30, 30))
    mns_tx, mns_exons_tx, mns_cds_tx = _layout(MNS_UTR5, _compact(MNS_CDS), MNS_UTR3,
                                               MNS_INTRONS, (5, 21, 21, 21))
    size = len(mns_tx)
    mns_exons = tuple(sorted((size - e + 1, size - s + 1) for s, e in mns_exons_tx))
    mns_cds = (size - mns_cds_tx[1] + 1, size - mns_cds_tx[0] + 1)
    one_seq = FLANK + ONE_UTR5 + _compact(ONE_CDS) + ONE_UTR3 + FLANK
    nc_seq = FLANK + NC_EXON1 + NC_INTRON + NC_EXON2 + FLANK
    return {
        "chrP": (pls_seq, Gene("PLS", "chrP", "+", tuple(pls_exons), pls_cds)),
        "chrM": (revcomp(mns_tx), Gene("MNS", "chrM", "-", mns_exons, mns_cds)),
        "chrS": (one_seq, Gene("ONE", "chrS", "+", ((101, 190),), (113, 172))),
        "chrN": (nc_seq, Gene("NC", "chrN", "+", ((101, 150), (191, 240)), None)),
    }


def _gff3(gene: Gene, number: int) -> list[str]:
    gid, tid = f"ENSG{number:011d}", f"ENST{number:011d}"
    biotype = "protein_coding" if gene.cds else "lncRNA"

    def row(feature, start, end, attrs, phase="."):
        return "\t".join([gene.contig, "test", feature, str(start), str(end), ".", gene.strand,
                          phase, attrs])

    start, end = gene.exons[0][0], gene.exons[-1][1]
    lines = [row("gene", start, end, f"ID=gene:{gid};Name={gene.name};biotype={biotype}"),
             row("mRNA" if gene.cds else "lnc_RNA", start, end,
                 f"ID=transcript:{tid};Parent=gene:{gid};biotype={biotype};version=1;"
                 f"tag=Ensembl_canonical,MANE_Select")]
    lines += [row("exon", s, e, f"Parent=transcript:{tid}") for s, e in gene.exons]
    if gene.cds:
        lo, hi = gene.cds
        pieces = [(max(s, lo), min(e, hi)) for s, e in gene.exons if s <= hi and e >= lo]
        done = 0
        for s, e in pieces if gene.strand == "+" else pieces[::-1]:
            lines.append(row("CDS", s, e, f"ID=CDS:ENSP{number:011d};Parent=transcript:{tid}",
                             str((3 - done % 3) % 3)))
            done += e - s + 1
    return lines


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    """(Reference, transcripts by gene name) for the four genes."""
    folder = tmp_path_factory.mktemp("genome")
    genes = _genes()
    fasta = folder / "ref.fa"
    fasta.write_text("".join(f">{contig}\n{seq}\n" for contig, (seq, _) in genes.items()))
    pysam.faidx(str(fasta))
    gff = folder / "genes.gff3"
    lines = ["##gff-version 3"]
    for number, (_, gene) in enumerate(genes.values(), start=1):
        lines += _gff3(gene, number)
    gff.write_text("\n".join(lines) + "\n")
    transcripts = load_transcripts(gff)
    with Reference(fasta) as handle:
        yield handle, {t.gene: t for t in transcripts.values()}


def _annotate(genome, gene: str, contig: str, pos: int, ref: str, alt: str):
    fasta, transcripts = genome
    found = annotate(contig, pos, ref, alt, [transcripts[gene]], fasta)
    assert len(found) == 1
    return found[0]


def test_the_layout_is_the_one_the_cases_are_worked_from():
    """The coordinates written in the comments above, checked once here."""
    genes = _genes()
    pls_seq, pls = genes["chrP"]
    assert pls.exons == ((101, 120), (161, 190), (231, 260), (301, 330), (371, 420))
    assert pls.cds == (113, 392) and len(pls_seq) == 520
    assert all(len(i) == 40 for i in PLS_INTRONS)
    assert pls_seq[112:115] == "ATG" and pls_seq[389:392] == "TAA"  # c.1-c.3, c.118-c.120
    mns_seq, mns = genes["chrM"]
    assert mns.exons == ((101, 150), (186, 206), (242, 262), (298, 318), (354, 368))
    assert mns.cds == (129, 358) and len(mns_seq) == 468 and all(len(i) == 35
                                                                 for i in MNS_INTRONS)
    assert revcomp(mns_seq[355:358]) == "ATG" and revcomp(mns_seq[128:131]) == "TGA"
    assert genes["chrS"][0][112:115] == "ATG" and genes["chrS"][0][169:172] == "TAG"
    assert genes["chrN"][0][150:152] == "GT" and genes["chrN"][0][188:190] == "AG"


# (gene, contig, pos, ref, alt) -> (consequence, impact, hgvs_c, hgvs_p, exon, intron)
CASES = [
    # --- PLS, plus strand -----------------------------------------------------------------
    # c.22 is the first base of codon 8 CGC (Arg), at 152+22 = 174 in exon 2 (161-190), away
    # from both splice regions; CGC>TGC Cys.
    pytest.param("PLS", "chrP", 174, "C", "T",
                 ("missense_variant", "MODERATE", "c.22C>T", "p.(Arg8Cys)", "2/5", ""),
                 id="missense"),
    # c.40 is the first base of codon 14 CGG (Arg), at 192+40 = 232, the second base of
    # exon 3: CGG>TGG Trp, and within the 3 exonic bases of the splice region.
    pytest.param("PLS", "chrP", 232, "C", "T",
                 ("missense_variant&splice_region_variant", "MODERATE", "c.40C>T",
                  "p.(Arg14Trp)", "3/5", ""),
                 id="missense-splice-region"),
    # c.30 is the third base of codon 10 TCT (Ser), at 152+30 = 182; TCC is Ser as well.
    pytest.param("PLS", "chrP", 182, "T", "C",
                 ("synonymous_variant", "LOW", "c.30T>C", "p.(Ser10=)", "2/5", ""),
                 id="synonymous"),
    # c.20 is the second base of codon 7 TGG (Trp), at 152+20 = 172; TAG is a stop.
    pytest.param("PLS", "chrP", 172, "G", "A",
                 ("stop_gained", "HIGH", "c.20G>A", "p.(Trp7Ter)", "2/5", ""),
                 id="nonsense"),
    # c.44-c.45 are CC (codon 15 ACC); one C deleted is c.45del at the 3' end of the run;
    # the VCF record is left-aligned on c.43 A (235). The new frame from c.43: ACA Thr15 (the
    # same), AGT Ser16, TCG Ser, AGA Arg, TCC Ser, ACT Thr, ACG Thr, CAG Gln, TCA Ser,
    # ACT Thr, GCG Ala, GAA Glu, GCT Ala, TTC Phe, CAG Gln, ACA Thr, CTT Leu, ATG Met,
    # TGC Cys, AAA Lys, TAA at residue 35: Ter 35-16+1 = 20 counted from Ser16.
    pytest.param("PLS", "chrP", 235, "AC", "A",
                 ("frameshift_variant", "HIGH", "c.45del", "p.(Lys16SerfsTer20)", "3/5", ""),
                 id="frameshift-deletion"),
    # c.55-c.61 read ATC CAC T: deleting CAC (codon 20, His) or CCA (c.57-c.59) leaves the
    # same sequence; 3'-most is c.58_60del. Left-aligned, the VCF record deletes c.57-c.59
    # after c.56 T at 192+56 = 248.
    pytest.param("PLS", "chrP", 248, "TCCA", "T",
                 ("inframe_deletion", "MODERATE", "c.58_60del", "p.(His20del)", "3/5", ""),
                 id="inframe-deletion"),
    # GAT (codon 9, c.25-c.27) inserted again after c.27: the inserted bases copy the three
    # before them, so dup; the next base c.28 T does not start GAT, so no further shift.
    # Left-aligned the VCF inserts GAT after c.24 C (176).
    pytest.param("PLS", "chrP", 176, "C", "CGAT",
                 ("inframe_insertion", "MODERATE", "c.25_27dup", "p.(Asp9dup)", "2/5", ""),
                 id="inframe-dup"),
    # GGC after c.33 (codon 11 CAG, 152+33 = 185): not a copy of c.31-c.33 (CAG), and
    # c.34 C does not start GGC, so it stays: c.33_34insGGC, one Gly between Gln11 and Pro12.
    pytest.param("PLS", "chrP", 185, "G", "GGGC",
                 ("inframe_insertion", "MODERATE", "c.33_34insGGC",
                  "p.(Gln11_Pro12insGly)", "2/5", ""),
                 id="inframe-insertion"),
    # c.13-c.17 are AAAAA (codons 5 AAA, 6 AAG); one A deleted is described at the 3' end,
    # c.17del, while the VCF record is left-aligned on c.12 G (164). New frame from c.16:
    # AGT Ser6, GGC, GCG, ATT, CTC, AGC, CTC, TGC, GGA, CCA, then as in the c.45del frame
    # (AGT Ser16 ... AAA Lys34) to TAA at residue 35: Ter 35-6+1 = 30.
    pytest.param("PLS", "chrP", 164, "GA", "G",
                 ("frameshift_variant", "HIGH", "c.17del", "p.(Lys6SerfsTer30)", "2/5", ""),
                 id="homopolymer-deletion-3prime"),
    # MNV over c.52-c.53 (codon 18 GAG, 192+52 = 244): GAG>TTG Leu; two bases: delins.
    pytest.param("PLS", "chrP", 244, "GA", "TT",
                 ("missense_variant", "MODERATE", "c.52_53delinsTT", "p.(Glu18Leu)", "3/5",
                  ""),
                 id="mnv-delins"),
    # c.85-c.87 (codon 29 CCA, 232+85 = 317) replaced by TG: TGG Trp29, ACA Thr, CTT Leu,
    # ATG Met, TGC Cys, AAA Lys, TAA at 35: Ter 35-29+1 = 7.
    pytest.param("PLS", "chrP", 317, "CCA", "TG",
                 ("frameshift_variant", "HIGH", "c.85_87delinsTG", "p.(Pro29TrpfsTer7)",
                  "4/5", ""),
                 id="delins-frameshift"),
    # Intron 2 starts after c.38 (190): 191 is c.38+1, the G of GT.
    pytest.param("PLS", "chrP", 191, "G", "A",
                 ("splice_donor_variant", "HIGH", "c.38+1G>A", "", "", "2/4"),
                 id="donor+1"),
    # Intron 2 ends before c.39 (231): 229 is c.39-2, the A of AG.
    pytest.param("PLS", "chrP", 229, "A", "G",
                 ("splice_acceptor_variant", "HIGH", "c.39-2A>G", "", "", "2/4"),
                 id="acceptor-2"),
    # c.38+5 (195) is in the 3-8 intronic bases of the splice region, and intronic.
    pytest.param("PLS", "chrP", 195, "G", "C",
                 ("splice_region_variant&intron_variant", "LOW", "c.38+5G>C", "", "",
                  "2/4"),
                 id="splice-region-intronic"),
    # c.38 (190), the last exon base, is in the 3 exonic bases of the splice region; codon 13
    # CTG with its T changed: CAG Gln.
    pytest.param("PLS", "chrP", 190, "T", "A",
                 ("missense_variant&splice_region_variant", "MODERATE", "c.38T>A",
                  "p.(Leu13Gln)", "2/5", ""),
                 id="splice-region-exonic"),
    # Intron 2 has 40 bases: 191-210 are numbered from c.38 (+1..+20), 211-230 from c.39
    # (-20..-1).
    pytest.param("PLS", "chrP", 210, "T", "C",
                 ("intron_variant", "MODIFIER", "c.38+20T>C", "", "", "2/4"),
                 id="intron-middle-plus"),
    pytest.param("PLS", "chrP", 211, "G", "A",
                 ("intron_variant", "MODIFIER", "c.39-20G>A", "", "", "2/4"),
                 id="intron-middle-minus"),
    # An insertion between c.38+2 and c.38+3 (192|193) is next to the donor dinucleotide on
    # its intronic side: intronic and in the splice region, as VEP's _intron_effects and
    # _intron_overlap test it (start == intron_start + 2).
    pytest.param("PLS", "chrP", 192, "T", "TC",
                 ("splice_region_variant&intron_variant", "LOW", "c.38+2_38+3insC", "", "",
                  "2/4"),
                 id="insertion-next-to-donor"),
    # c.38, c.38+1 and c.38+2 (190-192: T, G, T) deleted after c.37 C (189): the donor is
    # gone and the spliced product cannot be predicted.
    pytest.param("PLS", "chrP", 189, "CTGT", "C",
                 ("splice_donor_variant&coding_sequence_variant", "HIGH", "c.38_38+2del",
                  "p.?", "2/5", "2/4"),
                 id="deletion-across-exon-end"),
    # c.-5 is at 113-5 = 108, the 8th base of the 5' UTR GGCACTCAGCCA: A.
    pytest.param("PLS", "chrP", 108, "A", "G",
                 ("5_prime_UTR_variant", "MODIFIER", "c.-5A>G", "", "1/5", ""),
                 id="utr5"),
    # c.*10 is at 392+10 = 402, the 10th base of the 3' UTR GCAGCTTGAC: C.
    pytest.param("PLS", "chrP", 402, "C", "T",
                 ("3_prime_UTR_variant", "MODIFIER", "c.*10C>T", "", "5/5", ""),
                 id="utr3"),
    # 51 bases before the transcript's first base (101), on the plus strand: upstream.
    pytest.param("PLS", "chrP", 50, "A", "G",
                 ("upstream_gene_variant", "MODIFIER", "", "", "", ""), id="upstream"),
    # 50 bases after its last base (420): downstream.
    pytest.param("PLS", "chrP", 470, "A", "G",
                 ("downstream_gene_variant", "MODIFIER", "", "", "", ""), id="downstream"),
    # c.1 (113) A of ATG.
    pytest.param("PLS", "chrP", 113, "A", "G",
                 ("start_lost", "HIGH", "c.1A>G", "p.(Met1?)", "1/5", ""), id="start-lost"),
    # c.118 (390) T of the TAA Ter: CAA Gln, then the 3' UTR in frame: GCA Ala, GCT Ala,
    # TGA. The new Ter is the 4th residue counting Gln40 as 1.
    pytest.param("PLS", "chrP", 390, "T", "C",
                 ("stop_lost", "HIGH", "c.118T>C", "p.(Ter40GlnextTer4)", "5/5", ""),
                 id="stop-lost-new-ter"),
    # c.120 (392): TAA>TAG, still Ter.
    pytest.param("PLS", "chrP", 392, "A", "G",
                 ("stop_retained_variant", "LOW", "c.120A>G", "p.(Ter40=)", "5/5", ""),
                 id="stop-retained"),
    # --- MNS, minus strand: genome g = 469 - x, plus-strand bases complemented -------------
    # c.44 (x = 180+44 = 224, g = 245) is the middle T of codon 15 TTC: TCC Ser. Plus strand
    # A>G.
    pytest.param("MNS", "chrM", 245, "A", "G",
                 ("missense_variant", "MODERATE", "c.44T>C", "p.(Phe15Ser)", "3/5", ""),
                 id="minus-missense-exon3"),
    # c.30 (x = 210, g = 259): codon 10 TGG>TGA. Plus strand C>T.
    pytest.param("MNS", "chrM", 259, "C", "T",
                 ("stop_gained", "HIGH", "c.30G>A", "p.(Trp10Ter)", "3/5", ""),
                 id="minus-nonsense"),
    # Intron 2 is x 172-206: x 172 (g = 297) is c.26+1, the G of GT (plus strand C).
    pytest.param("MNS", "chrM", 297, "C", "T",
                 ("splice_donor_variant", "HIGH", "c.26+1G>A", "", "", "2/4"),
                 id="minus-donor"),
    # x 205 (g = 264) is c.27-2, the A of AG (plus strand T).
    pytest.param("MNS", "chrM", 264, "T", "C",
                 ("splice_acceptor_variant", "HIGH", "c.27-2A>G", "", "", "2/4"),
                 id="minus-acceptor"),
    # c.27 (x = 207, g = 262), the first base of exon 3, is the T of codon 9 GAT: GAA Glu,
    # and in the splice region. Plus strand A>T.
    pytest.param("MNS", "chrM", 262, "A", "T",
                 ("missense_variant&splice_region_variant", "MODERATE", "c.27T>A",
                  "p.(Asp9Glu)", "3/5", ""),
                 id="minus-splice-region-exonic"),
    # c.18-c.23 are six A (GGA AAA AAC); on the genome they are T at 301-306 (c.23 at
    # x = 168, g = 301). The left-aligned VCF record deletes 301 after G 300 (c.24 C), which
    # is already the 3'-most A of the run on the transcript: c.23del. New frame from c.22:
    # ACG Thr8, ATT, GGC, GTG, CTC, AGG, ACT, TCA, CCA, GAC, TGT, ACG, TTG, CGA, ATC, ATG,
    # GTC, TCA, GTG, CAT, CTC, CGT, then GAG CCA GCT CCG GCC ACC TCG CAG ACC CGA through
    # the 3' UTR: no Ter before the transcript ends.
    pytest.param("MNS", "chrM", 300, "GT", "G",
                 ("frameshift_variant", "HIGH", "c.23del", "p.(Asn8ThrfsTer?)", "2/5", ""),
                 id="minus-homopolymer-deletion"),
    # Codon 20 GTT (c.58-c.60) copied after itself: the copy shifts 3' while the next base
    # repeats its first (c.61 G), ending as a copy of c.59-c.61 TTG: c.59_61dup, Val20dup.
    # On the genome c.61..c.59 are 193-195 (plus CAA; c.61 at x = 276, g = 193); 3' on the
    # transcript is toward lower coordinates, so the VCF inserts CAA after G 192 (c.62 C).
    pytest.param("MNS", "chrM", 192, "G", "GCAA",
                 ("inframe_insertion", "MODERATE", "c.59_61dup", "p.(Val20dup)", "4/5", ""),
                 id="minus-dup"),
    # TTA between c.39 and c.40 (CAG|GAC, mid exon 3; x 219|220, g 250|249): not a copy of
    # c.37-c.39 and c.40 G does not start it. Plus strand TAA inserted after C 249 (c.40 G).
    pytest.param("MNS", "chrM", 249, "C", "CTAA",
                 ("inframe_insertion", "MODERATE", "c.39_40insTTA", "p.(Gln13_Asp14insLeu)",
                  "3/5", ""),
                 id="minus-insertion"),
    # c.-5 (x = 106, g = 363): the 6th base of GCTTCAGACC, A (plus T).
    pytest.param("MNS", "chrM", 363, "T", "C",
                 ("5_prime_UTR_variant", "MODIFIER", "c.-5A>G", "", "1/5", ""),
                 id="minus-utr5"),
    # c.*10 (x = 350, g = 119): the 10th base of GCCAGCTCCG, G (plus C).
    pytest.param("MNS", "chrM", 119, "C", "T",
                 ("3_prime_UTR_variant", "MODIFIER", "c.*10G>A", "", "5/5", ""),
                 id="minus-utr3"),
    # The transcript is at 101-368; 419 (x = 50) lies 5' of it: upstream; 69 (x = 400), 3'.
    # Flank bases: x 50 is A (plus T), x 400 is the 31st flank base T (plus A).
    pytest.param("MNS", "chrM", 419, "T", "C",
                 ("upstream_gene_variant", "MODIFIER", "", "", "", ""), id="minus-upstream"),
    pytest.param("MNS", "chrM", 69, "A", "G",
                 ("downstream_gene_variant", "MODIFIER", "", "", "", ""),
                 id="minus-downstream"),
    # c.89 (x = 339, g = 130): TGA>TCA Ser; the 3' UTR read on in frame (GCC AGC TCC GGC CAC
    # CTC GCA GAC CCG A) has no Ter: extTer?.
    pytest.param("MNS", "chrM", 130, "C", "G",
                 ("stop_lost", "HIGH", "c.89G>C", "p.(Ter30SerextTer?)", "5/5", ""),
                 id="minus-stop-lost-no-ter"),
    # --- ONE, single exon -----------------------------------------------------------------
    # A between c.12 C and c.13 C (124|125): neither neighbour is A, so no shift and no dup.
    # ACG Thr5, ATC Ile6, TGA: Ter at 7, the 3rd residue from Thr5.
    pytest.param("ONE", "chrS", 124, "C", "CA",
                 ("frameshift_variant", "HIGH", "c.12_13insA", "p.(Arg5ThrfsTer3)", "1/1", ""),
                 id="single-exon-insertion"),
    # c.2 (114) T of ATG: ACG.
    pytest.param("ONE", "chrS", 114, "T", "C",
                 ("start_lost", "HIGH", "c.2T>C", "p.(Met1?)", "1/1", ""),
                 id="single-exon-start-lost"),
    # c.-3..c.1 are AAAA (110-113). One A deleted: 3'-most is c.1del, the A of ATG, but the
    # transcript reads ...CCAAATGGCC: ATG is still there, the CDS and protein unchanged
    # (VEP: start_retained_variant, the CDS survives as the suffix). The VCF record is
    # left-aligned on c.-4 C (109).
    pytest.param("ONE", "chrS", 109, "CA", "C",
                 ("start_retained_variant", "LOW", "c.1del", "p.(=)", "1/1", ""),
                 id="start-retained-deletion"),
    # c.55-c.60 are AAC TAG (Asn19, Ter20); deleting c.57-c.58 (CT, after c.56 A at 168)
    # takes a base of the Ter codon: AAA Lys19, then GGC GGC CGC TTA AGC TGC through the 3'
    # UTR (GCGGCCGCTTAAGCTGCA) and no Ter. A frameshift over the Ter codon loses it: VEP's
    # stop_lost (the Ter is gone from the variant's peptide), beside frameshift_variant.
    pytest.param("ONE", "chrS", 168, "ACT", "A",
                 ("frameshift_variant&stop_lost", "HIGH", "c.57_58del", "p.(Asn19LysfsTer?)",
                  "1/1", ""),
                 id="frameshift-over-the-ter"),
    # 96-115 deleted (after C 95): 5 bases of flank, the 12-base 5' UTR and c.1-c.3. The
    # transcript's start is gone, so nothing can be predicted, but the ATG is deleted:
    # start_lost, p.(Met1?). Numbering runs on before c.-12 (101): 96 is c.-17.
    pytest.param("ONE", "chrS", 95, "CTTGCACCGCTCGCCAAAATG", "C",
                 ("start_lost&5_prime_UTR_variant", "HIGH", "c.-17_3del", "p.(Met1?)", "1/1",
                  ""),
                 id="deletion-over-transcript-start"),
    # --- NC, non-coding ---------------------------------------------------------------------
    # 120 is n.20 (exon 1 starts at 101), the 20th base of exon 1: A.
    pytest.param("NC", "chrN", 120, "A", "G",
                 ("non_coding_transcript_exon_variant", "MODIFIER", "n.20A>G", "", "1/2", ""),
                 id="noncoding-exon"),
    # 200 is n.60 (exon 2 starts at 191 = n.51), the 10th base of exon 2: C.
    pytest.param("NC", "chrN", 200, "C", "A",
                 ("non_coding_transcript_exon_variant", "MODIFIER", "n.60C>A", "", "2/2", ""),
                 id="noncoding-exon2"),
    # 160 is n.50+10 (intron 151-190, 20 bases on each side of its middle), its 10th base T.
    pytest.param("NC", "chrN", 160, "T", "C",
                 ("intron_variant&non_coding_transcript_variant", "MODIFIER", "n.50+10T>C", "",
                  "", "1/1"),
                 id="noncoding-intron"),
    # 151 is n.50+1, the G of GT.
    pytest.param("NC", "chrN", 151, "G", "A",
                 ("splice_donor_variant&non_coding_transcript_variant", "HIGH", "n.50+1G>A", "",
                  "", "1/1"),
                 id="noncoding-donor"),
]


@pytest.mark.parametrize(("gene", "contig", "pos", "ref", "alt", "expected"), CASES)
def test_hand_worked_consequence_and_hgvs(genome, gene, contig, pos, ref, alt, expected):
    c = _annotate(genome, gene, contig, pos, ref, alt)
    assert (c.consequence, c.impact, c.hgvs_c, c.hgvs_p, c.exon, c.intron) == expected


def test_protein_position_is_the_first_changed_residue(genome):
    """Arg14 for c.40C>T; Lys16 for c.45del (Thr15 is kept, ACC>ACA); none outside the CDS."""
    assert _annotate(genome, "PLS", "chrP", 232, "C", "T").protein_position == 14
    assert _annotate(genome, "PLS", "chrP", 235, "AC", "A").protein_position == 16
    assert _annotate(genome, "PLS", "chrP", 191, "G", "A").protein_position is None


def test_a_transcript_on_another_contig_is_not_reported(genome):
    fasta, transcripts = genome
    assert annotate("chrS", 150, "G", "A", [transcripts["PLS"]], fasta) == []


def test_ref_that_differs_from_the_fasta_is_an_error_naming_the_record(genome):
    fasta, transcripts = genome
    with pytest.raises(VcfError, match=r"chrP:232:G:T.*REF G differs from the reference "
                                       r"FASTA \(C\)"):
        annotate("chrP", 232, "G", "T", transcripts.values(), fasta)


# --- GFF3 input that cannot be used -------------------------------------------------------

GENE = "chr1\ttest\tgene\t10\t100\t.\t+\t.\tID=gene:G1;Name=ABC;biotype=protein_coding"
MRNA = "chr1\ttest\tmRNA\t10\t100\t.\t+\t.\tID=transcript:ENST00000000001;Parent=gene:G1;version=2"
EXON = "chr1\ttest\texon\t10\t100\t.\t+\t.\tParent=transcript:ENST00000000001"


def _write(tmp_path, text: str, name: str = "genes.gff3"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_wanted_transcripts_missing_from_the_gff3_are_listed_with_a_hint(tmp_path):
    path = _write(tmp_path, "\n".join(["##gff-version 3", GENE, MRNA, EXON]) + "\n")
    with pytest.raises(GffError) as error:
        load_transcripts(path, ["ENST00000000001", "ENST00000000099.3", "ENST00000000098"])
    assert str(error.value).startswith(
        f"{path}: 2 of 3 wanted transcripts are not in the file: ENST00000000098, "
        "ENST00000000099.3 (found: ENST00000000001.2) (IDs are matched without their version")


def test_a_wanted_transcript_of_another_version_is_used(tmp_path, caplog):
    path = _write(tmp_path, "\n".join([GENE, MRNA, EXON]) + "\n")
    assert list(load_transcripts(path, ["ENST00000000001.1"])) == ["ENST00000000001.2"]
    assert "ENST00000000001.1 asked for, version ENST00000000001.2 used" in caplog.text


def test_a_vcf_given_as_gff3_is_named_a_vcf(tmp_path):
    path = _write(tmp_path, "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\t"
                            "INFO\nchr1\t100\t.\tA\tG\t.\t.\t.\n", "calls.vcf")
    with pytest.raises(GffError, match=r"calls\.vcf, line 1: this is a VCF, not a GFF3 "
                                       r"\(annotation\.transcripts_gff3 takes a GFF3"):
        load_transcripts(path)


def test_text_that_is_not_gff3_names_its_line_and_column_count(tmp_path):
    path = _write(tmp_path, "hello world\nnot a gff\n")
    with pytest.raises(GffError, match=r"genes\.gff3, line 1: not a GFF3 feature line: 1 "
                                       r"tab-separated column where GFF3 has 9 \('hello world'\)"):
        load_transcripts(path)
    path = _write(tmp_path, "\n".join(["##gff-version 3", GENE, "chr1\ttest\texon\t10\t100"]))
    with pytest.raises(GffError, match=r"line 3: not a GFF3 feature line: 5 tab-separated "
                                       r"columns where GFF3 has 9"):
        load_transcripts(path)


def test_a_binary_file_is_not_text(tmp_path):
    path = tmp_path / "genes.gff3"
    path.write_bytes(b"\x00\xff\xfe\x80" * 64)
    with pytest.raises(GffError, match=r"genes\.gff3, line 1: not a text file"):
        load_transcripts(path)


def test_coordinates_must_be_positions(tmp_path):
    path = _write(tmp_path, "\n".join([GENE, MRNA.replace("\t10\t", "\tten\t"), EXON]))
    with pytest.raises(GffError, match=r"line 2: mRNA from 'ten' to '100': start and end "
                                       r"must be positions"):
        load_transcripts(path)
    path = _write(tmp_path, "\n".join([GENE, MRNA, EXON.replace("\t10\t100\t", "\t90\t20\t")]))
    with pytest.raises(GffError, match=r"line 3: exon from '90' to '20'"):
        load_transcripts(path)


def test_an_unstranded_transcript_is_refused(tmp_path):
    path = _write(tmp_path, "\n".join([GENE, MRNA.replace("\t+\t", "\t.\t"), EXON]))
    with pytest.raises(GffError, match=r"line 2: transcript ENST00000000001.2 has strand '\.'"):
        load_transcripts(path)


def test_an_exon_without_its_transcript_names_the_line(tmp_path):
    path = _write(tmp_path, "\n".join([GENE, MRNA, EXON, EXON.replace("00001", "00009")]))
    with pytest.raises(GffError, match=r"line 4: exon has Parent=transcript:ENST00000000009, "
                                       r"a transcript that is not in the file"):
        load_transcripts(path)


def test_a_gff3_without_transcripts_and_a_missing_file_are_errors(tmp_path):
    with pytest.raises(GffError, match=r"genes\.gff3: no transcript lines"):
        load_transcripts(_write(tmp_path, "##gff-version 3\n" + GENE + "\n"))
    with pytest.raises(GffError, match=r"absent\.gff3: cannot read the GFF3 \(No such file"):
        load_transcripts(tmp_path / "absent.gff3")


@pytest.mark.parametrize("mane", [True, False])
def test_the_effect_says_mane_select_as_the_transcript_model_does_and_names_its_source(
        genome, mane):
    """The GFF3 tags PLS MANE_Select; the same model without the tag gives False. Both the
    effect in the flank (upstream, no HGVS) and inside the transcript carry it."""
    fasta, transcripts = genome
    model = dataclasses.replace(transcripts["PLS"], mane_select=mane)
    # c.40C>T; an A 41 bases before the transcript's first base (101)
    for pos, ref, alt in ((232, "C", "T"), (60, "A", "C")):
        found = annotate("chrP", pos, ref, alt, [model], fasta)
        assert [(e.mane_select, e.source) for e in found] == \
            [(mane, "cmmvar offline (GFF3 + FASTA)")]
