"""cmmvar.segregate.likelihood at its edges: the Mendelian tables, the default model, the impossible
cases (-inf), the refusals with their messages, and the small helpers the FLB notes use.

Each expectation is worked out here independently of the engine (gametes enumerated, Hardy-
Weinberg by hand); the engine's sums are checked against brute force in
test_likelihood_bruteforce.py and against FASTLINK in test_fastlink.py.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from cmmvar.segregate.likelihood import (
    Person,
    _genotype_weights,
    _genotype_word,
    _phenotype_weights,
    _transmission_autosomal,
    _transmission_x,
    flb,
    log_likelihood,
)

Q = 0.01


def gametes(copies: int) -> list[int]:
    """The two alleles of a diploid parent with `copies` ALT alleles (1 = ALT)."""
    return [1] * copies + [0] * (2 - copies)


def test_autosomal_transmission_table_is_mendels_law_by_gamete_enumeration():
    """T[c, f, m]: each of the 2 x 2 equally likely gamete pairs of father f and mother m
    gives a child with the sum of the two alleles (Mendel's first law)."""
    expected = np.zeros((3, 3, 3))
    for f, m in itertools.product(range(3), repeat=2):
        for a, b in itertools.product(gametes(f), gametes(m)):
            expected[a + b, f, m] += 1 / 4
    assert _transmission_autosomal().shape == (3, 3, 3)
    np.testing.assert_array_equal(_transmission_autosomal(), expected)
    # two hand-worked columns: het x het -> 1/4, 1/2, 1/4; hom x non-carrier -> all het
    np.testing.assert_array_equal(_transmission_autosomal()[:, 1, 1], [0.25, 0.5, 0.25])
    np.testing.assert_array_equal(_transmission_autosomal()[:, 2, 0], [0, 1, 0])


def test_x_transmission_gives_sons_one_maternal_x_and_daughters_the_fathers_x_plus_one():
    """A son gets one of his mother's two X (his father's Y): states 0/1. A daughter gets her
    father's only X (0/1) and one of her mother's two: states 0..2."""
    son = np.zeros((2, 2, 3))
    daughter = np.zeros((3, 2, 3))
    for f, m in itertools.product(range(2), range(3)):
        for b in gametes(m):
            son[b, f, m] += 1 / 2
            daughter[f + b, f, m] += 1 / 2
    assert _transmission_x(True).shape == (2, 2, 3)
    assert _transmission_x(False).shape == (3, 2, 3)
    np.testing.assert_array_equal(_transmission_x(True), son)
    np.testing.assert_array_equal(_transmission_x(False), daughter)
    np.testing.assert_array_equal(_transmission_x(False)[:, 1, 1], [0, 0.5, 0.5])


def test_log_likelihood_is_autosomal_unless_told_and_a_male_founder_has_three_states():
    """Default x_linked=False: a male founder is diploid, P(non-carrier) = (1 - q)^2; with
    x_linked=True he is hemizygous and takes 2 weights, P(non-carrier) = 1 - q."""
    man = [Person("m", None, None, True)]
    assert log_likelihood(man, Q, {"m": [1, 0, 0]}) == pytest.approx(2 * math.log(1 - Q),
                                                                      rel=1e-12)
    assert log_likelihood(man, Q, {"m": [1, 0]}, True) == pytest.approx(math.log(1 - Q),
                                                                        rel=1e-12)


def test_nobody_weighted_sums_every_genotype_to_probability_one():
    """No weights at all: the sum over every genotype vector of priors x transmissions is 1,
    so log L = 0 exactly (up to rounding), autosomal and X-linked."""
    trio = [Person("f", None, None, True), Person("m", None, None, False),
            Person("c", "f", "m", True)]
    assert log_likelihood(trio, Q, {}) == pytest.approx(0.0, abs=1e-15)
    assert log_likelihood(trio, Q, {}, True) == pytest.approx(0.0, abs=1e-15)


def test_a_genotype_vector_of_weight_zero_gives_minus_infinity():
    """All of one person's weights 0: nothing of the sum is left (returned before any log of
    0 is taken)."""
    man = [Person("m", None, None, True)]
    assert log_likelihood(man, Q, {"m": [0, 0, 0]}) == -math.inf


def test_a_trio_mendel_cannot_produce_gives_minus_infinity():
    """Non-carrier parents, homozygous child: every term has a transmission of 0 (no new
    mutations in the model), so the sum is 0 during elimination, not at a person's weights."""
    trio = [Person("f", None, None, True), Person("m", None, None, False),
            Person("c", "f", "m", True)]
    weights = {"f": [1, 0, 0], "m": [1, 0, 0], "c": [0, 0, 1]}
    assert log_likelihood(trio, Q, weights) == -math.inf
    result = flb(trio, "c", Q, False, {p: (0.0, 0.5, 0.5) for p in "fmc"},
                 {"c": "affected"}, {"f": 0, "m": 0, "c": 2})
    assert result == type(result)(None, None, "the observed genotypes are not Mendelian-"
                                              "consistent (a de novo variant or a "
                                              "sample/pedigree error)")


def test_weights_of_the_wrong_length_are_refused_naming_the_person():
    with pytest.raises(ValueError, match=r"^m: expected 2 genotype weights, got \(3,\)$"):
        log_likelihood([Person("m", None, None, True)], Q, {"m": [1, 0, 0]}, True)


def test_a_proband_outside_the_pedigree_is_refused():
    with pytest.raises(ValueError, match=r"^proband x is not in the pedigree$"):
        flb([Person("a", None, None, True)], "x", Q, False, {"a": (0, 1, 1)}, {}, {})


def test_a_genotype_a_person_cannot_have_is_refused():
    """A man's X has 2 states (0, 1): 2 ALT copies are impossible; -1 never is a genotype."""
    with pytest.raises(ValueError, match=r"^genotype 2 impossible with 2 states$"):
        flb([Person("m", None, None, True)], "m", Q, True, {"m": (0, 1)},
            {"m": "affected"}, {"m": 2})
    with pytest.raises(ValueError, match=r"^genotype 3 impossible with 3 states$"):
        _genotype_weights(3, 3)
    with pytest.raises(ValueError, match=r"^genotype -1 impossible with 3 states$"):
        _genotype_weights(3, -1)


def test_an_observed_genotype_is_an_indicator_and_an_unobserved_one_all_ones():
    np.testing.assert_array_equal(_genotype_weights(3, 0), [1, 0, 0])
    np.testing.assert_array_equal(_genotype_weights(3, 2), [0, 0, 1])
    np.testing.assert_array_equal(_genotype_weights(2, 1), [0, 1])
    np.testing.assert_array_equal(_genotype_weights(3, None), [1, 1, 1])


def test_phenotype_weights_are_penetrance_its_complement_or_one_per_genotype():
    """P(phenotype | g): affected f_g, unaffected 1 - f_g, unknown 1 (one weight per
    genotype state, so a hemizygous man gets two)."""
    penetrance = (0.02, 0.8, 0.9)
    np.testing.assert_allclose(_phenotype_weights(penetrance, "affected"), [0.02, 0.8, 0.9])
    np.testing.assert_allclose(_phenotype_weights(penetrance, "unaffected"), [0.98, 0.2, 0.1])
    unknown = _phenotype_weights(penetrance, "unknown")
    assert unknown.shape == (3,)
    np.testing.assert_array_equal(unknown, [1, 1, 1])
    assert _phenotype_weights((0.02, 0.8), "unknown").shape == (2,)


@pytest.mark.parametrize(("copies", "states", "word"), [
    (0, 3, "non-carrier"), (1, 3, "heterozygous"), (2, 3, "homozygous"),
    (0, 2, "non-carrier"), (1, 2, "hemizygous"),
])
def test_genotype_words_used_in_the_flb_notes(copies, states, word):
    assert _genotype_word(copies, states) == word


def test_flb_log10_is_the_decimal_log_of_the_value():
    """Affected father and son, both heterozygous, proband the son, AD penetrance 1, phenocopy
    0, q -> 0: the father carries the variant with probability 1/2 a priori (son's proband
    genotype), and being affected he must carry it (phenocopy 0), so FLB = 1 / (1/2) = 2 in
    the limit; with q = 1e-6 the value is within 1e-5 of 2, and log10 = log10(value)."""
    pair = [Person("f", None, None, True), Person("m", None, None, False),
            Person("s", "f", "m", True)]
    result = flb(pair, "s", 1e-6, False, {p: (0.0, 1.0, 1.0) for p in "fms"},
                 {"f": "affected", "s": "affected"}, {"f": 1, "s": 1})
    assert result.value == pytest.approx(2.0, rel=1e-5)
    assert result.log10 == pytest.approx(math.log10(result.value), rel=1e-12)
    assert result.reason is None


def test_flb_note_names_a_mans_x_linked_carrier_genotype_hemizygous():
    """X-linked, males fully penetrant, phenocopy rate 0: father f typed hemizygous carrier
    but unaffected is impossible under the causal model (P(unaffected | carrier) = 1 - 1 =
    0), so FLB = 0. Taking his phenotype as unknown, or his genotype as unknown (he is then a
    non-carrier and daughter d's allele comes from her mother), makes it possible; d's own
    data do not (f stays an unaffected carrier). The note calls his genotype 'hemizygous'."""
    people = [Person("f", None, None, True), Person("m", None, None, False),
              Person("d", "f", "m", False)]
    result = flb(people, "d", Q, True,
                 {"f": (0.0, 1.0), "m": (0.0, 0.5, 0.5), "d": (0.0, 0.5, 0.5)},
                 {"f": "unaffected", "d": "affected"}, {"f": 1, "d": 1})
    assert result.value == 0.0
    assert result.reason == ("the genotypes and phenotypes cannot occur together under the "
                             "causal model (its penetrance and phenocopy rate); this changes "
                             "if any one of these is taken as unknown: f unaffected, "
                             "f hemizygous")


def test_three_weights_of_1e_minus_200_meeting_in_one_elimination_step_do_not_underflow():
    """Father f (weights 1, 1e-200, 1e-200), non-carrier mother m, two children each with
    weights (0, 1e-200, 1): as m is a non-carrier the children can only be heterozygous, from
    a carrier father, so every term of the sum holds three factors of 1e-200. Summing out the
    father multiplies them in one step: 2.5e-601 for f = 1 (below float64's 5e-324, which
    would make the whole likelihood 0), within long double's range. By hand:
    L = (1-q)^2 x 1e-600 x [2q(1-q) x 1/2 x 1/2 + q^2 x 1 x 1]."""
    people = [Person("f", None, None, True), Person("m", None, None, False),
              Person("c1", "f", "m", True), Person("c2", "f", "m", False)]
    tiny = 1e-200
    weights = {"f": [1, tiny, tiny], "m": [1, 0, 0], "c1": [0, tiny, 1], "c2": [0, tiny, 1]}
    expected = (2 * math.log(1 - Q) - 600 * math.log(10)
                + math.log(2 * Q * (1 - Q) / 4 + Q * Q))
    assert log_likelihood(people, Q, weights) == pytest.approx(expected, rel=1e-12)
