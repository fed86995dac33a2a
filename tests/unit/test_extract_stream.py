"""Streaming extraction reads text VCFs as text and parses only the lines that may overlap
the panel: it keeps exactly what a region query through the index keeps, at the regions'
edges, across read blocks and with records whose span (REF, END) reaches into a region."""

from __future__ import annotations

import random
from pathlib import Path

import pysam
import pytest

from cmmvar.errors import VcfError
from cmmvar.io import vcf as vcf_module
from cmmvar.io.genome import CONTIG_LENGTHS
from cmmvar.io.panel import load_panel
from cmmvar.prepare.extract import extract

ROOT = Path(__file__).resolve().parents[2]
GENES = load_panel(ROOT / "config" / "panels" / "cmm.tsv", "GRCh38")
DCC = next(g for g in GENES if g.symbol == "DCC")
PADDING = 100
START, END = DCC.start - PADDING, DCC.end + PADDING  # DCC's region, 1-based closed


def _vcf(path: Path, body: list[str]) -> Path:
    lines = ["##fileformat=VCFv4.2",
             *(f"##contig=<ID=chr{c},length={CONTIG_LENGTHS['GRCh38'][c]}>"
               for c in ("1", "18", "19")),
             '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
             '##INFO=<ID=NAME,Number=1,Type=String,Description="Record name">',
             '##ALT=<ID=DEL,Description="Deletion">',
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                        "FORMAT", "S1"])]
    path.write_text("\n".join(lines + body) + "\n")
    return path


def _row(chrom: str, pos: int, ref: str, alt: str, name: str, info: str = "") -> str:
    return f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\tNAME={name}{info}\tGT\t0/1"


def _names(path: Path) -> list[str]:
    with pysam.VariantFile(str(path)) as out:
        return [record.info["NAME"] for record in out]


EDGES = [
    _row("chr18", START - 3, "ACG", "A", "del_ends_just_before"),  # covers START-3..START-1
    _row("chr18", START - 3, "ACGT", "A", "del_ends_at_start"),  # covers START-3..START
    _row("chr18", START - 1, "A", "G", "snv_just_before"),
    _row("chr18", START, "A", "G", "snv_at_start"),
    _row("chr18", START + 5000, "A", "<DEL>", "sv_inside", f";END={START + 5100}"),
    _row("chr18", END, "A", "G", "snv_at_end"),
    _row("chr18", END + 1, "A", "G", "snv_just_after"),
]
EDGES.insert(0, _row("chr18", START - 1000, "A", "<DEL>", "sv_ends_at_start",
                     f";END={START}"))
EDGES.insert(0, _row("chr18", START - 2000, "A", "<DEL>", "sv_ends_before",
                     f";END={START - 1}"))
KEPT = ["sv_ends_at_start", "del_ends_at_start", "snv_at_start", "sv_inside", "snv_at_end"]


@pytest.mark.parametrize("with_end", [False, True], ids=["positions-read-at-once",
                                                          "line-by-line-with-END"])
def test_stream_keeps_records_whose_span_reaches_the_region_and_drops_those_just_outside(
        tmp_path, with_end):
    """Hand-worked: a record is kept when POS..POS+len(REF)-1 (or POS..END) meets
    [DCC start - 100, DCC end + 100]; the records one base outside are dropped. Without END
    in the file, the positions of the run are read at once; with it, line by line."""
    rows = EDGES if with_end else [row for row in EDGES if "END=" not in row]
    kept = KEPT if with_end else [name for name in KEPT if not name.startswith("sv_")]
    stats = extract(_vcf(tmp_path / "e.vcf", rows), GENES, "GRCh38", tmp_path / "o.vcf.gz",
                    PADDING)
    assert stats.mode == "stream" and stats.records_scanned == len(rows)
    assert _names(tmp_path / "o.vcf.gz") == kept


def test_stream_matches_the_index_query_across_many_small_read_blocks(tmp_path, monkeypatch):
    """Random records on a panel chromosome, around DCC's edges, and on two other
    chromosomes, read in 300-byte blocks (so that blocks hold one or several chromosomes and
    lines are cut at block ends): the same records as htslib's region query keeps."""
    rng = random.Random(7)
    body = []
    for chrom, low, high in (("chr1", 1, 10**6), ("chr18", START - 300, START + 300),
                             ("chr18", END - 300, END + 300), ("chr19", 1, 10**6)):
        for pos in sorted(rng.randint(low, high) for _ in range(150)):
            ref = "A" * rng.choice((1, 1, 5, 40))
            body.append(_row(chrom, pos, ref, "G" if len(ref) == 1 else "A",
                             f"{chrom}_{pos}_{len(ref)}"))
    plain = _vcf(tmp_path / "r.vcf", body)
    indexed = tmp_path / "r.vcf.gz"
    pysam.tabix_index(str(plain), preset="vcf", keep_original=True)
    monkeypatch.setattr(vcf_module, "_BLOCK", 300)
    streamed = extract(plain, GENES, "GRCh38", tmp_path / "s.vcf.gz", PADDING)
    by_index = extract(indexed, GENES, "GRCh38", tmp_path / "i.vcf.gz", PADDING)
    assert streamed.mode == "stream" and by_index.mode == "index"
    assert streamed.records_scanned == len(body)
    assert _names(tmp_path / "s.vcf.gz") == _names(tmp_path / "i.vcf.gz")
    assert streamed.records_kept > 100


def test_stream_reports_a_broken_pos_on_a_panel_chromosome_with_its_line(tmp_path):
    """Lines that cannot be placed by their text are given to htslib, whose failure names
    the line (header: 9 lines, so the second record is line 11)."""
    body = [_row("chr18", START, "A", "G", "ok"),
            _row("chr18", START, "A", "G", "bad").replace(f"\t{START}\t", "\t12x\t")]
    with pytest.raises(VcfError, match=r"b\.vcf, line 11: malformed record: chr18:12x POS "
                                       r"'12x' is not a number"):
        extract(_vcf(tmp_path / "b.vcf", body), GENES, "GRCh38", tmp_path / "o.vcf.gz",
                PADDING)


def test_a_key_undeclared_after_records_with_declared_keys_is_still_declared(tmp_path):
    """HeaderGaps remembers the key sets found declared; a later record with one more key
    (NEW, not in the header) is not taken for one of them, and NEW is declared as a flag."""
    body = [_row("chr18", START, "A", "G", "a"), _row("chr18", START + 1, "A", "G", "b"),
            _row("chr18", START + 2, "A", "G", "c", ";NEW")]
    stats = extract(_vcf(tmp_path / "k.vcf", body), GENES, "GRCh38", tmp_path / "o.vcf.gz",
                    PADDING)
    assert [n.split(" is used")[0] for n in stats.header_completed] == ["INFO NEW"]
    with pysam.VariantFile(str(tmp_path / "o.vcf.gz")) as out:
        assert out.header.info["NEW"].type == "Flag"
