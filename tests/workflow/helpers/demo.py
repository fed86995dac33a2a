"""Helpers of test_demo.py, shared with other test modules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[3]


SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


COPIED = ("Snakefile", "profiles", "workflow", "scripts", "config", "test_data")


DEMO_CONFIG = "config/demo.yaml"  # what `make run` runs


def copy_project(target: Path) -> Path:
    for name in COPIED:
        source = ROOT / name
        if source.is_symlink():  # profiles -> workflow/profiles: the copy links the same way
            (target / name).symlink_to(source.readlink())
        elif source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    return target


def snakemake(workdir: Path, *args: str, configfile: str | None = DEMO_CONFIG,
              prefix: tuple[str, ...] = (), env: dict | None = None
              ) -> subprocess.CompletedProcess:
    """Snakemake in `workdir` with `configfile` (the demo's unless told; None: no
    --configfile at all). It goes last: --configfile takes every word after it. `prefix`
    is a command run around it (test_offline: unshare -n), `env` its environment."""
    config = ["--configfile", configfile] if configfile else []
    return subprocess.run([*prefix, SNAKEMAKE, "--cores", "2", *args, *config], cwd=workdir,
                          capture_output=True, text=True, timeout=600, env=env)


def run_ok(workdir: Path, configfile: str = DEMO_CONFIG) -> Path:
    """Run the workflow in `workdir` (the demo unless told), which must succeed; its results
    folder."""
    run = snakemake(workdir, configfile=configfile)
    assert run.returncode == 0, run.stderr[-3000:]
    return workdir / "results"


def candidates(results: Path, family: str) -> pd.DataFrame:
    return pd.read_csv(results / "families" / family / "candidates.tsv", sep="\t",
                       dtype={"pos": int}, keep_default_na=False)


def sites(family: str) -> dict:
    return json.loads((ROOT / "test_data" / "sites.json").read_text())[family]
