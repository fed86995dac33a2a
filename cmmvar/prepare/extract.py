"""Extraction: the records of one VCF/BCF that overlap the panel regions, in one pass.

Uses the index (tbi/csi) when there is one and it is newer than the data, and streams
otherwise (also for a gzipped, not bgzipped, file); checks the build from the header's contig
lengths; writes a bgzipped, indexed VCF with `chr`-style names whose header declares everything
the kept records use (the records are copied as htslib writes them).
"""

from __future__ import annotations

import shutil
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pysam

from cmmvar import __version__
from cmmvar.atomic import scratch_dir
from cmmvar.errors import VcfError
from cmmvar.io.genome import CONTIG_LENGTHS, bare, canonical, check_build, resolve
from cmmvar.io.panel import Gene, Region, chrom_order, regions
from cmmvar.io.vcf import (
    TEXT_ERRORS,
    HeaderGaps,
    contig_lengths,
    data_blocks,
    has_index,
    index_into_place,
    is_plain_gzip,
    open_vcf,
    stale_index,
)
from cmmvar.io.vcf_records import record_columns, records


@dataclass
class ExtractStats:
    input: str
    mode: str  # "index" or "stream"
    samples: int
    records_kept: int = 0
    records_scanned: int | None = None  # streaming only: every record read
    contig_style: str = ""
    panel_contigs_absent: list[str] = field(default_factory=list)
    header_completed: list[str] = field(default_factory=list)  # names declared for records
    index: str = ".tbi"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def extract(vcf_path: str | Path, genes: list[Gene], build: str, out_path: str | Path,
            padding: int) -> ExtractStats:
    """Write the records overlapping `genes` +- `padding` to `out_path` (bgzipped + index)."""
    if padding < 0:
        raise VcfError(f"padding must be >= 0, got {padding}")
    vcf = open_vcf(vcf_path)
    with vcf:
        lengths = contig_lengths(vcf)
        notes = check_build(lengths, build, str(vcf_path))
        wanted = regions(genes, padding)
        indexed = has_index(vcf)
        stale = stale_index(vcf_path) if indexed else None
        if stale is not None:
            indexed = False
            notes.append(f"{vcf_path}: the index {stale.name} is older than the file, so it "
                         f"may not match the records; the file was read from start to end")
        elif is_plain_gzip(vcf_path):
            notes.append(f"{vcf_path}: compressed with gzip, not bgzip, so it has no index and "
                         f"was read from start to end (bgzip and index it to read only the "
                         f"panel regions)")
        stats = ExtractStats(str(vcf_path), "index" if indexed else "stream",
                             len(vcf.header.samples), notes=notes,
                             contig_style=_style(lengths))
        contigs = _output_contigs(lengths, wanted, build)
        gaps = HeaderGaps.of(vcf.header, contigs=list(contigs))
        head = [line for line in str(vcf.header).splitlines()
                if not line.startswith(("##contig=", "#CHROM"))]
        with scratch_dir(out_path) as tmp:
            body = Path(tmp) / "body.vcf"
            lines = (_by_index(vcf, vcf_path, wanted, stats) if indexed
                     else _by_stream(vcf, vcf_path, wanted, stats, Path(tmp)))
            in_order, previous, max_pos = True, None, 0
            with body.open("w", encoding="utf-8") as out:
                for key, columns in lines:
                    if previous is not None and key < previous:
                        in_order = False
                    previous = key
                    max_pos = max(max_pos, key[1])
                    gaps.see(columns)
                    out.write("\t".join(columns) + "\n")
                    stats.records_kept += 1
            if not in_order:
                _sort_body(body)
            stats.header_completed = gaps.notes()
            if stats.header_completed:
                stats.notes.append(f"{vcf_path}: the records use {len(stats.header_completed)} "
                                   f"name(s) that the header does not declare; declared in the "
                                   f"output: " + "; ".join(stats.header_completed))
            compressed = Path(tmp) / "extract.vcf.gz"
            # straight into one BGZF writer, at level 1 as normalisation's: a panel-sized file
            # that the next stage reads once; level 6 cost more than the records' reading
            with pysam.BGZFile(str(compressed), "wb1") as out, body.open("rb") as rows:
                out.write(_output_header(head, gaps.lines(), contigs, vcf.header, wanted, build,
                                         padding).encode("utf-8"))
                shutil.copyfileobj(rows, out, 1 << 20)
            stats.index = index_into_place(compressed, Path(out_path), max_pos)
            if stats.index != ".tbi":
                stats.notes.append(f"{vcf_path}: positions past 536,870,911: indexed as .csi")
    return stats


def _by_index(vcf, path, wanted: list[Region], stats: ExtractStats):
    available = list(contig_lengths(vcf))
    if vcf.index is not None:
        available = list(dict.fromkeys(available + list(vcf.index.keys())))
    for region in wanted:
        contig = resolve(region.chrom, available)
        if contig is None:
            _note_absent(stats, region.chrom)
            continue
        if vcf.index is not None and contig not in vcf.index:
            continue  # a contig in the header with no records
        for record in records(vcf, path, (contig, region.start, region.end)):
            yield _as_line(record, region.chrom)


def _by_stream(vcf, path, wanted: list[Region], stats: ExtractStats, tmp: Path):
    """Every record read once. A text VCF is scanned as text, and only the records whose
    position may fall in a region are parsed by htslib (as they would be otherwise); a BCF is
    read record by record."""
    by_chrom: dict[str, list[Region]] = {}
    for region in wanted:
        by_chrom.setdefault(region.chrom, []).append(region)
    stats.records_scanned = 0
    if vcf.is_bcf:
        seen_chroms = set()
        for record in records(vcf, path):
            stats.records_scanned += 1
            seen_chroms.add(bare(record.chrom))
            if _overlaps(record, by_chrom):
                yield _as_line(record, bare(record.chrom))
    else:
        candidates = tmp / "candidates.vcf"
        seen_chroms = _scan_text(vcf, path, by_chrom, stats, candidates)
        with pysam.VariantFile(str(candidates)) as parsed:
            for record in records(parsed, path):
                if _overlaps(record, by_chrom):
                    yield _as_line(record, bare(record.chrom))
    for chrom in by_chrom:
        if chrom not in seen_chroms and resolve(chrom, contig_lengths(vcf)) is None:
            _note_absent(stats, chrom, streamed=True)


def _overlaps(record: pysam.VariantRecord, by_chrom: dict[str, list[Region]]) -> bool:
    regions_here = by_chrom.get(bare(record.chrom))
    if not regions_here:
        return False
    # Regions are merged and sorted: only the last one starting at or before the record's
    # end can overlap it.
    i = bisect_right([r.start for r in regions_here], record.stop) - 1
    return i >= 0 and regions_here[i].end >= record.pos


def _scan_text(vcf, path, by_chrom: dict[str, list[Region]], stats: ExtractStats,
               candidates: Path) -> set[str]:
    """Copy to `candidates` (a VCF with the input's header) every data line that may overlap
    a region (cmmvar.io.scan). Returns the chromosomes seen (without `chr`)."""
    import numpy as np

    from cmmvar.io.scan import select_lines

    spans = {c: (np.array([r.start for r in rs]), np.array([r.end for r in rs]))
             for c, rs in by_chrom.items()}
    names: dict[bytes, str] = {}  # a contig name as the file writes it -> without chr

    def name_of(raw: bytes) -> str:
        if raw not in names:
            names[raw] = bare(raw.decode("utf-8", TEXT_ERRORS))
        return names[raw]

    with candidates.open("wb") as out:
        out.write(str(vcf.header).encode("utf-8"))
        stats.records_scanned = select_lines(data_blocks(path, vcf.compression), spans,
                                             name_of, out)
    return set(names.values())


def _note_absent(stats: ExtractStats, chrom: str, streamed: bool = False) -> None:
    stats.panel_contigs_absent.append(canonical(chrom))
    if streamed:  # every record was read: the file holds nothing there
        stats.notes.append(f"{stats.input}: no record on chromosome {chrom} (or chr{chrom}) "
                           f"in the whole file, and no contig line for it; the panel genes "
                           f"there have no variants in this file")
    else:
        stats.notes.append(f"{stats.input}: no contig {chrom} (or chr{chrom}) in the header "
                           f"or the index; panel genes there could not be searched")


def _as_line(record: pysam.VariantRecord, chrom: str) -> tuple[tuple, list[str]]:
    columns = record_columns(record)
    columns[0] = canonical(chrom)
    return (chrom_order(chrom), record.pos), columns


def _output_contigs(lengths: dict[str, int | None], wanted: list[Region],
                    build: str) -> dict[str, int | None]:
    """The input's contigs renamed to `chr` style, panel contigs given the build's lengths
    where the input gives none, in chromosome order."""
    contigs = {canonical(name): length for name, length in lengths.items()}
    for region in wanted:
        key = canonical(region.chrom)
        if contigs.get(key) is None:
            contigs[key] = CONTIG_LENGTHS[build].get(region.chrom)
    return {name: contigs[name] for name in sorted(contigs, key=chrom_order)}


def _output_header(head: list[str], completed: list[str], contigs: dict[str, int | None],
                   header: pysam.VariantHeader, wanted: list[Region], build: str,
                   padding: int) -> str:
    """The input header (as read, before any record) with the declarations the records
    needed, the output's contigs and a provenance line."""
    lines = head + completed
    for name, length in contigs.items():
        lines.append(f"##contig=<ID={name}" + (f",length={length}>" if length else ">"))
    genes = ",".join(g for r in wanted for g in r.genes)
    lines.append(f"##cmmvar_extract=<Version={__version__},Build={build},Padding={padding},"
                 f"Genes=\"{genes}\">")
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
                           + (["FORMAT", *header.samples] if len(header.samples) else [])))
    return "\n".join(lines) + "\n"


def _sort_body(body: Path) -> None:
    with body.open(encoding="utf-8") as handle:
        rows = handle.readlines()
    rows.sort(key=lambda line: (chrom_order(line.split("\t", 2)[0]),
                                int(line.split("\t", 2)[1])))
    body.write_text("".join(rows), encoding="utf-8")


def _style(names) -> str:
    names = list(names)
    if not names:
        return "unknown (no contig lines)"
    return "chr" if all(n.lower().startswith("chr") for n in names) else "bare"
