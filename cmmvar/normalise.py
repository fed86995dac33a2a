"""Normalisation: biallelic records with recoded genotypes, trimmed and left-aligned alleles.

Multiallelic records are split one record per ALT; a sample's other ALT alleles become 0 in
each split record (so 1/2 is a carrier of both alternates), keeping the call's ploidy and
phasing. Shared bases are trimmed, and indels are left-aligned when a reference FASTA is given
(Tan, Abecasis & Kang 2015, doi:10.1093/bioinformatics/btv112). Records failing FILTER are
dropped when `pass_only`.

Each record is rewritten from its columns as htslib writes them, with the header it came with
made complete (HeaderGaps): only POS, REF, ALT, GT and the Number=A/R/G values change, so no
value is re-typed and any record htslib reads can be written back. A value that does not fit
its record (a Number=A/R/G list of the wrong length, a GT allele beyond ALT) is set to missing
(a sample's value) or left out (an INFO value), counted, and an example kept in the stats.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pysam

from cmmvar import __version__
from cmmvar.atomic import scratch_dir
from cmmvar.errors import VcfError
from cmmvar.genome import resolve
from cmmvar.vcf import HeaderGaps, open_vcf, record_columns, records, write_indexed

ORIGIN_KEY = "CMMVAR_ORIGIN"
EXAMPLES = 5  # examples kept in each list of the stats
_GT_SPLIT = re.compile(r"([/|])")


@dataclass
class NormaliseStats:
    records_in: int = 0
    records_out: int = 0
    multiallelic_split: int = 0
    realigned: int = 0
    trimmed: int = 0
    dropped_filter: dict = field(default_factory=dict)  # FILTER value -> records dropped
    dropped_alleles: dict = field(default_factory=dict)  # reason -> alleles dropped
    dropped_allele_examples: list = field(default_factory=list)
    values_missing: dict = field(default_factory=dict)  # reason -> values set missing or left out
    values_missing_examples: list = field(default_factory=list)
    header_completed: list = field(default_factory=list)  # names declared for the records
    ref_mismatches: int = 0
    ref_mismatch_examples: list = field(default_factory=list)
    left_aligned_with: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def count(self, counts: dict, examples: list, reason: str, example: str) -> None:
        counts[reason] = counts.get(reason, 0) + 1
        if len(examples) < EXAMPLES and example not in examples:
            examples.append(example)


def normalise_alleles(pos: int, ref: str, alt: str,
                      base_at: Callable[[int], str] | None = None) -> tuple[int, str, str]:
    """Trim shared bases and, when `base_at(pos)` gives reference bases, left-align.

    Parsimony and left-alignment as in Tan et al. 2015: trim the right end while the
    last bases agree, extending to the left from the reference whenever an allele
    empties; then trim the left end while both alleles keep at least one base. At a
    contig's first base no base precedes to anchor on, so the last shared base stays
    (as bcftools norm keeps it; VCF 4.3 section 1.6.1, REF). ALT equal to REF is
    returned as it is: there is no change to place.
    """
    ref, alt = ref.upper(), alt.upper()
    if ref == alt:
        return pos, ref, alt
    if base_at is not None:
        while True:
            if ref and alt and ref[-1] == alt[-1] and (pos > 1 or min(len(ref), len(alt)) > 1):
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
    """GT alleles for the split record of ALT number `index` (1-based): that ALT becomes 1,
    every other allele 0, a missing allele (None) stays missing; ploidy is kept."""
    return tuple(None if a is None else (1 if a == index else 0) for a in alleles)


def parse_gt(gt: str) -> tuple[tuple, list[str]]:
    """A GT as htslib writes it (`1/2`, `0|1`, `1`, `./.`, `0/1/2`) as (alleles, separators),
    alleles as ints or None (missing)."""
    parts = _GT_SPLIT.split(gt)
    return tuple(None if p == "." else int(p) for p in parts[::2]), parts[1::2]


def format_gt(alleles: tuple, separators: list[str]) -> str:
    texts = ["." if a is None else str(a) for a in alleles]
    return texts[0] + "".join(sep + text for sep, text in zip(separators, texts[1:],
                                                               strict=True))


def subset(value: str, number: str, index: int, n_alleles: int,
           ploidy: int | None = None) -> str | None:
    """A Number=A/R/G value (as written: comma-separated) restricted to REF and ALT `index`;
    None when its length does not fit the record's alleles (and, for Number=G, the call's
    ploidy when known). Other Numbers and missing values are returned as they are."""
    if number not in ("A", "R", "G") or value == ".":
        return value
    items = value.split(",")
    if number == "A":
        return items[index - 1] if len(items) == n_alleles - 1 else None
    if number == "R":
        return f"{items[0]},{items[index]}" if len(items) == n_alleles else None
    haploid, diploid = n_alleles, n_alleles * (n_alleles + 1) // 2
    if len(items) == haploid and ploidy in (None, 1):  # one value per allele
        return f"{items[0]},{items[index]}"
    if len(items) == diploid and ploidy in (None, 2):
        # VCF 4.3 section 1.6.2: genotype j/k (j <= k) is at k(k+1)/2 + j
        het, hom = index * (index + 1) // 2, index * (index + 1) // 2 + index
        return f"{items[0]},{items[het]},{items[hom]}"
    return None


def normalise(in_path: str | Path, out_path: str | Path, *, pass_only: bool = True,
              fasta_path: str | Path | None = None) -> NormaliseStats:
    """Split, trim and left-align the records of a VCF; write bgzipped + index."""
    stats = NormaliseStats(left_aligned_with=str(fasta_path) if fasta_path else None)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open_vcf(in_path) as vcf:
        header = str(vcf.header).splitlines()  # as read: htslib adds to it while reading
        gaps = HeaderGaps.of(vcf.header)
        samples = list(vcf.header.samples)
        kept = []
        for record in records(vcf, in_path):
            stats.records_in += 1
            columns = record_columns(record)
            gaps.see(columns)
            kept.append(columns)
    fasta = _open_fasta(fasta_path) if fasta_path else None
    try:
        splitter = _Splitter(gaps, samples, stats, fasta, pass_only)
        made = [split for columns in kept for split in splitter.record(columns)]
    finally:
        if fasta is not None:
            fasta.close()
    if stats.ref_mismatches:
        raise VcfError(
            f"{stats.ref_mismatches} of {stats.records_in} records have a REF that differs "
            f"from the reference FASTA {fasta_path}, e.g. "
            + "; ".join(stats.ref_mismatch_examples),
            path=in_path,
            hint="the VCF and the FASTA must be the same reference and build: check "
                 "genome_build and annotation.reference_fasta")
    stats.header_completed = gaps.notes()
    contigs = list(gaps.declared["contig"]) + [n for k, n in gaps.first_use if k == "contig"]
    rank = {name: i for i, name in enumerate(contigs)}
    made.sort(key=lambda c: (rank[c[0]], int(c[1]), c[3], c[4]))
    with scratch_dir(out_path) as tmp:
        plain = Path(tmp) / "normalised.vcf"
        with plain.open("w", encoding="utf-8") as out:
            out.write(_output_header(header, gaps, pass_only, fasta_path))
            for columns in made:
                out.write("\t".join(columns) + "\n")
        stats.records_out = len(made)
        write_indexed(plain, out_path, max((int(c[1]) for c in made), default=0))
    return stats


def _output_header(lines: list[str], gaps: HeaderGaps, pass_only: bool, fasta_path) -> str:
    """The input header as read, completed, with provenance and the origin key."""
    head = lines[:-1] + gaps.lines()
    head.append(f"##cmmvar_normalise=<Version={__version__},PassOnly={pass_only},"
                f"Reference=\"{fasta_path or 'none'}\">")
    if ORIGIN_KEY not in gaps.declared["INFO"]:
        head.append(f'##INFO=<ID={ORIGIN_KEY},Number=1,Type=String,Description="Input record '
                    f'before splitting and normalisation: CHROM:POS:REF:ALT1|ALT2...">')
    return "\n".join([*head, lines[-1]]) + "\n"


def _open_fasta(path) -> pysam.FastaFile:
    try:
        return pysam.FastaFile(str(path))
    except (OSError, ValueError) as exc:
        raise VcfError(f"cannot open the reference FASTA ({exc})", path=path,
                       hint="give an indexed FASTA (samtools faidx makes the .fai)") from None


@dataclass
class _Splitter:
    """Turns one record's columns into its normalised biallelic records' columns."""

    gaps: HeaderGaps
    samples: list[str]
    stats: NormaliseStats
    fasta: pysam.FastaFile | None
    pass_only: bool

    def record(self, columns: list[str]) -> list[list[str]]:
        stats = self.stats
        chrom, pos, ref, filters = columns[0], int(columns[1]), columns[3], columns[6]
        if self.pass_only and filters not in (".", "PASS"):
            stats.dropped_filter[filters] = stats.dropped_filter.get(filters, 0) + 1
            return []
        alts = [] if columns[4] == "." else columns[4].split(",")
        if len(alts) > 1:
            stats.multiallelic_split += 1
        base_at = _reference(chrom, pos, ref, self.fasta, stats)
        origin = f"{chrom}:{pos}:{ref}:{'|'.join(alts) or '.'}"
        where = f"{chrom}:{pos}"
        made = []
        for index, alt in enumerate(alts, start=1):
            reason = _unanalysable(ref, alt)
            if reason:
                stats.count(stats.dropped_alleles, stats.dropped_allele_examples, reason,
                            f"{where} {ref}>{alt}")
                continue
            new_pos, new_ref, new_alt = normalise_alleles(pos, ref, alt, base_at)
            if new_pos < pos:
                stats.realigned += 1
            elif (new_ref, new_alt) != (ref.upper(), alt.upper()):
                stats.trimmed += 1
            split = [chrom, str(new_pos), columns[2], new_ref, new_alt, columns[5], filters,
                     self._info(columns[7], index, len(alts) + 1, origin, where)]
            if len(columns) > 8:
                split.append(columns[8])
                split.extend(self._samples(columns, index, len(alts) + 1, where))
            made.append(split)
        return made

    def _info(self, text: str, index: int, n_alleles: int, origin: str, where: str) -> str:
        items = []
        for item in ([] if text == "." else text.split(";")):
            key, has_value, value = item.partition("=")
            if key == ORIGIN_KEY:
                continue  # a record normalised before: its origin is this record now
            if has_value:
                kept = subset(value, self.gaps.number("INFO", key), index, n_alleles)
                if kept is None:
                    self._missing(f"INFO/{key} length does not fit the alleles",
                                  f"{where} INFO/{key}={value}")
                    continue
                item = f"{key}={kept}"
            items.append(item)
        items.append(f"{ORIGIN_KEY}={origin}")
        return ";".join(items)

    def _samples(self, columns: list[str], index: int, n_alleles: int,
                 where: str) -> list[str]:
        keys = columns[8].split(":")
        numbers = [self.gaps.number("FORMAT", key) for key in keys]
        gt_at = keys.index("GT") if "GT" in keys else None
        out = []
        for sample, text in zip(self.samples, columns[9:], strict=True):
            values = text.split(":")
            ploidy = None
            if gt_at is not None and gt_at < len(values):
                alleles, separators = parse_gt(values[gt_at])
                if any(a is not None and a >= n_alleles for a in alleles):
                    self._missing("GT allele beyond the ALT alleles: genotype set to missing",
                                  f"{where} sample {sample} GT={values[gt_at]}")
                    alleles = (None,) * len(alleles)
                ploidy = len(alleles)
                values[gt_at] = format_gt(recode_gt(alleles, index), separators)
            for i, key in enumerate(keys[:len(values)]):
                if i == gt_at:
                    continue
                kept = subset(values[i], numbers[i], index, n_alleles, ploidy)
                if kept is None:
                    self._missing(f"FORMAT/{key} length does not fit the alleles",
                                  f"{where} sample {sample} {key}={values[i]}")
                    kept = "."
                values[i] = kept
            out.append(":".join(values))
        return out

    def _missing(self, reason: str, example: str) -> None:
        self.stats.count(self.stats.values_missing, self.stats.values_missing_examples,
                         reason, example)


def _unanalysable(ref: str, alt: str) -> str | None:
    if alt == "*":
        return "spanning deletion (*) allele"
    if alt.startswith("<") or "[" in alt or "]" in alt or alt == ".":
        return "symbolic or structural allele (not analysed)"
    if not set(alt.upper()) <= set("ACGTN"):
        return "allele with characters other than ACGTN"
    if alt.upper() == ref.upper():
        return "ALT equal to REF"
    return None


def _reference(chrom: str, pos: int, ref: str, fasta,
               stats: NormaliseStats) -> Callable[[int], str] | None:
    """A 1-based base lookup on the record's contig, after checking REF against it."""
    if fasta is None:
        return None
    contig = resolve(chrom, fasta.references)
    if contig is None:
        raise VcfError(f"contig {chrom} is not in the reference FASTA",
                       path=fasta.filename.decode(), record=f"{chrom}:{pos}",
                       hint="use a FASTA that covers the panel regions on the configured build")
    ref_seq = fasta.fetch(contig, pos - 1, pos - 1 + len(ref)).upper()
    if ref_seq != ref.upper():
        stats.ref_mismatches += 1
        if len(stats.ref_mismatch_examples) < EXAMPLES:
            stats.ref_mismatch_examples.append(
                f"{chrom}:{pos} REF {ref} vs FASTA {ref_seq or '(none)'}")
        return None  # never realign against a reference that disagrees with the call
    cache: dict[int, str] = {}

    def base_at(at: int) -> str:
        if at not in cache:
            start = max(0, at - 1 - 100)
            chunk = fasta.fetch(contig, start, at).upper()
            for offset, base in enumerate(chunk):
                cache[start + 1 + offset] = base
        return cache[at]

    return base_at
