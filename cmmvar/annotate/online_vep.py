"""Ensembl VEP REST: what is sent (VCF-style region input) and how its answer is read.

Knows VEP's request options and JSON fields; the cache and retries are online_client.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmmvar.annotate.online_cache import DEFAULT_CACHE_DIR, Cache, VariantKey
from cmmvar.annotate.online_client import Client, stated_release
from cmmvar.annotate.online_http import Http
from cmmvar.annotate.transcript_effect import TranscriptEffect

VEP_URLS = {"GRCh38": "https://rest.ensembl.org", "GRCh37": "https://grch37.rest.ensembl.org"}
# Ensembl VEP REST: at most 200 variants per POST (Bioconductor vep_by_region enforces 200;
# the server's configured max_post_size may be higher, but is not promised).
VEP_MAX_BATCH = 200


@dataclass(frozen=True)
class VepResult:
    most_severe_consequence: str | None
    transcripts: tuple[TranscriptEffect, ...]

    def transcript(self, transcript_id: str) -> TranscriptEffect | None:
        """The consequence on this transcript, its version ignored (ENST00000442544.7)."""
        stable = transcript_id.split(".")[0]
        return next((t for t in self.transcripts
                     if t.transcript.split(".")[0] == stable), None)


class VepRest(Client):
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
        return stated_release(data, ("release",), self.service, url)

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

    def _parse(self, response: Any, version: str) -> VepResult:
        transcripts = tuple(
            TranscriptEffect(
                transcript=t.get("transcript_id", ""), gene=t.get("gene_symbol") or "",
                consequence="&".join(t.get("consequence_terms") or ()),
                impact=t.get("impact") or "", hgvs_c=_unprefixed(t.get("hgvsc")),
                hgvs_p=_unprefixed(t.get("hgvsp")), exon=t.get("exon") or "",
                intron=t.get("intron") or "",
                mane_select=bool(t.get("mane_select")) or "MANE_Select" in _flags(t.get("mane")),
                source=f"{self.service} {version}", mane_refseq=t.get("mane_select") or None,
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


def _unprefixed(hgvs: str | None) -> str:
    """`ENST00000442544.7:c.100G>A` -> `c.100G>A`, and "=" unescaped: VEP URI-encodes it in
    HGVSp unless run with --no_escape, which REST does not offer (ensembl-vep
    OutputFactory.pm, TranscriptVariationAllele_to_output_hash): p.Leu12%3D."""
    return (hgvs or "").split(":")[-1].replace("%3D", "=")
