"""Helpers of test_htslib_test.py, shared with other test modules."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.robustness.harness import Error


def htslib_test_files() -> list[Path]:
    listing = subprocess.run(["dpkg", "-L", "htslib-test"], capture_output=True, text=True)
    return sorted(Path(line) for line in listing.stdout.splitlines()
                  if line.endswith((".vcf", ".vcf.gz", ".bcf")) and Path(line).is_file())


FILES = htslib_test_files()


# Read by `bcftools view` without an error, yet malformed in a way htslib cannot represent:
# one named error is the right outcome. noroundtrip.vcf lists FORMAT GT twice (`GT:GT`);
# htslib's own expected round trip of it, noroundtrip-out.vcf, holds `GT:GT 2,4:.`.
MALFORMED = {"test/noroundtrip.vcf": Error(r"GT.*(twice|duplicat|more than once)")}


def label(path: Path) -> str:
    return str(path).split("/htslib-test/", 1)[-1]
