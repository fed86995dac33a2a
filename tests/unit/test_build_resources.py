"""cmmvar.resources and scripts/build_resources.py against a local server with HTTP ranges.

The server (127.0.0.1, never the internet) serves small files in the real layouts: Ensembl
per-chromosome GFF3 in a listed folder, a bgzipped FASTA with .fai/.gzi (dna_index), a ClinVar
VCF with .tbi, and per-chromosome gnomAD sites VCFs with .tbi read by remote tabix, which needs
byte ranges (http.server's SimpleHTTPRequestHandler answers them with the whole file).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pysam
import pytest

from cmmvar.databases import Gnomad
from cmmvar.online import Http, ServiceError
from cmmvar.panel import REQUIRED
from cmmvar.resources import build_resources, sources_for

ROOT = Path(__file__).resolve().parents[2]
CONTIG = 50_000  # length of the fixture chromosomes
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


def gff3_lines(chrom: str, gene: dict) -> list[str]:
    """Ensembl GFF3 of one chromosome: the panel gene with its MANE transcript and another
    transcript, and a gene that is not in the panel."""
    g, tx = gene["ensembl_gene"], gene["mane_transcript"].split(".")[0]
    other_tx, version = tx[:-1] + "9", gene["mane_transcript"].split(".")[1]
    s, e = gene["start"], gene["end"]

    def row(kind, start, end, attrs, phase="."):
        return f"{chrom}\tensembl_havana\t{kind}\t{start}\t{end}\t.\t+\t{phase}\t{attrs}"

    return [
        "##gff-version 3", f"##sequence-region   {chrom} 1 {CONTIG}",
        "#!genome-build  GRCh38.p14", "#!genome-version GRCh38",
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
##contig=<ID=chr15,length=50000>
##contig=<ID=chr18,length=50000>
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


def bgzip_and_index(text: str, target: Path, preset: str) -> None:
    plain = target.with_suffix(".plain")
    plain.write_text(text)
    pysam.tabix_compress(str(plain), str(target), force=True)
    plain.unlink()
    pysam.tabix_index(str(target), preset=preset, force=True)


@pytest.fixture
def site(tmp_path):
    """The served folder, the sequences of the FASTA, and the running server."""
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

    (root / "clinvar").mkdir()
    clinvar = ("##fileformat=VCFv4.1\n##fileDate=2025-06-01\n##source=ClinVar\n"
               "##reference=GRCh38\n"
               '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance">\n'
               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
               "15\t5500\t1001\tC\tT\t.\t.\tCLNSIG=Pathogenic\n"
               "18\t1500\t1002\tC\tT\t.\t.\tCLNSIG=Benign\n")
    bgzip_and_index(clinvar, root / "clinvar" / "clinvar.vcf.gz", "vcf")

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


@pytest.fixture
def built(site, tmp_path):
    root, sequences, httpd = site
    panel = tmp_path / "panel.tsv"
    write_panel(panel)
    out = tmp_path / "resources"
    manifest = build_resources("GRCh38", panel, out, padding=100,
                               sources=sources_for("GRCh38", base_urls(httpd)),
                               http=Http(timeout=10, max_retries=0))
    return out, manifest, sequences, httpd


# --- tests


def test_gnomad_slice_holds_exactly_the_records_in_the_panel_regions(built):
    out, manifest, _, httpd = built
    with pysam.VariantFile(str(out / "gnomad.vcf.gz")) as vcf:
        got = [(r.chrom, r.pos) for r in vcf.fetch()]
        info = set(vcf.header.info.keys())
    expected = [(f"chr{c}", p) for c in ("15", "18") for p, inside in GNOMAD_SITES[c] if inside]
    assert got == expected
    # the fields cmmvar reads stay; VEP strings and histograms go
    assert info == {"AC_joint", "AN_joint", "AF_joint", "AF_grpmax_joint", "grpmax_joint",
                    "fafmax_faf95_max_joint"}
    assert manifest["files"]["gnomad.vcf.gz"]["regions"] == ["15:4900-6100", "18:29900-31100"]
    # no /release/4.1/ in the local URL: the version is what the server says
    assert manifest["files"]["gnomad.vcf.gz"]["version"].startswith("Last-Modified ")
    # htslib read the remote file by byte ranges, from the block of the first region on
    reads = [line for line in httpd.seen if "GET /gnomad/gnomad.joint.v4.1.sites.chr18" in line]
    assert any(re.search(r"bytes=[1-9]\d*-", line) for line in reads), reads


def test_gnomad_slice_is_read_by_the_offline_annotator(built):
    out = built[0]
    with Gnomad(out / "gnomad.vcf.gz", "GRCh38") as gnomad:
        record = gnomad.lookup("chr18", 30500, "C", "T")
    assert (record.af, record.af_grpmax, record.grpmax, record.faf95_max, record.an) == \
        (pytest.approx(1.3e-05), pytest.approx(2.1e-05), "nfe", pytest.approx(4.5e-06), 152000)


def test_gff3_holds_only_the_panel_transcripts_and_their_parts(built):
    out, manifest, _, _ = built
    lines = (out / "transcripts.gff3").read_text().splitlines()
    assert lines[0] == "##gff-version 3"
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    assert {r[2] for r in rows} == {"gene", "mRNA", "five_prime_UTR", "exon", "CDS",
                                    "three_prime_UTR"}
    text = "\n".join(lines)
    assert "ENST00000000011" in text and "ENST00000000021" in text
    assert "ENST00000000019" not in text and "ENST00000000029" not in text  # other transcripts
    assert "ENSG00000000099" not in text  # a gene not in the panel
    assert len(rows) == 2 * 8
    assert "##sequence-region   15 1 50000" in lines and "##sequence-region   18 1 50000" in lines
    assert manifest["files"]["transcripts.gff3"]["version"] == "Ensembl 113"
    assert manifest["notes"] == []


def test_reference_keeps_coordinates_and_the_sequence_around_the_genes(built):
    out, _, sequences, _ = built
    with pysam.FastaFile(str(out / "reference.fa.gz")) as fasta:
        assert set(fasta.references) == {"15", "18"}
        # gene 18:30000-31000, padding 100, flank 10 kb -> 19900..41100, N before
        assert fasta.get_reference_length("18") == 41100
        assert fasta.fetch("18", 19899, 41100) == sequences["18"][19899:41100]
        assert fasta.fetch("18", 0, 19899) == "N" * 19899
        # gene 15:5000-6000 -> 1..16100
        assert fasta.fetch("15", 0, 16100) == sequences["15"][:16100]


def test_manifest_checksums_match_the_files(built):
    out, manifest, _, _ = built
    assert set(manifest["files"]) == {
        "transcripts.gff3", "reference.fa.gz", "reference.fa.gz.fai", "reference.fa.gz.gzi",
        "clinvar.vcf.gz", "clinvar.vcf.gz.tbi", "gnomad.vcf.gz", "gnomad.vcf.gz.tbi"}
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest(), name
    assert json.loads((out / "manifest.json").read_text()) == manifest
    clinvar = manifest["files"]["clinvar.vcf.gz"]
    assert clinvar["version"] == "fileDate 2025-06-01"
    assert clinvar["source_urls"][0].endswith("/clinvar/clinvar.vcf.gz")
    assert clinvar["last_modified"] and clinvar["downloaded"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*manifest["files"],
                                                            "manifest.json"])


def test_reference_falls_back_to_ensembl_rest_without_a_remote_index(site, tmp_path):
    root, sequences, httpd = site
    (root / "fasta" / "Homo_sapiens.GRCh38.dna.toplevel.fa.gz.gzi").unlink()
    rest = root / "rest"
    (rest / "info").mkdir(parents=True)
    (rest / "info" / "software").write_text('{"release": 113}')
    (rest / "sequence" / "region" / "human").mkdir(parents=True)
    for gene in PANEL:  # the windows cmmvar asks for: gene +- (100 + 10 kb)
        start, end = max(1, gene["start"] - 10_100), gene["end"] + 10_100
        name = f"{gene['chrom']}:{start}..{end}:1"
        (rest / "sequence" / "region" / "human" / name).write_text(
            sequences[gene["chrom"]][start - 1:end])
    panel = tmp_path / "panel.tsv"
    write_panel(panel)
    out = tmp_path / "resources"
    manifest = build_resources("GRCh38", panel, out, sources=sources_for("GRCh38",
                               base_urls(httpd)), http=Http(timeout=10, max_retries=0))
    with pysam.FastaFile(str(out / "reference.fa.gz")) as fasta:
        assert fasta.fetch("18", 19899, 41100) == sequences["18"][19899:41100]
        assert fasta.fetch("15", 0, 16100) == sequences["15"][:16100]
    assert manifest["files"]["reference.fa.gz"]["version"] == "Ensembl 113"


def test_remote_indexes_are_not_left_in_the_working_directory(site, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    panel = tmp_path / "panel.tsv"
    write_panel(panel)
    build_resources("GRCh38", panel, tmp_path / "out", sources=sources_for(
        "GRCh38", base_urls(site[2])), http=Http(timeout=10, max_retries=0))
    assert list(work.iterdir()) == []


def test_unreachable_server_gives_one_clear_error_and_writes_nothing(tmp_path):
    panel = tmp_path / "panel.tsv"
    write_panel(panel)
    out = tmp_path / "resources"
    urls = {k: v.replace("http://127.0.0.1:0", "http://127.0.0.1:9")
            for k, v in base_urls(type("S", (), {"server_address": ("", 0)})()).items()}
    with pytest.raises(ServiceError) as caught:
        build_resources("GRCh38", panel, out, sources=sources_for("GRCh38", urls),
                        http=Http(timeout=2, max_retries=1, backoff=0.01))
    message = str(caught.value)
    assert message.startswith("Ensembl FTP at http://127.0.0.1:9/gff3/ did not answer after "
                              "2 attempt(s) (connection failed: ")
    assert message.endswith(f"(nothing was written to {out}; check the network and the URL "
                            f"(each source can be replaced with --base-urls), then re-run)")
    assert list(out.iterdir()) == []


def test_script_reports_an_unknown_source_in_one_line(tmp_path):
    panel = tmp_path / "panel.tsv"
    write_panel(panel)
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_resources.py"), "--build", "GRCh38",
         "--panel", str(panel), "--out", str(tmp_path / "out"),
         "--base-urls", '{"gnomAD": "http://127.0.0.1:9/x"}'],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == ("cmmvar: error: unknown resource source(s) gnomAD; the sources "
                             "are gff3_dir, fasta, ensembl_rest, clinvar, gnomad\n")
