"""Edges of the de novo and Mendelian-error rules, and of the small segregation rules around
them (counts, explains_family, carried, proband choice, causal genotypes, locus/model match).

Sources: DESIGN.md (missing is never a non-carrier; `de_novo` in {yes, no, unknown}); ACMG/AMP
2015 (Richards et al., Genet Med 17:405): PS2/PM6 for a de novo variant, confirmed or assumed
parentage, which a single new allele in a child of two non-carrier parents can be and a
homozygous child of two non-carrier parents (two new alleles at once) cannot; the parents'
allele balance limit `segregation.max_parent_alt_fraction` (default 0.05, "at or below",
config/README.md); Mendelian transmission on X: a son's only X is his mother's, a daughter
has her father's only X."""

from __future__ import annotations

import pytest

from cmmvar.io.ped_file import read_family
from cmmvar.segregate.de_novo import de_novo_status
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.segregation import (
    Counts,
    Model,
    Settings,
    carried,
    causal_genotypes,
    choose_proband,
    count,
    explains_family,
    informative_meioses,
    locus_mismatch,
    segregate,
)


def called(copies: int, ad=None, hemizygous: bool = False) -> Genotype:
    return Genotype(copies, "called", ad=ad, hemizygous=hemizygous)


MISSING = Genotype(None, "not_sequenced")
LOW_GQ = Genotype(None, "low_gq", gt="0/0", gq=5)
CLEAN = (30, 0)  # a parent's allele depths with no ALT read

TRIO = "T f 0 0 1 1\nT m 0 0 2 1\nT c f m 1 2\n"
XTRIO = "X f 0 0 1 1\nX m 0 0 2 1\nX s f m 1 2\nX d f m 2 1\n"


def family_from(tmp_path, text: str):
    path = tmp_path / "fam.ped"
    path.write_text(text)
    return read_family(path, text.split()[0])


# ------------------------------------------------------------------ parents' allele balance


@pytest.mark.parametrize(("mother_ad", "status"), [
    ((19, 1), "yes"),      # 1/20 = 0.05: at the limit, still a confident non-carrier
    ((20, 1), "yes"),      # 1/21 = 0.0476: just below
    ((37, 2), "unknown"),  # 2/39 = 0.0513: just above
    ((30, 0), "yes"),      # no ALT read
    ((0, 0), "unknown"),   # no reads at all: nothing says she is a non-carrier
    ((1, 0), "yes"),       # one read, REF: 0/1 = 0
    ((0, 1), "unknown"),   # one read, ALT: 1/1 = 1
    ((30, None), "yes"),   # an ALT depth missing: GQ and DP are all there is
    ((30,), "yes"),        # a single depth: no ALT fraction to compute
])
def test_parents_alt_fraction_at_the_limit(tmp_path, mother_ad, status):
    """config/README.md: a de novo call needs the parents' ALT read fraction at or below
    max_parent_alt_fraction (0.05)."""
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(0, CLEAN), "m": called(0, mother_ad), "c": called(1, (12, 14))}
    assert de_novo_status(family, calls, 0.05)[:2] == (
        (status, ("c",)) if status == "yes" else (status, ()))


def test_the_configured_alt_fraction_is_the_one_compared(tmp_path):
    """3/30 = 0.10 in the father: a non-carrier at max_parent_alt_fraction 0.10, not at 0.09;
    the value reaches de_novo_status from Settings through segregate."""
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(0, (27, 3)), "m": called(0, CLEAN), "c": called(1, (12, 14))}
    model = Model("AD", 0.9, 0.01)
    assert segregate(family, calls, model, Settings(max_parent_alt_fraction=0.10)).de_novo \
        == "yes"
    assert segregate(family, calls, model, Settings(max_parent_alt_fraction=0.09)).de_novo \
        == "unknown"


def test_a_parent_with_alt_reads_over_the_limit_leaves_a_mendelian_error_not_a_de_novo(
        tmp_path):
    """Both parents called 0/0 but the mother shows 10% ALT reads: not de novo (she may be a
    low-level carrier), and the child's 0/1 is still inconsistent with the two calls."""
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(0, CLEAN), "m": called(0, (27, 3)), "c": called(1, (12, 14))}
    assert de_novo_status(family, calls, 0.05) == (
        "unknown", (), ("c is +/- with parents f -/- and m -/-",))


# ------------------------------------------------------------------ who can be de novo


def test_homozygous_child_of_two_noncarrier_parents_is_not_de_novo(tmp_path):
    """Two new alleles at once: a Mendelian error (sample swap, deletion, uniparental
    disomy), never PM6/PS2. Neither parent carries, so nothing is inherited: unknown."""
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(0, CLEAN), "m": called(0, CLEAN), "c": called(2, (0, 25))}
    assert de_novo_status(family, calls, 0.05) == (
        "unknown", (), ("c is +/+ with parents f -/- and m -/-",))
    result = segregate(family, calls, Model("AR", 0.9, 0.01), Settings())
    assert result.de_novo == "unknown" and "PM6" not in result.acmg_codes


@pytest.mark.parametrize("parent", [MISSING, LOW_GQ, called(1, (15, 15))])
def test_de_novo_needs_both_parents_confident_noncarriers(tmp_path, parent):
    """A missing parent (not sequenced, or failing GQ) or a carrier parent: not de novo."""
    family = family_from(tmp_path, TRIO)
    for who in ("f", "m"):
        calls = {"f": called(0, CLEAN), "m": called(0, CLEAN), "c": called(1, (12, 14))}
        calls[who] = parent
        status, children, _ = de_novo_status(family, calls, 0.05)
        assert (status, children) == ("no" if parent.carrier else "unknown", ())


def test_not_de_novo_when_the_child_inherits_from_a_carrier_parent(tmp_path):
    """The 'no' branch: a carrier child with a carrier parent; the other parent a confident
    non-carrier (so only the carrier parent keeps it from being de novo)."""
    family = family_from(tmp_path, TRIO)
    for carrier in ("f", "m"):
        calls = {"f": called(0, CLEAN), "m": called(0, CLEAN), "c": called(1, (12, 14))}
        calls[carrier] = called(1, (15, 15))
        assert de_novo_status(family, calls, 0.05) == ("no", (), ())


def test_a_noncarrier_child_of_a_carrier_is_not_evidence_of_inheritance(tmp_path):
    """Nothing was transmitted: de_novo stays unknown, not no."""
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(1, (15, 15)), "m": called(0, CLEAN), "c": called(0, CLEAN)}
    assert de_novo_status(family, calls, 0.05) == ("unknown", (), ())


def test_one_de_novo_child_makes_the_family_yes_beside_an_inheriting_child(tmp_path):
    """Family order: c1 inherits from a carrier grandparent line, c2 is de novo; yes wins,
    and only c2 is listed."""
    family = family_from(tmp_path, "Y g 0 0 1 1\nY h 0 0 2 1\nY p g h 1 2\nY q 0 0 2 1\n"
                                   "Y c1 g h 2 2\nY c2 p q 1 2\n")
    calls = {"g": called(1, (15, 15)), "h": called(0, CLEAN), "p": called(0, CLEAN),
             "q": called(0, CLEAN), "c1": called(1, (10, 10)), "c2": called(1, (10, 10))}
    assert de_novo_status(family, calls, 0.05) == ("yes", ("c2",), ())


def test_missing_child_is_skipped_not_a_mendelian_error(tmp_path):
    """A child whose call is missing says nothing: no de novo, no Mendelian error, whatever
    the parents (here a +/+ mother, who could not have a -/- child)."""
    family = family_from(tmp_path, TRIO)
    for child in (MISSING, LOW_GQ):
        calls = {"f": called(0, CLEAN), "m": called(2), "c": child}
        assert de_novo_status(family, calls, 0.05) == ("unknown", (), ())
    hemi_child = Genotype(None, "no_call", hemizygous=True)
    family = family_from(tmp_path, XTRIO)
    calls = {"f": called(1, hemizygous=True), "m": called(2), "s": hemi_child, "d": called(2)}
    assert de_novo_status(family, calls, 0.05) == ("no", (), ())


def test_founders_are_never_de_novo_nor_mendelian_errors(tmp_path):
    family = family_from(tmp_path, "S a 0 0 1 2\nS b 0 0 2 1\n")
    assert de_novo_status(family, {"a": called(1), "b": called(2)}, 0.05) == (
        "unknown", (), ())


# ------------------------------------------------------------------ X: sons and daughters


def test_hemizygous_son_is_de_novo_despite_a_carrier_father(tmp_path):
    """A son's only X is his mother's: a carrier father is irrelevant, a confident
    non-carrier mother is all a de novo needs."""
    family = family_from(tmp_path, XTRIO)
    calls = {"f": called(1, hemizygous=True), "m": called(0, CLEAN),
             "s": called(1, hemizygous=True), "d": called(1)}
    status, children, errors = de_novo_status(family, calls, 0.05)
    assert (children, errors) == (("s",), ())
    assert status == "yes"


def test_hemizygous_son_of_a_carrier_mother_inherits(tmp_path):
    family = family_from(tmp_path, XTRIO)
    calls = {"f": called(0, CLEAN, hemizygous=True), "m": called(1, (15, 15)),
             "s": called(1, hemizygous=True), "d": called(0, CLEAN)}
    assert de_novo_status(family, calls, 0.05) == ("no", (), ())


@pytest.mark.parametrize(("father", "daughter", "errors"), [
    # a carrier father gives his X to every daughter: a -/- daughter is an error
    (called(1, hemizygous=True), called(0), ("d is -/- with parents f + and m -/-",)),
    (called(1, hemizygous=True), called(1), ()),
    # a non-carrier father: a +/- daughter of a -/- mother is de novo, not an error
    (called(0, CLEAN, hemizygous=True), called(0), ()),
    (called(0, CLEAN, hemizygous=True), called(2),
     ("d is +/+ with parents f - and m -/-",)),
])
def test_daughter_has_her_fathers_only_x(tmp_path, father, daughter, errors):
    family = family_from(tmp_path, XTRIO)
    calls = {"f": father, "m": called(0, CLEAN), "s": called(0, hemizygous=True),
             "d": daughter}
    assert de_novo_status(family, calls, 0.05)[2] == errors


def test_son_against_a_missing_mother_is_not_an_error(tmp_path):
    family = family_from(tmp_path, XTRIO)
    calls = {"f": called(1, hemizygous=True), "m": MISSING, "s": called(0, hemizygous=True),
             "d": called(1)}
    assert de_novo_status(family, calls, 0.05) == ("no", (), ())


# ------------------------------------------------------------------ autosomal Mendelian errors


@pytest.mark.parametrize(("father", "mother", "child", "error"), [
    (2, 2, 0, "c is -/- with parents f +/+ and m +/+"),
    (2, 0, 0, "c is -/- with parents f +/+ and m -/-"),
    (0, 2, 2, "c is +/+ with parents f -/- and m +/+"),
    (1, 0, 2, "c is +/+ with parents f +/- and m -/-"),
    (2, 2, 1, "c is +/- with parents f +/+ and m +/+"),
    (1, 1, 0, None), (1, 1, 1, None), (1, 1, 2, None), (2, 0, 1, None), (2, 1, 2, None),
    (0, 1, 0, None),
])
def test_mendelian_errors_every_autosomal_combination(tmp_path, father, mother, child, error):
    """A parent's 0, 1, 2 ALT copies pass {0}, {0, 1}, {1}; a child's call outside the sums
    is an error (a single new allele from two -/- parents is a de novo instead)."""
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(father, (10, 0) if father == 0 else None),
             "m": called(mother, (10, 0) if mother == 0 else None), "c": called(child)}
    assert de_novo_status(family, calls, 0.05)[2] == ((error,) if error else ())


@pytest.mark.parametrize("missing_parent", ["f", "m"])
def test_a_missing_parent_hides_autosomal_mendelian_errors(tmp_path, missing_parent):
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(2), "m": called(2), "c": called(0)}
    calls[missing_parent] = MISSING
    assert de_novo_status(family, calls, 0.05)[2] == ()


# ------------------------------------------------------------------ counts and explains_family


def test_count_puts_every_member_in_one_cell(tmp_path):
    """Affected: two +/+ (homozygous, carriers), -/-, missing; unaffected: + (hemizygous, a
    carrier, not homozygous), -/-; unknown: +/+, missing."""
    family = family_from(tmp_path, "C a 0 0 2 2\nC b 0 0 2 2\nC c 0 0 2 2\nC d 0 0 1 1\n"
                                   "C e 0 0 2 1\nC f 0 0 2 0\nC g 0 0 2 0\nC h 0 0 1 2\n")
    calls = {"a": called(2), "b": called(0), "c": LOW_GQ, "d": called(1, hemizygous=True),
             "e": called(0), "f": called(2), "g": MISSING, "h": called(2)}
    assert count(family, calls) == Counts(
        affected_carriers=2, affected_homozygous=2, affected_noncarriers=1, affected_missing=1,
        unaffected_carriers=1, unaffected_noncarriers=1, unknown_carriers=1,
        unknown_homozygous=1, unknown_missing=1)


@pytest.mark.parametrize(("counts", "expected"), [
    (Counts(), "untested"),
    (Counts(affected_missing=3, unaffected_carriers=2), "untested"),
    (Counts(affected_noncarriers=1, unaffected_carriers=2), "no"),
    (Counts(affected_carriers=1), "yes"),
    (Counts(affected_carriers=1, affected_noncarriers=4), "yes"),
])
def test_explains_family_each_branch(counts, expected):
    assert explains_family(counts) == expected


def test_carried_means_some_member_carries_it():
    assert carried({"a": called(0), "b": called(1, hemizygous=True)})
    assert carried({"a": called(2)})
    assert not carried({"a": called(0), "b": MISSING, "c": LOW_GQ})
    assert not carried({})


# ------------------------------------------------------------------ proband and causal genotypes


def test_choose_proband_each_branch(tmp_path):
    """The families sheet's name wins; else the first affected carrier in PED order (an
    unaffected carrier, an affected non-carrier or a missing call is passed over); else none."""
    family = family_from(tmp_path, "P u 0 0 1 1\nP a 0 0 1 2\nP b 0 0 2 2\nP c 0 0 2 2\n")
    calls = {"u": called(1), "a": called(0), "b": MISSING, "c": called(1)}
    assert choose_proband(family, calls, None) == ("c", "first affected carrier in PED order")
    assert choose_proband(family, calls, "a") == ("a", "families sheet")
    calls["c"] = called(0)
    assert choose_proband(family, calls, None) == (None, "no affected carrier")


@pytest.mark.parametrize(("inheritance", "male", "expected"), [
    ("AD", False, (1, 2)), ("AD", True, (1, 2)), ("AR", False, (2,)), ("AR", True, (2,)),
    ("XLD", False, (1, 2)), ("XLD", True, (1,)), ("XLR", False, (2,)), ("XLR", True, (1,)),
])
def test_causal_genotypes_by_model_and_sex(inheritance, male, expected):
    assert causal_genotypes(Model(inheritance, 0.9, 0.01), male) == expected


def test_x_linked_affected_brothers_count_one_meiosis(tmp_path):
    """XLR, two affected hemizygous brothers, non-carrier father, mother untyped: P(brother
    carries | proband carries, rare neutral variant) = 1/2 (the mother is a carrier, her other
    X goes to the brother with 1/2): one meiosis. A heterozygous affected sister of an XLR
    proband is not the causal genotype: None."""
    family = family_from(tmp_path, "B f 0 0 1 1\nB m 0 0 2 0\nB s f m 1 2\nB t f m 1 2\n"
                                   "B d f m 2 0\n")
    calls = {"f": called(0, hemizygous=True), "m": MISSING, "s": called(1, hemizygous=True),
             "t": called(1, hemizygous=True), "d": MISSING}
    assert informative_meioses(family, calls, "s", Model("XLR", 0.9, 0.01)) == 1
    calls["t"] = called(0, hemizygous=True)
    assert informative_meioses(family, calls, "s", Model("XLR", 0.9, 0.01)) is None


def test_an_untyped_proband_has_no_informative_meioses(tmp_path):
    family = family_from(tmp_path, TRIO)
    calls = {"f": called(1), "m": called(0), "c": MISSING}
    assert informative_meioses(family, calls, "c", Model("AD", 0.9, 0.01)) is None


# ------------------------------------------------------------------ locus and model


@pytest.mark.parametrize(("hemizygous_males", "inheritance", "mismatch"), [
    ((True, True), "XLR", False), ((True, True), "XLD", False),
    ((False, False), "AD", False), ((False, False), "AR", False),
    ((True, True), "AD", True), ((False, False), "XLR", True),
    ((True, False), "AD", True),  # any hemizygous male places the locus on X
    ((False, True), "XLD", False),
])
def test_locus_mismatch_each_branch(tmp_path, hemizygous_males, inheritance, mismatch):
    family = family_from(tmp_path, XTRIO)
    f, s = hemizygous_males
    calls = {"f": called(0, hemizygous=f), "m": called(1), "s": called(1, hemizygous=s),
             "d": called(0)}
    reason = locus_mismatch(family, calls, Model(inheritance, 0.9, 0.01))
    assert (reason is not None) == mismatch
    if mismatch:
        assert reason.startswith(f"the {inheritance} model is ")


def test_locus_mismatch_is_none_without_males(tmp_path):
    family = family_from(tmp_path, "W a 0 0 2 2\nW b 0 0 2 1\nW c 0 0 0 1\n")
    calls = {"a": called(1), "b": called(0), "c": called(0)}
    for inheritance in ("AD", "AR", "XLD", "XLR"):
        assert locus_mismatch(family, calls, Model(inheritance, 0.9, 0.01)) is None
