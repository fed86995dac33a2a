"""Opening VCF/BCF files through pysam with clear errors, and reading records safely.

Knows files, headers and records; knows nothing about families or the panel.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pysam

from cmmvar.errors import VcfError

pysam.set_verbosity(0)  # htslib's own stderr lines would repeat our messages out of context

_GT = re.compile(r"^(\.|\d+)([/|](\.|\d+))*$")


def open_vcf(path: str | Path) -> pysam.VariantFile:
    """Open a VCF, bgzipped VCF or BCF for reading, or raise a VcfError that says why not."""
    path = Path(path)
    if not path.exists():
        raise VcfError("VCF file not found", path=path, hint="check the path")
    if not path.is_file():
        raise VcfError("not a file", path=path)
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise VcfError(f"cannot read the file: {exc.strerror}", path=path,
                       hint="check its permissions") from None
    try:
        return pysam.VariantFile(str(path))
    except (ValueError, OSError) as exc:
        raise VcfError(f"not a readable VCF or BCF ({exc})", path=path,
                       hint="give a VCF, a bgzipped VCF (.vcf.gz) or a BCF") from None


def has_index(vcf: pysam.VariantFile) -> bool:
    return vcf.index is not None


def contig_lengths(vcf: pysam.VariantFile) -> dict[str, int | None]:
    return {name: contig.length for name, contig in vcf.header.contigs.items()}


def records(vcf: pysam.VariantFile, path: str | Path,
            region: tuple[str, int, int] | None = None) -> Iterator[pysam.VariantRecord]:
    """Iterate records (of a 1-based closed region, or all), turning a parse failure into a
    VcfError that names the bad record and, for text VCFs, its line."""
    last = None
    iterator = vcf.fetch(region[0], region[1] - 1, region[2]) if region else iter(vcf)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:
            raise _parse_failure(path, last, exc) from None
        last = f"{record.chrom}:{record.pos}"
        yield record


def _parse_failure(path: str | Path, last: str | None, exc: Exception) -> VcfError:
    after = f" after {last}" if last else ""
    line, text = _first_bad_line(path)
    if line is not None:
        return VcfError(f"malformed record: {text}", path=path, line=line,
                        hint="fix or remove this record; GT must look like 0/1, 1|0, ./., 1")
    return VcfError(f"cannot parse the record{after} ({exc})", path=path,
                    hint="check the record with 'bcftools view'; GT must look like 0/1, 1|0")


def _first_bad_line(path: str | Path) -> tuple[int | None, str]:
    """Find the first data line whose GT or layout is broken, for text VCFs only."""
    try:
        with gzip.open(path, "rt") as handle:
            handle.read(1)
        opener = gzip.open
    except OSError:
        opener = open
    try:
        with opener(path, "rt") as handle:
            ncols = None
            for number, line in enumerate(handle, start=1):
                if line.startswith("##"):
                    continue
                fields = line.rstrip("\n").split("\t")
                if line.startswith("#"):
                    ncols = len(fields)
                    continue
                problem = _line_problem(fields, ncols)
                if problem:
                    return number, f"{fields[0]}:{fields[1] if len(fields) > 1 else '?'} " \
                                   f"{problem}"
    except (OSError, UnicodeDecodeError):
        pass  # BCF or unreadable as text: the caller falls back to the last good record
    return None, ""


def _line_problem(fields: list[str], ncols: int | None) -> str | None:
    if ncols is not None and len(fields) != ncols:
        return f"has {len(fields)} columns, the header has {ncols}"
    if len(fields) < 8:
        return "has fewer than 8 columns"
    if not fields[1].isdigit():
        return f"POS {fields[1]!r} is not a number"
    if len(fields) > 9:
        keys = fields[8].split(":")
        if "GT" in keys:
            at = keys.index("GT")
            for value in fields[9:]:
                parts = value.split(":")
                if at < len(parts) and not _GT.match(parts[at]):
                    return f"has a malformed GT {parts[at]!r}"
    return None
