"""cmmvar.annotate.online against a local server replaying Ensembl VEP REST and MyVariant.info.

Nothing here touches the internet: the server listens on 127.0.0.1 and answers in the
services' formats (VEP REST region POST JSON; MyVariant.info v1/variant POST hits).
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
import urllib.parse

import pysam
import pytest

from cmmvar import __version__
from cmmvar.annotate.online import online_annotations
from cmmvar.annotate.online_cache import Cache, VariantKey
from cmmvar.annotate.online_http import Http, ServiceError
from cmmvar.annotate.online_myvariant import MyVariant, hgvs_id
from cmmvar.annotate.online_vep import VepRest
from cmmvar.errors import ConfigError, InputError
from tests.unit.helpers.online import (
    DCC_TX,
    replay_server,
    url_of,
    vep_item,
)


@pytest.fixture
def server():
    with replay_server() as httpd:
        yield httpd


def snvs(n: int, chrom: str = "18") -> list[VariantKey]:
    return [VariantKey(chrom, 52340000 + i, "G", "A") for i in range(n)]


class Waits(list):
    """An injectable sleep: records the waits asked for instead of spending them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def http(**kwargs) -> Http:
    kwargs.setdefault("sleep", Waits())
    return Http(**kwargs)


def vep(server, tmp_path, **kwargs) -> VepRest:
    return VepRest("GRCh38", base_url=url_of(server), cache=tmp_path / "cache",
                   http=http(**kwargs))


def myvariant(server, tmp_path, **kwargs) -> MyVariant:
    return MyVariant("GRCh38", base_url=url_of(server), cache=tmp_path / "cache",
                     http=http(**kwargs))


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
    assert (dcc.gene, dcc.consequence, dcc.impact, dcc.exon) == \
        ("DCC", "missense_variant", "MODERATE", "3/29")
    # HGVS without the transcript or protein it is on: the table has its own column for it
    assert (dcc.hgvs_c, dcc.hgvs_p) == ("c.123G>A", "p.Val34Met")
    assert dcc.mane_select and dcc.mane_refseq == "NM_005215.4" and dcc.canonical
    assert dcc.source == "Ensembl VEP REST 113"  # the release the info query gave
    other = result.transcript("ENST00000581580")
    assert (other.intron, other.mane_select, other.canonical) == ("2/4", False, False)
    assert (other.consequence, other.hgvs_c, other.hgvs_p, other.exon) == \
        ("intron_variant&non_coding_transcript_variant", "n.99-12G>A", "", "")


def test_vep_on_grch37_uses_no_mane_flag(server, tmp_path):
    client = VepRest("GRCh37", base_url=url_of(server), cache=tmp_path / "c")
    client.annotate(snvs(1))
    body = json.loads(server.replay.posts("/vep/homo_sapiens/region")[0]["body"])
    assert "mane" not in body and body["hgvs"] == 1


def test_myvariant_on_grch37_asks_the_hg19_index(server, tmp_path):
    client = MyVariant("GRCh37", base_url=url_of(server), cache=tmp_path / "c")
    client.annotate(snvs(1))
    (post,) = server.replay.posts("/v1/variant")
    assert urllib.parse.parse_qs(post["body"])["assembly"] == ["hg19"]
    assert [r["url"] for r in server.replay.seen if r["method"] == "GET"] == \
        ["/v1/metadata?assembly=hg19"]


def test_vep_mane_flags_as_written_before_and_after_release_111(tmp_path):
    """VEP up to release 110 writes `mane_select` (the RefSeq match); from 111 also `mane`,
    a list of MANE_Select / MANE_Plus_Clinical. HGVSp "=" comes URI-encoded."""
    item = {"input": "18 5 . G A . . .", "most_severe_consequence": "synonymous_variant",
            "transcript_consequences": [
                {"transcript_id": "ENST1", "mane": ["MANE_Select"],
                 "hgvsp": "ENSP1.1:p.Leu12%3D"},
                {"transcript_id": "ENST2", "mane_select": "NM_2.1"},
                {"transcript_id": "ENST3", "mane": ["MANE_Plus_Clinical"],
                 "mane_plus_clinical": "NM_3.1"},
                {"transcript_id": "ENST4", "mane": "MANE_Select"},
            ]}
    result = VepRest("GRCh38", cache=tmp_path)._parse(item, "113")
    assert [t.mane_select for t in result.transcripts] == [True, True, False, True]
    assert [t.mane_refseq for t in result.transcripts] == [None, "NM_2.1", None, None]
    assert result.transcript("ENST1").hgvs_p == "p.Leu12="
    # what VEP leaves out is '' in the record, as in the table
    bare = result.transcript("ENST2")
    assert (bare.gene, bare.consequence, bare.impact, bare.hgvs_c, bare.hgvs_p, bare.exon,
            bare.intron) == ("", "", "", "", "", "", "")


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


def test_a_null_left_in_the_cache_by_cmmvar_0_1_is_asked_again(server, tmp_path):
    """cmmvar 0.1 stored null for a variant VEP left out of its answer: not an answer."""
    keys = snvs(2)
    cache = Cache(tmp_path / "cache")
    cache.set_version("GRCh38", "ensembl-vep-rest", "113")
    cache.put("GRCh38", "ensembl-vep-rest", "113", {keys[0]: None, keys[1]: vep_item(
        "18 52340001 . G A . . .")})
    cache.close()
    result = vep(server, tmp_path).annotate(keys)
    (post,) = server.replay.posts("/vep/homo_sapiens/region")
    assert json.loads(post["body"])["variants"] == ["18 52340000 . G A . . ."]
    assert (result.sent, result.cached) == (1, 1) and all(result.results.values())


# --- retries and failures

VEP_PATH, MYVARIANT_PATH = "/vep/homo_sapiens/region", "/v1/variant"


def resume_hint(tmp_path) -> str:
    return (f"to resume, run the same command again once the service answers: the answers "
            f"received are kept in the cache {tmp_path / 'cache' / 'online.sqlite'} and only "
            f"the variants without one are sent; on a cluster whose compute nodes are "
            f"offline, run the annotate step where there is internet access; or set "
            f"annotation.mode: offline to use the local resource files")


def cached(tmp_path, source: str, version: str, keys) -> dict:
    """What the cache holds for these keys (the services' releases: VEP 113, MyVariant
    20250106)."""
    cache = Cache(tmp_path / "cache")
    try:
        return cache.get("GRCh38", source, version, keys)
    finally:
        cache.close()


def vep_inputs(server) -> list[list[str]]:
    """The variants of each VEP POST the server received, in order."""
    return [json.loads(p["body"])["variants"] for p in server.replay.posts(VEP_PATH)]


@pytest.mark.parametrize(("retry_after", "waited"), [
    ("2.5", 2.5),  # seconds, fractional as Ensembl gives them
    (30, 30),  # an HTTP date 30 s ahead
    ("3600", 40),  # an hour: cut to max_wait
    (3600, 40),  # an HTTP date an hour ahead: cut too
])
def test_429_with_retry_after_waits_as_told_up_to_max_wait_then_succeeds(
        server, tmp_path, caplog, retry_after, waited):
    if isinstance(retry_after, int):
        retry_after = email.utils.formatdate(time.time() + retry_after, usegmt=True)
    server.replay.held[VEP_PATH] = [(429, {"Retry-After": retry_after})]
    client = vep(server, tmp_path, backoff=0.001, max_wait=40)
    with caplog.at_level(logging.INFO, logger="cmmvar.annotate.online"):
        result = client.annotate(snvs(3))
    # Retry-After honoured up to max_wait, not the 1 ms backoff (an HTTP date has whole
    # seconds, hence the tolerance)
    assert client.http.sleep == [pytest.approx(waited, abs=1.5)]
    assert len(server.replay.posts(VEP_PATH)) == 2
    assert len(result.results) == 3 and all(result.results.values())
    retry = [r.message for r in caplog.records if "retrying in" in r.message]
    assert len(retry) == 1 and "HTTP 429 Too Many Requests, Retry-After " in retry[0]
    assert ("more than max_wait 40 s, which is waited instead; retrying in 40 s" in retry[0]) \
        == (waited == 40)


def test_a_service_asking_again_and_again_to_wait_an_hour_is_given_up_after_retries_times_max_wait(
        server, tmp_path):
    keys = snvs(2)
    server.replay.held[VEP_PATH] = [(429, {"Retry-After": "3600"})] * 4
    client = vep(server, tmp_path, max_retries=3, max_wait=2)
    with pytest.raises(ServiceError) as caught:
        client.annotate(keys)
    assert client.http.sleep == [2, 2, 2]  # 6 s in all, not 3 hours
    assert str(caught.value) == (
        f"Ensembl VEP REST at {url_of(server)}{VEP_PATH} did not answer after 4 attempt(s) "
        f"(HTTP 429 Too Many Requests, Retry-After 3600 s); no answer for 2 of the 2 variants "
        f"(0 answered) ({resume_hint(tmp_path)})")
    assert caught.value.unanswered == tuple(keys)
    assert cached(tmp_path, "ensembl-vep-rest", "113", keys) == {}


def test_5xx_is_retried_with_growing_waits_cut_to_max_wait_then_succeeds(server, tmp_path):
    server.replay.held[MYVARIANT_PATH] = [(502, {}), (503, {}), (500, {}), (504, {})]
    client = myvariant(server, tmp_path, backoff=1, max_retries=4, max_wait=3)
    result = client.annotate(snvs(2))
    assert len(server.replay.posts(MYVARIANT_PATH)) == 5
    assert client.http.sleep == [1, 2, 3, 3]
    assert all(result.results.values()) and result.sent == 2


def test_timeout_is_retried(server, tmp_path, caplog):
    server.replay.slow[VEP_PATH] = [1.0]  # the first POST stalls
    client = vep(server, tmp_path, timeout=0.3, backoff=0.25)
    with caplog.at_level(logging.WARNING, logger="cmmvar.annotate.online"):
        result = client.annotate(snvs(2))
    assert len(server.replay.posts(VEP_PATH)) == 2
    assert client.http.sleep == [0.25]
    assert all(result.results.values())
    assert any("no answer within 0.3 s; retrying in 0.25 s" in r.message
               for r in caplog.records)


MALFORMED = {
    "not JSON": (b"<html>Gateway login</html>",
                 "an answer that is not JSON: '<html>Gateway login</html>'"),
    "cut short": (b'[{"input": "18 52340000 . G A',
                  """an answer that is not JSON: '[{"input": "18 52340000 . G A'"""),
    "wrong shape": (b'{"error": "Internal"}',
                    """a JSON dict where a list was expected: '{"error": "Internal"}'"""),
}


@pytest.mark.parametrize("kind", MALFORMED)
@pytest.mark.parametrize(("client", "path"), [(vep, VEP_PATH), (myvariant, MYVARIANT_PATH)])
def test_a_malformed_answer_is_retried_and_the_next_one_used(server, tmp_path, client, path,
                                                             kind):
    server.replay.held[path] = [(200, {}, MALFORMED[kind][0])]
    asked = client(server, tmp_path, backoff=0.25)
    result = asked.annotate(snvs(2))
    assert asked.http.sleep == [0.25]
    assert len(server.replay.posts(path)) == 2
    assert len(result.results) == 2 and all(result.results.values())


@pytest.mark.parametrize("kind", MALFORMED)
def test_answers_that_stay_malformed_end_in_one_error_and_nothing_is_cached(server, tmp_path,
                                                                            kind):
    keys = snvs(2)
    server.replay.held[VEP_PATH] = [(200, {}, MALFORMED[kind][0])] * 3
    with pytest.raises(ServiceError) as caught:
        vep(server, tmp_path, max_retries=2).annotate(keys)
    assert str(caught.value) == (
        f"Ensembl VEP REST at {url_of(server)}{VEP_PATH} gave no usable answer in 3 attempt(s) "
        f"({MALFORMED[kind][1]}); no answer for 2 of the 2 variants (0 answered) "
        f"({resume_hint(tmp_path)})")
    assert cached(tmp_path, "ensembl-vep-rest", "113", keys) == {}


def test_a_version_query_that_names_no_release_is_a_service_error(server, tmp_path):
    server.replay.held["/info/software"] = [(200, {}, b'{"releases": [113]}')]
    with pytest.raises(ServiceError, match=re.escape(
            f"Ensembl VEP REST at {url_of(server)}/info/software?content-type=application/json "
            f'did not say its release (no release in {{"releases": [113]}}); no answer for 1 of '
            f"the 1 variants (0 answered)")):
        vep(server, tmp_path).annotate(snvs(1))
    assert server.replay.posts(VEP_PATH) == []


def test_vep_leaving_a_variant_out_is_asked_again_for_that_variant_alone(server, tmp_path):
    keys = snvs(3)
    server.replay.omit["18 52340001 . G A . . ."] = 1
    client = vep(server, tmp_path, backoff=0.25)
    result = client.annotate(keys)
    assert vep_inputs(server) == [["18 52340000 . G A . . .", "18 52340001 . G A . . .",
                                   "18 52340002 . G A . . ."], ["18 52340001 . G A . . ."]]
    assert client.http.sleep == [0.25]
    assert all(result.results.values())
    assert set(cached(tmp_path, "ensembl-vep-rest", "113", keys)) == set(keys)


def test_vep_leaving_a_variant_out_every_time_is_reported_and_that_variant_not_cached(
        server, tmp_path):
    keys = snvs(3)
    server.replay.omit["18 52340001 . G A . . ."] = 3
    with pytest.raises(ServiceError) as caught:
        vep(server, tmp_path, max_retries=2).annotate(keys)
    assert str(caught.value) == (
        f"Ensembl VEP REST at {url_of(server)}{VEP_PATH} left 1 variant(s) out of its answers "
        f"3 time(s): 18:52340001 G>A; no answer for 1 of the 3 variants (2 answered) "
        f"({resume_hint(tmp_path)})")
    assert caught.value.unanswered == (keys[1],)
    assert set(cached(tmp_path, "ensembl-vep-rest", "113", keys)) == {keys[0], keys[2]}

    server.replay.seen.clear()  # the next run asks for that variant alone
    result = vep(server, tmp_path).annotate(keys)
    assert vep_inputs(server) == [["18 52340001 . G A . . ."]]
    assert all(result.results.values())


def test_myvariant_notfound_is_an_answer_and_cached_but_a_missing_hit_is_not(server, tmp_path):
    found, absent, lost = (VariantKey("18", 52340123, "G", "A"),
                           VariantKey("18", 52340200, "GT", "G"),
                           VariantKey("18", 52340300, "C", "T"))
    server.replay.omit["chr18:g.52340300C>T"] = 2
    with pytest.raises(ServiceError, match=re.escape(
            "left 1 variant(s) out of its answers 2 time(s): 18:52340300 C>T; no answer for 1 "
            "of the 3 variants (2 answered)")):
        myvariant(server, tmp_path, max_retries=1).annotate([found, absent, lost])
    stored = cached(tmp_path, "myvariant.info", "20250106", [found, absent, lost])
    assert set(stored) == {found, absent}
    assert stored[absent] == {"query": "chr18:g.52340201del", "notfound": True}

    server.replay.seen.clear()
    results = myvariant(server, tmp_path).annotate([found, absent, lost]).results
    (post,) = server.replay.posts(MYVARIANT_PATH)
    assert urllib.parse.parse_qs(post["body"])["ids"] == ["chr18:g.52340300C>T"]
    assert results[absent] is None and results[lost].cadd_phred == 24.3


def test_a_myvariant_hit_with_neither_id_nor_notfound_is_not_an_answer(server, tmp_path):
    server.replay.held[MYVARIANT_PATH] = [
        (200, {}, b'[{"query": "chr18:g.52340000G>A", "error": "backend timed out"}]')]
    client = myvariant(server, tmp_path, backoff=0.25)
    result = client.annotate(snvs(1))
    assert len(server.replay.posts(MYVARIANT_PATH)) == 2 and client.http.sleep == [0.25]
    assert result.results[snvs(1)[0]].cadd_phred == 24.3


def test_server_staying_503_raises_service_error_and_keeps_earlier_batches(server, tmp_path):
    keys = snvs(450)
    server.replay.posts_before_failing = 2  # batches 1 and 2 pass, then 503 for good
    with pytest.raises(ServiceError) as caught:
        vep(server, tmp_path, max_retries=2).annotate(keys)
    url = f"{url_of(server)}{VEP_PATH}"
    assert isinstance(caught.value, InputError)
    assert str(caught.value) == (
        f"Ensembl VEP REST at {url} did not answer after 3 attempt(s) (HTTP 503 Service "
        f"Unavailable); no answer for 50 of the 450 variants (400 answered) "
        f"({resume_hint(tmp_path)})")
    assert caught.value.url == url and caught.value.unanswered == tuple(keys[400:])
    assert len(server.replay.posts(VEP_PATH)) == 2 + 3
    assert set(cached(tmp_path, "ensembl-vep-rest", "113", keys)) == set(keys[:400])

    server.replay.posts_before_failing = None
    server.replay.seen.clear()
    result = vep(server, tmp_path).annotate(keys)
    assert [v for batch in vep_inputs(server) for v in batch] == \
        [f"18 {k.pos} . G A . . ." for k in keys[400:]]
    assert len(result.results) == 450


def test_unreachable_service_gives_one_clear_error(tmp_path):
    with pytest.raises(ServiceError, match=r"^MyVariant.info at http://127.0.0.1:9/v1/metadata"
                                           r"\?assembly=hg38 did not answer after 2 attempt\(s\) "
                                           r"\(connection failed: .*\); no answer for 1 of the 1 "
                                           r"variants \(0 answered\) \(to resume, run the same"):
        MyVariant("GRCh38", base_url="http://127.0.0.1:9", cache=tmp_path / "cache",
                  http=http(max_retries=1, timeout=2)).annotate(snvs(1))


def test_a_url_that_cannot_be_asked_is_named_with_what_to_check(tmp_path):
    client = VepRest("GRCh38", base_url="localhost:8000", cache=tmp_path, http=http())
    with pytest.raises(ServiceError, match=r"^Ensembl VEP REST: 'localhost:8000/info/software"
                                           r"\?content-type=application/json' is not a URL that "
                                           r"can be asked \(.*\); no answer for 1 of the 1 "
                                           r"variants \(0 answered\) \(check the service's URL "
                                           r"in the config\)$"):
        client.annotate(snvs(1))
    assert client.http.sleep == []


def test_bad_request_is_not_retried(server, tmp_path):
    server.replay.held[MYVARIANT_PATH] = [(400, {})]
    with pytest.raises(ServiceError, match=r"MyVariant.info refused the request to .*/v1/variant: "
                                           r"HTTP 400 Bad Request"):
        myvariant(server, tmp_path).annotate(snvs(2))
    assert len(server.replay.posts(MYVARIANT_PATH)) == 1


# --- privacy and the run log


def test_vep_and_myvariant_requests_carry_only_variant_keys_and_fixed_parameters(server,
                                                                               tmp_path):
    """Variants read from a VCF with a named sample: nothing of the sample leaves, and every
    request to either service is one of four, each read in full: VEP's and MyVariant's
    version queries (GET, no body, no variant) and one POST to each holding the two variant
    keys and the service's fixed parameters (VEP's switches; MyVariant's fields and
    assembly), with cmmvar's User-Agent."""
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
        if request["method"] == "GET":  # version queries: no body, no variant
            assert request["body"] == "" and "chr18" not in request["url"]
    (vep_post,) = server.replay.posts("/vep/homo_sapiens/region")
    body = json.loads(vep_post["body"])
    # The variants, and VEP's switches: nothing else is in the body.
    assert body == {"variants": ["18 52340100 . G A . . .", "18 52340200 . GT G . . ."],
                    "hgvs": 1, "canonical": 1, "numbers": 1, "mane": 1}
    assert vep_post["url"] == "/vep/homo_sapiens/region"
    # cmmvar names itself (requests would say python-requests/x.y)
    assert {r["headers"]["User-Agent"] for r in server.replay.seen} == {f"cmmvar/{__version__}"}
    (mv_post,) = server.replay.posts("/v1/variant")
    form = urllib.parse.parse_qs(mv_post["body"], keep_blank_values=True)
    assert form == {
        "ids": ["chr18:g.52340100G>A,chr18:g.52340201del"],
        "fields": ["clinvar.rcv.clinical_significance,clinvar.rcv.review_status,"
                   "clinvar.variant_id,gnomad_exome.af,gnomad_genome.af,cadd.phred,"
                   "dbnsfp.revel.score"],
        "assembly": ["hg38"]}
    assert mv_post["url"] == "/v1/variant"
    assert sorted((r["method"], r["url"]) for r in server.replay.seen) == [
        ("GET", "/info/software?content-type=application/json"),
        ("GET", "/v1/metadata?assembly=hg38"),
        ("POST", "/v1/variant"),
        ("POST", "/vep/homo_sapiens/region"),
    ]


def test_every_request_is_logged_with_what_was_sent_where(server, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="cmmvar.annotate.online"):
        vep(server, tmp_path).annotate(snvs(250))
        myvariant(server, tmp_path).annotate(snvs(3))
    base = url_of(server)
    cache = tmp_path / "cache" / "online.sqlite"
    assert [r.message for r in caplog.records if r.name == "cmmvar.annotate.online"] == [
        f"sent 0 variants to {base}/info/software?content-type=application/json",
        f"sent 200 variants to {base}/vep/homo_sapiens/region",
        f"sent 50 variants to {base}/vep/homo_sapiens/region",
        f"Ensembl VEP REST 113: 250 variants, 0 from the cache {cache}, 250 sent to {base}",
        f"sent 0 variants to {base}/v1/metadata?assembly=hg38",
        f"sent 3 variants to {base}/v1/variant",
        f"MyVariant.info 20250106: 3 variants, 0 from the cache {cache}, 3 sent to {base}",
    ]


# --- the entry point of the annotate stage


def settings_for(server, tmp_path, **more) -> dict:
    """The config's `annotation` block in online mode, pointed at the local server."""
    return {"mode": "online", "cache": str(tmp_path / "cache"), "vep_url": url_of(server),
            "myvariant_url": url_of(server), "transcripts_gff3": "ignored.gff3", **more}


def test_online_annotations_say_what_was_sent_and_what_came_from_the_cache(server, tmp_path):
    keys = snvs(5)
    first = online_annotations(keys[:3], "GRCh38", settings_for(server, tmp_path,
                                                                vep_batch_size=2))
    assert first.provenance() == [
        {"service": "Ensembl VEP REST", "url": url_of(server), "version": "113", "n_sent": 3,
         "n_cached": 0},
        {"service": "MyVariant.info", "url": url_of(server), "version": "20250106",
         "n_sent": 3, "n_cached": 0}]
    assert [len(json.loads(p["body"])["variants"])
            for p in server.replay.posts("/vep/homo_sapiens/region")] == [2, 1]

    server.replay.seen.clear()
    second = online_annotations(keys, "GRCh38", settings_for(server, tmp_path))
    assert [(p["n_sent"], p["n_cached"]) for p in second.provenance()] == [(2, 3), (2, 3)]
    assert second.vep.results[keys[0]] == first.vep.results[keys[0]]
    assert second.myvariant.results[keys[4]].cadd_phred == 24.3

    server.replay.seen.clear()
    third = online_annotations(reversed(keys), "GRCh38", settings_for(server, tmp_path))
    assert server.replay.seen == []  # all cached: not even the version queries
    assert [(p["n_sent"], p["n_cached"]) for p in third.provenance()] == [(0, 5), (0, 5)]


def test_online_annotations_retry_with_the_configured_count_and_longest_wait(server, tmp_path):
    server.replay.held["/info/software"] = [(503, {})] * 4
    waits = Waits()
    with pytest.raises(ServiceError, match=r"did not answer after 4 attempt\(s\)"):
        online_annotations(snvs(1), "GRCh38", settings_for(server, tmp_path, retries=3,
                                                           timeout=5, max_wait=1.5), sleep=waits)
    assert waits == [1.0, 1.5, 1.5]


def test_a_failing_service_does_not_stop_the_other_and_one_error_counts_the_unannotated(
        server, tmp_path):
    """VEP fails for good on the batch of the third variant; MyVariant leaves the first out
    of every answer: two of the three variants lack an annotation, each service's answers
    are kept, and the next run asks each service only for what it did not answer."""
    keys = snvs(3)
    server.replay.scripted = lambda path, body: (503, {}) if path == VEP_PATH \
        and "52340002" in body else None
    server.replay.omit["chr18:g.52340000G>A"] = 2
    settings = settings_for(server, tmp_path, vep_batch_size=2, retries=1)
    with pytest.raises(ServiceError) as caught:
        online_annotations(keys, "GRCh38", settings, sleep=Waits())
    base = url_of(server)
    assert str(caught.value) == (
        f"2 of the 3 variants could not be annotated online: Ensembl VEP REST at "
        f"{base}{VEP_PATH} did not answer after 2 attempt(s) (HTTP 503 Service Unavailable); "
        f"no answer for 1 of the 3 variants (2 answered); MyVariant.info at "
        f"{base}{MYVARIANT_PATH} left 1 variant(s) out of its answers 2 time(s): "
        f"18:52340000 G>A; no answer for 1 of the 3 variants (2 answered) "
        f"({resume_hint(tmp_path)})")
    assert caught.value.unanswered == (keys[0], keys[2])

    server.replay.scripted = None
    server.replay.seen.clear()
    result = online_annotations(keys, "GRCh38", settings, sleep=Waits())
    assert vep_inputs(server) == [["18 52340002 . G A . . ."]]
    (post,) = server.replay.posts(MYVARIANT_PATH)
    assert urllib.parse.parse_qs(post["body"])["ids"] == ["chr18:g.52340000G>A"]
    assert [(p["n_sent"], p["n_cached"]) for p in result.provenance()] == [(1, 2), (1, 2)]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("vep_batch_size", 500, "annotation.vep_batch_size is 500; give a whole number from 1 to "
                            "200"),
    ("myvariant_batch_size", 0, "annotation.myvariant_batch_size is 0; give a whole number "
                                "from 1 to 1000"),
    ("retries", "3", "annotation.retries is '3'; give a whole number from 0 to 20"),
    ("timeout", 0, "annotation.timeout is 0; give a number of seconds above 0"),
    ("max_wait", -1, "annotation.max_wait is -1; give a number of seconds from 0"),
    ("max_wait", True, "annotation.max_wait is True; give a number of seconds from 0"),
])
def test_online_settings_out_of_range_are_named(server, tmp_path, key, value, message):
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        online_annotations(snvs(1), "GRCh38", settings_for(server, tmp_path, **{key: value}))
    assert server.replay.seen == []


def test_online_defaults_are_the_public_services(tmp_path):
    result = online_annotations([], "GRCh37", {"cache": str(tmp_path)})
    assert [(p["url"], p["n_sent"]) for p in result.provenance()] == [
        ("https://grch37.rest.ensembl.org", 0), ("https://myvariant.info", 0)]
