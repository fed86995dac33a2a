"""Mutation of the clinical constants that mutmut leaves alone (it mutates function bodies,
not module-level values such as the pseudo-autosomal coordinates, the PP1/BS4 ladders, the
REVEL cut-offs and the ACMG points).

Each line of tests/mutation/constants.tsv changes one value by the smallest step that matters
(one base, the next printed decimal); the script applies it to a copy of the work tree, runs
the listed tests there, and expects them to fail. Exit status 1 when any change survives.

    .venv/bin/python scripts/mutate_constants.py        (make mutation-constants)
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutation import ROOT, copy_tree  # noqa: E402

CASES = ROOT / "tests" / "mutation" / "constants.tsv"


def survives(case: dict[str, str], mutate: bool = True) -> bool:
    """Whether the case's tests pass in a copy with the case's change (or without it)."""
    with tempfile.TemporaryDirectory(prefix="cmmvar-constants-") as folder:
        copy = Path(folder)
        copy_tree(copy)
        module = copy / case["module"]
        text = module.read_text()
        if text.count(case["before"]) != 1:
            sys.exit(f"{CASES.name}: {case['before']!r} is not found exactly once in "
                     f"{case['module']}: update the line to the code")
        if mutate:
            module.write_text(text.replace(case["before"], case["after"]))
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
             *case["tests"].split()],
            cwd=copy, capture_output=True, text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy), "HOME": folder})
        return run.returncode == 0


def main() -> int:
    with CASES.open(newline="") as handle:
        cases = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    # a failure counts as a kill only if the same tests pass on the unchanged code
    for tests in {case["tests"]: case for case in cases}.values():
        if not survives(tests, mutate=False):
            sys.exit(f"the tests {tests['tests']} fail on the unchanged code: fix them first")
    survivors = []
    for case in cases:
        alive = survives(case)
        print(f"{'SURVIVED' if alive else 'killed  '}  {case['module']}: {case['before']} -> "
              f"{case['after']}  ({case['source of the value']})", flush=True)
        survivors += [case] * alive
    print(f"{len(cases) - len(survivors)} of {len(cases)} constant changes killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
