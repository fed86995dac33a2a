"""The persistent cache of the online services' answers, and the variant key it is keyed on.

A sqlite3 file of raw responses per (build, variant, source, source release), with the last
release seen of each source. Knows nothing about the services' formats or HTTP.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmmvar.io.genome import bare

DEFAULT_CACHE_DIR = ".cache/cmmvar"
_ALLELE = re.compile(r"^[ACGTN]+$")


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
