"""Reading VCF/BCF records safely: every record of a file or a region, with a parse failure
turned into one VcfError naming the record and, for a text VCF, its line and what is wrong.

Knows records; opening files and their headers is cmmvar.io.vcf's.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pysam

from cmmvar.errors import VcfError
from cmmvar.io.vcf import TEXT_ERRORS

_GT = re.compile(r"^(\.|\d+)([/|](\.|\d+))*$")

def record_columns(record: pysam.VariantRecord) -> list[str]:
    """A record's VCF columns as htslib writes them."""
    return str(record).rstrip("\n").split("\t")


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
    line, text, hint = _first_bad_line(path)
    if line is not None:
        return VcfError(f"malformed record: {text}", path=path, line=line,
                        hint=f"fix or remove this record: {hint}")
    after = f" after {last}" if last else ""
    if "truncated" in str(exc):
        return VcfError(f"the file ends in the middle of a record{after}", path=path,
                        hint="the file is incomplete: copy or download it again")
    return VcfError(f"cannot parse the record{after} ({exc})", path=path,
                    hint="check the record with 'bcftools view'; GT must look like 0/1, 1|0")


def _first_bad_line(path: str | Path) -> tuple[int | None, str, str]:
    """Find the first data line whose layout, POS, FORMAT keys or GT are broken, for text
    VCFs only: (line number, what is wrong, how to fix it)."""
    try:
        with gzip.open(path, "rt") as handle:
            handle.read(1)
        opener = gzip.open
    except OSError:
        opener = open
    try:
        with opener(path, "rt", errors=TEXT_ERRORS) as handle:
            ncols = None
            for number, line in enumerate(handle, start=1):
                if line.startswith("##"):
                    continue
                fields = line.rstrip("\r\n").split("\t")
                if line.startswith("#"):
                    ncols = len(fields)
                    continue
                problem = _line_problem(fields, ncols)
                if problem:
                    where = f"{fields[0]}:{fields[1] if len(fields) > 1 else '?'}"
                    return number, f"{where} {problem[0]}", problem[1]
    except (OSError, EOFError):
        pass  # BCF or unreadable as text: the caller falls back to the last good record
    return None, "", ""


def _line_problem(fields: list[str], ncols: int | None) -> tuple[str, str] | None:
    if ncols is not None and len(fields) != ncols:
        return (f"has {len(fields)} columns, the header has {ncols}",
                "a record has the header's columns, separated by tabs")
    if len(fields) < 8:
        return "has fewer than 8 columns", "a record has at least 8 tab-separated columns"
    if not fields[1].isdigit():
        return f"POS {fields[1]!r} is not a number", "POS is a whole number"
    if len(fields) > 9:
        keys = fields[8].split(":")
        twice = next((key for i, key in enumerate(keys) if key in keys[:i]), None)
        if twice:
            return f"lists the FORMAT key {twice} twice", "list each FORMAT key once"
        if "GT" in keys:
            at = keys.index("GT")
            for value in fields[9:]:
                parts = value.split(":")
                if at < len(parts) and not _GT.match(parts[at]):
                    return (f"has a malformed GT {parts[at]!r}",
                            "GT must look like 0/1, 1|0, ./., 1")
    return None
