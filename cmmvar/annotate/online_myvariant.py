"""MyVariant.info: genomic HGVS ids sent, ClinVar, gnomAD, CADD and REVEL read back.

Knows MyVariant's ids, fields and assemblies; the cache and retries are online_client.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmmvar.annotate.online_cache import DEFAULT_CACHE_DIR, Cache, VariantKey
from cmmvar.annotate.online_client import Client, stated_release
from cmmvar.annotate.online_http import Http

MYVARIANT_URL = "https://myvariant.info"
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


class MyVariant(Client):
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
        return stated_release(data, ("build_version", "build_date"), self.service, url)

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

    def _parse(self, hit: Any, version: str) -> MyVariantResult | None:
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
