"""The pedigree likelihood and the FLB against a brute-force enumeration written here.

The reference below enumerates every genotype vector of a small pedigree and sums the products
the definition names (Elston & Stewart 1971: founder priors x transmissions x per-person factors);
it shares no code with cmmvar.segregate.likelihood. Loops need no special care in an
enumeration, so it is the reference for consanguineous pedigrees too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmmvar.segregate.likelihood import Person, flb, log_likelihood
from tests.unit.helpers.likelihood_bruteforce import (
    autosomal_transmission,
    brute_flb,
    brute_log_sum,
    examples,
    genotype_states,
    person,
    x_transmission,
)

# ----------------------------------------------------------------------------------------------
# Brute-force reference
# ----------------------------------------------------------------------------------------------


def close_on_log_scale(engine_log: float, reference_log: float, tol: float = 1e-9) -> bool:
    """Equal to `tol` relative: compare logs with an absolute tolerance; -inf only equals -inf."""
    if reference_log == -math.inf or engine_log == -math.inf:
        return engine_log == reference_log
    return math.isfinite(engine_log) and abs(engine_log - reference_log) <= tol


def assert_flb_matches(result, reference: tuple[str, float | None]) -> None:
    kind, log_value = reference
    if kind == "undefined":
        assert result.value is None, f"expected undefined, engine gave {result}"
        assert result.log10 is None
        assert result.reason
    elif kind == "zero":
        assert result.value == 0.0, f"expected 0.0, engine gave {result}"
        assert result.log10 is None
        assert result.reason
    else:
        assert result.value is not None and result.value > 0, f"expected a value, got {result}"
        assert close_on_log_scale(math.log(result.value), log_value), (
            f"engine FLB {result.value!r} != brute force {math.exp(log_value)!r}"
        )
        assert result.log10 is not None
        assert abs(result.log10 - log_value / math.log(10)) <= 1e-9
        assert result.reason is None


# ----------------------------------------------------------------------------------------------
# Pedigrees: fixed loops, and random ones grown generation by generation
# ----------------------------------------------------------------------------------------------


def first_cousin_marriage() -> list[Person]:
    """1 x 2 -> 3 (M), 4 (F); 3 x 5 -> 7 (M); 6 x 4 -> 8 (F); 7 x 8 -> 9 (F). F(9) = 1/16."""
    return [
        person(1),
        person(2, male=False),
        person(3, 1, 2),
        person(4, 1, 2, male=False),
        person(5, male=False),
        person(6),
        person(7, 3, 5),
        person(8, 6, 4, male=False),
        person(9, 7, 8, male=False),
    ]


def brothers_marry_sisters() -> list[Person]:
    """Brothers 3, 4 (of 1 x 2) marry sisters 7, 8 (of 5 x 6); children 9 and 10 are double
    first cousins."""
    return [
        person(1),
        person(2, male=False),
        person(3, 1, 2),
        person(4, 1, 2),
        person(5),
        person(6, male=False),
        person(7, 5, 6, male=False),
        person(8, 5, 6, male=False),
        person(9, 3, 7),
        person(10, 4, 8, male=False),
    ]


def uncle_niece_marriage() -> list[Person]:
    """A loop through three generations: 1 x 2 -> 3 (M), 4 (F); 5 x 4 -> 6 (F); uncle 3 x niece 6
    -> 7. F(7) = 1/8."""
    return [
        person(1),
        person(2, male=False),
        person(3, 1, 2),
        person(4, 1, 2, male=False),
        person(5),
        person(6, 5, 4, male=False),
        person(7, 3, 6),
    ]


def half_cousin_marriage() -> list[Person]:
    """1 has children with two wives 2 and 4; half-sibs' children 7 and 9 marry -> 10.
    F(10) = 1/32."""
    return [
        person(1),
        person(2, male=False),
        person(3, 1, 2),
        person(4, male=False),
        person(5, 1, 4, male=False),
        person(6, male=False),
        person(7, 3, 6),
        person(8),
        person(9, 8, 5, male=False),
        person(10, 7, 9),
    ]


LOOPED = {
    "first_cousins": first_cousin_marriage,
    "brothers_marry_sisters": brothers_marry_sisters,
    "uncle_niece": uncle_niece_marriage,
    "half_cousins": half_cousin_marriage,
}

MAX_MEMBERS = 10


@st.composite
def pedigrees(draw) -> list[Person]:
    """Start from nothing or from a looped family, then add founders and children of random
    couples (often relatives, so new loops form) up to MAX_MEMBERS people."""
    start = draw(st.sampled_from([None, *LOOPED]))
    people = [] if start is None else LOOPED[start]()
    if not people:
        people.append(Person("p0", None, None, draw(st.booleans())))
    target = draw(st.integers(len(people), MAX_MEMBERS))
    while len(people) < target:
        pid = f"p{len(people)}"
        males = [p.id for p in people if p.male]
        females = [p.id for p in people if not p.male]
        if males and females and draw(st.booleans()):
            father = draw(st.sampled_from(males))
            mother = draw(st.sampled_from(females))
            people.append(Person(pid, father, mother, draw(st.booleans())))
        else:
            people.append(Person(pid, None, None, draw(st.booleans())))
    return people


# Non-zero weights and penetrances stay >= 1e-6 here so that these properties test the algebra
# (loops, X, undefined cases); underflow has its own tests below.
unit_floats = st.one_of(st.just(0.0), st.just(1.0), st.floats(1e-6, 1.0))
# Penetrances hit exactly 0 or 1 one time in six, so that most FLBs are defined and non-zero.
penetrance_floats = st.integers(0, 5).flatmap(
    lambda k: st.sampled_from([0.0, 1.0]) if k == 0 else st.floats(1e-6, 1.0)
)
allele_frequencies = st.floats(1e-4, 0.3)


@st.composite
def weight_maps(draw, people, x_linked):
    """Per-person weights in [0, 1], some exactly 0; some people left out (all-ones)."""
    weights = {}
    for p in people:
        if draw(st.booleans()):
            n = len(genotype_states(p, x_linked))
            weights[p.id] = draw(st.lists(unit_floats, min_size=n, max_size=n))
    return weights


def possible_children(father: int, mother: int, child_male: bool, x_linked: bool) -> list[int]:
    """Genotypes a child can have given the parents', by brute force over the transmission."""
    states = (0, 1) if x_linked and child_male else (0, 1, 2)
    c = np.array(states)
    if x_linked:
        p = x_transmission(c, np.full(len(c), father), np.full(len(c), mother), child_male)
    else:
        p = autosomal_transmission(c, np.full(len(c), father), np.full(len(c), mother))
    return [s for s, pr in zip(states, p, strict=True) if pr > 0]


@st.composite
def flb_cases(draw):
    x_linked = draw(st.booleans())
    people = draw(pedigrees())
    q = draw(allele_frequencies)
    penetrance, phenotypes, truth = {}, {}, {}
    for p in people:  # parents precede children in every generated list
        n = len(genotype_states(p, x_linked))
        f0 = draw(
            st.integers(0, 5).flatmap(lambda k: st.just(0.0) if k == 0 else st.floats(1e-6, 0.3))
        )
        rest = draw(st.lists(penetrance_floats, min_size=n - 1, max_size=n - 1))
        penetrance[p.id] = (f0, *rest)
        phenotypes[p.id] = draw(st.sampled_from(["affected", "unaffected", "unknown"]))
        if p.father is None:
            options = list(genotype_states(p, x_linked))
        else:
            options = possible_children(truth[p.father], truth[p.mother], p.male, x_linked)
        truth[p.id] = draw(st.sampled_from(options))
    proband = draw(st.sampled_from([p.id for p in people]))
    genotypes: dict[str, int | None] = {}
    for p in people:
        if p.id == proband or draw(st.booleans()):
            genotypes[p.id] = truth[p.id]
        elif draw(st.booleans()):
            genotypes[p.id] = None  # missing may be None or absent
    if draw(st.integers(0, 4)) == 0:  # sometimes break Mendel (or not, by chance)
        victim = draw(st.sampled_from(sorted(genotypes)))
        victim_person = next(p for p in people if p.id == victim)
        genotypes[victim] = draw(st.sampled_from(genotype_states(victim_person, x_linked)))
    return people, proband, q, x_linked, penetrance, phenotypes, genotypes


# ----------------------------------------------------------------------------------------------
# The reference itself, on numbers worked by hand
# ----------------------------------------------------------------------------------------------


def test_reference_gives_hardy_weinberg_for_a_lone_founder():
    q = 0.1
    for g, expected in enumerate([(1 - q) ** 2, 2 * q * (1 - q), q * q]):
        w = [1.0 if h == g else 0.0 for h in range(3)]
        assert math.exp(brute_log_sum([person(1)], q, {"1": w}, False)) == pytest.approx(expected)


def test_reference_gives_inbreeding_for_the_child_of_first_cousins():
    """P(child homozygous) = q^2 + F q (1 - q) with F = 1/16 (Wright's inbreeding coefficient)."""
    q = 0.01
    got = math.exp(brute_log_sum(first_cousin_marriage(), q, {"9": [0, 0, 1]}, False))
    assert got == pytest.approx(q * q + q * (1 - q) / 16, rel=1e-12)


# ----------------------------------------------------------------------------------------------
# Engine = brute force, on random pedigrees
# ----------------------------------------------------------------------------------------------


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_log_likelihood_equals_brute_force_enumeration(data):
    x_linked = data.draw(st.booleans(), label="x_linked")
    people = data.draw(pedigrees(), label="people")
    q = data.draw(allele_frequencies, label="q")
    weights = data.draw(weight_maps(people, x_linked), label="weights")
    expected = brute_log_sum(people, q, weights, x_linked)
    got = log_likelihood(people, q, weights, x_linked=x_linked)
    assert close_on_log_scale(got, expected), f"engine {got!r} != brute force {expected!r}"


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=flb_cases())
def test_flb_equals_brute_force_from_its_definition(case):
    people, proband, q, x_linked, penetrance, phenotypes, genotypes = case
    reference = brute_flb(people, proband, q, x_linked, penetrance, phenotypes, genotypes)
    result = flb(people, proband, q, x_linked, penetrance, phenotypes, genotypes)
    assert_flb_matches(result, reference)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_log_likelihood_does_not_depend_on_the_order_people_are_listed(data):
    x_linked = data.draw(st.booleans(), label="x_linked")
    people = data.draw(pedigrees(), label="people")
    q = data.draw(allele_frequencies, label="q")
    weights = data.draw(weight_maps(people, x_linked), label="weights")
    shuffled = data.draw(st.permutations(people), label="shuffled")
    expected = brute_log_sum(people, q, weights, x_linked)
    got = log_likelihood(shuffled, q, weights, x_linked=x_linked)
    assert close_on_log_scale(got, expected), f"engine {got!r} != brute force {expected!r}"


@settings(max_examples=examples(40), deadline=None)
@given(data=st.data())
def test_a_person_missing_from_weights_counts_as_all_ones(data):
    x_linked = data.draw(st.booleans(), label="x_linked")
    people = data.draw(pedigrees(), label="people")
    q = data.draw(allele_frequencies, label="q")
    weights = data.draw(weight_maps(people, x_linked), label="weights")
    explicit = {p.id: weights.get(p.id, [1.0] * len(genotype_states(p, x_linked))) for p in people}
    assert close_on_log_scale(
        log_likelihood(people, q, weights, x_linked=x_linked),
        log_likelihood(people, q, explicit, x_linked=x_linked),
        tol=1e-12,
    )


# ----------------------------------------------------------------------------------------------
# Engine = brute force, on named loops
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("x_linked", [False, True])
@pytest.mark.parametrize(
    ("family", "child", "inbreeding"),
    [("first_cousins", "9", 1 / 16), ("uncle_niece", "7", 1 / 8), ("half_cousins", "10", 1 / 32)],
)
def test_child_of_a_consanguineous_marriage_is_homozygous_with_wrights_probability(
    family, child, inbreeding, x_linked
):
    """Autosomal: P(homozygous) = q^2 + F q(1-q) (Wright 1922), F from the loop's length.
    On X the engine must agree with the enumeration (F differs by path sexes)."""
    people = LOOPED[family]()
    q = 0.003
    kid = next(p for p in people if p.id == child)
    weights = {child: [0.0, 1.0] if x_linked and kid.male else [0.0, 0.0, 1.0]}
    got = log_likelihood(people, q, weights, x_linked=x_linked)
    assert close_on_log_scale(got, brute_log_sum(people, q, weights, x_linked))
    if not x_linked:
        assert math.exp(got) == pytest.approx(q * q + inbreeding * q * (1 - q), rel=1e-9)


def test_first_cousin_marriage_with_a_homozygous_affected_child():
    """Recessive penetrance (0, 0, 1): the affected child of first cousins is a typed
    homozygote (proband); the parents typed heterozygous, unaffected; grandparents untyped."""
    people = first_cousin_marriage()
    penetrance = {p.id: (0.0, 0.0, 1.0) for p in people}
    phenotypes = {p.id: "unaffected" for p in people} | {"9": "affected"}
    genotypes = {"9": 2, "7": 1, "8": 1}
    for q in (1e-4, 0.02):
        reference = brute_flb(people, "9", q, False, penetrance, phenotypes, genotypes)
        assert reference[0] == "value"
        assert_flb_matches(flb(people, "9", q, False, penetrance, phenotypes, genotypes), reference)
        weights = {"9": [0.0, 0.0, 1.0], "7": [0.0, 1.0, 0.0], "8": [0.0, 1.0, 0.0]}
        assert close_on_log_scale(
            log_likelihood(people, q, weights), brute_log_sum(people, q, weights, False)
        )


@pytest.mark.parametrize("x_linked", [False, True])
def test_two_brothers_married_to_two_sisters_with_children(x_linked):
    people = brothers_marry_sisters()
    penetrance = {p.id: (0.01, 0.8) if x_linked and p.male else (0.01, 0.8, 0.9) for p in people}
    phenotypes = {
        "3": "affected",
        "7": "unknown",
        "9": "affected",
        "10": "affected",
        "4": "unaffected",
        "8": "unaffected",
    }
    genotypes = {"9": 1, "10": 1, "3": 1, "8": 0}
    q = 0.001
    reference = brute_flb(people, "9", q, x_linked, penetrance, phenotypes, genotypes)
    assert reference[0] == "value"
    assert_flb_matches(flb(people, "9", q, x_linked, penetrance, phenotypes, genotypes), reference)
    weights = {"9": [0.1, 0.7, 0.2], "10": [0.3, 0.3, 0.9], "5": [1.0, 0.0, 0.5]}
    if x_linked:
        weights["9"] = [0.1, 0.7]
        weights["5"] = [1.0, 0.0]
    assert close_on_log_scale(
        log_likelihood(people, q, weights, x_linked=x_linked),
        brute_log_sum(people, q, weights, x_linked),
    )


@pytest.mark.parametrize("x_linked", [False, True])
def test_three_generation_loop_uncle_niece(x_linked):
    """Loop 1,2 -> 3 and 1,2 -> 4 -> 6; 3 x 6 -> 7: the loop runs over three generations."""
    people = uncle_niece_marriage()
    penetrance = {p.id: (0.02, 0.6) if x_linked and p.male else (0.02, 0.6, 0.95) for p in people}
    phenotypes = {"7": "affected", "4": "affected", "3": "unaffected", "6": "unknown"}
    genotypes = {"7": 1, "4": 1, "6": 1, "5": None}
    q = 0.005
    reference = brute_flb(people, "7", q, x_linked, penetrance, phenotypes, genotypes)
    assert reference[0] == "value"
    assert_flb_matches(flb(people, "7", q, x_linked, penetrance, phenotypes, genotypes), reference)


# ----------------------------------------------------------------------------------------------
# Numerical stability: the true likelihood underflows double precision
# ----------------------------------------------------------------------------------------------


def deep_chain(generations: int) -> list[Person]:
    """c0 founder; c(i-1) x spouse s(i) -> c(i) and an untyped leaf l(i); one unrelated founder.
    1 + 3 * generations + 1 people."""
    people = [Person("c0", None, None, True)]
    for i in range(1, generations + 1):
        parent = people[-1]  # c(i-1)
        father, mother = (parent.id, f"s{i}") if parent.male else (f"s{i}", parent.id)
        people.append(Person(f"s{i}", None, None, not parent.male))
        people.append(Person(f"l{i}", father, mother, i % 2 == 0))
        people.append(Person(f"c{i}", father, mother, i % 2 == 0))
    people.append(Person("unrelated", None, None, False))
    return people


@pytest.mark.parametrize("x_linked", [False, True])
def test_two_hundred_untyped_people_with_constant_weights_give_n_log_w(x_linked):
    """Priors and transmissions each sum to 1, so with weight w for every genotype of every
    person L = w^n exactly: log L = 200 log(0.01) = -921.03, while L = 1e-400 underflows."""
    people = deep_chain(66)
    assert len(people) == 200
    w = 0.01
    weights = {p.id: [w] * len(genotype_states(p, x_linked)) for p in people}
    got = log_likelihood(people, 1e-4, weights, x_linked=x_linked)
    assert math.isfinite(got)
    assert got == pytest.approx(200 * math.log(w), rel=1e-12)


def chain_weights(people: Sequence[Person], carriers: int, w: float) -> dict[str, list[float]]:
    """Chain members c0..c(carriers-1) typed heterozygous, later chain members and every spouse
    typed non-carriers, leaves and the unrelated founder untyped; every weight carries w."""
    weights = {p.id: [w, w, w] for p in people}
    for p in people:
        if p.id[0] in "cs":
            weights[p.id] = [w, 0.0, 0.0]
    for i in range(carriers):
        weights[f"c{i}"] = [0.0, w, 0.0]
    return weights


def chain_log_likelihood(generations: int, carriers: int, q: float, w: float) -> float:
    """The only genotype vector of typed people with non-zero weight has probability
    P(c0 = 1) = 2q(1-q); each spouse (1-q)^2; c1..c(k-1) inherit the variant (1/2 each) and
    ck does not (1/2); later chain members are children of two non-carriers (1). An untyped
    person sums to w. log L = n log w + log(2q(1-q)) + 2G log(1-q) + k log(1/2)."""
    n = 3 * generations + 2
    return (
        n * math.log(w)
        + math.log(2 * q * (1 - q))
        + 2 * generations * math.log(1 - q)
        + carriers * math.log(0.5)
    )


def test_the_chain_formula_agrees_with_the_reference_on_a_short_chain():
    people = deep_chain(3)
    q, w = 0.01, 0.3
    assert brute_log_sum(people, q, chain_weights(people, 3, w), False) == pytest.approx(
        chain_log_likelihood(3, 3, q, w), abs=1e-12
    )


def test_two_hundred_people_with_four_affected_carriers_give_the_analytic_log_likelihood():
    """Four affected heterozygous carriers down a 66-generation chain, q = 1e-4, w = 0.01 per
    person: L ~ 1e-400 underflows double precision, log L is finite and analytic."""
    people = deep_chain(66)
    assert len(people) == 200
    q, w = 1e-4, 0.01
    got = log_likelihood(people, q, chain_weights(people, 4, w))
    assert math.isfinite(got)
    assert got == pytest.approx(chain_log_likelihood(66, 4, q, w), abs=1e-9)


@pytest.mark.parametrize("x_linked", [False, True])
@pytest.mark.parametrize("w", [1e-160, 1e-200, 1e-300])
def test_a_trio_with_tiny_constant_weights_gives_three_log_w(w, x_linked):
    """L = w^3 (priors and transmissions sum to 1): 1e-480 .. 1e-900 is far below the smallest
    double, but log L = 3 log w is an ordinary number and must come back exactly."""
    people = [person(1), person(2, male=False), person(3, 1, 2)]
    weights = {p.id: [w] * len(genotype_states(p, x_linked)) for p in people}
    got = log_likelihood(people, 0.01, weights, x_linked=x_linked)
    assert got == pytest.approx(3 * math.log(w), rel=1e-12)


def test_flb_is_defined_when_the_causal_proband_likelihood_is_tiny_but_not_zero():
    """X-linked, father 1 (proband, affected, typed 0 copies, f0 = 0.25); mother 2 and son 3
    affected with phenocopy rate 1e-275 and f1 = f2 = 0. P(g_1, Ph | causal) ~ 1e-550 > 0, so
    the FLB is defined; every other genotype is untyped, so FLB = 1 exactly (the reference
    gives log FLB = 0)."""
    people = [person(1), person(2, male=False), person(3, 1, 2)]
    penetrance = {"1": (0.25, 0.0), "2": (1e-275, 0.0, 0.0), "3": (1e-275, 0.0)}
    phenotypes = {"1": "affected", "2": "affected", "3": "affected"}
    genotypes = {"1": 0}
    reference = brute_flb(people, "1", 0.25, True, penetrance, phenotypes, genotypes)
    assert reference == ("value", 0.0)
    assert_flb_matches(flb(people, "1", 0.25, True, penetrance, phenotypes, genotypes), reference)


any_weight = st.one_of(
    st.floats(0.0, 1.0, allow_subnormal=False), st.integers(0, 307).map(lambda k: 10.0**-k)
)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_log_likelihood_equals_brute_force_with_weights_down_to_the_smallest_double(data):
    """As above, with weights anywhere in [0, 1] down to 1e-307, so products underflow."""
    x_linked = data.draw(st.booleans(), label="x_linked")
    people = data.draw(pedigrees(), label="people")
    q = data.draw(allele_frequencies, label="q")
    weights = {}
    for p in people:
        n = len(genotype_states(p, x_linked))
        weights[p.id] = data.draw(
            st.lists(any_weight, min_size=n, max_size=n),
            label=f"weights[{p.id}]",
        )
    expected = brute_log_sum(people, q, weights, x_linked)
    got = log_likelihood(people, q, weights, x_linked=x_linked)
    assert close_on_log_scale(got, expected), f"engine {got!r} != brute force {expected!r}"
