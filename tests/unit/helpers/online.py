"""Helpers of test_online.py, shared with other test modules."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DCC_TX = "ENST00000442544"


def vep_item(text: str) -> dict:
    """One element of a VEP REST region response, as the service writes it (fields of
    GRCh38 release 113 output with hgvs, mane, canonical, numbers: keys are VEP's output
    columns lower-cased, `consequence` renamed `consequence_terms`, YES written 1; ensembl-vep
    OutputFactory/JSON.pm)."""
    chrom, pos, _, ref, alt = text.split()[:5]
    pos = int(pos)
    return {
        "input": text, "id": ".", "assembly_name": "GRCh38", "seq_region_name": chrom,
        "start": pos, "end": pos + len(ref) - 1, "strand": 1, "allele_string": f"{ref}/{alt}",
        "most_severe_consequence": "missense_variant",
        "transcript_consequences": [
            {"gene_id": "ENSG00000187323", "gene_symbol": "DCC", "gene_symbol_source": "HGNC",
             "hgnc_id": "HGNC:2701", "transcript_id": DCC_TX, "biotype": "protein_coding",
             "impact": "MODERATE", "consequence_terms": ["missense_variant"], "exon": "3/29",
             "strand": 1, "variant_allele": alt, "canonical": 1, "mane_select": "NM_005215.4",
             "mane": ["MANE_Select"],
             "hgvsc": f"{DCC_TX}.7:c.{pos % 1000}{ref}>{alt}",
             "hgvsp": "ENSP00000389140.2:p.Val34Met", "protein_start": 34,
             "amino_acids": "V/M", "codons": "Gtg/Atg", "cds_start": 100},
            {"gene_id": "ENSG00000187323", "gene_symbol": "DCC", "transcript_id":
             "ENST00000581580", "biotype": "retained_intron", "impact": "MODIFIER",
             "consequence_terms": ["intron_variant", "non_coding_transcript_variant"],
             "intron": "2/4", "strand": 1, "variant_allele": alt,
             "hgvsc": "ENST00000581580.1:n.99-12G>A"},
        ],
    }


def myvariant_hit(query: str) -> dict:
    """One MyVariant.info hit for the fields cmmvar asks for (v1 layout)."""
    if query.endswith("del"):
        return {"query": query, "notfound": True}
    return {
        "query": query, "_id": query, "_version": 3,
        "cadd": {"_license": "http://bit.ly/2TIuab9", "phred": 24.3},
        "clinvar": {"_license": "http://bit.ly/2SQdcI0", "variant_id": 265046,
                    "rcv": [{"clinical_significance": "Pathogenic",
                             "review_status": "criteria provided, single submitter"},
                            {"clinical_significance": "Likely pathogenic",
                             "review_status": "no assertion criteria provided"}]},
        "dbnsfp": {"_license": "http://bit.ly/2VLnQBz", "revel": {"score": [0.612, 0.587]}},
        "gnomad_exome": {"_license": "http://bit.ly/2I1cl1I", "af": {
            "af": 1.2e-05, "af_afr": 0.0, "af_amr": 2.9e-05, "af_asj": 1e-04, "af_eas": 0.0,
            "af_fin": 0.0, "af_nfe": 1.8e-05, "af_nfe_swe": 5e-04, "af_oth": 0.0,
            "af_sas": 0.0, "af_female": 1.5e-05, "af_male": 9e-06}},
        "gnomad_genome": {"_license": "http://bit.ly/2I1cl1I", "af": {
            "af": 6.6e-06, "af_afr": 2.4e-05, "af_ami": 0.001, "af_mid": 0.002,
            "af_nfe": 0.0}},
    }


class Replay:
    """The server's script: responses to hold back (status, headers) per path, a count of
    POSTs after which every POST fails, answers chosen by content, variants left out of
    answers, and every request seen (method, path, url, headers, body)."""

    def __init__(self):
        self.seen: list[dict] = []
        # path -> answers given before the real one: (status, headers[, raw body])
        self.held: dict[str, list[tuple]] = {}
        self.posts_before_failing: int | None = None
        self.slow: dict[str, list[float]] = {}  # path -> seconds to stall, one per request
        # (path, body) -> (status, headers[, raw body]) to answer this POST with, or None for
        # the real answer (the workflow runs several jobs at once: there, failures are chosen
        # by what a request holds, not by their order)
        self.scripted: Callable[[str, str], tuple | None] | None = None
        # VEP input line or MyVariant id -> how many answers leave it out (a batch answered
        # in part)
        self.omit: dict[str, int] = {}
        self.lock = threading.Lock()

    def posts(self, path: str) -> list[dict]:
        return [r for r in self.seen if r["method"] == "POST" and r["path"] == path]

    def left_out(self, variant: str) -> bool:
        """Whether this answer leaves the variant out (counting down its omissions)."""
        with self.lock:
            if self.omit.get(variant, 0) > 0:
                self.omit[variant] -= 1
                return True
        return False


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def _answer(self, status: int, body, headers: dict | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # a client that timed out
            pass

    def _handle(self, method: str) -> None:
        replay: Replay = self.server.replay
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        path = urllib.parse.urlsplit(self.path).path
        with replay.lock:
            replay.seen.append({"method": method, "path": path, "url": self.path,
                                "headers": dict(self.headers), "body": body})
            held = replay.held.get(path)
            hold = held.pop(0) if held else None
            failing = (method == "POST" and replay.posts_before_failing is not None
                       and len(replay.posts(path)) > replay.posts_before_failing)
            if method == "POST" and not hold and replay.scripted is not None:
                hold = replay.scripted(path, body)
            stall = replay.slow.get(path)
            stall = stall.pop(0) if stall else 0
        time.sleep(stall)
        if hold:
            return self._answer(hold[0], hold[2] if len(hold) > 2 else {"error": "held back"},
                                hold[1])
        if failing:
            return self._answer(503, {"error": "Service Unavailable"})
        if path == "/info/software":
            return self._answer(200, {"release": 113})
        if path == "/v1/metadata":
            return self._answer(200, {"biothing_type": "variant", "build_date":
                                      "2025-01-06T02:00:00", "build_version": "20250106"})
        if path == "/vep/homo_sapiens/region":
            variants = json.loads(body)["variants"]
            return self._answer(200, [vep_item(v) for v in variants
                                      if not replay.left_out(v)])
        if path == "/v1/variant":
            form = urllib.parse.parse_qs(body)
            ids = form["ids"][0].split(",")
            return self._answer(200, [myvariant_hit(i) for i in ids if not replay.left_out(i)])
        return self._answer(404, {"error": f"page not found: {path}"})

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


@contextlib.contextmanager
def replay_server() -> Iterator[ThreadingHTTPServer]:
    """The server on a free port of 127.0.0.1; its script and record are `.replay`."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.replay = Replay()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def url_of(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"
