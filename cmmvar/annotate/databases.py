"""Local annotation resources: gnomAD sites and ClinVar VCFs, tabix-indexed, looked up by allele.

Both sides are compared in normal form: database records are split per ALT, and query and
database alleles are trimmed and, with a reference FASTA, left-aligned (as `bcftools norm -m
-any -f`), so a multiallelic or right-shifted database record still matches. Knows resource
files and their fields; nothing about families, genes or the filters applied to the values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pysam

from cmmvar.errors import BuildMismatchError, InputError, VcfError
from cmmvar.io.genome import Reference, check_build, resolve
from cmmvar.io.vcf import contig_lengths, open_vcf
from cmmvar.prepare.normalise import normalise_alleles

_MAX_SHIFT = 10_000  # bases an indel may slide right through a repeat; longer tracts are not met
_ALLELE = re.compile(r"^[ACGTN]+$")


@dataclass(frozen=True)
class GnomadRecord:
    af: float | None
    ac: int | None
    an: int | None
    af_grpmax: float | None  # v2: AF_popmax
    grpmax: str | None  # genetic ancestry group of af_grpmax; v2: popmax
    faf95_max: float | None  # v4: fafmax_faf95_max; v2: faf95_popmax, else faf95
    nhomalt: int | None
    filters: tuple[str, ...]  # FILTER of the gnomAD record; ("PASS",) when it passed
    fields_version: str  # "v4" or "v2": which field names the file uses


@dataclass(frozen=True)
class ClinvarRecord:
    significance: str  # CLNSIG in words, e.g. "Pathogenic/Likely pathogenic|risk factor"
    review_status: str  # CLNREVSTAT in words, e.g. "criteria provided, single submitter"
    stars: int | None  # ClinVar review stars; None for a review status not known here
    conditions: tuple[str, ...]  # CLNDN, one name per condition
    variation_id: str | None  # the ID column: ClinVar's VariationID
    gene: str | None  # GENEINFO symbols, "|"-separated as in ClinVar


# gnomAD sites VCF field names (gnomad_methods gnomad/utils/vcf.py; slivar #161).
_GNOMAD_FIELDS = {
    "v4": {"af": ("AF",), "ac": ("AC",), "an": ("AN",), "af_grpmax": ("AF_grpmax",),
           "grpmax": ("grpmax",), "faf95_max": ("fafmax_faf95_max",),
           "nhomalt": ("nhomalt",)},
    "v2": {"af": ("AF",), "ac": ("AC",), "an": ("AN",), "af_grpmax": ("AF_popmax",),
           "grpmax": ("popmax",), "faf95_max": ("faf95_popmax", "faf95"),
           "nhomalt": ("nhomalt",)},
}

# ClinVar review status -> stars (ClinVar "Review status in ClinVar" documentation).
_STARS = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_single_submitter": 1,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,
}

_BUILD_NAMES = {"GRCh37": ("grch37", "hg19"), "GRCh38": ("grch38", "hg38")}


def rightmost_position(pos: int, ref: str, alt: str, base_at: Callable[[int], str]) -> int:
    """The right-most position at which a left-aligned, anchored indel can be written.

    Sliding an indel right by one base is possible while the base after REF equals the
    first base of the inserted or deleted unit, which then rotates (Tan et al. 2015).
    """
    if len(ref) == len(alt) or min(len(ref), len(alt)) != 1 or ref[0] != alt[0]:
        return pos
    unit = (alt if len(alt) > 1 else ref)[1:]
    for _ in range(_MAX_SHIFT):
        if base_at(pos + len(ref)) != unit[0]:
            break
        unit, pos = unit[1:] + unit[0], pos + 1
    return pos


class _Resource:
    """A tabix-indexed resource VCF read by allele: shared opening, checks and matching."""

    provenance_keys: tuple[str, ...] = ("source",)

    def __init__(self, path: str | Path, build: str, fasta: str | Path | None = None):
        self.path = str(path)
        self.build = build
        self.notes: list[str] = []
        self._vcf = open_vcf(path)
        self._check_index()
        try:
            notes = check_build(contig_lengths(self._vcf), build, self.path)
            if self._check_reference_line() and notes:  # no contig lengths, but ##reference
                notes = [f"{self.path}: build {build} taken from the ##reference header line "
                         f"(no contig lengths to check)"]
            self.notes.extend(notes)
        except InputError:
            self._vcf.close()
            raise
        self._vcf.subset_samples([])
        self._contigs = list(self._vcf.index.keys())
        self.source = _provenance(self._vcf.header, self.path, self.provenance_keys)
        self._reference = Reference(fasta) if fasta else None
        self._noted: set[str] = set()
        # Comparisons (query or database allele) whose REF disagreed with the FASTA, so the
        # allele was trimmed but not left-aligned.
        self.ref_mismatches = 0

    def _check_index(self) -> None:
        if self._vcf.index is not None:
            return
        self._vcf.close()
        found = [p for p in (self.path + ".tbi", self.path + ".csi") if Path(p).exists()]
        if found:
            raise VcfError(f"the index {found[0]} is corrupt or unreadable", path=self.path,
                           hint=f"rebuild it with 'tabix -f -p vcf {self.path}'")
        raise VcfError("no tabix index (.tbi or .csi) next to the file", path=self.path,
                       hint=f"index it with 'tabix -p vcf {self.path}' (the file must be "
                            f"compressed with bgzip, not gzip)")

    def _check_reference_line(self) -> bool:
        """Whether a `##reference=` line names the configured build; naming the other one is
        an error (ClinVar has no contig lengths to check, but says GRCh37 or GRCh38 there)."""
        other = "GRCh37" if self.build == "GRCh38" else "GRCh38"
        for record in self._vcf.header.records:
            if record.type == "GENERIC" and record.key == "reference":
                value = record.value.lower()
                if any(n in value for n in _BUILD_NAMES[self.build]):
                    return True
                if any(n in value for n in _BUILD_NAMES[other]):
                    raise BuildMismatchError(
                        f"the header says ##reference={record.value}, not the configured "
                        f"{self.build}", path=self.path,
                        hint=f"use the {self.build} release of this resource, or set "
                             f"genome_build: {other}")
        return False

    def covers(self, chrom: str) -> bool:
        """Whether the file has records on this chromosome: where it has none, a lookup's
        None means 'not looked up', not 'absent from the resource'."""
        return resolve(chrom, self._contigs) is not None

    def close(self) -> None:
        self._vcf.close()
        if self._reference is not None:
            self._reference.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _normalised(self, base_at, pos, ref, alt) -> tuple[int, str, str]:
        if base_at is not None and "".join(base_at(p) for p in range(pos, pos + len(ref))) \
                != ref.upper():
            self.ref_mismatches += 1  # never realign against a reference that disagrees
            base_at = None
        return normalise_alleles(pos, ref, alt, base_at)

    def _matches(self, chrom: str, pos: int, ref: str,
                 alt: str) -> Iterator[tuple[pysam.VariantRecord, int]]:
        """(record, ALT index) of every database allele equal to the query in normal form."""
        alt = alt.upper()
        if not _ALLELE.match(alt) or not _ALLELE.match(ref.upper()):
            return
        contig = resolve(chrom, self._contigs)
        if contig is None:
            if chrom not in self._noted:
                self._noted.add(chrom)
                self.notes.append(f"{self.path}: no records on {chrom}; its variants were "
                                  f"not looked up")
            return
        base_at = None
        if self._reference is not None:
            fasta_contig = self._reference.contig(chrom)
            if fasta_contig is None:
                if f"fasta:{chrom}" not in self._noted:
                    self._noted.add(f"fasta:{chrom}")
                    self.notes.append(f"{self._reference.path} has no {chrom}: alleles there "
                                      f"were trimmed but not left-aligned before lookup")
            else:
                base_at = self._reference.base_at(fasta_contig)
        key = self._normalised(base_at, pos, ref, alt)
        last = key[0] + len(key[1]) - 1
        if base_at is not None:
            last = rightmost_position(*key, base_at) + len(key[1]) - 1
        for record in self._fetch(contig, key[0], last):
            for index, db_alt in enumerate(record.alts or (), start=1):
                if not _ALLELE.match(db_alt.upper()):
                    continue
                if self._normalised(base_at, record.pos, record.ref, db_alt) == key:
                    yield record, index

    def _fetch(self, contig: str, start: int, end: int) -> Iterator[pysam.VariantRecord]:
        """Records overlapping a 1-based closed region, with read failures named."""
        try:
            yield from self._vcf.fetch(contig, start - 1, end)
        except (OSError, ValueError) as exc:
            raise VcfError(f"cannot read {contig}:{start}-{end} ({exc})", path=self.path,
                           hint=f"the index may be stale or corrupt: rebuild it with "
                                f"'tabix -f -p vcf {self.path}'") from None


class Gnomad(_Resource):
    """A gnomAD sites VCF (v4 exomes/genomes/joint on GRCh38, or v2.1.1 on GRCh37)."""

    provenance_keys = ("source", "reference")

    def __init__(self, path: str | Path, build: str, fasta: str | Path | None = None):
        super().__init__(path, build, fasta)
        declared = set(self._vcf.header.info.keys())
        # The joint v4 file names every field with a `_joint` suffix and has no bare AF.
        self._suffix = "_joint" if "AF_joint" in declared and "AF" not in declared else ""
        v4_names = {"AF_grpmax", "grpmax", "fafmax_faf95_max"}
        if {name + self._suffix for name in v4_names} & declared:
            self.fields_version = "v4"
        elif {"AF_popmax", "popmax"} & declared:
            self.fields_version = "v2"
        else:
            self.close()
            raise VcfError("neither gnomAD v4 (AF_grpmax, grpmax, fafmax_faf95_max) nor v2 "
                           "(AF_popmax, popmax) fields in the header", path=self.path,
                           hint="give a gnomAD sites VCF, or a slice of one that keeps its "
                                "INFO header lines")
        self._fields = {
            name: next((c + self._suffix for c in candidates
                        if c + self._suffix in declared), None)
            for name, candidates in _GNOMAD_FIELDS[self.fields_version].items()}

    def lookup(self, chrom: str, pos: int, ref: str, alt: str) -> GnomadRecord | None:
        """The gnomAD record of this allele; None when gnomAD does not have it (which is not
        an allele frequency of 0) or when the file has no records on `chrom` (see covers)."""
        for record, index in self._matches(chrom, pos, ref, alt):
            values = {name: _allele_value(record, key, index) if key else None
                      for name, key in self._fields.items()}
            return GnomadRecord(filters=tuple(record.filter.keys()),
                                fields_version=self.fields_version, **values)
        return None


class Clinvar(_Resource):
    """A ClinVar VCF (GRCh37 or GRCh38 release). ONC*/SCI* somatic fields are not read."""

    provenance_keys = ("source", "fileDate")

    def lookup(self, chrom: str, pos: int, ref: str, alt: str) -> ClinvarRecord | None:
        """The ClinVar germline classification of this allele, or None."""
        for record, _ in self._matches(chrom, pos, ref, alt):
            status = _joined(record, "CLNREVSTAT").replace(" ", "_")
            return ClinvarRecord(
                significance=_words_by_bar(_joined(record, "CLNSIG")),
                review_status=_words(status),
                stars=review_stars(status),
                conditions=tuple(c for c in _words_by_bar(_joined(record, "CLNDN")).split("|")
                                 if c),
                variation_id=record.id,
                gene="|".join(g.split(":")[0] for g in _joined(record, "GENEINFO").split("|")
                              if g) or None)
        return None


def review_stars(status: str) -> int | None:
    """Stars of a CLNREVSTAT value as written in the VCF (`criteria_provided,_...`)."""
    if status in _STARS:
        return _STARS[status]
    if status.startswith("no_"):  # no_assertion_*, no_classification(s)_*, no_interpretation_*
        return 0
    return None


def _allele_value(record: pysam.VariantRecord, key: str, index: int):
    """An INFO value for ALT `index` (1-based): Number=A fields hold one value per ALT."""
    if key not in record.info:
        return None
    value = record.info[key]
    if isinstance(value, tuple):
        value = value[index - 1] if len(value) == len(record.alts) else None
    if isinstance(value, float):
        # htslib keeps VCF floats as float32: 7 significant digits give back the decimal
        # written in the file (0.003, not 0.003000000026).
        value = float(f"{value:.7g}")
    return value


def _joined(record: pysam.VariantRecord, key: str) -> str:
    """A Number=. string field as written: pysam splits it on the commas ClinVar keeps."""
    if key not in record.info:
        return ""
    value = record.info[key]
    return ",".join(value) if isinstance(value, tuple) else str(value)


def _words(text: str) -> str:
    return text.replace("_", " ").strip()


def _words_by_bar(text: str) -> str:
    """`Pathogenic|_risk_factor` -> `Pathogenic|risk factor`."""
    return "|".join(_words(part) for part in text.split("|"))


def _provenance(header: pysam.VariantHeader, path: str, keys: tuple[str, ...]) -> str:
    """The file name with the header lines that say which release it is."""
    found = {}
    for record in header.records:
        if record.type == "GENERIC" and record.key in keys and record.key not in found:
            found[record.key] = record.value.strip('"')
    said = ", ".join(f"{k}={found[k]}" for k in keys if k in found)
    name = Path(path).name
    return f"{name} ({said})" if said else name
