"""Genotype calls of a family's members at normalised biallelic records, with quality and
ploidy checks. Knows calls and their quality; nothing about likelihoods or reports.

A male has one copy of X outside the pseudo-autosomal regions (PARs); everyone else, and
every male elsewhere, has two. The PED sex decides, never the call's ploidy. There a male's
haploid call (0, 1) or diploid homozygous call (0/0, 1/1) is hemizygous. MISSING (counted as
missing, summed over in likelihoods, never taken as a non-carrier): a call failing min_gq or
min_dp, a no-call, a half call (./1), a heterozygous call in a male's hemizygous X, a haploid
call where two alleles are expected, and a call of more than two alleles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cmmvar.errors import VcfError
from cmmvar.io.genome import bare
from cmmvar.io.pedigree import Family, Sex
from cmmvar.io.vcf import open_vcf
from cmmvar.io.vcf_records import records
from cmmvar.prepare.normalise import ORIGIN_KEY

# Pseudo-autosomal regions of X, 1-based closed (GRC assembly reports).
PAR = {
    "GRCh38": ((10001, 2781479), (155701383, 156030895)),
    "GRCh37": ((60001, 2699520), (154931044, 155260560)),
}

CALLED = "called"
STATUSES = (CALLED, "no_call", "partial_call", "low_gq", "low_dp", "male_het_x",
            "haploid_unexpected", "polyploid", "not_sequenced")
# Plain words for the QC notes on calls read as missing for their ploidy, which a user may
# not expect from a VCF that other tools read without complaint.
PLOIDY_NOTES = {
    "male_het_x": "heterozygous call{s} on X outside the pseudo-autosomal regions in a male, "
                  "who has one X there",
    "haploid_unexpected": "haploid call{s} (one allele) where two alleles are expected "
                          "(a female, a member of unknown sex, an autosome or a "
                          "pseudo-autosomal region); sex is never inferred from ploidy, so "
                          "check the PED sex or the caller's ploidy settings",
    "polyploid": "call{s} of more than two alleles (e.g. 0/1/1), which the models do not "
                 "describe",
}


@dataclass(frozen=True)
class Variant:
    chrom: str
    pos: int
    ref: str
    alt: str
    origin: str = ""  # the input record before splitting/normalisation

    @property
    def key(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}:{self.alt}"


@dataclass(frozen=True)
class Genotype:
    """One person's call. `copies` is the number of ALT alleles, None when missing;
    `hemizygous`: the person has one copy of the locus (a male on X outside the PARs),
    whether or not the call is missing."""

    copies: int | None
    status: str
    gt: str = ""
    gq: int | None = None
    dp: int | None = None
    ad: tuple | None = None
    hemizygous: bool = False

    @property
    def missing(self) -> bool:
        return self.copies is None

    @property
    def carrier(self) -> bool:
        return bool(self.copies)

    @property
    def homozygous(self) -> bool:
        return self.copies == 2 and not self.hemizygous

    @property
    def label(self) -> str:
        """+/-, +/+, -/-, + or - for hemizygous calls, ? when missing."""
        if self.copies is None:
            return "?"
        if self.hemizygous:
            return "+" if self.copies else "-"
        return {0: "-/-", 1: "+/-", 2: "+/+"}[self.copies]


NOT_SEQUENCED = Genotype(None, "not_sequenced")


@dataclass(frozen=True)
class Thresholds:
    min_gq: int = 20
    min_dp: int = 8


def in_hemizygous_x(chrom: str, pos: int, build: str) -> bool:
    return bare(chrom) == "X" and not any(lo <= pos <= hi for lo, hi in PAR[build])


def call(sample, thresholds: Thresholds, hemizygous: bool) -> Genotype:
    """Classify one pysam sample of a biallelic record; `hemizygous` when the person has one
    copy of the locus (a male on X outside the PARs)."""
    alleles = tuple(sample.get("GT") or ())
    gt = _gt_text(alleles, sample.phased)
    gq = _scalar(sample, "GQ")
    ad = _vector(sample, "AD")
    dp = _scalar(sample, "DP")
    if dp is None and ad is not None and all(v is not None for v in ad):
        dp = sum(ad)

    def missing(status: str) -> Genotype:
        return Genotype(None, status, gt, gq, dp, ad, hemizygous)

    if not alleles or all(a is None for a in alleles):
        return missing("no_call")
    if len(alleles) > 2:
        return missing("polyploid")
    if any(a is None for a in alleles):
        return missing("partial_call")
    if len(alleles) == 1 and not hemizygous:
        return missing("haploid_unexpected")
    if gq is not None and gq < thresholds.min_gq:
        return missing("low_gq")
    if dp is not None and dp < thresholds.min_dp:
        return missing("low_dp")
    copies = sum(1 for a in alleles if a > 0)
    if hemizygous:
        if len(set(alleles)) > 1:
            return missing("male_het_x")
        copies = 1 if copies else 0  # 1/1 written diploid is still one X
    return Genotype(copies, CALLED, gt, gq, dp, ad, hemizygous)


def genotype_qc_notes(genotype_qc: Mapping[str, Mapping[str, int]]) -> list[str]:
    """One plain-words note per sample and ploidy status with calls read as missing, from
    per-sample status counts ({sample: {status: n}})."""
    notes = []
    for sample, counts in genotype_qc.items():
        for status, text in PLOIDY_NOTES.items():
            n = counts.get(status)
            if n:
                notes.append(f"{sample}: {n} {text.format(s='' if n == 1 else 's')}; "
                             f"read as missing")
    return notes


def family_genotypes(vcf_path: str | Path, family: Family, build: str,
                     thresholds: Thresholds, source: str | Path | None = None,
                     ) -> Iterator[tuple[Variant, dict[str, Genotype]]]:
    """Each biallelic record of a normalised VCF with the calls of every pedigree member
    (members absent from the VCF are `not_sequenced`). `source`, the VCF the user gave, is
    the file that errors about a value name (with the record as it was there)."""
    for variant, (calls,) in batch_genotypes(vcf_path, [family], build, thresholds, source):
        yield variant, calls


def batch_genotypes(vcf_path: str | Path, families: Sequence[Family], build: str,
                    thresholds: Thresholds, source: str | Path | None = None,
                    ) -> Iterator[tuple[Variant, list[dict[str, Genotype]]]]:
    """`family_genotypes` for several families of one VCF in a single pass: each record
    with one calls dict per family, in the order of `families`. htslib parses only the
    families' samples; nothing is kept from one record to the next but the call cache."""
    vcf = open_vcf(vcf_path)
    with vcf:
        in_vcf = set(vcf.header.samples)
        wanted = {ind.id for family in families for ind in family.individuals
                  if ind.id in in_vcf}
        if wanted:
            vcf.subset_samples(sorted(wanted))
        column = {sample: 9 + i for i, sample in enumerate(vcf.header.samples)}
        # (id, text column or None, is male) per member, per family
        members = [[(ind.id, column.get(ind.id), ind.sex is Sex.MALE)
                    for ind in family.individuals] for family in families]
        cache = _CallCache(thresholds)
        for record in records(vcf, vcf_path):
            if record.alts is None or len(record.alts) != 1:
                raise VcfError("record is not biallelic; normalise the VCF first",
                               path=vcf_path, record=f"{record.chrom}:{record.pos}")
            origin = record.info.get(ORIGIN_KEY, "") if ORIGIN_KEY in record.header.info else ""
            variant = Variant(record.chrom, record.pos, record.ref, record.alts[0], origin)
            hemi_region = in_hemizygous_x(record.chrom, record.pos, build)
            text = str(record).rstrip("\n").split("\t") if wanted else []
            per_family = []
            for family, people in zip(families, members, strict=True):
                calls = {}
                for pid, col, male in people:
                    # every male carries the locus's ploidy, sequenced or not, so that the
                    # segregation layer can tell an X-linked locus from an autosomal one
                    hemizygous = hemi_region and male
                    if col is None:
                        calls[pid] = replace(NOT_SEQUENCED, hemizygous=hemizygous)
                        continue
                    try:
                        calls[pid] = cache.call(record, text, col, pid, hemizygous)
                    except BadValue as exc:
                        error = VcfError(f"sample {pid}: {exc}", path=source or vcf_path,
                                         record=":".join(origin.split(":")[:2]) if origin
                                         else f"{record.chrom}:{record.pos}",
                                         hint="GQ, DP and AD must be numbers (declare them "
                                              "Type=Integer in the header) or '.'")
                        error.family = family.id  # the one family's log gets it
                        raise error from None
                per_family.append(calls)
            yield variant, per_family


class _CallCache:
    """Calls by the text of the sample's column: most columns of a cohort repeat
    (0/0:30,0:30:99), and pysam reads one sample's fields in ~50 us, too slow for
    thousands of samples. The text and the header decide the call, so a cached call is the
    one pysam would give; the cache is emptied when large, to keep memory flat."""

    LIMIT = 200_000

    def __init__(self, thresholds: Thresholds):
        self.thresholds = thresholds
        self.calls: dict[tuple[str, str, bool], Genotype] = {}

    def call(self, record, text: list[str], col: int, pid: str, hemizygous: bool) -> Genotype:
        key = (text[8], text[col], hemizygous)
        genotype = self.calls.get(key)
        if genotype is None:
            genotype = call(record.samples[pid], self.thresholds, hemizygous)
            if len(self.calls) >= self.LIMIT:
                self.calls.clear()
            self.calls[key] = genotype
        return genotype


def _gt_text(alleles: tuple, phased: bool) -> str:
    if not alleles:
        return "."
    sep = "|" if phased else "/"
    return sep.join("." if a is None else str(a) for a in alleles)


class BadValue(ValueError):
    """A GQ, DP or AD value that is not a number (a header declaring it as a String, say)."""

    def __init__(self, key: str, value):
        super().__init__(f"FORMAT/{key} is {value!r}, not a number")


def _number(key: str, value) -> int | None:
    """An integer from a value htslib read as int, float or (declared String) text."""
    if value is None or value == ".":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise BadValue(key, value) from None


def _scalar(sample, key: str) -> int | None:
    if key not in sample:
        return None
    value = sample[key]
    if isinstance(value, tuple):
        value = value[0] if value else None
    return _number(key, value)


def _vector(sample, key: str) -> tuple | None:
    if key not in sample:
        return None
    value = sample[key]
    if value is None:
        return None
    # htslib declares AD Number=R whatever the header says, so pysam gives a tuple, except
    # a single value under a header's Number=1 (an int, or a String field's text)
    values = value if isinstance(value, tuple) else (value,)
    return tuple(_number(key, v) for v in values)
