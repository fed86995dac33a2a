"""A local HTTP server (127.0.0.1, never the internet) with byte ranges, serving small files in
the real layouts of the offline resources: Ensembl per-chromosome GFF3 in a listed folder, a
bgzipped FASTA with .fai/.gzi (dna_index), a ClinVar VCF with .tbi, and per-chromosome gnomAD
sites VCFs with .tbi read by remote tabix, which needs byte ranges (http.server's
SimpleHTTPRequestHandler answers them with the whole file).

Shared by tests/unit/test_build_resources.py and tests/workflow/test_build_resources_rule.py;
the `site` fixture (tests/conftest.py) runs it.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import re
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pysam

from cmmvar.io.genome import CONTIG_LENGTHS
from cmmvar.io.panel import REQUIRED

# The fixture chromosomes hold 50 kb of sequence; headers and indexes state the lengths of the
# build they claim (GRCh38 unless a test says otherwise), as the real files do.
CONTIG = 50_000
# Two panel genes, on chromosomes 15 and 18 (bare names, as in the panel).
PANEL = [
    {"symbol": "GENEA", "ensembl_gene": "ENSG00000000001", "mane_transcript": "ENST00000000011.3",
     "chrom": "18", "start": 30000, "end": 31000},
    {"symbol": "GENEB", "ensembl_gene": "ENSG00000000002", "mane_transcript": "ENST00000000021.1",
     "chrom": "15", "start": 5000, "end": 6000},
]


class RangeHandler(SimpleHTTPRequestHandler):
    """Files with `Range: bytes=a-b` / `bytes=a-` answered by 206 and the bytes asked for."""

    def log_message(self, *args):
        self.server.seen.append(f"{self.requestline} {self.headers.get('Range', '')}".strip())

    def send_head(self):
        path = self.translate_path(self.path)
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match is None or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        if start >= size:
            self.send_error(416, "Requested Range Not Satisfiable")
            return None
        with open(path, "rb") as handle:
            handle.seek(start)
            data = handle.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(path))))
        self.end_headers()
        return io.BytesIO(data)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # htslib closes a connection as soon as it has the blocks it needs.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# --- fixture files


def write_panel(path: Path) -> None:
    rows = []
    for gene in PANEL:
        row = dict.fromkeys(REQUIRED, "x")
        row.update(symbol=gene["symbol"], hgnc_id="HGNC:1", ensembl_gene=gene["ensembl_gene"],
                   mane_transcript=gene["mane_transcript"], chrom=gene["chrom"],
                   start_grch38=gene["start"], end_grch38=gene["end"],
                   start_grch37=gene["start"], end_grch37=gene["end"], strand="+",
                   inheritance="AD", penetrance=0.5, phenocopy_rate=0.001,
                   max_allele_frequency=1e-5, tier="core")
        rows.append(row)
    lines = ["\t".join(REQUIRED)] + ["\t".join(str(r[c]) for c in REQUIRED) for r in rows]
    path.write_text("\n".join(lines) + "\n")


def gff3_lines(chrom: str, gene: dict, build: str = "GRCh38") -> list[str]:
    """Ensembl GFF3 of one chromosome: the panel gene with its MANE transcript and another
    transcript, and a gene that is not in the panel."""
    g, tx = gene["ensembl_gene"], gene["mane_transcript"].split(".")[0]
    other_tx, version = tx[:-1] + "9", gene["mane_transcript"].split(".")[1]
    s, e = gene["start"], gene["end"]

    def row(kind, start, end, attrs, phase="."):
        return f"{chrom}\tensembl_havana\t{kind}\t{start}\t{end}\t.\t+\t{phase}\t{attrs}"

    return [
        "##gff-version 3", f"##sequence-region   {chrom} 1 {CONTIG_LENGTHS[build][chrom]}",
        f"#!genome-build  {build}", f"#!genome-version {build}",
        row("gene", s, e, f"ID=gene:{g};Name={gene['symbol']};biotype=protein_coding;"
                          f"gene_id={g};version=5"),
        row("mRNA", s, e, f"ID=transcript:{tx};Parent=gene:{g};biotype=protein_coding;"
                          f"tag=basic,Ensembl_canonical,MANE_Select;transcript_id={tx};"
                          f"version={version}"),
        row("five_prime_UTR", s, s + 49, f"Parent=transcript:{tx}"),
        row("exon", s, s + 299, f"Parent=transcript:{tx};Name=ENSE1;rank=1"),
        row("CDS", s + 50, s + 299, f"ID=CDS:ENSP1;Parent=transcript:{tx}", "0"),
        row("exon", e - 299, e, f"Parent=transcript:{tx};Name=ENSE2;rank=2"),
        row("CDS", e - 299, e - 100, f"ID=CDS:ENSP1;Parent=transcript:{tx}", "2"),
        row("three_prime_UTR", e - 99, e, f"Parent=transcript:{tx}"),
        "###",
        row("mRNA", s, e - 500, f"ID=transcript:{other_tx};Parent=gene:{g};"
                                f"biotype=protein_coding;transcript_id={other_tx};version=1"),
        row("exon", s, s + 299, f"Parent=transcript:{other_tx};Name=ENSE3;rank=1"),
        "###",
        row("gene", 20000, 21000, "ID=gene:ENSG00000000099;Name=OTHER;"
                                  "biotype=protein_coding;gene_id=ENSG00000000099;version=1"),
        row("mRNA", 20000, 21000, "ID=transcript:ENST00000000099;Parent=gene:ENSG00000000099;"
                                  "tag=MANE_Select;transcript_id=ENST00000000099;version=1"),
        row("exon", 20000, 21000, "Parent=transcript:ENST00000000099;rank=1"),
        "###",
    ]


GNOMAD_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##INFO=<ID=AC_joint,Number=A,Type=Integer,Description="Alternate allele count">
##INFO=<ID=AN_joint,Number=1,Type=Integer,Description="Total number of alleles">
##INFO=<ID=AF_joint,Number=A,Type=Float,Description="Alternate allele frequency">
##INFO=<ID=AF_grpmax_joint,Number=A,Type=Float,Description="Maximum allele frequency">
##INFO=<ID=grpmax_joint,Number=A,Type=String,Description="Group with maximum AF">
##INFO=<ID=fafmax_faf95_max_joint,Number=A,Type=Float,Description="Filtering AF">
##INFO=<ID=age_hist_het_bin_freq_joint,Number=A,Type=String,Description="Histogram">
##INFO=<ID=vep,Number=.,Type=String,Description="Consequence annotations from VEP">
##contig=<ID=chr15,length=101991189>
##contig=<ID=chr18,length=80373285>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
"""

# (chrom, pos): in the panel regions (genes +- 100) or not.
GNOMAD_SITES = {
    "15": [(4899, False), (4900, True), (5500, True), (6100, True), (6101, False),
           (9000, False)],
    "18": [(29899, False), (29900, True), (30500, True), (31100, True), (31101, False),
           (45000, False)],  # and filler before them
}


def gnomad_record(chrom: str, pos: int) -> str:
    info = ("AC_joint=2;AN_joint=152000;AF_joint=1.3e-05;AF_grpmax_joint=2.1e-05;"
            "grpmax_joint=nfe;fafmax_faf95_max_joint=4.5e-06;"
            "age_hist_het_bin_freq_joint=0|1|0;vep=A|missense_variant|MODERATE|X")
    return f"chr{chrom}\t{pos}\t.\tC\tT\t.\tPASS\t{info}"


def clinvar_text(build: str) -> str:
    """A ClinVar VCF: like the real one, no contig lines; the build on ##reference."""
    return ("##fileformat=VCFv4.1\n##fileDate=2025-06-01\n##source=ClinVar\n"
            f"##reference={build}\n"
            '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance">\n'
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
            "15\t5500\t1001\tC\tT\t.\t.\tCLNSIG=Pathogenic\n"
            "18\t1500\t1002\tC\tT\t.\t.\tCLNSIG=Benign\n")


def set_fai_lengths(fai: Path, build: str) -> None:
    """State the chromosome lengths of `build` in a .fai (offsets unchanged)."""
    rows = [line.split("\t") for line in fai.read_text().splitlines()]
    fai.write_text("".join("\t".join([r[0], str(CONTIG_LENGTHS[build][r[0]]), *r[2:]]) + "\n"
                           for r in rows))


def bgzip_and_index(text: str, target: Path, preset: str) -> None:
    plain = target.with_suffix(".plain")
    plain.write_text(text)
    pysam.tabix_compress(str(plain), str(target), force=True)
    plain.unlink()
    pysam.tabix_index(str(target), preset=preset, force=True)


def serve(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], Server]]:
    """The served folder, the sequences of the FASTA, and the running server (stopped when
    the generator is closed): the body of the `site` fixture of tests/conftest.py."""
    root = tmp_path / "www"
    (root / "gff3").mkdir(parents=True)
    for gene in PANEL:
        name = f"Homo_sapiens.GRCh38.113.chromosome.{gene['chrom']}.gff3.gz"
        (root / "gff3" / name).write_bytes(
            gzip.compress(("\n".join(gff3_lines(gene["chrom"], gene)) + "\n").encode()))
    (root / "gff3" / "Homo_sapiens.GRCh38.113.gff3.gz").write_bytes(gzip.compress(b"#\n"))

    rng = random.Random(7)
    sequences = {c: "".join(rng.choice("ACGT") for _ in range(CONTIG)) for c in ("15", "18")}
    (root / "fasta").mkdir()
    plain = root / "fasta" / "genome.fa"
    plain.write_text("".join(f">{c} dna:chromosome\n" + "\n".join(
        s[i:i + 60] for i in range(0, CONTIG, 60)) + "\n" for c, s in sequences.items()))
    fasta = root / "fasta" / "Homo_sapiens.GRCh38.dna.toplevel.fa.gz"
    pysam.tabix_compress(str(plain), str(fasta), force=True)
    plain.unlink()
    pysam.faidx(str(fasta))
    set_fai_lengths(fasta.with_name(fasta.name + ".fai"), "GRCh38")

    (root / "clinvar").mkdir()
    bgzip_and_index(clinvar_text("GRCh38"), root / "clinvar" / "clinvar.vcf.gz", "vcf")

    (root / "gnomad").mkdir()
    for chrom, sites in GNOMAD_SITES.items():
        text = GNOMAD_HEADER + "".join(gnomad_record(chrom, p) + "\n" for p, _ in sites)
        if chrom == "18":
            # Before the gene, 2.5 MB of incompressible records: htslib reads through gaps
            # under 1 MB (MIN_SEEK_FORWARD, hfile_libcurl.c) but must skip this one by a
            # range request.
            filler = "".join(f"{gnomad_record(chrom, p)};n={rng.getrandbits(1600):x}\n"
                             for p in range(1, 25000, 2))
            text = GNOMAD_HEADER + filler + text[len(GNOMAD_HEADER):]
        bgzip_and_index(text, root / "gnomad" / f"gnomad.joint.v4.1.sites.chr{chrom}.vcf.bgz",
                        "vcf")

    httpd = Server(("127.0.0.1", 0), lambda *a, **k: RangeHandler(*a, directory=str(root), **k))
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, sequences, httpd
    httpd.shutdown()
    httpd.server_close()


def base_urls(httpd) -> dict:
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    return {"gff3_dir": f"{base}/gff3/",
            "fasta": f"{base}/fasta/Homo_sapiens.GRCh38.dna.toplevel.fa.gz",
            "ensembl_rest": f"{base}/rest", "clinvar": f"{base}/clinvar/clinvar.vcf.gz",
            "gnomad": f"{base}/gnomad/gnomad.joint.v4.1.sites.chr{{chrom}}.vcf.bgz"}
