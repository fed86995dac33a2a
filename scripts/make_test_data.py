#!/usr/bin/env python3
"""Generate test_data/: the demo families (PED + VCF/BCF) and the families sheet.

Reproducible: no randomness but a hash-based reference sequence, so running it twice gives
the same files. Positions are placed relative to the panel genes (GRCh38) of
config/panels/cmm.tsv. Each family is built to show one situation; the tests state the
expected kept variants and segregation counts by hand from the designs below.

    python scripts/make_test_data.py [--out test_data] [--panel config/panels/cmm.tsv]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import pysam
from Bio.Seq import Seq

from cmmvar.io.genome import CONTIG_LENGTHS

ROOT = Path(__file__).resolve().parents[1]


TX: dict[str, DemoTranscript] = {}  # the synthetic transcript of every panel gene

# Bases written by the transcript designs (coding sequence, splice sites) override the
# hash-based background; everything else is a deterministic pseudo-random base.
DESIGNED: dict[tuple[str, int], str] = {}

# Written into every synthetic resource (VCF header line, GFF3 directive, FASTA description)
# so that cmmvar.provenance.synthetic_demo_marker recognises it under any name or path, and
# every report of a run that uses one says so at its top.
MARKER = "cmmvar_synthetic_demo"


def marker_text(what: str) -> str:
    return f"synthetic {what} made by scripts/make_test_data.py for the cmmvar demo, not real data"


def ref_base(chrom: str, pos: int) -> str:
    """The synthetic reference base at a position (the demo has no real reference)."""
    designed = DESIGNED.get((chrom, pos))
    if designed:
        return designed
    return "ACGT"[hashlib.sha256(f"{chrom}:{pos}".encode()).digest()[0] % 4]


def ref_seq(chrom: str, pos: int, length: int) -> str:
    return "".join(ref_base(chrom, p) for p in range(pos, pos + length))


def other_base(base: str) -> str:
    return {"A": "G", "C": "T", "G": "A", "T": "C"}[base]


# ----------------------------------------------------------------------------- model

@dataclass
class Person:
    id: str
    father: str = "0"
    mother: str = "0"
    sex: int = 0
    phenotype: int = 0
    sequenced: bool = True


@dataclass
class Site:
    """One VCF record; `calls` maps sample -> FORMAT values (GT or GT:AD:DP:GQ)."""

    name: str
    chrom: str  # bare
    pos: int
    ref: str
    alts: list[str]
    calls: dict[str, str]
    filter: str = "PASS"
    info: str = "."
    kept: bool = True  # expected to survive extraction and FILTER
    expect: dict = field(default_factory=dict)  # designed annotation, for the tests


@dataclass
class Family:
    id: str
    people: list[Person]
    vcf: str
    sites: list[Site] = field(default_factory=list)


def fmt(gt: str, gq: int = 99, dp: int = 30) -> str:
    """GT:AD:DP:GQ with allele depths that fit the genotype."""
    alleles = gt.replace("|", "/").split("/")
    if "." in alleles:
        return f"{gt}:.:.:."
    n_alt = sum(a != "0" for a in alleles)
    alt_depth = dp if n_alt == len(alleles) else (dp // 2 if n_alt else 0)
    return f"{gt}:{dp - alt_depth},{alt_depth}:{dp}:{gq}"


def snv(name: str, chrom: str, pos: int, calls: dict[str, str], **kw) -> Site:
    ref = ref_base(chrom, pos)
    return Site(name, chrom, pos, ref, [other_base(ref)], calls, **kw)


def designed(name: str, tx: DemoTranscript, c: int, effect: str, calls, **kw) -> Site:
    pos, ref, alt = coding_snv(tx, c, effect)
    return Site(name, tx.chrom, pos, ref, [alt], calls,
                expect={"consequence": f"{effect}_variant", "gene": tx.gene}, **kw)


def intronic(tx: DemoTranscript, intron: int, offset: int = 0) -> int:
    """A position in the middle of intron `intron` (1-based, 5' to 3'), moved by `offset`,
    where the bases are not repeated (so an indel there is already left-aligned)."""
    ordered = tx.exon_5prime_order()
    a, b = ordered[intron - 1], ordered[intron]
    lo, hi = (a[1] + 1, b[0] - 1) if tx.strand == "+" else (b[1] + 1, a[0] - 1)
    pos = (lo + hi) // 2 + offset
    while len({ref_base(tx.chrom, pos + i) for i in (-1, 0, 1, 2)}) < 4 and \
            ref_base(tx.chrom, pos) in (ref_base(tx.chrom, pos + 1), ref_base(tx.chrom, pos + 2)):
        pos += 1
    return pos


# ----------------------------------------------------------------------------- panel

def load_panel(path: Path) -> dict[str, tuple[str, int, int]]:
    return {symbol: (r["chrom"], int(r["start_grch38"]), int(r["end_grch38"]))
            for symbol, r in panel_rows(path).items()}


def panel_rows(path: Path) -> dict[str, dict]:
    with path.open() as handle:  # '##' lines: the panel's header (version, MANE release)
        lines = [line for line in handle if not line.startswith("##")]
    return {r["symbol"]: r for r in csv.DictReader(lines, delimiter="\t")}


# ----------------------------------------------------------------------------- transcripts

# Exon counts of the synthetic transcripts: many-exon, few-exon and one single-exon gene.
EXONS = {"DCC": 10, "RAD51": 5, "NTN1": 4, "ARHGEF7": 6, "DNAL4": 4, "DNM2": 6, "ANOS1": 5,
         "FGFR1": 5, "PROKR2": 2, "PROK2": 1, "GDF6": 2, "MCF2": 4}
COMPLEMENT = str.maketrans("ACGT", "TGCA")
STOPS = {"TAA", "TAG", "TGA"}


@dataclass
class DemoTranscript:
    """A synthetic transcript on the real gene span and strand (not the real exon structure)."""

    gene: str
    gene_id: str
    tx_id: str  # versioned
    chrom: str  # bare
    strand: str
    exons: list[tuple[int, int]]  # genomic, ascending
    cds_start: int  # genomic, ascending coordinates
    cds_end: int

    def transcript_positions(self) -> list[int]:
        """Genomic positions of the spliced transcript, 5' to 3'."""
        positions = [p for start, end in self.exons for p in range(start, end + 1)]
        return positions if self.strand == "+" else positions[::-1]

    def cds_positions(self) -> list[int]:
        return [p for p in self.transcript_positions() if self.cds_start <= p <= self.cds_end]

    def c_to_genomic(self, c: int) -> int:
        """Genomic position of coding position c (1-based, c.1 = A of ATG)."""
        return self.cds_positions()[c - 1]

    def exon_5prime_order(self) -> list[tuple[int, int]]:
        return self.exons if self.strand == "+" else self.exons[::-1]


def _set_oriented(chrom: str, positions: list[int], seq: str, strand: str) -> None:
    """Write `seq` (read 5'->3' on the transcript) at genomic `positions` (same order)."""
    for pos, base in zip(positions, seq, strict=True):
        DESIGNED[(chrom, pos)] = base if strand == "+" else base.translate(COMPLEMENT)


def design_transcript(row: dict) -> DemoTranscript:
    rng = random.Random(f"cmmvar-demo-{row['symbol']}")
    chrom, start, end = row["chrom"], int(row["start_grch38"]), int(row["end_grch38"])
    n = EXONS[row["symbol"]]
    if n == 1:
        exons = [(start, min(end, start + 899))]
    else:
        lengths = [rng.randint(320, 480)] + [rng.randint(120, 260) for _ in range(n - 2)] + \
                  [rng.randint(320, 480)]
        if row["strand"] == "-":
            lengths = lengths[::-1]
        step = (end - start - sum(lengths)) // (n - 1)
        exons, cursor = [], start
        for i, length in enumerate(lengths):
            exon_end = end if i == n - 1 else cursor + length - 1
            exons.append((cursor if i < n - 1 else end - length + 1, exon_end))
            cursor = exon_end + 1 + step
    tx = DemoTranscript(row["symbol"], row["ensembl_gene"], row["mane_transcript"], chrom,
                        row["strand"], exons, 0, 0)
    positions = tx.transcript_positions()
    utr5, utr3 = 60, 120
    cds_len = (len(positions) - utr5 - utr3) // 3 * 3
    cds = positions[utr5: utr5 + cds_len]
    tx.cds_start, tx.cds_end = min(cds), max(cds)
    codons = ["ATG"]
    while len(codons) < cds_len // 3 - 1:
        codon = "".join(rng.choice("ACGT") for _ in range(3))
        if codon not in STOPS:
            codons.append(codon)
    codons.append(rng.choice(sorted(STOPS)))
    _set_oriented(chrom, cds, "".join(codons), tx.strand)
    ordered = tx.exon_5prime_order()
    for (a_start, a_end), (b_start, b_end) in zip(ordered, ordered[1:], strict=False):
        if tx.strand == "+":  # intron between a_end and b_start
            _set_oriented(chrom, [a_end + 1, a_end + 2], "GT", "+")
            _set_oriented(chrom, [b_start - 2, b_start - 1], "AG", "+")
        else:  # 5' exon a is genomically after b: the intron runs from a_start-1 down
            _set_oriented(chrom, [a_start - 1, a_start - 2], "GT", "-")
            _set_oriented(chrom, [b_end + 2, b_end + 1], "AG", "-")
    return tx


def codon_at(tx: DemoTranscript, c: int) -> tuple[str, list[int]]:
    """The codon holding coding position c, and its genomic positions (5'->3')."""
    first = (c - 1) // 3 * 3 + 1
    positions = [tx.c_to_genomic(first + i) for i in range(3)]
    seq = "".join(ref_base(tx.chrom, p) for p in positions)
    return (seq if tx.strand == "+" else seq.translate(COMPLEMENT)), positions


def coding_snv(tx: DemoTranscript, c: int, effect: str) -> tuple[int, str, str]:
    """(pos, ref, alt) of an SNV with the wanted effect (missense, synonymous or
    stop_gained) at coding position c, or at the same codon position further on when the
    codon allows no such change; genomic (+ strand) bases."""
    for shift in range(0, 60, 3):
        found = _codon_change(tx, c + shift, effect)
        if found:
            return found
    raise ValueError(f"no {effect} SNV near {tx.gene} c.{c}")


def _codon_change(tx: DemoTranscript, c: int, effect: str) -> tuple[int, str, str] | None:
    codon, positions = codon_at(tx, c)
    offset = (c - 1) % 3
    for base in "ACGT":
        if base == codon[offset]:
            continue
        new = codon[:offset] + base + codon[offset + 1:]
        aa_old, aa_new = str(Seq(codon).translate()), str(Seq(new).translate())
        if ((effect == "synonymous" and aa_new == aa_old)
                or (effect == "missense" and aa_new not in (aa_old, "*"))
                or (effect == "stop_gained" and aa_new == "*")):
            pos = positions[offset]
            genomic = base if tx.strand == "+" else base.translate(COMPLEMENT)
            return pos, ref_base(tx.chrom, pos), genomic
    return None


def write_fasta(out: Path, transcripts: list[DemoTranscript], panel: dict) -> None:
    """chr-named contigs, N except the panel genes +- 6 kb (enough for upstream/downstream)."""
    windows: dict[str, list[tuple[int, int]]] = {}
    for chrom, start, end in panel.values():
        windows.setdefault(chrom, []).append((max(1, start - 6000), end + 6000))
    plain = out / "reference.fa"
    with plain.open("w") as handle:
        for chrom in sorted(windows, key=_contig_key):
            length = max(e for _, e in windows[chrom])
            seq = bytearray(b"N" * length)
            for start, end in windows[chrom]:
                for pos in range(start, end + 1):
                    seq[pos - 1] = ord(ref_base(chrom, pos))
            handle.write(f">chr{chrom} {MARKER}={marker_text('sequence')}\n")
            for i in range(0, length, 60):
                handle.write(seq[i:i + 60].decode() + "\n")
    target = out / "reference.fa.gz"
    pysam.tabix_compress(str(plain), str(target), force=True)
    plain.unlink()
    pysam.faidx(str(target))


def write_gff3(out: Path, transcripts: list[DemoTranscript]) -> None:
    """Ensembl-style GFF3 (bare chromosome names, as Ensembl writes them)."""
    lines = ["##gff-version 3",
             "#!genome-build cmmvar synthetic demo on GRCh38 coordinates (not real exons)",
             f"#!{MARKER} {marker_text('transcripts')}"]
    for tx in sorted(transcripts, key=lambda t: (_contig_key(t.chrom), t.exons[0][0])):
        stable, version = tx.tx_id.split(".")
        protein = "ENSP9" + stable[5:]  # synthetic protein ID
        start, end = tx.exons[0][0], tx.exons[-1][1]
        col = [tx.chrom, "cmmvar_demo"]
        lines.append("\t".join(col + ["gene", str(start), str(end), ".", tx.strand, ".",
                                      f"ID=gene:{tx.gene_id};Name={tx.gene};"
                                      f"biotype=protein_coding;gene_id={tx.gene_id}"]))
        lines.append("\t".join(col + ["mRNA", str(start), str(end), ".", tx.strand, ".",
                                      f"ID=transcript:{stable};Parent=gene:{tx.gene_id};"
                                      f"Name={tx.gene}-201;biotype=protein_coding;"
                                      f"tag=Ensembl_canonical,MANE_Select;"
                                      f"transcript_id={stable};version={version}"]))
        rank = {exon: i for i, exon in enumerate(tx.exon_5prime_order(), start=1)}
        cds_done = 0
        for exon_start, exon_end in tx.exon_5prime_order():
            lines.append("\t".join(col + ["exon", str(exon_start), str(exon_end), ".",
                                          tx.strand, ".",
                                          f"Parent=transcript:{stable};rank="
                                          f"{rank[(exon_start, exon_end)]}"]))
            lo, hi = max(exon_start, tx.cds_start), min(exon_end, tx.cds_end)
            if lo <= hi:
                phase = (3 - cds_done % 3) % 3
                lines.append("\t".join(col + ["CDS", str(lo), str(hi), ".", tx.strand,
                                              str(phase),
                                              f"ID=CDS:{protein};Parent=transcript:{stable};"
                                              f"protein_id={protein}"]))
                cds_done += hi - lo + 1
            for utr_lo, utr_hi in ((exon_start, min(exon_end, tx.cds_start - 1)),
                                   (max(exon_start, tx.cds_end + 1), exon_end)):
                if utr_lo <= utr_hi:
                    five = (utr_hi < tx.cds_start) == (tx.strand == "+")
                    kind = "five_prime_UTR" if five else "three_prime_UTR"
                    lines.append("\t".join(col + [kind, str(utr_lo), str(utr_hi), ".",
                                                  tx.strand, ".",
                                                  f"Parent=transcript:{stable}"]))
        if tx.gene == "DCC":  # a second, non-coding DCC transcript: not MANE, kept in JSON
            lines += _retained_intron(tx, col)
    (out / "transcripts.gff3").write_text("\n".join(lines) + "\n")


def _retained_intron(tx: DemoTranscript, col: list[str]) -> list[str]:
    """DCC-202, a retained-intron transcript: exon 1 of the MANE transcript and the first
    300 bases of intron 1, one exon (DCC is on the plus strand, so n.1 is its first base)."""
    start, end = tx.exons[0][0], tx.exons[0][1] + 300
    assert tx.strand == "+" and end < tx.exons[1][0]
    return ["\t".join(col + ["transcript", str(start), str(end), ".", "+", ".",
                              f"ID=transcript:ENST00000581580;Parent=gene:{tx.gene_id};"
                              "Name=DCC-202;biotype=retained_intron;"
                              "transcript_id=ENST00000581580;version=1"]),
            "\t".join(col + ["exon", str(start), str(end), ".", "+", ".",
                              "Parent=transcript:ENST00000581580;rank=1"])]


# ----------------------------------------------------------------------------- families

def dcc_family(panel) -> Family:
    """Three generations, autosomal dominant DCC variant with incomplete penetrance.

    I-1 (affected carrier) x I-2 (unaffected, not sequenced: an ungenotyped founder);
    children II-1 (affected carrier, married to II-2, unaffected non-carrier) and II-3
    (unaffected carrier: non-penetrant, married to II-4, unaffected, not sequenced).
    III-1 affected carrier; III-2 unaffected, 0/0 but GQ 5 (missing, not non-carrier);
    III-3 phenotype unknown (young child), carrier; III-4 (child of II-3) affected carrier.
    """
    chrom, start, end = panel["DCC"]
    people = [
        Person("DCC_I1", sex=1, phenotype=2),
        Person("DCC_I2", sex=2, phenotype=1, sequenced=False),
        Person("DCC_II1", "DCC_I1", "DCC_I2", 1, 2),
        Person("DCC_II2", sex=2, phenotype=1),
        Person("DCC_II3", "DCC_I1", "DCC_I2", 2, 1),
        Person("DCC_II4", sex=1, phenotype=1, sequenced=False),
        Person("DCC_III1", "DCC_II1", "DCC_II2", 1, 2),
        Person("DCC_III2", "DCC_II1", "DCC_II2", 2, 1),
        Person("DCC_III3", "DCC_II1", "DCC_II2", 2, 0),
        Person("DCC_III4", "DCC_II4", "DCC_II3", 1, 2),
    ]
    het, ref = fmt("0/1"), fmt("0/0")
    segregating = {"DCC_I1": het, "DCC_II1": het, "DCC_II2": ref, "DCC_II3": het,
                   "DCC_III1": het, "DCC_III2": fmt("0/0", gq=5), "DCC_III3": het,
                   "DCC_III4": het}
    tx = TX["DCC"]
    pos_multi = intronic(tx, 3)
    multi_ref = ref_seq(chrom, pos_multi, 3)
    sites = [
        designed("dcc_segregating", tx, 150, "missense", segregating),
        # multiallelic deletion: ALT1 removes base 2 of REF, ALT2 removes bases 2-3.
        Site("dcc_multiallelic", chrom, pos_multi, multi_ref,
             [multi_ref[0] + multi_ref[2], multi_ref[0]], expect={"consequence":
                                                                   "intron_variant"},
             calls={"DCC_I1": fmt("0/0"), "DCC_II1": fmt("1/2"), "DCC_II2": fmt("0/0"),
              "DCC_II3": fmt("0/1"), "DCC_III1": fmt("0/2"), "DCC_III2": fmt("0/0"),
              "DCC_III3": fmt("./."), "DCC_III4": fmt("0/0")}),
        # carried only by the married-in unaffected spouse; common in the demo gnomAD
        designed("dcc_spouse_only", tx, 300, "synonymous",
                 {**dict.fromkeys(segregating, ref), "DCC_II2": het}),
        # failing FILTER: dropped under pass_only
        snv("dcc_lowqual", chrom, intronic(tx, 5), dict.fromkeys(segregating, het),
            filter="LowQual", kept=False),
        # 50 bp past the gene end: inside the default 100 bp padding, kept
        snv("dcc_in_padding", chrom, end + 50, {**dict.fromkeys(segregating, ref),
                                                "DCC_I1": het}),
        # outside the panel: dropped
        snv("dcc_before_gene", chrom, start - 500, dict.fromkeys(segregating, het), kept=False),
        snv("chr18_far", chrom, 30_000_000, dict.fromkeys(segregating, het), kept=False),
        snv("chr2_offpanel", "2", 1_000_000, dict.fromkeys(segregating, het), kept=False),
    ]
    return Family("DCC1", people, "dcc_family.vcf.gz", sites)


def trio(panel) -> Family:
    """Affected child, unaffected parents: a de novo NTN1 SNV (parents confident 0/0) and an
    NTN1 SNV inherited from the unaffected father. Written as BCF with a CSI index."""
    tx = TX["NTN1"]
    utr3 = tx.cds_end + 30 if tx.strand == "+" else tx.cds_start - 30
    people = [Person("TRIO_F", sex=1, phenotype=1), Person("TRIO_M", sex=2, phenotype=1),
              Person("TRIO_C", "TRIO_F", "TRIO_M", 2, 2)]
    sites = [
        designed("ntn1_de_novo", tx, 90, "missense",
                 {"TRIO_F": fmt("0/0", dp=40), "TRIO_M": fmt("0/0", dp=38),
                  "TRIO_C": fmt("0/1")}),
        snv("ntn1_paternal", tx.chrom, utr3,
            {"TRIO_F": fmt("0/1"), "TRIO_M": fmt("0/0"), "TRIO_C": fmt("0/1")},
            expect={"consequence": "3_prime_UTR_variant"}),
        # mother's call has DP 4 (< min_dp 8): missing
        snv("ntn1_low_dp", tx.chrom, intronic(tx, 2),
            {"TRIO_F": fmt("0/0"), "TRIO_M": fmt("0/1", dp=4), "TRIO_C": fmt("0/1")}),
    ]
    return Family("TRIO1", people, "trio.bcf", sites)


def rad51_family(panel) -> Family:
    """A RAD51 variant that does not segregate: II-2 is affected and does not carry it.
    Plain VCF, no index, contigs named `15` (no chr prefix)."""
    chrom, start, _ = panel["RAD51"]
    tx = TX["RAD51"]
    people = [
        Person("RAD_I1", sex=1, phenotype=2), Person("RAD_I2", sex=2, phenotype=1),
        Person("RAD_II1", "RAD_I1", "RAD_I2", 2, 2), Person("RAD_II2", "RAD_I1", "RAD_I2", 1, 2),
        Person("RAD_II3", "RAD_I1", "RAD_I2", 2, 1),
    ]
    calls = {"RAD_I1": fmt("0/1"), "RAD_I2": fmt("0/0"), "RAD_II1": fmt("0/1"),
             "RAD_II2": fmt("0/0"), "RAD_II3": fmt("0/1")}
    sites = [designed("rad51_nonsegregating", tx, 60, "missense", calls),
             snv("chr15_offpanel", chrom, start - 5_000, calls, kept=False)]
    return Family("RAD1", people, "rad51_family.vcf", sites)


def consanguineous(panel) -> Family:
    """First cousins III-1 x III-2 (double line) with two affected children homozygous for a
    DNAL4 variant. The spouses II-2 and II-4 are named as parents but not listed in the PED
    (added as ungenotyped founders). In the joint VCF cohort.vcf.gz."""
    tx = TX["DNAL4"]
    second = tx.exon_5prime_order()[1]
    donor = second[1] + 1 if tx.strand == "+" else second[0] - 1  # intron 2, base +1 (G of GT)
    people = [
        Person("CON_I1", sex=1, phenotype=0, sequenced=False),
        Person("CON_I2", sex=2, phenotype=0, sequenced=False),
        Person("CON_II1", "CON_I1", "CON_I2", 1, 1, sequenced=False),
        Person("CON_II3", "CON_I1", "CON_I2", 2, 1, sequenced=False),
        Person("CON_III1", "CON_II1", "CON_II2", 1, 1),
        Person("CON_III2", "CON_II4", "CON_II3", 2, 1),
        Person("CON_IV1", "CON_III1", "CON_III2", 2, 2),
        Person("CON_IV2", "CON_III1", "CON_III2", 1, 2),
        Person("CON_IV3", "CON_III1", "CON_III2", 2, 1),
        Person("CON_IV4", "CON_III1", "CON_III2", 1, 1),
    ]
    calls = {"CON_III1": fmt("0/1"), "CON_III2": fmt("0/1"), "CON_IV1": fmt("1/1"),
             "CON_IV2": fmt("1/1"), "CON_IV3": fmt("0/1"), "CON_IV4": fmt("0/0")}
    return Family("CONS1", people, "cohort.vcf.gz",
                  [Site("dnal4_homozygous", tx.chrom, donor, ref_base(tx.chrom, donor),
                        [other_base(ref_base(tx.chrom, donor))], calls,
                        expect={"consequence": "splice_donor_variant", "gene": "DNAL4"})])


def x_linked(panel) -> Family:
    """ANOS1 (X-linked recessive): carrier mother, two affected hemizygous sons (one called
    haploid `1`, one diploid `1/1`), an unaffected son `0`; a second ANOS1 site where a son
    has a heterozygous call, impossible in a male's X (missing). In cohort.vcf.gz."""
    tx = TX["ANOS1"]
    # one-base deletion at coding position ~100: frameshift; anchored on the base before
    gone = tx.c_to_genomic(100)
    while ref_base(tx.chrom, gone - 1) == ref_base(tx.chrom, gone):
        gone += 1
    frameshift = Site("anos1_hemizygous", tx.chrom, gone - 1,
                      ref_base(tx.chrom, gone - 1) + ref_base(tx.chrom, gone),
                      [ref_base(tx.chrom, gone - 1)], {},
                      expect={"consequence": "frameshift_variant", "gene": "ANOS1"})
    people = [Person("XL_F", sex=1, phenotype=1), Person("XL_M", sex=2, phenotype=1),
              Person("XL_S1", "XL_F", "XL_M", 1, 2), Person("XL_S2", "XL_F", "XL_M", 1, 2),
              Person("XL_S3", "XL_F", "XL_M", 1, 1)]
    hemizygous = {"XL_F": fmt("0", dp=20), "XL_M": fmt("0/1"), "XL_S1": fmt("1", dp=20),
                  "XL_S2": fmt("1/1"), "XL_S3": fmt("0", dp=20)}
    male_het = {"XL_F": fmt("0", dp=20), "XL_M": fmt("0/1"), "XL_S1": fmt("0/1"),
                "XL_S2": fmt("0/0"), "XL_S3": fmt("0", dp=20)}
    return Family("XL1", people, "cohort.vcf.gz",
                  [replace(frameshift, calls=hemizygous),
                   designed("anos1_male_het", tx, 200, "missense", male_het)])


# ----------------------------------------------------------------------------- writing

HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##INFO=<ID=DEMO,Number=1,Type=String,Description="Name of the demo site (make_test_data.py)">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
"""


def _contig_key(chrom: str) -> tuple:
    return (int(chrom), "") if chrom.isdigit() else (23, chrom)


def write_vcf_text(path: Path, samples: list[str], sites: list[Site], chr_prefix: bool) -> None:
    lines = [HEADER.rstrip("\n")]
    for chrom, length in CONTIG_LENGTHS["GRCh38"].items():
        lines.append(f"##contig=<ID={'chr' if chr_prefix else ''}{chrom},length={length}>")
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            "FORMAT", *samples]))
    for site in sorted(sites, key=lambda s: (_contig_key(s.chrom), s.pos)):
        n_alleles = 1 + len(site.alts)
        cells = [site.calls.get(s, fmt("0/0")) for s in samples]
        if n_alleles > 2:  # AD needs one depth per allele
            cells = [_widen_ad(c, n_alleles) for c in cells]
        chrom = ("chr" if chr_prefix else "") + site.chrom
        info = f"DEMO={site.name}"
        lines.append("\t".join([chrom, str(site.pos), ".", site.ref, ",".join(site.alts), "50",
                                site.filter, info, "GT:AD:DP:GQ", *cells]))
    path.write_text("\n".join(lines) + "\n")


def _widen_ad(cell: str, n_alleles: int) -> str:
    gt, ad, dp, gq = cell.split(":")
    if ad == ".":
        return cell
    alleles = [int(a) for a in gt.replace("|", "/").split("/")]
    depth = int(dp)
    per = [0] * n_alleles
    for allele in alleles:
        per[allele] += depth // len(alleles)
    return ":".join([gt, ",".join(map(str, per)), dp, gq])


def write_outputs(out: Path, families: list[Family], extra_samples: dict[str, list[str]]):
    (out / "vcf").mkdir(parents=True, exist_ok=True)
    (out / "ped").mkdir(parents=True, exist_ok=True)
    by_vcf: dict[str, list[Family]] = {}
    for family in families:
        by_vcf.setdefault(family.vcf, []).append(family)
        ped = [f"{family.id}\t{p.id}\t{p.father}\t{p.mother}\t{p.sex}\t{p.phenotype}"
               for p in family.people]
        header = "#family_id\tindividual_id\tfather_id\tmother_id\tsex\tphenotype"
        (out / "ped" / f"{family.id}.ped").write_text(header + "\n" + "\n".join(ped) + "\n")

    for name, members in by_vcf.items():
        samples = [p.id for f in members for p in f.people if p.sequenced]
        samples += extra_samples.get(name, [])
        sites = [s for f in members for s in f.sites]
        target = out / "vcf" / name
        plain = target.with_suffix("") if name.endswith(".gz") else target
        if name.endswith(".bcf"):
            plain = target.with_suffix(".vcf.tmp")
        write_vcf_text(plain, samples, sites, chr_prefix=name != "rad51_family.vcf")
        if name.endswith(".vcf.gz"):
            pysam.tabix_compress(str(plain), str(target), force=True)
            plain.unlink()
            pysam.tabix_index(str(target), preset="vcf", force=True)
        elif name.endswith(".bcf"):
            with pysam.VariantFile(str(plain)) as src, \
                    pysam.VariantFile(str(target), "wb", header=src.header) as dst:
                for record in src:
                    dst.write(record)
            plain.unlink()
            pysam.tabix_index(str(target), preset="vcf", csi=True, force=True)  # BCF CSI

    sheet = ["family_id\tvcf\tped"]
    sheet += [f"{f.id}\t{out.name}/vcf/{f.vcf}\t{out.name}/ped/{f.id}.ped" for f in families]
    (out / "families.tsv").write_text("\n".join(sheet) + "\n")

    manifest = {f.id: {s.name: {"chrom": "chr" + s.chrom, "pos": s.pos, "ref": s.ref,
                                "alts": s.alts, "kept": s.kept, "expect": s.expect}
                       for s in f.sites}
                for f in families}
    (out / "sites.json").write_text(json.dumps(manifest, indent=1) + "\n")


# ----------------------------------------------------------------------------- databases

# Demo gnomAD (v4 field layout) and ClinVar entries for some demo sites, by site name.
# Values are invented for the demo; the tests check that they come through unchanged.
GNOMAD = {
    "dcc_spouse_only": dict(AC=2950, AN=1461894, AF=2.018e-03, grpmax="nfe",
                            AF_grpmax=3.112e-03, fafmax_faf95_max=2.95e-03, nhomalt=4),
    # one allele in gnomAD: the filtering AF (faf95) of a singleton is 0, under any cap
    "rad51_nonsegregating": dict(AC=1, AN=1461000, AF=6.845e-07, grpmax="afr",
                                 AF_grpmax=1.198e-05, fafmax_faf95_max=0, nhomalt=0),
    # rare but seen: under DNAL4's recessive cap (4.5e-4), so kept
    "dnal4_homozygous": dict(AC=30, AN=1461500, AF=2.053e-05, grpmax="sas",
                             AF_grpmax=9.81e-05, fafmax_faf95_max=6.2e-05, nhomalt=0),
}
CLINVAR = {
    "dcc_segregating": (900001, "Pathogenic",
                        "criteria_provided,_multiple_submitters,_no_conflicts",
                        "Mirror_movements_1|not_provided", "DCC:1630"),
    "ntn1_de_novo": (900002, "Likely_pathogenic", "criteria_provided,_single_submitter",
                     "Mirror_movements_4", "NTN1:9423"),
    "rad51_nonsegregating": (900003, "Uncertain_significance",
                             "criteria_provided,_single_submitter", "Mirror_movements_2",
                             "RAD51:5888"),
    "dcc_spouse_only": (900004, "Benign", "criteria_provided,_multiple_submitters,_no_conflicts",
                        "not_specified", "DCC:1630"),
    "anos1_hemizygous": (900005, "Pathogenic", "reviewed_by_expert_panel",
                         "Hypogonadotropic_hypogonadism_1_with_or_without_anosmia",
                         "ANOS1:3730"),
}


def _write_indexed(text: str, target: Path) -> None:
    plain = target.with_suffix("")
    plain.write_text(text)
    pysam.tabix_compress(str(plain), str(target), force=True)
    plain.unlink()
    pysam.tabix_index(str(target), preset="vcf", force=True)


def write_gnomad(out: Path, sites: dict[str, Site]) -> None:
    """gnomAD v4.1-style sites VCF (chr names). The DCC multiallelic deletion is written as
    gnomAD might: one record, both deletions right-padded by a base, so only matching on the
    normalised allele finds it."""
    info = [("AC", "A", "Integer", "Alternate allele count"),
            ("AN", "1", "Integer", "Total number of alleles"),
            ("AF", "A", "Float", "Alternate allele frequency"),
            ("grpmax", "A", "String", "Genetic ancestry group with the maximum allele frequency"),
            ("AF_grpmax", "A", "Float", "Maximum allele frequency across genetic ancestry groups"),
            ("fafmax_faf95_max", "A", "Float", "Maximum filtering allele frequency (95% CI)"),
            ("nhomalt", "A", "Integer", "Count of homozygous individuals")]
    lines = ["##fileformat=VCFv4.2", f"##{MARKER}={marker_text('gnomAD records')}",
             "##source=gnomAD v4.1 layout, synthetic demo records",
             '##FILTER=<ID=PASS,Description="All filters passed">']
    lines += [f'##INFO=<ID={i},Number={n},Type={t},Description="{d}">' for i, n, t, d in info]
    lines += [f"##contig=<ID=chr{c},length={n}>" for c, n in CONTIG_LENGTHS["GRCh38"].items()]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    rows = []
    for name, values in GNOMAD.items():
        site = sites[name]
        rows.append((site.chrom, site.pos, site.ref, site.alts[0],
                     ";".join(f"{k}={v}" for k, v in values.items())))
    multi = sites["dcc_multiallelic"]
    pad = ref_base(multi.chrom, multi.pos + 3)
    rows.append((multi.chrom, multi.pos, multi.ref + pad,
                 f"{multi.alts[0]}{pad},{multi.alts[1]}{pad}",
                 "AC=3,1;AN=1460000;AF=2.055e-06,6.849e-07;grpmax=nfe,eas;"
                 "AF_grpmax=3.4e-06,2.1e-05;fafmax_faf95_max=9.1e-07,.;nhomalt=0,0"))
    # A common SNV 50 bases into every panel gene, so the file has records on each panel
    # chromosome, as a panel slice of gnomAD has: a demo variant missing from it is then
    # "absent", not "not checked".
    for tx in TX.values():
        pos = tx.exons[0][0] + 50
        assert all((s.chrom, s.pos) != (tx.chrom, pos) for s in sites.values())
        ref = ref_base(tx.chrom, pos)
        alt = "A" if ref != "A" else "G"
        rows.append((tx.chrom, pos, ref, alt, "AC=146189;AN=1461894;AF=0.1;grpmax=afr;"
                     "AF_grpmax=0.2;fafmax_faf95_max=0.19;nhomalt=7300"))
    for chrom, pos, ref, alt, text in sorted(rows, key=lambda r: (_contig_key(r[0]), r[1])):
        lines.append(f"chr{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t{text}")
    _write_indexed("\n".join(lines) + "\n", out / "gnomad.vcf.gz")


def write_clinvar(out: Path, sites: dict[str, Site]) -> None:
    """ClinVar-style VCF (bare chromosome names, ID = VariationID, as ClinVar writes it)."""
    lines = ["##fileformat=VCFv4.1", f"##{MARKER}={marker_text('ClinVar records')}",
             "##fileDate=2026-11-01",
             "##source=ClinVar layout, synthetic demo records", "##reference=GRCh38",
             '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">',
             '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease '
             'name for the concept specified by disease identifiers in CLNDISDB">',
             '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status '
             'of germline classification for the Variation ID">',
             '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline '
             'classification for this single variant">',
             '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant '
             'reported as gene symbol:gene id">']
    lines += [f"##contig=<ID={c},length={n}>" for c, n in CONTIG_LENGTHS["GRCh38"].items()]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    rows = []
    for name, (vid, sig, status, disease, gene) in CLINVAR.items():
        site = sites[name]
        rows.append((site.chrom, site.pos, vid, site.ref, site.alts[0],
                     f"ALLELEID={vid - 800000};CLNDN={disease};CLNREVSTAT={status};"
                     f"CLNSIG={sig};GENEINFO={gene}"))
    for chrom, pos, vid, ref, alt, text in sorted(rows, key=lambda r: (_contig_key(r[0]), r[1])):
        lines.append(f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\t{text}")
    _write_indexed("\n".join(lines) + "\n", out / "clinvar.vcf.gz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "test_data"))
    parser.add_argument("--panel", default=str(ROOT / "config" / "panels" / "cmm.tsv"))
    args = parser.parse_args()
    rows = panel_rows(Path(args.panel))
    panel = load_panel(Path(args.panel))
    TX.update({symbol: design_transcript(row) for symbol, row in rows.items()})
    families = [dcc_family(panel), trio(panel), rad51_family(panel), consanguineous(panel),
                x_linked(panel)]
    out = Path(args.out)
    write_outputs(out, families, {"cohort.vcf.gz": ["UNRELATED_1"]})
    resources = out / "resources"
    resources.mkdir(parents=True, exist_ok=True)
    sites = {site.name: site for family in families for site in family.sites}
    write_fasta(resources, list(TX.values()), panel)
    write_gff3(resources, list(TX.values()))
    write_gnomad(resources, sites)
    write_clinvar(resources, sites)


if __name__ == "__main__":
    main()
