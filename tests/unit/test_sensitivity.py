"""The sensitivity table of the segregation evidence, against the brute-force FLB.

Every Bayes factor below is recomputed by enumeration over all genotype vectors
(tests/unit/test_likelihood_bruteforce.py's `brute_flb`, which shares no code with
cmmvar.segregate.likelihood), with the penetrance vectors written out by hand for each row.
Strengths from the default ladder (Tavtigian et al. 2018): BS4 strong <= 0.053,
moderate <= 0.23, supporting <= 0.48; PP1 supporting >= 2.08.
"""

from __future__ import annotations

import math

import pytest

from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.segregation import Model, Settings, segregate
from cmmvar.segregate.sensitivity import (
    DEFAULT_GRID,
    grid_from_config,
    key_individuals,
    sensitivity,
)
from tests.unit.helpers.likelihood_bruteforce import brute_flb
from tests.unit.helpers.sensitivity import (
    RAD1,
    RAD1_COPIES,
    RAD1_PEOPLE,
    RAD1_PHENO,
    brute_ad,
    calls_of,
    family_from,
)


def rows_by(table, assumption):
    return {r["setting"]: r for r in table["rows"] if r["assumption"] == assumption}


def test_rad1_every_row_matches_the_brute_force(tmp_path):
    """RAD51: AD, penetrance 0.5, phenocopy 0.001, q 1e-4 (config/panels/cmm.tsv, demo)."""
    family = family_from(tmp_path, RAD1)
    model, settings = Model("AD", 0.5, 0.001), Settings(allele_frequency=1e-4)
    used = segregate(family, calls_of(RAD1_COPIES), model, settings)
    table = sensitivity(family, calls_of(RAD1_COPIES), model, settings, used.proband,
                        grid_from_config(None))
    first = table["rows"][0]
    assert first["assumption"] == "as used" and first["criteria_row"]
    assert [r["criteria_row"] for r in table["rows"]].count(True) == 1
    assert first["flb"] == pytest.approx(brute_ad(0.5, 0.001, 1e-4), rel=1e-9)
    assert first["flb"] == pytest.approx(used.flb, rel=1e-12)

    pheno = rows_by(table, "phenocopy rate")
    assert list(pheno) == ["0.0001", "0.001", "0.01", "0.05"]
    for rate in (1e-4, 1e-3, 1e-2, 5e-2):
        assert pheno[f"{rate:g}"]["flb"] == pytest.approx(brute_ad(0.5, rate, 1e-4), rel=1e-9)
    assert [pheno[k]["same_as_used"] for k in pheno] == [False, True, False, False]
    pen = rows_by(table, "penetrance")
    assert list(pen) == ["0.3 (-0.2)", "0.5 (the panel's value)", "0.7 (+0.2)"]
    for key, value in zip(pen, (0.3, 0.5, 0.7), strict=True):
        assert pen[key]["flb"] == pytest.approx(brute_ad(value, 0.001, 1e-4), rel=1e-9)
    freq = rows_by(table, "allele frequency")
    assert list(freq) == ["1e-05", "0.0001", "0.001"]
    for q in (1e-5, 1e-4, 1e-3):
        assert freq[f"{q:g}"]["flb"] == pytest.approx(brute_ad(0.5, 0.001, q), rel=1e-9)
    recoded = rows_by(table, "phenotype recoded")
    assert list(recoded) == ["RAD_II2 (affected non-carrier) coded unknown",
                             "RAD_II3 (unaffected carrier) coded unknown"]
    for key, pid in zip(recoded, ("RAD_II2", "RAD_II3"), strict=True):
        brute = brute_ad(0.5, 0.001, 1e-4, pheno=dict(RAD1_PHENO, **{pid: "unknown"}))
        assert recoded[key]["flb"] == pytest.approx(brute, rel=1e-9)
        assert recoded[key]["individual"] == pid


def test_rad1_issue_reference_figures(tmp_path):
    """The issue's figures, by brute force: BS4 strong (FLB <= 0.053) at phenocopy 0.001 and
    0.01, moderate (<= 0.23) at 0.02; with the affected non-carrier RAD_II2 coded unknown the
    Bayes factor is 1.33 (between 0.48 and 2.08: neither PP1 nor BS4)."""
    assert brute_ad(0.5, 0.001, 1e-4) <= 0.053
    assert brute_ad(0.5, 0.01, 1e-4) <= 0.053
    assert 0.053 < brute_ad(0.5, 0.02, 1e-4) <= 0.23
    unknown = brute_ad(0.5, 0.001, 1e-4, pheno=dict(RAD1_PHENO, RAD_II2="unknown"))
    assert round(unknown, 2) == 1.33

    family = family_from(tmp_path, RAD1)
    grid = dict(DEFAULT_GRID, phenocopy_rates=[0.001, 0.01, 0.02])
    table = sensitivity(family, calls_of(RAD1_COPIES), Model("AD", 0.5, 0.001),
                        Settings(allele_frequency=1e-4), "RAD_I1", grid)
    pheno = rows_by(table, "phenocopy rate")
    assert [(r["bs4"], r["pp1"]) for r in pheno.values()] == [
        ("strong", "none"), ("strong", "none"), ("moderate", "none")]
    recoded = rows_by(table, "phenotype recoded")["RAD_II2 (affected non-carrier) coded unknown"]
    assert (round(recoded["flb"], 2), recoded["pp1"], recoded["bs4"]) == (1.33, "none", "none")
    assert [k["id"] for k in table["key_individuals"]] == ["RAD_II2", "RAD_II3"]
    assert table["rows"][0]["setting"] == ("phenocopy rate 0.001; penetrance 0.5; "
                                           "allele frequency 0.0001")


@pytest.mark.parametrize("penetrance, expected", [
    # 0.9: +0.2 would be 1.1, clipped to 1
    (0.9, ["0.7 (-0.2)", "0.9 (the panel's value)", "1 (+0.2, clipped to 1)"]),
    # 1: +0.2 clips to the panel's value itself, so that row is not repeated
    (1.0, ["0.8 (-0.2)", "1 (the panel's value)"]),
    # 0.2: -0.2 would be 0, outside (0, 1]: listed as not computed
    (0.2, ["-0.2", "0.2 (the panel's value)", "0.4 (+0.2)"]),
    # 0.21: -0.2 leaves 0.01, inside (0, 1]
    (0.21, ["0.01 (-0.2)", "0.21 (the panel's value)", "0.41 (+0.2)"]),
])
def test_penetrance_grid_is_clipped_to_zero_one(tmp_path, penetrance, expected):
    family = family_from(tmp_path, RAD1)
    table = sensitivity(family, calls_of(RAD1_COPIES), Model("AD", penetrance, 0.001),
                        Settings(allele_frequency=1e-4), "RAD_I1", grid_from_config(None))
    pen = rows_by(table, "penetrance")
    assert list(pen) == expected
    for key, row in pen.items():
        if key == "-0.2" and penetrance == 0.2:
            assert row["flb"] is None and row["flb_note"] == (
                "not computed: a penetrance would be 0 or below")
            continue
        value = min(1.0, float(key.split(" ")[0]))
        assert row["flb"] == pytest.approx(brute_ad(value, 0.001, 1e-4), rel=1e-9)


def test_sex_specific_penetrances_shift_together(tmp_path):
    """DCC's model: male 0.74, female 0.54 (gene 0.68 for unknown sex). -0.2 gives male 0.54,
    female 0.34; +0.2 male 0.94, female 0.74; checked by enumeration with each person's
    vector by sex."""
    family = family_from(tmp_path, RAD1)
    model = Model("AD", 0.68, 0.001, penetrance_male=0.74, penetrance_female=0.54)
    table = sensitivity(family, calls_of(RAD1_COPIES), model, Settings(allele_frequency=1e-4),
                        "RAD_I1", grid_from_config(None))
    pen = rows_by(table, "penetrance")
    assert list(pen) == ["male 0.54, female 0.34 (-0.2)",
                         "male 0.74, female 0.54 (the panel's value)",
                         "male 0.94, female 0.74 (+0.2)"]
    for key, (male, female) in zip(pen, ((0.54, 0.34), (0.74, 0.54), (0.94, 0.74)),
                                   strict=True):
        vectors = {p.id: (0.001, male, male) if p.male else (0.001, female, female)
                   for p in RAD1_PEOPLE}
        kind, log_value = brute_flb(RAD1_PEOPLE, "RAD_I1", 1e-4, False, vectors, RAD1_PHENO,
                                    RAD1_COPIES)
        assert pen[key]["flb"] == pytest.approx(math.exp(log_value), rel=1e-9)
    assert "male and female together" in table["penetrance_note"]


def test_key_individuals_follow_the_model(tmp_path):
    """X-linked recessive: an unaffected heterozygous mother is expected, not a key individual;
    an unaffected hemizygous son carries the causal genotype and is one; an affected son
    without the variant is one."""
    family = family_from(tmp_path, "X f 0 0 1 1\nX m 0 0 2 1\nX s1 f m 1 2\nX s2 f m 1 1\n"
                                   "X s3 f m 1 2\nX d f m 2 0\n")
    hemi = {pid: Genotype(n, "called", hemizygous=True) for pid, n in
            (("f", 0), ("s1", 1), ("s2", 1), ("s3", 0))}
    calls = {**hemi, "m": Genotype(1, "called"), "d": Genotype(1, "called")}
    keys = key_individuals(family, calls, Model("XLR", 0.9, 0.001))
    assert [(k["id"], k["role"]) for k in keys] == [("s2", "unaffected carrier"),
                                                    ("s3", "affected non-carrier")]


def test_liability_classes_move_with_the_grid():
    """A class's penetrance shifts with the gene's (and blocks a step that takes it to 0); a
    class's own phenocopy rate is replaced by the grid value, a class without one keeps none."""
    from cmmvar.segregate.sensitivity import _phenocopy, _shifted
    model = Model("AD", 0.5, 0.001, liability_classes={"young": {"penetrance": 0.2},
                                                       "adult": {"phenocopy_rate": 0.01}})
    assert _shifted(model, -0.2) == (None, False)  # young: 0.2 - 0.2 = 0
    up, clipped = _shifted(model, 0.2)
    assert not clipped and up.penetrance == pytest.approx(0.7)
    assert up.liability_classes["young"]["penetrance"] == pytest.approx(0.4)
    assert up.liability_classes["adult"] == {"phenocopy_rate": 0.01}
    rare = _phenocopy(model, 1e-4)
    assert rare.phenocopy_rate == 1e-4
    assert rare.liability_classes == {"young": {"penetrance": 0.2},
                                      "adult": {"phenocopy_rate": 1e-4}}
