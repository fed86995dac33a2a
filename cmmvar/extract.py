"""Extraction: the records of one VCF/BCF that overlap the panel regions, in one pass.

Uses the index (tbi/csi) when there is one and streams otherwise; checks the build from the
header's contig lengths; writes a bgzipped, tabix-indexed VCF with `chr`-style names.
"""

from __future__ import annotations

import os
import tempfile
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pysam

from cmmvar import __version__
from cmmvar.errors import VcfError
from cmmvar.genome import CONTIG_LENGTHS, bare, canonical, check_build, resolve
from cmmvar.panel import Gene, Region, regions
from cmmvar.vcf import contig_lengths, has_index, open_vcf, records


@dataclass
class ExtractStats:
    input: str
    mode: str  # "index" or "stream"
    samples: int
    records_kept: int = 0
    records_scanned: int | None = None  # streaming only: every record read
    contig_style: str = ""
    panel_contigs_absent: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def extract(vcf_path: str | Path, genes: list[Gene], build: str, out_path: str | Path,
            padding: int) -> ExtractStats:
    """Write the records overlapping `genes` +- `padding` to `out_path` (bgzipped + .tbi)."""
    if padding < 0:
        raise VcfError(f"padding must be >= 0, got {padding}")
    vcf = open_vcf(vcf_path)
    with vcf:
        notes = check_build(contig_lengths(vcf), build, str(vcf_path))
        wanted = regions(genes, padding)
        indexed = has_index(vcf)
        stats = ExtractStats(str(vcf_path), "index" if indexed else "stream",
                             len(vcf.header.samples), notes=notes,
                             contig_style=_style(vcf.header.contigs.keys()))
        header = _output_header(vcf.header, wanted, build, padding)
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=Path(out_path).parent) as tmp:
            plain = Path(tmp) / "extract.vcf"
            with plain.open("w") as out:
                out.write(header)
                lines = (_by_index(vcf, vcf_path, wanted, stats) if indexed
                         else _by_stream(vcf, vcf_path, wanted, stats))
                in_order = True
                previous = None
                for key, line in lines:
                    if previous is not None and key < previous:
                        in_order = False
                    previous = key
                    out.write(line)
                    stats.records_kept += 1
            if not in_order:
                _sort_body(plain)
            _bgzip_and_index(plain, Path(out_path))
    return stats


def _by_index(vcf, path, wanted: list[Region], stats: ExtractStats):
    available = list(vcf.header.contigs.keys())
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


def _by_stream(vcf, path, wanted: list[Region], stats: ExtractStats):
    by_chrom: dict[str, list[Region]] = {}
    for region in wanted:
        by_chrom.setdefault(region.chrom, []).append(region)
    starts = {c: [r.start for r in rs] for c, rs in by_chrom.items()}
    seen_chroms: set[str] = set()
    stats.records_scanned = 0
    for record in records(vcf, path):
        stats.records_scanned += 1
        chrom = bare(record.chrom)
        seen_chroms.add(chrom)
        if chrom not in by_chrom:
            continue
        # Regions are merged and sorted: only the last one starting at or before the
        # record's end can overlap it.
        i = bisect_right(starts[chrom], record.stop) - 1
        if i >= 0 and by_chrom[chrom][i].end >= record.pos:
            yield _as_line(record, chrom)
    for chrom in by_chrom:
        if chrom not in seen_chroms and resolve(chrom, vcf.header.contigs.keys()) is None:
            _note_absent(stats, chrom)


def _note_absent(stats: ExtractStats, chrom: str) -> None:
    stats.panel_contigs_absent.append(canonical(chrom))
    stats.notes.append(f"{stats.input}: no contig {chrom} (or chr{chrom}); panel genes there "
                       f"could not be searched")


def _as_line(record: pysam.VariantRecord, chrom: str) -> tuple[tuple, str]:
    fields = str(record).split("\t", 1)
    return ((_order(chrom), record.pos), canonical(chrom) + "\t" + fields[1])


def _order(chrom: str) -> tuple[int, str]:
    if chrom.isdigit():
        return (int(chrom), "")
    return ({"X": 23, "Y": 24, "MT": 25}.get(chrom, 26), chrom)


def _output_header(header: pysam.VariantHeader, wanted: list[Region], build: str,
                   padding: int) -> str:
    """The input header with contigs renamed to `chr` style, panel contigs given the
    build's lengths, and a provenance line."""
    lengths = CONTIG_LENGTHS[build]
    lines, contigs = [], {}
    for name, contig in header.contigs.items():
        contigs[canonical(name)] = contig.length
    for region in wanted:
        key = canonical(region.chrom)
        if contigs.get(key) is None:
            contigs[key] = lengths.get(region.chrom)
    for line in str(header).splitlines():
        if line.startswith("##contig=") or line.startswith("#CHROM"):
            continue
        lines.append(line)
    for name in sorted(contigs, key=lambda c: _order(bare(c))):
        length = contigs[name]
        lines.append(f"##contig=<ID={name}" + (f",length={length}>" if length else ">"))
    genes = ",".join(g for r in wanted for g in r.genes)
    lines.append(f"##cmmvar_extract=<Version={__version__},Build={build},Padding={padding},"
                 f"Genes=\"{genes}\">")
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
                           + (["FORMAT", *header.samples] if len(header.samples) else [])))
    return "\n".join(lines) + "\n"


def _sort_body(plain: Path) -> None:
    head, body = [], []
    with plain.open() as handle:
        for line in handle:
            (head if line.startswith("#") else body).append(line)
    body.sort(key=lambda line: (_order(bare(line.split("\t", 2)[0])),
                                int(line.split("\t", 2)[1])))
    plain.write_text("".join(head + body))


def _bgzip_and_index(plain: Path, out_path: Path) -> None:
    """Compress and index beside `plain` (same file system), then rename both into place."""
    compressed = plain.with_name(plain.name + ".gz")
    pysam.tabix_compress(str(plain), str(compressed), force=True)
    pysam.tabix_index(str(compressed), preset="vcf", force=True)
    os.replace(compressed, out_path)  # data first, so the index is the newer file
    os.replace(str(compressed) + ".tbi", str(out_path) + ".tbi")


def _style(names) -> str:
    names = list(names)
    if not names:
        return "unknown (no contig lines)"
    return "chr" if all(n.lower().startswith("chr") for n in names) else "bare"
