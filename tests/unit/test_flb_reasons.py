"""Why a Bayes factor is undefined or zero: the note names the people whose data make the
causal likelihood zero, each found by taking one phenotype or genotype as unknown (worked out
by hand below), and a variant no genotyped affected member carries is not weighed at all."""

from __future__ import annotations

from cmmvar.segregate.likelihood import flb
from cmmvar.segregate.segregation import Model, Settings, segregate
from tests.unit.helpers.likelihood_bruteforce import person
from tests.unit.helpers.segregation import MISSING, called, family_from

UNDEFINED = ("the proband's genotype and the family's phenotypes cannot occur together under "
             "the causal model (its penetrance and phenocopy rate); ")
ZERO = ("the genotypes and phenotypes cannot occur together under the causal model (its "
        "penetrance and phenocopy rate); ")
FULL = (0.0, 1.0, 1.0)  # AD, penetrance 1, phenocopy rate 0


def trio():
    return [person(1), person(2, male=False), person(3, 1, 2)]


def test_unaffected_parents_not_the_proband_are_named_when_penetrance_is_complete():
    """Proband 3 affected and heterozygous, parents 1 and 2 unaffected (untyped), penetrance
    1 and phenocopy rate 0. Under the causal model an unaffected parent has P(unaffected |
    carrier) = 1 - 1 = 0, so both parents are non-carriers and cannot pass the allele (the
    model has no new mutations): P(g_3, Ph | causal) = 0, the FLB is undefined. Taking the
    father's phenotype as unknown lets him be a carrier (positive); the mother's likewise.
    The proband's own data are not the cause: with his phenotype unknown he is still a
    heterozygote of two non-carriers; with his genotype unknown he is affected with
    phenocopy rate 0, so a carrier, same impossibility."""
    people = trio()
    result = flb(people, "3", 0.01, False, {p.id: FULL for p in people},
                 {"1": "unaffected", "2": "unaffected", "3": "affected"}, {"3": 1})
    assert result.value is None
    assert result.reason == UNDEFINED + ("this changes if any one of these is taken as unknown: "
                                         "1 unaffected, 2 unaffected")


def test_typed_carrier_parents_do_not_change_whose_data_make_it_undefined():
    """As above with father 1 typed heterozygous, mother 2 non-carrier: the first failing
    term, P(g_proband, Ph | causal), holds only the proband's genotype, so the culprits are
    still the parents' unaffected phenotypes (not an 'affected non-carrier proband')."""
    people = trio()
    result = flb(people, "3", 0.01, False, {p.id: FULL for p in people},
                 {"1": "unaffected", "2": "unaffected", "3": "affected"},
                 {"1": 1, "2": 0, "3": 1})
    assert result.value is None
    assert result.reason.endswith(": 1 unaffected, 2 unaffected")
    assert "proband" not in result.reason.split(";")[1]


def test_affected_noncarrier_proband_is_named_by_phenotype_and_genotype():
    """Proband 3 affected and typed non-carrier, phenocopy rate 0, parents unknown: P(affected
    | 0) = 0. Unknown phenotype for 3: a non-carrier of unknown phenotype, possible. Unknown
    genotype for 3: an affected carrier, possible."""
    people = trio()
    result = flb(people, "3", 0.01, False, {p.id: (0.0, 0.9, 0.9) for p in people},
                 {"1": "unknown", "2": "unknown", "3": "affected"}, {"3": 0})
    assert result.reason == UNDEFINED + ("this changes if any one of these is taken as unknown: "
                                         "3 affected, 3 non-carrier")


def test_affected_noncarrier_relative_is_named_for_a_zero_flb():
    """Proband 3 affected carrier, father 1 affected and typed non-carrier, phenocopy rate 0:
    P(G, Ph | causal) = 0, FLB 0. Father's phenotype unknown: he is a non-carrier, the
    mother (unknown) passes the allele, possible; his genotype unknown: he is the carrier,
    possible. Nobody else's data is the cause."""
    people = trio()
    result = flb(people, "3", 0.01, False, {p.id: (0.0, 0.9, 0.9) for p in people},
                 {"1": "affected", "2": "unknown", "3": "affected"}, {"1": 0, "3": 1})
    assert result.value == 0.0
    assert result.reason == ZERO + ("this changes if any one of these is taken as unknown: "
                                    "1 affected, 1 non-carrier")


def test_two_affected_noncarriers_are_a_combination_no_single_person():
    """Father 1 and sibling 4 both affected non-carriers with phenocopy rate 0: taking either
    one as unknown leaves the other impossible, so no single person is the cause."""
    people = trio() + [person(4, 1, 2)]
    result = flb(people, "3", 0.01, False, {p.id: (0.0, 0.9, 0.9) for p in people},
                 {"1": "affected", "2": "unknown", "3": "affected", "4": "affected"},
                 {"1": 0, "3": 1, "4": 0})
    assert result.value == 0.0
    assert result.reason == ZERO + ("no single person's phenotype or genotype is the cause, "
                                    "only their combination")


TRIO = "F f 0 0 1 1\nF m 0 0 2 1\nF c f m 1 2\n"


def test_variant_no_genotyped_affected_member_carries_is_not_weighed(tmp_path):
    """Affected child c typed non-carrier, father f an unaffected carrier: it does not explain
    the family's condition. Even with c named as proband (which would give an FLB, phenocopy
    0.01), no FLB, PP1 or BS4 comes from this family."""
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(1), "m": called(0), "c": called(0)}
    result = segregate(family, calls, Model("AD", 0.7, 0.01), Settings(), named_proband="c")
    assert result.explains_family == "no"
    assert (result.flb, result.pp1, result.bs4, result.meioses) == (None, "none", "none", None)
    assert result.acmg_codes == ()
    assert result.flb_reason == ("no genotyped affected member carries the variant: it does "
                                 "not explain this family's condition, and the family's data "
                                 "are not weighed for or against it")


def test_variant_with_no_genotyped_affected_member_is_untested_not_unexplaining(tmp_path):
    family = family_from(tmp_path, TRIO)
    result = segregate(family, {"f": called(1), "m": called(0), "c": MISSING},
                       Model("AD", 0.7, 0.01), Settings())
    assert result.explains_family == "untested"
    assert result.flb_reason == "no affected carrier to take as proband"


def test_one_affected_carrier_is_enough_to_explain(tmp_path):
    family = family_from(tmp_path, TRIO + "F s f m 1 2\n")
    calls = {"f": called(1), "m": called(0), "c": called(0), "s": called(1)}
    assert segregate(family, calls, Model("AD", 0.7, 0.01), Settings()).explains_family == "yes"
