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

Records stream through in memory bounded by a window of positions (windowsort); one that
left-alignment moves further left than the window (a long repeat) is still left-aligned, as
bcftools norm does, counted, and put in order by merging sorted runs. A biallelic record's
sample columns are copied as text when every value fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pysam

from cmmvar import __version__
from cmmvar.atomic import scratch_dir
from cmmvar.errors import VcfError
from cmmvar.io.genome import Reference
from cmmvar.io.sample_columns import SampleColumns, subset
from cmmvar.io.vcf import HeaderGaps, index_into_place, open_vcf
from cmmvar.io.vcf_records import records
from cmmvar.io.windowsort import WindowSort

ORIGIN_KEY = "CMMVAR_ORIGIN"
EXAMPLES = 5  # examples kept in each list of the stats
WINDOW = 1000  # bp a record moves left within the sorting window: bcftools norm's --site-win


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
    moved_beyond_window: int = 0  # alleles left-aligned further than WINDOW: sorted by merging
    moved_beyond_window_examples: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def count(self, counts: dict, examples: list, reason: str, example: str,
              times: int = 1) -> None:
        counts[reason] = counts.get(reason, 0) + times
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


def normalise(in_path: str | Path, out_path: str | Path, *, pass_only: bool = True,
              fasta_path: str | Path | None = None) -> NormaliseStats:
    """Split, trim and left-align the records of a VCF; write bgzipped + index."""
    out_path = Path(out_path)
    fasta = Reference(fasta_path) if fasta_path else None
    try:
        with scratch_dir(out_path) as tmp:
            gaps, attempt = None, 0
            while True:
                stats = NormaliseStats(left_aligned_with=str(fasta_path) if fasta_path else None)
                attempt += 1
                with open_vcf(in_path) as vcf:
                    header = str(vcf.header).splitlines()  # as read: htslib adds to it
                    gaps = gaps or HeaderGaps.of(vcf.header)
                    splitter = _Splitter(gaps, list(vcf.header.samples), stats, fasta, pass_only,
                                         _integer_formats(vcf.header))
                    run_dir = Path(tmp) / f"pass{attempt}"
                    run_dir.mkdir()
                    sorter, max_pos = _stream(vcf, in_path, splitter, run_dir)
                _check_reference(stats, in_path, fasta_path)
                if splitter.numbers_held():
                    break
                # A key the header does not declare was split with the Number its values
                # fitted so far, and a later record settled another (VCF reserved key with a
                # value not of its type, a flag given a value): split again with what all
                # records say, as the completed header declares it.
            stats.header_completed = gaps.notes()
            compressed = Path(tmp) / "normalised.vcf.gz"
            # compression level 1: a work file read once by the next stages; level 6 took six
            # times as long for a 10% smaller file
            with pysam.BGZFile(str(compressed), "wb1") as out:
                out.write(_output_header(header, gaps, pass_only, fasta_path).encode("utf-8"))
                sorter.write_to(out)
            index_into_place(compressed, out_path, max_pos)
    finally:
        if fasta is not None:
            fasta.close()
    return stats


def _stream(vcf: pysam.VariantFile, in_path, splitter: _Splitter,
            run_dir: Path) -> tuple[WindowSort, int]:
    """Every record split and placed into a sorter, in order of contig (declared, then first
    used), position, REF, ALT; the last position written."""
    gaps = splitter.gaps
    rank = {name: i for i, name in enumerate(gaps.declared["contig"])}

    def key_of(line: str) -> tuple:
        chrom, pos, _, ref, alt, _ = line.split("\t", 5)
        return rank[chrom], int(pos), ref, alt

    sorter, max_pos = WindowSort(WINDOW, run_dir, key_of), 0
    for record in records(vcf, in_path):
        splitter.stats.records_in += 1
        # the sample columns stay one string unless a value is read or changed
        fields = str(record).rstrip("\n").split("\t", 9)
        if len(fields) > 9 and any(key not in gaps.declared["FORMAT"]
                                   for key in fields[8].split(":")):
            gaps.see(fields[:9] + fields[9].split("\t"))  # undeclared values' types
        else:
            gaps.see(fields[:9])
        at = rank.setdefault(fields[0], len(rank))
        for pos, ref, alt, line in splitter.record(fields):
            sorter.push(line, (at, pos, ref, alt), at, int(fields[1]))
            splitter.stats.records_out += 1
            max_pos = max(max_pos, pos)
    return sorter, max_pos


def _check_reference(stats: NormaliseStats, in_path, fasta_path) -> None:
    if stats.ref_mismatches:
        raise VcfError(
            f"{stats.ref_mismatches} of {stats.records_in} records have a REF that differs "
            f"from the reference FASTA {fasta_path}, e.g. "
            + "; ".join(stats.ref_mismatch_examples),
            path=in_path,
            hint="the VCF and the FASTA must be the same reference and build: check "
                 "genome_build and annotation.reference_fasta")


def _integer_formats(header: pysam.VariantHeader) -> frozenset[str]:
    return frozenset(key for key, meta in header.formats.items() if meta.type == "Integer")


def _output_header(lines: list[str], gaps: HeaderGaps, pass_only: bool, fasta_path) -> str:
    """The input header as read, completed, with provenance and the origin key."""
    head = lines[:-1] + gaps.lines()
    head.append(f"##cmmvar_normalise=<Version={__version__},PassOnly={pass_only},"
                f"Reference=\"{fasta_path or 'none'}\">")
    if ORIGIN_KEY not in gaps.declared["INFO"]:
        head.append(f'##INFO=<ID={ORIGIN_KEY},Number=1,Type=String,Description="Input record '
                    f'before splitting and normalisation: CHROM:POS:REF:ALT1|ALT2...">')
    return "\n".join([*head, lines[-1]]) + "\n"


class _Splitter:
    """Turns one record's columns into its normalised biallelic records' lines."""

    def __init__(self, gaps: HeaderGaps, samples: list[str], stats: NormaliseStats,
                 fasta: Reference | None, pass_only: bool, integer_formats: frozenset):
        self.gaps, self.stats, self.fasta, self.pass_only = gaps, stats, fasta, pass_only
        self.assumed: dict[tuple[str, str], set[str]] = {}  # undeclared key -> Numbers used
        self.columns = SampleColumns(samples, lambda key: self.number("FORMAT", key),
                                     integer_formats, self._missing)

    def number(self, kind: str, key: str) -> str:
        number = self.gaps.number(kind, key)
        if key not in self.gaps.declared[kind]:
            self.assumed.setdefault((kind, key), set()).add(number)
        return number

    def numbers_held(self) -> bool:
        """Whether every undeclared key was split with the Number the header declares."""
        return all(used == {self.gaps.number(*key)} for key, used in self.assumed.items())

    def record(self, fields: list[str]) -> list[tuple[int, str, str, str]]:
        """(POS, REF, ALT, line) of each record made from the columns of one: the first nine
        split, the sample columns as one string."""
        stats = self.stats
        chrom, pos, ref, filters = fields[0], int(fields[1]), fields[3], fields[6]
        if self.pass_only and filters not in (".", "PASS"):
            stats.dropped_filter[filters] = stats.dropped_filter.get(filters, 0) + 1
            return []
        alts = [] if fields[4] == "." else fields[4].split(",")
        if len(alts) > 1:
            stats.multiallelic_split += 1
        base_at = _reference(chrom, pos, ref, self.fasta, stats)
        origin = f"{chrom}:{pos}:{ref}:{'|'.join(alts) or '.'}"
        where = f"{chrom}:{pos}"
        placed = []
        for index, alt in enumerate(alts, start=1):
            reason = _unanalysable(ref, alt)
            if reason:
                stats.count(stats.dropped_alleles, stats.dropped_allele_examples, reason,
                            f"{where} {ref}>{alt}")
                continue
            placed.append((index, self._place(pos, ref, alt, base_at, where)))
        n_alleles = len(alts) + 1
        # INFO before the samples: the stats list what does not fit in the order met
        heads = [[chrom, str(new_pos), fields[2], new_ref, new_alt, fields[5], filters,
                  self._info(fields[7], index, n_alleles, origin, where)]
                 for index, (new_pos, new_ref, new_alt) in placed]
        if len(fields) > 8 and placed:
            tails = self.columns.split(fields, [index for index, _ in placed], n_alleles,
                                       where)
            heads = [[*head, tail] for head, tail in zip(heads, tails, strict=True)]
        return [(new_pos, new_ref, new_alt, "\t".join(head) + "\n")
                for (_, (new_pos, new_ref, new_alt)), head in zip(placed, heads, strict=True)]

    def _place(self, pos: int, ref: str, alt: str, base_at, where: str) -> tuple[int, str, str]:
        stats = self.stats
        placed = normalise_alleles(pos, ref, alt, base_at)
        if pos - placed[0] > WINDOW:
            stats.moved_beyond_window += 1
            if len(stats.moved_beyond_window_examples) < EXAMPLES:
                stats.moved_beyond_window_examples.append(
                    f"{where} {ref}>{alt} to {placed[0]}")
        if placed[0] < pos:
            stats.realigned += 1
        elif placed[1:] != (ref.upper(), alt.upper()):
            stats.trimmed += 1
        return placed

    def _info(self, text: str, index: int, n_alleles: int, origin: str, where: str) -> str:
        items = []
        for item in ([] if text == "." else text.split(";")):
            key, has_value, value = item.partition("=")
            if key == ORIGIN_KEY:
                continue  # a record normalised before: its origin is this record now
            if has_value:
                kept = subset(value, self.number("INFO", key), index, n_alleles)
                if kept is None:
                    self._missing(f"INFO/{key} length does not fit the alleles",
                                  f"{where} INFO/{key}={value}")
                    continue
                item = f"{key}={kept}"
            items.append(item)
        items.append(f"{ORIGIN_KEY}={origin}")
        return ";".join(items)

    def _missing(self, reason: str, example: str, times: int = 1) -> None:
        self.stats.count(self.stats.values_missing, self.stats.values_missing_examples,
                         reason, example, times)


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


def _reference(chrom: str, pos: int, ref: str, fasta: Reference | None,
               stats: NormaliseStats) -> Callable[[int], str] | None:
    """A 1-based base lookup on the record's contig, after checking REF against it."""
    if fasta is None:
        return None
    contig = fasta.require(chrom, f"{chrom}:{pos}")
    ref_seq = fasta.seq(contig, pos, pos + len(ref) - 1)
    if ref_seq != ref.upper():
        stats.ref_mismatches += 1
        if len(stats.ref_mismatch_examples) < EXAMPLES:
            stats.ref_mismatch_examples.append(
                f"{chrom}:{pos} REF {ref} vs FASTA {ref_seq or '(none)'}")
        return None  # never realign against a reference that disagrees with the call
    return fasta.base_at(contig)
