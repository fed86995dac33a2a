"""Reading VCFs that other tools write: every file htslib reads gives a result through
`extract` (and `normalise`), every file it refuses one error that says what is wrong; each
case written by hand, with what it did before these rules in its docstring."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from cmmvar.errors import VcfError
from cmmvar.io.genome import CONTIG_LENGTHS
from cmmvar.io.panel import Gene, load_panel
from cmmvar.prepare.extract import extract
from cmmvar.prepare.normalise import normalise

ROOT = Path(__file__).resolve().parents[2]
GENES = load_panel(ROOT / "config" / "panels" / "cmm.tsv", "GRCh38")
DCC = next(g for g in GENES if g.symbol == "DCC")
P = DCC.start + 100  # a position inside DCC
CHR18 = f"##contig=<ID=chr18,length={CONTIG_LENGTHS['GRCh38']['18']}>"
GT = '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">'
COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"


def vcf_text(body: list[str], samples=("S1", "S2"), meta=(CHR18, GT)) -> str:
    return "\n".join(["##fileformat=VCFv4.2", *meta,
                      "\t".join([COLUMNS, *samples]), *body]) + "\n"


def record(pos: int, alt="G", gts=("0/1", "1/1"), info=".", ref="A") -> str:
    return "\t".join(["chr18", str(pos), ".", ref, alt, "50", "PASS", info, "GT", *gts])


def kept(path) -> list[tuple]:
    """(chrom, pos, ref, alts, GT per sample as written) of every record of a VCF."""
    with pysam.VariantFile(str(path)) as vcf:
        return [(r.chrom, r.pos, r.ref, r.alts, tuple(str(r).rstrip("\n").split("\t")[9:]))
                for r in vcf]


def run_extract(path, tmp_path, name="out.vcf.gz"):
    out = tmp_path / name
    return extract(path, GENES, "GRCh38", out, padding=100), out


# ----------------------------------------------------------------- compression

def test_gzip_not_bgzip_is_read_by_streaming(tmp_path):
    """Before: NotImplementedError ("seek not implemented in files compressed by method 1")
    from pysam, as a traceback. htslib streams plain gzip; so does cmmvar, and says so."""
    text = vcf_text([record(P), record(P + 10, gts=("0|1", "1"))])
    path = tmp_path / "plain.vcf.gz"
    path.write_bytes(gzip.compress(text.encode()))
    stats, out = run_extract(path, tmp_path)
    assert stats.mode == "stream" and stats.records_kept == 2
    assert any("compressed with gzip, not bgzip" in note for note in stats.notes)
    assert kept(out) == [("chr18", P, "A", ("G",), ("0/1", "1/1")),
                         ("chr18", P + 10, "A", ("G",), ("0|1", "1"))]


def test_truncated_bgzip_is_one_clear_error(tmp_path):
    plain = tmp_path / "t.vcf"
    plain.write_text(vcf_text([record(P + i) for i in range(2000)]))
    pysam.tabix_compress(str(plain), str(tmp_path / "t.vcf.gz"))
    whole = (tmp_path / "t.vcf.gz").read_bytes()
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(VcfError, match=r"cut\.vcf\.gz: the file is truncated .*copy or "
                                       r"download it again"):
        run_extract(cut, tmp_path)


# ----------------------------------------------------------------- header

def test_latin1_sample_name_is_read_as_latin1_and_written_as_utf8(tmp_path):
    """Before: UnicodeDecodeError from pysam, as a traceback. Bytes that are not UTF-8 are
    read as Latin-1: 0xE9 is é, so the sample is José, which a UTF-8 PED file can name."""
    head = vcf_text([], samples=("S1", "Jos\udce9")).encode("utf-8", "surrogateescape")
    path = tmp_path / "latin1.vcf"
    path.write_bytes(head + (record(P) + "\n").encode())
    stats, out = run_extract(path, tmp_path)
    assert stats.records_kept == 1
    with pysam.VariantFile(str(out)) as vcf:
        assert list(vcf.header.samples) == ["S1", "José"]
    assert "\tJosé\n".encode() in gzip.decompress(out.read_bytes())
    normalised = tmp_path / "n.vcf.gz"
    normalise(path, normalised)
    with pysam.VariantFile(str(normalised)) as vcf:
        assert list(vcf.header.samples) == ["S1", "José"]


def test_latin1_bytes_in_a_record_are_read_as_latin1(tmp_path):
    meta = (CHR18, GT, '##INFO=<ID=NOTE,Number=1,Type=String,Description="note">')
    path = tmp_path / "latin1.vcf"
    path.write_bytes(vcf_text([], meta=meta).encode()
                     + record(P, info="NOTE=Jos\udce9").encode("utf-8", "surrogateescape")
                     + b"\n")
    _, out = run_extract(path, tmp_path)
    with pysam.VariantFile(str(out)) as vcf:
        assert next(iter(vcf)).info["NOTE"] == "José"


def test_contig_lines_with_idx_are_read(tmp_path):
    """Before: AssertionError inside pysam's contig dictionary, which expects IDX= values
    0, 1, 2...; htslib accepts any (BCF-derived headers carry them)."""
    meta = (f"##contig=<ID=chr1,length={CONTIG_LENGTHS['GRCh38']['1']},IDX=4>",
            f"##contig=<ID=chr18,length={CONTIG_LENGTHS['GRCh38']['18']},IDX=7>", GT)
    path = tmp_path / "idx.vcf"
    path.write_text(vcf_text([record(P)], meta=meta))
    stats, out = run_extract(path, tmp_path)
    assert stats.records_kept == 1
    assert not any("assumed GRCh38" in note for note in stats.notes)  # lengths read and checked
    with pysam.VariantFile(str(out)) as vcf:
        assert vcf.header.contigs["chr18"].length == CONTIG_LENGTHS["GRCh38"]["18"]
    normalise(path, tmp_path / "n.vcf.gz")
    assert kept(tmp_path / "n.vcf.gz")[0][:2] == ("chr18", P)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("nochrom.vcf", "##fileformat=VCFv4.2\n" + CHR18 + "\n" + record(P) + "\n",
     r"nochrom\.vcf: the header has no #CHROM line"),
    ("dup.vcf", vcf_text([record(P)], samples=("S1", "S2", "S1")),
     r"dup\.vcf, line 4: sample 'S1' is named twice in the #CHROM line \(columns 10 and 12\)"),
    ("bom.vcf", "\ufeff" + vcf_text([record(P)]),
     r"bom\.vcf, line 1: the file starts with a byte-order mark \(BOM\)"),
    ("empty.vcf", "", r"empty\.vcf: the file is empty"),
])
def test_headers_htslib_refuses_get_one_error_saying_why(tmp_path, name, text, message):
    """bcftools refuses each of these ("could not parse header", "unknown file type")."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VcfError, match=message):
        run_extract(path, tmp_path)
    assert not (tmp_path / "out.vcf.gz").exists()


# ----------------------------------------------------------------- layout and size

def test_crlf_line_ends_are_read(tmp_path):
    path = tmp_path / "crlf.vcf"
    path.write_bytes(vcf_text([record(P), record(P + 5)]).replace("\n", "\r\n").encode())
    stats, out = run_extract(path, tmp_path)
    assert stats.records_kept == 2
    assert kept(out)[1] == ("chr18", P + 5, "A", ("G",), ("0/1", "1/1"))  # no '\r' left


def test_a_one_megabyte_info_value_is_kept_whole(tmp_path):
    meta = (CHR18, GT, '##INFO=<ID=BIG,Number=1,Type=String,Description="big">')
    path = tmp_path / "big.vcf"
    path.write_text(vcf_text([record(P, info="BIG=" + "ACGT" * 262_144)], meta=meta))
    _, out = run_extract(path, tmp_path)
    with pysam.VariantFile(str(out)) as vcf:
        assert len(next(iter(vcf)).info["BIG"]) == 1_048_576


def test_header_only_and_no_samples_give_results(tmp_path):
    only = tmp_path / "header_only.vcf"
    only.write_text(vcf_text([]))
    stats, out = run_extract(only, tmp_path)
    assert stats.records_kept == 0 and kept(out) == []
    assert normalise(only, tmp_path / "n0.vcf.gz").records_out == 0
    sites = tmp_path / "sites.vcf"
    sites.write_text("##fileformat=VCFv4.2\n" + CHR18 + "\n#CHROM\tPOS\tID\tREF\tALT\tQUAL"
                     f"\tFILTER\tINFO\nchr18\t{P}\t.\tA\tG,T\t50\tPASS\t.\n")
    stats, out = run_extract(sites, tmp_path, "sites.out.vcf.gz")
    assert stats.samples == 0 and stats.records_kept == 1
    assert normalise(sites, tmp_path / "n1.vcf.gz").records_out == 2
    assert [r[3] for r in kept(tmp_path / "n1.vcf.gz")] == [("G",), ("T",)]


def test_index_older_than_the_data_is_not_trusted(tmp_path):
    """A file whose records were reordered after indexing (tabix refuses to index unsorted
    records, so an index beside an unsorted file is an old one): bcftools would query the
    old index and miss or misplace records; cmmvar reads the file through and sorts."""
    plain = tmp_path / "s.vcf"
    plain.write_text(vcf_text([record(P), record(P + 10)]))
    data = tmp_path / "s.vcf.gz"
    pysam.tabix_compress(str(plain), str(data))
    pysam.tabix_index(str(data), preset="vcf")
    plain.write_text(vcf_text([record(P + 20), record(P), record(P + 10)]))
    data.unlink()
    pysam.tabix_compress(str(plain), str(data))
    index = Path(f"{data}.tbi")
    os.utime(index, (data.stat().st_mtime - 60,) * 2)
    stats, out = run_extract(data, tmp_path)
    assert stats.mode == "stream"
    assert any("s.vcf.gz.tbi is older than the file" in note for note in stats.notes)
    assert [r[1] for r in kept(out)] == [P, P + 10, P + 20]


def test_non_numeric_pos_names_the_line(tmp_path):
    """htslib 1.21 refuses it ("Could not parse the position"); Debian's bcftools 1.16 reads
    '12x' as 12, a silent guess about a position: cmmvar stops."""
    path = tmp_path / "pos.vcf"
    path.write_text(vcf_text([record(P), record("12x")]))
    with pytest.raises(VcfError, match=r"pos\.vcf, line 6: malformed record: chr18:12x POS "
                                       r"'12x' is not a number \(fix or remove this record: "
                                       r"POS is a whole number\)"):
        run_extract(path, tmp_path)


def test_a_format_key_listed_twice_names_the_line(tmp_path):
    """htslib-test's noroundtrip.vcf: `GT:GT`. bcftools 1.16 writes it back as GT `2,4`,
    htslib 1.21 refuses it ("invalid tag"): one error that names the line and the key."""
    path = tmp_path / "twice.vcf"
    path.write_text(vcf_text([record(P), record(P + 1).replace("\tGT\t0/1", "\tGT:GT\t0/1")]))
    with pytest.raises(VcfError, match=r"twice\.vcf, line 6: malformed record: chr18:\d+ "
                                       r"lists the FORMAT key GT twice"):
        run_extract(path, tmp_path)


# ----------------------------------------------------------------- complete headers

def test_extract_declares_what_the_records_use(tmp_path):
    """Records using INFO/FORMAT keys and a FILTER that the header lacks: the output header
    declares them (VCF reserved keys as the specification defines them), so a reader of the
    output needs no guess; stats name each with the first record that used it."""
    path = tmp_path / "undeclared.vcf"
    path.write_text(vcf_text(
        [f"chr18\t{P}\t.\tG\tA,T\t50\tq10\tAA=G;FOO;XY=1,2\tGT:AD:QQ\t1/2:1,5,6:a\t0|1:3,3,0:."],
        meta=(CHR18,)))
    stats, out = run_extract(path, tmp_path)
    with pysam.VariantFile(str(out)) as vcf:
        header = vcf.header
        declared = {(kind, key): (meta.number, meta.type)
                    for kind, metas in (("INFO", header.info), ("FORMAT", header.formats))
                    for key, meta in metas.items()}
        assert "q10" in header.filters
    assert declared == {("INFO", "AA"): (1, "String"), ("INFO", "FOO"): (0, "Flag"),
                        ("INFO", "XY"): (".", "String"), ("FORMAT", "GT"): (1, "String"),
                        ("FORMAT", "AD"): ("R", "Integer"), ("FORMAT", "QQ"): (".", "String")}
    assert stats.header_completed[:2] == [
        f"FILTER q10 is used (first at chr18:{P}) but not declared in the header: declared",
        f"INFO AA is used (first at chr18:{P}) but not declared in the header: declared as "
        "the VCF specification defines it (Number=1, Type=String)"]
    assert len(stats.header_completed) == 7


def test_positions_beyond_what_tbi_addresses_get_a_csi_index(tmp_path):
    """htslib-test's large_chr.vcf (chr20 at 2,147,483,647): before, building the .tbi
    failed with OSError. A .tbi addresses positions below 2^29 = 536,870,912."""
    big = 2**29
    genes = [Gene("BIG", "HGNC:0", "ENSG0", "ENST0", "20", big - 10, big + 10, "+", "AD", 0.5,
                  None, None, 0.001, 1e-4, "core", "", "")]
    path = tmp_path / "large.vcf"
    path.write_text(vcf_text([record(big - 1).replace("chr18", "chr20"),
                              record(big).replace("chr18", "chr20")],
                             meta=("##contig=<ID=chr20,length=2147483647>", GT)))
    out = tmp_path / "large.out.vcf.gz"
    stats = extract(path, genes, "GRCh38", out, padding=0)
    assert stats.index == ".csi" and Path(f"{out}.csi").exists()
    with pysam.VariantFile(str(out)) as vcf:
        assert [r.pos for r in vcf.fetch("chr20", big - 1, big)] == [big]
    normalised = tmp_path / "n.vcf.gz"
    normalise(out, normalised)
    assert Path(f"{normalised}.csi").exists() and len(kept(normalised)) == 2


def test_command_line_errors_are_one_line_without_traceback(tmp_path):
    path = tmp_path / "dup.vcf"
    path.write_text(vcf_text([record(P)], samples=("S1", "S1")))
    run = subprocess.run(
        [sys.executable, "-m", "cmmvar.cli", "extract", "--vcf", str(path), "--panel",
         str(ROOT / "config" / "panels" / "cmm.tsv"), "--build", "GRCh38", "--out",
         str(tmp_path / "o.vcf.gz")], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        f"cmmvar: error: {path}, line 4: sample 'S1' is named twice in the #CHROM line "
        "(columns 10 and 11) (give each sample column a unique name, e.g. with bcftools "
        "reheader --samples)"]


def test_a_reserved_key_whose_values_do_not_fit_is_declared_as_a_string(tmp_path):
    """FORMAT DP is reserved as Number=1 Integer, but one value here is '12.5': declaring it
    Integer would make the output unreadable, so it is declared Number=. String."""
    path = tmp_path / "dp.vcf"
    path.write_text(vcf_text([record(P).replace("\tGT\t0/1\t1/1", "\tGT:DP\t0/1:12.5\t1/1:9")],
                             meta=(CHR18, GT)))
    stats, out = run_extract(path, tmp_path)
    with pysam.VariantFile(str(out)) as vcf:
        assert (vcf.header.formats["DP"].number, vcf.header.formats["DP"].type) == (".", "String")
        assert next(iter(vcf)).samples["S1"]["DP"] == ("12.5",)
    assert stats.header_completed == [f"FORMAT DP is used (first at chr18:{P}) but not declared "
                                      "in the header: declared (Number=., Type=String)"]
