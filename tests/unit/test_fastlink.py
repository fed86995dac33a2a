"""cmmvar.segregate.likelihood against FASTLINK 4.1P (Debian `fastlink`), an independent
implementation.

Each person's weight vector P(data | 0, 1, 2 ALT copies) is given to FASTLINK as a liability
class of the affection locus (see tests/fastlink_io.py), so MLINK's ln likelihood must equal
`log_likelihood` on the same weights. MLINK prints ln L with 6 decimals: values are compared to
1e-6 on the log scale (1e-6 relative on L); an FLB, a ratio of four likelihoods, to 4e-6.
Skipped when the `unknown` and `mlink` programs are not installed.
"""

from __future__ import annotations

import math
import random

import pytest

from cmmvar.segregate.likelihood import Person, flb, log_likelihood
from tests import fastlink_io
from tests.fastlink_io import Pedigree

_missing = fastlink_io.missing_programs()
pytestmark = pytest.mark.skipif(
    bool(_missing), reason=f"FASTLINK not installed (no {', '.join(_missing)}; Debian `fastlink`)")

LOG_TOL = 1e-6


def person(pid, father=None, mother=None, male=True) -> Person:
    return Person(str(pid), None if father is None else str(father),
                  None if mother is None else str(mother), male)


def flb_weights(people, x_linked, penetrance, phenotypes, genotypes, proband):
    """The four weight sets of the FLB (Thompson et al. 2003), written out here from the
    definition: causal = P(phenotype | g) x [g = observed]; neutral = [g = observed]; the
    'proband' sets keep only the proband's genotype."""
    def one(typed, causal):
        out = {}
        for p in people:
            n = 2 if x_linked and p.male else 3
            w = [1.0] * n
            if causal:
                f = penetrance[p.id]
                status = phenotypes.get(p.id, "unknown")
                w = list(f) if status == "affected" else (
                    [1.0 - v for v in f] if status == "unaffected" else w)
            if p.id in typed:
                w = [v if g == typed[p.id] else 0.0 for g, v in enumerate(w)]
            out[p.id] = w
        return out

    typed = {k: v for k, v in genotypes.items() if v is not None}
    proband_only = {k: v for k, v in typed.items() if k == proband}
    return [one(typed, True), one(proband_only, True), one(typed, False), one(proband_only, False)]


def fastlink_flb(people, q, x_linked, loop_breakers=(), **model) -> float:
    sets = flb_weights(people, x_linked, **model)
    c_all, c_pro, n_all, n_pro = fastlink_io.log_likelihoods(
        [Pedigree(people, w, loop_breakers) for w in sets], q, x_linked)
    return math.exp((c_all - c_pro) - (n_all - n_pro))


# ------------------------------------------------------------------ pedigrees

def hand_case():
    """Father affected carrier, mother unaffected non-carrier, three affected carrier
    children; penetrance 1, phenocopy 0, q = 1e-4. Only the configuration father 1, mother 0,
    children 1 is possible: L = 2q(1-q) x (1-q)^2 x (1/2)^3."""
    people = [person("F"), person("M", male=False), person("c1", "F", "M"),
              person("c2", "F", "M", male=False), person("c3", "F", "M")]
    carrier_affected, noncarrier_unaffected = [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]
    weights = {"F": carrier_affected, "M": noncarrier_unaffected,
               **{c: carrier_affected for c in ("c1", "c2", "c3")}}
    return people, weights


def thompson_pedigree_1():
    """Thompson, Easton & Goldgar 2003, pedigree 1: 1 x 2 -> 4 (F), 5 (M); 3 x 4 -> 7;
    5 x 6 -> 8 (F)."""
    return [person(1), person(2, male=False), person(3), person(4, 1, 2, male=False),
            person(5, 1, 2), person(6, male=False), person(7, 3, 4), person(8, 5, 6, male=False)]


def thompson_scenario_a():
    """q 0.001, penetrance (0.05, 0.7, 0.7); 4, 5, 7, 8 affected carriers, the rest
    unaffected and untyped; proband 7. Published FLB 7.37."""
    people = thompson_pedigree_1()
    model = dict(
        penetrance={p.id: (0.05, 0.7, 0.7) for p in people},
        phenotypes={p.id: "affected" if p.id in "4578" else "unaffected" for p in people},
        genotypes={pid: 1 for pid in "4578"},
        proband="7",
    )
    return people, model


def first_cousin_loop():
    """1 x 2 -> 3 (M), 4 (F); 3 x 5 -> 7 (M); 6 x 4 -> 8 (F); 7 x 8 -> 9, affected and
    homozygous. One loop, broken at any of 3, 4, 7, 8."""
    return [person(1), person(2, male=False), person(3, 1, 2), person(4, 1, 2, male=False),
            person(5, male=False), person(6), person(7, 3, 5), person(8, 6, 4, male=False),
            person(9, 7, 8, male=False)]


def random_weights(people, x_linked, seed):
    rng = random.Random(seed)
    return {p.id: [rng.uniform(0.05, 1.0) for _ in range(2 if x_linked and p.male else 3)]
            for p in people}


# ------------------------------------------------------------------ the helper itself

def test_an_uninformative_pedigree_has_likelihood_one_in_fastlink():
    """Guards the encoding: everyone untyped with weights 1 must give ln L = 0. (A two-allele
    marker nobody is typed at does not: FASTLINK 4.1P then counts every founder as homozygous
    for allele 1, p1^2 each; the one-allele marker in fastlink_io avoids that.)"""
    [value] = fastlink_io.log_likelihoods([Pedigree(thompson_pedigree_1(), {})], 0.001)
    assert value == pytest.approx(0.0, abs=LOG_TOL)


def test_an_unbroken_loop_is_refused_before_running_fastlink():
    with pytest.raises(ValueError, match="still has a loop: declare a loop breaker"):
        fastlink_io.log_likelihoods([Pedigree(first_cousin_loop(), {})], 0.01)


def test_a_person_connected_to_no_one_is_refused_before_running_fastlink():
    """MLINK leaves such a person out (or crashes): found when a benchmark pedigree had a
    childless married-in spouse and FASTLINK's ln L was off by that person's factor."""
    people = thompson_pedigree_1() + [person("stranger")]
    with pytest.raises(ValueError, match="not connected"):
        fastlink_io.log_likelihoods([Pedigree(people, {})], 0.01)


# ------------------------------------------------------------------ likelihoods

def test_hand_case_matches_fastlink_and_the_closed_form():
    people, weights = hand_case()
    q = 1e-4
    closed_form = math.log(2 * q * (1 - q) * (1 - q) ** 2 / 8)
    [fastlink] = fastlink_io.log_likelihoods([Pedigree(people, weights)], q)
    assert fastlink == pytest.approx(closed_form, abs=LOG_TOL)
    assert log_likelihood(people, q, weights) == pytest.approx(fastlink, abs=LOG_TOL)


def test_thompson_scenario_a_four_likelihoods_match_fastlink():
    people, model = thompson_scenario_a()
    sets = flb_weights(people, False, **model)
    fastlink = fastlink_io.log_likelihoods([Pedigree(people, w) for w in sets], 0.001)
    cmmvar = [log_likelihood(people, 0.001, w) for w in sets]
    assert cmmvar == pytest.approx(fastlink, abs=LOG_TOL)


def test_thompson_scenario_a_flb_is_7_37_in_fastlink_and_cmmvar():
    people, model = thompson_scenario_a()
    from_fastlink = fastlink_flb(people, 0.001, False, **model)
    result = flb(people, model["proband"], 0.001, False, model["penetrance"],
                 model["phenotypes"], model["genotypes"])
    assert from_fastlink == pytest.approx(7.37, abs=0.005)
    assert result.value == pytest.approx(from_fastlink, rel=4 * LOG_TOL)


@pytest.mark.parametrize("breaker", ["3", "4", "7", "8"])
def test_first_cousin_loop_with_affected_homozygous_child_matches_fastlink(breaker):
    """Recessive model, penetrance (0.01, 0.01, 0.9), q = 0.01: child 9 affected and typed
    homozygous, her parents 7 and 8 unaffected and typed heterozygous, others unknown. The
    loop is broken as makeped would and conditioned on exactly (fastlink_io); the answer
    must not depend on where it is broken."""
    people = first_cousin_loop()
    model = dict(
        penetrance={p.id: (0.01, 0.01, 0.9) for p in people},
        phenotypes={"9": "affected", "7": "unaffected", "8": "unaffected"},
        genotypes={"9": 2, "7": 1, "8": 1},
        proband="9",
    )
    sets = flb_weights(people, False, **model)
    fastlink = fastlink_io.log_likelihoods([Pedigree(people, w, [breaker]) for w in sets], 0.01)
    assert [log_likelihood(people, 0.01, w) for w in sets] == pytest.approx(fastlink, abs=LOG_TOL)
    result = flb(people, "9", 0.01, False, model["penetrance"], model["phenotypes"],
                 model["genotypes"])
    assert result.value == pytest.approx(fastlink_flb(people, 0.01, False, [breaker], **model),
                                         rel=4 * LOG_TOL)


@pytest.mark.parametrize("seed", range(3))
def test_first_cousin_loop_with_arbitrary_weights_matches_fastlink(seed):
    people = first_cousin_loop()
    weights = random_weights(people, False, seed)
    [fastlink] = fastlink_io.log_likelihoods([Pedigree(people, weights, ["7"])], 0.2)
    assert log_likelihood(people, 0.2, weights) == pytest.approx(fastlink, abs=LOG_TOL)


@pytest.mark.parametrize("seed", range(3))
def test_thompson_pedigree_with_arbitrary_weights_matches_fastlink(seed):
    people = thompson_pedigree_1()
    weights = random_weights(people, False, seed)
    [fastlink] = fastlink_io.log_likelihoods([Pedigree(people, weights)], 0.1)
    assert log_likelihood(people, 0.1, weights) == pytest.approx(fastlink, abs=LOG_TOL)


@pytest.mark.parametrize("breaker", ["3", "7"])
def test_fastlinks_own_loop_handling_agrees_up_to_its_scaling_constant(breaker):
    """With the makeped pedfile alone, FASTLINK 4.1P prints ln L shifted by a constant that
    depends on the pedigree and on which loop-breaker genotypes `unknown` keeps
    (README.scaling). Observed: always a whole multiple of ln 2^12; what is left agrees."""
    people = first_cousin_loop()
    sets = [random_weights(people, False, seed) for seed in range(3)]
    sets += flb_weights(people, False, penetrance={p.id: (0.01, 0.01, 0.9) for p in people},
                        phenotypes={"9": "affected"}, genotypes={"9": 2, "7": 1},
                        proband="9")
    raw = fastlink_io.log_likelihoods([Pedigree(people, w, [breaker]) for w in sets], 0.01,
                                      makeped_loops=True)
    unit = 12 * math.log(2)
    for value, weights in zip(raw, sets, strict=True):
        shift = (value - log_likelihood(people, 0.01, weights)) / unit
        assert shift == pytest.approx(round(shift), abs=LOG_TOL / unit)


# ------------------------------------------------------------------ X-linked

def x_family():
    """Carrier mother 2 (of founders 1 x 3), her husband 4, affected sons 5, 7, a daughter 6,
    and 6's son 9 by 8."""
    return [person(1), person(3, male=False), person(2, 1, 3, male=False), person(4),
            person(5, 4, 2), person(6, 4, 2, male=False), person(7, 4, 2), person(8),
            person(9, 8, 6)]


def test_x_linked_recessive_brothers_flb_matches_fastlink_and_the_hand_derivation():
    """Affected hemizygous brothers 5 and 7, penetrance (0, 1) in males, (0, 0, 1) in females,
    nobody else typed. Causal: their phenotypes force both genotypes, ratio 1. Neutral:
    P(7 = 1 | 5 = 1) = [P(mother 1)/4 + P(mother 2)] / q = [q(1-q)/2 + q^2] / q = (1+q)/2.
    FLB = 2 / (1 + q). (The notes' closed form reads 2/(1-q); both engines give 2/(1+q).)"""
    q = 0.001
    people = x_family()[:7]
    model = dict(
        penetrance={p.id: (0.0, 1.0) if p.male else (0.0, 0.0, 1.0) for p in people},
        phenotypes={"5": "affected", "7": "affected"},
        genotypes={"5": 1, "7": 1},
        proband="5",
    )
    from_fastlink = fastlink_flb(people, q, True, **model)
    assert from_fastlink == pytest.approx(2 / (1 + q), rel=4 * LOG_TOL)
    result = flb(people, "5", q, True, model["penetrance"], model["phenotypes"],
                 model["genotypes"])
    assert result.value == pytest.approx(from_fastlink, rel=4 * LOG_TOL)


@pytest.mark.parametrize("seed", range(3))
def test_x_linked_arbitrary_weights_match_fastlink(seed):
    people = x_family()
    weights = random_weights(people, True, seed)
    [fastlink] = fastlink_io.log_likelihoods([Pedigree(people, weights)], 0.05, x_linked=True)
    assert log_likelihood(people, 0.05, weights, x_linked=True) == pytest.approx(
        fastlink, abs=LOG_TOL)
