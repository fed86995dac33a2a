"""Cohort outputs: the summary table (one row per family and its top candidate) and
run_info.json (versions, configuration, input files with checksums)."""

from __future__ import annotations

import hashlib
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import pysam

from cmmvar import __version__
from cmmvar.atomic import atomic_path, write_json

SUMMARY_COLUMNS = (
    "family_id", "n_candidates", "rank", "chrom", "pos", "ref", "alt", "gene", "tier",
    "inheritance", "consequence", "hgvs_c", "hgvs_p", "affected_carriers",
    "affected_noncarriers", "affected_missing", "unaffected_carriers", "unaffected_noncarriers",
    "unaffected_missing", "unknown_carriers", "flb", "log10_flb", "pp1", "bs4", "de_novo",
    "acmg_codes",
)


def summarise(candidate_tables: dict[str, str | Path], out_path: str | Path) -> pd.DataFrame:
    """One row per family with its rank-1 candidate; a family without one keeps its row."""
    rows = []
    for family_id, path in candidate_tables.items():
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
        row = dict.fromkeys(SUMMARY_COLUMNS, "")
        row.update(family_id=family_id, n_candidates=len(table))
        if len(table):
            top = table.iloc[0].to_dict()
            row.update({k: top.get(k, "") for k in SUMMARY_COLUMNS
                        if k not in ("family_id", "n_candidates")})
        rows.append(row)
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    with atomic_path(out_path) as tmp:
        summary.to_csv(tmp, sep="\t", index=False)
    return summary


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: str | Path, checksum: bool = True) -> dict:
    path = Path(path)
    stat = path.stat()
    record = {"path": str(path), "bytes": stat.st_size,
              "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")}
    if checksum:
        record["sha256"] = sha256(path)
    return record


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def write_run_info(config: dict, files: dict[str, list[str]], out_path: str | Path) -> dict:
    """Versions, configuration and every input file with its size, date and SHA-256."""
    info = {
        "cmmvar_version": __version__,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "tools": {name: _package_version(name)
                  for name in ("snakemake", "pysam", "pandas", "jinja2")},
        "htslib": pysam.version.__htslib_version__,
        "config": config,
        "files": {kind: [file_record(p) for p in paths] for kind, paths in files.items()},
    }
    write_json(out_path, info)
    return info
