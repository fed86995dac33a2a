"""Helpers of test_sensitivity.py, shared with other test modules."""

from __future__ import annotations

import math

from cmmvar.io.ped_file import read_family
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.likelihood import Person
from tests.unit.helpers.likelihood_bruteforce import brute_flb

# The demo's RAD1 (test_data/ped/RAD1.ped) with its RAD51 c.60C>A genotypes: affected
# carrier father I1 (proband by the PED-order rule), unaffected non-carrier mother I2,
# affected carrier daughter II1, affected NON-carrier son II2, unaffected carrier daughter II3.
RAD1 = ("RAD1 RAD_I1 0 0 1 2\nRAD1 RAD_I2 0 0 2 1\nRAD1 RAD_II1 RAD_I1 RAD_I2 2 2\n"
        "RAD1 RAD_II2 RAD_I1 RAD_I2 1 2\nRAD1 RAD_II3 RAD_I1 RAD_I2 2 1\n")


RAD1_COPIES = {"RAD_I1": 1, "RAD_I2": 0, "RAD_II1": 1, "RAD_II2": 0, "RAD_II3": 1}


RAD1_PHENO = {"RAD_I1": "affected", "RAD_I2": "unaffected", "RAD_II1": "affected",
              "RAD_II2": "affected", "RAD_II3": "unaffected"}


RAD1_PEOPLE = (Person("RAD_I1", None, None, True), Person("RAD_I2", None, None, False),
               Person("RAD_II1", "RAD_I1", "RAD_I2", False),
               Person("RAD_II2", "RAD_I1", "RAD_I2", True),
               Person("RAD_II3", "RAD_I1", "RAD_I2", False))


def family_from(tmp_path, text):
    path = tmp_path / "fam.ped"
    path.write_text(text)
    return read_family(path, text.split()[0])


def calls_of(copies):
    return {pid: Genotype(n, "called") for pid, n in copies.items()}


def brute_ad(pen, f0, q, pheno=RAD1_PHENO, people=RAD1_PEOPLE, copies=RAD1_COPIES,
             proband="RAD_I1"):
    """The FLB by enumeration, AD vector (f0, pen, pen) for everyone (0 when the genotypes
    cannot occur under the causal model: penetrance 1 with an unaffected carrier)."""
    kind, log_value = brute_flb(people, proband, q, False, {p.id: (f0, pen, pen) for p in people},
                                pheno, copies)
    assert kind in ("value", "zero")
    return 0.0 if kind == "zero" else math.exp(log_value)
