"""`make lint`: `snakemake --lint` on the workflow, failing on every lint but one.

The lint accepted is "Specify a conda environment or container for each rule": cmmvar is
deployed with pip (README, Deployment routes) and offers no conda or container route, since
neither can be built and tested here. Run: .venv/bin/python scripts/lint_workflow.py [ARGS]
(ARGS go to snakemake, e.g. --configfile config/demo.yaml). Snakemake 9's --lint=json prints
text, so the lint titles are read from the text report ("    * TITLE:").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ACCEPTED = "Specify a conda environment or container for each rule."


def lint_titles(report: str) -> list[str]:
    """The titles of the lints in snakemake's text lint report, once per rule that has each."""
    return [line.strip()[2:].rstrip(":") for line in report.splitlines()
            if line.startswith("    * ")]


def main(args: list[str]) -> int:
    snakemake = Path(sys.executable).with_name("snakemake")
    run = subprocess.run([str(snakemake), "--lint", *args], capture_output=True, text=True)
    report = run.stdout + run.stderr
    titles = lint_titles(report)
    others = [title for title in titles if title != ACCEPTED]
    if others or (run.returncode != 0 and not titles):
        sys.stdout.write(report)
        return 1
    print(f"snakemake --lint: no lint but {len(titles)} x '{ACCEPTED}' (no conda or container "
          "route is offered: README, Deployment routes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
