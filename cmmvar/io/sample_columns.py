"""The sample columns (FORMAT and after) of a record split into biallelic records, rewritten
for each: GT recoded, Number=A/R/G values restricted to REF and that ALT.

A biallelic record's columns are copied as text when nothing in them would change (every GT
haploid or diploid of alleles 0, 1 or missing, every A/R/G value of the length its alleles
and ploidy call for), which is checked on the whole string at once: the rewriting, one
sample at a time, is for records split in several and those with a value that does not fit.
Knows the text of genotype columns; knows nothing of positions, bases or headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

_GT_SPLIT = re.compile(r"([/|])")
SIZED = ("A", "R", "G")
MAX_SHAPES = 4096  # shapes remembered per FORMAT, with whether they fit
# What gives a sample's values their shape: the separators and the dot ('0/1:3,4:.' has the
# shape '/:,:.'); every other byte is dropped.
_NOT_SHAPE = bytes(c for c in range(256) if c not in b"\t:,./|")


def _table(chars: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    return table


_ALLELE, _GT_SEPARATOR, _VALUE_END = _table(b"01."), _table(b"/|"), _table(b":\t")


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




class SampleColumns:
    """Rewrites the columns from FORMAT on of the records a record is split into."""

    def __init__(self, samples: list[str], number: Callable[[str], str],
                 integer_keys: frozenset[str], missing: Callable[[str, str, int], None]):
        self.samples = samples
        self.number = number  # FORMAT key -> Number
        self.integer_keys = integer_keys  # FORMAT keys of Type=Integer: '.' is only missing
        self.missing = missing  # (reason, example, times): a value set missing
        self._shapes: dict[tuple, dict[bytes, bool]] = {}  # -> shape -> fits

    def split(self, fields: list[str], analysed: list[int], n_alleles: int,
              where: str) -> list[str]:
        """The columns from FORMAT on, tab-joined, for each analysed ALT (1-based) of a
        record with `n_alleles` alleles: `fields` are its first nine columns, then the sample
        columns as one string."""
        if len(fields) < 10:
            return [fields[8]] * len(analysed)
        keys = fields[8].split(":")
        numbers = tuple(self.number(key) for key in keys)
        if n_alleles == 2 and self._unchanged(keys, numbers, fields[9]):
            return [f"{fields[8]}\t{fields[9]}"]
        return [f"{fields[8]}\t{text}" for text in
                self._rewrite(keys, numbers, fields[9], analysed, n_alleles, where)]

    def _unchanged(self, keys: list[str], numbers: tuple, text: str) -> bool:
        """Whether the split of a biallelic record leaves every sample's values as they are."""
        sized = [i for i, number in enumerate(numbers) if number in SIZED and keys[i] != "GT"]
        data = text.encode("utf-8")
        if "GT" in keys and (keys[0] != "GT" or not _gts_unchanged(data)):
            return False
        if not sized:
            return True
        known = self._shapes.setdefault((tuple(keys), numbers), {})
        if len(known) > MAX_SHAPES:
            known.clear()  # free text with dots in it makes new shapes: memory stays flat
        for shape in _shapes(data.translate(None, _NOT_SHAPE)):
            fits = known.get(shape)
            if fits is None:
                fits = known[shape] = self._shape_fits(shape, keys, numbers, sized)
            if not fits:
                return False
        return True

    def _shape_fits(self, shape: bytes, keys: list[str], numbers: tuple,
                    sized: list[int]) -> bool:
        """Whether the values of a sample of this shape fit two alleles (as `subset` reads
        them). A Number=R/G value shaped '.' is missing or one value with a dot in it: it
        fits only when its key holds integers."""
        values = shape.split(b":")
        ploidy = values[0].count(b"/") + values[0].count(b"|") + 1 if keys[0] == "GT" else None
        for i in sized:
            if i >= len(values):
                break
            items = values[i].count(b",") + 1
            if numbers[i] == "A":
                fits = items == 1
            elif values[i] == b".":
                fits = keys[i] in self.integer_keys
            elif numbers[i] == "R":
                fits = items == 2
            else:
                fits = (items == 2 and ploidy in (None, 1)) or (items == 3 and ploidy in (None, 2))
            if not fits:
                return False
        return True

    def _rewrite(self, keys: list[str], numbers: tuple, text: str, analysed: list[int],
                 n_alleles: int, where: str) -> list[str]:
        """One sample at a time; a value that does not fit is set missing and counted once
        per record made (whether it fits does not depend on the ALT)."""
        gt_at = keys.index("GT") if "GT" in keys else None
        sized = [(i, keys[i], numbers[i]) for i in range(len(keys))
                 if numbers[i] in SIZED and i != gt_at]
        times = len(analysed)
        genotypes: dict[str, tuple] = {}  # GT as written -> _recoded(...)
        templates: dict[tuple, list[str] | None] = {}  # (Number, values, ploidy) -> ...
        columns: list[list[str]] = [[] for _ in analysed]
        for sample, column in zip(self.samples, text.split("\t"), strict=True):
            values = column.split(":")
            ploidy, changed = None, []
            if gt_at is not None and gt_at < len(values):
                gt = values[gt_at]
                if gt not in genotypes:
                    genotypes[gt] = _recoded(gt, analysed, n_alleles)
                beyond, ploidy, recoded = genotypes[gt]
                if beyond:
                    self.missing("GT allele beyond the ALT alleles: genotype set to missing",
                                 f"{where} sample {sample} GT={gt}", times)
                changed.append((gt_at, recoded))
            for i, key, number in sized:
                if i >= len(values):
                    break
                if values[i] == ".":
                    continue
                items = values[i].split(",")
                shape = (number, len(items), ploidy)
                if shape not in templates:
                    templates[shape] = _templates(shape, analysed, n_alleles)
                if templates[shape] is None:
                    self.missing(f"FORMAT/{key} length does not fit the alleles",
                                 f"{where} sample {sample} {key}={values[i]}", times)
                    changed.append((i, ["."] * times))
                else:
                    changed.append((i, [t.format(*items) for t in templates[shape]]))
            for k, out in enumerate(columns):
                for i, new in changed:
                    values[i] = new[k]
                out.append(":".join(values))
        return ["\t".join(out) for out in columns]


def _templates(shape: tuple, analysed: list[int], n_alleles: int) -> list[str] | None:
    """For a Number=A/R/G value of `length` items in a call of `ploidy`, the format string
    ('{0},{2}') that `subset` makes of it for each analysed ALT; None when it does not fit."""
    number, length, ploidy = shape
    fields = ",".join(f"{{{j}}}" for j in range(length))
    made = [subset(fields, number, index, n_alleles, ploidy) for index in analysed]
    return None if made[0] is None else made


def _recoded(gt: str, analysed: list[int], n_alleles: int) -> tuple[bool, int, list[str]]:
    """(an allele beyond the ALT alleles, ploidy, the GT of each analysed ALT's record): a GT
    naming an allele the record does not have is missing, never a non-carrier."""
    alleles, separators = parse_gt(gt)
    beyond = any(a is not None and a >= n_alleles for a in alleles)
    if beyond:
        alleles = (None,) * len(alleles)
    return beyond, len(alleles), [format_gt(recode_gt(alleles, index), separators)
                                  for index in analysed]


def _shapes(shapes: bytes) -> set[bytes]:
    """The distinct sample shapes of tab-separated shapes. Most samples share the first one:
    with each shape between its own two tabs, removing that one in a single pass leaves the
    others, and a set of 4,000 shapes is never built."""
    first = shapes.split(b"\t", 1)[0]
    if not first:  # an empty shape: '\t\t' would also match between two samples
        return set(shapes.split(b"\t"))
    enclosed = b"\t" + shapes.replace(b"\t", b"\t\t") + b"\t"
    return {first, *enclosed.replace(b"\t" + first + b"\t", b"").split(b"\t")[1::2]}


def _gts_unchanged(data: bytes) -> bool:
    """Whether every sample's first value (its GT) is haploid or diploid with alleles 0, 1 or
    missing: a biallelic record's GTs, which its split leaves as they are."""
    text = np.frombuffer(b"\t" + data + b"\t" * 4, dtype=np.uint8)
    starts = np.flatnonzero(text[:-4] == ord("\t")) + 1
    first, second, third, fourth = (text[starts + k] for k in range(4))
    haploid = _ALLELE[first] & _VALUE_END[second]
    diploid = _ALLELE[first] & _GT_SEPARATOR[second] & _ALLELE[third] & _VALUE_END[fourth]
    return bool((haploid | diploid).all())
