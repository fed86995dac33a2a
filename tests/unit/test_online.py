"""cmmvar.online against a local server replaying Ensembl VEP REST and MyVariant.info.

Nothing here touches the internet: the server listens on 127.0.0.1 and answers in the
services' formats (VEP REST region POST JSON; MyVariant.info v1/variant POST hits).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pysam
import pytest

from cmmvar.errors import ConfigError, InputError
from cmmvar.online import (
    Cache,
    MyVariant,
    ServiceError,
    VariantKey,
    VepRest,
    hgvs_id,
)

DCC_TX = "ENST00000442544"


def vep_item(text: str) -> dict:
    """One element of a VEP REST region response, as the service writes it (fields of
    GRCh38 release 113 output with hgvs, mane, canonical, numbers)."""
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
    POSTs after which every POST fails, and every request seen."""

    def __init__(self):
        self.seen: list[dict] = []
        self.held: dict[str, list[tuple[int, dict]]] = {}
        self.posts_before_failing: int | None = None
        self.lock = threading.Lock()

    def posts(self, path: str) -> list[dict]:
        return [r for r in self.seen if r["method"] == "POST" and r["path"] == path]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def _answer(self, status: int, body, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

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
        if hold:
            return self._answer(hold[0], {"error": "held back"}, hold[1])
        if failing:
            return self._answer(503, {"error": "Service Unavailable"})
        if path == "/info/software":
            return self._answer(200, {"release": 113})
        if path == "/v1/metadata":
            return self._answer(200, {"biothing_type": "variant", "build_date":
                                      "2025-01-06T02:00:00", "build_version": "20250106"})
        if path == "/vep/homo_sapiens/region":
            variants = json.loads(body)["variants"]
            return self._answer(200, [vep_item(v) for v in variants])
        if path == "/v1/variant":
            form = urllib.parse.parse_qs(body)
            ids = form["ids"][0].split(",")
            return self._answer(200, [myvariant_hit(i) for i in ids])
        return self._answer(404, {"error": f"page not found: {path}"})

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.replay = Replay()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url_of(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def snvs(n: int, chrom: str = "18") -> list[VariantKey]:
    return [VariantKey(chrom, 52340000 + i, "G", "A") for i in range(n)]


def vep(server, tmp_path, **kwargs) -> VepRest:
    kwargs.setdefault("backoff", 0.01)
    return VepRest("GRCh38", base_url=url_of(server), cache=tmp_path / "cache", **kwargs)


def myvariant(server, tmp_path, **kwargs) -> MyVariant:
    kwargs.setdefault("backoff", 0.01)
    return MyVariant("GRCh38", base_url=url_of(server), cache=tmp_path / "cache", **kwargs)


# --- batching and formats


def test_vep_sends_450_variants_in_three_posts_of_at_most_200(server, tmp_path):
    result = vep(server, tmp_path).annotate(snvs(450))
    posts = server.replay.posts("/vep/homo_sapiens/region")
    bodies = [json.loads(p["body"]) for p in posts]
    assert [len(b["variants"]) for b in bodies] == [200, 200, 50]
    assert bodies[0]["variants"][0] == "18 52340000 . G A . . ."
    assert {k: bodies[0][k] for k in ("hgvs", "mane", "canonical", "numbers")} == \
        {"hgvs": 1, "mane": 1, "canonical": 1, "numbers": 1}
    assert posts[0]["headers"]["Content-Type"] == "application/json"
    assert posts[0]["headers"]["Accept"] == "application/json"
    assert len(result.results) == 450 and result.version == "113"


def test_vep_results_are_matched_back_through_input_and_parsed(server, tmp_path):
    key = VariantKey("chr18", 52340123, "G", "A")
    result = vep(server, tmp_path).annotate([key]).results[key]
    assert result.most_severe_consequence == "missense_variant"
    dcc = result.transcript(f"{DCC_TX}.7")
    assert (dcc.gene_symbol, dcc.consequence_terms, dcc.impact, dcc.exon) == \
        ("DCC", ("missense_variant",), "MODERATE", "3/29")
    assert (dcc.hgvsc, dcc.hgvsp) == (f"{DCC_TX}.7:c.123G>A", "ENSP00000389140.2:p.Val34Met")
    assert dcc.mane_select and dcc.mane_refseq == "NM_005215.4" and dcc.canonical
    other = result.transcript("ENST00000581580")
    assert (other.intron, other.mane_select, other.canonical) == ("2/4", False, False)


def test_vep_on_grch37_uses_no_mane_flag(server, tmp_path):
    client = VepRest("GRCh37", base_url=url_of(server), cache=tmp_path / "c")
    client.annotate(snvs(1))
    body = json.loads(server.replay.posts("/vep/homo_sapiens/region")[0]["body"])
    assert "mane" not in body and body["hgvs"] == 1


def test_vep_default_hosts_per_build(tmp_path):
    assert VepRest("GRCh38", cache=tmp_path).url == \
        "https://rest.ensembl.org/vep/homo_sapiens/region"
    assert VepRest("GRCh37", cache=tmp_path).url == \
        "https://grch37.rest.ensembl.org/vep/homo_sapiens/region"


def test_batch_larger_than_the_service_takes_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="Ensembl VEP REST: batch size 201 is not between 1 "
                                          "and 200, the most the service takes in one request"):
        VepRest("GRCh38", cache=tmp_path, batch_size=201)
    with pytest.raises(ConfigError, match=r"MyVariant.info: batch size 1001"):
        MyVariant("GRCh38", cache=tmp_path, batch_size=1001)


def test_myvariant_sends_1200_variants_in_two_posts(server, tmp_path):
    result = myvariant(server, tmp_path).annotate(snvs(1200))
    posts = server.replay.posts("/v1/variant")
    forms = [urllib.parse.parse_qs(p["body"]) for p in posts]
    assert [len(f["ids"][0].split(",")) for f in forms] == [1000, 200]
    assert forms[0]["ids"][0].split(",")[0] == "chr18:g.52340000G>A"
    assert forms[0]["assembly"] == ["hg38"]
    assert forms[0]["fields"] == [
        "clinvar.rcv.clinical_significance,clinvar.rcv.review_status,clinvar.variant_id,"
        "gnomad_exome.af,gnomad_genome.af,cadd.phred,dbnsfp.revel.score"]
    assert posts[0]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert len(result.results) == 1200 and result.version == "20250106"


def test_myvariant_hit_parsed_with_grpmax_over_non_bottlenecked_groups(server, tmp_path):
    found, absent = VariantKey("18", 52340123, "G", "A"), VariantKey("18", 52340200, "GT", "G")
    results = myvariant(server, tmp_path).annotate([found, absent]).results
    hit = results[found]
    assert hit.clinvar_significance == ("Pathogenic", "Likely pathogenic")
    assert hit.clinvar_review_status == ("criteria provided, single submitter",
                                         "no assertion criteria provided")
    assert hit.clinvar_variation_id == "265046"
    assert (hit.gnomad_exome_af, hit.gnomad_genome_af) == (1.2e-05, 6.6e-06)
    # asj 1e-4 (exomes), ami 0.001 and mid 0.002 (genomes) and the nfe_swe subgroup are
    # left out, as gnomAD's grpmax leaves them out: the max is exomes amr 2.9e-5 (above
    # genomes afr 2.4e-5).
    assert (hit.gnomad_grpmax_af, hit.gnomad_grpmax) == (2.9e-05, "exome:amr")
    assert (hit.cadd_phred, hit.revel_score) == (24.3, 0.612)
    assert results[absent] is None  # notfound: true


@pytest.mark.parametrize(("chrom", "pos", "ref", "alt", "expected"), [
    ("1", 35367, "G", "A", "chr1:g.35367G>A"),
    ("1", 122, "CTGA", "C", "chr1:g.123_125del"),
    ("1", 122, "CT", "C", "chr1:g.123del"),
    ("1", 123, "A", "AAT", "chr1:g.123_124insAT"),
    ("1", 123, "TGA", "AT", "chr1:g.123_125delinsAT"),
    ("1", 123, "A", "GT", "chr1:g.123delinsGT"),
    ("X", 10, "CAG", "CTT", "chrX:g.11_12delinsTT"),
    ("chrMT", 73, "A", "G", "chrMT:g.73A>G"),
])
def test_myvariant_hgvs_ids(chrom, pos, ref, alt, expected):
    assert hgvs_id(VariantKey(chrom, pos, ref, alt)) == expected


# --- cache


def test_rerun_with_everything_cached_sends_no_request(server, tmp_path):
    keys = snvs(250)
    first = vep(server, tmp_path).annotate(keys)
    myvariant(server, tmp_path).annotate(keys)
    sent = len(server.replay.seen)
    again = vep(server, tmp_path).annotate(reversed(keys))
    myvariant(server, tmp_path).annotate(keys)
    assert len(server.replay.seen) == sent
    assert again.results == first.results and again.version == "113"


def test_cache_is_keyed_on_build_and_source_version(tmp_path):
    cache = Cache(tmp_path)
    key = VariantKey("18", 5, "G", "A")
    cache.put("GRCh38", "ensembl-vep-rest", "113", {key: {"x": 1}})
    assert cache.get("GRCh38", "ensembl-vep-rest", "113", [key]) == {key: {"x": 1}}
    assert cache.get("GRCh38", "ensembl-vep-rest", "114", [key]) == {}
    assert cache.get("GRCh37", "ensembl-vep-rest", "113", [key]) == {}


# --- retries and failures


def test_429_with_retry_after_then_200_succeeds(server, tmp_path, caplog):
    server.replay.held["/vep/homo_sapiens/region"] = [(429, {"Retry-After": "0.1"})]
    start = time.monotonic()
    with caplog.at_level(logging.INFO, logger="cmmvar.online"):
        result = vep(server, tmp_path, backoff=0.001).annotate(snvs(3))
    assert time.monotonic() - start >= 0.1  # Retry-After honoured, not the 1 ms backoff
    assert len(server.replay.posts("/vep/homo_sapiens/region")) == 2
    assert len(result.results) == 3 and all(result.results.values())
    assert any("HTTP 429" in r.message and "retrying in 0.1 s" in r.message
               for r in caplog.records)


def test_server_staying_503_raises_service_error_and_keeps_earlier_batches(server, tmp_path):
    keys = snvs(450)
    server.replay.posts_before_failing = 2  # batches 1 and 2 pass, then 503 for good
    with pytest.raises(ServiceError) as caught:
        vep(server, tmp_path, max_retries=2).annotate(keys)
    url = f"{url_of(server)}/vep/homo_sapiens/region"
    assert isinstance(caught.value, InputError)
    assert str(caught.value) == (
        f"Ensembl VEP REST at {url} did not answer after 3 attempt(s) (HTTP 503 Service "
        f"Unavailable); 400 of the 450 variants to fetch were fetched and are kept in the "
        f"cache {tmp_path / 'cache' / 'online.sqlite'} (re-run later: only the rest will be "
        f"sent; or set annotation.mode: offline to use the local resource files)")
    assert caught.value.url == url
    assert len(server.replay.posts("/vep/homo_sapiens/region")) == 2 + 3

    server.replay.posts_before_failing = None
    server.replay.seen.clear()
    result = vep(server, tmp_path).annotate(keys)
    resent = [v for p in server.replay.posts("/vep/homo_sapiens/region")
              for v in json.loads(p["body"])["variants"]]
    assert len(resent) == 50 and len(result.results) == 450


def test_unreachable_service_gives_one_clear_error(tmp_path):
    with pytest.raises(ServiceError, match=r"MyVariant.info at http://127.0.0.1:9/v1/metadata "
                                           r"did not answer after 2 attempt\(s\) \(connection "
                                           r"failed: .*\); 0 of the 1 variants"):
        MyVariant("GRCh38", base_url="http://127.0.0.1:9", cache=tmp_path, max_retries=1,
                  backoff=0.001, timeout=2).annotate(snvs(1))


def test_bad_request_is_not_retried(server, tmp_path):
    server.replay.held["/v1/variant"] = [(400, {})]
    with pytest.raises(ServiceError, match=r"MyVariant.info refused the request to .*/v1/variant: "
                                           r"HTTP 400 Bad Request"):
        myvariant(server, tmp_path).annotate(snvs(2))
    assert len(server.replay.posts("/v1/variant")) == 1


# --- privacy and the run log


def test_requests_carry_only_variant_keys(server, tmp_path):
    """Variants read from a VCF with a named sample: nothing of the sample leaves."""
    sample = "PROBAND_JANE_DOE_1984"
    header = pysam.VariantHeader()
    header.contigs.add("chr18", length=80373285)
    header.formats.add("GT", 1, "String", "Genotype")
    header.add_sample(sample)
    path = tmp_path / "family.vcf"
    with pysam.VariantFile(str(path), "w", header=header) as out:
        for pos, ref, alt in ((52340100, "G", "A"), (52340200, "GT", "G")):
            record = out.new_record(contig="chr18", start=pos - 1, alleles=(ref, alt))
            record.samples[sample]["GT"] = (0, 1)
            out.write(record)
    with pysam.VariantFile(str(path)) as vcf:
        keys = [VariantKey(r.chrom, r.pos, r.ref, r.alts[0]) for r in vcf]
    vep(server, tmp_path).annotate(keys)
    myvariant(server, tmp_path).annotate(keys)
    for request in server.replay.seen:
        assert sample not in json.dumps(request)
    (vep_post,) = server.replay.posts("/vep/homo_sapiens/region")
    assert json.loads(vep_post["body"])["variants"] == [
        "18 52340100 . G A . . .", "18 52340200 . GT G . . ."]
    (mv_post,) = server.replay.posts("/v1/variant")
    assert urllib.parse.parse_qs(mv_post["body"])["ids"] == [
        "chr18:g.52340100G>A,chr18:g.52340201del"]


def test_every_request_is_logged_with_what_was_sent_where(server, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="cmmvar.online"):
        vep(server, tmp_path).annotate(snvs(250))
        myvariant(server, tmp_path).annotate(snvs(3))
    base = url_of(server)
    assert [r.message for r in caplog.records if r.name == "cmmvar.online"] == [
        f"sent 0 variants to {base}/info/software?content-type=application/json",
        f"sent 200 variants to {base}/vep/homo_sapiens/region",
        f"sent 50 variants to {base}/vep/homo_sapiens/region",
        f"sent 0 variants to {base}/v1/metadata",
        f"sent 3 variants to {base}/v1/variant",
    ]
