"""What the online services share: cache first, then batches of the rest, each cached as it
comes, and the answers a service gave (`Annotations`). The services are online_vep.py and
online_myvariant.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmmvar.annotate.online_cache import Cache, VariantKey
from cmmvar.annotate.online_http import Http, ServiceError, resume_hint
from cmmvar.errors import ConfigError
from cmmvar.io.genome import BUILDS

log = logging.getLogger("cmmvar.annotate.online")


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


class Client:
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
                           {k: self._parse(found[k], version) for k in keys}, len(missing), cached)

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

    def _parse(self, response: Any, version: str):
        raise NotImplementedError


def stated_release(data: dict, fields: tuple[str, ...], service: str, url: str) -> str:
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
