"""cmmvar.annotate.resources and scripts/build_resources.py against a local server with HTTP ranges.

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

from cmmvar.annotate.databases import Gnomad
from cmmvar.annotate.online_http import Http, ServiceError
from cmmvar.annotate.resources import build_resources, sources_for
from cmmvar.errors import BuildMismatchError, InputError
from cmmvar.io.genome import CONTIG_LENGTHS
from cmmvar.io.panel import REQUIRED
from cmmvar.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[2]
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
    assert "##sequence-region   15 1 101991189" in lines
    assert "##sequence-region   18 1 80373285" in lines
    assert manifest["files"]["transcripts.gff3"]["version"] == "Ensembl 113"
    # ClinVar has no contig lines; its build is taken from ##reference (as in the real file)
    assert manifest["notes"] == [
        f"{manifest['sources']['clinvar']}: build GRCh38 taken from the ##reference header "
        f"line (no contig lengths to check)"]


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
    (rest / "info" / "assembly" / "homo_sapiens").mkdir(parents=True)
    (rest / "info" / "software").write_text('{"release": 113}')
    for chrom in ("15", "18"):  # as GET info/assembly/homo_sapiens/18 answers
        (rest / "info" / "assembly" / "homo_sapiens" / chrom).write_text(json.dumps(
            {"length": CONTIG_LENGTHS["GRCh38"][chrom], "assembly_name": "GRCh38",
             "coordinate_system": "chromosome", "is_chromosome": 1}))
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
    assert manifest["files"]["reference.fa.gz"]["version"] == "GRCh38; Ensembl 113"


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
                            f"(each source can be replaced: --base-urls of "
                            f"scripts/build_resources.py, or resource_sources in the config), "
                            f"then re-run)")
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


# --- bad input: one clear message each, nothing written


def build(httpd, tmp_path, build_name: str = "GRCh38") -> Path:
    panel = tmp_path / "panel.tsv"
    write_panel(panel)
    out = tmp_path / "resources"
    build_resources(build_name, panel, out, sources=sources_for(build_name, base_urls(httpd)),
                    http=Http(timeout=10, max_retries=0))
    return out


def other_build_hint(source: str) -> str:
    return (f"(give the GRCh38 file as source {source} (--base-urls of "
            f"scripts/build_resources.py, or resource_sources in the config), or build the "
            f"GRCh37 resources)")


def on_grch37(root: Path, which: str) -> str:
    """Replace one served file with its GRCh37 counterpart; return its URL path."""
    if which == "gff3_dir":
        name = "gff3/Homo_sapiens.GRCh38.113.chromosome.15.gff3.gz"
        (root / name).write_bytes(gzip.compress(
            ("\n".join(gff3_lines("15", PANEL[1], "GRCh37")) + "\n").encode()))
    elif which == "fasta":
        name = "fasta/Homo_sapiens.GRCh38.dna.toplevel.fa.gz"
        set_fai_lengths(root / (name + ".fai"), "GRCh37")
    elif which == "clinvar":
        name = "clinvar/clinvar.vcf.gz"
        bgzip_and_index(clinvar_text("GRCh37"), root / name, "vcf")
    else:
        name = "gnomad/gnomad.joint.v4.1.sites.chr15.vcf.bgz"
        header = GNOMAD_HEADER.replace("length=101991189", "length=102531392")
        text = header + "".join(gnomad_record("15", p) + "\n" for p, _ in GNOMAD_SITES["15"])
        bgzip_and_index(text, root / name, "vcf")
    return name


@pytest.mark.parametrize(("which", "said"), [
    ("gff3_dir", "15 has length 102,531,392, the GRCh37 length (GRCh38: 101,991,189)"),
    ("fasta", "15 has length 102,531,392, the GRCh37 length (GRCh38: 101,991,189); 18 has "
              "length 78,077,248, the GRCh37 length (GRCh38: 80,373,285)"),
    ("gnomad", "chr15 has length 102,531,392, the GRCh37 length (GRCh38: 101,991,189)"),
])
def test_a_resource_on_the_other_build_is_refused_by_its_contig_lengths(site, tmp_path, which,
                                                                         said):
    root, _, httpd = site
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{on_grch37(root, which)}"
    with pytest.raises(BuildMismatchError) as caught:
        build(httpd, tmp_path)
    assert str(caught.value) == (f"{url}: the file is on GRCh37, not on the configured "
                                 f"GRCh38: {said} {other_build_hint(which)}")
    assert list((tmp_path / "resources").iterdir()) == []


def test_clinvar_of_the_other_build_is_refused_by_its_reference_line(site, tmp_path):
    root, _, httpd = site
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{on_grch37(root, 'clinvar')}"
    with pytest.raises(BuildMismatchError) as caught:
        build(httpd, tmp_path)
    assert str(caught.value) == (f"{url}: the header says ##reference=GRCh37, not the "
                                 f"configured GRCh38 {other_build_hint('clinvar')}")
    assert list((tmp_path / "resources").iterdir()) == []


def test_ensembl_rest_host_of_the_other_build_is_refused(site, tmp_path):
    root, _, httpd = site
    (root / "fasta" / "Homo_sapiens.GRCh38.dna.toplevel.fa.gz.fai").unlink()  # REST fallback
    rest = root / "rest"
    (rest / "info" / "assembly" / "homo_sapiens").mkdir(parents=True)
    (rest / "info" / "software").write_text('{"release": 113}')
    for chrom in ("15", "18"):  # grch37.rest.ensembl.org's lengths
        (rest / "info" / "assembly" / "homo_sapiens" / chrom).write_text(
            json.dumps({"length": CONTIG_LENGTHS["GRCh37"][chrom]}))
    with pytest.raises(BuildMismatchError, match=r"/rest/info/assembly/homo_sapiens: the file "
                                                 r"is on GRCh37, not on the configured GRCh38"):
        build(httpd, tmp_path)
    assert not [r for r in httpd.seen if "/sequence/region/" in r]  # refused before reading


def corrupt(path: Path) -> None:
    path.write_bytes(gzip.compress(b"TBI\x01" + bytes(range(256)) * 4))


def test_a_corrupt_remote_tabix_index_is_named_by_its_url(site, tmp_path):
    root, _, httpd = site
    corrupt(root / "gnomad" / "gnomad.joint.v4.1.sites.chr15.vcf.bgz.tbi")
    url = f"http://127.0.0.1:{httpd.server_address[1]}/gnomad/gnomad.joint.v4.1.sites.chr15.vcf.bgz"
    with pytest.raises(InputError) as caught:
        build(httpd, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{url}.tbi: corrupt, or not the tabix index of {url} (")
    assert message.endswith("(check the URL; the index must be the one made for this bgzipped "
                            "VCF)")
    assert message.count("\n") == 0
    assert list((tmp_path / "resources").iterdir()) == []


def test_a_corrupt_clinvar_index_is_named_by_its_url(site, tmp_path):
    root, _, httpd = site
    corrupt(root / "clinvar" / "clinvar.vcf.gz.tbi")
    url = f"http://127.0.0.1:{httpd.server_address[1]}/clinvar/clinvar.vcf.gz"
    with pytest.raises(InputError) as caught:
        build(httpd, tmp_path)
    assert str(caught.value) == (f"{url}: the index {url}.tbi is corrupt or unreadable (check "
                                 f"the URL; the index must be the one made for this bgzipped "
                                 f"VCF)")


def test_a_corrupt_remote_fasta_index_is_named_by_its_url(site, tmp_path):
    root, _, httpd = site
    (root / "fasta" / "Homo_sapiens.GRCh38.dna.toplevel.fa.gz.gzi").write_bytes(b"\x07" * 40)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/fasta/Homo_sapiens.GRCh38.dna.toplevel.fa.gz"
    with pytest.raises(InputError) as caught:
        build(httpd, tmp_path)
    assert str(caught.value).startswith(f"{url}: its index ({url}.fai, {url}.gzi) is corrupt, "
                                        f"or not that of this FASTA (")


# --- the manifest, read back


def test_manifest_says_where_when_and_which_version_for_every_file(built):
    out, manifest, _, _ = built
    assert manifest["build"] == "GRCh38" and manifest["padding"] == 100
    assert manifest["cmmvar_version"]
    downloaded = {n: e for n, e in manifest["files"].items() if "source_urls" in e}
    assert set(downloaded) == {"transcripts.gff3", "reference.fa.gz", "clinvar.vcf.gz",
                               "clinvar.vcf.gz.tbi", "gnomad.vcf.gz"}
    for name, entry in downloaded.items():
        assert entry["source_urls"] and entry["version"] and entry["downloaded"], name
    assert manifest["files"]["reference.fa.gz"]["version"].startswith("GRCh38; Last-Modified ")
    derived = {n: e["derived_from"] for n, e in manifest["files"].items() if "derived_from" in e}
    assert derived == {"reference.fa.gz.fai": "reference.fa.gz",
                       "reference.fa.gz.gzi": "reference.fa.gz",
                       "gnomad.vcf.gz.tbi": "gnomad.vcf.gz"}
    assert read_manifest(out / "manifest.json") == manifest


def test_read_manifest_refuses_a_file_changed_after_the_build(built):
    out = built[0]
    (out / "transcripts.gff3").write_text("##gff-version 3\n")
    with pytest.raises(InputError) as caught:
        read_manifest(out / "manifest.json")
    assert str(caught.value) == (
        f"{out / 'manifest.json'}: {out / 'transcripts.gff3'} is not the file the manifest "
        f"describes (its sha256 differs: changed after build_resources made it) (rebuild the "
        f"resources, or delete the manifest if the file was replaced on purpose)")
    read_manifest(out / "manifest.json", verify=False)  # what it says can still be read


def test_read_manifest_of_something_else_says_so(tmp_path):
    (tmp_path / "manifest.json").write_text('{"files": {}}')
    with pytest.raises(InputError, match="not a cmmvar resource manifest: no build, "
                                         "cmmvar_version, created"):
        read_manifest(tmp_path / "manifest.json")
    with pytest.raises(InputError, match="resource manifest not found"):
        read_manifest(tmp_path / "nothing.json")


def test_a_gff3_that_is_not_gzipped_is_named_by_its_url(site, tmp_path):
    root, _, httpd = site
    name = "gff3/Homo_sapiens.GRCh38.113.chromosome.15.gff3.gz"
    (root / name).write_text("\n".join(gff3_lines("15", PANEL[1])) + "\n")  # plain text
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{name}"
    with pytest.raises(InputError) as caught:
        build(httpd, tmp_path)
    assert str(caught.value).startswith(f"{url}: not a gzipped GFF3 (")


def test_a_clinvar_url_that_is_not_a_vcf_is_named(site, tmp_path):
    root, _, httpd = site
    (root / "clinvar" / "clinvar.vcf.gz").write_bytes(gzip.compress(b"<html>moved</html>\n"))
    url = f"http://127.0.0.1:{httpd.server_address[1]}/clinvar/clinvar.vcf.gz"
    with pytest.raises(InputError) as caught:
        build(httpd, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{url}: not a readable VCF or BCF (")
    assert message.endswith("(check the URL: it must name a bgzipped VCF)")


def test_reports_quote_the_manifest_and_notice_a_changed_file(built):
    """cmmvar.provenance.resource_record (what report.json and run_info.json quote) reads
    this manifest: source, release and download date of each file, and says so when a file
    no longer matches the checksum the manifest recorded."""
    from cmmvar.provenance import resource_record

    out, manifest, _, _ = built
    record = resource_record(out / "clinvar.vcf.gz")
    entry = manifest["files"]["clinvar.vcf.gz"]
    assert record["manifest"]["source_urls"] == entry["source_urls"]
    assert record["manifest"]["version"] == entry["version"]
    assert record["sha256"] == entry["sha256"] and "note" not in record["manifest"]
    with open(out / "clinvar.vcf.gz", "ab") as handle:
        handle.write(b"\0")
    assert "differs" in resource_record(out / "clinvar.vcf.gz")["manifest"]["note"]


def test_quoting_a_manifest_loads_no_network_library(tmp_path):
    """Offline runs quote the build manifest beside resources that build_resources made;
    reading it must not import requests (urllib3 opens a socket at import, an IPv6 probe),
    so an offline run on built resources opens no socket (tests/workflow/test_offline.py
    proves it on the demo, whose resources have no manifest)."""
    (tmp_path / "clinvar.vcf.gz").write_bytes(b"x")
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"build": "GRCh38", "cmmvar_version": "0", "created": "2026-01-01",
         "files": {"clinvar.vcf.gz": {"version": "2026-11-02", "sha256": "0" * 64}}}))
    code = ("import sys; from cmmvar.manifest import manifest_entry; "
            f"entry = manifest_entry({str(tmp_path / 'clinvar.vcf.gz')!r}); "
            "assert entry['version'] == '2026-11-02' and 'checksum' in entry['note'], entry; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('requests', 'urllib3', 'socket', 'http')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "requests" not in run.stdout and "urllib3" not in run.stdout, run.stdout
