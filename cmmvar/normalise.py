"""Normalisation: biallelic records with recoded genotypes, trimmed and left-aligned alleles.

Multiallelic records are split one record per ALT; a sample's other ALT alleles become 0 in
each split record (so 1/2 is a carrier of both alternates). Shared bases are trimmed, and
indels are left-aligned when a reference FASTA is given (Tan, Abecasis & Kang 2015,
doi:10.1093/bioinformatics/btv112). Records failing FILTER are dropped when `pass_only`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pysam

from cmmvar import __version__
from cmmvar.errors import VcfError
from cmmvar.genome import resolve
from cmmvar.vcf import open_vcf, records

ORIGIN_KEY = "CMMVAR_ORIGIN"


@dataclass
class NormaliseStats:
    records_in: int = 0
    records_out: int = 0
    multiallelic_split: int = 0
    realigned: int = 0
    trimmed: int = 0
    dropped_filter: dict = field(default_factory=dict)  # FILTER value -> records dropped
    dropped_alleles: dict = field(default_factory=dict)  # reason -> alleles dropped
    ref_mismatches: int = 0
    ref_mismatch_examples: list = field(default_factory=list)
    left_aligned_with: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def normalise_alleles(pos: int, ref: str, alt: str,
                      base_at: Callable[[int], str] | None = None) -> tuple[int, str, str]:
    """Trim shared bases and, when `base_at(pos)` gives reference bases, left-align.

    Parsimony and left-alignment as in Tan et al. 2015: trim the right end while the
    last bases agree, extending to the left from the reference whenever an allele
    empties; then trim the left end while both alleles keep at least one base.
    """
    ref, alt = ref.upper(), alt.upper()
    if base_at is not None:
        while True:
            if ref and alt and ref[-1] == alt[-1]:
                ref, alt = ref[:-1], alt[:-1]
            elif (not ref or not alt) and pos > 1:
                base = base_at(pos - 1).upper()
                ref, alt, pos = base + ref, base + alt, pos - 1
            else:
                break
    else:
        while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def recode_gt(alleles: tuple, index: int) -> tuple:
    """GT alleles for the split record of ALT number `index` (1-based)."""
    return tuple(None if a is None else (1 if a == index else 0) for a in alleles)


def _subset(value, number: str, index: int, n_alleles: int):
    """A Number=A/R/G field restricted to REF and ALT `index`; None (field left out) when
    the value is missing or its length does not fit the declared Number."""
    if not isinstance(value, tuple) or number not in ("A", "R", "G"):
        return value
    if all(v is None for v in value):
        return None
    if number == "A":
        return (value[index - 1],) if len(value) == n_alleles - 1 else None
    if number == "R":
        return (value[0], value[index]) if len(value) == n_alleles else None
    if len(value) == n_alleles:  # Number=G of a haploid call: one value per allele
        return (value[0], value[index])

    def g(j: int, k: int) -> int:  # VCF 4.3 section 1.6.2 genotype ordering
        return k * (k + 1) // 2 + j

    if len(value) != n_alleles * (n_alleles + 1) // 2:
        return None
    return tuple(value[w] for w in (g(0, 0), g(0, index), g(index, index)))


def normalise(in_path: str | Path, out_path: str | Path, *, pass_only: bool = True,
              fasta_path: str | Path | None = None) -> NormaliseStats:
    """Split, trim and left-align the records of an extracted VCF; write bgzipped + .tbi."""
    stats = NormaliseStats(left_aligned_with=str(fasta_path) if fasta_path else None)
    fasta = _open_fasta(fasta_path) if fasta_path else None
    vcf = open_vcf(in_path)
    header = vcf.header.copy()
    header.add_line(f"##cmmvar_normalise=<Version={__version__},PassOnly={pass_only},"
                    f"Reference=\"{fasta_path or 'none'}\">")
    header.info.add(ORIGIN_KEY, 1, "String",
                    "Input record before splitting and normalisation: CHROM:POS:REF:ALT1|ALT2...")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_path.parent) as tmp:
        body = []
        with vcf:
            for record in records(vcf, in_path):
                stats.records_in += 1
                body.extend(_normalise_record(record, header, fasta, pass_only, stats))
        if stats.ref_mismatches:
            raise VcfError(
                f"{stats.ref_mismatches} of {stats.records_in} records have a REF that differs "
                f"from the reference FASTA {fasta_path}, e.g. "
                + "; ".join(stats.ref_mismatch_examples),
                path=in_path,
                hint="the VCF and the FASTA must be the same reference and build: check "
                     "genome_build and annotation.reference_fasta")
        body.sort(key=lambda item: item[0])
        plain = Path(tmp) / "normalised.vcf"
        with pysam.VariantFile(str(plain), "w", header=header) as out:
            for _, make in body:
                out.write(make(out))
                stats.records_out += 1
        compressed = Path(tmp) / "normalised.vcf.gz"
        pysam.tabix_compress(str(plain), str(compressed), force=True)
        pysam.tabix_index(str(compressed), preset="vcf", force=True)
        os.replace(compressed, out_path)
        os.replace(str(compressed) + ".tbi", str(out_path) + ".tbi")
    if fasta is not None:
        fasta.close()
    return stats


def _open_fasta(path) -> pysam.FastaFile:
    try:
        return pysam.FastaFile(str(path))
    except (OSError, ValueError) as exc:
        raise VcfError(f"cannot open the reference FASTA ({exc})", path=path,
                       hint="give an indexed FASTA (samtools faidx makes the .fai)") from None


def _normalise_record(record, header, fasta, pass_only, stats):
    filters = list(record.filter.keys())
    if pass_only and filters and filters != ["PASS"]:
        key = ";".join(filters)
        stats.dropped_filter[key] = stats.dropped_filter.get(key, 0) + 1
        return []
    alts = record.alts or ()
    if len(alts) > 1:
        stats.multiallelic_split += 1
    base_at = _reference(record, fasta, stats)
    origin = f"{record.chrom}:{record.pos}:{record.ref}:{'|'.join(alts) or '.'}"
    made = []
    for index, alt in enumerate(alts, start=1):
        reason = _unanalysable(alt)
        if reason:
            stats.dropped_alleles[reason] = stats.dropped_alleles.get(reason, 0) + 1
            continue
        pos, ref, new_alt = normalise_alleles(record.pos, record.ref, alt, base_at)
        if pos < record.pos:
            stats.realigned += 1
        elif (ref, new_alt) != (record.ref.upper(), alt.upper()):
            stats.trimmed += 1
        made.append(((record.chrom, pos, ref, new_alt),
                     _builder(record, header, index, pos, ref, new_alt, origin)))
    return [((_rid(header, record.chrom), key[1], key[2], key[3]), make) for key, make in made]


def _rid(header, chrom) -> int:
    return list(header.contigs.keys()).index(chrom) if chrom in header.contigs else 10**6


def _unanalysable(alt: str) -> str | None:
    if alt == "*":
        return "spanning deletion (*) allele"
    if alt.startswith("<") or "[" in alt or "]" in alt or alt == ".":
        return "symbolic or structural allele (not analysed)"
    if not set(alt.upper()) <= set("ACGTN"):
        return "allele with characters other than ACGTN"
    return None


def _reference(record, fasta, stats) -> Callable[[int], str] | None:
    """A 1-based base lookup on the record's contig, after checking REF against it."""
    if fasta is None:
        return None
    contig = resolve(record.chrom, fasta.references)
    if contig is None:
        raise VcfError(f"contig {record.chrom} is not in the reference FASTA",
                       path=fasta.filename.decode(), record=f"{record.chrom}:{record.pos}",
                       hint="use a FASTA that covers the panel regions on the configured build")
    ref_seq = fasta.fetch(contig, record.pos - 1, record.pos - 1 + len(record.ref)).upper()
    if ref_seq != record.ref.upper():
        stats.ref_mismatches += 1
        if len(stats.ref_mismatch_examples) < 5:
            stats.ref_mismatch_examples.append(
                f"{record.chrom}:{record.pos} REF {record.ref} vs FASTA {ref_seq or '(none)'}")
        return None  # never realign against a reference that disagrees with the call
    cache: dict[int, str] = {}

    def base_at(pos: int) -> str:
        if pos not in cache:
            start = max(0, pos - 1 - 100)
            chunk = fasta.fetch(contig, start, pos).upper()
            for offset, base in enumerate(chunk):
                cache[start + 1 + offset] = base
        return cache[pos]

    return base_at


def _builder(record, header, index: int, pos: int, ref: str, alt: str, origin: str):
    """A function making the split record in the output file (records belong to a file)."""
    n_alleles = len(record.alleles)
    info = {}
    for key, value in record.info.items():
        number = header.info[key].number if key in header.info else "."
        info[key] = _subset(value, number, index, n_alleles)
    info[ORIGIN_KEY] = origin
    samples = []
    for sample in record.samples.values():
        fields = {}
        for key in record.format.keys():
            value = sample.get(key)
            if key == "GT":
                fields[key] = recode_gt(value or (), index)
            else:
                fields[key] = _subset(value, header.formats[key].number, index, n_alleles)
        samples.append((fields, sample.phased))
    chrom, rid, qual = record.chrom, record.id, record.qual
    filters = list(record.filter.keys())

    def make(out: pysam.VariantFile) -> pysam.VariantRecord:
        new = out.new_record(contig=chrom, start=pos - 1, alleles=(ref, alt), id=rid,
                             qual=qual, filter=filters or None)
        for key, value in info.items():
            if value is not None:
                new.info[key] = value
        for target, (fields, phased) in zip(new.samples.values(), samples, strict=True):
            for key, value in fields.items():
                if value is not None and value != ():
                    target[key] = value
            target.phased = phased
        return new

    return make
