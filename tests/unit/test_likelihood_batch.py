"""The batched engine (issue 14): `log_likelihoods` must give, row by row, exactly what
`log_likelihood` gives alone, and `flbs` what `flb` gives per scenario; its memory, keyed by
positions instead of names, must give each family the reasons in its own members' names;
float64 weights are multiplied in long double; informative meioses (one batched elimination)
follow X-linked transmission."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from cmmvar.segregate import likelihood
from cmmvar.segregate.likelihood import Person, Scenario, flb, flbs, log_likelihood, log_likelihoods
from cmmvar.segregate.segregation import Model, informative_meioses
from tests.unit.helpers.segregation import MISSING, called, family_from


def nuclear(prefix: str) -> list[Person]:
    return [Person(f"{prefix}F", None, None, True), Person(f"{prefix}M", None, None, False),
            Person(f"{prefix}C1", f"{prefix}F", f"{prefix}M", False),
            Person(f"{prefix}C2", f"{prefix}F", f"{prefix}M", True)]


def first_cousin_loop() -> list[Person]:
    """Two sibships whose children marry: a marriage loop (the elimination keeps a
    three-person factor)."""
    return [Person("g1", None, None, True), Person("g2", None, None, False),
            Person("a", "g1", "g2", True), Person("b", "g1", "g2", False),
            Person("sa", None, None, False), Person("sb", None, None, True),
            Person("c1", "a", "sa", True), Person("c2", "sb", "b", False),
            Person("k", "c1", "c2", False)]


@pytest.mark.parametrize("x_linked", [False, True])
@pytest.mark.parametrize("people", [nuclear("A"), first_cousin_loop()], ids=["nuclear", "loop"])
def test_each_batch_row_equals_the_likelihood_computed_alone(people, x_linked):
    """40 random problems (weights in [0, 1], a few of them exactly 0, one row with a person
    all 0, q per row from 1e-5 to 0.3) in one batch: each row to 1e-12 relative of its own
    log_likelihood call, and -inf exactly where the single call gives -inf."""
    rng = random.Random(14)
    size = 40
    states = {p.id: 2 if x_linked and p.male else 3 for p in people}
    q = np.array([10 ** rng.uniform(-5, math.log10(0.3)) for _ in range(size)])
    weights = {p.id: np.array([[0.0 if rng.random() < 0.15 else rng.random()
                                for _ in range(states[p.id])] for _ in range(size)])
               for p in people}
    weights[people[-1].id][7] = 0.0  # at least one row of likelihood 0
    batch = log_likelihoods(people, q, weights, x_linked)
    alone = [log_likelihood(people, float(q[b]), {pid: w[b] for pid, w in weights.items()},
                            x_linked) for b in range(size)]
    assert any(v == -math.inf for v in alone) and any(v > -math.inf for v in alone)
    for got, want in zip(batch.tolist(), alone, strict=True):
        assert got == pytest.approx(want, rel=1e-12, abs=0) if want > -math.inf \
            else got == -math.inf


def test_a_row_of_likelihood_zero_leaves_the_other_rows_unchanged():
    """The middle row has a person with every weight 0 (likelihood 0); its rescaling must not
    touch the rows beside it, which equal their single computations."""
    people = first_cousin_loop()
    weights = {"k": np.array([[0.1, 0.9, 0.9], [0.0, 0.0, 0.0], [0.9, 0.1, 0.1]])}
    got = log_likelihoods(people, np.array([0.01, 0.01, 0.2]), weights)
    assert got[1] == -math.inf
    assert got[0] == pytest.approx(log_likelihood(people, 0.01, {"k": [0.1, 0.9, 0.9]}),
                                   rel=1e-12)
    assert got[2] == pytest.approx(log_likelihood(people, 0.2, {"k": [0.9, 0.1, 0.1]}),
                                   rel=1e-12)


def test_flbs_gives_per_scenario_what_flb_gives():
    people = nuclear("A")
    genotypes = {"AF": 1, "AM": 0, "AC1": 1, "AC2": None}
    phenotypes = {"AF": "affected", "AM": "unaffected", "AC1": "affected", "AC2": "unknown"}
    scenarios = [Scenario(q, {p.id: (f0, pen, pen) for p in people}, phenotypes)
                 for q in (1e-5, 1e-3) for f0 in (1e-4, 0.05) for pen in (0.5, 0.9)]
    likelihood._remembered_flbs.cache_clear()
    batch = flbs(people, "AC1", False, genotypes, scenarios)
    for result, s in zip(batch, scenarios, strict=True):
        likelihood._remembered_flbs.cache_clear()
        alone = flb(people, "AC1", s.q, False, s.penetrance, s.phenotypes, genotypes)
        assert result.value == pytest.approx(alone.value, rel=1e-12)
        assert result.reason == alone.reason


def test_a_remembered_result_names_the_members_of_the_family_that_asks():
    """Families A and B have the same shape and data: B's FLB comes from the memory of A's,
    computed under position names. The zero-FLB reason (an affected non-carrier child with
    phenocopy rate 0, worked as in test_flb_reasons) must name B's own members, never A's
    (a family's outputs name nobody outside it), and no placeholder may leak."""
    likelihood._remembered_flbs.cache_clear()
    reasons = {}
    for prefix in ("A", "B"):
        people = nuclear(prefix)
        result = flb(people, f"{prefix}F", 0.01, False,
                     {p.id: (0.0, 0.9, 0.9) for p in people},
                     {f"{prefix}F": "affected", f"{prefix}C1": "affected"},
                     {f"{prefix}F": 1, f"{prefix}C1": 0})
        assert result.value == 0.0
        reasons[prefix] = result.reason
    assert likelihood._remembered_flbs.cache_info().hits == 1
    assert reasons["B"] == reasons["A"].replace("AC1", "BC1").replace("AF", "BF")
    assert "BC1 affected" in reasons["B"] and "BC1 non-carrier" in reasons["B"]
    assert "A" not in reasons["B"].replace("Ph", "").split(";")[1]
    assert "\x00" not in reasons["B"]


def test_float64_weights_given_to_the_batch_are_multiplied_in_long_double():
    """The 1e-200 case of test_edges_likelihood, given straight to log_likelihoods as float64
    arrays (as flbs gives them), two rows (q = 0.01 and 0.2): summing out the father
    multiplies three weights of 1e-200 (1e-600, below float64's 5e-324: in float64 every
    term would be 0 and the row -inf). By hand, as there:
    L = (1-q)^2 x 1e-600 x [2q(1-q) x 1/2 x 1/2 + q^2 x 1 x 1]."""
    people = [Person("f", None, None, True), Person("m", None, None, False),
              Person("c1", "f", "m", True), Person("c2", "f", "m", False)]
    tiny = 1e-200
    rows = {"f": [1, tiny, tiny], "m": [1, 0, 0], "c1": [0, tiny, 1], "c2": [0, tiny, 1]}
    weights = {pid: np.array([w, w], dtype=np.float64) for pid, w in rows.items()}
    got = log_likelihoods(people, np.array([0.01, 0.2]), weights)
    for value, q in zip(got.tolist(), (0.01, 0.2), strict=True):
        expected = (2 * math.log(1 - q) - 600 * math.log(10)
                    + math.log(2 * q * (1 - q) / 4 + q * q))
        assert value == pytest.approx(expected, rel=1e-12)


def test_the_mendel_inconsistency_note_is_given_in_full():
    """Father and mother typed non-carriers, child typed homozygous: no genotype vector of
    positive probability (neutral likelihood 0), so the FLB and its log are undefined."""
    people = nuclear("A")
    result = flb(people, "AC1", 0.01, False, {p.id: (0.01, 0.9, 0.9) for p in people},
                 {"AC1": "affected"}, {"AF": 0, "AM": 0, "AC1": 2})
    assert result == likelihood.FlbResult(
        None, None, "the observed genotypes are not Mendelian-consistent (a de novo variant "
                    "or a sample/pedigree error)")


def test_an_x_linked_fathers_affected_daughter_is_no_informative_meiosis(tmp_path):
    """XLD, proband the affected father, hemizygous carrier; his affected daughter typed
    heterozygous. A father gives his X to every daughter, so P(daughter carrier | father
    carrier) = 1: -log2 1 = 0 meioses (autosomal transmission would give 1/2, 1 meiosis)."""
    family = family_from(tmp_path, "X f 0 0 1 2\nX m 0 0 2 1\nX d f m 2 2\n")
    calls = {"f": called(1, hemizygous=True), "m": MISSING, "d": called(1)}
    assert informative_meioses(family, calls, "f", Model("XLD", 0.9, 0.01)) == 0


def test_x_linked_recessive_affected_brothers_are_one_informative_meiosis(tmp_path):
    """XLR, two affected brothers, both hemizygous carriers (the causal genotype of a man on
    X is 1 copy, not 2), mother untyped: the proband's X came from his mother, so she carries
    the rare variant, and passes it to his brother with probability 1/2: -log2 1/2 = 1."""
    family = family_from(tmp_path, "X f 0 0 1 1\nX m 0 0 2 1\nX a f m 1 2\nX b f m 1 2\n")
    calls = {"f": MISSING, "m": MISSING, "a": called(1, hemizygous=True),
             "b": called(1, hemizygous=True)}
    assert informative_meioses(family, calls, "a", Model("XLR", 0.9, 0.01)) == 1
