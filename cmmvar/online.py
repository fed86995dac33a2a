"""Opt-in online annotation: Ensembl VEP REST and MyVariant.info, behind a persistent cache.

Only variant keys (chrom, pos, ref, alt) ever leave the machine: the clients take nothing else,
and every request is logged (logger `cmmvar.online`) as "sent N variants to URL". Knows the two
services' formats, retries and the cache; nothing about samples, families or filters.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from cmmvar import __version__
from cmmvar.errors import ConfigError, InputError
from cmmvar.genome import BUILDS, bare

log = logging.getLogger("cmmvar.online")

DEFAULT_CACHE_DIR = ".cache/cmmvar"
VEP_URLS = {"GRCh38": "https://rest.ensembl.org", "GRCh37": "https://grch37.rest.ensembl.org"}
MYVARIANT_URL = "https://myvariant.info"
# Ensembl VEP REST: at most 200 variants per POST (Bioconductor vep_by_region enforces 200;
# the server's configured max_post_size may be higher, but is not promised).
VEP_MAX_BATCH = 200
# MyVariant.info: "up to 1000 ids" per POST, "the rest will be omitted"
# (biothings/myvariant.info docs/doc/variant_annotation_service.rst).
MYVARIANT_MAX_BATCH = 1000
# MyVariant.info assembly names (default hg19 when not given).
_ASSEMBLY = {"GRCh38": "hg38", "GRCh37": "hg19"}
MYVARIANT_FIELDS = (
    "clinvar.rcv.clinical_significance", "clinvar.rcv.review_status", "clinvar.variant_id",
    "gnomad_exome.af", "gnomad_genome.af", "cadd.phred", "dbnsfp.revel.score",
)
# gnomAD's grpmax leaves out the bottlenecked and mixed groups (ami, asj, fin, mid,
# remaining/oth): the gnomAD browser help, "grpmax"; v2 "popmax" left out asj, fin, oth.
GRPMAX_GROUPS = ("afr", "amr", "eas", "nfe", "sas")
_ALLELE = re.compile(r"^[ACGTN]+$")


class ServiceError(InputError):
    """An online service that could not be reached, refused the request or did not answer
    for every variant; `unanswered` are the variants left without an answer."""

    def __init__(self, message: str, *, service: str, url: str, hint: str | None = None,
                 unanswered: tuple[VariantKey, ...] = ()):
        self.service = service
        self.url = url
        self.unanswered = unanswered
        super().__init__(message, hint=hint)


def resume_hint(cache: Path) -> str:
    """What to do when a service fails, the same for every way it can fail."""
    return (f"to resume, run the same command again once the service answers: the answers "
            f"received are kept in the cache {cache} and only the variants without one are "
            f"sent; on a cluster whose compute nodes are offline, run the annotate step where "
            f"there is internet access; or set annotation.mode: offline to use the local "
            f"resource files")


@dataclass(frozen=True, order=True)
class VariantKey:
    """All that is ever sent: a chromosome (bare name, `1`/`X`/`MT`), a 1-based position and
    VCF-style alleles (normalised: split, trimmed, left-aligned)."""

    chrom: str
    pos: int
    ref: str
    alt: str

    def __post_init__(self):
        object.__setattr__(self, "chrom", bare(str(self.chrom)))
        object.__setattr__(self, "ref", self.ref.upper())
        object.__setattr__(self, "alt", self.alt.upper())
        if int(self.pos) < 1 or not _ALLELE.match(self.ref) or not _ALLELE.match(self.alt) \
                or self.ref == self.alt:
            raise ValueError(f"not a variant that can be looked up online: "
                             f"{self.chrom}:{self.pos} {self.ref}>{self.alt}")
        object.__setattr__(self, "pos", int(self.pos))


# ---------------------------------------------------------------------------------------------
# The cache


class Cache:
    """Responses per variant in a sqlite3 file, keyed on (build, chrom, pos, ref, alt, source,
    source_version); the last version seen of each source is kept too, so a re-run whose
    variants are all cached sends nothing (not even the version query)."""

    FILENAME = "online.sqlite"

    def __init__(self, directory: str | Path = DEFAULT_CACHE_DIR):
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / self.FILENAME
        # Several workflow jobs may share the cache: wait for each other's writes.
        self._db = sqlite3.connect(self.path, timeout=120)
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses (build TEXT, chrom TEXT, pos INTEGER,"
                " ref TEXT, alt TEXT, source TEXT, source_version TEXT, response TEXT,"
                " fetched TEXT, PRIMARY KEY (build, chrom, pos, ref, alt, source,"
                " source_version))")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS versions (build TEXT, source TEXT, version TEXT,"
                " seen TEXT, PRIMARY KEY (build, source))")

    def get(self, build: str, source: str, version: str,
            keys: Iterable[VariantKey]) -> dict[VariantKey, Any]:
        """The cached responses of those keys that have one (JSON-decoded)."""
        found = {}
        for key in keys:
            row = self._db.execute(
                "SELECT response FROM responses WHERE build=? AND chrom=? AND pos=? AND ref=?"
                " AND alt=? AND source=? AND source_version=?",
                (build, key.chrom, key.pos, key.ref, key.alt, source, version)).fetchone()
            # A null is what cmmvar 0.1 stored for a variant VEP left out of its answer: not
            # an answer, so asked again.
            if row is not None and row[0] != "null":
                found[key] = json.loads(row[0])
        return found

    def put(self, build: str, source: str, version: str,
            responses: Mapping[VariantKey, Any]) -> None:
        now = _now()
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(build, k.chrom, k.pos, k.ref, k.alt, source, version, json.dumps(v), now)
                 for k, v in responses.items()])

    def last_version(self, build: str, source: str) -> str | None:
        row = self._db.execute("SELECT version FROM versions WHERE build=? AND source=?",
                               (build, source)).fetchone()
        return None if row is None else row[0]

    def set_version(self, build: str, source: str, version: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?)",
                             (build, source, version, _now()))

    def close(self) -> None:
        self._db.close()


# ---------------------------------------------------------------------------------------------
# HTTP with retries


class Http:
    """requests with bounded retries: a timeout, a connection error, 429 (honouring
    Retry-After, which Ensembl gives in fractional seconds), 5xx and, where JSON is expected,
    an answer that is not JSON of the expected shape are tried again, `max_retries` times at
    most, after exponentially growing waits. No wait is longer than `max_wait` seconds, whatever
    Retry-After asks, so the waits for one request add up to at most max_retries * max_wait."""

    def __init__(self, session: requests.Session | None = None, timeout: float = 60,
                 max_retries: int = 4, backoff: float = 1.0, max_wait: float = 60,
                 sleep: Callable[[float], None] = time.sleep):
        self.session = session or requests.Session()
        # requests' own User-Agent is already set, so setdefault would keep it
        self.session.headers["User-Agent"] = f"cmmvar/{__version__}"
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep  # tests pass a recorder: waits are asserted, not spent

    def request(self, method: str, url: str, *, service: str, variants: int = 0,
                accept: tuple[int, ...] = (200,), **kwargs) -> requests.Response:
        """The response, once its status is in `accept`; ServiceError after the last retry,
        or at once for a status that retrying cannot change (400, 404, ...)."""
        return self._retrying(method, url, service, variants, accept, None, kwargs)

    def json(self, method: str, url: str, *, service: str, shape: type, variants: int = 0,
             **kwargs) -> Any:
        """The decoded body of a 200 answer once it is JSON of `shape` (list or dict): a
        proxy's error page or a body cut short is retried like a 5xx."""
        return self._retrying(method, url, service, variants, (200,), shape, kwargs)

    def pause(self, attempt: int, why: str, asked: float | None = None) -> None:
        """Wait before the retry that follows attempt `attempt` (0: the first): what
        Retry-After asked, else backoff * 2**attempt; never longer than max_wait."""
        wait = asked or self.backoff * 2 ** attempt
        if wait > self.max_wait:
            if asked:
                why += f"; more than max_wait {_seconds(self.max_wait)} s, which is waited instead"
            wait = self.max_wait
        log.warning("%s; retrying in %s s", why, _seconds(wait))
        self.sleep(wait)

    def _retrying(self, method: str, url: str, service: str, variants: int,
                  accept: tuple[int, ...], shape: type | None, kwargs: dict) -> Any:
        reason, asked, answered = "", None, False
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.pause(attempt - 1, f"{url}: {reason}", asked)
            log.info("sent %d variants to %s", variants, url)
            asked, answered = None, False
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.Timeout:
                reason = f"no answer within {self.timeout:g} s"
                continue
            except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                    requests.exceptions.InvalidURL) as exc:
                raise ServiceError(f"{service}: {url!r} is not a URL that can be asked ({exc})",
                                   service=service, url=url,
                                   hint="check the service's URL in the config") from None
            except requests.RequestException as exc:  # refused, reset, body cut short
                reason = f"connection failed: {_root_cause(exc)}"
                continue
            if response.status_code not in accept:
                reason = f"HTTP {response.status_code} {response.reason}".strip()
                if response.status_code != 429 and response.status_code < 500:
                    raise ServiceError(
                        f"{service} refused the request to {url}: {reason}: "
                        f"{response.text[:300].strip()}", service=service, url=url)
                asked = _retry_after(response)
                if asked:
                    reason += f", Retry-After {_seconds(asked)} s"
                continue
            if shape is None:
                return response
            answered = True
            try:
                data = response.json()
            except ValueError:
                reason = f"an answer that is not JSON: {response.text[:200].strip()!r}"
                continue
            if isinstance(data, shape):
                return data
            reason = (f"a JSON {type(data).__name__} where a {shape.__name__} was expected: "
                      f"{response.text[:200].strip()!r}")
        verb = "gave no usable answer in" if answered else "did not answer after"
        raise ServiceError(f"{service} at {url} {verb} {self.max_retries + 1} attempt(s) "
                           f"({reason})", service=service, url=url)


def _seconds(value: float) -> str:
    return f"{value:.3g}" if value < 1000 else f"{value:.0f}"


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds: a number (fractional allowed) or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _root_cause(exc: BaseException) -> str:
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    return str(exc) or type(exc).__name__


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# The clients


@dataclass(frozen=True)
class Annotations:
    """What one service said about the variants asked for (None where it had nothing), and
    how: `sent` variants went to the service in this call, `cached` came from the cache."""

    service: str
    url: str
    version: str | None  # None: nothing asked, nothing cached
    results: dict[VariantKey, Any]
    sent: int
    cached: int

    def provenance(self) -> dict:
        return {"service": self.service, "url": self.url, "version": self.version,
                "n_sent": self.sent, "n_cached": self.cached}


class _Client:
    """Shared by the services: cache first, then batches of the rest, each cached as it comes."""

    service = ""  # name in messages
    source = ""  # name in the cache key
    max_batch = 0

    def __init__(self, build: str, base_url: str, cache: Cache | str | Path,
                 http: Http | None, batch_size: int):
        if build not in BUILDS:
            raise ConfigError(f"unknown genome build {build!r}; use one of {', '.join(BUILDS)}")
        if not 1 <= batch_size <= self.max_batch:
            raise ConfigError(f"{self.service}: batch size {batch_size} is not between 1 and "
                              f"{self.max_batch}, the most the service takes in one request")
        self.build = build
        self.base_url = base_url.rstrip("/")
        self.cache = cache if isinstance(cache, Cache) else Cache(cache)
        self.batch_size = batch_size
        self.http = http or Http()

    def annotate(self, variants: Iterable[VariantKey]) -> Annotations:
        """Each distinct variant's parsed result (None: the service said it has nothing).

        Only answers are cached: a variant the service left out of its answer is asked
        again, and if still left out, or if the service fails, ServiceError names how many
        variants have no answer (what was answered before stays in the cache)."""
        keys = sorted(set(variants))
        version = self.cache.last_version(self.build, self.source)
        found = self.cache.get(self.build, self.source, version, keys) if version else {}
        missing = [k for k in keys if k not in found]
        try:
            if missing:
                current = self.version()
                if current != version:  # a new release: what is cached under the old is not used
                    version = current
                    self.cache.set_version(self.build, self.source, version)
                    found = self.cache.get(self.build, self.source, version, keys)
                    missing = [k for k in keys if k not in found]
            cached = len(keys) - len(missing)
            left_out: list[VariantKey] = []
            for start in range(0, len(missing), self.batch_size):
                batch = missing[start:start + self.batch_size]
                answered = self._ask(batch)
                # Cached per batch, so what came before a failure is kept.
                self.cache.put(self.build, self.source, version, answered)
                found.update(answered)
                left_out += [k for k in batch if k not in answered]
            if left_out:
                raise ServiceError(
                    f"{self.service} at {self.url} left {len(left_out)} variant(s) out of its "
                    f"answers {self.http.max_retries + 1} time(s): {_listed(left_out)}",
                    service=self.service, url=self.url)
        except ServiceError as exc:
            unanswered = tuple(k for k in keys if k not in found)
            raise ServiceError(
                f"{exc.message}; no answer for {len(unanswered)} of the {len(keys)} variants "
                f"({len(keys) - len(unanswered)} answered)",
                service=self.service, url=exc.url, hint=exc.hint or resume_hint(self.cache.path),
                unanswered=unanswered) from None
        log.info("%s %s: %d variants, %d from the cache %s, %d sent to %s", self.service,
                 version, len(keys), cached, self.cache.path, len(missing), self.base_url)
        return Annotations(self.service, self.base_url, version,
                           {k: self._parse(found[k]) for k in keys}, len(missing), cached)

    def _ask(self, batch: list[VariantKey]) -> dict[VariantKey, Any]:
        """The answers to one batch; the variants an answer leaves out are asked again, up
        to the retries allowed, with the same waits as a failed request."""
        answered: dict[VariantKey, Any] = {}
        for attempt in range(self.http.max_retries + 1):
            left = [k for k in batch if k not in answered]
            if attempt:
                self.http.pause(attempt - 1, f"{self.url}: {len(left)} of the {len(batch)} "
                                             f"variants sent were left out of the answer")
            answered.update(self._fetch(left))
            if len(answered) == len(batch):
                break
        return answered

    def version(self) -> str:
        raise NotImplementedError

    def _fetch(self, batch: list[VariantKey]) -> dict[VariantKey, Any]:
        raise NotImplementedError

    def _parse(self, response: Any):
        raise NotImplementedError


# --- Ensembl VEP REST


@dataclass(frozen=True)
class TranscriptConsequence:
    transcript_id: str
    gene_symbol: str | None
    consequence_terms: tuple[str, ...]
    impact: str | None
    hgvsc: str | None
    hgvsp: str | None
    exon: str | None  # "5/12"
    intron: str | None
    mane_select: bool
    mane_refseq: str | None  # the MANE Select RefSeq accession VEP reports (GRCh38 only)
    canonical: bool


@dataclass(frozen=True)
class VepResult:
    most_severe_consequence: str | None
    transcripts: tuple[TranscriptConsequence, ...]

    def transcript(self, transcript_id: str) -> TranscriptConsequence | None:
        """The consequence on this transcript, its version ignored (ENST00000442544.7)."""
        stable = transcript_id.split(".")[0]
        return next((t for t in self.transcripts
                     if t.transcript_id.split(".")[0] == stable), None)


class VepRest(_Client):
    """Ensembl VEP REST, POST /vep/homo_sapiens/region (GRCh37 on its own host).

    The options go in the JSON body beside `variants`: the server reads them from the body
    and from the URL, the body winning (ensembl-rest Controller/VEP.pm, _include_user_params).
    """

    service = "Ensembl VEP REST"
    source = "ensembl-vep-rest"
    max_batch = VEP_MAX_BATCH

    def __init__(self, build: str, base_url: str | None = None,
                 cache: Cache | str | Path = DEFAULT_CACHE_DIR, http: Http | None = None,
                 batch_size: int = VEP_MAX_BATCH):
        super().__init__(build, base_url or VEP_URLS.get(build, ""), cache, http, batch_size)
        self.url = f"{self.base_url}/vep/homo_sapiens/region"

    def version(self) -> str:
        url = f"{self.base_url}/info/software?content-type=application/json"
        data = self.http.json("GET", url, service=self.service, shape=dict,
                              headers={"Accept": "application/json"})
        return _release(data, ("release",), self.service, url)

    def _fetch(self, batch: list[VariantKey]) -> dict[VariantKey, Any]:
        body = {"variants": [_vep_input(k) for k in batch],
                "hgvs": 1, "canonical": 1, "numbers": 1}
        if self.build == "GRCh38":  # MANE is GRCh38 only (ensembl-rest vep.conf)
            body["mane"] = 1
        items = self.http.json(
            "POST", self.url, service=self.service, shape=list, variants=len(batch), json=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"})
        wanted = set(batch)
        # Matched back through the echoed `input`. VEP leaves out what it could not read, and
        # says nothing else about it: such a variant is not answered (asked again, not cached).
        fetched: dict[VariantKey, Any] = {}
        for item in items:
            key = _key_of_vep_input(item.get("input", "")) if isinstance(item, dict) else None
            if key in wanted:
                fetched[key] = item
        return fetched

    def _parse(self, response: Any) -> VepResult:
        transcripts = tuple(
            TranscriptConsequence(
                transcript_id=t.get("transcript_id", ""), gene_symbol=t.get("gene_symbol"),
                consequence_terms=tuple(t.get("consequence_terms") or ()),
                impact=t.get("impact"), hgvsc=_unescape(t.get("hgvsc")),
                hgvsp=_unescape(t.get("hgvsp")), exon=t.get("exon"), intron=t.get("intron"),
                mane_select=bool(t.get("mane_select")) or "MANE_Select" in _flags(t.get("mane")),
                mane_refseq=t.get("mane_select") or None,
                canonical=bool(t.get("canonical")))
            for t in response.get("transcript_consequences") or ())
        return VepResult(response.get("most_severe_consequence"), transcripts)


def _vep_input(key: VariantKey) -> str:
    """VCF-style region input: CHROM POS ID REF ALT QUAL FILTER INFO."""
    return f"{key.chrom} {key.pos} . {key.ref} {key.alt} . . ."


def _key_of_vep_input(text: str) -> VariantKey | None:
    fields = text.split()
    try:
        return VariantKey(fields[0], int(fields[1]), fields[3], fields[4])
    except (IndexError, ValueError):
        return None


def _flags(value: Any) -> list[str]:
    """VEP's `mane` (release 111 on): a list such as ["MANE_Select"], or one string."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _unescape(hgvs: str | None) -> str | None:
    """VEP URI-encodes "=" in HGVSp unless run with --no_escape, which REST does not offer
    (ensembl-vep OutputFactory.pm, TranscriptVariationAllele_to_output_hash): p.Leu12%3D."""
    return hgvs.replace("%3D", "=") if hgvs else hgvs


# --- MyVariant.info


@dataclass(frozen=True)
class MyVariantResult:
    clinvar_significance: tuple[str, ...]  # one per distinct RCV classification
    clinvar_review_status: tuple[str, ...]
    clinvar_variation_id: str | None
    gnomad_exome_af: float | None  # gnomAD v2.1.1 exomes on MyVariant, not v4
    gnomad_genome_af: float | None  # gnomAD v3.1 genomes (hg38) / v2.1.1 genomes (hg19)
    gnomad_grpmax_af: float | None  # max AF over GRPMAX_GROUPS in exomes and genomes
    gnomad_grpmax: str | None  # where that max is, e.g. "exome:nfe"
    cadd_phred: float | None
    revel_score: float | None  # the highest where dbNSFP lists one per protein


class MyVariant(_Client):
    """MyVariant.info, POST /v1/variant with genomic HGVS ids."""

    service = "MyVariant.info"
    source = "myvariant.info"
    max_batch = MYVARIANT_MAX_BATCH

    def __init__(self, build: str, base_url: str | None = None,
                 cache: Cache | str | Path = DEFAULT_CACHE_DIR, http: Http | None = None,
                 batch_size: int = MYVARIANT_MAX_BATCH):
        super().__init__(build, base_url or MYVARIANT_URL, cache, http, batch_size)
        self.url = f"{self.base_url}/v1/variant"

    def version(self) -> str:
        # hg19 and hg38 are separate indexes with their own builds; the metadata endpoint
        # answers for hg19 unless told (myvariant.info src/config_web.py, METADATA_KWARGS).
        url = f"{self.base_url}/v1/metadata?assembly={_ASSEMBLY[self.build]}"
        data = self.http.json("GET", url, service=self.service, shape=dict)
        return _release(data, ("build_version", "build_date"), self.service, url)

    def _fetch(self, batch: list[VariantKey]) -> dict[VariantKey, Any]:
        ids = {hgvs_id(k): k for k in batch}
        form = {"ids": ",".join(ids), "fields": ",".join(MYVARIANT_FIELDS),
                "assembly": _ASSEMBLY[self.build]}
        hits = self.http.json("POST", self.url, service=self.service, shape=list,
                              variants=len(batch), data=form)
        # An answer is a hit (it has an _id) or an explicit {"query": id, "notfound": true};
        # an id with neither in the answer is not answered (asked again, not cached).
        fetched: dict[VariantKey, Any] = {}
        for hit in hits:
            key = ids.get(hit.get("query")) if isinstance(hit, dict) else None
            if key is not None and key not in fetched and (hit.get("_id")
                                                          or hit.get("notfound") is True):
                fetched[key] = hit  # several hits for one id: the first
        return fetched

    def _parse(self, hit: Any) -> MyVariantResult | None:
        if not hit or hit.get("notfound"):
            return None
        afs = {dataset: _number(_values(hit, f"gnomad_{dataset}.af.af"))
               for dataset in ("exome", "genome")}
        grpmax = [(value, f"{dataset}:{group}")
                  for dataset in ("exome", "genome") for group in GRPMAX_GROUPS
                  if (value := _number(_values(hit, f"gnomad_{dataset}.af.af_{group}")))
                  is not None]
        best = max(grpmax, default=(None, None))
        variation = _values(hit, "clinvar.variant_id")
        return MyVariantResult(
            clinvar_significance=_distinct(_values(hit, "clinvar.rcv.clinical_significance")),
            clinvar_review_status=_distinct(_values(hit, "clinvar.rcv.review_status")),
            clinvar_variation_id=str(variation[0]) if variation else None,
            gnomad_exome_af=afs["exome"], gnomad_genome_af=afs["genome"],
            gnomad_grpmax_af=best[0], gnomad_grpmax=best[1],
            cadd_phred=_number(_values(hit, "cadd.phred")),
            revel_score=_number(_values(hit, "dbnsfp.revel.score")))


def _release(data: dict, fields: tuple[str, ...], service: str, url: str) -> str:
    """The release a version query names, which keys the cache: without one, nothing can be
    cached safely."""
    value = next((data[f] for f in fields if data.get(f) not in (None, "")), None)
    if value is None or isinstance(value, dict | list):
        raise ServiceError(f"{service} at {url} did not say its release (no {' or '.join(fields)}"
                           f" in {json.dumps(data)[:200]})", service=service, url=url)
    return str(value)


def _listed(keys: list[VariantKey], most: int = 5) -> str:
    """`18:52340409 G>C, ...`: the first few variants, for a message."""
    shown = ", ".join(f"{k.chrom}:{k.pos} {k.ref}>{k.alt}" for k in keys[:most])
    return shown + (f" and {len(keys) - most} more" if len(keys) > most else "")


# ---------------------------------------------------------------------------------------------
# The entry point of the annotate stage


@dataclass(frozen=True)
class OnlineAnnotations:
    """Both services' answers for a set of variants."""

    vep: Annotations  # results: VariantKey -> VepResult | None
    myvariant: Annotations  # results: VariantKey -> MyVariantResult | None

    def provenance(self) -> list[dict]:
        """[{service, url, version, n_sent, n_cached}] for run_info.json and the reports."""
        return [self.vep.provenance(), self.myvariant.provenance()]


# The keys of the config's `annotation` block read here, with their defaults.
ONLINE_SETTINGS = {
    "cache": DEFAULT_CACHE_DIR,
    "vep_url": None,  # None: the Ensembl REST host of the build (VEP_URLS)
    "myvariant_url": MYVARIANT_URL,
    "vep_batch_size": VEP_MAX_BATCH,
    "myvariant_batch_size": MYVARIANT_MAX_BATCH,
    "timeout": 60,
    "retries": 4,
    "max_wait": 60,
}


def online_annotations(keys: Iterable[VariantKey], build: str, settings: Mapping[str, Any],
                       *, sleep: Callable[[float], None] = time.sleep) -> OnlineAnnotations:
    """Ask Ensembl VEP REST and MyVariant.info about the variants; only chrom, pos, ref and
    alt are sent, and nothing at all for variants already in the cache.

    `settings` is the config's `annotation` block; the keys read (others are ignored):
      cache                 directory of the persistent cache (default .cache/cmmvar)
      vep_url               Ensembl REST base URL (default https://rest.ensembl.org for
                            GRCh38, https://grch37.rest.ensembl.org for GRCh37)
      myvariant_url         MyVariant.info base URL (default https://myvariant.info)
      vep_batch_size        variants per VEP request, 1-200 (default 200)
      myvariant_batch_size  variants per MyVariant.info request, 1-1000 (default 1000)
      timeout               seconds to wait for an answer (default 60)
      retries               retries after a timeout, connection error, 429, 5xx, an answer
                            that is not JSON or one that leaves variants out, 0-20 (default
                            4; waits 1, 2, 4, 8 s, or what Retry-After says)
      max_wait              the longest wait before a retry, seconds (default 60): a longer
                            Retry-After is cut to it, and the log says so
    Raises ConfigError for a bad value, and ServiceError when a service stays down or leaves
    variants unanswered, naming how many variants have no annotation; each service is asked
    even when the other fails, and every answer received is kept in the cache.
    """
    values = {name: default if settings.get(name) is None else settings[name]
              for name, default in ONLINE_SETTINGS.items()}  # null in the config: default
    for name, low, high in (("vep_batch_size", 1, VEP_MAX_BATCH),
                            ("myvariant_batch_size", 1, MYVARIANT_MAX_BATCH),
                            ("retries", 0, 20)):
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"annotation.{name} is {value!r}; give a whole number from {low} "
                              f"to {high}")
    for name, lowest in (("timeout", "above 0"), ("max_wait", "from 0")):
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
                or (value == 0 and name == "timeout"):
            raise ConfigError(f"annotation.{name} is {value!r}; give a number of seconds "
                              f"{lowest}")
    keys = sorted(set(keys))
    cache = Cache(values["cache"] or DEFAULT_CACHE_DIR)
    try:
        http = Http(timeout=values["timeout"], max_retries=values["retries"],
                    max_wait=values["max_wait"], sleep=sleep)
        clients = (VepRest(build, values["vep_url"], cache, http, values["vep_batch_size"]),
                   MyVariant(build, values["myvariant_url"], cache, http,
                             values["myvariant_batch_size"]))
        answers, failures = [], []
        for client in clients:
            try:
                answers.append(client.annotate(keys))
            except ServiceError as exc:
                failures.append(exc)
    finally:
        cache.close()
    if failures:
        unannotated = tuple(sorted({k for exc in failures for k in exc.unanswered}))
        raise ServiceError(
            f"{len(unannotated)} of the {len(keys)} variants could not be annotated online: "
            + "; ".join(exc.message for exc in failures),
            service=", ".join(exc.service for exc in failures),
            url=", ".join(exc.url for exc in failures), hint=failures[0].hint,
            unanswered=unannotated)
    return OnlineAnnotations(*answers)


def hgvs_id(key: VariantKey) -> str:
    """MyVariant.info's genomic HGVS id, as its own get_hgvs_from_vcf builds it
    (biothings/myvariant.info src/utils/hgvs.py; biothings_client format_hgvs): SNV
    `chr1:g.35367G>A`, deletion `chr1:g.124_125del` (`g.124del` for one base), insertion
    `chr1:g.123_124insAT`, otherwise `chr1:g.123_125delinsAT`; a shared first base is the
    VCF anchor and is dropped."""
    chrom, pos, ref, alt = f"chr{key.chrom}", key.pos, key.ref, key.alt
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:  # keep one anchor base
        pos, ref, alt = pos + 1, ref[1:], alt[1:]
    if len(ref) == len(alt) == 1:
        return f"{chrom}:g.{pos}{ref}>{alt}"
    if len(alt) == 1 and ref[0] == alt:
        start, end = pos + 1, pos + len(ref) - 1
        return f"{chrom}:g.{start}del" if start == end else f"{chrom}:g.{start}_{end}del"
    if len(ref) == 1 and alt[0] == ref:
        return f"{chrom}:g.{pos}_{pos + 1}ins{alt[1:]}"
    if len(ref) == 1:
        return f"{chrom}:g.{pos}delins{alt}"
    return f"{chrom}:g.{pos}_{pos + len(ref) - 1}delins{alt}"


def _values(doc: Any, dotted: str) -> list:
    """Every leaf under a dotted field path; lists (several RCVs, several hits) are flattened."""
    items = [doc]
    for part in dotted.split("."):
        step = []
        for item in items:
            for value in item if isinstance(item, list) else [item]:
                if isinstance(value, dict) and part in value:
                    step.append(value[part])
        items = step
    leaves = []
    for item in items:
        leaves.extend(item if isinstance(item, list) else [item])
    return [v for v in leaves if v is not None and not isinstance(v, dict)]


def _number(values: list) -> float | None:
    numbers = []
    for value in values:
        try:
            numbers.append(float(value))
        except (TypeError, ValueError):
            continue
    return max(numbers, default=None)


def _distinct(values: list) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values))

