"""The FLB against published and hand-worked numbers, each with its source or its arithmetic.

FLB = [P(G, Ph | causal) / P(g_p, Ph | causal)] / [P(G) / P(g_p)] (Thompson, Easton & Goldgar
2003, AJHG 73:652, doi:10.1086/378100; segregatr's FLB()). "Carrier" below means a typed
heterozygote (one ALT copy; hemizygous on X in males), "non-carrier" a typed 0.
Each published number is also checked against the brute-force enumeration of
test_likelihood_bruteforce.py, so a failure says whether the engine or the reading is at fault.
"""

from __future__ import annotations

import math

import pytest

from cmmvar.segregate.likelihood import Person, flb
from tests.unit.helpers.likelihood_bruteforce import brute_flb, person


def brute_value(*args) -> float | None:
    kind, log_value = brute_flb(*args)
    return math.exp(log_value) if kind == "value" else log_value


# ----------------------------------------------------------------------------------------------
# Hand-worked
# ----------------------------------------------------------------------------------------------


def test_affected_carrier_father_and_three_affected_carrier_children_give_8_0016():
    """Hand case (a). Father 1 (proband, affected, carrier), mother 2 (unaffected,
    non-carrier), children 3, 4, 5 (affected, carriers); penetrance (0, 1, 1); q = 1e-4.

    Causal. N1 = P(G, Ph | causal) = 2q(1-q) [father 1] x (1-q)^2 [mother 0] x (1/2)^3
    [1 x 0 -> 1, three times] x 1 [every phenotype factor: f1 = 1, 1 - f0 = 1].
    D1 = P(g_1 = 1, Ph | causal): the unaffected mother cannot carry (1 - f1 = 1 - f2 = 0), so
    she is 0 with prior (1-q)^2; an affected child cannot be a non-carrier (f0 = 0), and a
    child of 1 x 0 is 1 with prob 1/2. So D1 = 2q(1-q) (1-q)^2 / 8 = N1: ratio 1.
    Neutral. P(G) / P(g_1) = P(mother 0, children 1, 1, 1 | father 1) = (1-q)^2 / 8.
    FLB = 1 / ((1-q)^2 / 8) = 8 / (1-q)^2 = 8.0016002 (to 4 decimals 8.0016).
    The correction to 2^3 comes from the mother's non-carrier prior in the neutral
    denominator; the father is typed heterozygous, so he is never homozygous here."""
    q = 1e-4
    people = [
        person(1),
        person(2, male=False),
        person(3, 1, 2),
        person(4, 1, 2, male=False),
        person(5, 1, 2),
    ]
    penetrance = {p.id: (0.0, 1.0, 1.0) for p in people}
    phenotypes = {
        "1": "affected",
        "2": "unaffected",
        "3": "affected",
        "4": "affected",
        "5": "affected",
    }
    genotypes = {"1": 1, "2": 0, "3": 1, "4": 1, "5": 1}
    result = flb(people, "1", q, False, penetrance, phenotypes, genotypes)
    assert round(result.value, 4) == 8.0016
    assert result.value == pytest.approx(8 / (1 - q) ** 2, rel=1e-9)
    assert result.log10 == pytest.approx(math.log10(8 / (1 - q) ** 2), rel=1e-9)
    assert result.reason is None
    assert brute_value(people, "1", q, False, penetrance, phenotypes, genotypes) == (
        pytest.approx(8 / (1 - q) ** 2, rel=1e-12)
    )


# ----------------------------------------------------------------------------------------------
# segregatr README
# ----------------------------------------------------------------------------------------------


def test_four_affected_carrier_brothers_give_segregatr_readme_value():
    """segregatr README (github.com/magnusdv/segregatr): x = nuclearPed(4);
    FLB(x, carriers = 3:6, affected = 3:6, unknown = 1:2, freq = 0.0001,
    penetrances = c(0.01, 0.9, 0.9), proband = 3) #> 7.732161.
    Parents 1 (father), 2 (mother) untyped with unknown phenotype."""
    people = [person(1), person(2, male=False)] + [person(i, 1, 2) for i in range(3, 7)]
    penetrance = {p.id: (0.01, 0.9, 0.9) for p in people}
    phenotypes = {"1": "unknown", "2": "unknown"} | {str(i): "affected" for i in range(3, 7)}
    genotypes = {str(i): 1 for i in range(3, 7)}
    args = (people, "3", 1e-4, False, penetrance, phenotypes, genotypes)
    assert flb(*args).value == pytest.approx(7.732161, rel=1e-6)
    assert brute_value(*args) == pytest.approx(7.732161, rel=1e-6)


# ----------------------------------------------------------------------------------------------
# Thompson et al. 2003, pedigree 1
# ----------------------------------------------------------------------------------------------


def thompson_pedigree_1() -> list[Person]:
    """Founders 1 (M) x 2 (F) -> 4 (F), 5 (M); 3 (M) x 4 -> son 7; 5 x 6 (F) -> daughter 8."""
    return [
        person(1),
        person(2, male=False),
        person(3),
        person(4, 1, 2, male=False),
        person(5, 1, 2),
        person(6, male=False),
        person(7, 3, 4),
        person(8, 5, 6, male=False),
    ]


THOMPSON_1 = {
    # scenario: (carriers, non-carriers, affected, unknown phenotype, published FLB)
    "A": ({4, 5, 7, 8}, set(), {4, 5, 7, 8}, set(), 7.37),
    "B": ({7, 8}, set(), {4, 5, 7, 8}, set(), 7.30),
    "C": ({7, 8}, set(), {7, 8}, {4, 5}, 5.28),
    "D": ({7, 8}, set(), {7, 8}, set(), 1.83),
    "E": ({7}, {8}, {4, 5, 7, 8}, set(), 0.09),
    "F": ({7}, {8}, {7, 8}, {4, 5}, 0.38),
    "G": ({7}, {8}, {7, 8}, set(), 0.88),
}


def thompson_args(scenario: str, founders_unknown: bool = False):
    carriers, noncarriers, affected, unknown, _ = THOMPSON_1[scenario]
    if founders_unknown:
        unknown = unknown | {1, 2, 3, 6}
    people = thompson_pedigree_1()
    phenotypes = {
        p.id: "affected"
        if int(p.id) in affected
        else "unknown"
        if int(p.id) in unknown
        else "unaffected"
        for p in people
    }
    genotypes = {str(i): 1 for i in carriers} | {str(i): 0 for i in noncarriers}
    penetrance = {p.id: (0.05, 0.7, 0.7) for p in people}
    return people, "7", 0.001, False, penetrance, phenotypes, genotypes


@pytest.mark.parametrize("scenario", sorted(THOMPSON_1))
def test_thompson_pedigree_1_scenarios_reproduce_the_published_flb(scenario):
    """Thompson, Easton & Goldgar 2003 (AJHG 73:652, doi:10.1086/378100), pedigree 1, as in
    segregatr's tests (test-thompson-examples.R): q = 0.001, penetrances (0.05, 0.7, 0.7),
    proband 7. People not listed as affected or unknown are unaffected (founders 1, 2, 3, 6
    always; 4 and 5 in D and G); people not listed as typed are untyped.
    Published (2 decimals): A 7.37, B 7.30, C 5.28, D 1.83, E 0.09, F 0.38, G 0.88.
    The enumeration gives A 7.369795, B 7.297385, C 5.278084, D 1.828141, E 0.087706,
    F 0.380271, G 0.880115."""
    published = THOMPSON_1[scenario][-1]
    args = thompson_args(scenario)
    assert flb(*args).value == pytest.approx(published, abs=0.005)
    assert brute_value(*args) == pytest.approx(published, abs=0.005)


@pytest.mark.parametrize(
    ("scenario", "value"), [("A", 7.349854), ("C", 5.290775), ("D", 1.882393), ("G", 0.872079)]
)
def test_thompson_pedigree_1_needs_unaffected_founders(scenario, value):
    """The other reading, founders 1, 2, 3, 6 of unknown phenotype, misses the published A, C,
    D and G (7.35, 5.29, 1.88, 0.87 by enumeration): the published numbers treat unlisted
    founders as unaffected, and the engine must follow the phenotypes it is given."""
    args = thompson_args(scenario, founders_unknown=True)
    reference = brute_value(*args)
    assert reference == pytest.approx(value, abs=1e-6)
    assert flb(*args).value == pytest.approx(reference, rel=1e-9)
    assert abs(value - THOMPSON_1[scenario][-1]) > 0.005


# ----------------------------------------------------------------------------------------------
# Closed forms
# ----------------------------------------------------------------------------------------------


def recessive_sibship(parents_typed: bool, q: float):
    people = [person(1), person(2, male=False), person(3, 1, 2), person(4, 1, 2, male=False)]
    penetrance = {p.id: (0.0, 0.0, 1.0) for p in people}
    phenotypes = {"1": "unaffected", "2": "unaffected", "3": "affected", "4": "affected"}
    genotypes = {"3": 2, "4": 2} | ({"1": 1, "2": 1} if parents_typed else {})
    return people, "3", q, False, penetrance, phenotypes, genotypes


@pytest.mark.parametrize("q", [1e-3, 0.05])
def test_two_affected_homozygous_siblings_of_typed_carrier_parents_give_4_over_1_minus_q_squared(q):
    """Recessive, penetrances (0, 0, 1): siblings 3 (proband) and 4 affected and homozygous;
    parents 1, 2 unaffected and typed heterozygous (notes/segregation.md, segregatr's tests:
    FLB = 4/(1-q)^2). Causal: given g_3 = 2 and the phenotypes every other genotype is forced
    (an affected sib is 2, an unaffected parent of a homozygote is 1), so the causal ratio
    is 1. Neutral: P(parent = 1 | passed the variant) = 2q(1-q)(1/2) / q = 1-q for each
    parent, and P(sib = 2 | 1 x 1) = 1/4, so P(G)/P(g_3) = (1-q)^2 / 4."""
    args = recessive_sibship(parents_typed=True, q=q)
    assert flb(*args).value == pytest.approx(4 / (1 - q) ** 2, rel=1e-9)
    assert brute_value(*args) == pytest.approx(4 / (1 - q) ** 2, rel=1e-12)


@pytest.mark.parametrize("q", [1e-3, 0.05])
def test_two_affected_homozygous_siblings_of_untyped_parents_give_4_over_1_plus_q_squared(q):
    """As above with the parents untyped: the 4/(1-q)^2 of the notes needs typed parents.
    Causal ratio 1 (the affected sib is 2). Neutral: a parent who passed the variant to 3
    passes it again with prob (1-q)(1/2) + q(1) = (1+q)/2, so FLB = 4/(1+q)^2."""
    args = recessive_sibship(parents_typed=False, q=q)
    assert flb(*args).value == pytest.approx(4 / (1 + q) ** 2, rel=1e-9)
    assert brute_value(*args) == pytest.approx(4 / (1 + q) ** 2, rel=1e-12)


def x_recessive_brothers(mother_typed: bool, q: float):
    people = [person(1), person(2, male=False), person(3, 1, 2), person(4, 1, 2)]
    penetrance = {"1": (0.0, 1.0), "2": (0.0, 0.0, 1.0), "3": (0.0, 1.0), "4": (0.0, 1.0)}
    phenotypes = {"1": "unaffected", "2": "unaffected", "3": "affected", "4": "affected"}
    genotypes = {"3": 1, "4": 1} | ({"2": 1} if mother_typed else {})
    return people, "3", q, True, penetrance, phenotypes, genotypes


@pytest.mark.parametrize("q", [1e-3, 0.05])
def test_two_affected_hemizygous_brothers_of_a_carrier_mother_give_2_over_1_minus_q(q):
    """X-linked recessive, males (0, 1), females (0, 0, 1): brothers 3 (proband) and 4
    affected and hemizygous, mother 2 unaffected and typed heterozygous, father 1 untyped
    (notes/segregation.md, segregatr's tests: FLB = 2/(1-q)). Causal ratio 1 (the unaffected
    mother of a carrier son is 1, the affected brother carries). Neutral: P(mother = 1 | she
    passed the variant) = 2q(1-q)(1/2) / q = 1-q, P(brother = 1 | mother 1) = 1/2, so
    P(G)/P(g_3) = (1-q)/2. Untyped mother: 2/(1+q) instead (she transmits again with prob
    (1+q)/2)."""
    args = x_recessive_brothers(mother_typed=True, q=q)
    assert flb(*args).value == pytest.approx(2 / (1 - q), rel=1e-9)
    assert brute_value(*args) == pytest.approx(2 / (1 - q), rel=1e-12)
    args = x_recessive_brothers(mother_typed=False, q=q)
    assert flb(*args).value == pytest.approx(2 / (1 + q), rel=1e-9)


# ----------------------------------------------------------------------------------------------
# Undefined and zero
# ----------------------------------------------------------------------------------------------


def trio():
    return [person(1), person(2, male=False), person(3, 1, 2)]


def test_mendelian_inconsistent_genotypes_make_the_flb_undefined():
    """Child 3 homozygous, father 1 typed non-carrier: P(G) = 0, the FLB is 0/0."""
    people = trio()
    penetrance = {p.id: (0.01, 0.9, 0.9) for p in people}
    phenotypes = {"1": "unaffected", "2": "unknown", "3": "affected"}
    result = flb(people, "3", 0.01, False, penetrance, phenotypes, {"1": 0, "3": 2})
    assert result.value is None
    assert result.log10 is None
    assert result.reason


def test_affected_non_carrier_proband_without_phenocopies_makes_the_flb_undefined():
    """Proband 3 affected, typed 0, f0 = 0: P(g_p, Ph | causal) = 0."""
    people = trio()
    penetrance = {p.id: (0.0, 0.9, 0.9) for p in people}
    phenotypes = {"1": "unknown", "2": "unknown", "3": "affected"}
    result = flb(people, "3", 0.01, False, penetrance, phenotypes, {"3": 0})
    assert result.value is None
    assert result.log10 is None
    assert result.reason


def test_affected_non_carrier_relative_without_phenocopies_gives_zero():
    """Proband 3 affected carrier; father 1 affected and typed 0 with f0 = 0: the genotypes
    are consistent (P(G) > 0) but P(G, Ph | causal) = 0, so FLB = 0 and log10 is undefined."""
    people = trio()
    penetrance = {p.id: (0.0, 0.9, 0.9) for p in people}
    phenotypes = {"1": "affected", "2": "unknown", "3": "affected"}
    genotypes = {"1": 0, "3": 1}
    result = flb(people, "3", 0.01, False, penetrance, phenotypes, genotypes)
    assert result.value == 0.0
    assert result.log10 is None
    assert result.reason
    assert brute_flb(people, "3", 0.01, False, penetrance, phenotypes, genotypes)[0] == "zero"


# ----------------------------------------------------------------------------------------------
# Independence of families
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("x_linked", [False, True])
def test_unrelated_untyped_people_of_unknown_phenotype_do_not_change_the_flb(x_linked):
    """An unrelated family (a couple and their child) and a lone founder, untyped, phenotype
    unknown, factor out of all four likelihoods and cancel."""
    family = [person(1), person(2, male=False)] + [person(i, 1, 2) for i in range(3, 7)]
    strangers = [
        person("u1"),
        person("u2", male=False),
        person("u3", "u1", "u2", male=False),
        person("u4"),
    ]

    def penetrance(people):
        return {p.id: (0.01, 0.9) if x_linked and p.male else (0.01, 0.9, 0.9) for p in people}

    phenotypes = {"1": "unknown", "2": "unaffected"} | {str(i): "affected" for i in range(3, 7)}
    genotypes = {"3": 1, "4": 1, "5": 1, "6": 0}
    alone = flb(family, "3", 1e-4, x_linked, penetrance(family), phenotypes, genotypes)
    together = flb(
        family + strangers,
        "3",
        1e-4,
        x_linked,
        penetrance(family + strangers),
        phenotypes | {p.id: "unknown" for p in strangers},
        genotypes,
    )
    assert alone.value is not None and alone.value > 0
    assert together.value == pytest.approx(alone.value, rel=1e-12)
