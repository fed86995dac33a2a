"""Cohort outputs: the summary table (one row per family and its top candidate) and
run_info.json (versions, configuration, input files with checksums)."""

from __future__ import annotations

import math
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import pysam

from cmmvar import __version__
from cmmvar.atomic import atomic_path, write_json
from cmmvar.config import not_checked
from cmmvar.provenance import file_record, resource_record
from cmmvar.segregation import Settings, meioses_label, strength

SUMMARY_COLUMNS = (
    "family_id", "n_candidates", "rank", "chrom", "pos", "ref", "alt", "gene", "tier",
    "inheritance", "consequence", "hgvs_c", "hgvs_p", "affected_carriers",
    "affected_noncarriers", "affected_missing", "unaffected_carriers", "unaffected_noncarriers",
    "unaffected_missing", "unknown_carriers", "flb", "log10_flb", "pp1", "bs4", "de_novo",
    "acmg_codes", "cohort_families", "cohort_flb", "cohort_log10_flb", "cohort_pp1",
    "cohort_bs4",
)
VARIANT_COLUMNS = (
    "chrom", "pos", "ref", "alt", "gene", "cohort_families", "families", "families_flb_undefined",
    "cohort_flb", "cohort_log10_flb", "cohort_pp1", "cohort_bs4", "cohort_meioses",
    "cohort_meioses_strength",
)
_KEY = ["chrom", "pos", "ref", "alt"]


def combine(tables: dict[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """Per variant, across families: the product of the families' FLBs (independent
    pedigrees multiply, Thompson et al. 2003) and its strength; families whose FLB is
    undefined are listed, not multiplied."""
    stacked = pd.concat([t.assign(family_id=f) for f, t in tables.items() if len(t)],
                        ignore_index=True) if any(len(t) for t in tables.values()) else None
    if stacked is None:
        return pd.DataFrame(columns=list(VARIANT_COLUMNS))
    rows = []
    for key, group in stacked.groupby(_KEY, sort=False):
        defined = group[group.flb != ""]
        if len(defined) and (defined.flb.astype(float) == 0).any():
            value, log10 = 0.0, None
        elif len(defined):
            log10 = sum(math.log10(float(v)) for v in defined.flb)
            value = 10 ** log10
        else:
            value, log10 = None, None
        meioses = group.informative_meioses[group.informative_meioses != ""].astype(int)
        total = int(meioses.sum()) if len(meioses) else None
        rows.append({
            **dict(zip(_KEY, key, strict=True)), "gene": group.gene.iloc[0],
            "cohort_families": len(group), "families": ",".join(group.family_id),
            "families_flb_undefined": ",".join(group.family_id[group.flb == ""]),
            "cohort_flb": "" if value is None else f"{value:.6g}",
            "cohort_log10_flb": "" if log10 is None else f"{log10:.4f}",
            "cohort_pp1": strength(value, settings.ladder["pp1"], benign=False),
            "cohort_bs4": strength(value, settings.ladder["bs4"], benign=True),
            "cohort_meioses": "" if total is None else total,
            "cohort_meioses_strength": meioses_label(total, settings.meioses, len(meioses)),
        })
    return pd.DataFrame(rows, columns=list(VARIANT_COLUMNS))


def summarise(candidate_tables: dict[str, str | Path], settings: Settings,
              out_path: str | Path, variants_path: str | Path) -> pd.DataFrame:
    """One row per family with its rank-1 candidate (a family without one keeps its row),
    with the cohort-wide Bayes factor of that variant; and the per-variant cohort table."""
    tables = {family: pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
              for family, path in candidate_tables.items()}
    combined = combine(tables, settings)
    by_key = {tuple(r[k] for k in _KEY): r for r in combined.to_dict("records")}
    rows = []
    for family_id, table in tables.items():
        row = dict.fromkeys(SUMMARY_COLUMNS, "")
        row.update(family_id=family_id, n_candidates=len(table))
        if len(table):
            top = table.iloc[0].to_dict()
            row.update({k: top.get(k, "") for k in SUMMARY_COLUMNS
                        if k not in ("family_id", "n_candidates")})
            cohort = by_key[tuple(top[k] for k in _KEY)]
            row.update({k: cohort[k] for k in SUMMARY_COLUMNS if k.startswith("cohort_")})
        rows.append(row)
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    with atomic_path(out_path) as tmp:
        summary.to_csv(tmp, sep="\t", index=False)
    with atomic_path(variants_path) as tmp:
        combined.to_csv(tmp, sep="\t", index=False)
    return summary


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def write_run_info(config: dict, files: dict[str, list[str]], out_path: str | Path) -> dict:
    """Versions, configuration and every input file with its size, date and SHA-256; the
    annotation files that are the demo's synthetic ones, and the resources set to `none`."""
    resources = [resource_record(p) for p in files.get("annotation", [])]
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
