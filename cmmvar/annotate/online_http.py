"""HTTP for the online services: bounded retries, Retry-After, and the error they raise.

Knows requests, status codes and waits; nothing about what the services answer.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from cmmvar import __version__
from cmmvar.annotate.online_cache import VariantKey
from cmmvar.errors import InputError

log = logging.getLogger("cmmvar.annotate.online")


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
