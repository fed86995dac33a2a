"""Cohort outputs: the summary table (one row per family and its top candidate), the
per-variant table across families, and run_info.json (versions, configuration, input files
with checksums). Reads the families' report.json records, never their presentation TSVs."""

from __future__ import annotations

import json
import math
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import pysam

from cmmvar import __version__
from cmmvar.atomic import atomic_path, write_json
from cmmvar.config import not_checked
from cmmvar.provenance import file_record, resource_record
from cmmvar.records import CONTRACT_COUNT_COLUMNS
from cmmvar.report.gene_context import is_apart
from cmmvar.report.wording import family_note, headline
from cmmvar.segregate.segregation import Settings, meioses_label, strength

SUMMARY_COLUMNS = (
    "family_id", "n_candidates", "rank", "chrom", "pos", "ref", "alt", "gene", "tier",
    "inheritance", "consequence", "hgvs_c", "hgvs_p", *CONTRACT_COUNT_COLUMNS, "flb",
    "log10_flb", "pp1", "bs4", "de_novo",
    "acmg_codes", "cohort_families", "cohort_flb", "cohort_log10_flb", "cohort_pp1",
    "cohort_bs4", "family_note",
)
VARIANT_COLUMNS = (
    "chrom", "pos", "ref", "alt", "gene", "cohort_families", "families", "families_flb_undefined",
    "cohort_flb", "cohort_log10_flb", "cohort_pp1", "cohort_bs4", "cohort_meioses",
    "cohort_meioses_strength",
)
_KEY = ("chrom", "pos", "ref", "alt")
# Indexes read beside an input file (htslib's names); recorded when present.
_INDEX_SUFFIXES = (".tbi", ".csi", ".fai", ".gzi")


@dataclass(frozen=True)
class CohortVariant:
    """One variant across the families that keep it: the product of their Bayes factors
    (None when no family's is defined; 0.0 when one is 0) and its strengths."""
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    families: tuple[str, ...]
    families_flb_undefined: tuple[str, ...]
    flb: float | None
    log10_flb: float | None
    pp1: str
    bs4: str
    meioses: int | None
    meioses_strength: str

    def cells(self) -> dict:
        """The row of cohort_variants.tsv: numbers formatted here, and only here."""
        return {
            "chrom": self.chrom, "pos": self.pos, "ref": self.ref, "alt": self.alt,
            "gene": self.gene, "cohort_families": len(self.families),
            "families": ",".join(self.families),
            "families_flb_undefined": ",".join(self.families_flb_undefined),
            "cohort_flb": "" if self.flb is None else f"{self.flb:.6g}",
            "cohort_log10_flb": "" if self.log10_flb is None else f"{self.log10_flb:.4f}",
            "cohort_pp1": self.pp1, "cohort_bs4": self.bs4,
            "cohort_meioses": "" if self.meioses is None else self.meioses,
            "cohort_meioses_strength": self.meioses_strength,
        }


def combine(candidates: dict[str, list[dict]], settings: Settings) -> list[CohortVariant]:
    """Per variant, across families (each family's report.json `candidates`): the product of
    the families' FLBs (independent pedigrees multiply, Thompson et al. 2003), taken from the
    full-precision values of their segregation records, and its strength; families whose FLB
    is undefined are listed, not multiplied. In order of first appearance."""
    groups: dict[tuple, list[tuple[str, dict]]] = {}
    for family_id, items in candidates.items():
        for item in items:
            groups.setdefault(tuple(item[k] for k in _KEY), []).append((family_id, item))
    variants = []
    for key, members in groups.items():
        segs = [(family_id, item["segregation"]) for family_id, item in members]
        defined = [seg for _, seg in segs if seg["flb"] is not None]
        if any(seg["flb"] == 0 for seg in defined):
            value, log10 = 0.0, None
        elif defined:
            # a sum of logarithms: a product of many small or large factors stays finite
            log10 = math.fsum(seg["log10_flb"] for seg in defined)
            value = 10 ** log10
        else:
            value, log10 = None, None
        meioses = [seg["meioses"] for _, seg in segs if seg["meioses"] is not None]
        total = sum(meioses) if meioses else None
        variants.append(CohortVariant(
            *key, gene=members[0][1]["gene"],
            families=tuple(family_id for family_id, _ in segs),
            families_flb_undefined=tuple(f for f, seg in segs if seg["flb"] is None),
            flb=value, log10_flb=log10,
            pp1=strength(value, settings.ladder["pp1"], benign=False),
            bs4=strength(value, settings.ladder["bs4"], benign=True),
            meioses=total,
            meioses_strength=meioses_label(total, settings.meioses, len(meioses))))
    return variants


def summarise(reports: dict[str, str | Path], settings: Settings,
              out_path: str | Path, variants_path: str | Path) -> pd.DataFrame:
    """One row per family with its best candidate without BS4 (a family without one keeps
    its row, with `family_note` saying why: no supported candidate, BS4 candidates),
    with the cohort-wide Bayes factor of that variant; and the per-variant cohort table.
    `reports` maps each family to its report.json, in the sheet's order."""
    candidates = {family: json.loads(Path(path).read_text(encoding="utf-8"))["candidates"]
                  for family, path in reports.items()}
    combined = combine(candidates, settings)
    by_key = {(v.chrom, v.pos, v.ref, v.alt): v.cells() for v in combined}
    rows = []
    for family_id, items in candidates.items():
        row = dict.fromkeys(SUMMARY_COLUMNS, "")
        # genes of tier candidate/unsupported are never put forward (their own section)
        established = [c for c in items if not is_apart(c.get("gene_model"))]
        apart = len(items) - len(established)
        row.update(family_id=family_id, n_candidates=len(items),
                   family_note="; ".join(filter(None, [family_note(items), apart and (
                       f"{apart} candidate{'s' if apart > 1 else ''} in a gene of tier "
                       f"candidate or unsupported {'are' if apart > 1 else 'is'} not put "
                       f"forward")])))
        # the best ranked without evidence against cosegregation (BS4): report.json lists
        # the candidates best first, and never one that explains nothing of the family
        top = headline(established)
        if top:
            row.update({k: top.get(k, "") for k in SUMMARY_COLUMNS
                        if k not in ("family_id", "n_candidates", "family_note")})
            cohort = by_key[tuple(top[k] for k in _KEY)]
            row.update({k: cohort[k] for k in SUMMARY_COLUMNS if k.startswith("cohort_")})
        rows.append(row)
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    with atomic_path(out_path) as tmp:
        summary.to_csv(tmp, sep="\t", index=False)
    with atomic_path(variants_path) as tmp:
        pd.DataFrame([v.cells() for v in combined], columns=list(VARIANT_COLUMNS)).to_csv(
            tmp, sep="\t", index=False)
    return summary


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def write_run_info(config: dict, files: dict[str, list[str]], out_path: str | Path) -> dict:
    """Versions, configuration and every input file with its size, date and SHA-256 (the
    indexes found beside the VCFs and annotation resources under `indexes`, since htslib
    reads them too); the annotation files that are the demo's synthetic ones, and the
    resources set to `none`."""
    resources = [resource_record(p) for p in files.get("annotation", [])]
    files = {**files, "indexes": [
        f"{path}{suffix}" for kind in ("vcf", "annotation") for path in files.get(kind, [])
        for suffix in _INDEX_SUFFIXES if Path(f"{path}{suffix}").is_file()]}
    info = {
        "cmmvar_version": __version__,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "tools": {name: _package_version(name)
                  for name in ("snakemake", "pysam", "pandas", "jinja2")},
        "htslib": pysam.version.__htslib_version__,
        "synthetic_demo_resources": [{"path": r["path"], "marker": r["synthetic_demo"]}
                                     for r in resources if r.get("synthetic_demo")],
        "not_checked": not_checked(config.get("annotation") or {}),
        "config": config,
        # annotation resources also carry their build-manifest entry (source, release, date)
        "files": {kind: resources if kind == "annotation" else
                  [file_record(p) for p in paths] for kind, paths in files.items()},
    }
    write_json(out_path, info)
    return info
