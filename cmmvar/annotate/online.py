"""Opt-in online annotation: Ensembl VEP REST and MyVariant.info, behind a persistent cache.

Only variant keys (chrom, pos, ref, alt) ever leave the machine: the clients take nothing else,
and every request is logged (logger `cmmvar.annotate.online`) as "sent N variants to URL". Asks both
services through online_vep.py and online_myvariant.py (cache: online_cache.py, HTTP:
online_http.py); knows nothing about samples, families or filters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cmmvar.annotate.online_cache import DEFAULT_CACHE_DIR, Cache, VariantKey
from cmmvar.annotate.online_client import Annotations
from cmmvar.annotate.online_http import Http, ServiceError
from cmmvar.annotate.online_myvariant import MYVARIANT_MAX_BATCH, MYVARIANT_URL, MyVariant
from cmmvar.annotate.online_vep import VEP_MAX_BATCH, VepRest
from cmmvar.errors import ConfigError


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
