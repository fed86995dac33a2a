"""Per-family outputs: candidates.tsv, report.json, qc.json and report.html.

Ranks a family's candidates and renders them; computes nothing about genotypes itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from cmmvar import __version__
from cmmvar.annotate.online_crosscheck import for_family
from cmmvar.atomic import atomic_path, write_json, write_text
from cmmvar.config import not_checked
from cmmvar.io.panel import panel_record
from cmmvar.records import (
    CONTRACT_COUNT_COLUMNS,
    EXTRA_COUNT_COLUMNS,
    FamilyResult,
    PairResult,
    VariantResult,
)
from cmmvar.report.annotated_vcf import family_vcf, write_family_vcf
from cmmvar.report.gene_context import is_apart
from cmmvar.report.prioritise import Priority, prioritise, prioritise_pair
from cmmvar.report.report_html import render_family
from cmmvar.report.scope import BANNER, with_scope
from cmmvar.report.wording import family_proband
from cmmvar.segregate.pairs import pair_de_novo, pair_fields, phase_words
from cmmvar.segregate.segregation import table_fields

# The output contract (DESIGN.md): names and order binding.
CANDIDATE_COLUMNS = (
    "family_id", "chrom", "pos", "ref", "alt", "gene", "transcript", "consequence", "hgvs_c",
    "hgvs_p", "impact", "gnomad_af", "gnomad_grpmax_af", "clinvar_significance",
    "clinvar_review_status", "clinvar_id", "inheritance", *CONTRACT_COUNT_COLUMNS, "flb",
    "log10_flb", "pp1", "bs4", "de_novo", "acmg_codes", "rank",
)
# Beyond the contract, appended so readers by position are not disturbed.
EXTRA_COLUMNS = (
    *EXTRA_COUNT_COLUMNS, "tier", "proband", "informative_meioses", "meioses_strength",
    "flb_note", "acmg_points", "exon", "intron", "gnomad_status", "gnomad_grpmax",
    "gnomad_faf95_max", "gnomad_nhomalt", "clinvar_stars", "clinvar_conditions", "cadd_phred",
    "revel", "annotation_source", "gnomad_source", "clinvar_source", "scores_source",
    "explains_family", "compound_het_with",
)
# A pair row's cells that describe each variant: both, joined (first / second).
_PAIR_JOINED = ("consequence", "hgvs_c", "hgvs_p", "impact", "clinvar_significance",
                "clinvar_review_status", "clinvar_id", "exon", "intron")
_TIER_ORDER = {"core": 0, "reported": 1, "syndromic": 2, "candidate": 3, "unsupported": 4}


@dataclass(frozen=True)
class Assessed:
    """A variant of the family result with its Priority (filters and ACMG criteria), or a
    pair with its (prioritise_pair): then `variant` is its first variant."""

    variant: VariantResult
    priority: Priority
    pair: PairResult | None = None
    partner: VariantResult | None = None

    @property
    def de_novo(self) -> str:
        """A pair: yes when either variant is de novo, unknown when either is unknown."""
        if self.partner is None:
            return self.variant.segregation.de_novo
        return pair_de_novo(self.variant.segregation.de_novo, self.partner.segregation.de_novo)


def rank_key(item: Assessed) -> tuple:
    """Order within a family: genes of tier candidate or unsupported after every other gene
    (reported in their own section, whatever their points), then ACMG points (Tavtigian et al.
    2020; segregation codes included), de novo candidates, the Bayes factor (highest first;
    undefined or zero last), fewest affected non-carriers, most affected carriers, gene tier,
    position. A pair ranks by the same key, with its own points, Bayes factor and counts
    (members carrying both), at its first variant's position, just before that variant
    when all else is equal."""
    variant = item.variant
    seg = item.pair.segregation if item.pair else variant.segregation
    gene = variant.gene
    log10 = seg.log10_flb if seg.log10_flb is not None else float("-inf")
    return (is_apart(asdict(gene)), -item.priority.points, item.de_novo != "yes", -log10,
            seg.counts.affected_noncarriers, -seg.counts.affected_carriers,
            _TIER_ORDER.get(gene.tier, 9), variant.chrom, variant.pos, item.pair is None)


def _key(variant: VariantResult) -> str:
    return f"{variant.chrom}:{variant.pos}:{variant.ref}:{variant.alt}"


def assess(variants: Iterable[VariantResult], filters: dict,
           pairs: Iterable[PairResult] = ()) -> list[Assessed]:
    """Each variant of a family result with its Priority, and each pair with its
    (prioritise_pair), best first (rank_key)."""
    assessed = {}
    for variant in variants:
        priority = prioritise(variant.annotation, variant.segregation.to_dict(),
                              variant.gene.mechanism, variant.gene.max_allele_frequency,
                              filters.get("consequences"))
        assessed[_key(variant)] = Assessed(variant, priority)
    items = list(assessed.values())
    for pair in pairs:
        first, second = assessed[pair.segregation.first], assessed[pair.segregation.second]
        priority = prioritise_pair(first.priority, second.priority,
                                   (first.variant.annotation, second.variant.annotation),
                                   pair.segregation.to_dict())
        items.append(Assessed(first.variant, priority, pair, second.variant))
    return sorted(items, key=rank_key)


def _row(result: FamilyResult, item: Assessed) -> dict:
    """The candidates.tsv row: every number formatted here or by the record it comes from."""
    variant, priority = item.variant, item.priority
    row = dict.fromkeys(CANDIDATE_COLUMNS + EXTRA_COLUMNS, "")
    cells = variant.annotation.to_row()
    row.update({k: cells[k] for k in row if k in cells})
    row.update(chrom=variant.chrom, pos=variant.pos, ref=variant.ref, alt=variant.alt,
               **asdict(variant.segregation.counts))
    row.update(family_id=result.family_id, tier=variant.gene.tier)
    row.update(table_fields(variant.segregation.to_dict()))
    row.update(acmg_codes=priority.codes, acmg_points=priority.points)
    return _pair_cells(row, item) if item.pair else row


def _pair_cells(row: dict, item: Assessed) -> dict:
    """A pair's row: the first variant's row with the partner named, both variants' own
    descriptions joined, the larger of their population frequencies (the one a rarity
    claim rests on), and the pair's counts (members carrying both) and statistics."""
    pair, partner = item.pair.segregation, item.partner
    other = partner.annotation.to_row()
    for column in _PAIR_JOINED:
        if row[column] or other[column]:
            row[column] = f"{row[column]} / {other[column]}"
    for column in ("gnomad_af", "gnomad_grpmax_af", "gnomad_faf95_max"):
        values = [v for v in (getattr(item.variant.annotation, column),
                              getattr(partner.annotation, column)) if v is not None]
        row[column] = f"{max(values):.6g}" if values else ""
    row.update(pair_fields(pair, item.de_novo), acmg_codes=item.priority.codes)
    return row


def candidate_rows(result: FamilyResult,
                   filters: dict) -> tuple[list[dict], list[dict], list[Assessed]]:
    """(kept rows: the candidates best first with `rank` from 1, then, listed apart with an
    empty rank, those that do not explain the family (no genotyped affected member carries
    them); filtered rows with their reasons; the assessed items in the order of the kept rows
    then the filtered ones)."""
    assessed = assess(result.variants, filters, result.pairs)
    kept = [item for item in assessed if item.priority.kept]
    apart = [item for item in kept if item.variant.segregation.explains_family == "no"]
    kept = [item for item in kept if item not in apart] + apart
    dropped = [item for item in assessed if not item.priority.kept]
    rows = [dict(_row(result, item), rank=rank) for rank, item in
            enumerate(kept[:len(kept) - len(apart)], start=1)]
    rows += [dict(_row(result, item), rank="") for item in apart]
    filtered = [dict(_row(result, item), filters=list(item.priority.filters))
                for item in dropped]
    return rows, filtered, kept + dropped


def qc_record(result: FamilyResult, extract_stats: dict, normalise_stats: dict) -> dict:
    return {
        "family_id": result.family_id,
        "pedigree_warnings": list(result.pedigree_warnings),
        "samples": result.samples,
        "vcf_samples_not_in_ped_count": result.samples["vcf_only_count"],
        "thresholds": result.thresholds,
        "genotype_qc": result.genotype_qc,
        "genotype_qc_notes": result.genotype_qc_notes,
        "mendelian_errors": result.mendelian_errors,
        "extraction": extract_stats,
        "normalisation": normalise_stats,
    }


def synthetic_demo_resources(annotation: dict) -> list[dict]:
    """The annotation files of a run that carry the synthetic-demo marker (cmmvar.provenance):
    {resource, path, marker}."""
    return [{"resource": f"annotation.{key}", "path": record["path"],
             "marker": record["synthetic_demo"]}
            for key, record in (annotation.get("files") or {}).items()
            if record.get("synthetic_demo")]


def write_family_outputs(result: FamilyResult, extract_stats: dict, normalise_stats: dict,
                         annotation: dict, settings: dict, out_dir: str | Path) -> None:
    """Write the per-family files atomically into `out_dir`."""
    out_dir = Path(out_dir)
    rows, filtered, ordered = candidate_rows(result, settings.get("filters", {}))
    # What the top of every report says first: synthetic demo files used, resources skipped.
    synthetic = synthetic_demo_resources(annotation)
    unchecked = not_checked(settings.get("annotation") or {})
    qc = {"synthetic_demo_resources": synthetic, "not_checked": unchecked,
          **qc_record(result, extract_stats, normalise_stats)}
    # the VCF's cross-check, cut to this family's variants (a VCF may hold several families)
    members = {_key(i.variant) for i in ordered} | {_key(i.partner) for i in ordered
                                                    if i.pair is not None}
    annotation = dict(annotation, online_crosscheck=for_family(
        annotation.get("online_crosscheck"), members))
    qc["online_crosscheck"] = annotation["online_crosscheck"]
    qc["prioritisation_filters"] = dict(Counter(
        reason.split(":")[0] for row in filtered if not row["compound_het_with"]
        for reason in row["filters"]))
    table = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS + EXTRA_COLUMNS))
    with atomic_path(out_dir / "candidates.tsv") as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    # one VCF record per variant: a pair's row (two variants) stays in the TSV and JSON
    singles = [(row, item.variant) for row, item in zip(rows, ordered[:len(rows)], strict=True)
               if item.pair is None]
    write_family_vcf(result, [row for row, _ in singles], [v for _, v in singles],
                     out_dir / family_vcf(result.family_id))
    def details(row: dict, item: Assessed) -> dict:
        variant = item.variant
        # `gene_model`, not `gene`: report.json's candidates keep the TSV row's `gene` (the
        # symbol) beside the gene's panel record
        return with_scope(dict(
            row, genotypes=variant.genotypes, gene_model=asdict(variant.gene),
            segregation=variant.segregation.to_dict(), origin=variant.origin,
            other_transcripts=json.loads(variant.annotation.other_transcripts or "[]"),
            sensitivity=variant.sensitivity,
            criteria=[{"code": c.code, "reason": c.reason, "points": c.points}
                      for c in item.priority.criteria]))

    def pair_details(row: dict, item: Assessed) -> dict:
        first, second = item.variant, item.partner
        return dict(row, segregation=item.pair.segregation.to_dict(),
                    phase=phase_words(item.pair.segregation.to_dict()["phase"]),
                    members=[_key(first), _key(second)],
                    sensitivity=item.pair.sensitivity,
                    genotypes={pid: [first.genotypes[pid]["label"],
                                     second.genotypes[pid]["label"]]
                               for pid in first.genotypes},
                    criteria=[{"code": c.code, "reason": c.reason, "points": c.points}
                              for c in item.priority.criteria])

    # pairs apart from the variants: the cohort stage multiplies variants' Bayes factors
    # across families, never a pair's
    listed = list(zip(rows, ordered, strict=False)) + list(
        zip(filtered, ordered[len(rows):], strict=True))
    report = {
        "family_id": result.family_id,
        "banner": BANNER,
        "synthetic_demo_resources": synthetic,
        "not_checked": unchecked,
        "cmmvar_version": __version__,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "genome_build": result.genome_build,
        "inputs": result.inputs,
        "settings": settings,
        "panel": panel_record(settings["panel"]) if Path(settings.get("panel") or "").is_file()
        else None,
        "pedigree": [person.to_dict() for person in result.pedigree],
        "segregation_settings": result.segregation_settings,
        "annotation_sources": annotation,
        "candidates": [details(row, item) for row, item in listed[:len(rows)]
                       if row["rank"] != "" and item.pair is None],
        # no genotyped affected member carries them: listed apart, never ranked
        "not_explaining": [details(row, item) for row, item in listed[:len(rows)]
                           if row["rank"] == "" and item.pair is None],
        "filtered": [details(row, item) for row, item in listed[len(rows):]
                     if item.pair is None],
        # possible compound heterozygotes, ranked among the candidates (`rank`) or
        # filtered (`filters`)
        "pairs": [pair_details(row, item) for row, item in listed if item.pair is not None],
        "qc": qc,
    }
    report["proband"] = family_proband(report["candidates"])  # with how it was chosen
    write_json(out_dir / "report.json", report)
    write_json(out_dir / "qc.json", qc)
    write_text(out_dir / "report.html", render_family(report))
