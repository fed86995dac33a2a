"""Transcript models read from an Ensembl/MANE-style GFF3: exons, CDS bounds, identifiers.

Holds the `Transcript` record and its loader; knows nothing about variants or consequences
(see consequence.py). Lines are parsed with pysam's GFF3 parser, plain or gzipped.
"""

from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass
from pathlib import Path

import pysam

from cmmvar.errors import InputError

log = logging.getLogger("cmmvar")

_TRANSCRIPT_TYPES = {"mRNA", "transcript", "lnc_RNA", "ncRNA", "lncRNA", "snRNA", "miRNA",
                     "snoRNA", "rRNA", "pseudogenic_transcript", "misc_RNA", "scRNA",
                     "unconfirmed_transcript", "NMD_transcript_variant"}
_GENE_TYPES = {"gene", "ncRNA_gene", "pseudogene"}
_CHILD_TYPES = {"exon", "CDS", "five_prime_UTR", "three_prime_UTR"}


class GffError(InputError):
    """A GFF3 annotation that cannot be read or lacks the transcripts asked for."""


@dataclass(frozen=True)
class Transcript:
    """One transcript. Coordinates are 1-based and closed on the genome (the GFF3's own).

    `exons` are in ascending genomic order on both strands (exon 1 of a minus-strand
    transcript is the last tuple); `cds_start` <= `cds_end` are the lowest and highest
    genomic bases of the CDS, stop codon included as in Ensembl, or None when non-coding.
    """

    id: str  # with its version when the GFF3 gives one: ENST00000123456.7
    gene_id: str
    gene: str  # symbol (the gene's Name), or the gene ID when it has none
    chrom: str
    strand: str  # "+" or "-"
    exons: tuple[tuple[int, int], ...]
    cds_start: int | None
    cds_end: int | None
    protein_id: str | None
    mane_select: bool
    biotype: str

    @property
    def start(self) -> int:
        return self.exons[0][0]

    @property
    def end(self) -> int:
        return self.exons[-1][1]

    @property
    def coding(self) -> bool:
        return self.cds_start is not None


class _Lines:
    """A file handle that counts lines, so that errors can name the line at fault."""

    def __init__(self, handle):
        self.handle = handle
        self.number = 0
        self.closed = False
        self.first = self.text = ""  # the file's first line and the last line read

    def readline(self):
        line = self.handle.readline()
        if line:
            self.number += 1
            if not line.endswith("\n"):
                line += "\n"  # a last line without newline is complete all the same
            self.text = line
            self.first = self.first or line
        return line

    def fields(self) -> list[str]:
        return self.text.rstrip("\r\n").split("\t")


_GFF3_HINT = ("annotation.transcripts_gff3 takes a GFF3 of gene models, plain or gzipped, "
              "such as Ensembl's Homo_sapiens.GRCh38.<release>.gff3.gz")


def _not_gff3(lines: _Lines, path: Path) -> GffError:
    """Why the line just read cannot be a GFF3 feature line."""
    if lines.first.startswith("##fileformat=VCF"):
        return GffError("this is a VCF, not a GFF3", path=path, line=1, hint=_GFF3_HINT)
    text = lines.text.rstrip("\r\n")
    columns = len(text.split("\t"))
    return GffError(f"not a GFF3 feature line: {columns} tab-separated column"
                    f"{'' if columns == 1 else 's'} where GFF3 has 9 ({text[:40]!r})",
                    path=path, line=lines.number, hint=_GFF3_HINT)


def _check_columns(lines: _Lines, path: Path) -> None:
    """Columns 4-5 are 1-based integers, start <= end; column 7 a strand (GFF3 spec)."""
    fields = lines.fields()
    start, end, strand = fields[3], fields[4], fields[6]
    if not (start.isdigit() and end.isdigit() and 1 <= int(start) <= int(end)):
        raise GffError(f"{fields[2]} from {start!r} to {end!r}: start and end must be "
                       f"positions, 1-based, start <= end", path=path, line=lines.number)
    if strand not in ("+", "-", ".", "?"):
        raise GffError(f"{fields[2]} has strand {strand!r}; GFF3 uses +, -, . or ?",
                       path=path, line=lines.number)


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rt") if magic == b"\x1f\x8b" else open(path)


def _strip(identifier: str) -> str:
    """`transcript:ENST1` -> `ENST1` (Ensembl prefixes IDs with the feature kind)."""
    return identifier.split(":", 1)[1] if ":" in identifier else identifier


def _unversioned(identifier: str) -> str:
    return identifier.split(".", 1)[0]


def load_transcripts(path: str | Path, wanted_ids=None) -> dict[str, Transcript]:
    """Transcripts of a GFF3 keyed by their versioned ID, all of them or only `wanted_ids`.

    A wanted ID matches with or without its version (ENST1 matches ENST1.7 and ENST1.6
    matches ENST1.7; a version difference is logged). Raises GffError naming the file and,
    where there is one, the line: a file that is not text, a VCF, a line without the nine
    GFF3 columns, a gene, transcript, exon, CDS or UTR line with impossible coordinates, a
    child whose parent transcript is absent, a file without transcripts, and wanted
    transcripts that are not in the file (listed).
    """
    path = Path(path)
    try:
        handle = _open(path)
    except OSError as exc:
        raise GffError(f"cannot read the GFF3 ({exc.strerror})", path=path) from None
    genes: dict[str, dict] = {}
    transcripts: dict[str, tuple[int, object]] = {}
    children: list[tuple[int, object]] = []
    with handle:
        lines = _Lines(handle)
        rows = pysam.tabix_iterator(lines, parser=pysam.asGFF3())
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise GffError("not a text file", path=path, line=lines.number + 1,
                               hint=_GFF3_HINT) from None
            except (ValueError, IndexError, KeyError):
                raise _not_gff3(lines, path) from None
            attrs = row.to_dict()
            if row.feature in _GENE_TYPES and "ID" in attrs:
                _check_columns(lines, path)
                genes[attrs["ID"]] = attrs
            elif row.feature in _TRANSCRIPT_TYPES or str(attrs.get("ID", "")).startswith(
                    "transcript:"):
                _check_columns(lines, path)
                transcripts[attrs.get("ID", "")] = (lines.number, row)
            elif row.feature in _CHILD_TYPES:
                _check_columns(lines, path)
                children.append((lines.number, row))
    if lines.first.startswith("##fileformat=VCF"):
        raise _not_gff3(lines, path)
    exons: dict[str, list] = {key: [] for key in transcripts}
    cds: dict[str, list] = {key: [] for key in transcripts}
    proteins: dict[str, str] = {}
    for number, row in children:
        attrs = row.to_dict()
        parents = str(attrs.get("Parent", "")).split(",")
        for parent in parents:
            if parent not in transcripts:
                raise GffError(f"{row.feature} has Parent={parent or '(none)'}, a transcript "
                               f"that is not in the file", path=path, line=number,
                               hint="every exon/CDS/UTR needs its mRNA line")
            if row.feature == "exon":
                exons[parent].append((row.start + 1, row.end))
            elif row.feature == "CDS":
                cds[parent].append((row.start + 1, row.end))
                if "protein_id" in attrs:
                    proteins[parent] = str(attrs["protein_id"])
    wanted = None if wanted_ids is None else {_unversioned(_strip(w)): w for w in wanted_ids}
    found: dict[str, Transcript] = {}
    for key, (number, row) in transcripts.items():
        attrs = row.to_dict()
        ident = _strip(key)
        if "version" in attrs and "." not in ident:
            ident = f"{ident}.{attrs['version']}"
        if wanted is not None:
            asked = wanted.get(_unversioned(ident))
            if asked is None:
                continue
            if asked != ident and "." in asked:
                log.warning("%s: transcript %s asked for, version %s used", path, asked, ident)
        gene_key = str(attrs.get("Parent", ""))
        if gene_key not in genes:
            raise GffError(f"transcript {ident} has Parent={gene_key or '(none)'}, a gene "
                           f"that is not in the file", path=path, line=number)
        if not exons[key]:
            raise GffError(f"transcript {ident} has no exon lines", path=path, line=number)
        if row.strand not in ("+", "-"):
            raise GffError(f"transcript {ident} has strand {row.strand or '.'!r}", path=path,
                           line=number, hint="a transcript is on the + or the - strand")
        gene = genes[gene_key]
        tags = str(attrs.get("tag", "")).split(",")
        coding = cds[key]
        found[ident] = Transcript(
            id=ident, gene_id=_strip(gene_key),
            gene=str(gene.get("Name", _strip(gene_key))), chrom=row.contig,
            strand=row.strand, exons=tuple(sorted(exons[key])),
            cds_start=min(s for s, _ in coding) if coding else None,
            cds_end=max(e for _, e in coding) if coding else None,
            protein_id=proteins.get(key), mane_select="MANE_Select" in tags,
            biotype=str(attrs.get("biotype", row.feature)))
    if not transcripts:
        raise GffError("no transcript lines (mRNA, transcript, lnc_RNA, ...)", path=path,
                       hint=_GFF3_HINT)
    if wanted is not None:
        got = {_unversioned(t) for t in found}
        missing = sorted(w for base, w in wanted.items() if base not in got)
        if missing:
            raise GffError(
                f"{len(missing)} of {len(wanted)} wanted transcripts are not in the file: "
                + ", ".join(missing)
                + (f" (found: {', '.join(sorted(found))})" if found else ""),
                path=path,
                hint="IDs are matched without their version; use the GFF3 of the Ensembl "
                     "release that holds the panel's MANE transcripts")
    return found
