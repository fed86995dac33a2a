"""The two-site (compound-heterozygote) likelihood and FLB against a brute-force enumeration
written here, the single-variant engine, and families worked by hand.

The reference enumerates every assignment of haplotypes: each founder's haplotypes (two, or one
for a male's X) and each child's inheritance (which of each parent's haplotypes it received, the
Lander-Green view). An assignment has probability prod founders' haplotype frequencies x (1/2)
per choice made by a parent with two haplotypes; the engine's unordered states are only a
function of it. It shares no code with cmmvar.segregate.pair_likelihood except the
documented state order PAIRS, which the first test pins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmmvar.segregate.likelihood import Person, flb
from cmmvar.segregate.pair_likelihood import (
    PAIRS,
    call_phase,
    pair_flb,
    pair_log_likelihood,
    proband_phase,
)
from tests.unit.helpers.likelihood_bruteforce import examples  # capped in a mutation run

# Haplotype h: site-1 allele h & 1, site-2 allele h >> 1 (the engine's documented encoding).
H00, H10, H01, H11 = range(4)
MAX_ASSIGNMENTS = 2 ** 18  # keeps one enumeration under a second


# ----------------------------------------------------------------------------------------------
# Brute-force reference
# ----------------------------------------------------------------------------------------------


def state_index() -> np.ndarray:
    """index[a, b]: the engine's state number of the unordered pair {a, b}."""
    index = np.zeros((4, 4), dtype=np.int64)
    for s, (a, b) in enumerate(PAIRS):
        index[a, b] = index[b, a] = s
    return index


def haplotype_frequencies(q1: float, q2: float) -> np.ndarray:
    return np.array([(q1 if h & 1 else 1 - q1) * (q2 if h >> 1 else 1 - q2) for h in range(4)])


def one_x(person: Person, x_linked: bool) -> bool:
    return x_linked and person.male


def assignments(people: Sequence[Person], x_linked: bool) -> int:
    """How many haplotype assignments the enumeration visits."""
    n = 1
    for p in people:
        if p.father is None:
            n *= 4 if one_x(p, x_linked) else 16
        else:
            n *= 2 if x_linked else 4  # X: only the mother's choice
    return n


def brute_log_sum(people: Sequence[Person], q1: float, q2: float,
                  weights: Mapping[str, Sequence[float]], x_linked: bool) -> float:
    """log of the sum over every haplotype assignment of its probability x prod weights[id]
    [state], the people listed parents first."""
    variables: list[tuple[str, str]] = []  # (person, "hap0" | "hap1" | "from_father" | ...)
    for p in people:
        if p.father is None:
            variables += [(p.id, "hap0")] + ([] if one_x(p, x_linked) else [(p.id, "hap1")])
        else:
            variables += [] if x_linked else [(p.id, "from_father")]
            variables.append((p.id, "from_mother"))
    shape = [4 if kind.startswith("hap") else 2 for _, kind in variables]
    columns = dict(zip(variables, np.unravel_index(np.arange(math.prod(shape)), shape),
                       strict=True))
    freq = haplotype_frequencies(q1, q2)
    index = state_index()
    haps: dict[str, list[np.ndarray]] = {}
    log_terms = np.zeros(math.prod(shape))
    with np.errstate(divide="ignore"):
        for p in people:
            if p.father is None:
                haps[p.id] = [columns[(p.id, "hap0")]]
                if not one_x(p, x_linked):
                    haps[p.id].append(columns[(p.id, "hap1")])
                for h in haps[p.id]:
                    log_terms += np.log(freq[h])
            else:
                father, mother = haps[p.father], haps[p.mother]
                from_mother = np.where(columns[(p.id, "from_mother")] == 0, mother[0], mother[1])
                log_terms += math.log(0.5)
                if x_linked:
                    # a son has his mother's X only; a daughter her father's one X as well
                    haps[p.id] = [from_mother] if p.male else [father[0], from_mother]
                else:
                    from_father = np.where(columns[(p.id, "from_father")] == 0, father[0],
                                           father[1])
                    log_terms += math.log(0.5)
                    haps[p.id] = [from_father, from_mother]
            if p.id in weights:
                h = haps[p.id]
                state = h[0] if len(h) == 1 else index[h[0], h[1]]
                log_terms += np.log(np.asarray(weights[p.id], dtype=float)[state])
    top = np.max(log_terms)
    if top == -np.inf:
        return -math.inf
    return float(top + np.log(np.sum(np.exp(log_terms - top))))


def haplotypes_of_states(states: int) -> list[tuple[int, ...]]:
    return list(PAIRS) if states == 10 else [(h,) for h in range(4)]


def observed_weight(haps: tuple[int, ...], g1, g2, phase) -> float:
    """1 when the state agrees with the observed ALT copies and phase, else 0."""
    if g1 is not None and sum(h & 1 for h in haps) != g1:
        return 0.0
    if g2 is not None and sum(h >> 1 for h in haps) != g2:
        return 0.0
    if phase == "cis" and sorted(haps) == [H10, H01]:
        return 0.0
    if phase == "trans" and sorted(haps) == [H00, H11]:
        return 0.0
    return 1.0


def brute_flb(people, proband, q1, q2, x_linked, penetrance, phenotypes, genotypes1,
              genotypes2, phases) -> tuple[str, float | None]:
    """FLB from its definition, ("undefined", None), ("zero", 0.0) or ("value", log FLB)."""

    def weights(typed: set[str], causal: bool) -> dict[str, list[float]]:
        out = {}
        for p in people:
            states = haplotypes_of_states(4 if one_x(p, x_linked) else 10)
            w = []
            for haps in states:
                v = 1.0
                if causal:
                    f = penetrance[p.id][1] if all(h != H00 for h in haps) else \
                        penetrance[p.id][0]
                    v = {"affected": f, "unaffected": 1 - f}.get(phenotypes.get(p.id), 1.0)
                if p.id in typed:
                    v *= observed_weight(haps, genotypes1.get(p.id), genotypes2.get(p.id),
                                         phases.get(p.id))
                w.append(v)
            out[p.id] = w
        return out

    typed = {p.id for p in people}
    causal_all = brute_log_sum(people, q1, q2, weights(typed, True), x_linked)
    causal_proband = brute_log_sum(people, q1, q2, weights({proband}, True), x_linked)
    neutral_all = brute_log_sum(people, q1, q2, weights(typed, False), x_linked)
    neutral_proband = brute_log_sum(people, q1, q2, weights({proband}, False), x_linked)
    if neutral_all == -math.inf or causal_proband == -math.inf:
        return "undefined", None
    if causal_all == -math.inf:
        return "zero", 0.0
    return "value", causal_all - causal_proband - neutral_all + neutral_proband


def assert_same_flb(result, reference: tuple[str, float | None]) -> None:
    kind, log_value = reference
    if kind == "undefined":
        assert result.value is None and result.log10 is None and result.reason, result
    elif kind == "zero":
        assert result.value == 0.0 and result.log10 is None and result.reason, result
    else:
        assert result.value is not None and result.value > 0 and result.reason is None, result
        assert abs(math.log(result.value) - log_value) <= 1e-9, (result, math.exp(log_value))
        assert abs(result.log10 - log_value / math.log(10)) <= 1e-9


# ----------------------------------------------------------------------------------------------
# Random pedigrees of up to 6 members, loops included
# ----------------------------------------------------------------------------------------------


def sibling_marriage() -> list[Person]:
    """1 x 2 -> 3 (M), 4 (F); 3 x 4 -> 5: a marriage loop in five people."""
    return [Person("1", None, None, True), Person("2", None, None, False),
            Person("3", "1", "2", True), Person("4", "1", "2", False),
            Person("5", "3", "4", False)]


@st.composite
def pedigrees(draw, x_linked: bool) -> list[Person]:
    """From nothing or from a sibling marriage, add founders and children of random couples
    (often relatives: new loops) up to 6 people, within MAX_ASSIGNMENTS."""
    people = sibling_marriage() if draw(st.booleans()) else []
    if not people:
        people.append(Person("p0", None, None, draw(st.booleans())))
    target = draw(st.integers(len(people), 6))
    while len(people) < target:
        pid = f"p{len(people)}"
        males = [p.id for p in people if p.male]
        females = [p.id for p in people if not p.male]
        couple = bool(males and females)
        if couple and draw(st.booleans()):
            new = Person(pid, draw(st.sampled_from(males)), draw(st.sampled_from(females)),
                         draw(st.booleans()))
        else:
            new = Person(pid, None, None, draw(st.booleans()))
        if assignments([*people, new], x_linked) > MAX_ASSIGNMENTS:
            break
        people.append(new)
    return people


unit_floats = st.one_of(st.just(0.0), st.just(1.0), st.floats(1e-6, 1.0))
frequencies = st.floats(1e-4, 0.3)
# Exactly 0 or 1 one time in five, so that most FLBs are defined and non-zero.
phenocopy_rates = st.integers(0, 4).flatmap(
    lambda k: st.just(0.0) if k == 0 else st.floats(1e-6, 0.3))
penetrances = st.integers(0, 4).flatmap(
    lambda k: st.sampled_from([0.0, 1.0]) if k == 0 else st.floats(1e-6, 1.0))


@st.composite
def truth(draw, people, x_linked, q1, q2) -> dict[str, tuple[int, ...]]:
    """Haplotypes drawn down the pedigree (parents first), so the family is Mendelian."""
    freq = haplotype_frequencies(q1, q2)
    common = [h for h in range(4) if freq[h] > 0]
    out: dict[str, tuple[int, ...]] = {}
    for p in people:
        if p.father is None:
            out[p.id] = tuple(draw(st.sampled_from(common))
                              for _ in range(1 if one_x(p, x_linked) else 2))
        else:
            from_mother = draw(st.sampled_from(out[p.mother]))
            if x_linked:
                out[p.id] = (from_mother,) if p.male else (out[p.father][0], from_mother)
            else:
                out[p.id] = (draw(st.sampled_from(out[p.father])), from_mother)
    return out


@st.composite
def flb_cases(draw, second_site: bool = True):
    x_linked = draw(st.booleans())
    people = draw(pedigrees(x_linked))
    q1 = draw(frequencies)
    q2 = draw(frequencies) if second_site else 0.0
    haps = draw(truth(people, x_linked, q1, q2))
    proband = draw(st.sampled_from([p.id for p in people]))
    penetrance, phenotypes, g1, g2, phases = {}, {}, {}, {}, {}
    for p in people:
        penetrance[p.id] = (draw(phenocopy_rates), draw(penetrances))
        phenotypes[p.id] = draw(st.sampled_from(["affected", "unaffected", "unknown"]))
        h = haps[p.id]
        if p.id == proband or draw(st.booleans()):
            g1[p.id] = sum(x & 1 for x in h)
        if p.id == proband or draw(st.booleans()):
            g2[p.id] = sum(x >> 1 for x in h)
        elif draw(st.booleans()):
            g2[p.id] = None
        if (g1.get(p.id), g2.get(p.id)) == (1, 1) and len(h) == 2 and draw(st.booleans()):
            phases[p.id] = "cis" if H11 in h else "trans"
    if draw(st.integers(0, 4)) == 0:  # sometimes break Mendel (or not, by chance)
        victim = draw(st.sampled_from(sorted(g1)))
        top = 1 if one_x(next(p for p in people if p.id == victim), x_linked) else 2
        g1[victim] = draw(st.integers(0, top))
        phases.pop(victim, None)
    return people, proband, q1, q2, x_linked, penetrance, phenotypes, g1, g2, phases


# ----------------------------------------------------------------------------------------------
# The engine against the enumeration
# ----------------------------------------------------------------------------------------------


def test_states_are_the_ten_unordered_haplotype_pairs_in_documented_order():
    assert PAIRS == ((0, 0), (0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3), (2, 2), (2, 3),
                     (3, 3))


def test_reference_gives_linkage_equilibrium_for_a_lone_founder():
    """P(founder is 10/01) = 2 p10 p01, with p10 = q1 (1 - q2) and p01 = (1 - q1) q2."""
    q1, q2 = 0.1, 0.2
    w = [1.0 if pair == (H10, H01) else 0.0 for pair in PAIRS]
    got = math.exp(brute_log_sum([Person("1", None, None, True)], q1, q2, {"1": w}, False))
    assert got == pytest.approx(2 * q1 * (1 - q2) * (1 - q1) * q2, rel=1e-12)


@settings(max_examples=examples(150), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_pair_log_likelihood_equals_the_sum_over_every_haplotype_assignment(data):
    x_linked = data.draw(st.booleans(), label="x_linked")
    people = data.draw(pedigrees(x_linked), label="people")
    q1, q2 = data.draw(frequencies, label="q1"), data.draw(frequencies, label="q2")
    weights = {}
    for p in people:
        if data.draw(st.booleans()):
            n = 4 if one_x(p, x_linked) else 10
            weights[p.id] = data.draw(st.lists(unit_floats, min_size=n, max_size=n))
    expected = brute_log_sum(people, q1, q2, weights, x_linked)
    got = pair_log_likelihood(people, q1, q2, weights, x_linked=x_linked)
    if expected == -math.inf:
        assert got == -math.inf
    else:
        assert abs(got - expected) <= 1e-9, (got, expected)


@settings(max_examples=examples(150), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=flb_cases())
def test_pair_flb_equals_brute_force_from_its_definition(case):
    people, proband, q1, q2, x_linked, penetrance, phenotypes, g1, g2, phases = case
    expected = brute_flb(people, proband, q1, q2, x_linked, penetrance, phenotypes, g1, g2,
                         phases)
    assert_same_flb(pair_flb(people, proband, q1, q2, x_linked, penetrance, phenotypes, g1,
                             g2, phases), expected)


@settings(max_examples=examples(150), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=flb_cases())
def test_swapping_the_two_sites_changes_nothing(case):
    """Site 1 and site 2 exchanged (frequencies and genotypes); cis and trans are symmetric."""
    people, proband, q1, q2, x_linked, penetrance, phenotypes, g1, g2, phases = case
    one = pair_flb(people, proband, q1, q2, x_linked, penetrance, phenotypes, g1, g2, phases)
    other = pair_flb(people, proband, q2, q1, x_linked, penetrance, phenotypes, g2, g1, phases)
    assert (one.value is None, one.value == 0.0) == (other.value is None, other.value == 0.0)
    if one.value:
        assert other.value == pytest.approx(one.value, rel=1e-9)
    first = proband_phase(people, proband, q1, q2, x_linked, g1, g2, phases)
    second = proband_phase(people, proband, q2, q1, x_linked, g2, g1, phases)
    assert (first.words, first.by) == (second.words, second.by)
    if first.trans is not None:
        assert second.trans == pytest.approx(first.trans, rel=1e-9)


@settings(max_examples=examples(150), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=flb_cases(second_site=False))
def test_absent_second_site_gives_the_single_variant_recessive_flb(case):
    """q2 = 0 and every second-site call 0 or missing: biallelic means carrying two copies
    of variant 1 (one on a male's X), so the pair FLB is likelihood.flb's under AR (XLR on X)
    with penetrances (phenocopy, phenocopy, penetrance), a male's X (phenocopy, penetrance)."""
    people, proband, q1, q2, x_linked, penetrance, phenotypes, g1, g2, phases = case
    single_pen = {p.id: (penetrance[p.id][0], penetrance[p.id][1]) if one_x(p, x_linked)
                  else (penetrance[p.id][0], *penetrance[p.id]) for p in people}
    single = flb(people, proband, q1, x_linked, single_pen, phenotypes, g1)
    pair = pair_flb(people, proband, q1, 0.0, x_linked, penetrance, phenotypes, g1, g2)
    assert (pair.value is None, pair.value == 0.0) == (single.value is None, single.value == 0.0)
    if single.value:
        assert pair.value == pytest.approx(single.value, rel=1e-9)
        assert pair.log10 == pytest.approx(single.log10, rel=1e-9, abs=1e-12)


# ----------------------------------------------------------------------------------------------
# Families worked by hand
# ----------------------------------------------------------------------------------------------


def nuclear(children: Sequence[tuple[str, bool]]) -> list[Person]:
    return [Person("F", None, None, True), Person("M", None, None, False),
            *(Person(cid, "F", "M", male) for cid, male in children)]


def test_two_affected_compound_het_siblings_of_parents_carrying_one_each_gives_8_over_p00_sq():
    """Father 10/00 (variant 1 only), mother 01/00 (variant 2 only), both unaffected;
    affected siblings A (proband) and B each 1 copy of both; penetrance 1, phenocopy 0.
    p00 = (1-q1)(1-q2), p10 = q1(1-q2), p01 = (1-q1)q2, p11 = q1 q2 (so p10 p01 = p00 p11).

    Neutral: P(G) = 2 p00 p10 x 2 p00 p01 x (1/4)(1/4): each child needs the father's 10 and
    the mother's 01 (cis, 00 with 11, would need an 11 neither parent has), so
    P(G) = p00^2 p10 p01 / 4. P(g_A) = P(a random person is 1,1) = 2 p10 p01 + 2 p00 p11
    = 4 p10 p01. P(G)/P(g_A) = p00^2 / 16.
    Causal: everyone fits (children biallelic in trans, parents not): P(G, Ph) = P(G).
    P(g_A, Ph): A affected must be trans (10/01); B affected biallelic; parents unaffected
    each hold a 00. So one parent is 10/00 and the other 01/00 (two ways), each child 1/4:
    2 x 2 p00 p10 x 2 p00 p01 x 1/16 = p00^2 p10 p01 / 2. Ratio (1/4)/(1/2) = 1/2.
    FLB = (1/2) / (p00^2/16) = 8 / ((1-q1)^2 (1-q2)^2); q1 = 1e-3, q2 = 2e-3: 8.048..."""
    q1, q2 = 1e-3, 2e-3
    people = nuclear([("A", True), ("B", False)])
    result = pair_flb(people, "A", q1, q2, False, {p.id: (0.0, 1.0) for p in people},
                      {"A": "affected", "B": "affected", "F": "unaffected",
                       "M": "unaffected"},
                      {"F": 1, "M": 0, "A": 1, "B": 1}, {"F": 0, "M": 1, "A": 1, "B": 1})
    expected = 8 / ((1 - q1) ** 2 * (1 - q2) ** 2)
    assert result.value == pytest.approx(expected, rel=1e-12)
    assert result.log10 == pytest.approx(math.log10(expected), rel=1e-12)
    assert 8.04 < result.value < 8.05
    assert result.reason is None


def test_xlr_daughter_of_an_affected_father_and_a_carrier_mother_gives_2_over_p00():
    """X-linked: father hemizygous 01 (variant 2), affected (a male with either variant is
    biallelic); mother 10/00, unaffected; daughter D, proband, 1 copy of both, affected;
    penetrance 1, phenocopy 0.
    Neutral: P(G) = p01 x 2 p00 p10 x 1/2 (D has her father's X, and needs the mother's 10),
    P(g_D) = 4 p10 p01 as for any founder-like person: P(G)/P(g_D) = p00 / 4.
    Causal: P(G, Ph) = P(G). P(g_D, Ph): D trans (10/01); the father affected has 10 or 01,
    the mother unaffected holds 00 and passes the other variant's haplotype with 1/2:
    p10 x 2 p00 p01 x 1/2 + p01 x 2 p00 p10 x 1/2 = 2 p00 p10 p01. Ratio 1/2.
    FLB = (1/2) / (p00/4) = 2 / ((1-q1)(1-q2))."""
    q1, q2 = 0.01, 0.02
    people = nuclear([("D", False)])
    result = pair_flb(people, "D", q1, q2, True, {p.id: (0.0, 1.0) for p in people},
                      {"F": "affected", "M": "unaffected", "D": "affected"},
                      {"F": 0, "M": 1, "D": 1}, {"F": 1, "M": 0, "D": 1})
    assert result.value == pytest.approx(2 / ((1 - q1) * (1 - q2)), rel=1e-12)


@pytest.mark.parametrize("phase", ["trans", "cis"])
def test_phased_proband_cis_and_trans_give_the_hand_derived_flbs(phase):
    """Father F 10/00 unaffected, mother untyped of unknown phenotype, proband child A
    affected with 1 copy of both, phased. Phenocopy r = 0.1, penetrance f = 0.8, q1 = 0.2,
    q2 = 0.3, p00 = 0.56. W = E[weight of an unaffected founder | one haplotype given, not
    00] = p00 (1 - r) + (1 - p00)(1 - f) = 0.592.
    Trans (10/01): F passes 10 (1/2), mother 01 (p01). Neutral ratio P(F)/(4 p10); causal
    P(G, Ph) = P(F)(1-r)/2 p01 f, P(g_A, Ph) = (p10 W p01 + p01 W p10) f: ratio
    P(F)(1-r)/(4 p10 W). FLB = (1 - r)/W = 0.9/0.592 = 1.5203.
    Cis (00/11): F passes 00 (1/2), mother 11 (p11). Neutral ratio P(F)/(4 p00); causal
    P(G, Ph) = P(F)(1-r)/2 p11 r; P(g_A, Ph) = (p00 (1-r) p11 + p11 W p00) r (the parent
    passing 00 is never biallelic): ratio P(F)(1-r)/(2 p00 (1-r+W)).
    FLB = 2 (1-r)/(1-r+W) = 1.8/1.492 = 1.2064."""
    r, f, q1, q2 = 0.1, 0.8, 0.2, 0.3
    p00 = (1 - q1) * (1 - q2)
    w = p00 * (1 - r) + (1 - p00) * (1 - f)
    expected = {"trans": (1 - r) / w, "cis": 2 * (1 - r) / (1 - r + w)}[phase]
    people = nuclear([("A", True)])
    result = pair_flb(people, "A", q1, q2, False, {p.id: (r, f) for p in people},
                      {"A": "affected", "F": "unaffected"}, {"F": 1, "A": 1}, {"F": 0, "A": 1},
                      {"A": phase})
    assert result.value == pytest.approx(expected, rel=1e-12)
    assert round(result.value, 4) == {"trans": 1.5203, "cis": 1.2064}[phase]


def test_cis_proband_cannot_be_affected_without_phenocopies():
    """Cis (00/11) keeps a 00 haplotype: not biallelic, so with phenocopy 0 the affected
    proband is impossible under the model and the FLB is undefined, with its reason."""
    people = nuclear([("A", True)])
    result = pair_flb(people, "A", 0.01, 0.01, False, {p.id: (0.0, 1.0) for p in people},
                      {"A": "affected"}, {"A": 1}, {"A": 1}, {"A": "cis"})
    assert result.value is None and result.log10 is None
    assert result.reason.startswith("the proband's genotypes and the family's phenotypes "
                                    "cannot occur together under the recessive model")
    assert "A affected" in result.reason and "A 1 and 1 ALT copies, cis" in result.reason


def test_unaffected_sibling_in_trans_by_the_parents_makes_the_flb_zero_and_is_named():
    """Sibling S carries both, in trans by the parents (10/00 x 01/00), unaffected with
    penetrance 1: P(G, Ph | causal) = 0, and taking S's phenotype or genotypes as unknown
    lifts it (and so would the parents' genotypes, which fix the phase)."""
    people = nuclear([("A", True), ("S", True)])
    result = pair_flb(people, "A", 0.01, 0.01, False, {p.id: (0.0, 1.0) for p in people},
                      {"A": "affected", "S": "unaffected"},
                      {"F": 1, "M": 0, "A": 1, "S": 1}, {"F": 0, "M": 1, "A": 1, "S": 1})
    assert result.value == 0.0 and result.log10 is None
    assert "S unaffected" in result.reason and "S 1 and 1 ALT copies" in result.reason
    assert "A affected" not in result.reason


def test_a_child_with_both_variants_of_parents_carrying_neither_is_undefined():
    people = nuclear([("A", True)])
    result = pair_flb(people, "A", 0.01, 0.01, False, {p.id: (0.0, 1.0) for p in people},
                      {"A": "affected"}, {"F": 0, "M": 0, "A": 1}, {"F": 0, "M": 0, "A": 1})
    assert result.value is None
    assert result.reason.startswith("the observed genotypes at the two sites are not "
                                    "Mendelian-consistent")


# ----------------------------------------------------------------------------------------------
# Phase
# ----------------------------------------------------------------------------------------------


def test_parents_each_carrying_one_variant_put_the_proband_in_trans():
    people = nuclear([("A", True)])
    got = proband_phase(people, "A", 0.01, 0.01, False, {"F": 1, "M": 0, "A": 1},
                        {"F": 0, "M": 1, "A": 1})
    assert (got.trans, got.words, got.by) == (1.0, "in trans", "the family's genotypes")


def test_a_parent_carrying_both_and_one_carrying_neither_put_the_proband_in_cis():
    """The mother (0, 0) can pass only 00, so the proband's other haplotype is 11."""
    people = nuclear([("A", True)])
    got = proband_phase(people, "A", 0.01, 0.01, False, {"F": 1, "M": 0, "A": 1},
                        {"F": 1, "M": 0, "A": 1})
    assert (got.trans, got.words, got.by) == (0.0, "in cis", "the family's genotypes")


def test_one_typed_parent_leaves_the_phase_unknown_with_p_trans_1_minus_q1():
    """Father 10/00 typed, mother untyped. Trans: father passes 10 (1/2), mother 01 (p01);
    cis: father 00 (1/2), mother 11 (p11). P(trans) = p01 / (p01 + p11)
    = (1-q1) q2 / ((1-q1) q2 + q1 q2) = 1 - q1."""
    q1, q2 = 0.05, 0.2
    people = nuclear([("A", True)])
    got = proband_phase(people, "A", q1, q2, False, {"F": 1, "A": 1}, {"F": 0, "A": 1})
    assert got.words == "phase unknown" and got.by is None
    assert got.trans == pytest.approx(1 - q1, rel=1e-12)


def test_the_probands_phased_calls_decide_the_phase():
    people = nuclear([("A", True)])
    got = proband_phase(people, "A", 0.01, 0.01, False, {"A": 1}, {"A": 1}, {"A": "cis"})
    assert (got.trans, got.words, got.by) == (0.0, "in cis", "the proband's phased calls")


def test_a_phased_call_that_the_parents_contradict_has_no_phase():
    people = nuclear([("A", True)])
    got = proband_phase(people, "A", 0.01, 0.01, False, {"F": 1, "M": 0, "A": 1},
                        {"F": 0, "M": 1, "A": 1}, {"A": "cis"})
    assert got.trans is None and "not Mendelian-consistent" in got.words


@pytest.mark.parametrize(("g1", "g2"), [(2, 1), (1, 0), (None, 1)])
def test_phase_is_not_asked_of_a_proband_not_heterozygous_at_both_sites(g1, g2):
    people = nuclear([("A", True)])
    got = proband_phase(people, "A", 0.01, 0.01, False, {"A": g1}, {"A": g2})
    assert (got.trans, got.words) == (None, "not heterozygous at both sites")


@pytest.mark.parametrize(("gt1", "ps1", "gt2", "ps2", "expected"), [
    ("0|1", 100, "0|1", 100, "cis"),
    ("1|0", 100, "0|1", 100, "trans"),
    ("0|1", None, "1|0", None, "trans"),  # no PS: one phase set (VCF 4.3, FORMAT PS)
    ("0|1", None, "0|1", None, "cis"),
    ("0|1", 100, "0|1", 200, None),  # two phase sets
    ("0|1", 100, "0|1", None, None),  # one in a named set, one in the default set
    ("0/1", None, "0|1", None, None),  # unphased
    ("1|1", None, "0|1", None, None),  # homozygous: phase says nothing
    ("0|0", None, "0|1", None, None),
])
def test_call_phase_reads_gt_and_ps(gt1, ps1, gt2, ps2, expected):
    assert call_phase(gt1, ps1, gt2, ps2) == expected


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------


def test_errors_name_the_person_and_the_problem():
    people = nuclear([("A", True)])
    pen = {p.id: (0.0, 1.0) for p in people}
    with pytest.raises(ValueError, match=r"A: expected \(phenocopy rate, penetrance\)"):
        pair_flb(people, "A", 0.01, 0.01, False, {**pen, "A": (0.0, 0.0, 1.0)}, {}, {}, {})
    with pytest.raises(ValueError, match="A: genotype 3 at site 2 impossible with two copies"):
        pair_flb(people, "A", 0.01, 0.01, False, pen, {}, {"A": 1}, {"A": 3})
    with pytest.raises(ValueError, match="A: genotype 2 at site 1 impossible with one copy"):
        pair_flb(people, "A", 0.01, 0.01, True, pen, {}, {"A": 2}, {"A": 0})
    with pytest.raises(ValueError, match="A: a phase given for one X, which has no phase"):
        pair_flb(people, "A", 0.01, 0.01, True, pen, {}, {"A": 1}, {"A": 1}, {"A": "cis"})
    with pytest.raises(ValueError, match="A: phase 'both' is neither cis nor trans"):
        pair_flb(people, "A", 0.01, 0.01, False, pen, {}, {"A": 1}, {"A": 1}, {"A": "both"})
    with pytest.raises(ValueError, match="proband Z is not in the pedigree"):
        pair_flb(people, "Z", 0.01, 0.01, False, pen, {}, {}, {})
    with pytest.raises(ValueError, match="A: expected 10 state weights"):
        pair_log_likelihood(people, 0.01, 0.01, {"A": [1.0] * 3})
