"""Helpers of test_escaping.py, shared with other test modules."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pysam

from tests.workflow.helpers.demo import copy_project

SAMPLE = "<script>alert(1)</script>"


CONDITION = 'Mirror_movements_2_"quoted"_<b>bold</b>_&_<img_src=x_onerror=alert(2)>'


# RAD1's other members get names a path or a shell would act on: they must never name a
# file nor reach a command (cmmvar/io/pedigree.py keeps IDs verbatim, as the VCF spells them).
PATH_AND_SHELL_NAMES = {"RAD_I1": "../../escaped", "RAD_I2": "$(touch${IFS}pwned)",
                        "RAD_II1": "/tmp/abs;rm${IFS}-rf|x&y`touch${IFS}pwned`",
                        "RAD_II2": "'q'\"dq\"\\b*"}


def make_hostile_project(target: Path) -> Path:
    """The demo, with RAD1's unaffected carrier renamed SAMPLE and its other members renamed
    PATH_AND_SHELL_NAMES (PED and VCF), and the ClinVar condition of RAD1's variant replaced
    by CONDITION."""
    project = copy_project(target)
    for name in ("test_data/ped/RAD1.ped", "test_data/vcf/rad51_family.vcf"):
        path = project / name
        text = path.read_text().replace("RAD_II3", SAMPLE)
        for old, new in PATH_AND_SHELL_NAMES.items():
            text = re.sub(rf"\b{old}\b", lambda _, new=new: new, text)
        path.write_text(text)
    clinvar = project / "test_data/resources/clinvar.vcf.gz"
    with gzip.open(clinvar, "rt") as handle:
        text = handle.read()
    assert "CLNDN=Mirror_movements_2;" in text
    plain = clinvar.with_suffix("")
    plain.write_text(text.replace("CLNDN=Mirror_movements_2;", f"CLNDN={CONDITION};"))
    pysam.tabix_compress(str(plain), str(clinvar), force=True)
    pysam.tabix_index(str(clinvar), preset="vcf", force=True)
    plain.unlink(missing_ok=True)
    return project
